//! The lesson catalog: a lesson pack parsed into typed values.
//!
//! A pack is a `lessons/` folder (`pack.toml`, the `kit/` support crate, a pinned
//! `Cargo.lock`, and one `NN-slug/` folder per lesson holding `lesson.toml`,
//! `README.md` and the stub files) plus a `solutions/` folder with the solution
//! files at the same relative paths. The core pack is embedded in the binary;
//! `--lessons DIR` loads one from disk. No I/O beyond reading the pack.

mod authoring;
pub mod problem;
mod rules;
pub mod scaffold;
mod schema;
mod source;
pub mod tree;

use std::collections::BTreeMap;
use std::path::PathBuf;

use serde::Deserialize;

use crate::checks::model::Item;
pub use problem::Problem;
pub use schema::Schema;
pub use source::PackFiles;
use tree::{Seg, Tree};

/// A loaded, validated lesson pack.
#[derive(Debug, Clone)]
pub struct Pack {
    /// The pack's name (`pack.toml`).
    pub name: String,
    /// Its version (`pack.toml`, `0.0.0` when it has none).
    pub version: String,
    /// Where it came from, for messages: `embedded` or a folder.
    pub origin: String,
    /// A hash of every file of the pack (lessons and solutions): which pack
    /// a workspace was made from, beyond its name and version.
    pub hash: String,
    /// `[dependencies]` of `pack.toml`: every lesson crate gets exactly these.
    pub dependencies: toml::Table,
    /// The kit crate's files, relative to `kit/`.
    pub kit: Vec<(String, String)>,
    /// The pinned `Cargo.lock` for the generated workspace, if the pack ships one.
    pub lock: Option<String>,
    /// The lessons, in order.
    pub lessons: Vec<Lesson>,
}

/// One lesson: its text, its stub and solution files, and its checks.
#[derive(Debug, Clone)]
pub struct Lesson {
    /// The folder name, e.g. `01-first-endpoint`.
    pub id: String,
    /// One-line title.
    pub title: String,
    /// The teaching text (Markdown).
    pub readme: String,
    /// Files the learner edits, relative to the lesson's crate.
    pub edit: Vec<String>,
    /// Run variables, rendered once per run (may use `{{random}}`).
    pub vars: BTreeMap<String, String>,
    /// Environment the server is started with (templates allowed).
    pub env: BTreeMap<String, String>,
    /// Values of the run that must never be printed (templates, e.g.
    /// `{{env.API_KEY}}`): the output of every start item is checked for them.
    pub secrets: Vec<String>,
    /// The checklist.
    pub items: Vec<Item>,
    /// Stub files (everything in the lesson folder but `lesson.toml`), relative to the crate.
    pub stub: Vec<(String, String)>,
    /// Solution files, relative to the crate.
    pub solution: Vec<(String, String)>,
    /// Known-broken variants of the lesson's code, by name, that the
    /// learner's tests must catch (from the lesson's `mutants/` folder).
    pub mutants: BTreeMap<String, Mutant>,
}

/// A known-broken variant of one file of a lesson: what the learner's tests
/// must catch. Made from the stub's file with the edits of `mutants/NAME.toml`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Mutant {
    /// What is broken, as the learner reads it: "your tests pass when …".
    pub why: String,
    /// The file it replaces, relative to the crate.
    pub file: String,
    /// The file's broken text.
    pub text: String,
}

/// A mutant as written in `mutants/NAME.toml`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct MutantToml {
    why: String,
    file: String,
    #[serde(rename = "edit")]
    edits: Vec<MutantEdit>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct MutantEdit {
    from: String,
    to: String,
}

