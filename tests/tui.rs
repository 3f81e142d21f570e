//! The real binary in tmux, driven as a person would: open the TUI on a fresh
//! workspace, move between lessons, check a stub, save the solution and watch the
//! items turn green without a key press, quit, and find the terminal and the
//! processes clean. Needs tmux (scripts/test installs it).

use std::fs;
use std::path::Path;
use std::process::Command;
use std::time::{Duration, Instant};

mod common;
use common::processes_in;

struct Tmux {
    socket: String,
}

impl Tmux {
    fn cmd(&self, args: &[&str]) -> String {
        let out = Command::new("tmux")
            .arg("-L")
            .arg(&self.socket)
            .args(args)
            .output()
            .expect("tmux is installed (scripts/test installs it)");
        String::from_utf8_lossy(&out.stdout).into_owned()
    }

    fn screen(&self) -> String {
        self.cmd(&["capture-pane", "-p", "-t", "t"])
    }

    fn keys(&self, keys: &str) {
        self.cmd(&["send-keys", "-t", "t", keys]);
    }

    /// A detached session `t` of `width`×`height` in `dir`, running `command`.
    fn start(&self, width: &str, height: &str, dir: &str, command: &str) {
        self.cmd(&[
            "new-session",
            "-d",
            "-s",
            "t",
            "-x",
            width,
            "-y",
            height,
            "-c",
            dir,
            command,
        ]);
    }

    /// Waits (bounded) until the screen shows `text`.
    fn wait_for(&self, text: &str, bound: Duration) -> String {
        let start = Instant::now();
        loop {
            let s = self.screen();
            if s.contains(text) {
                return s;
            }
            assert!(
                start.elapsed() < bound,
                "waited {bound:?} for {text:?}; the screen is:\n{s}"
            );
            std::thread::sleep(Duration::from_millis(100));
        }
    }
}

impl Drop for Tmux {
    fn drop(&mut self) {
        self.cmd(&["kill-server"]);
    }
}

#[test]
fn a_learner_checks_a_stub_then_watch_mode_grades_the_saved_solution() {
    let n = common::lesson_count();
    let tmp = tempfile::tempdir().unwrap();
    let root = env!("CARGO_MANIFEST_DIR");
    let tmux = Tmux {
        socket: format!("apilings-test-{}", std::process::id()),
    };
    // An "editor" that appends a line to the file it is given, then returns.
    let editor = tmp.path().join("fake-editor");
    fs::write(
        &editor,
        "#!/bin/sh\necho '// edited in the editor' >> \"$1\"\n",
    )
    .unwrap();
    Command::new("chmod")
        .arg("+x")
        .arg(&editor)
        .status()
        .unwrap();
    let command = format!(
        "env CARGO_TARGET_DIR={root}/target/lessons EDITOR={} {} ; echo APILINGS-EXITED; sleep 60",
        editor.display(),
        env!("CARGO_BIN_EXE_apilings")
    );
    let dir = tmp.path().join("learner");
    fs::create_dir(&dir).unwrap();
    let dir = dir.to_str().unwrap();
    tmux.start("110", "32", dir, &command);

    tmux.wait_for(&format!("Lessons · 0 of {n} done"), Duration::from_secs(30));
    tmux.keys("n");
    tmux.wait_for(
        "REST resources and meaningful status codes",
        Duration::from_secs(5),
    );
    tmux.keys("p");
    tmux.wait_for(
        "A first endpoint with a response model",
        Duration::from_secs(5),
    );

    // Check the stub: every item fails, and the detail shows the request.
    tmux.keys("c");
    let s = tmux.wait_for("Checklist 0/3", Duration::from_secs(600));
    assert!(s.contains("✗ GET /health"), "{s}");
    assert!(s.contains("expected: status equals 200"), "{s}");

    // Save the solution: watch mode re-grades without a key press.
    let ws = tmp.path().join("learner/apilings-workspace");
    let solution =
        fs::read_to_string(Path::new(root).join("solutions/01-first-endpoint/src/main.rs"))
            .unwrap();
    fs::write(ws.join("01-first-endpoint/src/main.rs"), solution).unwrap();
    let s = tmux.wait_for("Checklist 3/3", Duration::from_secs(120));
    assert!(s.contains("01-first-endpoint passes"), "{s}");
    assert!(s.contains(&format!("Lessons · 1 of {n} done")), "{s}");

    // e opens the lesson's file in $EDITOR and the TUI comes back.
    tmux.keys("e");
    let main = ws.join("01-first-endpoint/src/main.rs");
    let start = Instant::now();
    while !fs::read_to_string(&main)
        .unwrap()
        .contains("// edited in the editor")
    {
        assert!(
            start.elapsed() < Duration::from_secs(10),
            "the editor never ran"
        );
        std::thread::sleep(Duration::from_millis(50));
    }
    tmux.wait_for(&format!("Lessons · 1 of {n} done"), Duration::from_secs(10));

    // Quit: the terminal is restored (the main screen is back) and nothing is left running.
    tmux.keys("q");
    let s = tmux.wait_for("APILINGS-EXITED", Duration::from_secs(10));
    assert!(
        !s.contains(&format!("Lessons · 1 of {n} done")),
        "the TUI is gone from the screen:\n{s}"
    );
    assert!(
        s.contains("creating one at"),
        "the shell's screen is back:\n{s}"
    );
    assert_eq!(processes_in(&ws), Vec::<String>::new());
    let progress = fs::read_to_string(ws.join(".apilings/progress.toml")).unwrap();
    assert!(progress.contains("state = \"passed\""), "{progress}");
}

