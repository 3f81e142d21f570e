//! The real `apilings` binary against real workspaces.
//!
//! Every workspace these tests build shares one target dir (`target/lessons`), so
//! the lesson dependencies compile once per machine. Tests that build run one at a
//! time: lesson crates of different workspaces share a binary path in that dir.

use std::fs;
use std::path::{Path, PathBuf};

use assert_cmd::Command;

mod common;
use common::{BUILDS, copy_dir, shared_target};
use predicates::prelude::*;
use predicates::str::contains;

fn apilings(dir: &Path) -> Command {
    common::apilings(dir)
}

fn new_workspace() -> (tempfile::TempDir, PathBuf) {
    let tmp = tempfile::tempdir().unwrap();
    let ws = tmp.path().join("ws");
    apilings(tmp.path()).arg("init").arg(&ws).assert().success();
    (tmp, ws)
}

fn solution(lesson: &str, rel: &str) -> String {
    fs::read_to_string(
        Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("solutions")
            .join(lesson)
            .join(rel),
    )
    .unwrap()
}

#[test]
fn init_writes_a_cargo_workspace_with_every_lesson() {
    let (_tmp, ws) = new_workspace();
    let manifest = fs::read_to_string(ws.join("Cargo.toml")).unwrap();
    assert!(manifest.contains(
        "members = [\"kit\", \"01-first-endpoint\", \"02-rest-resources\", \"03-validation\""
    ));
    assert!(manifest.contains("debug = \"line-tables-only\""));
    for f in [
        "Cargo.lock",
        "kit/src/lib.rs",
        "01-first-endpoint/src/main.rs",
        "01-first-endpoint/README.md",
        ".apilings/workspace.toml",
        ".apilings/progress.toml",
    ] {
        assert!(ws.join(f).is_file(), "{f} missing");
    }
    // Every lesson crate lists the same dependencies: feature unification is identical.
    let deps = |l: &str| {
        let m = fs::read_to_string(ws.join(l).join("Cargo.toml")).unwrap();
        m.split("[dependencies]").nth(1).unwrap().to_string()
    };
    assert_eq!(deps("01-first-endpoint"), deps("03-validation"));
}

#[test]
fn init_refuses_a_non_empty_folder_that_is_not_a_workspace() {
    let tmp = tempfile::tempdir().unwrap();
    fs::write(tmp.path().join("notes.txt"), "mine").unwrap();
    apilings(tmp.path())
        .args(["init", "."])
        .assert()
        .code(2)
        .stderr(
            contains("is not empty and is not an apilings workspace").and(contains("notes.txt")),
        );
    assert_eq!(
        fs::read_to_string(tmp.path().join("notes.txt")).unwrap(),
        "mine"
    );
}

#[test]
fn init_again_keeps_the_learners_files() {
    let (_tmp, ws) = new_workspace();
    let main = ws.join("01-first-endpoint/src/main.rs");
    fs::write(&main, "// my work").unwrap();
    fs::remove_file(ws.join("02-rest-resources/src/main.rs")).unwrap();
    apilings(&ws)
        .args(["init", "."])
        .assert()
        .success()
        .stdout(contains("already an apilings workspace").and(contains("added 1 missing file")));
    assert_eq!(fs::read_to_string(&main).unwrap(), "// my work");
    assert!(ws.join("02-rest-resources/src/main.rs").is_file());
}

#[test]
fn commands_outside_a_workspace_say_how_to_make_one() {
    let tmp = tempfile::tempdir().unwrap();
    apilings(tmp.path())
        .arg("list")
        .assert()
        .code(2)
        .stderr(contains("not inside an apilings workspace").and(contains("apilings init")));
}

#[test]
fn an_unknown_lesson_lists_the_known_ones() {
    let (_tmp, ws) = new_workspace();
    for cmd in ["check", "hint", "reset", "solution"] {
        apilings(&ws)
            .args([cmd, "no-such-lesson"])
            .assert()
            .code(2)
            .stderr(contains(format!(
                "unknown lesson `no-such-lesson`; the lessons are: {}",
                common::lesson_ids().join(", ")
            )));
    }
}

#[test]
fn list_shows_every_lesson_in_order_with_its_state() {
    let (_tmp, ws) = new_workspace();
    let out = apilings(&ws.join("02-rest-resources"))
        .arg("list")
        .assert()
        .success();
    let text = String::from_utf8(out.get_output().stdout.clone()).unwrap();
    let first = text.find("01-first-endpoint").unwrap();
    let third = text.find("03-validation").unwrap();
    assert!(first < third);
    assert!(text.contains("not started"));
    assert!(text.contains(&format!("0 of {} lessons done", common::lesson_count())));
}

