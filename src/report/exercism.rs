//! `grade --format exercism`: exercism's test-runner `results.json`, version 3.
//! Tests come in lesson.toml order (exercism shows them in the order given),
//! each lesson is a task, `output` is cut at exercism's 500 characters, and
//! the whole result is `error` only when no item ran at all (nothing compiled).

use serde::Serialize;

use super::{GradeReport, Reporter, Verdict};

/// exercism cuts a test's `output` here.
const OUTPUT_CAP: usize = 500;

/// Writes nothing per lesson, and the whole document at the end.
#[derive(Debug, Default)]
pub struct Exercism;

impl Reporter for Exercism {
    fn finish(&mut self, grade: &GradeReport) -> String {
        super::json::pretty(&results(grade))
    }
}

/// A whole `results.json`.
#[derive(Debug, Serialize)]
pub struct Results {
    version: u32,
    status: Status,
    #[serde(skip_serializing_if = "Option::is_none")]
    message: Option<String>,
    tests: Vec<Test>,
}

/// One checklist item as an exercism test.
#[derive(Debug, Serialize)]
pub struct Test {
    name: String,
    status: Status,
    #[serde(skip_serializing_if = "Option::is_none")]
    message: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    output: Option<String>,
    test_code: String,
    task_id: usize,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
enum Status {
    Pass,
    Fail,
    Error,
}

/// `grade` as exercism's results.
pub fn results(grade: &GradeReport) -> Results {
    let mut tests = Vec::new();
    for (task, lesson) in grade.lessons.iter().enumerate() {
        let stopped = super::text::stopped_in_full(lesson);
        for item in &lesson.items {
            let (status, message, output) = match &item.verdict {
                Verdict::Pass => (Status::Pass, None, None),
                Verdict::Fail(f) => {
                    let message = super::text::failure_and_hint(item, f);
                    let output = (!f.server_output.is_empty())
                        .then(|| capped(&super::clean(&f.server_output.join("\n"))));
                    (Status::Fail, Some(super::clean(&message)), output)
                }
                Verdict::NotApplicable { why } => (
                    Status::Error,
                    Some(format!("not applicable on this stack: {why}")),
                    None,
                ),
                Verdict::NotRun => (
                    Status::Error,
                    Some(
                        stopped
                            .clone()
                            .unwrap_or_else(|| "the item was not run".into()),
                    ),
                    None,
                ),
            };
            tests.push(Test {
                name: format!("{} › {}", lesson.lesson, item.title),
                status,
                message,
                output,
                test_code: format!("apilings check {}   # item {}", lesson.lesson, item.id),
                task_id: task + 1,
            });
        }
    }
    let status = if tests.iter().all(|t| t.status == Status::Error) {
        Status::Error
    } else if tests.iter().all(|t| t.status == Status::Pass) {
        Status::Pass
    } else {
        Status::Fail
    };
    let message = (status == Status::Error).then(|| {
        grade
            .lessons
            .iter()
            .filter_map(|l| {
                Some(format!(
                    "{}: {}",
                    l.lesson,
                    super::text::stopped_in_full(l)?
                ))
            })
            .collect::<Vec<_>>()
            .join("\n\n")
    });
    Results {
        version: 3,
        status,
        message,
        tests,
    }
}

/// `s` within exercism's cap, saying so when cut.
fn capped(s: &str) -> String {
    const NOTICE: &str = "\n… (cut at 500 characters)";
    if s.chars().count() <= OUTPUT_CAP {
        return s.to_string();
    }
    let keep = OUTPUT_CAP - NOTICE.chars().count();
    let mut out: String = s.chars().take(keep).collect();
    out.push_str(NOTICE);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn output_stays_within_the_cap() {
        let long = "x".repeat(2000);
        let cut = capped(&long);
        assert_eq!(cut.chars().count(), OUTPUT_CAP);
        assert!(cut.ends_with("(cut at 500 characters)"));
        assert_eq!(capped("short"), "short");
    }
}
