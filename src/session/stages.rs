//! One run as a pipeline of named stages: build → serve → grade → report.
//! Each stage returns what the next one needs, or a [`Halt`]; [`run`] is the
//! one place a halt is written into the report. The target being graded is a
//! value the serve stage takes, so another kind of target is not another branch.

use std::path::Path;
use std::time::{Duration, Instant};

use crate::checks::eval::{self, ServerState};
use crate::checks::exec::{Executor, Limits, NeverPrinted};
use crate::checks::learner_tests;
use crate::checks::model::Item;
use crate::checks::start;
use crate::checks::template::{Scope, TemplateError, lesson_bug};
use crate::lessons::Lesson;
use crate::report::{Failure, ItemReport, RequestRecord, RunReport, Stopped, Verdict};
use crate::runner::{BuildOutcome, ServerSpec};

use super::own_tests::LessonTests;
use super::serve::{self, Halt, Relaunch, Target};
use super::{RunOptions, Stack};

/// Runs `lesson` on what its build produced (`Err`: why cargo could not be run).
/// Never fails: whatever happens is in the report.
pub(super) async fn run(
    root: &Path,
    lesson: &Lesson,
    built: Result<BuildOutcome, String>,
    opts: &RunOptions,
) -> RunReport {
    let mut report = empty_report(lesson);
    let outcome = match build(&mut report, root, lesson, built, opts) {
        Ok(target) => grade_target(&mut report, root, lesson, &target, &Stack::Crate, opts).await,
        Err(halt) => Err(halt),
    };
    conclude(report, lesson, outcome)
}

/// Runs `lesson` on a server that is not its crate (nothing is built).
pub(super) async fn run_on(
    root: &Path,
    lesson: &Lesson,
    stack: &Stack,
    opts: &RunOptions,
) -> RunReport {
    let mut report = empty_report(lesson);
    report.target = stack.describe();
    report.build.ok = true;
    let outcome = match stack.target() {
        Some(target) => grade_target(&mut report, root, lesson, &target, stack, opts).await,
        None => Err(Halt::infrastructure("a lesson's crate must be built first")),
    };
    conclude(report, lesson, outcome)
}

/// Writes a halt into the report, and each item's hints for how it went.
fn conclude(mut report: RunReport, lesson: &Lesson, outcome: Result<(), Halt>) -> RunReport {
    if let Err(halt) = outcome {
        report.stopped = Some(halt.stopped);
        if !halt.output.is_empty() {
            report.server_output = halt.output;
        }
    }
    for (item, entry) in lesson.items.iter().zip(report.items.iter_mut()) {
        entry.hints = hints_for(lesson, item, &entry.verdict);
    }
    report
}

/// The build stage: the build's report, and the binary to serve.
fn build(
    report: &mut RunReport,
    root: &Path,
    lesson: &Lesson,
    built: Result<BuildOutcome, String>,
    opts: &RunOptions,
) -> Result<Target, Halt> {
    let halt = |stopped| Halt {
        stopped,
        output: Vec::new(),
    };
    match built {
        Err(e) => Err(Halt::infrastructure(format!("could not run cargo: {e}"))),
        Ok(BuildOutcome::Failed(b)) => {
            report.build = b;
            Err(halt(Stopped::BuildFailed))
        }
        Ok(BuildOutcome::TimedOut(b)) => {
            report.build = b;
            Err(halt(Stopped::BuildTimedOut {
                bound: opts.bounds.build,
            }))
        }
        Ok(BuildOutcome::Built { exe, report: b }) => {
            report.build = b;
            Ok(Target::Program {
                program: exe,
                args: Vec::new(),
                cwd: root.join(&lesson.id),
            })
        }
    }
}

