//! A run of one lesson, end to end, in stages (`stages`): build its crate,
//! serve it on a free loopback port with the lesson's environment (`serve`),
//! grade every checklist item, report. Also `grade` (many lessons on one
//! build), `verify` (every item fails on the stub and passes on the solution)
//! and a server kept for requests by hand. The CLI and the TUI call these;
//! this layer knows nothing of either.

use std::path::{Path, PathBuf};
use std::time::Duration;

use anyhow::{Context, Result};
use tokio::sync::mpsc::UnboundedSender;

mod class;
mod own_tests;
mod serve;
mod stack;
mod stages;

use crate::checks::exec::{Limits, ServerTap};
use crate::lessons::{Lesson, Pack};
use crate::report::{GradeReport, RunReport, Stopped, Verdict};
pub use crate::runner::BuildEvent;
use crate::runner::{self, BuildOutcome, BuildSpec};
use crate::workspace::Workspace;
pub use class::{Learner, grade_class};
pub use serve::Target;
pub use stack::{Stack, Stacks};

/// The bounds of one run; every wait is covered by one of them.
#[derive(Debug, Clone, Copy)]
pub struct Bounds {
    /// The build (the first one compiles every dependency).
    pub build: Duration,
    /// From starting the server until its port answers.
    pub start: Duration,
    /// One request, from sending until the end of the body.
    pub request: Duration,
}

impl Default for Bounds {
    fn default() -> Self {
        Bounds {
            build: Duration::from_secs(15 * 60),
            start: Duration::from_secs(10),
            request: Limits::default().request,
        }
    }
}

/// How to run a lesson.
#[derive(Debug, Clone, Default)]
pub struct RunOptions {
    /// Bounds of every step.
    pub bounds: Bounds,
    /// Build with `--locked`.
    pub locked: bool,
    /// Build into this target dir instead of the workspace's own (verify shares one).
    pub target_dir: Option<PathBuf>,
    /// Which server grades each lesson (default: its crate).
    pub stacks: Stacks,
}

/// Builds, starts and grades one lesson in the workspace at `root`.
/// Never fails: whatever happens is in the report.
pub async fn run_lesson(root: &Path, lesson: &Lesson, opts: &RunOptions) -> RunReport {
    run_lesson_reporting(root, lesson, opts, None).await
}

/// [`run_lesson`], telling `build_events` what the build is doing (e.g. waiting for a lock).
pub async fn run_lesson_reporting(
    root: &Path,
    lesson: &Lesson,
    opts: &RunOptions,
    build_events: Option<UnboundedSender<BuildEvent>>,
) -> RunReport {
    let stack = opts.stacks.of(lesson);
    if *stack != Stack::Crate {
        return stages::run_on(root, lesson, stack, opts).await;
    }
    let spec = BuildSpec {
        progress: build_events,
        ..build_spec(root, &[lesson], opts)
    };
    let outcome = runner::build(&spec)
        .await
        .map(|mut outcomes| outcomes.remove(0))
        .map_err(|e| e.to_string());
    stages::run(root, lesson, outcome, opts).await
}

/// The build of `lessons`: the same command (but for the packages named) for a
/// check, the background prebuild and grading, so each finds the others' work fresh.
pub fn build_spec(root: &Path, lessons: &[&Lesson], opts: &RunOptions) -> BuildSpec {
    let shared = opts
        .target_dir
        .clone()
        .or_else(|| std::env::var_os("CARGO_TARGET_DIR").map(PathBuf::from));
    let (target_dir, build_dir) = match shared {
        // Dependencies compile once in the shared dir; each workspace's binaries
        // land in a folder of its own there, so no run starts another's binary.
        Some(dir) => (
            Some(dir.join("apilings").join(workspace_key(root))),
            Some(dir),
        ),
        // apilings builds in `target/apilings`, not in `target`: the learner's editor
        // runs rust-analyzer's `cargo check` in `target`, and sharing its lock would
        // stall every check behind it.
        None => (Some(root.join("target").join("apilings")), None),
    };
    BuildSpec {
        workspace: root.to_path_buf(),
        packages: lessons.iter().map(|l| l.crate_name()).collect(),
        bound: opts.bounds.build,
        locked: opts.locked,
        target_dir,
        build_dir,
        progress: None,
        tests: false,
    }
}

