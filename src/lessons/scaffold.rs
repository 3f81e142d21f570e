//! What `apilings dev new-pack` and `apilings dev new` write: a pack that
//! builds and verifies, and a lesson whose parts the author must still write
//! are marked `TODO(author)` (which `apilings dev check` lists).

use super::PackFiles;
use super::schema::Schema;

/// The marker of what the author must still write.
pub const TODO: &str = "TODO(author)";

const LESSON_TOML: &str = include_str!("scaffold/lesson.toml");
const README: &str = include_str!("scaffold/README.md");
const STUB: &str = include_str!("scaffold/stub.rs");
const SOLUTION: &str = include_str!("scaffold/solution.rs");
const HELLO_TOML: &str = include_str!("scaffold/hello.toml");
const HELLO_README: &str = include_str!("scaffold/hello.md");

/// Files to write, by path relative to the folder they go in.
pub type Files = Vec<(String, String)>;

/// A new pack named `name`: `lessons/` (pack.toml, the core pack's kit,
/// dependencies and lock, the schemas, lesson `01-hello`) and `solutions/`.
pub fn new_pack(name: &str) -> Files {
    let core = PackFiles::embedded();
    let core_toml = core.lesson_file("pack.toml").unwrap_or_default();
    let dependencies = core_toml
        .find("[dependencies]")
        .map_or("[dependencies]\n", |at| &core_toml[at..]);
    let mut files: Files = vec![(
        "lessons/pack.toml".into(),
        format!(
            "#:schema pack.schema.json\n\
             # A lesson pack for apilings (docs/lesson-format.md). Lessons are the folders\n\
             # beside this file that hold a lesson.toml, in name order.\n\
             name = {}\nversion = \"0.1.0\"\nsolutions = \"../solutions\"\n\n\
             # Every lesson crate depends on exactly these (the kit needs them too).\n{dependencies}",
            toml_string(name)
        ),
    )];
    if let Some(lock) = core.lesson_file("Cargo.lock") {
        files.push(("lessons/Cargo.lock".into(), lock.to_string()));
    }
    for (path, text) in core.under("kit") {
        files.push((format!("lessons/kit/{path}"), text));
    }
    for schema in [Schema::Lesson, Schema::Pack] {
        files.push((
            format!("lessons/{}", schema.file_name()),
            schema.text().into(),
        ));
    }
    let title = "Hello: a health endpoint with a response model";
    let fill = |t: &str| t.replace("{{title}}", title).replace("{{id}}", "01");
    files.extend([
        ("lessons/01-hello/lesson.toml".into(), HELLO_TOML.into()),
        ("lessons/01-hello/README.md".into(), HELLO_README.into()),
        ("lessons/01-hello/src/main.rs".into(), fill(STUB)),
        ("solutions/01-hello/src/main.rs".into(), fill(SOLUTION)),
    ]);
    files
}

/// A new lesson folder `dir` (e.g. `03-rate-limits`): its files relative to
/// the pack's `lessons/` folder, and its solution's relative to `solutions/`.
/// `schema` is the path of the lesson schema from the lesson folder.
pub fn new_lesson(dir: &str, schema: &str) -> (Files, Files) {
    let number = dir.split('-').next().unwrap_or(dir);
    let title = format!("{TODO}: the title of {dir}");
    let fill = |t: &str| {
        t.replace("{{schema}}", schema)
            .replace("{{title}}", &title)
            .replace("{{id}}", number)
    };
    (
        vec![
            (format!("{dir}/lesson.toml"), fill(LESSON_TOML)),
            (format!("{dir}/README.md"), fill(README)),
            (format!("{dir}/src/main.rs"), fill(STUB)),
        ],
        vec![(format!("{dir}/src/main.rs"), fill(SOLUTION))],
    )
}