#[test]
fn no_arguments_creates_the_default_workspace_and_says_what_to_do() {
    let tmp = tempfile::tempdir().unwrap();
    apilings(tmp.path()).assert().success().stdout(
        contains("creating one at")
            .and(contains("apilings-workspace"))
            .and(contains("Next: read 01-first-endpoint/README.md")),
    );
    assert!(
        tmp.path()
            .join("apilings-workspace/.apilings/workspace.toml")
            .is_file()
    );
    // A second run opens it rather than creating it again.
    apilings(tmp.path())
        .assert()
        .success()
        .stdout(contains("creating").not());
}

#[test]
fn reset_keeps_a_timestamped_backup_and_says_where() {
    let (_tmp, ws) = new_workspace();
    let main = ws.join("01-first-endpoint/src/main.rs");
    let stub = fs::read_to_string(&main).unwrap();
    fs::write(&main, "// my attempt").unwrap();
    let out = apilings(&ws)
        .args(["reset", "01"])
        .assert()
        .success()
        .stdout(contains("kept in"));
    let text = String::from_utf8(out.get_output().stdout.clone()).unwrap();
    let backup = PathBuf::from(text.trim().rsplit(' ').next().unwrap());
    assert_eq!(
        fs::read_to_string(backup.join("src/main.rs")).unwrap(),
        "// my attempt"
    );
    assert_eq!(fs::read_to_string(&main).unwrap(), stub);
    // Nothing changed since: nothing to back up, nothing lost.
    apilings(&ws)
        .args(["reset", "01"])
        .assert()
        .success()
        .stdout(contains("nothing to back up"));
}

#[test]
fn grade_works_on_a_read_only_workspace() {
    let _serial = BUILDS.lock().unwrap_or_else(|e| e.into_inner());
    if !mount_namespace("grade_works_on_a_read_only_workspace") {
        return;
    }
    let (tmp, ws) = new_workspace();
    fs::write(
        ws.join("01-first-endpoint/src/main.rs"),
        solution("01-first-endpoint", "src/main.rs"),
    )
    .unwrap();
    // No CARGO_TARGET_DIR: grade must build outside the workspace, in its cache
    // folder (here a link to the tests' shared dir, so nothing compiles cold).
    let cache = tmp.path().join("cache");
    fs::create_dir_all(cache.join("apilings")).unwrap();
    std::os::unix::fs::symlink(shared_target(), cache.join("apilings/grade-target")).unwrap();
    let script = format!(
        "mount --bind -o ro '{ws}' '{ws}' && exec '{bin}' grade 01",
        ws = ws.display(),
        bin = env!("CARGO_BIN_EXE_apilings")
    );
    let out = std::process::Command::new("unshare")
        .args(["-m", "sh", "-c", &script])
        .current_dir(&ws)
        .env_remove("CARGO_TARGET_DIR")
        .env_remove("RUSTFLAGS")
        .env("XDG_CACHE_HOME", &cache)
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&out.stdout);
    assert_eq!(
        out.status.code(),
        Some(0),
        "{text}{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(text.contains("✓ 01-first-endpoint"), "{text}");
    assert!(
        !ws.join("target").exists(),
        "grade wrote into the workspace"
    );
}

#[test]
fn a_full_disk_names_the_file_and_leaves_no_empty_backup() {
    if !mount_namespace("a_full_disk_names_the_file_and_leaves_no_empty_backup") {
        return;
    }
    let tmp = tempfile::tempdir().unwrap();
    let disk = tmp.path().join("disk");
    fs::create_dir_all(&disk).unwrap();
    // A 4 MiB disk: a workspace, an edit, then a file that fills the rest; then reset.
    let script = format!(
        "set -e; mount -t tmpfs -o size=4m tmpfs '{d}'; '{bin}' init '{d}/ws' >/dev/null; \
         printf '// my attempt\\n' > '{d}/ws/01-first-endpoint/src/main.rs'; \
         dd if=/dev/zero of='{d}/fill' bs=4096 2>/dev/null || true; \
         cd '{d}/ws'; set +e; '{bin}' reset 01; echo \"exit=$?\"; \
         echo \"kept=$(cat 01-first-endpoint/src/main.rs)\"; \
         find .apilings/backups -type f -size 0 | sed 's/^/empty:/'",
        d = disk.display(),
        bin = env!("CARGO_BIN_EXE_apilings")
    );
    let out = std::process::Command::new("unshare")
        .args(["-m", "sh", "-c", &script])
        .output()
        .unwrap();
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(text.contains("exit=2"), "{text}");
    assert!(
        text.contains("cannot back up") && text.contains("src/main.rs"),
        "{text}"
    );
    assert!(
        text.contains("kept=// my attempt"),
        "the learner's file is untouched: {text}"
    );
    assert!(!text.contains("empty:"), "an empty backup was left: {text}");
}

