//! The learner's server is a process tree of its own: generated secrets reach it
//! through its environment, and every way a run ends (a bound hit, Ctrl-C, a
//! cancelled run) leaves none of its processes behind.

use std::fs;
use std::path::Path;

use assert_cmd::Command;
use predicates::prelude::*;
use predicates::str::contains;

mod common;
use common::{BUILDS, fixture_pack, processes_in, processes_mentioning, shared_target};

fn apilings(dir: &Path) -> Command {
    let mut cmd = Command::cargo_bin("apilings").unwrap();
    cmd.current_dir(dir)
        .env("CARGO_TARGET_DIR", shared_target())
        .timeout(std::time::Duration::from_secs(900));
    cmd
}

/// Starts `apilings <command> LESSON` on the fixture pack and waits (bounded) until
/// its server runs; returns the apilings process and the server's pid (= its group).
#[allow(clippy::zombie_processes)] // returned to the caller, which waits for it
fn spawn_run(
    ws: &Path,
    lessons: &Path,
    command: &str,
    lesson: &str,
    needle: &str,
) -> (std::process::Child, i32) {
    let mut child = std::process::Command::new(env!("CARGO_BIN_EXE_apilings"))
        .current_dir(ws)
        .env("CARGO_TARGET_DIR", shared_target())
        .arg("--lessons")
        .arg(lessons)
        .args([command, lesson])
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let started = std::time::Instant::now();
    loop {
        if let Some(pid) = child_with(child.id(), needle) {
            return (child, pid);
        }
        if started.elapsed().as_secs() >= 600 {
            let _ = child.kill();
            let _ = child.wait();
            panic!("the server never started");
        }
        std::thread::sleep(std::time::Duration::from_millis(20));
    }
}

