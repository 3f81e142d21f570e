//! Progress and workspace metadata are written atomically: a writer killed with
//! SIGKILL at random moments always leaves either the old or the new version.
//!
//! The writer is this same test, re-run by itself with `WRITER_TARGET` set, so no
//! helper binary is needed.

use std::time::Duration;

const TEST: &str = "a_writer_killed_at_random_moments_never_leaves_a_torn_file";

fn version(c: char) -> String {
    // Large, so a torn write could not pass for a whole version.
    format!("[lessons]\n# {}\n", c.to_string().repeat(200_000))
}

#[test]
fn a_writer_killed_at_random_moments_never_leaves_a_torn_file() {
    if let Some(path) = std::env::var_os("WRITER_TARGET") {
        // The writer's side: rewrite the file forever, alternating two versions.
        let versions = [version('a'), version('b')];
        for n in 0.. {
            let path = std::path::Path::new(&path);
            apilings::workspace::write_atomic(path, versions[n % 2].as_bytes()).unwrap();
        }
    }
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("progress.toml");
    std::fs::write(&file, version('a')).unwrap();
    let (a, b) = (version('a'), version('b'));
    let mut seen_b = false;
    for _ in 0..60 {
        let mut child = std::process::Command::new(std::env::current_exe().unwrap())
            .args(["--exact", TEST, "--test-threads=1"])
            .env("WRITER_TARGET", &file)
            .stdout(std::process::Stdio::null())
            .spawn()
            .unwrap();
        let wait_us = 5_000 + getrandom::u64().unwrap() % 30_000;
        std::thread::sleep(Duration::from_micros(wait_us));
        child.kill().unwrap(); // SIGKILL
        child.wait().unwrap();
        let now = std::fs::read_to_string(&file).unwrap();
        assert!(now == a || now == b, "a torn file of {} bytes", now.len());
        seen_b |= now == b;
    }
    assert!(
        seen_b,
        "the writer never got to write: the test proved nothing"
    );
}
