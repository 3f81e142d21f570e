//! The JSON Schemas of lesson.toml and pack.toml (`docs/lesson.schema.json`,
//! `docs/pack.schema.json`, generated from the types by tests) held against a
//! file that does not deserialize: every unknown key, missing key and wrong
//! type at once, each at its place.

use std::sync::OnceLock;

use serde_json::Value as Json;

use super::Problem;
use super::tree::Tree;

/// The schema editors read through each lesson.toml's `#:schema` line.
const LESSON_SCHEMA: &str = include_str!("../../docs/lesson.schema.json");

/// The schema editors read through pack.toml's `#:schema` line.
const PACK_SCHEMA: &str = include_str!("../../docs/pack.schema.json");

/// Which file a schema describes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Schema {
    /// A lesson's `lesson.toml`.
    Lesson,
    /// The pack's `pack.toml`.
    Pack,
}

impl Schema {
    /// The schema's text, as published.
    pub fn text(self) -> &'static str {
        match self {
            Schema::Lesson => LESSON_SCHEMA,
            Schema::Pack => PACK_SCHEMA,
        }
    }

    /// The name of a pack's own copy (beside pack.toml).
    pub fn file_name(self) -> &'static str {
        match self {
            Schema::Lesson => "lesson.schema.json",
            Schema::Pack => "pack.schema.json",
        }
    }

    fn compiled(self) -> &'static (Json, Option<jsonschema::Validator>) {
        type Compiled = OnceLock<(Json, Option<jsonschema::Validator>)>;
        static LESSON: Compiled = OnceLock::new();
        static PACK: Compiled = OnceLock::new();
        let cell = match self {
            Schema::Lesson => &LESSON,
            Schema::Pack => &PACK,
        };
        cell.get_or_init(|| {
            let json: Json = serde_json::from_str(self.text()).unwrap_or(Json::Bool(true));
            let validator = jsonschema::validator_for(&json).ok();
            (json, validator)
        })
    }
}

/// What `schema` finds wrong with `text` (a file that parses as TOML).
pub(super) fn problems(schema: Schema, label: &str, text: &str) -> Vec<Problem> {
    let (json, Some(validator)) = schema.compiled() else {
        return vec![];
    };
    let Ok(table) = text.parse::<toml::Table>() else {
        return vec![];
    };
    let Ok(instance) = serde_json::to_value(&table) else {
        return vec![];
    };
    let tree = Tree::parse(text);
    let mut out: Vec<Problem> = Vec::new();
    for error in validator.iter_errors(&instance) {
        for e in specific(error) {
            let pointer = e.pointer;
            let (key, value) = tree.at_pointer(&pointer).unwrap_or((None, 0..0));
            use jsonschema::error::ValidationErrorKind as K;
            match e.kind {
                K::AdditionalProperties { unexpected } => {
                    let known = known_keys(json, &e.schema_path);
                    for name in unexpected {
                        let mut p = Problem::at(
                            label,
                            text,
                            key_span(&tree, &pointer, &name).unwrap_or(value.clone()),
                            format!("unknown key `{name}`{}", place(&pointer)),
                        );
                        if let Some(close) = closest(&name, &known) {
                            p = p.help(format!("did you mean `{close}`?"));
                        } else if !known.is_empty() {
                            p = p.help(format!("the keys here are: {}", known.join(", ")));
                        }
                        out.push(p);
                    }
                }
                K::Required { property } => {
                    let name = property.as_str().unwrap_or_default();
                    let p = Problem::at(
                        label,
                        text,
                        key.unwrap_or(value),
                        format!("missing key `{name}`{}", place(&pointer)),
                    );
                    out.push(match property_description(json, &e.schema_path, name) {
                        Some(d) => p.help(format!("`{name}`: {}", d.replace('\n', " "))),
                        None => p,
                    });
                }
                _ => {
                    let p = Problem::at(
                        label,
                        text,
                        value,
                        format!("{}{}", e.message, place(&pointer)),
                    );
                    out.push(match description(json, &e.schema_path) {
                        Some(d) => p.help(d.replace('\n', " ")),
                        None => p,
                    });
                }
            }
        }
    }
    out.sort_by_key(|p| p.at.as_ref().map(|a| (a.line, a.col)));
    out.dedup();
    out
}

/// One thing the schema found, owned.
struct Found {
    pointer: String,
    schema_path: String,
    kind: jsonschema::error::ValidationErrorKind,
    message: String,
}

