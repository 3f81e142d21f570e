//! The `start` check kind: the item starts the server itself with a changed
//! environment (a variable left out or set wrong), and the start must be
//! refused: a non-zero exit, output that says why, and no secret of the run in
//! it. Its model is [`Start`]; [`evaluate`] is pure; [`run`] starts the server
//! through a [`Launcher`], which the layer that owns processes provides.

use std::time::Duration;

use serde_json::Value as Json;

use super::eval;
use super::model::{Predicate, Start};
use super::template::{Scope, TemplateError, lesson_bug};
use crate::report::{Assertion, Failure, RequestRecord, StartRecord, Verdict};

/// Starts the server under test with a changed environment and tells how it went.
pub trait Launcher {
    /// Starts it without the variables in `without` and with `env` set, waits
    /// until it exits, listens or hits the start bound, and stops it.
    /// `Err`: it could not be started at all, in words.
    fn launch(
        &self,
        without: &[String],
        env: &[(String, String)],
    ) -> impl std::future::Future<Output = Result<Launched, String>> + Send;
}

/// How a start went, with what the server printed.
#[derive(Debug, Clone)]
pub struct Launched {
    /// Exited, listened, or neither within the bound.
    pub outcome: StartOutcome,
    /// Its output (stdout and stderr).
    pub output: Vec<String>,
}

/// Runs a `start` item: renders its environment in `scope`, launches, and
/// grades the outcome; the output must hold none of `secrets`.
pub async fn run(
    start: &Start,
    launcher: &impl Launcher,
    scope: &Scope,
    secrets: &[String],
) -> Verdict {
    let mut record = StartRecord {
        without: start.without.clone(),
        env: Vec::new(),
    };
    let fail = |record: StartRecord, error: Option<String>, assertions, output| {
        Verdict::Fail(Box::new(Failure {
            start: Some(record),
            error,
            assertions,
            server_output: output,
            ..Failure::new(1, 1, RequestRecord::none())
        }))
    };
    for (name, template) in &start.env {
        match scope.render(template) {
            Ok(value) => record.env.push((name.clone(), value)),
            Err(e) => return fail(record, Some(lesson_bug(e)), vec![], vec![]),
        }
    }
    let Launched { outcome, output } = match launcher.launch(&start.without, &record.env).await {
        Ok(launched) => launched,
        Err(why) => return fail(record, Some(why), vec![], vec![]),
    };
    match evaluate(start, &outcome, &output, secrets, scope) {
        Ok(assertions) if assertions.iter().all(|a| a.passed) => Verdict::Pass,
        Ok(assertions) => {
            let failed = assertions.into_iter().filter(|a| !a.passed).collect();
            fail(record, None, failed, output)
        }
        Err(e) => fail(record, Some(lesson_bug(e)), vec![], output),
    }
}

/// How a start that should fail went.
#[derive(Debug, Clone)]
pub enum StartOutcome {
    /// It exited before listening.
    Exited {
        /// Exit code, if any.
        code: Option<i32>,
        /// The signal that ended it, if any.
        signal: Option<i32>,
    },
    /// It listened on its port: it started despite the changed environment.
    Listened {
        /// The port it answered on.
        port: u16,
    },
    /// Still running, not listening, when the bound was hit.
    StillRunning {
        /// The bound.
        bound: Duration,
    },
}

/// The assertions of a [`Start`]: a non-zero exit, then its `output` predicate.
pub fn evaluate(
    start: &Start,
    outcome: &StartOutcome,
    output: &[String],
    secrets: &[String],
    scope: &Scope,
) -> Result<Vec<Assertion>, TemplateError> {
    let (passed, actual) = match outcome {
        StartOutcome::Exited { code: Some(0), .. } => {
            (false, "it exited with code 0 (success)".to_string())
        }
        StartOutcome::Exited {
            code: Some(code), ..
        } => (true, format!("it exited with code {code}")),
        StartOutcome::Exited {
            signal: Some(sig), ..
        } => (true, format!("it was ended by signal {sig}")),
        StartOutcome::Exited { .. } => (true, "it exited".to_string()),
        StartOutcome::Listened { port } => (
            false,
            format!("it started and answered on 127.0.0.1:{port}"),
        ),
        StartOutcome::StillRunning { bound } => (
            false,
            format!(
                "it was still running {} s later (the start bound), neither serving nor exiting",
                bound.as_secs_f64()
            ),
        ),
    };
    let mut out = vec![Assertion {
        subject: "server start".into(),
        expected: "refuses: exits with a non-zero code".into(),
        actual,
        passed,
    }];
    if let Some(p) = &start.output {
        eval::check_output(&mut out, p, output, scope)?;
    }
    // A settings library that prints the other settings when one is bad leaks them.
    for secret in secrets {
        let p = Predicate {
            not_contains: Some(Json::String(secret.clone())),
            ..Predicate::default()
        };
        eval::check_output(&mut out, &p, output, &Scope::default())?;
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_start_must_be_refused_and_its_output_must_say_why() {
        let start: Start = toml::from_str("output = { contains = 'API_KEY' }").unwrap();
        let said = |ls: &[&str]| ls.iter().map(|l| l.to_string()).collect::<Vec<_>>();
        let outcome_failures = |outcome: StartOutcome, output: &[String]| -> Vec<String> {
            evaluate(
                &start,
                &outcome,
                output,
                &["key-s3cr3t".into()],
                &Scope::default(),
            )
            .unwrap()
            .into_iter()
            .filter(|a| !a.passed)
            .map(|a| format!("{}: {}", a.subject, a.actual))
            .collect()
        };
        let exited = |code| StartOutcome::Exited {
            code: Some(code),
            signal: None,
        };
        let names_it = said(&["error: API_KEY is not set"]);
        assert!(outcome_failures(exited(1), &names_it).is_empty());
        assert_eq!(
            outcome_failures(exited(0), &names_it),
            ["server start: it exited with code 0 (success)"]
        );
        assert_eq!(
            outcome_failures(StartOutcome::Listened { port: 4000 }, &[]),
            [
                "server start: it started and answered on 127.0.0.1:4000",
                "server output: no output at all"
            ]
        );
        let unwrap_panic = said(&[
            "thread 'main' panicked at src/main.rs:9:50:",
            "called `Result::unwrap()` on an `Err` value: NotPresent",
        ]);
        let failures = outcome_failures(exited(101), &unwrap_panic);
        assert_eq!(failures.len(), 1, "{failures:?}");
        assert!(failures[0].contains("none holds it"), "{failures:?}");
        let still = StartOutcome::StillRunning {
            bound: Duration::from_secs(10),
        };
        assert!(outcome_failures(still, &names_it)[0].contains("still running 10 s later"));
        // Refusing is not enough when the refusal prints a secret of the run.
        let leaks = said(&["error: API_KEY invalid; settings: DATABASE_URL=x API_KEY=key-s3cr3t"]);
        assert_eq!(
            outcome_failures(exited(1), &leaks),
            [
                "server output: 1 of 1 lines hold it: \"error: API_KEY invalid; settings: DATABASE_URL=x API_KEY=key-s3cr3t\""
            ]
        );
    }
}
