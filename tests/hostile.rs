//! Misbehaving servers and builds (tests/fixtures/lessons): each is graded within
//! its bound, with a verdict in the learner's words, and leaves no process behind.

use std::time::{Duration, Instant};

use assert_cmd::Command;

mod common;
use common::{processes_mentioning, shared_target};

/// The port of the first request URL in a report (`http://127.0.0.1:PORT/…`).
fn port_in(text: &str) -> Option<u16> {
    let rest = &text[text.find("http://127.0.0.1:")? + "http://127.0.0.1:".len()..];
    rest.split(|c: char| !c.is_ascii_digit())
        .next()?
        .parse()
        .ok()
}

#[test]
fn every_hostile_case_is_bounded_explained_and_leaves_no_process() {
    let (tmp, lessons) = common::fixture_pack();
    // The target dir every test workspace shares (cargo runs test binaries one at a
    // time, so the hanging build cannot block another test's build).
    let target = shared_target();
    let ws = tmp.path().join("ws");
    let run = |args: &[&str]| {
        let mut cmd = Command::cargo_bin("apilings").unwrap();
        cmd.current_dir(&ws)
            .env("CARGO_TARGET_DIR", &target)
            .arg("--lessons")
            .arg(&lessons)
            .args(args)
            .timeout(Duration::from_secs(900));
        cmd
    };
    Command::cargo_bin("apilings")
        .unwrap()
        .current_dir(tmp.path())
        .arg("--lessons")
        .arg(&lessons)
        .arg("init")
        .arg(&ws)
        .assert()
        .success();
    // Warm the dependency build so the timings below are about each case.
    run(&["check", "10", "--build-timeout", "900"])
        .assert()
        .code(1);

    // (lesson, extra args, what the verdict must say, the most seconds it may take)
    let cases: &[(&str, &[&str], &str, u64)] = &[
        (
            "03-never-binds",
            &[],
            "never started listening on 127.0.0.1:",
            20,
        ),
        ("04-wrong-port", &[], "It listens on 127.0.0.1:", 20),
        (
            "05-all-interfaces",
            &[],
            "which is every network interface",
            10,
        ),
        (
            "06-stalls-body",
            &[],
            "the response headers arrived (status 200) but the body never finished within 5 s (the request bound)",
            15,
        ),
        ("07-endless-body", &[], "(cut)", 15),
        (
            "08-endless-sse",
            &[],
            "the body never finished within 5 s (the request bound)",
            15,
        ),
        (
            "09-crash-mid-response",
            &[],
            "the connection broke while the body was being read",
            15,
        ),
        (
            "10-exits-at-once",
            &[],
            "error: DATABASE_URL is not set",
            10,
        ),
        (
            "12-hanging-build",
            &["--build-timeout", "5"],
            "did not finish within 5 s (the build bound)",
            30,
        ),
        (
            "13-ignores-sigterm",
            &[],
            "no response within 5 s (the request bound)",
            15,
        ),
        (
            "14-child-keeps-port",
            &[],
            "no response within 5 s (the request bound)",
            15,
        ),
        (
            "17-not-http",
            &[],
            "the server answered with something that is not HTTP",
            10,
        ),
        (
            "18-compressed-unasked",
            &[],
            "compressed (content-encoding: gzip), though the request did not accept any encoding",
            10,
        ),
        (
            "19-second-wildcard",
            &[],
            "which is every network interface",
            10,
        ),
        (
            "20-ipv6-loopback",
            &[],
            "IPv6's loopback, on the right port",
            20,
        ),
        (
            "21-wildcard-from-outside",
            &[],
            "which is every network interface",
            10,
        ),
        ("22-terminal-escapes", &[], "␛]0;PWNED-TITLE␇", 10),
        (
            "25-port-held-outside",
            &[],
            "answers, but not from the server's own processes",
            10,
        ),
    ];
    let mut tried = 0;
    for (lesson, extra, says, max_secs) in cases {
        let started = Instant::now();
        let mut args = vec!["check", lesson];
        args.extend_from_slice(extra);
        let out = run(&args).assert().code(1);
        let text = String::from_utf8(out.get_output().stdout.clone()).unwrap();
        let took = started.elapsed();
        // What the graded program printed is text, never a control for the terminal.
        assert!(
            !text.chars().any(|c| c.is_control() && c != '\n'),
            "{lesson}: a control character reached the output: {text:?}"
        );
        assert!(
            text.contains(says),
            "{lesson}: expected the verdict to say {says:?}:\n{text}"
        );
        assert!(
            took < Duration::from_secs(*max_secs),
            "{lesson} took {took:?}"
        );
        let crate_name = format!("lesson-{lesson}");
        let left = processes_mentioning(&crate_name);
        assert!(left.is_empty(), "{lesson} left processes behind: {left:?}");
        // Where a request was sent, its port is free again.
        if let Some(port) = port_in(&text) {
            std::net::TcpListener::bind(("127.0.0.1", port))
                .unwrap_or_else(|e| panic!("{lesson}: port {port} is still taken: {e}"));
        }
        eprintln!(
            "{lesson}: bounded in {:.1} s, 0 processes left",
            took.as_secs_f64()
        );
        tried += 1;
    }

    // A server that floods its output (~200 MB) is still graded, and passes, while
    // apilings' memory stays bounded (its peak resident size is read from /proc).
    let child = std::process::Command::new(env!("CARGO_BIN_EXE_apilings"))
        .current_dir(&ws)
        .env("CARGO_TARGET_DIR", &target)
        .arg("--lessons")
        .arg(&lessons)
        .args(["check", "11"])
        .stdout(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let status_file = format!("/proc/{}/status", child.id());
    let mut peak_kb = 0;
    let watcher = std::thread::spawn(move || {
        while let Ok(status) = std::fs::read_to_string(&status_file) {
            if let Some(kb) = status
                .lines()
                .find_map(|l| l.strip_prefix("VmHWM:"))
                .and_then(|v| v.trim().trim_end_matches(" kB").trim().parse::<u64>().ok())
            {
                peak_kb = peak_kb.max(kb);
            }
            std::thread::sleep(Duration::from_millis(20));
        }
        peak_kb
    });
    let out = child.wait_with_output().unwrap();
    let peak_kb = watcher.join().unwrap();
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(text.contains("All 1 items pass"), "{text}");
    eprintln!(
        "11-floods-output: apilings' peak resident memory {} MB",
        peak_kb / 1024
    );
    assert!(
        peak_kb > 0 && peak_kb < 100 * 1024,
        "apilings peaked at {peak_kb} kB"
    );
    assert!(processes_mentioning("lesson-11-floods-output").is_empty());
    tried += 1;

    // A server that lost the race for its port is started again on a new port:
    // the learner sees a pass, not an error of theirs.
    let out = run(&["check", "15"]).assert().success();
    let text = String::from_utf8(out.get_output().stdout.clone()).unwrap();
    assert!(text.contains("All 1 items pass"), "{text}");
    assert!(
        ws.join("15-port-race/.lost-the-race-once").exists(),
        "the first start did lose the race"
    );
    tried += 1;
    assert_eq!(tried, cases.len() + 2);
}