/// The serve, grade and report stages on `target`; items that need what
/// `stack` does not offer are not applicable.
async fn grade_target(
    report: &mut RunReport,
    root: &Path,
    lesson: &Lesson,
    target: &Target,
    stack: &Stack,
    opts: &RunOptions,
) -> Result<(), Halt> {
    let values = RunValues::new(lesson, target, opts).map_err(Halt::infrastructure)?;
    // Items that run their own processes go first: starts of the server, and
    // the learner's tests (against the lesson's mutants).
    let tests = LessonTests::new(root, lesson, opts);
    for (item, entry) in lesson.items.iter().zip(report.items.iter_mut()) {
        if let Some(why) = stack.cannot(item.needs()) {
            entry.verdict = Verdict::NotApplicable { why };
            continue;
        }
        let began = Instant::now();
        if let (Some(s), Some(server)) = (&item.start, &values.server) {
            let launcher = Relaunch(server);
            entry.verdict = start::run(s, &launcher, &values.scope, &values.secrets).await;
        }
        if let Some(t) = &item.tests {
            let why = |name: &str| {
                lesson
                    .mutants
                    .get(name)
                    .map_or_else(|| name.to_string(), |m| m.why.clone())
            };
            // The item that grades the learner's tests alone, for a mutant's item to point at.
            let plain = lesson
                .items
                .iter()
                .find(|i| i.tests.as_ref().is_some_and(|t| t.mutant.is_none()))
                .map(|i| i.id.as_str());
            entry.verdict = learner_tests::run(t, &tests, &why, plain).await;
        }
        entry.duration += began.elapsed();
    }
    // What is left sends requests to the server.
    if !report.items.iter().any(|e| e.verdict.is_pending()) {
        return Ok(());
    }
    if let Target::Running { port } = target {
        // A server already running: nothing to start or stop, no output to read.
        let graded = grade(report, lesson, *port, &NoOutput, &values, opts).await?;
        finish(report, graded, &values.secrets, Vec::new(), 0);
        return Ok(());
    }
    let Some(spec) = &values.server else {
        return Err(Halt::infrastructure("no server to start"));
    };
    let mut spec = spec.clone();
    let server = serve::serve(&mut spec).await?;
    let graded = grade(report, lesson, server.port(), &server.tap(), &values, opts).await;
    let output = server.output();
    server.stop().await;
    finish(
        report,
        graded?,
        &values.secrets,
        output.lines(),
        output.dropped(),
    );
    Ok(())
}

/// The output of a server apilings did not start: none is seen.
struct NoOutput;

impl crate::checks::exec::ServerTap for NoOutput {
    fn mark(&self) -> u64 {
        0
    }
    fn since(&self, _mark: u64) -> Vec<String> {
        Vec::new()
    }
    fn dropped(&self) -> u64 {
        0
    }
    fn ended(&self) -> Option<String> {
        None
    }
}

/// What the grade stage leaves for the report stage: expectations to check
/// again over the whole output, and where in the output each item began.
struct Graded {
    afterwards: Vec<(usize, NeverPrinted)>,
    began: Vec<(usize, u64)>,
}

/// The grade stage: every request item, in order, against the running server.
async fn grade(
    report: &mut RunReport,
    lesson: &Lesson,
    port: u16,
    tap: &dyn crate::checks::exec::ServerTap,
    values: &RunValues,
    opts: &RunOptions,
) -> Result<Graded, Halt> {
    let mut graded = Graded {
        afterwards: Vec::new(),
        began: Vec::new(),
    };
    let limits = Limits {
        request: opts.bounds.request,
        ..Limits::default()
    };
    let executor = Executor::new(port, limits)
        .map_err(|e| Halt::infrastructure(format!("could not create the HTTP client: {e}")))?
        .with_secrets(values.secrets.clone());
    for (index, (item, entry)) in lesson.items.iter().zip(report.items.iter_mut()).enumerate() {
        if item.uses_the_server() && entry.verdict.is_pending() {
            graded.began.push((index, tap.mark()));
            let mut watches = Vec::new();
            let began = Instant::now();
            entry.verdict = executor
                .run_item(item, &values.scope, tap, &mut watches)
                .await;
            entry.duration += began.elapsed();
            graded
                .afterwards
                .extend(watches.into_iter().map(|w| (index, w)));
        }
    }
    // Only lessons that say "never printed" wait: the others' loop stays fast,
    // and their secrets are still looked for in everything printed so far.
    // What a server prints a moment after answering (from a task) counts too:
    // wait until LINGER has passed since the last such step answered.
    if let Some(last) = graded.afterwards.iter().map(|(_, w)| w.answered_at()).max() {
        tokio::time::sleep_until(last + LINGER).await;
    }
    Ok(graded)
}

