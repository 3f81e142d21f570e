//! The `tests` check kind: the learner's own tests, graded by what they
//! catch. `cargo test` of the lesson crate must pass with at least
//! `at_least` tests; with `mutant`, the same tests run against a known-broken
//! variant of the lesson's code (swapped into a scratch copy, never into the
//! learner's files) and must fail there: a suite that passes on broken code
//! catches nothing. Its model is [`Tests`]; [`parse`] and [`evaluate`] are
//! pure; [`run`] builds and runs through a [`TestRunner`], which the layer
//! that owns processes provides.

use super::model::Tests;
use crate::report::{Assertion, Failure, RequestRecord, Verdict};

/// Builds and runs the lesson crate's tests.
pub trait TestRunner {
    /// Runs the tests of the learner's crate, or of a scratch copy with
    /// `mutant`'s file swapped in. `Err`: they could not be run, in words.
    fn run_tests(
        &self,
        mutant: Option<&str>,
    ) -> impl std::future::Future<Output = Result<TestRun, String>> + Send;
}

/// How one `cargo test` went.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TestRun {
    /// The tests did not compile; the compiler's first errors.
    DidNotCompile(String),
    /// The build or the run hit its bound.
    TimedOut(String),
    /// The tests ran: libtest's counts, the names of the failed tests, and
    /// what the run printed.
    Ran {
        /// Tests that passed.
        passed: usize,
        /// Tests that failed.
        failed: Vec<String>,
        /// What the test binary printed (its last lines).
        output: Vec<String>,
    },
}

/// libtest's verdict in its text output: (passed, names of failed tests).
/// `None` when no summary line was printed (the binary crashed).
pub fn parse(output: &[String]) -> Option<(usize, Vec<String>)> {
    let summary = output
        .iter()
        .rev()
        .find(|l| l.starts_with("test result: "))?;
    let count = |word: &str| {
        summary
            .split(';')
            .find_map(|part| part.trim().strip_suffix(word))
            .and_then(|n| n.trim().rsplit(' ').next()?.parse().ok())
            .unwrap_or(0)
    };
    let failed = output
        .iter()
        .filter_map(|l| l.strip_prefix("test ")?.strip_suffix(" ... FAILED"))
        .map(str::to_string)
        .collect();
    Some((count(" passed"), failed))
}

/// The assertions of `t` on how the learner's tests ran (`own`) and, with a
/// mutant, how they ran against it (`against`, with what the mutant breaks).
pub fn evaluate(t: &Tests, own: &TestRun, against: Option<(&str, &TestRun)>) -> Vec<Assertion> {
    let mut out = Vec::new();
    match own {
        TestRun::Ran { passed, failed, .. } => {
            out.push(Assertion {
                subject: "your tests (`cargo test`)".into(),
                expected: format!("pass, at least {}", t.at_least.max(1)),
                actual: if failed.is_empty() {
                    format!("{passed} passed")
                } else {
                    format!(
                        "{} failed on your code: {}",
                        failed.len(),
                        failed.join(", ")
                    )
                },
                passed: failed.is_empty() && *passed >= t.at_least.max(1),
            });
        }
        TestRun::DidNotCompile(why) => out.push(Assertion {
            subject: "your tests (`cargo test`)".into(),
            expected: "compile".into(),
            actual: why.clone(),
            passed: false,
        }),
        TestRun::TimedOut(why) => out.push(Assertion {
            subject: "your tests (`cargo test`)".into(),
            expected: "finish within the bound".into(),
            actual: why.clone(),
            passed: false,
        }),
    }
    if let Some((why, run)) = against {
        let (passed, actual) = match run {
            TestRun::Ran { failed, .. } if !failed.is_empty() => {
                (true, format!("caught by {}", failed.join(", ")))
            }
            TestRun::Ran { passed, .. } => (
                false,
                format!("all {passed} of your tests pass when {why}: none of them looks at it"),
            ),
            // A mutant that does not compile or hangs was caught by nothing the learner wrote.
            TestRun::DidNotCompile(e) => (
                false,
                format!("the broken variant did not compile (a bug in the lesson): {e}"),
            ),
            TestRun::TimedOut(_) => (true, "your tests timed out on it: caught".into()),
        };
        out.push(Assertion {
            subject: "your tests against a broken variant".into(),
            expected: "fail (at least one of them)".into(),
            actual,
            passed,
        });
    }
    out
}

