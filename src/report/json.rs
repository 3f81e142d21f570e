//! `grade --format json`: the whole grading as one JSON document. Its shape
//! is the report types as serde writes them, under a `version` that changes
//! whenever a field is renamed or removed (docs/grading.md).

use serde::Serialize;

use super::{GradeReport, Reporter};

/// The version of the document's shape.
pub const VERSION: u32 = 1;

/// Writes nothing per lesson, and the whole document at the end.
#[derive(Debug, Default)]
pub struct Json;

/// The document: the grading under a version.
#[derive(Serialize)]
#[cfg_attr(test, derive(schemars::JsonSchema))]
struct Document<'a> {
    /// The shape's version: it changes when a field is renamed or removed.
    version: u32,
    /// Every graded lesson passed.
    passed: bool,
    #[serde(flatten)]
    grade: &'a GradeReport,
}

impl Reporter for Json {
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

#[cfg(test)]
mod tests {
    use super::*;

    /// docs/report.schema.json is the report types' schema: a change to the
    /// types changes it here (`APILINGS_BLESS=1 cargo test` writes it anew).
    #[test]
    fn the_published_schema_is_the_types_schema() {
        // The document is written, never read: its schema is serde's output side.
        let mut schema = schemars::generate::SchemaSettings::draft2020_12()
            .for_serialize()
            .into_generator()
            .into_root_schema_for::<Document<'static>>();
        schema.insert(
            "title".into(),
            format!("apilings grade report, version {VERSION}").into(),
        );
        let text = serde_json::to_string_pretty(&schema).unwrap() + "\n";
        let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("docs/report.schema.json");
        if std::env::var_os("APILINGS_BLESS").is_some() {
            std::fs::write(&path, &text).unwrap();
        }
        let published = std::fs::read_to_string(&path).unwrap_or_default();
        assert!(
            published == text,
            "docs/report.schema.json is not the schema of the report types; \
             run `APILINGS_BLESS=1 cargo test --lib the_published_schema` and commit it"
        );
    }
}