#[test]
fn a_file_reset_cannot_read_stops_the_reset_and_nothing_is_lost() {
    let (_tmp, ws) = new_workspace();
    let lesson = ws.join("01-first-endpoint");
    fs::write(lesson.join("README.md"), "my notes").unwrap();
    fs::remove_file(lesson.join("src/main.rs")).unwrap();
    fs::create_dir(lesson.join("src/main.rs")).unwrap();
    apilings(&ws)
        .args(["reset", "01"])
        .assert()
        .code(2)
        .stderr(contains(
            "src/main.rs is not a regular file; nothing was reset",
        ));
    assert_eq!(
        fs::read_to_string(lesson.join("README.md")).unwrap(),
        "my notes"
    );
    assert!(lesson.join("src/main.rs").is_dir());
}

#[test]
fn workspace_metadata_damage_is_recovered_from() {
    let (tmp, ws) = new_workspace();
    let meta = ws.join(".apilings");
    // A deleted workspace.toml: the message says how, init recreates it, files kept.
    fs::write(ws.join("01-first-endpoint/src/main.rs"), "// mine").unwrap();
    fs::remove_file(meta.join("workspace.toml")).unwrap();
    apilings(&ws).arg("list").assert().code(2).stderr(
        contains("workspace.toml is missing: run `apilings init")
            .and(contains("your files are kept")),
    );
    apilings(tmp.path()).arg("init").arg(&ws).assert().success();
    apilings(&ws).arg("list").assert().success();
    assert_eq!(
        fs::read_to_string(ws.join("01-first-endpoint/src/main.rs")).unwrap(),
        "// mine"
    );
    let manifest = fs::read_to_string(ws.join("Cargo.toml")).unwrap();
    assert!(manifest.contains("[workspace]"));
    // A temp file of a writer killed mid-write is swept when the workspace is opened.
    let stale = meta.join(".apilings-tmpXYZ");
    fs::write(&stale, "half").unwrap();
    let old = std::time::SystemTime::now() - std::time::Duration::from_secs(120);
    fs::File::options()
        .write(true)
        .open(&stale)
        .unwrap()
        .set_modified(old)
        .unwrap();
    apilings(&ws).arg("list").assert().success();
    assert!(!stale.exists());
    // A lock file that is a symlink is never followed.
    let target = tmp.path().join("elsewhere");
    let _ = fs::remove_file(meta.join("lock"));
    std::os::unix::fs::symlink(&target, meta.join("lock")).unwrap();
    apilings(&ws)
        .args(["check", "01"])
        .assert()
        .code(2)
        .stderr(contains("cannot open"));
    assert!(!target.exists(), "the lock followed a symlink");
}

#[test]
fn a_malformed_pack_names_file_line_and_column() {
    let tmp = tempfile::tempdir().unwrap();
    let src = Path::new(env!("CARGO_MANIFEST_DIR"));
    let lessons = tmp.path().join("lessons");
    copy_dir(&src.join("lessons"), &lessons);
    copy_dir(&src.join("solutions"), &tmp.path().join("solutions"));
    let toml = lessons.join("02-rest-resources/lesson.toml");
    let text = fs::read_to_string(&toml).unwrap().replacen(
        "expect = { status = 201,",
        "expect = { statuz = 201,",
        1,
    );
    fs::write(&toml, &text).unwrap();
    let at = text.find("statuz").unwrap();
    let line = text[..at].matches('\n').count() + 1;
    let col = at - text[..at].rfind('\n').map_or(0, |i| i + 1) + 1;
    // As a compiler says it: the problem, then where, the line, the span underlined, a help.
    let expected = format!("--> {}:{line}:{col}\n", toml.display());
    apilings(tmp.path())
        .arg("--lessons")
        .arg(&lessons)
        .arg("list")
        .assert()
        .code(2)
        .stderr(contains("error: unknown key `statuz`"))
        .stderr(contains(expected.clone()))
        .stderr(contains("^^^^^^"))
        .stderr(contains("help: did you mean `status`?"));
    // The same pack named by the environment, as an instructor's shell would.
    apilings(tmp.path())
        .env("APILINGS_LESSONS", &lessons)
        .arg("list")
        .assert()
        .code(2)
        .stderr(contains(expected));
}