#[test]
fn ctrl_c_during_a_check_in_the_tui_stops_the_server_and_restores_the_terminal() {
    let (_tmp, ws, tmux) = tui_on_fixture_pack("c", 110, 32);
    tmux.wait_for("01-secret-from-env", Duration::from_secs(30));
    // 02-never-answers: its server accepts and never answers, and spawns a sleeping child.
    tmux.keys("n");
    tmux.wait_for(
        "A server that accepts and never answers",
        Duration::from_secs(5),
    );
    tmux.keys("c");
    let start = Instant::now();
    while processes_in(&ws.join("02-never-answers")).len() < 2 {
        assert!(
            start.elapsed() < Duration::from_secs(600),
            "the server never started:\n{}",
            tmux.screen()
        );
        std::thread::sleep(Duration::from_millis(20));
    }
    tmux.keys("C-c");
    let s = tmux.wait_for("APILINGS-EXITED", Duration::from_secs(10));
    assert!(
        !s.contains("Checklist"),
        "the TUI is gone from the screen:\n{s}"
    );
    let lesson_dir = ws.join("02-never-answers");
    let start = Instant::now();
    while !processes_in(&lesson_dir).is_empty() && start.elapsed() < Duration::from_secs(2) {
        std::thread::sleep(Duration::from_millis(20));
    }
    assert_eq!(
        processes_in(&lesson_dir),
        Vec::<String>::new(),
        "the server and its child are gone"
    );
}

#[test]
fn what_a_server_prints_is_shown_as_text_and_never_drives_the_terminal() {
    let (_tmp, _ws, tmux) = tui_on_fixture_pack("e", 140, 45);
    tmux.cmd(&["select-pane", "-t", "t", "-T", "before"]);
    tmux.wait_for("01-secret-from-env", Duration::from_secs(30));
    // Next lesson until 22-terminal-escapes is open (its title is in the pane's border).
    let title = "A server that prints escape sequences";
    // One key at a time, each only once the last one shows: keys sent ahead of
    // a busy TUI would carry it past the lesson.
    let selected = |screen: &str| screen.lines().find(|l| l.contains('▸')).map(str::to_string);
    for _ in 0..40 {
        let before = tmux.screen();
        if before.contains(title) {
            break;
        }
        tmux.keys("n");
        let start = Instant::now();
        while selected(&tmux.screen()) == selected(&before)
            && start.elapsed() < Duration::from_secs(5)
        {
            std::thread::sleep(Duration::from_millis(50));
        }
    }
    tmux.wait_for(title, Duration::from_secs(5));
    tmux.keys("c");
    let screen = tmux.wait_for("␛]0;PWNED", Duration::from_secs(600));
    assert!(
        !screen.contains("OVERWRITTEN") || screen.contains("␍OVERWRITTEN"),
        "{screen}"
    );
    let title = tmux.cmd(&["display-message", "-p", "-t", "t", "#{pane_title}"]);
    assert_eq!(
        title.trim(),
        "before",
        "the server set the terminal's title"
    );
    let buffers = tmux.cmd(&["list-buffers"]);
    assert!(
        !buffers.contains("pwned"),
        "the server wrote the clipboard: {buffers}"
    );
    tmux.keys("q");
    tmux.wait_for("APILINGS-EXITED", Duration::from_secs(10));
}

