//! The rules a lesson.toml keeps beyond what its types say: files it names
//! exist, items check something and can be told apart, templates name known
//! variables, timing values make checks that can both pass and fail. Each rule
//! adds its problems at their place; none stops the others.

use std::collections::{BTreeMap, BTreeSet};
use std::ops::Range;

use super::tree::{Seg, Tree};
use super::{LessonToml, Mutant, Problem};
use crate::checks::model::{EventStream, Item, Request};
use crate::checks::template;

/// One lesson.toml's text, where its problems go.
pub(super) struct Rules<'a> {
    label: String,
    text: &'a str,
    tree: Tree<'a>,
    /// The same text untyped, to find every string an item holds (templates).
    raw: toml::Value,
    out: &'a mut Vec<Problem>,
}

/// What the rules are held against besides the lesson.toml itself.
pub(super) struct Subject<'a> {
    pub parsed: &'a LessonToml,
    /// Each parsed item's index in the file.
    pub indices: &'a [usize],
    /// The ids of every item, typed or not.
    pub ids: &'a [String],
    pub stub: &'a [(String, String)],
    pub solution: &'a [(String, String)],
    /// How the solution folder is named in messages.
    pub solutions_label: String,
    pub mutants: &'a BTreeMap<String, Mutant>,
}

impl<'a> Rules<'a> {
    pub(super) fn new(label: String, text: &'a str, out: &'a mut Vec<Problem>) -> Self {
        Rules {
            label,
            text,
            tree: Tree::parse(text),
            raw: toml::from_str(text).unwrap_or(toml::Value::Boolean(false)),
            out,
        }
    }

    /// Every rule, on the lesson and each of its items.
    pub(super) fn check(mut self, lesson: &Subject<'_>) {
        let parsed = lesson.parsed;
        if lesson.ids.is_empty() {
            self.problem(None, "a lesson needs at least one [[item]]".into());
        }
        self.edit_files(lesson);
        // Names every template of the run may use.
        let mut run_names: BTreeSet<String> = parsed.vars.keys().cloned().collect();
        run_names.extend(parsed.server.env.keys().map(|k| format!("env.{k}")));
        let texts: Vec<&String> = parsed
            .vars
            .values()
            .chain(parsed.server.env.values())
            .chain(parsed.secrets.iter())
            .collect();
        self.names(texts, &run_names);
        let mut seen = BTreeSet::new();
        for (&index, item) in lesson.indices.iter().zip(&parsed.items) {
            self.item_shape(index, item, &mut seen);
            self.mutant(index, item, lesson.mutants);
            self.start(index, item, parsed, &run_names);
            self.templates(index, item, lesson.ids, &run_names);
        }
    }

    fn problem(&mut self, span: Option<Range<usize>>, message: String) {
        self.out.push(Problem::maybe_at(
            self.label.clone(),
            self.text,
            span,
            message,
        ));
    }

