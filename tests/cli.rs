//! The real `apilings` binary against real workspaces.
//!
//! Every workspace these tests build shares one target dir (`target/lessons`), so
//! the lesson dependencies compile once per machine. Tests that build run one at a
//! time: lesson crates of different workspaces share a binary path in that dir.

use std::fs;
use std::path::{Path, PathBuf};
use std::sync::Mutex;

use assert_cmd::Command;
use predicates::prelude::*;
use predicates::str::contains;

static BUILDS: Mutex<()> = Mutex::new(());

fn shared_target() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("target")
        .join("lessons")
}

fn apilings(dir: &Path) -> Command {
    let mut cmd = Command::cargo_bin("apilings").unwrap();
    cmd.current_dir(dir)
        .env("CARGO_TARGET_DIR", shared_target())
        .env_remove("RUSTFLAGS")
        .timeout(std::time::Duration::from_secs(900));
    cmd
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
        apilings(&ws).args([cmd, "no-such-lesson"]).assert().code(2).stderr(contains(
            "unknown lesson `no-such-lesson`; the lessons are: 01-first-endpoint, 02-rest-resources, 03-validation",
        ));
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
    assert!(text.contains("0 of 3 lessons done"));
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
    fs::write(&toml, text).unwrap();
    apilings(tmp.path())
        .arg("--lessons")
        .arg(&lessons)
        .arg("list")
        .assert()
        .code(2)
        .stderr(contains(
            "02-rest-resources/lesson.toml:16:14: unknown field `statuz`",
        ));
}