#[test]
fn reset_keeps_its_message_and_t_serves_the_lesson_for_curl_until_quit() {
    let tmp = tempfile::tempdir().unwrap();
    let root = env!("CARGO_MANIFEST_DIR");
    let ws = tmp.path().join("ws");
    let bin = env!("CARGO_BIN_EXE_apilings");
    assert!(
        Command::new(bin)
            .arg("init")
            .arg(&ws)
            .output()
            .unwrap()
            .status
            .success()
    );
    let tmux = Tmux {
        socket: format!("apilings-test-r-{}", std::process::id()),
    };
    let command = format!(
        "env CARGO_TARGET_DIR={root}/target/lessons {bin} ; echo APILINGS-EXITED; sleep 60"
    );
    tmux.start("80", "24", ws.to_str().unwrap(), &command);
    tmux.wait_for(
        &format!("0/{}", common::lesson_count()),
        Duration::from_secs(30),
    );

    // An edit, then a reset: the backup path stays although the reset wrote files.
    let main = ws.join("01-first-endpoint/src/main.rs");
    let stub = fs::read_to_string(&main).unwrap();
    tmux.keys("w"); // no check on this save
    fs::write(&main, format!("{stub}\n// mine\n")).unwrap();
    std::thread::sleep(Duration::from_millis(400));
    tmux.keys("w");
    tmux.wait_for("Checklist 0/3", Duration::from_secs(600));
    tmux.keys("r");
    tmux.wait_for(".apilings/backups", Duration::from_secs(5));
    tmux.keys("y");
    tmux.wait_for("your files are in", Duration::from_secs(5));
    let start = Instant::now();
    while start.elapsed() < Duration::from_millis(1500) {
        let s = tmux.screen();
        assert!(
            !s.contains("checking…"),
            "the reset's own writes started a check:\n{s}"
        );
        std::thread::sleep(Duration::from_millis(30));
    }
    let s = tmux.screen();
    assert!(s.contains("your files are in"), "the message stays:\n{s}");
    assert!(
        !s.contains("Checking"),
        "the reset's own writes started no check:\n{s}"
    );
    assert_eq!(fs::read_to_string(&main).unwrap(), stub);

    // t: the lesson's server runs on a port of its own until t again or quit.
    tmux.keys("t");
    let s = tmux.wait_for("for requests by hand (y", Duration::from_secs(120));
    let flat = s.replace('\n', "");
    let port: u16 = flat
        .split("runs on http://127.0.0.1:")
        .nth(1)
        .and_then(|r| r.split(|c: char| !c.is_ascii_digit()).next())
        .and_then(|p| p.parse().ok())
        .unwrap_or_else(|| panic!("no port on screen:\n{s}"));
    let answer = common::http_get(port, "/health");
    assert!(
        answer.starts_with("HTTP/1.1 501"),
        "the stub answers on {port}: {answer}\n{}",
        tmux.screen()
    );
    // y puts the failing request, aimed at that port, in tmux's paste buffer.
    tmux.keys("Tab");
    tmux.keys("y");
    tmux.wait_for("paste buffer", Duration::from_secs(5));
    let buffer = tmux.cmd(&["show-buffer"]);
    assert!(
        buffer.contains(&format!("http://127.0.0.1:{port}/health")),
        "{buffer}"
    );
    // grade runs beside the open TUI (it takes no lock and writes nothing there).
    let graded = Command::new(bin)
        .args(["grade", "1"])
        .current_dir(&ws)
        .env("CARGO_TARGET_DIR", format!("{root}/target/lessons"))
        .output()
        .unwrap();
    let out = String::from_utf8_lossy(&graded.stdout);
    assert_eq!(
        graded.status.code(),
        Some(1),
        "the stub fails its checks:\n{out}"
    );
    assert!(out.contains("01-first-endpoint"), "{out}");
    tmux.keys("q");
    tmux.wait_for("APILINGS-EXITED", Duration::from_secs(10));
    let lesson_dir = ws.join("01-first-endpoint");
    assert_eq!(
        processes_in(&lesson_dir),
        Vec::<String>::new(),
        "the server went with the TUI"
    );
    assert!(common::http_get(port, "/health").starts_with("connect:"));
}

