//! Each lesson's plausible wrong solutions (tests/fixtures/wrong/<lesson>/*.toml,
//! and examples/starter-pack/fixtures/ for the example pack), the mistakes
//! learners really make, and its correct alternatives that differ from the
//! reference (…/right/<lesson>/*.toml). Each wrong one must
//! fail exactly the items it names, every failure showing its cause; each right
//! one must pass every item. A grader that passes a mistake teaches it; one that
//! rejects a correct solution teaches distrust.

mod common;

use std::collections::BTreeSet;
use std::fs;
use std::path::Path;

use apilings::lessons::{Lesson, Pack};
use apilings::report::{RunReport, Verdict, text};
use apilings::session::{self, RunOptions};
use apilings::workspace::Workspace;

/// `tests/fixtures/{wrong,right}/<lesson>/<name>.toml`: the lesson's solution of
/// `src/main.rs` with a few edits (or a whole `source` of its own), which items it
/// must fail (none for a right one), and what each failure shows.
#[derive(serde::Deserialize)]
#[serde(deny_unknown_fields)]
struct Fixture {
    #[allow(dead_code)] // read by people: what the learner got wrong, or did differently
    why: String,
    #[serde(default)]
    fails: BTreeSet<String>,
    #[serde(default)]
    cause: String,
    #[serde(default)]
    edit: Vec<Edit>,
    source: Option<String>,
}

impl Fixture {
    /// The reference solution itself, as a right fixture.
    fn solution() -> Self {
        Fixture {
            why: "the reference solution".into(),
            fails: BTreeSet::new(),
            cause: String::new(),
            edit: Vec::new(),
            source: None,
        }
    }
}

#[derive(serde::Deserialize)]
#[serde(deny_unknown_fields)]
struct Edit {
    from: String,
    to: String,
}

/// Every fixture of `kind` (`wrong` or `right`) under `root` as (lesson, name, fixture).
fn fixtures(root: &Path, kind: &str) -> Vec<(String, String, Fixture)> {
    let dir = root.join(kind);
    let mut all = Vec::new();
    for lesson in fs::read_dir(&dir).unwrap() {
        let lesson = lesson.unwrap();
        for file in fs::read_dir(lesson.path()).unwrap() {
            let path = file.unwrap().path();
            let fixture: Fixture = toml::from_str(&fs::read_to_string(&path).unwrap())
                .unwrap_or_else(|e| panic!("{}: {e}", path.display()));
            assert!(
                (kind == "wrong") != fixture.fails.is_empty(),
                "{}: a wrong solution names the items it fails, a right one none",
                path.display()
            );
            all.push((
                lesson.file_name().to_string_lossy().into_owned(),
                path.file_stem().unwrap().to_string_lossy().into_owned(),
                fixture,
            ));
        }
    }
    all.sort_by(|a, b| (&a.0, &a.1).cmp(&(&b.0, &b.1)));
    all
}

/// The fixture's `src/main.rs`: its own source, or the solution with its edits
/// (each must apply exactly once).
fn apply(solution: &str, fixture: &Fixture, label: &str) -> String {
    if let Some(source) = &fixture.source {
        assert!(
            fixture.edit.is_empty(),
            "{label}: `source` or `edit`, not both"
        );
        return source.clone();
    }
    let mut source = solution.to_string();
    for e in &fixture.edit {
        assert_eq!(
            source.matches(&e.from).count(),
            1,
            "{label}: an edit's `from` must occur exactly once in the solution:\n{}",
            e.from
        );
        source = source.replace(&e.from, &e.to);
    }
    source
}

#[test]
fn wrong_solutions_fail_their_item_with_the_cause_and_right_ones_pass() {
    let _builds = common::BUILDS.lock().unwrap_or_else(|e| e.into_inner());
    // The learner exported the lessons' variables to try a server by hand: a
    // run must not see them (a start `without` API_KEY must really be without).
    // SAFETY: the only test of this binary; no other thread reads the environment yet.
    unsafe {
        std::env::set_var("API_KEY", "key-from-the-learners-shell");
        std::env::set_var("DATABASE_URL", "postgres://me:shell-pw@localhost/dev");
        std::env::set_var("ALLOWED_ORIGIN", "http://localhost:5173");
    }
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    // The packs the project ships, each with its fixtures.
    let packs = [
        (Pack::embedded().unwrap(), root.join("tests/fixtures")),
        (
            Pack::from_dir(root.join("examples/starter-pack/lessons")).unwrap(),
            root.join("examples/starter-pack/fixtures"),
        ),
    ];
    let runtime = tokio::runtime::Runtime::new().unwrap();
    let mut problems = Vec::new();
    for (pack, fixtures_dir) in &packs {
        problems.extend(grade_pack(pack, fixtures_dir, &runtime));
    }
    assert!(problems.is_empty(), "{}", problems.join("\n\n"));
}