/// The lesson's mutants: each `mutants/NAME.toml` applied to its stub file.
fn load_mutants(
    files: &PackFiles,
    dir: &str,
    stub: &[(String, String)],
    out: &mut Vec<Problem>,
) -> BTreeMap<String, Mutant> {
    let mut mutants = BTreeMap::new();
    for (path, _) in files.under(dir) {
        let Some(name) = path
            .strip_prefix("mutants/")
            .and_then(|n| n.strip_suffix(".toml"))
        else {
            continue;
        };
        let full = format!("{dir}/{path}");
        let Some(m) = parse_toml::<MutantToml>(files, &full, out) else {
            continue;
        };
        let label = files.label(&full);
        let text = files.lesson_file(&full).unwrap_or_default();
        let tree = Tree::parse(text);
        let Some((_, original)) = stub.iter().find(|(p, _)| *p == m.file) else {
            out.push(
                Problem::maybe_at(
                    label,
                    text,
                    tree.value(&[Seg::Key("file")]),
                    format!(
                        "`file` names `{}`, which the lesson folder does not have",
                        m.file
                    ),
                )
                .help("a mutant changes one of the lesson's stub files: name it relative to the lesson folder, e.g. `src/main.rs`"),
            );
            continue;
        };
        let mut broken = original.clone();
        let mut ok = true;
        for (i, e) in m.edits.iter().enumerate() {
            if broken.matches(e.from.as_str()).count() != 1 {
                out.push(Problem::maybe_at(
                    label.clone(),
                    text,
                    tree.value(&[Seg::Key("edit"), Seg::Index(i), Seg::Key("from")]),
                    format!(
                        "an edit's `from` must occur exactly once in {}, and this one occurs {} times",
                        m.file,
                        broken.matches(e.from.as_str()).count()
                    ),
                ));
                ok = false;
                continue;
            }
            broken = broken.replacen(&e.from, &e.to, 1);
        }
        if ok {
            mutants.insert(
                name.to_string(),
                Mutant {
                    why: m.why,
                    file: m.file,
                    text: broken,
                },
            );
        }
    }
    mutants
}

impl Lesson {
    /// The Cargo package name of the lesson's crate in the learner's workspace.
    pub fn crate_name(&self) -> String {
        format!("lesson-{}", self.id)
    }

    /// The lesson's number, when its id starts with digits (`01-…` → `1`).
    pub fn number(&self) -> Option<u32> {
        let digits: String = self.id.chars().take_while(char::is_ascii_digit).collect();
        digits.parse().ok()
    }
}

impl Pack {
    /// The core pack, embedded in the binary: its version is apilings'.
    pub fn embedded() -> Result<Pack, PackError> {
        let mut pack = Pack::from_files(&PackFiles::embedded())?;
        pack.version = env!("CARGO_PKG_VERSION").to_string();
        Ok(pack)
    }

    /// A pack from disk: `lessons_dir` holds `pack.toml`; solutions are where it says.
    pub fn from_dir(lessons_dir: impl Into<PathBuf>) -> Result<Pack, PackError> {
        Pack::from_files(&PackFiles::from_dir(lessons_dir.into())?)
    }

    /// Finds a lesson by id, by the part after the number (`first-endpoint`), or by number.
    pub fn find(&self, name: &str) -> Result<&Lesson, UnknownLesson> {
        let wanted = name.trim().trim_end_matches('/');
        let by_number: Option<u32> = wanted.parse().ok();
        self.lessons
            .iter()
            .find(|l| {
                l.id == wanted
                    || l.id.split_once('-').is_some_and(|(_, slug)| slug == wanted)
                    || (by_number.is_some() && l.number() == by_number)
            })
            .ok_or_else(|| UnknownLesson {
                name: name.to_string(),
                known: self.lessons.iter().map(|l| l.id.clone()).collect(),
            })
    }

    /// Parses and validates every file of a pack: every problem at once.
    pub fn from_files(files: &PackFiles) -> Result<Pack, PackError> {
        let mut out = Vec::new();
        match Pack::load(files, &mut out) {
            Some(pack) if out.is_empty() => Ok(pack),
            _ => Err(PackError::Problems(out)),
        }
    }

    /// What an author must mend: every problem of the loader, and the rules
    /// of a well-made pack that loading does not need (a README's sections,
    /// curriculum points). The pack, when it loads.
    pub fn check(files: &PackFiles) -> (Option<Pack>, Vec<Problem>) {
        let mut out = Vec::new();
        let pack = Pack::load(files, &mut out);
        authoring::check_pack(files, &mut out);
        for dir in files.lesson_dirs() {
            authoring::check_lesson(files, &dir, &mut out);
        }
        (pack.filter(|_| out.is_empty()), out)
    }

