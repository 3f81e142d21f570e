//! `grade --format classroom`: the result GitHub Classroom's grading reporter
//! reads from a runner step (version 1: one test per checklist item, one point
//! each), so one workflow step carries a lesson's partial credit. The workflow
//! hands it to the reporter base64-encoded (templates/github-classroom.yml).

use serde::Serialize;

use super::{GradeReport, Reporter, Verdict};

/// Writes nothing per lesson, and the whole document at the end.
#[derive(Debug, Default)]
pub struct Classroom;

impl Reporter for Classroom {
    fn finish(&mut self, grade: &GradeReport) -> String {
        let mut text = serde_json::to_string(&result(grade)).unwrap_or_default();
        text.push('\n');
        text
    }
}

/// One runner's result.
#[derive(Debug, Serialize)]
pub struct Result {
    version: u32,
    status: &'static str,
    max_score: usize,
    tests: Vec<Test>,
}

/// One checklist item, worth one point.
#[derive(Debug, Serialize)]
pub struct Test {
    name: String,
    status: &'static str,
    score: usize,
    message: String,
    test_code: String,
    filename: String,
    line_no: u32,
    duration: u64,
}

/// `grade` as a classroom runner's result.
pub fn result(grade: &GradeReport) -> Result {
    let mut tests = Vec::new();
    for lesson in &grade.lessons {
        for item in &lesson.items {
            let (status, message) = match &item.verdict {
                Verdict::Pass => ("pass", String::new()),
                Verdict::Fail(f) => {
                    let message = super::text::failure_and_hint(item, f);
                    ("fail", super::clean(&message))
                }
                Verdict::NotApplicable { why } => {
                    ("error", format!("not applicable on this stack: {why}"))
                }
                Verdict::NotRun => (
                    "error",
                    lesson
                        .stopped
                        .as_ref()
                        .map(super::text::stopped_line)
                        .unwrap_or_else(|| "the item was not run".into()),
                ),
            };
            tests.push(Test {
                name: format!("{} › {}", lesson.lesson, item.title),
                status,
                score: usize::from(status == "pass"),
                message,
                test_code: format!("apilings check {}", lesson.lesson),
                filename: String::new(),
                line_no: 0,
                duration: item.duration.as_millis() as u64,
            });
        }
    }
    let status = if tests.iter().all(|t| t.status == "pass") {
        "pass"
    } else if tests.iter().all(|t| t.status == "error") {
        "error"
    } else {
        "fail"
    };
    Result {
        version: 1,
        status,
        max_score: tests.len(),
        tests,
    }
}
