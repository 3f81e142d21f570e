//! `cargo build -p <crate>` with JSON messages, so diagnostics and artifacts are
//! structured data rather than scraped text.

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
    /// The Cargo package to build.
    pub package: String,
    /// The most time the build may take.
    pub bound: Duration,
    /// Pass `--locked` (refuse to change `Cargo.lock`); for verifying a pack.
    pub locked: bool,
    /// Build into this target dir (sets `CARGO_TARGET_DIR` for cargo only).
    pub target_dir: Option<PathBuf>,
    /// Told what the build is doing, as cargo reports it.
    pub progress: Option<UnboundedSender<BuildEvent>>,
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

/// Runs the build. `Err` only when cargo itself could not be started.
pub async fn build(spec: &BuildSpec) -> std::io::Result<BuildOutcome> {
    let started = Instant::now();
    let mut cmd = Command::new(std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into()));
    cmd.arg("build")
        .arg("-p")
        .arg(&spec.package)
        .arg("--message-format=json")
        .current_dir(&spec.workspace)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .process_group(0)
        .kill_on_drop(true);
    if spec.locked {
        cmd.arg("--locked");
    }
    if let Some(dir) = &spec.target_dir {
        cmd.env("CARGO_TARGET_DIR", dir);
    }
    let mut child = cmd.spawn()?;
    let mut group = ProcessGroup::new(child.id());
    let stdout = child.stdout.take().expect("piped stdout");
    let stderr = OutputBuffer::new();
    let stderr_task = tokio::spawn(watch_stderr(
        child.stderr.take().expect("piped stderr"),
        stderr.clone(),
        spec.progress.clone(),
    ));

    let mut report = BuildReport::default();
    let mut exe = None;
    let mut finished = 0;
    let read = async {
        let mut lines = BufReader::new(stdout).lines();
        while let Ok(Some(line)) = lines.next_line().await {
            let Ok(msg) = serde_json::from_str::<Message>(&line) else {
                continue;
            };
            match msg {
                Message::CompilerArtifact(a) => {
                    if !a.fresh {
                        report.compiled += 1;
                    }
                    finished += 1;
                    if let Some(tx) = &spec.progress {
                        let _ = tx.send(BuildEvent::Finished(finished));
                    }
                    if a.target.name.replace('_', "-") == spec.package.replace('_', "-")
                        && let Some(path) = a.executable
                    {
                        exe = Some(PathBuf::from(path.as_std_path()));
                    }
                }
                Message::CompilerMessage(m) => {
                    let d = m.message;
                    let location =
                        d.spans.iter().find(|s| s.is_primary).map(|s| {
                            format!("{}:{}:{}", s.file_name, s.line_start, s.column_start)
                        });
                    report.diagnostics.push(Diagnostic {
                        level: level_name(&d.level).into(),
                        location,
                        rendered: d.rendered.unwrap_or(d.message),
                    });
                }
                _ => {}
            }
        }
        child.wait().await
    };
    let status = tokio::time::timeout(spec.bound, read).await;
    // Errors before warnings, as the learner should read them; stable within a level.
    report.diagnostics.sort_by_key(|d| d.level != "error");
    report.duration = started.elapsed();
    let finish = |report: &mut BuildReport| {
        report.cargo_stderr = stderr.tail(40).join("\n");
    };
    match status {
        Err(_) => {
            group.kill();
            let _ = stderr_task.await;
            finish(&mut report);
            Ok(BuildOutcome::TimedOut(report))
        }
        Ok(status) => {
            group.disarm();
            let _ = stderr_task.await;
            finish(&mut report);
            let ok = status.map(|s| s.success()).unwrap_or(false);
            report.fresh = ok && report.compiled == 0;
            match (ok, exe) {
                (true, Some(exe)) => {
                    report.ok = true;
                    Ok(BuildOutcome::Built { exe, report })
                }
                (true, None) => {
                    report.cargo_stderr.push_str(&format!(
                        "\ncargo built `{}` but reported no binary for it (is src/main.rs missing?)",
                        spec.package
                    ));
                    Ok(BuildOutcome::Failed(report))
                }
                (false, _) => Ok(BuildOutcome::Failed(report)),
            }
        }
    }
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