/// A fresh workspace of the fixture pack, and the TUI open on it in a tmux
/// session `t` of `width`×`height` (its shell prints APILINGS-EXITED after it).
fn tui_on_fixture_pack(
    name: &str,
    width: u16,
    height: u16,
) -> (tempfile::TempDir, std::path::PathBuf, Tmux) {
    let (tmp, lessons) = common::fixture_pack();
    let root = env!("CARGO_MANIFEST_DIR");
    let ws = tmp.path().join("ws");
    let init = Command::new(env!("CARGO_BIN_EXE_apilings"))
        .arg("--lessons")
        .arg(&lessons)
        .arg("init")
        .arg(&ws)
        .output()
        .unwrap();
    assert!(init.status.success());
    let tmux = Tmux {
        socket: format!("apilings-test-{name}-{}", std::process::id()),
    };
    let command = format!(
        "env CARGO_TARGET_DIR={root}/target/lessons {} --lessons {} ; echo APILINGS-EXITED; sleep 60",
        env!("CARGO_BIN_EXE_apilings"),
        lessons.display()
    );
    let (w, h) = (width.to_string(), height.to_string());
    tmux.start(&w, &h, ws.to_str().unwrap(), &command);
    (tmp, ws, tmux)
}

#[test]
fn an_author_sees_a_lessons_text_and_checks_reload_when_saved() {
    let (tmp, _ws, tmux) = tui_on_fixture_pack("r", 120, 40);
    let lesson = tmp.path().join("lessons/01-secret-from-env");
    tmux.wait_for("01-secret-from-env", Duration::from_secs(30));
    tmux.wait_for(
        "accepts the key the server was started with",
        Duration::from_secs(10),
    );

    // The text: a new line in README.md shows without a restart.
    let readme = lesson.join("README.md");
    let text = fs::read_to_string(&readme).unwrap();
    fs::write(
        &readme,
        text.replacen("\n", "\n\nAUTHORS-NEW-PARAGRAPH\n", 1),
    )
    .unwrap();
    tmux.wait_for("AUTHORS-NEW-PARAGRAPH", Duration::from_secs(10));

    // The checks: an item's new title is the checklist's.
    let toml = lesson.join("lesson.toml");
    let text = fs::read_to_string(&toml).unwrap();
    let renamed = text.replacen(
        "accepts the key the server was started with, and only that key",
        "RENAMED-BY-THE-AUTHOR",
        1,
    );
    fs::write(&toml, &renamed).unwrap();
    tmux.wait_for("RENAMED-BY-THE-AUTHOR", Duration::from_secs(10));

    // A broken save keeps the last good lesson on screen and says what is wrong.
    fs::write(&toml, renamed.replacen("[[item]]", "[[item]", 1)).unwrap();
    let s = tmux.wait_for("The pack was not reloaded", Duration::from_secs(10));
    assert!(s.contains("RENAMED-BY-THE-AUTHOR"), "{s}");
    tmux.keys("q");
    tmux.wait_for("APILINGS-EXITED", Duration::from_secs(10));
}