    fn load(files: &PackFiles, out: &mut Vec<Problem>) -> Option<Pack> {
        let pack_toml: Option<PackToml> = parse_toml(files, "pack.toml", out);
        let lessons: Vec<Lesson> = files
            .lesson_dirs()
            .into_iter()
            .filter_map(|dir| load_lesson(files, &dir, out))
            .collect();
        let pack_toml = pack_toml?;
        // These names are written into the generated manifests: plain names only.
        let plain = |n: &str| {
            !n.is_empty()
                && n.len() <= 64
                && n.chars()
                    .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
        };
        let label = files.label("pack.toml");
        let pack_text = files.lesson_file("pack.toml").unwrap_or_default();
        let tree = Tree::parse(pack_text);
        for bad in pack_toml.dependencies.keys().filter(|n| !plain(n)) {
            out.push(Problem::maybe_at(
                label.clone(),
                pack_text,
                tree.key(&[Seg::Key("dependencies"), Seg::Key(bad)]),
                format!(
                    "`{}` is not a crate name (letters, digits, `-` and `_`, at most 64)",
                    bad.escape_debug()
                ),
            ));
        }
        if pack_toml.name.len() > 64 || pack_toml.name.chars().any(char::is_control) {
            out.push(Problem::maybe_at(
                label.clone(),
                pack_text,
                tree.value(&[Seg::Key("name")]),
                "the pack's `name` must be one line of at most 64 characters",
            ));
        }
        if files.lesson_dirs().is_empty() {
            out.push(
                Problem::file(label, "the pack has no lessons")
                    .help("a lesson is a folder beside pack.toml holding a lesson.toml, e.g. `01-hello/lesson.toml`; `apilings dev new SLUG` makes one"),
            );
        }
        if !out.is_empty() {
            return None;
        }
        Some(Pack {
            name: pack_toml.name,
            version: pack_toml.version,
            origin: files.origin(),
            hash: files.hash(),
            dependencies: pack_toml.dependencies,
            kit: files.under("kit"),
            lock: files.lesson_file("Cargo.lock").map(str::to_string),
            lessons,
        })
    }
}

// docs/pack.schema.json is generated from this type.
/// A pack's `pack.toml`: its name, version, solutions folder and the lesson
/// crates' dependencies (docs/lesson-format.md).
#[derive(Debug, Deserialize)]
#[cfg_attr(test, derive(schemars::JsonSchema))]
#[serde(deny_unknown_fields)]
struct PackToml {
    /// The pack's name: a workspace records it, and commands refuse a workspace of another pack.
    name: String,
    /// The pack's version (default 0.0.0), recorded in a workspace made from it.
    #[serde(default = "default_version")]
    version: String,
    /// Where the reference solutions are, from this folder (default `../solutions`).
    #[allow(dead_code)] // read by PackFiles before parsing; kept here so deny_unknown_fields accepts it
    #[serde(default)]
    solutions: Option<String>,
    /// The crates every lesson crate (and the kit) depends on, as in Cargo.toml: `name = "version"` or a table.
    #[serde(default)]
    #[cfg_attr(test, schemars(with = "BTreeMap<String, DependencySchema>"))]
    dependencies: toml::Table,
}

/// A dependency of pack.toml, as Cargo.toml writes one.
#[cfg(test)]
struct DependencySchema;

#[cfg(test)]
impl schemars::JsonSchema for DependencySchema {
    fn schema_name() -> std::borrow::Cow<'static, str> {
        "Dependency".into()
    }
    fn json_schema(_: &mut schemars::SchemaGenerator) -> schemars::Schema {
        schemars::json_schema!({
            "description": "A version requirement (\"0.8\") or a table as in Cargo.toml ({ version = \"1\", features = [\"derive\"] }).",
            "type": ["string", "object"]
        })
    }
}

fn default_version() -> String {
    "0.0.0".into()
}

/// A lesson of an apilings pack: its title, the files the learner edits, and
/// its checklist (docs/lesson-format.md). docs/lesson.schema.json is generated
/// from these types.
#[derive(Debug, Deserialize)]
#[cfg_attr(test, derive(schemars::JsonSchema))]
#[serde(deny_unknown_fields, bound(deserialize = "I: Deserialize<'de>"))]
pub(crate) struct LessonToml<I = Item> {
    /// The lesson's title, one line.
    title: String,
    /// The files the learner edits, relative to the lesson folder (each has a stub and a solution).
    edit: Vec<String>,
    /// Run variables, rendered once per run (`{{random}}` allowed).
    #[serde(default)]
    vars: BTreeMap<String, String>,
    /// How the server is started.
    #[serde(default)]
    server: ServerToml,
    /// Values that must never appear in a response or the server's output (templates, e.g. `{{env.API_KEY}}`).
    #[serde(default)]
    secrets: Vec<String>,
    /// The checklist: each item graded on its own.
    #[serde(rename = "item", default)]
    items: Vec<I>,
}