    /// The span of the value at `path` below item `index`.
    fn in_item(&self, index: usize, path: &[Seg<'_>]) -> Option<Range<usize>> {
        let mut full = vec![Seg::Key("item"), Seg::Index(index)];
        full.extend_from_slice(path);
        self.tree.value(&full)
    }

    /// Every string under `path` of item `index`, untyped.
    fn raw_in_item(&self, index: usize, path: &[Seg<'_>]) -> Vec<String> {
        let mut full = vec![Seg::Key("item"), Seg::Index(index)];
        full.extend_from_slice(path);
        raw_strings(&self.raw, &full)
    }

    /// Every `{{name}}` in `texts` that `known` lacks.
    fn names<'t>(&mut self, texts: impl IntoIterator<Item = &'t String>, known: &BTreeSet<String>) {
        for t in texts {
            for name in template::names_in(t) {
                if !known.contains(name) {
                    let mut list: Vec<&str> = known.iter().map(String::as_str).collect();
                    list.push("random");
                    let at = locate(self.text, &format!("{{{{{name}")).map(|r| r.start..r.end + 2);
                    self.problem(
                        at,
                        format!(
                            "unknown template variable `{{{{{name}}}}}`; known here: {}",
                            list.join(", ")
                        ),
                    );
                }
            }
        }
    }

    /// `edit` names files the stub and the solution both have.
    fn edit_files(&mut self, lesson: &Subject<'_>) {
        for (i, edit) in lesson.parsed.edit.iter().enumerate() {
            let at = self.tree.value(&[Seg::Key("edit"), Seg::Index(i)]);
            if !lesson.stub.iter().any(|(p, _)| p == edit) {
                self.problem(
                    at.clone(),
                    format!("`edit` names `{edit}`, but the lesson folder has no such stub file"),
                );
            }
            if !lesson.solution.iter().any(|(p, _)| p == edit) {
                self.problem(
                    at,
                    format!(
                        "`edit` names `{edit}`, but {} has no solution for it",
                        lesson.solutions_label
                    ),
                );
            }
        }
    }

    /// An item has its own id, hints, one kind of check, and timing values
    /// that make a check able both to pass and to fail.
    fn item_shape(&mut self, index: usize, item: &Item, seen: &mut BTreeSet<String>) {
        let id_at = self.in_item(index, &[Seg::Key("id")]);
        let id = &item.id;
        if !seen.insert(id.clone()) {
            self.problem(
                id_at.clone(),
                format!("two items have the id `{id}`; this is the second"),
            );
        }
        if item.hints.is_empty() {
            self.problem(
                id_at.clone(),
                format!("item `{id}` has no hints: every item needs at least one"),
            );
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
            (None, true) => self.problem(
                id_at.clone(),
                format!(
                    "item `{id}` has no [[item.step]] (and no `start`, `tests`, `concurrency` or `stream`): it checks nothing"
                ),
            ),
            (Some(what), false) | (Some(what @ "`start` and `tests`"), true) => self.problem(
                id_at.clone(),
                format!(
                    "item `{id}` has {what} and more (steps, `concurrency`, `stream` or another kind): each of these runs on its own; split it in two"
                ),
            ),
            _ => {}
        }
        if let Some(why) = timing_problem(item) {
            self.problem(id_at, format!("item `{id}`: {why}"));
        }
    }

    /// A `tests` item's `mutant` is one of the lesson's mutants.
    fn mutant(&mut self, index: usize, item: &Item, mutants: &BTreeMap<String, Mutant>) {
        let Some(name) = item.tests.as_ref().and_then(|t| t.mutant.as_ref()) else {
            return;
        };
        if mutants.contains_key(name) {
            return;
        }
        let known: Vec<&str> = mutants.keys().map(String::as_str).collect();
        let at = self.in_item(index, &[Seg::Key("tests"), Seg::Key("mutant")]);
        self.problem(
            at,
            format!(
                "`mutant` names `{name}`, but mutants/{name}.toml does not exist (or is broken); the lesson's mutants: {}",
                or_none(&known, "none")
            ),
        );
    }

    /// A `start` item leaves out only variables [server.env] sets, and its
    /// templates use the run's names.
    fn start(&mut self, index: usize, item: &Item, parsed: &LessonToml, run: &BTreeSet<String>) {
        let Some(start) = &item.start else {
            return;
        };
        let env = &parsed.server.env;
        for (w, name) in start.without.iter().enumerate() {
            if env.contains_key(name) {
                continue;
            }
            let known: Vec<&str> = env.keys().map(String::as_str).collect();
            let at = self.in_item(
                index,
                &[Seg::Key("start"), Seg::Key("without"), Seg::Index(w)],
            );
            self.problem(
                at,
                format!(
                    "`without` names `{name}`, which [server.env] does not set; it sets: {}",
                    or_none(&known, "nothing")
                ),
            );
        }
        self.names(start.env.values(), run);
        let texts = self.raw_in_item(index, &[Seg::Key("start")]);
        self.names(&texts, run);
    }

    /// Templates name what is known where they are: the run's names, the
    /// item's vars, and the captures of the steps before (a step's own
    /// captures only in what it expects of the server's output);
    /// `graded_by` names another item.
    fn templates(&mut self, index: usize, item: &Item, ids: &[String], run: &BTreeSet<String>) {
        let mut names = run.clone();
        names.extend(item.vars.keys().cloned());
        self.names(item.vars.values(), &names);
        for (step_index, step) in item.steps.iter().enumerate() {
            if let Some(other) = &step.graded_by
                && (other == &item.id || !ids.contains(other))
            {
                let at = self.tree.key(&[
                    Seg::Key("item"),
                    Seg::Index(index),
                    Seg::Key("step"),
                    Seg::Index(step_index),
                    Seg::Key("graded_by"),
                ]);
                self.problem(
                    at,
                    format!(
                        "`graded_by` must name another item of this lesson, not `{other}`; the items are: {}",
                        ids.join(", ")
                    ),
                );
            }
            self.names(&request_strings(&step.request), &names);
            let (mut server, mut response) = (Vec::new(), Vec::new());
            let expect = self
                .raw
                .get("item")
                .and_then(|i| i.get(index))
                .and_then(|i| i.get("step"))
                .and_then(|st| st.get(step_index))
                .and_then(|st| st.get("expect"))
                .and_then(toml::Value::as_table);
            for (key, value) in expect.into_iter().flatten() {
                let side = if matches!(key.as_str(), "output" | "logged") {
                    &mut server
                } else {
                    &mut response
                };
                side.extend(toml_strings(value));
            }
            self.names(&response, &names);
            names.extend(step.capture.keys().cloned());
            self.names(&server, &names);
        }
        if let Some(c) = &item.concurrency {
            let mut texts = request_strings(&c.request);
            if let Some(m) = &c.meanwhile {
                texts.extend(request_strings(&m.request));
            }
            texts.extend(self.raw_in_item(index, &[Seg::Key("concurrency")]));
            self.names(&texts, &names);
        }
        if let Some(s) = &item.stream {
            let mut texts = request_strings(&s.request);
            texts.extend(self.raw_in_item(index, &[Seg::Key("stream")]));
            self.names(&texts, &names);
        }
    }
}

fn or_none(known: &[&str], none: &str) -> String {
    if known.is_empty() {
        none.to_string()
    } else {
        known.join(", ")
    }
}

/// Every string of a request that may hold `{{templates}}`.
fn request_strings(r: &Request) -> Vec<String> {
    let mut texts = vec![r.path.0.clone()];
    texts.extend(r.headers.values().cloned());
    texts.extend(r.body.iter().cloned());
    texts.extend(r.json.iter().flat_map(json_strings));
    texts
}

/// What is wrong with an item's timing values, if anything: numbers that
/// would make a check that cannot fail, or cannot pass.
fn timing_problem(item: &Item) -> Option<String> {
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
fn stream_problem(item: &Item, s: &EventStream) -> Option<String> {
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

/// The strings under a path of the lesson's raw TOML.
fn raw_strings(raw: &toml::Value, path: &[Seg<'_>]) -> Vec<String> {
    let mut at = raw;
    for seg in path {
        let next = match seg {
            Seg::Key(k) => at.get(*k),
            Seg::Index(i) => at.get(*i),
        };
        match next {
            Some(v) => at = v,
            None => return vec![],
        }
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

fn locate(text: &str, needle: &str) -> Option<Range<usize>> {
    text.find(needle).map(|o| o..o + needle.len())
}
