//! The session's side of the `tests` check kind: building and running the
//! lesson crate's tests, the learner's own or a scratch copy with a mutant
//! swapped in (see [`crate::checks::learner_tests`]), with the run's bounds.

use std::path::Path;
use std::time::Duration;

use crate::checks::learner_tests::{TestRun, TestRunner, parse};
use crate::lessons::Lesson;
use crate::runner::{self, BuildOutcome};

use super::RunOptions;

/// The most time the tests themselves may run, once built.
const RUN_BOUND: Duration = Duration::from_secs(60);

/// Runs `lesson`'s tests in the workspace at `root`. The learner's own run
/// is made once per run and shared by every item that needs it.
pub(super) struct LessonTests<'a> {
    root: &'a Path,
    lesson: &'a Lesson,
    opts: &'a RunOptions,
    own: tokio::sync::OnceCell<Result<TestRun, String>>,
}

impl<'a> LessonTests<'a> {
    pub(super) fn new(root: &'a Path, lesson: &'a Lesson, opts: &'a RunOptions) -> Self {
        LessonTests {
            root,
            lesson,
            opts,
            own: tokio::sync::OnceCell::new(),
        }
    }
}

impl TestRunner for LessonTests<'_> {
    async fn run_tests(&self, mutant: Option<&str>) -> Result<TestRun, String> {
        match mutant {
            None => {
                let own = self.own.get_or_init(|| self.build_and_run(None)).await;
                own.clone()
            }
            Some(_) => self.build_and_run(mutant).await,
        }
    }
}

impl LessonTests<'_> {
    async fn build_and_run(&self, mutant: Option<&str>) -> Result<TestRun, String> {
        let learner = super::build_spec(self.root, &[self.lesson], self.opts);
        let spec = match mutant {
            None => runner::BuildSpec {
                tests: true,
                ..learner
            },
            Some(name) => {
                // The run's own target folder: per workspace, and writable.
                let folder = learner
                    .target_dir
                    .clone()
                    .unwrap_or_else(|| self.root.join("target").join("apilings"));
                let scratch =
                    crate::workspace::mutant_scratch(self.root, &folder, self.lesson, name)
                        .map_err(|e| {
                            format!("could not make the scratch copy for `{name}`: {e:#}")
                        })?;
                // Dependencies come from the learner's build dir; binaries stay apart.
                let shared = learner.build_dir.clone().or(learner.target_dir.clone());
                runner::BuildSpec {
                    packages: vec![crate::workspace::mutant_package(self.lesson, name)],
                    // The scratch lock is a copy that gains the renamed package;
                    // the workspace's own lock is what `--locked` guards.
                    locked: false,
                    workspace: scratch.clone(),
                    target_dir: Some(scratch.join("target")),
                    build_dir: shared,
                    tests: true,
                    ..learner
                }
            }
        };
        let crate_dir = spec.workspace.join(&self.lesson.id);
        let built = runner::build(&spec)
            .await
            .map_err(|e| format!("could not run cargo: {e}"))?
            .pop();
        match built {
            Some(BuildOutcome::Built { exe, .. }) => {
                let out = runner::run_tests(&exe, &crate_dir, RUN_BOUND)
                    .await
                    .map_err(|e| format!("could not run the tests: {e}"))?;
                if out.timed_out {
                    return Ok(TestRun::TimedOut(format!(
                        "the tests still ran after {} s and were stopped",
                        RUN_BOUND.as_secs()
                    )));
                }
                let output: Vec<String> = out.output.iter().rev().take(40).rev().cloned().collect();
                match parse(&out.output) {
                    Some((passed, failed)) => Ok(TestRun::Ran {
                        passed,
                        failed,
                        output,
                    }),
                    None => Ok(TestRun::Ran {
                        passed: 0,
                        failed: vec![
                            "(the test binary ended without a summary: it crashed)".into(),
                        ],
                        output,
                    }),
                }
            }
            Some(BuildOutcome::Failed(report)) => {
                let errors: Vec<String> = report
                    .diagnostics
                    .iter()
                    .filter(|d| d.level == "error")
                    .take(2)
                    .map(|d| d.rendered.clone())
                    .collect();
                Ok(TestRun::DidNotCompile(if errors.is_empty() {
                    report.cargo_stderr
                } else {
                    errors.join("\n")
                }))
            }
            Some(BuildOutcome::TimedOut(_)) => Ok(TestRun::TimedOut(format!(
                "the tests did not build within {} s",
                spec.bound.as_secs()
            ))),
            None => Err("cargo reported nothing for the lesson crate".into()),
        }
    }
}