/// A short name for the workspace at `root`, the same on every run.
fn workspace_key(root: &Path) -> String {
    use std::hash::{Hash, Hasher};
    let root = root.canonicalize().unwrap_or_else(|_| root.to_path_buf());
    let mut h = std::hash::DefaultHasher::new();
    root.hash(&mut h);
    let name = root
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let name: String = name
        .chars()
        .filter(|c| c.is_ascii_alphanumeric() || *c == '-')
        .take(24)
        .collect();
    format!("{name}-{:08x}", h.finish() as u32)
}

/// Builds `lesson` without running it, telling `progress` what the build is doing.
pub async fn prebuild(
    root: &Path,
    lesson: &Lesson,
    opts: &RunOptions,
    progress: UnboundedSender<BuildEvent>,
) {
    let spec = BuildSpec {
        progress: Some(progress),
        ..build_spec(root, &[lesson], opts)
    };
    // Its failures show up in the next check, which runs the same build.
    let _ = runner::build(&spec).await;
}

/// How long a server kept for requests by hand runs at most.
pub const BY_HAND_BOUND: Duration = Duration::from_secs(600);

/// Builds `lesson` and starts its server with the run's environment, for
/// requests by hand, until the server exits or [`BY_HAND_BOUND`] passes.
/// `started` hears the port once it answers. Returns why it stopped, in the
/// learner's words. Dropping the future stops it (the server's group is killed).
pub async fn serve_by_hand(
    root: &Path,
    lesson: &Lesson,
    opts: &RunOptions,
    started: impl FnOnce(u16),
) -> String {
    let built = runner::build(&build_spec(root, &[lesson], opts))
        .await
        .map(|mut outcomes| outcomes.remove(0));
    let target = match built {
        Ok(BuildOutcome::Built { exe, .. }) => Target::Program {
            program: exe,
            args: Vec::new(),
            cwd: root.join(&lesson.id),
        },
        Ok(_) => return format!("{} does not build: press c to see why.", lesson.id),
        Err(e) => return format!("could not run cargo: {e}"),
    };
    let mut spec = match stages::RunValues::new(lesson, &target, opts).map(|v| v.server) {
        Ok(Some(spec)) => spec,
        Ok(None) => return format!("{} has no server to start.", lesson.id),
        Err(message) => return message,
    };
    let server = match serve::serve(&mut spec).await {
        Ok(server) => server,
        Err(_) => {
            return format!(
                "{} did not start for requests by hand: press c to see why.",
                lesson.id
            );
        }
    };
    started(spec.port);
    let mut ended = server.ended();
    let why = tokio::select! {
        _ = ended.wait_for(|s| s.is_some()) => format!("{}'s server exited.", lesson.id),
        _ = tokio::time::sleep(BY_HAND_BOUND) => format!(
            "Stopped {}'s server after {} minutes (press t to start it again).",
            lesson.id,
            BY_HAND_BOUND.as_secs() / 60
        ),
    };
    server.stop().await;
    why
}

/// Grades `lessons` in the workspace at `root`, headless. One cargo invocation
/// builds every lesson's crate (in parallel; a compile error stops only its own
/// lesson), then each lesson is graded on its binary, one after another so that
/// no lesson's timing competes with another's. `on_lesson` sees each report as
/// it is done. Never fails: whatever happens is in the report.
pub async fn grade(
    root: &Path,
    lessons: &[&Lesson],
    opts: &RunOptions,
    mut on_lesson: impl FnMut(&RunReport),
) -> GradeReport {
    let started = std::time::Instant::now();
    // Only the lessons graded on their crate are built.
    let crates: Vec<&Lesson> = lessons
        .iter()
        .copied()
        .filter(|l| *opts.stacks.of(l) == Stack::Crate)
        .collect();
    let mut outcomes: Vec<Result<BuildOutcome, String>> = if crates.is_empty() {
        Vec::new()
    } else {
        match runner::build(&build_spec(root, &crates, opts)).await {
            Ok(outcomes) => outcomes.into_iter().map(Ok).collect(),
            Err(e) => crates.iter().map(|_| Err(e.to_string())).collect(),
        }
    }
    .into_iter()
    .rev()
    .collect();
    let build = started.elapsed();
    let mut reports = Vec::new();
    for lesson in lessons {
        let stack = opts.stacks.of(lesson);
        let report = match stack {
            Stack::Crate => {
                let outcome = outcomes
                    .pop()
                    .unwrap_or_else(|| Err("cargo reported no outcome for the lesson".into()));
                stages::run(root, lesson, outcome, opts).await
            }
            _ => stages::run_on(root, lesson, stack, opts).await,
        };
        on_lesson(&report);
        reports.push(report);
    }
    GradeReport {
        build,
        checks: started.elapsed() - build,
        lessons: reports,
    }
}

