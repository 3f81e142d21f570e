//! A run of one lesson, end to end: build its crate, start its server on a free
//! loopback port with the lesson's environment, grade every checklist item,
//! stop the server. Also `verify`: every item fails on the stub and passes on the
//! solution. The CLI (and later the TUI) call these; they know nothing of either.

use std::path::{Path, PathBuf};
use std::time::Duration;

use anyhow::{Context, Result};
use tokio::sync::mpsc::UnboundedSender;

use crate::checks::eval::{self, ServerState, StartOutcome};
use crate::checks::exec::{Executor, Limits, NeverPrinted, ServerTap};
use crate::checks::model::{Item, Start};
use crate::checks::template::Scope;
use crate::lessons::{Lesson, Pack};
use crate::report::{
    Failure, GradeReport, ItemReport, RequestRecord, RunReport, StartRecord, Stopped, Verdict,
};
pub use crate::runner::BuildEvent;
use crate::runner::{self, BuildOutcome, BuildSpec, Server, ServerSpec, StartError};
use crate::workspace::Workspace;

/// The bounds of one run; every wait is covered by one of them.
#[derive(Debug, Clone, Copy)]
pub struct Bounds {
    /// The build (the first one compiles every dependency).
    pub build: Duration,
    /// From starting the server until its port answers.
    pub ready: Duration,
    /// One request, from sending until the end of the body.
    pub request: Duration,
}

