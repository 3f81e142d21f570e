//! Running a test binary built by `cargo test --no-run`: in its own process
//! group, killed at its bound and on every other path, its output kept.

use std::path::Path;
use std::process::Stdio;
use std::time::Duration;

use tokio::process::Command;

use super::output::OutputBuffer;
use super::process::{Inherit, ProcessGroup, own};

/// How a test binary's run ended, with what it printed (stdout and stderr).
#[derive(Debug)]
pub struct TestOutput {
    /// It exited with success (every test passed).
    pub success: bool,
    /// The bound was hit and the run killed.
    pub timed_out: bool,
    /// Its output lines, oldest first (the newest kept past the cap).
    pub output: Vec<String>,
}

/// Runs `exe` in `cwd` for at most `bound`.
pub async fn run_tests(exe: &Path, cwd: &Path, bound: Duration) -> std::io::Result<TestOutput> {
    let mut cmd = Command::new(exe);
    let mark = own(&mut cmd, Inherit::Server);
    cmd.current_dir(cwd)
        .env("RUST_BACKTRACE", "0")
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .kill_on_drop(true);
    let mut child = cmd.spawn()?;
    let mut group = ProcessGroup::new(child.id(), mark);
    let output = OutputBuffer::new();
    let pumps = output.pump_child(&mut child);
    let status = tokio::time::timeout(bound, child.wait()).await;
    group.kill();
    group.sweep();
    for pump in pumps {
        let _ = tokio::time::timeout(Duration::from_millis(200), pump).await;
    }
    Ok(TestOutput {
        success: matches!(status, Ok(Ok(s)) if s.success()),
        timed_out: status.is_err(),
        output: output.lines(),
    })
}