/// For a choice (`anyOf`: a value or a table of predicates) the errors of the
/// one branch that fits the value's kind, which say more than "none matched".
fn specific(error: jsonschema::ValidationError<'_>) -> Vec<Found> {
    use jsonschema::error::ValidationErrorKind as K;
    let message = error.to_string();
    let parts = error.into_parts();
    let pointer = parts.instance_path.to_string();
    let branches = match parts.kind {
        K::AnyOf { context } | K::OneOfNotValid { context } => context,
        kind => {
            return vec![Found {
                pointer,
                schema_path: parts.schema_path.to_string(),
                kind,
                message,
            }];
        }
    };
    // A branch whose complaint is not the value's type is the one meant.
    let mut meant: Vec<_> = branches
        .into_iter()
        .filter(|b| {
            !b.iter().any(|e| {
                matches!(e.kind(), K::Type { .. }) && e.instance_path().to_string() == pointer
            })
        })
        .collect();
    if meant.len() == 1 && !meant[0].is_empty() {
        return meant.remove(0).into_iter().flat_map(specific).collect();
    }
    vec![Found {
        pointer,
        schema_path: parts.schema_path.to_string(),
        kind: K::FalseSchema,
        message,
    }]
}

fn key_span(tree: &Tree<'_>, pointer: &str, name: &str) -> Option<std::ops::Range<usize>> {
    let escaped = name.replace('~', "~0").replace('/', "~1");
    tree.at_pointer(&format!("{pointer}/{escaped}"))
        .and_then(|(k, _)| k)
}

/// ` in item 2, step 1`-like words for a pointer, for the message.
fn place(pointer: &str) -> String {
    if pointer.is_empty() {
        return String::new();
    }
    format!(
        " (at `{}`)",
        pointer.trim_start_matches('/').replace('/', ".")
    )
}

/// The keys the schema allows where an unknown one was found.
fn known_keys(schema: &Json, schema_path: &str) -> Vec<String> {
    let Some(object_path) = schema_path.strip_suffix("/additionalProperties") else {
        return vec![];
    };
    schema
        .pointer(&format!("{}/properties", resolve(schema, object_path)))
        .and_then(Json::as_object)
        .map(|o| o.keys().cloned().collect())
        .unwrap_or_default()
}

/// What the schema says of the value a keyword (`…/pattern`) failed on.
fn description(schema: &Json, schema_path: &str) -> Option<String> {
    let (subschema, _) = schema_path.rsplit_once('/')?;
    let at = schema.pointer(&resolve(schema, subschema))?;
    let described = at.get("description").or_else(|| {
        let reference = at.get("$ref")?.as_str()?;
        schema
            .pointer(reference.trim_start_matches('#'))?
            .get("description")
    });
    described.and_then(Json::as_str).map(str::to_string)
}

/// What the schema says of a property that a `required` keyword names.
fn property_description(schema: &Json, schema_path: &str, name: &str) -> Option<String> {
    let object_path = schema_path.strip_suffix("/required")?;
    let escaped = name.replace('~', "~0").replace('/', "~1");
    schema
        .pointer(&format!(
            "{}/properties/{escaped}",
            resolve(schema, object_path)
        ))
        .and_then(|p| p.get("description"))
        .and_then(Json::as_str)
        .map(str::to_string)
}

/// A schema path through `$ref`s, as a pointer into the schema document.
fn resolve(schema: &Json, path: &str) -> String {
    let mut target = String::new();
    for seg in path.split('/').skip(1) {
        if seg == "$ref" {
            let reference = schema
                .pointer(&target)
                .and_then(|v| v.get("$ref"))
                .and_then(Json::as_str)
                .unwrap_or_default();
            target = reference.trim_start_matches('#').to_string();
        } else {
            target.push('/');
            target.push_str(seg);
        }
    }
    target
}

/// The known key one or two edits away from `name`, if there is one.
fn closest(name: &str, known: &[String]) -> Option<String> {
    known
        .iter()
        .map(|k| (distance(name, k), k))
        .filter(|(d, _)| *d <= 2)
        .min()
        .map(|(_, k)| k.clone())
}