/// The report stage: the whole run's output, and what it shows only now (a
/// secret printed later than the step that looked for it).
fn finish(
    report: &mut RunReport,
    graded: Graded,
    secrets: &[String],
    output: Vec<String>,
    dropped: u64,
) {
    report.server_output = output;
    report.output_dropped = dropped;
    let whole_run = ServerState {
        output: report.server_output.clone(),
        ended: None,
        dropped: report.output_dropped,
    };
    let mut printed_later = false;
    for (index, watch) in &graded.afterwards {
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
            eval::first_secret_line(&report.server_output, report.output_dropped, secrets)
    {
        blame_secret_leak(report, &graded.began, leak);
    }
}

/// How long after a "never printed" step answered its expectation is checked
/// again over the whole output (only lessons that have them wait, and only for
/// what has not already passed while later items ran).
const LINGER: Duration = Duration::from_millis(250);

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
        server_output: vec![line],
        ..Failure::new(1, 1, RequestRecord::none()).with_error(format!(
            "the server printed a secret of the run ({secret:?}) {when}: keys and passwords must never reach a log"
        ))
    }));
}

/// The hints that fit how `item` failed: those of the failing step when it has
/// its own, those of the item that grades the step when it only prepared this
/// one, else the item's.
fn hints_for(lesson: &Lesson, item: &Item, verdict: &Verdict) -> Vec<String> {
    let Verdict::Fail(f) = verdict else {
        return item.hints.clone();
    };
    if let Some(other) = f
        .graded_by
        .as_ref()
        .and_then(|id| lesson.items.iter().find(|i| &i.id == id))
    {
        return other.hints.clone();
    }
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
        target: None,
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
                duration: Duration::ZERO,
            })
            .collect(),
        server_output: Vec::new(),
        output_dropped: 0,
    }
}

/// A run's values: its template scope, its secrets, and how to start its
/// server (the target with the lesson's environment; none for a server
/// already running).
pub(super) struct RunValues {
    pub scope: Scope,
    pub secrets: Vec<String>,
    pub server: Option<ServerSpec>,
}

impl RunValues {
    /// Renders the lesson's run variables and server environment (also visible
    /// as `env.NAME`); `Err` is the lesson's bug, in words.
    pub fn new(lesson: &Lesson, target: &Target, opts: &RunOptions) -> Result<Self, String> {
        if let Target::Running { .. } = target {
            let missing: Vec<&str> = lesson
                .env
                .keys()
                .filter(|name| std::env::var_os(name).is_none())
                .map(String::as_str)
                .collect();
            if !missing.is_empty() {
                return Err(format!(
                    "{} is started with {}: set {} in apilings' environment to what the running server was started with",
                    lesson.id,
                    lesson.env.keys().cloned().collect::<Vec<_>>().join(", "),
                    missing.join(", ")
                ));
            }
        }
        let mut scope = Scope::default();
        let (mut env, mut secrets) = (Vec::new(), Vec::new());
        let mut render = || -> Result<(), TemplateError> {
            for (name, template) in &lesson.vars {
                let value = scope.render(template)?;
                scope.set(name.clone(), value);
            }
            for (name, template) in &lesson.env {
                // A server already running was started with its own values:
                // the checks take them from apilings' environment.
                let value = match target {
                    Target::Running { .. } => std::env::var(name).unwrap_or_default(),
                    Target::Program { .. } => scope.render(template)?,
                };
                scope.set(format!("env.{name}"), value.clone());
                env.push((name.clone(), value));
            }
            for template in &lesson.secrets {
                secrets.push(scope.render(template)?);
            }
            Ok(())
        };
        render().map_err(lesson_bug)?;
        let server = match target {
            Target::Program { program, args, cwd } => Some(ServerSpec {
                program: program.clone(),
                args: args.clone(),
                cwd: cwd.clone(),
                env,
                unset: Vec::new(),
                port: 0,
                start: opts.bounds.start,
            }),
            Target::Running { .. } => None,
        };
        Ok(RunValues {
            scope,
            secrets,
            server,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::lessons::Pack;

    #[test]
    fn hints_follow_the_step_that_failed() {
        let pack = Pack::embedded().unwrap();
        let lesson = pack.find("02").unwrap();
        let item = lesson.items.iter().find(|i| i.id == "get-one").unwrap();
        let fail_at = |step| Verdict::Fail(Box::new(Failure::new(step, 2, RequestRecord::none())));
        let create = lesson.items.iter().find(|i| i.id == "create-201").unwrap();
        // Step 1 only creates the user: the advice is create-201's.
        assert_eq!(hints_for(lesson, item, &fail_at(1)), create.hints);
        assert_eq!(hints_for(lesson, item, &fail_at(2)), item.hints);
        assert_eq!(hints_for(lesson, item, &Verdict::Pass), item.hints);
        let own = lesson.items.iter().find(|i| i.id == "create-201").unwrap();
        assert_eq!(hints_for(lesson, own, &fail_at(2)), own.steps[1].hints);
    }
}
