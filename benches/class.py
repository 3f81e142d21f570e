#!/usr/bin/env python3
"""The class benchmark (issue #16): N learner workspaces graded with
`apilings grade --class`, against N separate `apilings grade` runs, all cold
(no build folder of their own yet), in one run. Each workspace holds the
solutions of the lessons graded, so every lesson compiles and is checked.

  separate  `apilings grade LESSONS` in each workspace, one after another,
            each building in its own workspace's target/ (what N CI jobs on
            N machines each pay);
  class     `apilings grade LESSONS --class DIR` once, with an empty cache.

Usage: benches/class.py [--learners 8] [--lessons 01 02 03] [--out docs/benchmarks.md]
Prints the ratio class / separate; with --out, replaces the "Grading a class"
section of that file. A ratio against a baseline taken in the same run, never
a timed assertion.
"""
import argparse, os, platform, shutil, subprocess, sys, tempfile, time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def apilings():
    return os.path.join(ROOT, "target", "release", "apilings")


def clean_env(cache):
    env = {k: v for k, v in os.environ.items() if k not in ("CARGO_TARGET_DIR", "RUSTFLAGS")}
    env["XDG_CACHE_HOME"] = cache
    return env


def make_class(dir, learners, lessons):
    ids = []
    for n in range(learners):
        ws = os.path.join(dir, f"learner-{n + 1:02}")
        subprocess.run([apilings(), "init", ws], check=True, stdout=subprocess.DEVNULL)
        for lesson in lessons:
            lesson_dir = next(d for d in os.listdir(os.path.join(ROOT, "solutions")) if d.startswith(lesson))
            if n == 0:
                ids.append(lesson_dir)
            shutil.copytree(os.path.join(ROOT, "solutions", lesson_dir), os.path.join(ws, lesson_dir), dirs_exist_ok=True)
    return ids


def timed(cmd, **kw):
    started = time.monotonic()
    done = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, **kw)
    took = time.monotonic() - started
    if done.returncode != 0:
        sys.exit(f"{' '.join(cmd)} failed ({done.returncode}):\n{done.stdout}\n{done.stderr}")
    return took


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--learners", type=int, default=8)
    p.add_argument("--lessons", nargs="+", default=["01", "02", "03"])
    p.add_argument("--out")
    args = p.parse_args()
    subprocess.run(["cargo", "build", "--release", "--quiet"], cwd=ROOT, check=True)
    with tempfile.TemporaryDirectory(prefix="apilings-class-bench") as tmp:
        cls = os.path.join(tmp, "class")
        ids = make_class(cls, args.learners, args.lessons)
        # Separate runs: each workspace builds cold in its own target/.
        separate = []
        for ws in sorted(os.listdir(cls)):
            cache = tempfile.mkdtemp(dir=tmp)
            separate.append(timed([apilings(), "grade", *args.lessons], cwd=os.path.join(cls, ws), env=clean_env(cache)))
            print(f"separate {ws}: {separate[-1]:.1f} s", flush=True)
        for ws in os.listdir(cls):
            shutil.rmtree(os.path.join(cls, ws, "target"), ignore_errors=True)
        cache = tempfile.mkdtemp(dir=tmp)
        whole = timed([apilings(), "grade", *args.lessons, "--class", cls], cwd=tmp, env=clean_env(cache))
        print(f"class: {whole:.1f} s", flush=True)
    total = sum(separate)
    ratio = whole / total
    section = (
        "## Grading a class (benches/class.py)\n\n"
        f"Measured {time.strftime('%Y-%m-%d')} on {platform.machine()}, {os.cpu_count()} cores, in one run: "
        f"{args.learners} learner workspaces, each with the solutions of lessons {', '.join(ids)}, all cold.\n\n"
        "| run | time | ratio |\n|---|---|---|\n"
        f"| {args.learners} separate `apilings grade` (each builds its dependencies) | {total:.0f} s (one: {min(separate):.0f}–{max(separate):.0f} s) | 1.00 |\n"
        f"| one `apilings grade --class` | {whole:.0f} s | **{ratio:.2f}** (target ≤ 0.25) |\n\n"
        "The dependencies compile once for the class; each learner then pays for "
        "their lesson crates (and the kit, whose files are new in each workspace) "
        "and the checks, so the ratio grows with the lessons graded.\n"
    )
    print(section)
    if args.out:
        path = os.path.join(ROOT, args.out)
        text = open(path).read()
        start = text.find("## Grading a class")
        if start >= 0:
            end = text.find("\n## ", start + 1)
            text = text[:start] + section + (text[end + 1:] if end >= 0 else "")
        else:
            text = text.rstrip("\n") + "\n\n" + section
        open(path, "w").write(text)


if __name__ == "__main__":
    main()