/// The folder name of a new lesson `slug` after the pack's lessons `existing`:
/// the next number, as wide as theirs (`07-slug` after `06-…`).
pub fn next_dir(existing: &[String], slug: &str) -> Result<String, String> {
    let plain = !slug.is_empty()
        && slug
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-')
        && !slug.starts_with('-')
        && !slug.starts_with(|c: char| c.is_ascii_digit());
    if !plain {
        return Err(format!(
            "`{}` is not a lesson slug: lower-case letters, digits and `-`, starting with a letter (e.g. `rate-limits`)",
            slug.escape_debug()
        ));
    }
    let numbers: Vec<(u32, usize)> = existing
        .iter()
        .filter_map(|d| {
            let digits: String = d.chars().take_while(char::is_ascii_digit).collect();
            digits.parse().ok().map(|n| (n, digits.len()))
        })
        .collect();
    if let Some(same) = existing
        .iter()
        .find(|d| d.split_once('-').is_some_and(|(_, s)| s == slug))
    {
        return Err(format!("the pack already has a lesson `{same}`"));
    }
    let next = numbers.iter().map(|(n, _)| n + 1).max().unwrap_or(1);
    let width = numbers.iter().map(|(_, w)| *w).max().unwrap_or(2);
    Ok(format!("{next:0width$}-{slug}"))
}

fn toml_string(s: &str) -> String {
    toml::Value::String(s.to_string()).to_string()
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::BTreeMap;

    fn pack_of(files: &Files) -> PackFiles {
        let (mut lessons, mut solutions) = (BTreeMap::new(), BTreeMap::new());
        for (path, text) in files {
            if let Some(rel) = path.strip_prefix("lessons/") {
                lessons.insert(rel.to_string(), text.clone());
            } else if let Some(rel) = path.strip_prefix("solutions/") {
                solutions.insert(rel.to_string(), text.clone());
            }
        }
        PackFiles::from_maps(lessons, solutions)
    }

    #[test]
    fn a_new_pack_passes_dev_check() {
        let files = new_pack("my \"course\"");
        let (pack, problems) = crate::lessons::Pack::check(&pack_of(&files));
        assert!(problems.is_empty(), "{problems:#?}");
        let pack = pack.unwrap();
        assert_eq!(pack.name, "my \"course\"");
        assert_eq!(pack.lessons[0].id, "01-hello");
    }

    #[test]
    fn a_new_lesson_fails_dev_check_only_on_what_the_author_must_write() {
        let mut files = new_pack("p");
        let (lesson, solution) = new_lesson("02-rate-limits", "../lesson.schema.json");
        files.extend(lesson.into_iter().map(|(p, t)| (format!("lessons/{p}"), t)));
        files.extend(
            solution
                .into_iter()
                .map(|(p, t)| (format!("solutions/{p}"), t)),
        );
        let (pack, problems) = crate::lessons::Pack::check(&pack_of(&files));
        assert!(pack.is_none());
        assert!(!problems.is_empty());
        for p in &problems {
            assert!(p.message.contains(TODO), "only the TODOs: {p}");
        }
        // It loads (and so verifies) as it is.
        crate::lessons::Pack::from_files(&pack_of(&files)).unwrap();
    }

    #[test]
    fn every_commented_example_of_the_scaffold_is_a_valid_item() {
        let (lesson, _) = new_lesson("02-x", "../lesson.schema.json");
        let text = &lesson[0].1;
        let examples = text.split("\n#\n# [[item]]").skip(1);
        let mut n = 0;
        for example in examples {
            let block: String = format!("# [[item]]{example}")
                .lines()
                .take_while(|l| l.starts_with('#'))
                .map(|l| l.strip_prefix("# ").unwrap_or(""))
                // Prose between the examples starts with a capital.
                .filter(|l| !l.starts_with(|c: char| c.is_ascii_uppercase() || c == '─'))
                .collect::<Vec<_>>()
                .join("\n");
            let body = format!("title = \"t\"\nedit = []\n{block}\n");
            let parsed: Result<super::super::LessonToml, _> = toml::from_str(&body);
            assert!(parsed.is_ok(), "{block}\n{:?}", parsed.err());
            n += 1;
        }
        assert_eq!(n, 7, "one example of each kind");
    }

    #[test]
    fn a_new_lesson_takes_the_next_number() {
        let have = vec!["01-a".to_string(), "02-b".to_string()];
        assert_eq!(next_dir(&have, "rate-limits").unwrap(), "03-rate-limits");
        assert_eq!(next_dir(&[], "x").unwrap(), "01-x");
        assert_eq!(next_dir(&["009-z".into()], "y").unwrap(), "010-y");
        assert!(
            next_dir(&have, "b")
                .unwrap_err()
                .contains("already has a lesson `02-b`")
        );
        assert!(next_dir(&have, "Bad Slug").is_err());
        assert!(next_dir(&have, "3-x").is_err());
    }
}
