//! Rules of a well-made lesson that loading does not need, checked by
//! `apilings dev check`: a README with its four sections in order, and
//! `covers` that name points of the curriculum.

use pulldown_cmark::{Event, HeadingLevel, Parser, Tag, TagEnd};

use super::scaffold::TODO;
use super::schema::Schema;
use super::tree::{Seg, Tree};
use super::{PackFiles, Problem};

/// The sections every lesson README has, in order: what a heading must contain.
pub const README_SECTIONS: [(&str, &str); 4] = [
    ("principle", "## The principle"),
    ("idiom", "## The axum idiom"),
    ("task", "## Your task"),
    ("graded", "## What is graded"),
];

/// The curriculum's points (docs/curriculum.md), as `covers` names them.
pub const CURRICULUM: &[&str] = &[
    "question: api design",
    "question: validation",
    "question: error handling",
    "question: security",
    "question: async safety",
    "question: documentation",
    "question: testing",
    "principle: endpoint design",
    "principle: pydantic models",
    "principle: dependency injection",
    "principle: error handling",
    "principle: async patterns",
    "principle: streaming responses",
    "self-check: endpoints follow rest conventions",
    "self-check: response models are defined for all endpoints",
    "self-check: error responses are consistent",
    "self-check: openapi documentation is complete",
    "self-check: pydantic models validate all inputs",
    "self-check: authentication is enforced on protected endpoints",
    "self-check: api keys/tokens are validated",
    "self-check: cors is configured appropriately",
    "self-check: secrets are in environment variables",
    "self-check: async operations don't block",
    "self-check: database connections are pooled",
    "self-check: no n+1 query problems",
    "self-check: streaming works without buffering",
    "self-check: type hints on all functions",
    "self-check: exceptions are handled gracefully",
    "self-check: logging captures key events",
];

/// The authoring rules of the pack as a whole.
pub(super) fn check_pack(files: &PackFiles, out: &mut Vec<Problem>) {
    // Editors validate lesson.toml and pack.toml against the pack's copies of
    // the schemas (`#:schema ../lesson.schema.json`): an old copy misleads them.
    for schema in [Schema::Lesson, Schema::Pack] {
        let name = schema.file_name();
        if let Some(copy) = files.lesson_file(name)
            && copy != schema.text()
        {
            let which = if schema == Schema::Lesson {
                "lesson"
            } else {
                "pack"
            };
            out.push(
                Problem::file(
                    files.label(name),
                    format!("this copy of the {which} schema is not the one of this apilings"),
                )
                .help(format!(
                    "write it anew: `apilings dev schema {which} > {}`",
                    files.label(name)
                )),
            );
        }
    }
}

/// The authoring rules of one lesson folder.
pub(super) fn check_lesson(files: &PackFiles, dir: &str, out: &mut Vec<Problem>) {
    if let Some(readme) = files.lesson_file(&format!("{dir}/README.md")) {
        readme_sections(&files.label(&format!("{dir}/README.md")), readme, out);
    }
    let path = format!("{dir}/lesson.toml");
    if let Some(text) = files.lesson_file(&path) {
        covers(&files.label(&path), text, out);
    }
    let lesson = files
        .under(dir)
        .into_iter()
        .map(|(p, t)| (files.label(&format!("{dir}/{p}")), t));
    let solution = files
        .solution_files(dir)
        .into_iter()
        .map(|(p, t)| (format!("{}/{p}", files.solutions_label(dir)), t));
    for (label, text) in lesson.chain(solution) {
        left_to_write(&label, &text, out);
    }
}

/// Every `TODO(author)` the scaffold left: what only the author can write.
fn left_to_write(label: &str, text: &str, out: &mut Vec<Problem>) {
    for (at, _) in text.match_indices(TODO) {
        let line_end = text[at..].find('\n').map_or(text.len(), |i| at + i);
        let what = text[at + TODO.len()..line_end]
            .trim_start_matches(':')
            .trim()
            .trim_end_matches(['"', ',', '|', ' ']);
        out.push(
            Problem::at(
                label,
                text,
                at..at + TODO.len(),
                format!("{TODO} left: {what}"),
            )
            .help("the scaffold marks what only you can write; write it and remove the marker"),
        );
    }
}

fn readme_sections(label: &str, text: &str, out: &mut Vec<Problem>) {
    // The level-2 headings, with where each starts.
    let mut headings: Vec<(String, usize)> = Vec::new();
    let mut current: Option<(String, usize)> = None;
    for (event, range) in Parser::new(text).into_offset_iter() {
        match event {
            Event::Start(Tag::Heading {
                level: HeadingLevel::H2,
                ..
            }) => current = Some((String::new(), range.start)),
            Event::Text(t) | Event::Code(t) => {
                if let Some((s, _)) = &mut current {
                    s.push_str(&t);
                }
            }
            Event::End(TagEnd::Heading(HeadingLevel::H2)) => {
                headings.extend(current.take().map(|(s, at)| (s.to_lowercase(), at)));
            }
            _ => {}
        }
    }
    let mut after = 0; // index in `headings` the next section must come after
    for (word, example) in README_SECTIONS {
        match headings
            .iter()
            .skip(after)
            .position(|(h, _)| h.contains(word))
        {
            Some(i) => after += i + 1,
            None => {
                let misplaced = headings.iter().find(|(h, _)| h.contains(word));
                let p = match misplaced {
                    Some((_, at)) => Problem::at(
                        label,
                        text,
                        *at..*at + 2,
                        format!("the section on the {word} is out of order"),
                    ),
                    None => Problem::file(
                        label,
                        format!("no section on the {word} (a `## ` heading with \"{word}\" in it)"),
                    ),
                };
                out.push(p.help(format!(
                    "a lesson README has four sections, in this order: {}; this one is like `{example}`",
                    README_SECTIONS
                        .iter()
                        .map(|(_, e)| format!("`{e}`"))
                        .collect::<Vec<_>>()
                        .join(", ")
                )));
            }
        }
    }
}

fn covers(label: &str, text: &str, out: &mut Vec<Problem>) {
    let Ok(raw) = text.parse::<toml::Table>() else {
        return; // the loader has said what is wrong
    };
    let tree = Tree::parse(text);
    let items = raw.get("item").and_then(toml::Value::as_array);
    for (i, item) in items.into_iter().flatten().enumerate() {
        let names = item.get("covers").and_then(toml::Value::as_array);
        for (j, name) in names.into_iter().flatten().enumerate() {
            let Some(name) = name.as_str() else { continue };
            if CURRICULUM.contains(&name.to_lowercase().as_str()) {
                continue;
            }
            let span = tree.value(&[
                Seg::Key("item"),
                Seg::Index(i),
                Seg::Key("covers"),
                Seg::Index(j),
            ]);
            let kind = name.split_once(':').map_or("", |(k, _)| k);
            let same_kind: Vec<&str> = CURRICULUM
                .iter()
                .filter(|c| c.starts_with(&format!("{kind}:")))
                .copied()
                .collect();
            out.push(
                Problem::maybe_at(
                    label,
                    text,
                    span,
                    format!("`{name}` is not a point of the curriculum"),
                )
                .help(if same_kind.is_empty() {
                    "a point is `question: …`, `principle: …` or `self-check: …` (docs/curriculum.md)".to_string()
                } else {
                    format!("the {kind} points: {}", same_kind.join("; "))
                }),
            );
        }
    }
}