/// `[server]` of a lesson.
#[derive(Debug, Default, Deserialize)]
#[cfg_attr(test, derive(schemars::JsonSchema))]
#[serde(deny_unknown_fields)]
struct ServerToml {
    /// Environment the server is started with (templates allowed).
    #[serde(default)]
    env: BTreeMap<String, String>,
}

fn load_lesson(files: &PackFiles, dir: &str, out: &mut Vec<Problem>) -> Option<Lesson> {
    let before = out.len();
    let toml_path = format!("{dir}/lesson.toml");
    let text = files.lesson_file(&toml_path).unwrap_or_default();
    let label = files.label(&toml_path);
    if !dir
        .chars()
        .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-')
    {
        out.push(Problem::file(
            label.clone(),
            format!("lesson folder `{dir}` must be lower-case letters, digits and `-`"),
        ));
    }
    let readme = files.lesson_file(&format!("{dir}/README.md"));
    if readme.is_none() {
        out.push(
            Problem::file(
                files.label(&format!("{dir}/README.md")),
                "missing: every lesson needs its teaching text",
            )
            .help("`apilings dev new` writes a README.md with the four sections to fill in"),
        );
    }
    let stub: Vec<(String, String)> = files
        .under(dir)
        .into_iter()
        .filter(|(p, _)| p != "lesson.toml" && !p.starts_with("mutants/"))
        .collect();
    let solution = files.solution_files(dir);
    let mutants = load_mutants(files, dir, &stub, out);
    let Parsed {
        lesson: parsed,
        indices,
        ids,
    } = parse_lesson(files, &toml_path, out)?;
    rules::Rules::new(label, text, out).check(&rules::Subject {
        parsed: &parsed,
        indices: &indices,
        ids: &ids,
        stub: &stub,
        solution: &solution,
        solutions_label: files.solutions_label(dir),
        mutants: &mutants,
    });
    if out.len() > before {
        return None;
    }
    // A pack is input too: what it says is shown as text, never as terminal controls.
    let clean = crate::report::clean;
    let mut items = parsed.items;
    for item in &mut items {
        item.title = clean(&item.title);
        item.hints = item.hints.iter().map(|h| clean(h)).collect();
        for step in &mut item.steps {
            step.hints = step.hints.iter().map(|h| clean(h)).collect();
        }
    }
    Some(Lesson {
        id: dir.to_string(),
        title: clean(&parsed.title),
        readme: clean(readme.unwrap_or_default()),
        edit: parsed.edit,
        vars: parsed.vars,
        env: parsed.server.env,
        secrets: parsed.secrets,
        items,
        stub,
        solution,
        mutants,
    })
}

/// A lesson.toml as far as it deserializes: the items that do, with their
/// index in the file (for spans), and the ids of all.
struct Parsed {
    lesson: LessonToml,
    indices: Vec<usize>,
    ids: Vec<String>,
}

/// Parses a lesson.toml. When some of it does not fit the types, every
/// problem the schema finds is reported, and the items that do fit are
/// still returned, so that the rules on them are checked in the same run.
fn parse_lesson(files: &PackFiles, path: &str, out: &mut Vec<Problem>) -> Option<Parsed> {
    let before = out.len();
    if let Some(lesson) = parse_toml::<LessonToml>(files, path, out) {
        let ids = lesson.items.iter().map(|i| i.id.clone()).collect();
        let indices = (0..lesson.items.len()).collect();
        return Some(Parsed {
            lesson,
            indices,
            ids,
        });
    }
    let text = files.lesson_file(path)?;
    // The lesson with its items untyped: each is typed on its own below.
    let head: LessonToml<toml::Value> = toml::from_str(text).ok()?;
    let label = files.label(path);
    let tree = Tree::parse(text);
    // An item's text runs from where it starts to where the next one does.
    let starts: Vec<usize> = (0..head.items.len())
        .map(|i| {
            tree.value(&[Seg::Key("item"), Seg::Index(i)])
                .map_or(usize::MAX, |s| s.start)
        })
        .collect();
    let said_of = |i: usize| {
        let (from, to) = (starts[i], starts.get(i + 1).copied().unwrap_or(text.len()));
        let lines = line_col(text, from).0..=line_col(text, to).0;
        out[before..]
            .iter()
            .any(|p| p.at.as_ref().is_some_and(|at| lines.contains(&at.line)))
    };
    let mut found = Vec::new();
    let (mut items, mut indices) = (Vec::new(), Vec::new());
    for (i, raw) in head.items.iter().enumerate() {
        match raw.clone().try_into::<Item>() {
            Ok(item) => {
                items.push(item);
                indices.push(i);
            }
            Err(e) if !said_of(i) => found.push(Problem::maybe_at(
                label.clone(),
                text,
                tree.value(&[Seg::Key("item"), Seg::Index(i), Seg::Key("id")]),
                format!("item {}: {}", i + 1, e.message()),
            )),
            Err(_) => {}
        }
    }
    out.extend(found);
    let ids = head
        .items
        .iter()
        .filter_map(|v| v.get("id").and_then(toml::Value::as_str))
        .map(str::to_string)
        .collect();
    Some(Parsed {
        lesson: LessonToml {
            title: head.title,
            edit: head.edit,
            vars: head.vars,
            server: head.server,
            secrets: head.secrets,
            items,
        },
        indices,
        ids,
    })
}