#[test]
fn check_grades_the_stub_then_the_solution_and_records_progress() {
    let _serial = BUILDS.lock().unwrap_or_else(|e| e.into_inner());
    let (_tmp, ws) = new_workspace();
    let lesson_dir = ws.join("01-first-endpoint");

    // The stub: every item fails, with the request, a curl line, what came back and a hint.
    apilings(&lesson_dir.join("src"))
        .arg("check")
        .assert()
        .code(1)
        .stdout(
            contains("✗ health-json")
                .and(contains("as curl:  curl -i http://127.0.0.1:"))
                .and(contains("expected: status equals 200"))
                .and(contains("response: 501 Not Implemented"))
                .and(contains("hint: "))
                .and(contains("0 of 3 items pass")),
        );
    apilings(&ws)
        .arg("list")
        .assert()
        .stdout(contains("failing"));
    apilings(&ws)
        .args(["solution", "01"])
        .assert()
        .code(2)
        .stderr(contains("has not passed yet"));
    apilings(&ws)
        .args(["hint", "01"])
        .assert()
        .success()
        .stdout(contains("1. "));

    // The solution: every item passes, exit 0, progress says passed.
    fs::write(
        lesson_dir.join("src/main.rs"),
        solution("01-first-endpoint", "src/main.rs"),
    )
    .unwrap();
    apilings(&ws)
        .args(["check", "01"])
        .assert()
        .success()
        .stdout(contains("All 3 items pass").and(contains("Next lesson: 02-rest-resources")));
    apilings(&ws).arg("list").assert().stdout(contains(format!(
        "1 of {} lessons done",
        common::lesson_count()
    )));
    apilings(&ws)
        .args(["solution", "01"])
        .assert()
        .success()
        .stdout(contains("struct Greeting"));

    // An unchanged lesson is not rebuilt.
    apilings(&ws)
        .args(["check", "01"])
        .assert()
        .success()
        .stdout(contains("build: fresh, nothing rebuilt"));
}

#[test]
fn workspaces_sharing_a_target_dir_are_each_graded_on_their_own_code() {
    let _serial = BUILDS.lock().unwrap_or_else(|e| e.into_inner());
    // Both made before either is built: each one's files are older than the other's build.
    let (_a, solved) = new_workspace();
    let (_b, stub) = new_workspace();
    fs::write(
        solved.join("01-first-endpoint/src/main.rs"),
        solution("01-first-endpoint", "src/main.rs"),
    )
    .unwrap();
    // Alternating, so each check follows a build of the other workspace's same crate.
    for _ in 0..2 {
        apilings(&solved)
            .args(["check", "01"])
            .assert()
            .success()
            .stdout(contains("All 3 items pass"));
        apilings(&stub)
            .args(["check", "01"])
            .assert()
            .code(1)
            .stdout(contains("0 of 3 items pass"));
    }
    let manifest = fs::read_to_string(stub.join("01-first-endpoint/Cargo.toml")).unwrap();
    assert!(manifest.contains("version = \"0.1.0+ws."), "{manifest}");
}

#[test]
fn a_compile_error_comes_first_with_file_and_line() {
    let _serial = BUILDS.lock().unwrap_or_else(|e| e.into_inner());
    let (_tmp, ws) = new_workspace();
    let main = ws.join("02-rest-resources/src/main.rs");
    let broken = fs::read_to_string(&main).unwrap().replace(
        "StatusCode::NOT_IMPLEMENTED\n}",
        "StatusCode::NOT_IMPLEMENTE\n}",
    );
    fs::write(&main, broken).unwrap();
    let out = apilings(&ws).args(["check", "02"]).assert().code(1);
    let text = String::from_utf8(out.get_output().stdout.clone()).unwrap();
    let error_at = text
        .find("error[E0599]")
        .expect("the compiler error is shown");
    assert!(text.contains("02-rest-resources/src/main.rs:"), "{text}");
    assert!(
        error_at < text.find("build: failed").unwrap(),
        "errors come first: {text}"
    );
    assert!(text.contains("(not run)"), "{text}");
}

