//! `grade --format json`: the whole grading as one JSON document. Its shape
//! is the report types as serde writes them, under a `version` that changes
//! whenever a field is renamed or removed (docs/grading.md).

use serde::Serialize;

use super::{GradeReport, Reporter, RunReport};

/// The version of the document's shape.
pub const VERSION: u32 = 1;

/// Writes nothing per lesson, and the whole document at the end.
#[derive(Debug, Default)]
pub struct Json;

#[derive(Serialize)]
struct Document<'a> {
    version: u32,
    passed: bool,
    #[serde(flatten)]
    grade: &'a GradeReport,
}

impl Reporter for Json {
    fn lesson(&mut self, _report: &RunReport) -> String {
        String::new()
    }

    fn finish(&mut self, grade: &GradeReport) -> String {
        let doc = Document {
            version: VERSION,
            passed: grade.passed(),
            grade,
        };
        // Plain data with string keys: serializing it cannot fail.
        let mut text = serde_json::to_string_pretty(&doc).unwrap_or_default();
        text.push('\n');
        text
    }
}
