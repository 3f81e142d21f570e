//! `cargo build -p <crate>…` with JSON messages, so diagnostics and artifacts are
//! structured data rather than scraped text. One invocation can build several
//! lesson crates (grading): cargo compiles them in parallel and, with
//! `--keep-going`, one crate's compile error does not stop the others.

use std::collections::HashMap;
use std::path::PathBuf;
use std::process::Stdio;
use std::time::{Duration, Instant};

use cargo_metadata::Message;
use cargo_metadata::diagnostic::DiagnosticLevel;
use tokio::io::{AsyncBufReadExt, BufReader};
use tokio::process::Command;
use tokio::sync::mpsc::UnboundedSender;

use super::output::OutputBuffer;
use super::process::ProcessGroup;
use crate::report::{BuildReport, Diagnostic};

/// What to build.
#[derive(Debug, Clone)]
pub struct BuildSpec {
    /// The workspace root (where cargo runs).
    pub workspace: PathBuf,
    /// The Cargo packages to build (lesson crates, each with one binary of its name).
    pub packages: Vec<String>,
    /// The most time the build may take.
    pub bound: Duration,
    /// Pass `--locked` (refuse to change `Cargo.lock`); for verifying a pack.
    pub locked: bool,
    /// Build into this target dir (sets `CARGO_TARGET_DIR` for cargo only).
    pub target_dir: Option<PathBuf>,
    /// Keep intermediate artifacts here instead (`CARGO_BUILD_BUILD_DIR`): a
    /// dir shared by several workspaces, whose final binaries stay apart in
    /// their own `target_dir`.
    pub build_dir: Option<PathBuf>,
    /// Told what the build is doing, as cargo reports it.
    pub progress: Option<UnboundedSender<BuildEvent>>,
    /// Build the crates' test binaries (`cargo test --no-run`) instead: the
    /// outcome's `exe` is the test harness of each binary.
    pub tests: bool,
}

/// What a build reports while it runs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BuildEvent {
    /// This many crates are finished (fresh or compiled).
    Finished(usize),
    /// Cargo waits for a lock another cargo holds (often rust-analyzer's `cargo check`).
    WaitingForLock,
}

/// How the build ended.
#[derive(Debug)]
pub enum BuildOutcome {
    /// It compiled; the server binary is at `exe`.
    Built {
        /// The binary.
        exe: PathBuf,
        /// Diagnostics and timing.
        report: BuildReport,
    },
    /// It did not compile (or cargo failed).
    Failed(BuildReport),
    /// The bound was hit; cargo and rustc were killed.
    TimedOut(BuildReport),
}

/// Runs the build: one outcome per package of `spec.packages`, in that order.
/// `Err` only when cargo itself could not be started.
pub async fn build(spec: &BuildSpec) -> std::io::Result<Vec<BuildOutcome>> {
    let started = Instant::now();
    let mut cmd = Command::new(std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into()));
    if spec.tests {
        cmd.args(["test", "--no-run"]);
    } else {
        cmd.arg("build");
    }
    for package in &spec.packages {
        cmd.arg("-p").arg(package);
    }
    if spec.packages.len() > 1 {
        cmd.arg("--keep-going");
    }
    let mark = super::process::own(&mut cmd, super::process::Inherit::Build);
    cmd.arg("--message-format=json")
        .current_dir(&spec.workspace)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .kill_on_drop(true);
    if spec.locked {
        cmd.arg("--locked");
    }
    if let Some(dir) = &spec.target_dir {
        cmd.env("CARGO_TARGET_DIR", dir);
    }
    if let Some(dir) = &spec.build_dir {
        cmd.env("CARGO_BUILD_BUILD_DIR", dir);
    }
    let mut child = cmd.spawn()?;
    let mut group = ProcessGroup::new(child.id(), mark);
    let stdout = child.stdout.take().expect("piped stdout");
    let stderr = OutputBuffer::new();
    let stderr_task = tokio::spawn(watch_stderr(
        child.stderr.take().expect("piped stderr"),
        stderr.clone(),
        spec.progress.clone(),
    ));

    let mut seen = Seen {
        tests: spec.tests,
        ..Seen::default()
    };
    let mut lines = BufReader::new(stdout).lines();
    let read = async {
        // Until cargo exits, not until its stdout closes: a build script's
        // background child can hold the pipe open for ever.
        let status = loop {
            tokio::select! {
                line = lines.next_line() => match line {
                    Ok(Some(line)) => take_line(&mut seen, &line, spec.progress.as_ref()),
                    _ => break child.wait().await,
                },
                status = child.wait() => break status,
            }
        };
        // What cargo wrote before it exited is still in the pipe.
        let _ = tokio::time::timeout(Duration::from_millis(200), async {
            while let Ok(Some(line)) = lines.next_line().await {
                take_line(&mut seen, &line, spec.progress.as_ref());
            }
        })
        .await;
        status
    };
    let status = tokio::time::timeout(spec.bound, read).await;
    let timed_out = status.is_err();
    // Also after a build that went well: nothing a build script started outlives it.
    group.kill();
    group.sweep();
    let _ = tokio::time::timeout(Duration::from_millis(200), stderr_task).await;
    let ok = matches!(status, Ok(Ok(s)) if s.success());
    let mut cargo_stderr = stderr.tail(40).join("\n");
    if spec.locked && !ok && cargo_stderr.contains("--locked was passed") {
        // Cargo's own advice (`--offline`) does not apply here.
        cargo_stderr.push_str(
            "\nCargo.lock does not match the Cargo.toml files (was a dependency added or changed?), \
             and this build may not change it (--locked). Run `apilings check` in the workspace once \
             to bring Cargo.lock up to date (a pack's author: `scripts/update-pack-lock`), and commit it.",
        );
    }
    let duration = started.elapsed();
    Ok(spec
        .packages
        .iter()
        .map(|package| {
            let key = target_key(package);
            let mut report = BuildReport {
                compiled: seen.compiled,
                diagnostics: seen
                    .diagnostics
                    .iter()
                    // Alone, a lesson gets every message (a shared crate's too).
                    .filter(|(target, _)| spec.packages.len() == 1 || *target == key)
                    .map(|(_, d)| d.clone())
                    .collect(),
                cargo_stderr: cargo_stderr.clone(),
                duration,
                ..BuildReport::default()
            };
            // Errors before warnings, as the learner should read them; stable within a level.
            report.diagnostics.sort_by_key(|d| d.level != "error");
            if timed_out {
                return BuildOutcome::TimedOut(report);
            }
            match seen.executables.get(&key) {
                // With --keep-going another crate's error fails cargo, not this crate.
                Some(exe) => {
                    report.ok = true;
                    report.fresh = ok && seen.compiled == 0;
                    BuildOutcome::Built {
                        exe: exe.clone(),
                        report,
                    }
                }
                None if ok => {
                    report.cargo_stderr.push_str(&format!(
                        "\ncargo built `{package}` but reported no binary for it (is src/main.rs missing?)"
                    ));
                    BuildOutcome::Failed(report)
                }
                None => BuildOutcome::Failed(report),
            }
        })
        .collect())
}