#[test]
fn grade_never_rewrites_cargo_lock_and_says_what_to_do_when_it_is_out_of_date() {
    let _serial = BUILDS.lock().unwrap_or_else(|e| e.into_inner());
    let (_tmp, ws) = new_workspace();
    // The learner took a dependency out of a lesson's manifest: its lock is out of date.
    let manifest = ws.join("01-first-endpoint/Cargo.toml");
    let text = fs::read_to_string(&manifest).unwrap();
    assert!(text.contains("r2d2.workspace = true\n"), "{text}");
    fs::write(&manifest, text.replace("r2d2.workspace = true\n", "")).unwrap();
    let lock = fs::read(ws.join("Cargo.lock")).unwrap();

    let out = apilings(&ws).args(["grade", "01"]).assert().code(1);
    let text = String::from_utf8(out.get_output().stdout.clone()).unwrap();
    assert!(
        text.contains("Cargo.lock does not match the Cargo.toml files"),
        "{text}"
    );
    assert!(
        text.contains("Run `apilings check` in the workspace"),
        "{text}"
    );
    assert_eq!(
        fs::read(ws.join("Cargo.lock")).unwrap(),
        lock,
        "grade wrote the workspace's Cargo.lock"
    );
}

#[test]
fn grade_builds_once_and_a_broken_lesson_stops_only_itself() {
    let _serial = BUILDS.lock().unwrap_or_else(|e| e.into_inner());
    let (_tmp, ws) = new_workspace();
    let write_solution = |lesson: &str| {
        fs::write(
            ws.join(lesson).join("src/main.rs"),
            solution(lesson, "src/main.rs"),
        )
        .unwrap()
    };
    // 01 solved, 02 the stub, 03 does not compile.
    write_solution("01-first-endpoint");
    let main = ws.join("03-validation/src/main.rs");
    let text = fs::read_to_string(&main).unwrap();
    fs::write(&main, format!("{text}\nconst BROKEN: u32 = \"no\";\n")).unwrap();
    let progress = ws.join(".apilings/progress.toml");
    let before = fs::read(&progress).ok();

    let out = apilings(&ws)
        .args(["grade", "01", "02", "03"])
        .assert()
        .code(1);
    let text = String::from_utf8(out.get_output().stdout.clone()).unwrap();
    let line = |lesson: &str| {
        text.lines()
            .find(|l| l.contains(lesson) && !l.contains("──"))
            .unwrap_or_else(|| panic!("no line for {lesson}: {text}"))
            .split_whitespace()
            .collect::<Vec<_>>()
            .join(" ")
    };
    assert_eq!(
        line("01-first-endpoint"),
        "✓ 01-first-endpoint 3/3 items pass"
    );
    assert_eq!(
        line("02-rest-resources"),
        "✗ 02-rest-resources 0/5 items pass"
    );
    assert_eq!(line("03-validation"), "✗ 03-validation does not compile");
    assert!(
        text.contains("build: ") && text.contains("for 3 lesson crate(s)"),
        "{text}"
    );
    // What failed is shown in full: the compile error with its place, the failing requests.
    assert!(text.contains("03-validation/src/main.rs:"), "{text}");
    let from = text.find("── 02-rest-resources ──").unwrap();
    let to = text.find("── 03-validation ──").unwrap();
    let section_02 = &text[from..to];
    assert!(
        !section_02.contains("error["),
        "03's compile error is 03's alone: {section_02}"
    );
    assert!(text.contains("as curl:"), "{text}");
    assert!(text.contains("1 of 3 lessons pass"), "{text}");
    assert_eq!(
        fs::read(&progress).ok(),
        before,
        "grade never writes progress"
    );

    // The same grading for programs: one JSON document on stdout, nothing else there.
    let out = apilings(&ws)
        .args(["grade", "01", "02", "03", "--format", "json"])
        .assert()
        .code(1);
    let doc: serde_json::Value = serde_json::from_slice(&out.get_output().stdout)
        .unwrap_or_else(|e| panic!("stdout is one JSON document: {e}"));
    assert_eq!(doc["version"], 1);
    assert_eq!(doc["passed"], false);
    let lessons = doc["lessons"].as_array().unwrap();
    let ids: Vec<&str> = lessons
        .iter()
        .map(|l| l["lesson"].as_str().unwrap())
        .collect();
    assert_eq!(
        ids,
        ["01-first-endpoint", "02-rest-resources", "03-validation"]
    );
    let verdicts = |l: &serde_json::Value| -> Vec<String> {
        let items = l["items"].as_array().unwrap();
        items
            .iter()
            .map(|i| i["verdict"]["verdict"].as_str().unwrap().to_string())
            .collect()
    };
    assert!(verdicts(&lessons[0]).iter().all(|v| v == "pass"), "{doc}");
    assert!(verdicts(&lessons[1]).iter().all(|v| v == "fail"), "{doc}");
    let failure = &lessons[1]["items"][0]["verdict"];
    assert!(
        failure["request"]["url"]
            .as_str()
            .unwrap()
            .starts_with("http://127.0.0.1:")
    );
    assert!(
        failure["assertions"][0]["expected"].is_string(),
        "{failure}"
    );
    assert_eq!(lessons[2]["stopped"]["kind"], "build_failed");
    assert!(
        lessons[2]["build"]["diagnostics"][0]["location"]
            .as_str()
            .is_some_and(|l| l.contains("src/main.rs:")),
        "{}",
        lessons[2]["build"]
    );
    // Into a file: the same document, and the heading on stderr only.
    let file = ws.join("report.json");
    apilings(&ws)
        .args(["grade", "01", "--format", "json", "--output"])
        .arg(&file)
        .assert()
        .success()
        .stdout("");
    let doc: serde_json::Value = serde_json::from_slice(&fs::read(&file).unwrap()).unwrap();
    assert_eq!(doc["passed"], true);
    // No cargo to run is apilings' failure, not the learner's: exit 2, said in the report.
    let out = apilings(&ws)
        .env("CARGO", ws.join("no-such-cargo"))
        .args(["grade", "01", "--format", "json"])
        .assert()
        .code(2);
    let doc: serde_json::Value = serde_json::from_slice(&out.get_output().stdout).unwrap();
    assert_eq!(
        doc["lessons"][0]["stopped"]["kind"], "infrastructure",
        "{doc}"
    );
    assert!(
        doc["lessons"][0]["stopped"]["message"]
            .as_str()
            .is_some_and(|m| m.contains("could not run cargo")),
        "{doc}"
    );

    write_solution("02-rest-resources");
    write_solution("03-validation");
    apilings(&ws)
        .args(["grade", "01", "02", "03"])
        .assert()
        .success()
        .stdout(contains("3 of 3 lessons pass"));
}

