//! Misbehaving servers and builds (tests/fixtures/lessons): each is graded within
//! its bound, with a verdict in the learner's words, and leaves no process behind.

use std::time::{Duration, Instant};

use assert_cmd::Command;

mod common;
use common::{processes_mentioning, shared_target};

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
    ];
    let mut tried = 0;
    for (lesson, extra, says, max_secs) in cases {
        let started = Instant::now();
        let mut args = vec!["check", lesson];
        args.extend_from_slice(extra);
        let out = run(&args).assert().code(1);
        let text = String::from_utf8(out.get_output().stdout.clone()).unwrap();
        let took = started.elapsed();
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
        eprintln!(
            "{lesson}: bounded in {:.1} s, 0 processes left",
            took.as_secs_f64()
        );
        tried += 1;
    }

    // A server that floods its output is still graded, and passes.
    let out = run(&["check", "11"]).assert().success();
    let text = String::from_utf8(out.get_output().stdout.clone()).unwrap();
    assert!(text.contains("All 1 items pass"), "{text}");
    assert!(processes_mentioning("lesson-11-floods-output").is_empty());
    tried += 1;
    assert_eq!(tried, cases.len() + 1);
}