fn take_line(seen: &mut Seen, line: &str, progress: Option<&UnboundedSender<BuildEvent>>) {
    if let Ok(msg) = serde_json::from_str::<Message>(line) {
        seen.take(msg, progress);
    }
}

/// What cargo's JSON messages said, per binary target.
#[derive(Default)]
struct Seen {
    /// Crates compiled (not fresh), over the whole invocation.
    compiled: usize,
    /// Crates finished (fresh or compiled).
    finished: usize,
    executables: HashMap<String, PathBuf>,
    /// Compiler messages in the order cargo gave them, with their target.
    diagnostics: Vec<(String, Diagnostic)>,
    /// Keep test harnesses, not the binaries themselves.
    tests: bool,
}

impl Seen {
    fn take(&mut self, msg: Message, progress: Option<&UnboundedSender<BuildEvent>>) {
        match msg {
            Message::CompilerArtifact(a) => {
                if !a.fresh {
                    self.compiled += 1;
                }
                self.finished += 1;
                if let Some(tx) = progress {
                    let _ = tx.send(BuildEvent::Finished(self.finished));
                }
                if let Some(path) = a.executable.filter(|_| a.profile.test == self.tests) {
                    self.executables.insert(
                        target_key(&a.target.name),
                        PathBuf::from(path.as_std_path()),
                    );
                }
            }
            Message::CompilerMessage(m) => {
                let d = m.message;
                let location = d
                    .spans
                    .iter()
                    .find(|s| s.is_primary)
                    .map(|s| format!("{}:{}:{}", s.file_name, s.line_start, s.column_start));
                self.diagnostics.push((
                    target_key(&m.target.name),
                    Diagnostic {
                        level: level_name(&d.level).into(),
                        location,
                        rendered: crate::report::clean(&d.rendered.unwrap_or(d.message)),
                    },
                ));
            }
            _ => {}
        }
    }
}

/// Package and binary target names agree up to `-`/`_`.
fn target_key(name: &str) -> String {
    name.replace('_', "-")
}

/// Keeps cargo's stderr (its only text with `--message-format=json`) and tells
/// when cargo blocks on a lock, so the learner sees why nothing moves.
async fn watch_stderr(
    stream: tokio::process::ChildStderr,
    keep: std::sync::Arc<OutputBuffer>,
    events: Option<UnboundedSender<BuildEvent>>,
) {
    let mut lines = BufReader::new(stream).lines();
    while let Ok(Some(line)) = lines.next_line().await {
        if line.contains("Blocking waiting for file lock")
            && let Some(tx) = &events
        {
            let _ = tx.send(BuildEvent::WaitingForLock);
        }
        keep.push(&line);
    }
}

fn level_name(level: &DiagnosticLevel) -> &'static str {
    match level {
        DiagnosticLevel::Ice | DiagnosticLevel::Error => "error",
        DiagnosticLevel::Warning => "warning",
        DiagnosticLevel::FailureNote => "failure-note",
        DiagnosticLevel::Note => "note",
        DiagnosticLevel::Help => "help",
        _ => "other",
    }
}