impl Default for Bounds {
    fn default() -> Self {
        Bounds {
            build: Duration::from_secs(15 * 60),
            ready: Duration::from_secs(10),
            request: Duration::from_secs(5),
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
    let spec = BuildSpec {
        progress: build_events,
        ..build_spec(root, &[lesson], opts)
    };
    let outcome = runner::build(&spec)
        .await
        .map(|mut outcomes| outcomes.remove(0))
        .map_err(|e| e.to_string());
    grade_built(root, lesson, outcome, opts).await
}

/// Grades `lesson` on what its build produced (`Err`: why cargo could not be run).
async fn grade_built(
    root: &Path,
    lesson: &Lesson,
    outcome: Result<BuildOutcome, String>,
    opts: &RunOptions,
) -> RunReport {
    let mut report = empty_report(lesson);
    let exe = match outcome {
        Err(e) => {
            report.stopped = Some(Stopped::Infrastructure {
                message: format!("could not run cargo: {e}"),
            });
            return report;
        }
        Ok(BuildOutcome::Failed(b)) => {
            report.build = b;
            report.stopped = Some(Stopped::BuildFailed);
            return report;
        }
        Ok(BuildOutcome::TimedOut(b)) => {
            report.build = b;
            report.stopped = Some(Stopped::BuildTimedOut {
                bound: opts.bounds.build,
            });
            return report;
        }
        Ok(BuildOutcome::Built { exe, report: b }) => {
            report.build = b;
            exe
        }
    };

    let (scope, secrets, mut server_spec) = match run_values(root, lesson, exe, opts) {
        Ok(values) => values,
        Err(message) => {
            report.stopped = Some(Stopped::Infrastructure { message });
            return report;
        }
    };
    // Items that start the server themselves go first, each with its own process.
    for (item, entry) in lesson.items.iter().zip(report.items.iter_mut()) {
        if let Some(start) = &item.start {
            entry.verdict = run_start(start, &server_spec, &scope, &secrets).await;
        }
    }
    if lesson.items.iter().all(|i| i.start.is_some()) {
        return report;
    }
    let started = match start_server(&mut server_spec).await {
        Ok(started) => started,
        Err(e) => {
            report.stopped = Some(Stopped::Infrastructure {
                message: format!("no free port on 127.0.0.1: {e}"),
            });
            return report;
        }
    };
    let port = server_spec.port;
    let server = match started {
        Ok(s) => s,
        Err(StartError::Spawn(e)) => {
            report.stopped = Some(Stopped::Infrastructure {
                message: format!("could not start {}: {e}", server_spec.exe.display()),
            });
            return report;
        }
        Err(StartError::Exited {
            code,
            signal,
            output,
        }) => {
            report.stopped = Some(Stopped::ExitedEarly { code, signal });
            report.server_output = output;
            return report;
        }
        Err(StartError::NeverListened {
            bound,
            elsewhere,
            output,
        }) => {
            report.stopped = Some(Stopped::NeverListened {
                port,
                bound,
                elsewhere: elsewhere.iter().map(|a| a.to_string()).collect(),
            });
            report.server_output = output;
            return report;
        }
        Err(StartError::HeldOutside { output }) => {
            report.stopped = Some(Stopped::HeldOutside { port });
            report.server_output = output;
            return report;
        }
        Err(StartError::ListensEverywhere { address, output }) => {
            report.stopped = Some(Stopped::ListensEverywhere {
                address: address.to_string(),
            });
            report.server_output = output;
            return report;
        }
    };

    let limits = Limits {
        request: opts.bounds.request,
        ..Limits::default()
    };
    let output = server.output();
    let tap = server.tap();
    let mut afterwards: Vec<(usize, NeverPrinted)> = Vec::new();
    // Where in the output each item began, to tell which one printed a secret.
    let mut began: Vec<(usize, u64)> = Vec::new();
    match Executor::new(server.port(), limits) {
        Ok(executor) => {
            let executor = executor.with_secrets(secrets.clone());
            for (index, (item, entry)) in
                lesson.items.iter().zip(report.items.iter_mut()).enumerate()
            {
                if item.start.is_none() {
                    began.push((index, output.mark()));
                    let mut watches = Vec::new();
                    entry.verdict = executor.run_item(item, &scope, &tap, &mut watches).await;
                    afterwards.extend(watches.into_iter().map(|w| (index, w)));
                }
            }
        }
        Err(e) => {
            report.stopped = Some(Stopped::Infrastructure {
                message: format!("could not create the HTTP client: {e}"),
            });
        }
    }
    // Only lessons that say "never printed" wait: the others' loop stays fast,
    // and their secrets are still looked for in everything printed so far.
    // What a server prints a moment after answering (from a task) counts too:
    // wait until LINGER has passed since the last such step answered.
    if let Some(last) = afterwards.iter().map(|(_, w)| w.answered_at()).max() {
        tokio::time::sleep_until(last + LINGER).await;
    }
    server.stop().await;
    report.server_output = output.lines();
    report.output_dropped = output.dropped();
    let whole_run = ServerState {
        output: report.server_output.clone(),
        ended: None,
        dropped: report.output_dropped,
    };
    let mut printed_later = false;
    for (index, watch) in &afterwards {
        let entry = &mut report.items[*index];
        if entry.verdict.is_pass()
            && let Some(failure) = watch.recheck(&whole_run)
        {
            entry.verdict = Verdict::Fail(Box::new(failure));
            printed_later = true;
        }
    }
    // One leak, one failure: an item's own "never" expectation already told it.
    if !printed_later
        && let Some(leak) =
            eval::first_secret_line(&report.server_output, report.output_dropped, &secrets)
    {
        blame_secret_leak(&mut report, &began, leak);
    }
    for (item, entry) in lesson.items.iter().zip(report.items.iter_mut()) {
        entry.hints = hints_for(lesson, item, &entry.verdict);
    }
    report
}

/// Fails the item during which the server printed a secret of the run (the
/// first item, when it was printed at startup), unless it failed already.
fn blame_secret_leak(
    report: &mut RunReport,
    began: &[(usize, u64)],
    (at, line, secret): (u64, String, &str),
) {
    let Some(&(first, first_mark)) = began.first() else {
        return;
    };
    let index = began
        .iter()
        .rev()
        .find(|(_, mark)| *mark <= at)
        .map_or(first, |(i, _)| *i);
    let entry = &mut report.items[index];
    if !entry.verdict.is_pass() {
        return;
    }
    let when = if at < first_mark {
        "when it started"
    } else {
        "while this item ran"
    };
    entry.verdict = Verdict::Fail(Box::new(Failure {
        step: 1,
        steps: 1,
        request: RequestRecord::none(),
        start: None,
        response: None,
        error: Some(format!(
            "the server printed a secret of the run ({secret:?}) {when}: keys and passwords must never reach a log"
        )),
        graded_by: None,
        assertions: Vec::new(),
        server_output: vec![line],
    }));
}

/// How long after a "never printed" step answered its expectation is checked
/// again over the whole output (only lessons that have them wait, and only for
/// what has not already passed while later items ran).
const LINGER: Duration = Duration::from_millis(250);

/// The hints that fit how `item` failed: those of the failing step when it has
/// its own, those of the item that grades the step when it only prepared this
/// one, else the item's.
fn hints_for(lesson: &Lesson, item: &Item, verdict: &Verdict) -> Vec<String> {
    let Verdict::Fail(f) = verdict else {
        return item.hints.clone();
    };
    let Some(step) = f.step.checked_sub(1).and_then(|i| item.steps.get(i)) else {
        return item.hints.clone();
    };
    if let Some(other) = step
        .graded_by
        .as_ref()
        .and_then(|id| lesson.items.iter().find(|i| &i.id == id))
    {
        return other.hints.clone();
    }
    if step.hints.is_empty() {
        item.hints.clone()
    } else {
        step.hints.clone()
    }
}

/// A report of `lesson` with nothing graded yet.
fn empty_report(lesson: &Lesson) -> RunReport {
    RunReport {
        lesson: lesson.id.clone(),
        title: lesson.title.clone(),
        build: Default::default(),
        stopped: None,
        items: lesson
            .items
            .iter()
            .map(|i| ItemReport {
                id: i.id.clone(),
                title: i.title.clone(),
                verdict: Verdict::NotRun,
                hints: i.hints.clone(),
            })
            .collect(),
        server_output: Vec::new(),
        output_dropped: 0,
    }
}

/// Starts the server on a free port. Another process can take the port between
/// our probe and the server's bind: that race is retried on a new port, never
/// reported as the learner's error. `Err` only when no port can be had.
async fn start_server(spec: &mut ServerSpec) -> std::io::Result<Result<Server, StartError>> {
    let mut attempts = 0;
    loop {
        attempts += 1;
        spec.port = runner::pick_port()?;
        match Server::start(spec).await {
            Err(StartError::Exited { output, .. }) if attempts < 3 && lost_port_race(&output) => {
                continue;
            }
            other => return Ok(other),
        }
    }
}

/// An item's own start with a changed environment, which must fail, and whose
/// output must hold none of the run's `secrets`.
async fn run_start(start: &Start, base: &ServerSpec, scope: &Scope, secrets: &[String]) -> Verdict {
    let mut record = StartRecord {
        without: start.without.clone(),
        env: Vec::new(),
    };
    let fail = |record: StartRecord, error: Option<String>, assertions, output| {
        Verdict::Fail(Box::new(Failure {
            step: 1,
            steps: 1,
            request: RequestRecord::none(),
            start: Some(record),
            response: None,
            error,
            graded_by: None,
            assertions,
            server_output: output,
        }))
    };
    let lesson_bug = |e| Some(crate::checks::exec::lesson_bug(e));
    for (name, template) in &start.env {
        match scope.render(template) {
            Ok(value) => record.env.push((name.clone(), value)),
            Err(e) => return fail(record, lesson_bug(e), vec![], vec![]),
        }
    }
    let mut spec = base.clone();
    spec.env
        .retain(|(name, _)| !start.without.contains(name) && !start.env.contains_key(name));
    spec.env.extend(record.env.iter().cloned());
    spec.unset = start.without.clone();
    let (outcome, output) = match start_server(&mut spec).await {
        Err(e) => {
            let why = format!("no free port on 127.0.0.1: {e}");
            return fail(record, Some(why), vec![], vec![]);
        }
        Ok(Err(StartError::Spawn(e))) => {
            let why = format!("could not start {}: {e}", spec.exe.display());
            return fail(record, Some(why), vec![], vec![]);
        }
        Ok(Err(StartError::Exited {
            code,
            signal,
            output,
        })) => (StartOutcome::Exited { code, signal }, output),
        Ok(Err(StartError::NeverListened { bound, output, .. })) => {
            (StartOutcome::StillRunning { bound }, output)
        }
        Ok(Err(
            StartError::ListensEverywhere { output, .. } | StartError::HeldOutside { output },
        )) => (StartOutcome::Listened { port: spec.port }, output),
        Ok(Ok(server)) => {
            // Give it a moment to print what it prints at startup.
            tokio::time::sleep(Duration::from_millis(30)).await;
            let output = server.output().lines();
            server.stop().await;
            (StartOutcome::Listened { port: spec.port }, output)
        }
    };
    match eval::evaluate_start(start, &outcome, &output, secrets, scope) {
        Ok(assertions) if assertions.iter().all(|a| a.passed) => Verdict::Pass,
        Ok(assertions) => {
            let failed = assertions.into_iter().filter(|a| !a.passed).collect();
            fail(record, None, failed, output)
        }
        Err(e) => fail(record, lesson_bug(e), vec![], output),
    }
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

/// True when a server's last words say its port was taken.
fn lost_port_race(output: &[String]) -> bool {
    output.iter().any(|l| {
        let l = l.to_ascii_lowercase();
        l.contains("address already in use") || l.contains("os error 98")
    })
}

/// A run's values (its scope, its secrets) and how to start the lesson's server
/// with its environment; `Err` is the lesson's bug, in words.
fn run_values(
    root: &Path,
    lesson: &Lesson,
    exe: PathBuf,
    opts: &RunOptions,
) -> Result<(Scope, Vec<String>, ServerSpec), String> {
    let mut scope = Scope::default();
    let (mut env, mut secrets) = (Vec::new(), Vec::new());
    render_run_values(lesson, &mut scope, &mut env, &mut secrets)
        .map_err(crate::checks::exec::lesson_bug)?;
    let spec = ServerSpec {
        exe,
        cwd: root.join(&lesson.id),
        env,
        unset: Vec::new(),
        port: 0,
        ready_bound: opts.bounds.ready,
    };
    Ok((scope, secrets, spec))
}

/// Renders the lesson's run variables and server environment into `scope`
/// (environment values are also visible as `env.NAME`).
fn render_run_values(
    lesson: &Lesson,
    scope: &mut Scope,
    env: &mut Vec<(String, String)>,
    secrets: &mut Vec<String>,
) -> Result<(), crate::checks::template::TemplateError> {
    for (name, template) in &lesson.vars {
        let value = scope.render(template)?;
        scope.set(name.clone(), value);
    }
    for (name, template) in &lesson.env {
        let value = scope.render(template)?;
        scope.set(format!("env.{name}"), value.clone());
        env.push((name.clone(), value));
    }
    for template in &lesson.secrets {
        secrets.push(scope.render(template)?);
    }
    Ok(())
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
    let exe = match built {
        Ok(BuildOutcome::Built { exe, .. }) => exe,
        Ok(_) => return format!("{} does not build: press c to see why.", lesson.id),
        Err(e) => return format!("could not run cargo: {e}"),
    };
    let mut spec = match run_values(root, lesson, exe, opts) {
        Ok((_, _, spec)) => spec,
        Err(message) => return message,
    };
    let server = match start_server(&mut spec).await {
        Ok(Ok(server)) => server,
        Ok(Err(_)) | Err(_) => {
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
    let outcomes: Vec<Result<BuildOutcome, String>> =
        match runner::build(&build_spec(root, lessons, opts)).await {
            Ok(outcomes) => outcomes.into_iter().map(Ok).collect(),
            Err(e) => lessons.iter().map(|_| Err(e.to_string())).collect(),
        };
    let build = started.elapsed();
    let mut reports = Vec::new();
    for (lesson, outcome) in lessons.iter().zip(outcomes) {
        let report = grade_built(root, lesson, outcome, opts).await;
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hints_follow_the_step_that_failed() {
        let pack = Pack::embedded().unwrap();
        let lesson = pack.find("02").unwrap();
        let item = lesson.items.iter().find(|i| i.id == "get-one").unwrap();
        let fail_at = |step| {
            Verdict::Fail(Box::new(Failure {
                step,
                steps: 2,
                request: RequestRecord::none(),
                start: None,
                response: None,
                error: None,
                graded_by: None,
                assertions: vec![],
                server_output: vec![],
            }))
        };
        let create = lesson.items.iter().find(|i| i.id == "create-201").unwrap();
        // Step 1 only creates the user: the advice is create-201's.
        assert_eq!(hints_for(lesson, item, &fail_at(1)), create.hints);
        assert_eq!(hints_for(lesson, item, &fail_at(2)), item.hints);
        assert_eq!(hints_for(lesson, item, &Verdict::Pass), item.hints);
        let own = lesson.items.iter().find(|i| i.id == "create-201").unwrap();
        assert_eq!(hints_for(lesson, own, &fail_at(2)), own.steps[1].hints);
    }

    #[test]
    fn a_taken_port_is_recognised_as_a_race() {
        let said = |l: &str| lost_port_race(&[l.to_string()]);
        assert!(said(
            "error: cannot listen on 127.0.0.1:4000: Address already in use (os error 98)"
        ));
        assert!(!said("error: DATABASE_URL is not set"));
    }
}
