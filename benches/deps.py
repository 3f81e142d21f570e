#!/usr/bin/env python3
"""What each heavy dependency of the lesson workspace adds to its cold build (issue #7).

Builds, cold and alternating, a crate that depends on exactly the pack's
dependencies (lessons/pack.toml, same features, same profile as a generated
workspace, versions from lessons/Cargo.lock), then the same crate with one heavy
dependency left out at a time, and the base (axum, tokio, serde, serde_json,
tracing). A dependency's cost is the median of "all" minus the median without it.
An alternative considered for a heavy dependency is measured in its place.

Usage: benches/deps.py [--reps N] [--out docs/dependency-costs.md]
Takes about (2 + number of heavy dependencies) x reps x 30 s.
"""
import argparse, os, platform, shutil, statistics, subprocess, tempfile, time, tomllib

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
HEAVY = ["garde", "tower-http", "tracing-subscriber", "rusqlite", "r2d2", "utoipa", "utoipa-axum"]
BASE = ["axum", "tokio", "serde", "serde_json", "tracing"]
# A lighter crate that could do a heavy one's job, measured in its place.
ALTERNATIVES = {"garde": ("validator", {"version": "0.21", "features": ["derive"]})}
PROFILE = """
[profile.dev]
debug = "line-tables-only"

[profile.dev.package."*"]
debug = false
"""


def toml_value(v):
    if isinstance(v, str):
        return '"%s"' % v
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, list):
        return "[" + ", ".join(toml_value(x) for x in v) + "]"
    return "{ " + ", ".join(f"{k} = {toml_value(x)}" for k, x in v.items()) + " }"


def cold_build(tmp, name, deps):
    d = os.path.join(tmp, name)
    shutil.rmtree(d, ignore_errors=True)
    os.makedirs(os.path.join(d, "src"))
    lines = ['[package]', 'name = "depcost"', 'version = "0.1.0"', 'edition = "2024"', "", "[dependencies]"]
    lines += [f'{k} = {toml_value(v)}' for k, v in deps.items()]
    open(os.path.join(d, "Cargo.toml"), "w").write("\n".join(lines) + "\n" + PROFILE)
    open(os.path.join(d, "src", "main.rs"), "w").write("fn main() {}\n")
    shutil.copy(os.path.join(ROOT, "lessons", "Cargo.lock"), os.path.join(d, "Cargo.lock"))
    env = dict(os.environ, CARGO_TARGET_DIR=os.path.join(d, "target"))
    env.pop("RUSTFLAGS", None)
    t0 = time.perf_counter()
    subprocess.run(["cargo", "build", "-q"], cwd=d, env=env, check=True)
    took = time.perf_counter() - t0
    crates = len([f for f in os.listdir(os.path.join(d, "target", "debug", "deps")) if f.endswith(".rlib") or f.endswith(".so")])
    shutil.rmtree(d, ignore_errors=True)
    return took, crates


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--reps", type=int, default=2)
    ap.add_argument("--out", default=os.path.join(ROOT, "docs", "dependency-costs.md"))
    args = ap.parse_args()
    deps = tomllib.load(open(os.path.join(ROOT, "lessons", "pack.toml"), "rb"))["dependencies"]
    configs = {"all": deps}
    for h in HEAVY:
        configs["without " + h] = {k: v for k, v in deps.items() if k != h}
    for heavy, (alt, spec) in ALTERNATIVES.items():
        configs[f"{alt} instead of {heavy}"] = dict({k: v for k, v in deps.items() if k != heavy}, **{alt: spec})
    configs["base"] = {k: v for k, v in deps.items() if k in BASE}
    times = {name: [] for name in configs}
    crates = {}
    tmp = tempfile.mkdtemp(prefix="apilings-deps-")
    try:
        names = list(configs)
        for rep in range(args.reps):
            for name in names if rep % 2 == 0 else reversed(names):
                took, n = cold_build(tmp, "c", configs[name])
                times[name].append(took)
                crates[name] = n
                print(f"{name}: {took:.1f}s ({n} crates)", flush=True)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)

    med = {name: statistics.median(ts) for name, ts in times.items()}
    cpu = next((l.split(":", 1)[1].strip() for l in open("/proc/cpuinfo") if l.startswith("model name")), "?")
    rustc = subprocess.run(["rustc", "--version"], capture_output=True, text=True).stdout.strip()
    out = [
        "# What each dependency of the lesson workspace costs",
        "",
        "Written by `benches/deps.py`: cold `cargo build` of a crate depending on exactly the",
        "pack's dependencies (same features, profile and locked versions), then with one heavy",
        "dependency left out at a time. Why each is worth its cost: docs/dependencies.md.",
        "",
        f"Machine: {os.cpu_count()} cores, {cpu}; {rustc}; {platform.system()} {platform.release()}.",
        f"Repetitions: {args.reps}, alternating; medians.",
        "",
        "| build | cold build | crates | the left-out dependency adds |",
        "|---|---|---|---|",
    ]
    for name in names:
        if name.startswith("without "):
            adds = f"{med['all'] - med[name]:+.1f} s, {crates['all'] - crates[name]:+d} crates"
        elif " instead of " in name:
            alt, heavy = name.split(" instead of ")
            adds = f"({alt} adds {med[name] - med['without ' + heavy]:+.1f} s, {crates[name] - crates['without ' + heavy]:+d} crates)"
        else:
            adds = ""
        label = {"all": "every pack dependency", "base": "base only (" + ", ".join(BASE) + ")"}.get(name, name)
        out.append(f"| {label} | {med[name]:.1f} s | {crates[name]} | {adds} |")
    out.append("")
    open(args.out, "w").write("\n".join(out))
    print("\n".join(out))


if __name__ == "__main__":
    main()