#[test]
fn server_environment_is_generated_per_run_so_a_hard_coded_secret_fails() {
    let _serial = BUILDS.lock().unwrap_or_else(|e| e.into_inner());
    let (tmp, lessons, ws) = fixture_workspace();
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

/// The live members of group `pgid` once they are gone, or after 2 s. A SIGKILLed
/// process takes a moment to die on a loaded machine; one that outlives 2 s leaked.
fn members_left(pgid: i32) -> Vec<i32> {
    let started = std::time::Instant::now();
    loop {
        let left = members_of_group(pgid);
        if left.is_empty() || started.elapsed() >= std::time::Duration::from_secs(2) {
            return left;
        }
        std::thread::sleep(std::time::Duration::from_millis(10));
    }
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

/// A workspace of the fixture pack: (temp dir, the pack's lessons folder, the workspace).
fn fixture_workspace() -> (tempfile::TempDir, std::path::PathBuf, std::path::PathBuf) {
    let (tmp, lessons) = fixture_pack();
    let ws = tmp.path().join("ws");
    apilings(tmp.path())
        .arg("--lessons")
        .arg(&lessons)
        .arg("init")
        .arg(&ws)
        .assert()
        .success();
    (tmp, lessons, ws)
}

#[test]
fn a_server_that_never_answers_hits_the_request_bound_and_leaves_no_process() {
    let _serial = BUILDS.lock().unwrap_or_else(|e| e.into_inner());
    let (_tmp, lessons, ws) = fixture_workspace();
    let (child, server) = spawn_run(&ws, &lessons, "check", "02", "lesson-02-never-answers");
    let out = child.wait_with_output().unwrap();
    let text = String::from_utf8(out.stdout).unwrap();
    assert_eq!(out.status.code(), Some(1), "{text}");
    assert!(
        text.contains("no response within 5 s (the request bound)"),
        "{text}"
    );
    assert_eq!(
        members_left(server),
        Vec::<i32>::new(),
        "the server's group is gone, its sleeping child too"
    );
}

#[test]
fn ctrl_c_during_check_or_grade_stops_the_server_and_its_children() {
    let _serial = BUILDS.lock().unwrap_or_else(|e| e.into_inner());
    let (_tmp, lessons, ws) = fixture_workspace();
    for command in ["check", "grade"] {
        let (child, server) = spawn_run(&ws, &lessons, command, "02", "lesson-02-never-answers");
        // Wait until the server has spawned its sleeping child, then press Ctrl-C.
        let started = std::time::Instant::now();
        while members_of_group(server).len() < 2 && started.elapsed().as_secs() < 60 {
            std::thread::sleep(std::time::Duration::from_millis(20));
        }
        nix::sys::signal::kill(
            nix::unistd::Pid::from_raw(child.id() as i32),
            nix::sys::signal::Signal::SIGINT,
        )
        .unwrap();
        let out = child.wait_with_output().unwrap();
        assert_eq!(out.status.code(), Some(130), "{command}");
        assert!(String::from_utf8_lossy(&out.stderr).contains("Interrupted"));
        assert_eq!(
            members_left(server),
            Vec::<i32>::new(),
            "{command}: the server and its child are gone"
        );
    }
}

#[test]
fn a_run_that_is_cancelled_kills_its_server_and_children() {
    // What the TUI does when a newer save arrives: abort the run's task.
    let _serial = BUILDS.lock().unwrap_or_else(|e| e.into_inner());
    let (_tmp, lessons, ws) = fixture_workspace();
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
        Vec::<String>::new(),
        "the server and its child are gone"
    );
}

#[test]
fn sigterm_sighup_or_sigkill_of_apilings_leave_no_process() {
    use nix::sys::signal::Signal;
    let _serial = BUILDS.lock().unwrap_or_else(|e| e.into_inner());
    let (_tmp, lessons, ws) = fixture_workspace();
    for (signal, code) in [
        (Signal::SIGTERM, Some(143)),
        (Signal::SIGHUP, Some(129)),
        (Signal::SIGKILL, None),
    ] {
        let (child, server) = spawn_run(&ws, &lessons, "check", "02", "lesson-02-never-answers");
        let started = std::time::Instant::now();
        while members_of_group(server).len() < 2 && started.elapsed().as_secs() < 60 {
            std::thread::sleep(std::time::Duration::from_millis(20));
        }
        nix::sys::signal::kill(nix::unistd::Pid::from_raw(child.id() as i32), signal).unwrap();
        let out = child.wait_with_output().unwrap();
        assert_eq!(out.status.code(), code, "{signal}");
        // SIGKILL gives apilings no chance: the kernel kills the server (PDEATHSIG)
        // and the guard kills the rest.
        assert_eq!(
            members_left(server),
            Vec::<i32>::new(),
            "{signal}: the server and its child are gone"
        );
    }
}

/// The escaped children of lesson 16 still alive after up to 2 s.
fn escaped_left() -> Vec<String> {
    let started = std::time::Instant::now();
    loop {
        let left = [
            processes_mentioning("sleep 316"),
            processes_mentioning("sleep 317"),
        ]
        .concat();
        if left.is_empty() || started.elapsed().as_secs() >= 2 {
            return left;
        }
        std::thread::sleep(std::time::Duration::from_millis(20));
    }
}

#[test]
fn children_that_leave_the_servers_group_are_killed_when_the_run_ends() {
    let _serial = BUILDS.lock().unwrap_or_else(|e| e.into_inner());
    let (_tmp, lessons, ws) = fixture_workspace();
    // In a process that goes on (the TUI): the end of the run kills them.
    run_here_and_pass(&lessons, &ws, "16");
    assert_eq!(
        escaped_left(),
        Vec::<String>::new(),
        "gone while apilings runs on"
    );
    // A command that exits: gone too.
    apilings(&ws)
        .arg("--lessons")
        .arg(&lessons)
        .args(["check", "16"])
        .assert()
        .success();
    assert_eq!(
        escaped_left(),
        Vec::<String>::new(),
        "gone when apilings exits"
    );
}

#[test]
fn the_graders_secrets_reach_neither_the_build_nor_the_server() {
    let _serial = BUILDS.lock().unwrap_or_else(|e| e.into_inner());
    let (_tmp, lessons, ws) = fixture_workspace();
    apilings(&ws)
        .env("GITHUB_TOKEN", "ghp_grader-secret")
        .env("AWS_SECRET_ACCESS_KEY", "aws-grader-secret")
        .arg("--lessons")
        .arg(&lessons)
        .args(["check", "23"])
        .assert()
        .success()
        .stdout(contains("All 1 items pass").and(contains("grader-secret").not()));
}

#[test]
fn a_build_scripts_child_does_not_outlive_a_successful_build() {
    let _serial = BUILDS.lock().unwrap_or_else(|e| e.into_inner());
    let (_tmp, lessons, ws) = fixture_workspace();
    // Keep the test process alive meanwhile: the guard is not what is proven here.
    run_here_and_pass(&lessons, &ws, "24");
    let started = std::time::Instant::now();
    while !processes_mentioning("sleep 318").is_empty() && started.elapsed().as_secs() < 2 {
        std::thread::sleep(std::time::Duration::from_millis(20));
    }
    assert_eq!(processes_mentioning("sleep 318"), Vec::<String>::new());
}

/// Runs lesson `id` inside this test process (which goes on, as the TUI does)
/// and asserts that every item passes.
fn run_here_and_pass(lessons: &Path, ws: &Path, id: &str) {
    let pack = apilings::lessons::Pack::from_dir(lessons).unwrap();
    let lesson = pack.find(id).unwrap();
    let opts = apilings::session::RunOptions {
        target_dir: Some(shared_target()),
        ..Default::default()
    };
    let rt = tokio::runtime::Runtime::new().unwrap();
    let report = rt.block_on(apilings::session::run_lesson(ws, lesson, &opts));
    assert!(
        report.passed(),
        "{}",
        apilings::report::text::render(&report)
    );
}