#[test]
fn verify_proves_every_item_fails_on_its_stub_and_passes_on_its_solution() {
    let _serial = BUILDS.lock().unwrap_or_else(|e| e.into_inner());
    let tmp = tempfile::tempdir().unwrap();
    let pack = apilings::lessons::Pack::embedded().unwrap();
    let out = apilings(tmp.path())
        .args(["verify", "--locked"])
        .assert()
        .success()
        .get_output()
        .stdout
        .clone();
    let out = String::from_utf8(out).unwrap();
    for lesson in &pack.lessons {
        let n = lesson.items.len();
        let line = format!(
            "✓ {}: {n}/{n} items fail on the stub, {n}/{n} pass on the solution",
            lesson.id
        );
        assert!(out.contains(&line), "missing {line:?} in:\n{out}");
    }
    let all = format!("All {} lesson(s) verified.", pack.lessons.len());
    assert!(out.contains(&all), "{out}");
}

#[test]
fn verify_catches_a_check_that_cannot_fail() {
    let _serial = BUILDS.lock().unwrap_or_else(|e| e.into_inner());
    // A pack whose stub already does what lesson 1's first item asks: verify must refuse it.
    let tmp = tempfile::tempdir().unwrap();
    let src = Path::new(env!("CARGO_MANIFEST_DIR"));
    let lessons = tmp.path().join("lessons");
    copy_dir(&src.join("lessons"), &lessons);
    copy_dir(&src.join("solutions"), &tmp.path().join("solutions"));
    fs::write(
        lessons.join("01-first-endpoint/src/main.rs"),
        solution("01-first-endpoint", "src/main.rs"),
    )
    .unwrap();
    apilings(tmp.path())
        .arg("--lessons")
        .arg(&lessons)
        .args(["verify", "01"])
        .assert()
        .code(1)
        .stdout(
            contains("item `health-json` does not fail on the stub")
                .and(contains("1 lesson(s) failed verification")),
        );
}

/// True where this test may make a mount namespace (`unshare -m`, as root);
/// otherwise says plainly that `test` is skipped.
fn mount_namespace(test: &str) -> bool {
    let ok = std::process::Command::new("unshare")
        .args(["-m", "true"])
        .status()
        .is_ok_and(|s| s.success());
    if !ok {
        eprintln!("SKIPPED {test}: no mount namespace here (unshare -m)");
    }
    ok
}