/// Parses one TOML file of the pack; on failure, every problem it has.
fn parse_toml<T: serde::de::DeserializeOwned>(
    files: &PackFiles,
    path: &str,
    out: &mut Vec<Problem>,
) -> Option<T> {
    let label = files.label(path);
    let Some(text) = files.lesson_file(path) else {
        out.push(Problem::file(label, "missing"));
        return None;
    };
    let error = match toml::from_str(text) {
        Ok(value) => return Some(value),
        Err(e) => e,
    };
    // After a syntax error the parser's guesses cascade (an unclosed array
    // makes every later line "missing a comma"): the first one is the news.
    if let Err(e) = toml::de::DeTable::parse(text) {
        out.push(
            Problem::maybe_at(label, text, e.span(), e.message()).help(
                "TOML syntax; if this line looks right, the line before may leave an array, table or string open",
            ),
        );
        return None;
    }
    let mut found = if path.ends_with("/lesson.toml") {
        schema::problems(Schema::Lesson, &label, text)
    } else if path == "pack.toml" {
        schema::problems(Schema::Pack, &label, text)
    } else {
        vec![]
    };
    // What only the types know (a bad pattern, method or pointer) says it
    // better than the schema's pattern on the same line; a key the schema
    // does not know is said best by the schema (with its help).
    let serde_problem = Problem::maybe_at(label, text, error.span(), error.message());
    let line = |p: &Problem| p.at.as_ref().map(|a| a.line);
    let about_keys =
        |p: &Problem| p.message.starts_with("unknown key") || p.message.starts_with("missing key");
    match found.iter().position(|p| line(p) == line(&serde_problem)) {
        Some(i) if about_keys(&found[i]) => {}
        Some(i) => {
            // The schema's help (what the key is for) still helps.
            let help = found[i].help.take();
            found[i] = serde_problem;
            found[i].help = found[i].help.take().or(help);
        }
        None => found.push(serde_problem),
    }
    out.extend(found);
    None
}

/// 1-based line and column of a byte offset.
pub fn line_col(text: &str, offset: usize) -> (usize, usize) {
    let before = &text[..offset.min(text.len())];
    let line = before.matches('\n').count() + 1;
    let col = before.rsplit('\n').next().map_or(0, |l| l.chars().count()) + 1;
    (line, col)
}

/// A lesson name that matches no lesson of the pack.
#[derive(Debug, Clone, thiserror::Error)]
#[error("unknown lesson `{name}`; the lessons are: {}", known.join(", "))]
pub struct UnknownLesson {
    /// What was asked for.
    pub name: String,
    /// Every lesson id, in order.
    pub known: Vec<String>,
}

/// A pack that cannot be loaded: every problem, each with its file and position.
#[derive(Debug, thiserror::Error)]
pub enum PackError {
    /// A file could not be read.
    #[error("{path}: {source}")]
    Io {
        /// The file or folder.
        path: String,
        /// The underlying error.
        source: std::io::Error,
    },
    /// What is wrong with the pack's files, in file order.
    #[error("{}", .0.iter().map(ToString::to_string).collect::<Vec<_>>().join("\n"))]
    Problems(Vec<Problem>),
}

impl PackError {
    /// One problem with a whole file.
    pub(crate) fn file(file: impl Into<String>, message: impl Into<String>) -> Self {
        PackError::Problems(vec![Problem::file(file, message)])
    }

    /// The problems, rendered as a compiler shows errors (see [`problem::render`]).
    pub fn render(&self, color: bool) -> String {
        match self {
            PackError::Problems(list) => problem::render(list, color),
            other => format!("error: {other}\n"),
        }
    }
}

#[cfg(test)]
mod tests;
