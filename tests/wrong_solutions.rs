//! Each lesson's plausible wrong solutions (tests/fixtures/wrong/<lesson>/*.toml):
//! the mistake the lesson is about, written as a learner would. Each must fail
//! exactly the items it names, every failure showing its cause.

mod common;

use std::collections::BTreeSet;
use std::fs;
use std::path::Path;

use apilings::lessons::Pack;
use apilings::report::{Verdict, text};
use apilings::session::{self, RunOptions};
use apilings::workspace::Workspace;

/// `tests/fixtures/wrong/<lesson>/<name>.toml`: the lesson's solution with a few
/// edits that make it wrong, which items it must fail, and what each failure shows.
#[derive(serde::Deserialize)]
#[serde(deny_unknown_fields)]
struct Wrong {
    #[allow(dead_code)] // read by people: what the learner got wrong
    why: String,
    fails: BTreeSet<String>,
    cause: String,
    edit: Vec<Edit>,
}

#[derive(serde::Deserialize)]
#[serde(deny_unknown_fields)]
struct Edit {
    from: String,
    to: String,
}

/// Every wrong solution as (lesson, name, fixture).
fn wrong_solutions() -> Vec<(String, String, Wrong)> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/wrong");
    let mut all = Vec::new();
    for lesson in fs::read_dir(&dir).unwrap() {
        let lesson = lesson.unwrap();
        for file in fs::read_dir(lesson.path()).unwrap() {
            let path = file.unwrap().path();
            let wrong: Wrong = toml::from_str(&fs::read_to_string(&path).unwrap())
                .unwrap_or_else(|e| panic!("{}: {e}", path.display()));
            all.push((
                lesson.file_name().to_string_lossy().into_owned(),
                path.file_stem().unwrap().to_string_lossy().into_owned(),
                wrong,
            ));
        }
    }
    all.sort_by(|a, b| (&a.0, &a.1).cmp(&(&b.0, &b.1)));
    all
}

/// The lesson's solution of `src/main.rs` with the fixture's edits; each must apply once.
fn apply(solution: &str, wrong: &Wrong, label: &str) -> String {
    let mut source = solution.to_string();
    for e in &wrong.edit {
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
fn each_wrong_solution_fails_its_item_and_names_the_cause() {
    let _builds = common::BUILDS.lock().unwrap_or_else(|e| e.into_inner());
    let pack = Pack::embedded().unwrap();
    let tmp = tempfile::tempdir().unwrap();
    let (ws, _) = Workspace::init(tmp.path(), &pack).unwrap();
    let opts = RunOptions {
        locked: true,
        target_dir: Some(common::shared_target()),
        ..RunOptions::default()
    };
    let runtime = tokio::runtime::Runtime::new().unwrap();
    let wrongs = wrong_solutions();
    let covered: BTreeSet<&str> = wrongs.iter().map(|(l, _, _)| l.as_str()).collect();
    for lesson in [
        "04-separate-models",
        "05-typed-params",
        "06-domain-errors",
        "07-auth-dependencies",
        "08-panics",
        "09-config-secrets",
        "10-cors",
    ] {
        assert!(covered.contains(lesson), "{lesson} has no wrong solution");
    }
    let mut problems = Vec::new();
    for (id, name, w) in &wrongs {
        let label = format!("{id}/{name}");
        let lesson = pack.find(id).unwrap();
        let solution = lesson
            .solution
            .iter()
            .find(|(path, _)| path == "src/main.rs")
            .map(|(_, text)| text.as_str())
            .unwrap();
        let source = apply(solution, w, &label);
        fs::write(ws.root().join(id).join("src/main.rs"), source).unwrap();
        let report = runtime.block_on(session::run_lesson(ws.root(), lesson, &opts));
        if let Some(why) = &report.stopped {
            problems.push(format!("{label}: did not run: {}", text::stopped_line(why)));
            continue;
        }
        let failed: BTreeSet<String> = report
            .items
            .iter()
            .filter(|i| !i.verdict.is_pass())
            .map(|i| i.id.clone())
            .collect();
        if failed != w.fails {
            problems.push(format!(
                "{label}: failed {failed:?}, expected exactly {:?}",
                w.fails
            ));
        }
        for item in &report.items {
            if let Verdict::Fail(f) = &item.verdict {
                let shown = text::failure(f);
                if w.fails.contains(&item.id) && !shown.contains(&w.cause) {
                    problems.push(format!(
                        "{label}: `{}` fails, but its failure does not show {:?}:\n{shown}",
                        item.id, w.cause
                    ));
                }
            }
        }
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}