fn copy_dir(from: &Path, to: &Path) {
    fs::create_dir_all(to).unwrap();
    for e in fs::read_dir(from).unwrap() {
        let e = e.unwrap();
        if e.path().is_dir() {
            copy_dir(&e.path(), &to.join(e.file_name()));
        } else {
            fs::copy(e.path(), to.join(e.file_name())).unwrap();
        }
    }
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
    apilings(&ws)
        .arg("list")
        .assert()
        .stdout(contains("1 of 3 lessons done"));
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
fn verify_proves_every_item_fails_on_its_stub_and_passes_on_its_solution() {
    let _serial = BUILDS.lock().unwrap_or_else(|e| e.into_inner());
    let tmp = tempfile::tempdir().unwrap();
    apilings(tmp.path())
        .args(["verify", "--locked"])
        .assert()
        .success()
        .stdout(
            contains("✓ 01-first-endpoint: 3/3 items fail on the stub, 3/3 pass on the solution")
                .and(contains(
                    "✓ 02-rest-resources: 5/5 items fail on the stub, 5/5 pass on the solution",
                ))
                .and(contains(
                    "✓ 03-validation: 6/6 items fail on the stub, 6/6 pass on the solution",
                ))
                .and(contains("All 3 lesson(s) verified.")),
        );
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

/// A pack of the test-only lessons in tests/fixtures, with the real pack's
/// dependencies, lock and kit (so nothing new is compiled but the lessons).
fn fixture_pack() -> (tempfile::TempDir, PathBuf) {
    let tmp = tempfile::tempdir().unwrap();
    let src = Path::new(env!("CARGO_MANIFEST_DIR"));
    let lessons = tmp.path().join("lessons");
    copy_dir(&src.join("tests/fixtures/lessons"), &lessons);
    copy_dir(
        &src.join("tests/fixtures/solutions"),
        &tmp.path().join("solutions"),
    );
    copy_dir(&src.join("lessons/kit"), &lessons.join("kit"));
    for f in ["pack.toml", "Cargo.lock"] {
        fs::copy(src.join("lessons").join(f), lessons.join(f)).unwrap();
    }
    (tmp, lessons)
}

#[test]
fn server_environment_is_generated_per_run_so_a_hard_coded_secret_fails() {
    let _serial = BUILDS.lock().unwrap_or_else(|e| e.into_inner());
    let (tmp, lessons) = fixture_pack();
    let ws = tmp.path().join("ws");
    apilings(tmp.path())
        .arg("--lessons")
        .arg(&lessons)
        .arg("init")
        .arg(&ws)
        .assert()
        .success();
    apilings(&ws)
        .arg("--lessons")
        .arg(&lessons)
        .args(["check", "01"])
        .assert()
        .code(1)
        .stdout(
            contains("✗ key-from-env")
                .and(contains("expected: status equals 200"))
                .and(contains("response: 401")),
        );
    // The same check passes once the key is read from the environment.
    apilings(tmp.path())
        .arg("--lessons")
        .arg(&lessons)
        .args(["verify", "01"])
        .assert()
        .success()
        .stdout(contains(
            "✓ 01-secret-from-env: 1/1 items fail on the stub, 1/1 pass on the solution",
        ));
}

/// Pids of the processes whose process group is `pgid`.
fn members_of_group(pgid: i32) -> Vec<i32> {
    let mut pids = Vec::new();
    for entry in fs::read_dir("/proc").unwrap().flatten() {
        let Ok(pid) = entry.file_name().to_string_lossy().parse::<i32>() else {
            continue;
        };
        let Ok(stat) = fs::read_to_string(format!("/proc/{pid}/stat")) else {
            continue;
        };
        // Fields after the command name (which is in parentheses and may hold spaces).
        let rest = &stat[stat.rfind(')').unwrap() + 2..];
        let fields: Vec<&str> = rest.split(' ').collect();
        if fields[0] != "Z" && fields[2].parse::<i32>() == Ok(pgid) {
            pids.push(pid);
        }
    }
    pids
}

/// The pid of a child of `parent` whose command line mentions `needle`.
fn child_with(parent: u32, needle: &str) -> Option<i32> {
    for entry in fs::read_dir("/proc").unwrap().flatten() {
        let Ok(pid) = entry.file_name().to_string_lossy().parse::<i32>() else {
            continue;
        };
        let Ok(stat) = fs::read_to_string(format!("/proc/{pid}/stat")) else {
            continue;
        };
        let rest = &stat[stat.rfind(')').unwrap() + 2..];
        let ppid: u32 = rest.split(' ').nth(1).unwrap().parse().unwrap();
        let cmdline = fs::read_to_string(format!("/proc/{pid}/cmdline")).unwrap_or_default();
        if ppid == parent && cmdline.contains(needle) {
            return Some(pid);
        }
    }
    None
}

#[test]
fn a_server_that_never_answers_hits_the_request_bound_and_leaves_no_process() {
    let _serial = BUILDS.lock().unwrap_or_else(|e| e.into_inner());
    let (tmp, lessons) = fixture_pack();
    let ws = tmp.path().join("ws");
    apilings(tmp.path())
        .arg("--lessons")
        .arg(&lessons)
        .arg("init")
        .arg(&ws)
        .assert()
        .success();
    let child = std::process::Command::new(env!("CARGO_BIN_EXE_apilings"))
        .current_dir(&ws)
        .env("CARGO_TARGET_DIR", shared_target())
        .arg("--lessons")
        .arg(&lessons)
        .args(["check", "02"])
        .stdout(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let started = std::time::Instant::now();
    let server = loop {
        if let Some(pid) = child_with(child.id(), "lesson-02-never-answers") {
            break pid;
        }
        assert!(
            started.elapsed().as_secs() < 600,
            "the server never started"
        );
        std::thread::sleep(std::time::Duration::from_millis(20));
    };
    let out = child.wait_with_output().unwrap();
    let text = String::from_utf8(out.stdout).unwrap();
    assert_eq!(out.status.code(), Some(1), "{text}");
    assert!(
        text.contains("no response within 5 s (the request bound)"),
        "{text}"
    );
    assert_eq!(
        members_of_group(server),
        Vec::<i32>::new(),
        "the server's group is gone, its sleeping child too"
    );
}

#[test]
fn ctrl_c_during_check_stops_the_server_and_its_children() {
    let _serial = BUILDS.lock().unwrap_or_else(|e| e.into_inner());
    let (tmp, lessons) = fixture_pack();
    let ws = tmp.path().join("ws");
    apilings(tmp.path())
        .arg("--lessons")
        .arg(&lessons)
        .arg("init")
        .arg(&ws)
        .assert()
        .success();
    let child = std::process::Command::new(env!("CARGO_BIN_EXE_apilings"))
        .current_dir(&ws)
        .env("CARGO_TARGET_DIR", shared_target())
        .arg("--lessons")
        .arg(&lessons)
        .args(["check", "02"])
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let started = std::time::Instant::now();
    let server = loop {
        if let Some(pid) = child_with(child.id(), "lesson-02-never-answers") {
            break pid;
        }
        assert!(
            started.elapsed().as_secs() < 600,
            "the server never started"
        );
        std::thread::sleep(std::time::Duration::from_millis(20));
    };
    // Wait until the server has spawned its sleeping child, then press Ctrl-C.
    while members_of_group(server).len() < 2 && started.elapsed().as_secs() < 600 {
        std::thread::sleep(std::time::Duration::from_millis(20));
    }
    nix::sys::signal::kill(
        nix::unistd::Pid::from_raw(child.id() as i32),
        nix::sys::signal::Signal::SIGINT,
    )
    .unwrap();
    let out = child.wait_with_output().unwrap();
    assert_eq!(out.status.code(), Some(130));
    assert!(String::from_utf8_lossy(&out.stderr).contains("Interrupted"));
    assert_eq!(
        members_of_group(server),
        Vec::<i32>::new(),
        "the server and its child are gone"
    );
}

/// Processes whose working directory is inside `dir` (lesson servers run in their lesson folder).
fn processes_in(dir: &Path) -> Vec<i32> {
    let mut found = Vec::new();
    for entry in fs::read_dir("/proc").unwrap().flatten() {
        let Ok(pid) = entry.file_name().to_string_lossy().parse::<i32>() else {
            continue;
        };
        if fs::read_link(format!("/proc/{pid}/cwd")).is_ok_and(|cwd| cwd.starts_with(dir)) {
            found.push(pid);
        }
    }
    found
}

#[test]
fn a_run_that_is_cancelled_kills_its_server_and_children() {
    // What the TUI does when a newer save arrives: abort the run's task.
    let _serial = BUILDS.lock().unwrap_or_else(|e| e.into_inner());
    let (tmp, lessons) = fixture_pack();
    let ws = tmp.path().join("ws");
    apilings(tmp.path())
        .arg("--lessons")
        .arg(&lessons)
        .arg("init")
        .arg(&ws)
        .assert()
        .success();
    let pack = apilings::lessons::Pack::from_dir(&lessons).unwrap();
    let lesson = pack.find("02").unwrap().clone();
    let opts = apilings::session::RunOptions {
        target_dir: Some(shared_target()),
        ..Default::default()
    };
    let rt = tokio::runtime::Runtime::new().unwrap();
    rt.block_on(async {
        let root = ws.clone();
        let run =
            tokio::spawn(async move { apilings::session::run_lesson(&root, &lesson, &opts).await });
        let started = std::time::Instant::now();
        // The server and the child it spawns both run in the lesson's folder.
        while processes_in(&ws).len() < 2 {
            assert!(
                started.elapsed().as_secs() < 600,
                "the server never started"
            );
            tokio::time::sleep(std::time::Duration::from_millis(20)).await;
        }
        run.abort();
        assert!(run.await.unwrap_err().is_cancelled());
    });
    let start = std::time::Instant::now();
    while !processes_in(&ws).is_empty() && start.elapsed().as_secs() < 2 {
        std::thread::sleep(std::time::Duration::from_millis(20));
    }
    assert_eq!(
        processes_in(&ws),
        Vec::<i32>::new(),
        "the server and its child are gone"
    );
}