/// Grades every fixture of `pack` (those `APILINGS_FIXTURES` chooses): what went wrong.
fn grade_pack(pack: &Pack, fixtures_dir: &Path, runtime: &tokio::runtime::Runtime) -> Vec<String> {
    let tmp = tempfile::tempdir().unwrap();
    let (ws, _) = Workspace::init(tmp.path(), pack).unwrap();
    let opts = RunOptions {
        locked: true,
        target_dir: Some(common::shared_target()),
        ..RunOptions::default()
    };
    let wrongs = fixtures(fixtures_dir, "wrong");
    let rights = fixtures(fixtures_dir, "right");
    for lesson in &pack.lessons {
        let count = |all: &[(String, String, Fixture)]| {
            all.iter().filter(|(l, _, _)| *l == lesson.id).count()
        };
        assert!(
            count(&wrongs) >= 3 && count(&rights) >= 1,
            "{}/{} has {} wrong solutions and {} correct alternatives; every lesson needs at least 3 and 1",
            pack.name,
            lesson.id,
            count(&wrongs),
            count(&rights)
        );
    }
    let mut problems = Vec::new();
    // `APILINGS_FIXTURES=02` runs only the fixtures of lessons whose id starts
    // so; `APILINGS_FIXTURES=starter/` only the example pack's.
    let only = std::env::var("APILINGS_FIXTURES").unwrap_or_default();
    let chosen: Vec<_> = wrongs
        .iter()
        .chain(&rights)
        .filter(|(id, _, _)| {
            id.starts_with(only.as_str()) || format!("{}/{id}", pack.name).starts_with(&only)
        })
        .collect();
    let grade = |(id, name, f): &(String, String, Fixture), load: &str| {
        let lesson = pack.find(id).unwrap();
        let kind = if f.fails.is_empty() { "right" } else { "wrong" };
        let label = format!("{}: {kind}/{id}/{name}{load}", pack.name);
        // Fixtures edit the file the learner edits (the first, where there are several).
        let file = &lesson.edit[0];
        let solution = lesson
            .solution
            .iter()
            .find(|(path, _)| path == file)
            .map(|(_, text)| text.as_str())
            .unwrap();
        fs::write(ws.root().join(id).join(file), apply(solution, f, &label)).unwrap();
        let report = runtime.block_on(session::run_lesson(ws.root(), lesson, &opts));
        problems_of(&label, &report, f)
    };
    for fixture in &chosen {
        problems.extend(grade(fixture, ""));
    }
    // Timing checks compare with a time measured in the same run: their
    // verdicts must not move while another process keeps every core busy.
    let timed: Vec<_> = chosen
        .iter()
        .filter(|(id, _, _)| times_anything(pack.find(id).unwrap()))
        .collect();
    if !timed.is_empty() {
        // The reference solution of each such lesson too: `verify` under load.
        let mut lessons: Vec<&String> = timed.iter().map(|(id, _, _)| id).collect();
        lessons.dedup();
        let solutions: Vec<(String, String, Fixture)> = lessons
            .into_iter()
            .map(|id| (id.clone(), "reference-solution".into(), Fixture::solution()))
            .collect();
        let _load = BusyCores::start();
        for fixture in timed.into_iter().copied().chain(&solutions) {
            problems.extend(grade(fixture, " (every core busy)"));
        }
    }
    problems
}

/// What is wrong with how `report` graded the fixture `f` (labelled `label`).
fn problems_of(label: &str, report: &RunReport, f: &Fixture) -> Vec<String> {
    let mut problems = Vec::new();
    if let Some(why) = &report.stopped {
        let diagnostics: Vec<&str> = report
            .build
            .diagnostics
            .iter()
            .map(|d| d.rendered.as_str())
            .collect();
        problems.push(format!(
            "{label}: did not run: {}\n{}",
            text::stopped_line(why),
            diagnostics.join("\n")
        ));
        return problems;
    }
    let failed: BTreeSet<String> = report
        .items
        .iter()
        .filter(|i| !i.verdict.is_pass())
        .map(|i| i.id.clone())
        .collect();
    if failed != f.fails {
        let shown: Vec<String> = report
            .items
            .iter()
            .filter_map(|i| match &i.verdict {
                Verdict::Fail(x) => Some(format!("{}:\n{}", i.id, text::failure(x))),
                _ => None,
            })
            .collect();
        problems.push(format!(
            "{label}: failed {failed:?}, expected exactly {:?}\n{}",
            f.fails,
            shown.join("\n")
        ));
    }
    for item in &report.items {
        if let Verdict::Fail(x) = &item.verdict {
            let shown = text::failure(x);
            if f.fails.contains(&item.id) && !shown.contains(&f.cause) {
                problems.push(format!(
                    "{label}: `{}` fails, but its failure does not show {:?}:\n{shown}",
                    item.id, f.cause
                ));
            }
        }
    }
    problems
}

/// True when a lesson has checks that measure time.
fn times_anything(lesson: &Lesson) -> bool {
    lesson.items.iter().any(|i| {
        i.concurrency.is_some()
            || i.stream.is_some()
            || i.steps
                .iter()
                .any(|s| s.eventually.is_some() || s.expect.within_ms.is_some())
    })
}

/// One busy loop per core, in other processes, until dropped.
struct BusyCores(Vec<std::process::Child>);

impl BusyCores {
    fn start() -> Self {
        let cores = std::thread::available_parallelism().map_or(2, |n| n.get());
        BusyCores(
            (0..cores)
                .map(|_| {
                    std::process::Command::new("sh")
                        .args(["-c", "while :; do :; done"])
                        .spawn()
                        .unwrap()
                })
                .collect(),
        )
    }
}

impl Drop for BusyCores {
    fn drop(&mut self) {
        for child in &mut self.0 {
            let _ = child.kill();
            let _ = child.wait();
        }
    }
}