/// Edits between two words, a swap of neighbours counting one (`titel`).
fn distance(a: &str, b: &str) -> usize {
    let (a, b): (Vec<char>, Vec<char>) = (a.chars().collect(), b.chars().collect());
    let mut d = vec![vec![0usize; b.len() + 1]; a.len() + 1];
    for (i, row) in d.iter_mut().enumerate() {
        row[0] = i;
    }
    for (j, cell) in d[0].iter_mut().enumerate() {
        *cell = j;
    }
    for i in 1..=a.len() {
        for j in 1..=b.len() {
            let cost = usize::from(a[i - 1] != b[j - 1]);
            d[i][j] = (d[i - 1][j] + 1)
                .min(d[i][j - 1] + 1)
                .min(d[i - 1][j - 1] + cost);
            if i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] {
                d[i][j] = d[i][j].min(d[i - 2][j - 2] + 1);
            }
        }
    }
    d[a.len()][b.len()]
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The published schemas are the types' schemas: a change to the types
    /// changes them here (`APILINGS_BLESS=1 cargo test` writes them anew).
    #[test]
    fn the_published_schemas_are_the_types_schemas() {
        fn published<T: schemars::JsonSchema>(schema: Schema, title: &str) {
            let mut root = schemars::generate::SchemaSettings::draft2020_12()
                .for_deserialize()
                .into_generator()
                .into_root_schema_for::<T>();
            root.insert("title".into(), title.into());
            let text = serde_json::to_string_pretty(&root).unwrap() + "\n";
            let name = schema.file_name();
            let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
                .join("docs")
                .join(name);
            if std::env::var_os("APILINGS_BLESS").is_some() {
                std::fs::write(&path, &text).unwrap();
            }
            assert!(
                schema.text() == text,
                "docs/{name} is not the schema of its types; \
                 run `APILINGS_BLESS=1 cargo test --lib the_published_schemas` and commit it"
            );
        }
        published::<super::super::LessonToml>(Schema::Lesson, "apilings lesson.toml");
        published::<super::super::PackToml>(Schema::Pack, "apilings pack.toml");
    }

    #[test]
    fn the_core_packs_pack_toml_fits_its_schema() {
        let files = crate::lessons::PackFiles::embedded();
        let found = problems(
            Schema::Pack,
            "pack.toml",
            files.lesson_file("pack.toml").unwrap(),
        );
        assert!(found.is_empty(), "{found:#?}");
    }

    #[test]
    fn a_pack_toml_gets_every_problem_with_help() {
        let text = "nmae = \"p\"\nversion = 3\n[dependencies]\naxum = \"0.8\"\n";
        let said: Vec<String> = problems(Schema::Pack, "pack.toml", text)
            .iter()
            .map(|p| format!("{p} | {:?}", p.help))
            .collect();
        let expected = [
            "pack.toml:1:1: unknown key `nmae` | Some(\"did you mean `name`?\")",
            "pack.toml:1:1: missing key `name` | Some(\"`name`: The pack's name: a workspace records it, and commands refuse a workspace of another pack.\")",
            "pack.toml:2:11: 3 is not of type \"string\" (at `version`) | Some(\"The pack's version (default 0.0.0), recorded in a workspace made from it.\")",
        ];
        assert_eq!(said, expected);
    }

    #[test]
    fn every_lesson_of_the_core_pack_fits_the_schema() {
        let files = crate::lessons::PackFiles::embedded();
        for dir in files.lesson_dirs() {
            let path = format!("{dir}/lesson.toml");
            let problems = problems(Schema::Lesson, &path, files.lesson_file(&path).unwrap());
            assert!(problems.is_empty(), "{path}: {problems:#?}");
        }
    }

    #[test]
    fn every_problem_the_schema_finds_is_at_its_place() {
        let text = "title = \"t\"\nedit = [\"src/main.rs\"]\ntitel = 1\n\n[[item]]\nid = \"a\"\ntitle = 2\nhints = [\"h\"]\n\n  [[item.step]]\n  request = { path = \"/x\", methd = \"GET\" }\n  expect = { status = { equal = 200 } }\n";
        let found = problems(Schema::Lesson, "lesson.toml", text);
        let said: Vec<String> = found
            .iter()
            .map(|p| format!("{p} | {:?}", p.help))
            .collect();
        let expected = [
            "lesson.toml:3:1: unknown key `titel` | Some(\"did you mean `title`?\")",
            "lesson.toml:7:9: 2 is not of type \"string\" (at `item.0.title`) | Some(\"What the learner must make true, in one line.\")",
            "lesson.toml:11:28: unknown key `methd` (at `item.0.step.0.request`) | Some(\"did you mean `method`?\")",
            "lesson.toml:12:25: unknown key `equal` (at `item.0.step.0.expect.status`) | Some(\"did you mean `equals`?\")",
        ];
        assert_eq!(said, expected);
    }

    /// docs/lesson-format.md is the complete reference: every key of the
    /// schema is named there.
    #[test]
    fn every_key_is_in_the_reference() {
        fn keys(v: &Json, out: &mut std::collections::BTreeSet<String>) {
            match v {
                Json::Object(o) => {
                    if let Some(Json::Object(props)) = o.get("properties") {
                        out.extend(props.keys().cloned());
                    }
                    o.values().for_each(|v| keys(v, out));
                }
                Json::Array(a) => a.iter().for_each(|v| keys(v, out)),
                _ => {}
            }
        }
        let mut all = std::collections::BTreeSet::new();
        keys(&serde_json::from_str(LESSON_SCHEMA).unwrap(), &mut all);
        keys(&serde_json::from_str(PACK_SCHEMA).unwrap(), &mut all);
        let doc = std::fs::read_to_string(
            std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("docs/lesson-format.md"),
        )
        .unwrap();
        let missing: Vec<&String> = all
            .iter()
            .filter(|k| !doc.contains(&format!("`{k}")) && !doc.contains(&format!("{k} =")))
            .collect();
        assert!(all.len() > 60, "{all:?}");
        assert!(
            missing.is_empty(),
            "docs/lesson-format.md does not name: {missing:?}"
        );
    }
}
