//! The lesson catalog: a lesson pack parsed into typed values.
//!
//! A pack is a `lessons/` folder (`pack.toml`, the `kit/` support crate, a pinned
//! `Cargo.lock`, and one `NN-slug/` folder per lesson holding `lesson.toml`,
//! `README.md` and the stub files) plus a `solutions/` folder with the solution
//! files at the same relative paths. The core pack is embedded in the binary;
//! `--lessons DIR` loads one from disk. No I/O beyond reading the pack.

mod source;

use std::collections::{BTreeMap, BTreeSet};
use std::path::PathBuf;

use serde::Deserialize;

use crate::checks::model::Item;
use crate::checks::template;
pub use source::PackFiles;

/// A loaded, validated lesson pack.
#[derive(Debug, Clone)]
pub struct Pack {
    /// The pack's name (`pack.toml`).
    pub name: String,
    /// Where it came from, for messages: `embedded` or a folder.
    pub origin: String,
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
) -> Result<BTreeMap<String, Mutant>, PackError> {
    let mut out = BTreeMap::new();
    for (path, _) in files.under(dir) {
        let Some(name) = path
            .strip_prefix("mutants/")
            .and_then(|n| n.strip_suffix(".toml"))
        else {
            continue;
        };
        let full = format!("{dir}/{path}");
        let m: MutantToml = parse_toml(files, &full)?;
        let label = files.label(&full);
        let Some((_, original)) = stub.iter().find(|(p, _)| *p == m.file) else {
            return Err(PackError::invalid(
                label,
                None,
                format!(
                    "`file` names `{}`, which the lesson folder does not have",
                    m.file
                ),
            ));
        };
        let mut text = original.clone();
        for e in &m.edits {
            if text.matches(e.from.as_str()).count() != 1 {
                return Err(PackError::invalid(
                    label,
                    None,
                    format!(
                        "an edit's `from` must occur exactly once in {}: {:?}",
                        m.file, e.from
                    ),
                ));
            }
            text = text.replacen(&e.from, &e.to, 1);
        }
        out.insert(
            name.to_string(),
            Mutant {
                why: m.why,
                file: m.file,
                text,
            },
        );
    }
    Ok(out)
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
    /// The core pack, embedded in the binary.
    pub fn embedded() -> Result<Pack, PackError> {
        Pack::from_files(&PackFiles::embedded())
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

    /// Parses and validates every file of a pack.
    pub fn from_files(files: &PackFiles) -> Result<Pack, PackError> {
        let pack_toml: PackToml = parse_toml(files, "pack.toml")?;
        let lessons = files
            .lesson_dirs()
            .into_iter()
            .map(|dir| load_lesson(files, &dir))
            .collect::<Result<Vec<_>, _>>()?;
        // These names are written into the generated manifests: plain names only.
        let plain = |n: &str| {
            !n.is_empty()
                && n.len() <= 64
                && n.chars()
                    .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
        };
        let pack_text = files.lesson_file("pack.toml").unwrap_or_default();
        if let Some(bad) = pack_toml.dependencies.keys().find(|n| !plain(n)) {
            return Err(PackError::invalid(
                files.label("pack.toml"),
                locate(pack_text, bad)
                    .or_else(|| locate(pack_text, &bad.escape_debug().to_string())),
                format!(
                    "`{}` is not a crate name (letters, digits, `-` and `_`, at most 64)",
                    bad.escape_debug()
                ),
            ));
        }
        if pack_toml.name.len() > 64 || pack_toml.name.chars().any(char::is_control) {
            return Err(PackError::invalid(
                files.label("pack.toml"),
                locate(pack_text, "name"),
                "the pack's `name` must be one line of at most 64 characters",
            ));
        }
        if lessons.is_empty() {
            return Err(PackError::invalid(
                files.label("pack.toml"),
                None,
                "the pack has no lessons (folders with a lesson.toml)",
            ));
        }
        Ok(Pack {
            name: pack_toml.name,
            origin: files.origin(),
            dependencies: pack_toml.dependencies,
            kit: files.under("kit"),
            lock: files.lesson_file("Cargo.lock").map(str::to_string),
            lessons,
        })
    }
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct PackToml {
    name: String,
    #[allow(dead_code)] // read by PackFiles before parsing; kept here so deny_unknown_fields accepts it
    #[serde(default)]
    solutions: Option<String>,
    #[serde(default)]
    dependencies: toml::Table,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct LessonToml {
    title: String,
    edit: Vec<String>,
    #[serde(default)]
    vars: BTreeMap<String, String>,
    #[serde(default)]
    server: ServerToml,
    #[serde(default)]
    secrets: Vec<String>,
    #[serde(rename = "item", default)]
    items: Vec<Item>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct ServerToml {
    #[serde(default)]
    env: BTreeMap<String, String>,
}

fn load_lesson(files: &PackFiles, dir: &str) -> Result<Lesson, PackError> {
    let toml_path = format!("{dir}/lesson.toml");
    let text = files.lesson_file(&toml_path).unwrap_or_default();
    let parsed: LessonToml = parse_toml(files, &toml_path)?;
    // The same text untyped, to find every string an item holds (templates).
    let raw: toml::Value = toml::from_str(text).unwrap_or(toml::Value::Boolean(false));
    let label = files.label(&toml_path);
    let at = |needle: &str| locate(text, needle);
    if !dir
        .chars()
        .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-')
    {
        return Err(PackError::invalid(
            label,
            None,
            format!("lesson folder `{dir}` must be lower-case letters, digits and `-`"),
        ));
    }
    let readme = files
        .lesson_file(&format!("{dir}/README.md"))
        .ok_or_else(|| {
            PackError::invalid(
                files.label(&format!("{dir}/README.md")),
                None,
                "missing: every lesson needs its teaching text",
            )
        })?
        .to_string();
    let stub: Vec<(String, String)> = files
        .under(dir)
        .into_iter()
        .filter(|(p, _)| p != "lesson.toml" && !p.starts_with("mutants/"))
        .collect();
    let solution = files.solution_files(dir);
    let mutants = load_mutants(files, dir, &stub)?;
    if parsed.items.is_empty() {
        return Err(PackError::invalid(
            label,
            None,
            "a lesson needs at least one [[item]]",
        ));
    }
    for edit in &parsed.edit {
        if !stub.iter().any(|(p, _)| p == edit) {
            return Err(PackError::invalid(
                label,
                at(edit),
                format!("`edit` names `{edit}`, but the lesson folder has no such stub file"),
            ));
        }
        if !solution.iter().any(|(p, _)| p == edit) {
            return Err(PackError::invalid(
                label,
                at(edit),
                format!(
                    "`edit` names `{edit}`, but {} has no solution for it",
                    files.solutions_label(dir)
                ),
            ));
        }
    }
    let mut seen = BTreeSet::new();
    let mut run_names: BTreeSet<String> = parsed.vars.keys().cloned().collect();
    run_names.extend(parsed.server.env.keys().map(|k| format!("env.{k}")));
    check_names(
        parsed
            .vars
            .values()
            .chain(parsed.server.env.values())
            .chain(parsed.secrets.iter()),
        &run_names,
        &label,
        text,
    )?;
    for (index, item) in parsed.items.iter().enumerate() {
        if !seen.insert(item.id.clone()) {
            // Point at the second one: the first is where it belongs.
            let needle = format!("\"{}\"", item.id);
            let second = text
                .match_indices(&needle)
                .nth(1)
                .map(|(o, _)| line_col(text, o));
            return Err(PackError::invalid(
                label,
                second.or_else(|| at(&needle)),
                format!("two items have the id `{}`; this is the second", item.id),
            ));
        }
        if item.hints.is_empty() {
            return Err(PackError::invalid(
                label,
                at(&format!("\"{}\"", item.id)),
                format!(
                    "item `{}` has no hints: every item needs at least one",
                    item.id
                ),
            ));
        }
        let no_requests =
            item.steps.is_empty() && item.concurrency.is_none() && item.stream.is_none();
        let own = match (&item.start, &item.tests) {
            (Some(_), Some(_)) => Some("`start` and `tests`"),
            (Some(_), None) => Some("`start`"),
            (None, Some(_)) => Some("`tests`"),
            (None, None) => None,
        };
        match (own, no_requests) {
            (None, true) => {
                return Err(PackError::invalid(
                    label,
                    at(&format!("\"{}\"", item.id)),
                    format!(
                        "item `{}` has no [[item.step]] (and no `start`, `tests`, `concurrency` or `stream`): it checks nothing",
                        item.id
                    ),
                ));
            }
            (Some(what), false) | (Some(what @ "`start` and `tests`"), true) => {
                return Err(PackError::invalid(
                    label,
                    at(&format!("\"{}\"", item.id)),
                    format!(
                        "item `{}` has {what} and more (steps, `concurrency`, `stream` or another kind): each of these runs on its own; split it in two",
                        item.id
                    ),
                ));
            }
            _ => {}
        }
        if let Some(name) = item.tests.as_ref().and_then(|t| t.mutant.as_ref())
            && !mutants.contains_key(name)
        {
            let known: Vec<&str> = mutants.keys().map(String::as_str).collect();
            return Err(PackError::invalid(
                label,
                at(&format!("\"{name}\"")),
                format!(
                    "`mutant` names `{name}`, but mutants/{name}.toml does not exist; the lesson's mutants: {}",
                    if known.is_empty() {
                        "none".to_string()
                    } else {
                        known.join(", ")
                    }
                ),
            ));
        }
        if let Some(start) = &item.start {
            if let Some(name) = start
                .without
                .iter()
                .find(|n| !parsed.server.env.contains_key(*n))
            {
                let known: Vec<&str> = parsed.server.env.keys().map(String::as_str).collect();
                return Err(PackError::invalid(
                    label,
                    at(&format!("\"{name}\"")),
                    format!(
                        "`without` names `{name}`, which [server.env] does not set; it sets: {}",
                        if known.is_empty() {
                            "nothing".to_string()
                        } else {
                            known.join(", ")
                        }
                    ),
                ));
            }
            check_names(start.env.values(), &run_names, &label, text)?;
        }
        let mut names = run_names.clone();
        names.extend(item.vars.keys().cloned());
        check_names(item.vars.values(), &names, &label, text)?;
        if item.start.is_some() {
            let start_expect = raw_strings(&raw, &[("item", index), ("start", usize::MAX)]);
            check_names(start_expect.iter(), &run_names, &label, text)?;
        }
        if let Some(problem) = timing_problem(item) {
            return Err(PackError::invalid(
                label,
                at(&format!("\"{}\"", item.id)),
                format!("item `{}`: {problem}", item.id),
            ));
        }
        for (step_index, step) in item.steps.iter().enumerate() {
            if let Some(other) = &step.graded_by
                && (other == &item.id || !parsed.items.iter().any(|i| &i.id == other))
            {
                let ids: Vec<&str> = parsed.items.iter().map(|i| i.id.as_str()).collect();
                return Err(PackError::invalid(
                    label,
                    at(&format!("graded_by = \"{other}\"")),
                    format!(
                        "`graded_by` must name another item of this lesson, not `{other}`; the items are: {}",
                        ids.join(", ")
                    ),
                ));
            }
            check_names(request_strings(&step.request).iter(), &names, &label, text)?;
            // Templates in what the step expects of the response; then its own
            // captures, known to what it expects of the server (`output`, `logged`).
            let expect = raw
                .get("item")
                .and_then(|i| i.get(index))
                .and_then(|i| i.get("step"))
                .and_then(|st| st.get(step_index))
                .and_then(|st| st.get("expect"))
                .and_then(toml::Value::as_table);
            let (mut server, mut response) = (Vec::new(), Vec::new());
            for (key, value) in expect.into_iter().flatten() {
                let side = if matches!(key.as_str(), "output" | "logged") {
                    &mut server
                } else {
                    &mut response
                };
                side.extend(toml_strings(value));
            }
            check_names(response.iter(), &names, &label, text)?;
            names.extend(step.capture.keys().cloned());
            check_names(server.iter(), &names, &label, text)?;
        }
        if let Some(c) = &item.concurrency {
            let mut texts = request_strings(&c.request);
            if let Some(m) = &c.meanwhile {
                texts.extend(request_strings(&m.request));
            }
            check_names(texts.iter(), &names, &label, text)?;
            let expected = raw_strings(&raw, &[("item", index), ("concurrency", usize::MAX)]);
            check_names(expected.iter(), &names, &label, text)?;
        }
        if let Some(s) = &item.stream {
            check_names(request_strings(&s.request).iter(), &names, &label, text)?;
            let expected = raw_strings(&raw, &[("item", index), ("stream", usize::MAX)]);
            check_names(expected.iter(), &names, &label, text)?;
        }
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
    let lesson = Lesson {
        id: dir.to_string(),
        title: clean(&parsed.title),
        readme: clean(&readme),
        edit: parsed.edit,
        vars: parsed.vars,
        env: parsed.server.env,
        secrets: parsed.secrets,
        items,
        stub,
        solution,
        mutants,
    };
    Ok(lesson)
}

/// Every string of a request that may hold `{{templates}}`.
fn request_strings(r: &crate::checks::model::Request) -> Vec<String> {
    let mut texts = vec![r.path.0.clone()];
    texts.extend(r.headers.values().cloned());
    texts.extend(r.body.iter().cloned());
    texts.extend(r.json.iter().flat_map(json_strings));
    texts
}

/// What is wrong with an item's timing values, if anything: numbers that
/// would make a check that cannot fail, or cannot pass.
fn timing_problem(item: &crate::checks::model::Item) -> Option<String> {
    for ev in item.steps.iter().filter_map(|s| s.eventually) {
        if ev.every_ms == 0 || ev.within_ms <= ev.every_ms {
            return Some(format!(
                "`eventually` needs 0 < every_ms < within_ms, got every_ms = {} and within_ms = {}",
                ev.every_ms, ev.within_ms
            ));
        }
    }
    if let Some(s) = &item.stream
        && let Some(problem) = stream_problem(item, s)
    {
        return Some(problem);
    }
    if let Some(o) = &item.openapi {
        let lasts = [item.concurrency.is_some(), item.stream.is_some()];
        if lasts.contains(&true) {
            return Some(
                "`openapi` holds the document against the item's steps: not with `concurrency` or `stream`".into(),
            );
        }
        if !(o.operations || o.statuses || o.schemas || o.examples) {
            return Some(
                "`openapi` checks nothing: set `operations`, `statuses`, `schemas` or `examples` to true".into(),
            );
        }
        if !o.document.starts_with('/') {
            return Some(format!(
                "`openapi.document` is a path on the server under test and must start with `/`, got {:?}",
                o.document
            ));
        }
    }
    let c = item.concurrency.as_ref()?;
    if !(2..=64).contains(&c.at_once) {
        return Some(format!("`at_once` must be 2 to 64, got {}", c.at_once));
    }
    if c.within.is_none() && c.meanwhile.is_none() {
        return Some(
            "`concurrency` needs `within`, `meanwhile` or both: it would check no time".into(),
        );
    }
    if let Some(within) = c.within
        && !(within >= 1.0 && within < c.at_once as f64)
    {
        return Some(format!(
            "`within` must be at least 1 and less than `at_once` ({}), or no queueing could fail it; got {within}",
            c.at_once
        ));
    }
    match &c.meanwhile {
        Some(m) if !(m.within > 0.0 && m.within < 1.0) => Some(format!(
            "`meanwhile.within` is a fraction of one slow request: more than 0 and less than 1, got {}",
            m.within
        )),
        _ => None,
    }
}

/// What is wrong with a `stream` table's values, if anything.
fn stream_problem(
    item: &crate::checks::model::Item,
    s: &crate::checks::model::EventStream,
) -> Option<String> {
    if item.concurrency.is_some() {
        return Some(
            "an item has `concurrency` or `stream`, not both: each is its last step; split it in two"
                .into(),
        );
    }
    if !(1..=60_000).contains(&s.within_ms) {
        return Some(format!(
            "`stream.within_ms` must be 1 to 60000, got {}",
            s.within_ms
        ));
    }
    if let Some(f) = s.first_before
        && !(f > 0.0 && f < 1.0)
    {
        return Some(format!(
            "`stream.first_before` is a fraction of the stream's time: more than 0 and less than 1, got {f}"
        ));
    }
    if s.gap_ms.is_some_and(|g| g == 0 || g >= s.within_ms) {
        return Some("`stream.gap_ms` must be more than 0 and less than `within_ms`".into());
    }
    let d = s.disconnect.as_ref()?;
    if d.after == 0 || d.wait_ms == 0 || d.counters.is_empty() {
        return Some(
            "`stream.disconnect` needs `after` ≥ 1 event, `wait_ms` > 0 and at least one counter"
                .into(),
        );
    }
    if s.last.is_some() || s.text.is_some() || s.first_before.is_some() {
        return Some(
            "a stream the client leaves has no last event: `last`, `text` and `first_before` need a stream read to its end; split it in two items".into(),
        );
    }
    None
}

/// The strings under a path of the lesson's raw TOML: `("item", 2)` is the
/// third `[[item]]`, `("expect", usize::MAX)` the table `expect`.
fn raw_strings(raw: &toml::Value, path: &[(&str, usize)]) -> Vec<String> {
    let mut at = raw;
    for (key, index) in path {
        let Some(next) = at.get(*key) else {
            return vec![];
        };
        at = if *index == usize::MAX {
            next
        } else {
            match next.get(*index) {
                Some(v) => v,
                None => return vec![],
            }
        };
    }
    toml_strings(at)
}

fn toml_strings(v: &toml::Value) -> Vec<String> {
    match v {
        toml::Value::String(s) => vec![s.clone()],
        toml::Value::Array(a) => a.iter().flat_map(toml_strings).collect(),
        toml::Value::Table(t) => t.values().flat_map(toml_strings).collect(),
        _ => vec![],
    }
}

fn json_strings(v: &serde_json::Value) -> Vec<String> {
    match v {
        serde_json::Value::String(s) => vec![s.clone()],
        serde_json::Value::Array(a) => a.iter().flat_map(json_strings).collect(),
        serde_json::Value::Object(o) => o.values().flat_map(json_strings).collect(),
        _ => vec![],
    }
}

fn check_names<'a>(
    texts: impl IntoIterator<Item = &'a String>,
    known: &BTreeSet<String>,
    label: &str,
    source: &str,
) -> Result<(), PackError> {
    for t in texts {
        for name in template::names_in(t) {
            if !known.contains(name) {
                let mut list: Vec<&str> = known.iter().map(String::as_str).collect();
                list.push("random");
                return Err(PackError::invalid(
                    label.to_string(),
                    locate(source, &format!("{{{{{name}")),
                    format!(
                        "unknown template variable `{{{{{name}}}}}`; known here: {}",
                        list.join(", ")
                    ),
                ));
            }
        }
    }
    Ok(())
}

fn parse_toml<T: serde::de::DeserializeOwned>(
    files: &PackFiles,
    path: &str,
) -> Result<T, PackError> {
    let label = files.label(path);
    let text = files
        .lesson_file(path)
        .ok_or_else(|| PackError::invalid(label.clone(), None, "missing"))?;
    toml::from_str(text).map_err(|e| {
        let at = e.span().map(|s| line_col(text, s.start));
        PackError::Syntax {
            file: label,
            at,
            message: e.message().to_string(),
            snippet: e.to_string(),
        }
    })
}

/// 1-based line and column of a byte offset.
pub fn line_col(text: &str, offset: usize) -> (usize, usize) {
    let before = &text[..offset.min(text.len())];
    let line = before.matches('\n').count() + 1;
    let col = before.rsplit('\n').next().map_or(0, |l| l.chars().count()) + 1;
    (line, col)
}

fn locate(text: &str, needle: &str) -> Option<(usize, usize)> {
    text.find(needle).map(|o| line_col(text, o))
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

/// A pack that cannot be loaded, with the file and position at fault.
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
    /// A TOML file is malformed or does not fit the lesson format.
    #[error("{}: {message}\n{snippet}", position(file, *at))]
    Syntax {
        /// The file.
        file: String,
        /// 1-based line and column.
        at: Option<(usize, usize)>,
        /// The problem in one line.
        message: String,
        /// The problem with the offending line and a caret, as `toml` renders it.
        snippet: String,
    },
    /// The files parse, but break a rule of the pack format.
    #[error("{}: {message}", position(file, *at))]
    Invalid {
        /// The file.
        file: String,
        /// 1-based line and column, when known.
        at: Option<(usize, usize)>,
        /// The rule that was broken.
        message: String,
    },
}

impl PackError {
    fn invalid(
        file: impl Into<String>,
        at: Option<(usize, usize)>,
        message: impl Into<String>,
    ) -> Self {
        PackError::Invalid {
            file: file.into(),
            at,
            message: message.into(),
        }
    }
}

fn position(file: &str, at: Option<(usize, usize)>) -> String {
    match at {
        Some((line, col)) => format!("{file}:{line}:{col}"),
        None => file.to_string(),
    }
}

#[cfg(test)]
mod tests;
