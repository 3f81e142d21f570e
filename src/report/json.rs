//! `grade --format json`: the whole grading as one JSON document. Its shape
//! is the report types as serde writes them, under a `version` that changes
//! whenever a field is renamed or removed (docs/grading.md).

use serde::Serialize;

use super::{ClassReport, GradeReport, Reporter};

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

/// A class's document: every learner's grading under a version.
#[derive(Serialize)]
#[cfg_attr(test, derive(schemars::JsonSchema))]
struct ClassDocument<'a> {
    /// The shape's version: it changes when a field is renamed or removed.
    version: u32,
    /// Every learner passed every lesson.
    passed: bool,
    #[serde(flatten)]
    class: &'a ClassReport,
}

/// A class's grading as one JSON document.
pub fn class_document(class: &ClassReport) -> String {
    pretty(&ClassDocument {
        version: VERSION,
        passed: class.passed(),
        class,
    })
}

/// `doc` as indented JSON with a final newline. Plain data with string keys:
/// serializing it cannot fail.
pub(super) fn pretty(doc: &impl Serialize) -> String {
    let mut text = serde_json::to_string_pretty(doc).unwrap_or_default();
    text.push('\n');
    text
}

impl Reporter for Json {
    fn finish(&mut self, grade: &GradeReport) -> String {
        pretty(&Document {
            version: VERSION,
            passed: grade.passed(),
            grade,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The published schemas are the report types' schemas: a change to the
    /// types changes them here (`APILINGS_BLESS=1 cargo test` writes them anew).
    #[test]
    fn the_published_schemas_are_the_types_schemas() {
        fn check<T: schemars::JsonSchema>(file: &str, title: &str) {
            // The documents are written, never read: serde's output side.
            let mut schema = schemars::generate::SchemaSettings::draft2020_12()
                .for_serialize()
                .into_generator()
                .into_root_schema_for::<T>();
            schema.insert("title".into(), format!("{title}, version {VERSION}").into());
            let text = serde_json::to_string_pretty(&schema).unwrap() + "\n";
            let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join(file);
            if std::env::var_os("APILINGS_BLESS").is_some() {
                std::fs::write(&path, &text).unwrap();
            }
            let published = std::fs::read_to_string(&path).unwrap_or_default();
            assert!(
                published == text,
                "{file} is not the schema of the report types; \
                 run `APILINGS_BLESS=1 cargo test --lib the_published_schemas` and commit it"
            );
        }
        check::<Document<'static>>("docs/report.schema.json", "apilings grade report");
        check::<ClassDocument<'static>>(
            "docs/class-report.schema.json",
            "apilings grade --class report",
        );
    }
}