/// Runs a `tests` item: the learner's tests (step 1), then, if they pass,
/// the mutant (step 2). `graded_by`: the item that grades the learner's tests
/// alone, named when they fail in a mutant's item.
pub async fn run(
    t: &Tests,
    runner: &impl TestRunner,
    mutants: &MutantWhy<'_>,
    graded_by: Option<&str>,
) -> Verdict {
    let steps = 1 + usize::from(t.mutant.is_some());
    let fail = |step: usize, error: Option<String>, assertions, output| {
        Verdict::Fail(Box::new(Failure {
            error,
            assertions,
            server_output: output,
            ran_tests: true,
            graded_by: graded_by
                .filter(|_| step == 1 && steps == 2)
                .map(str::to_string),
            ..Failure::new(step, steps, RequestRecord::none())
        }))
    };
    let own = match runner.run_tests(None).await {
        Ok(run) => run,
        Err(why) => return fail(1, Some(why), vec![], vec![]),
    };
    let first = evaluate(t, &own, None);
    if first.iter().any(|a| !a.passed) {
        return fail(1, None, first, output_of(&own));
    }
    let Some(name) = &t.mutant else {
        return Verdict::Pass;
    };
    let why = mutants(name);
    let against = match runner.run_tests(Some(name)).await {
        Ok(run) => run,
        Err(e) => return fail(2, Some(e), vec![], vec![]),
    };
    let all = evaluate(t, &own, Some((&why, &against)));
    if all.iter().all(|a| a.passed) {
        Verdict::Pass
    } else {
        let failed = all.into_iter().filter(|a| !a.passed).collect();
        fail(2, None, failed, output_of(&against))
    }
}

/// What a mutant breaks, by its name.
pub type MutantWhy<'a> = dyn Fn(&str) -> String + Sync + 'a;

fn output_of(run: &TestRun) -> Vec<String> {
    match run {
        TestRun::Ran { output, .. } => output.clone(),
        _ => Vec::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn lines(text: &str) -> Vec<String> {
        text.lines().map(str::to_string).collect()
    }

    #[test]
    fn libtest_counts_and_failures_are_read_from_its_text() {
        let out = lines(
            "running 3 tests\ntest tests::creates ... ok\ntest tests::rejects_empty ... FAILED\ntest tests::lists ... ok\n\nfailures:\n\ntest result: FAILED. 2 passed; 1 failed; 0 ignored; 0 measured; 0 filtered out; finished in 0.01s",
        );
        assert_eq!(
            parse(&out),
            Some((2, vec!["tests::rejects_empty".to_string()]))
        );
        assert_eq!(
            parse(&lines("test result: ok. 5 passed; 0 failed; 0 ignored")),
            Some((5, vec![]))
        );
        assert_eq!(parse(&lines("thread 'main' panicked")), None);
    }

    fn ran(passed: usize, failed: &[&str]) -> TestRun {
        TestRun::Ran {
            passed,
            failed: failed.iter().map(|s| s.to_string()).collect(),
            output: vec![],
        }
    }

    fn failures(t: &Tests, own: &TestRun, against: Option<(&str, &TestRun)>) -> Vec<String> {
        evaluate(t, own, against)
            .into_iter()
            .filter(|a| !a.passed)
            .map(|a| format!("{}: {}", a.subject, a.actual))
            .collect()
    }

    #[test]
    fn a_surviving_mutant_is_named_and_a_caught_one_passes() {
        let t = Tests {
            at_least: 3,
            mutant: Some("ok-not-created".into()),
        };
        let why = "POST /users answers 200 instead of 201";
        assert!(failures(&t, &ran(4, &[]), Some((why, &ran(3, &["tests::creates"])))).is_empty());
        assert_eq!(
            failures(&t, &ran(4, &[]), Some((why, &ran(4, &[])))),
            [
                "your tests against a broken variant: all 4 of your tests pass when POST /users answers 200 instead of 201: none of them looks at it"
            ]
        );
    }

    #[test]
    fn too_few_or_failing_tests_are_said_so() {
        let t = Tests {
            at_least: 3,
            mutant: None,
        };
        assert_eq!(
            failures(&t, &ran(2, &[]), None),
            ["your tests (`cargo test`): 2 passed"]
        );
        assert_eq!(
            failures(&t, &ran(3, &["tests::lists"]), None),
            ["your tests (`cargo test`): 1 failed on your code: tests::lists"]
        );
        assert_eq!(
            failures(&t, &TestRun::DidNotCompile("error[E0425]".into()), None),
            ["your tests (`cargo test`): error[E0425]"]
        );
    }
}
