#!/usr/bin/env python3
"""Is a faster linker worth detecting at init? (issue #7)

One-line edit of lesson 1, then `cargo build -p`, alternating between linkers,
each in a target dir of its own (warmed first): the default (rust-lld since Rust
1.90 on x86_64 Linux), mold when installed, and GNU ld for reference. Prints
medians; docs/architecture.md records the outcome.

Usage: benches/linker.py [--reps N]
"""
import argparse, os, shutil, statistics, subprocess, tempfile, time

import loop

LINKERS = {
    "rust-lld (default)": [],
    "mold": ["-C", "link-arg=-fuse-ld=mold"],
    "GNU ld": ["-C", "linker-features=-lld"],
}


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--reps", type=int, default=8)
    args = ap.parse_args()
    linkers = {k: v for k, v in LINKERS.items() if k != "mold" or shutil.which("mold")}
    loop.run(["cargo", "build", "--release", "--quiet"], cwd=loop.ROOT)
    tmp = tempfile.mkdtemp(prefix="apilings-linker-")
    try:
        ws = os.path.join(tmp, "ws")
        loop.run([loop.apilings(), "init", ws])
        n = 0

        def build(name):
            nonlocal n
            n += 1
            loop.edit(ws, n)
            env = dict(os.environ, CARGO_TARGET_DIR=os.path.join(tmp, "t-" + name.split()[0]),
                       RUSTFLAGS=" ".join(linkers[name]))
            t0 = time.perf_counter()
            loop.run(["cargo", "build", "-q", "-p", loop.CRATE], cwd=ws, env=env)
            return time.perf_counter() - t0

        for name in linkers:
            build(name)  # cold: dependencies compiled once per target dir
        times = {name: [] for name in linkers}
        for rep in range(args.reps):
            names = list(linkers) if rep % 2 == 0 else list(reversed(linkers))
            for name in names:
                times[name].append(build(name))
        base = statistics.median(times["rust-lld (default)"])
        for name, ts in times.items():
            print(f"{name}: median {statistics.median(ts):.3f} s ({statistics.median(ts) / base:.2f}x)")
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()