/// The outcome of verifying one lesson.
#[derive(Debug)]
pub struct LessonVerification {
    /// The lesson's id.
    pub lesson: String,
    /// The run on the stub.
    pub stub: RunReport,
    /// The run on the solution.
    pub solution: RunReport,
}

/// One thing wrong with a lesson, found by [`verify`].
#[derive(Debug, Clone)]
pub enum Problem {
    /// The stub did not build or run, so its items could not fail on their own merits.
    StubStopped(Stopped),
    /// This item does not fail on the stub.
    PassesOnStub(String),
    /// The solution did not build or run.
    SolutionStopped(Stopped),
    /// This item does not pass on the solution.
    FailsOnSolution(String),
}

impl LessonVerification {
    /// What is wrong with the lesson, if anything: a stub that does not build or
    /// that passes an item, or a solution that does not pass every item.
    pub fn problems(&self) -> Vec<Problem> {
        let mut problems = Vec::new();
        match &self.stub.stopped {
            None => {
                for item in &self.stub.items {
                    if !matches!(item.verdict, Verdict::Fail(_)) {
                        problems.push(Problem::PassesOnStub(item.id.clone()));
                    }
                }
            }
            Some(why) => problems.push(Problem::StubStopped(why.clone())),
        }
        if let Some(why) = &self.solution.stopped {
            problems.push(Problem::SolutionStopped(why.clone()));
        } else {
            for item in &self.solution.items {
                if !item.verdict.is_pass() {
                    problems.push(Problem::FailsOnSolution(item.id.clone()));
                }
            }
        }
        problems
    }
}

/// Verifies lessons in a fresh workspace at `dir`: for each, runs the stub, then
/// writes the solution and runs again. Stub and solution share one target dir.
pub async fn verify(
    pack: &Pack,
    dir: &Path,
    lessons: &[&Lesson],
    opts: &RunOptions,
    mut on_lesson: impl FnMut(&LessonVerification),
) -> Result<Vec<LessonVerification>> {
    let (ws, _) = Workspace::init(dir, pack).context("cannot create the verification workspace")?;
    let mut out = Vec::new();
    for lesson in lessons {
        let stub = run_lesson(ws.root(), lesson, opts).await;
        ws.write_lesson_files(lesson, &lesson.solution)?;
        let solution = run_lesson(ws.root(), lesson, opts).await;
        let v = LessonVerification {
            lesson: lesson.id.clone(),
            stub,
            solution,
        };
        on_lesson(&v);
        out.push(v);
    }
    Ok(out)
}

/// The checks read a server through the runner's tap.
impl ServerTap for runner::Tap {
    fn mark(&self) -> u64 {
        runner::Tap::mark(self)
    }

    fn since(&self, mark: u64) -> Vec<String> {
        runner::Tap::since(self, mark)
    }

    fn dropped(&self) -> u64 {
        runner::Tap::dropped(self)
    }

    fn ended(&self) -> Option<String> {
        runner::Tap::ended(self)
    }
}

/// Where `apilings` (no arguments) puts a new workspace: `./apilings-workspace`.
pub fn default_workspace_dir(cwd: &Path) -> PathBuf {
    cwd.join(crate::workspace::DEFAULT_DIR)
}
