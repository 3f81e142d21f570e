//! An instructor's tools, used as an instructor would: the example pack checks
//! and verifies; a workspace knows its pack; `update` brings new lessons in.

use std::fs;
use std::path::Path;

use predicates::str::contains;

mod common;
use common::{BUILDS, apilings, copy_dir};

fn example_pack() -> std::path::PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("examples/starter-pack/lessons")
}

#[test]
fn the_example_pack_passes_dev_check_and_verify() {
    let _one = BUILDS.lock().unwrap_or_else(|e| e.into_inner());
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    apilings(root)
        .args(["dev", "check", "--locked", "--lessons"])
        .arg(example_pack())
        .assert()
        .code(0)
        .stdout(contains(
            "the `starter` pack's files are well formed (2 lessons)",
        ))
        .stdout(contains("All 2 lesson(s) verified."));
    // The core pack too, without building (verify runs it elsewhere).
    apilings(root)
        .args(["dev", "check", "--no-build"])
        .assert()
        .code(0)
        .stdout(contains("the `core` pack's files are well formed"));
}

#[test]
fn a_workspace_knows_its_pack_and_update_brings_new_lessons_without_touching_yours() {
    let tmp = tempfile::tempdir().unwrap();
    let pack = tmp.path().join("pack");
    copy_dir(&example_pack().join(".."), &pack);
    let lessons = pack.join("lessons");
    // A command run in `dir` with this pack.
    let with_pack = |dir: &std::path::Path| {
        let mut cmd = apilings(dir);
        cmd.arg("--lessons").arg(&lessons);
        cmd
    };
    with_pack(tmp.path()).args(["init", "ws"]).assert().code(0);
    let ws = tmp.path().join("ws");
    let meta = fs::read_to_string(ws.join(".apilings/workspace.toml")).unwrap();
    let hash = apilings::lessons::Pack::from_dir(&lessons).unwrap().hash;
    assert!(meta.contains("pack = \"starter\""), "{meta}");
    assert!(meta.contains("pack_version = \"0.1.0\""), "{meta}");
    assert!(meta.contains(&format!("pack_hash = \"{hash}\"")), "{meta}");

    // Another pack's command in this workspace: refused, saying what to run.
    apilings(&ws)
        .arg("list")
        .assert()
        .code(2)
        .stderr(contains(
            "was made from the `starter` pack, but this command loaded the `core` pack",
        ))
        .stderr(contains(format!(
            "--lessons {}",
            lessons.canonicalize().unwrap().display()
        )));

    // The author adds a lesson; the learner has edited lesson 2.
    with_pack(tmp.path())
        .args(["dev", "new", "rate-limits"])
        .assert()
        .code(0);
    let mine = ws.join("02-notes/src/main.rs");
    let edited = fs::read_to_string(&mine).unwrap() + "\n// the learner's own line\n";
    fs::write(&mine, &edited).unwrap();
    with_pack(&ws)
        .arg("list")
        .assert()
        .code(0)
        .stderr(contains("it has new lessons: 03-rate-limits"))
        .stderr(contains("`apilings update`"));
    with_pack(&ws)
        .arg("update")
        .assert()
        .code(0)
        .stdout(contains("New lessons: 03-rate-limits"));
    assert!(ws.join("03-rate-limits/src/main.rs").is_file());
    assert_eq!(
        fs::read_to_string(&mine).unwrap(),
        edited,
        "the learner's file is kept"
    );
    let manifest = fs::read_to_string(ws.join("Cargo.toml")).unwrap();
    assert!(manifest.contains("03-rate-limits"), "{manifest}");
    // Up to date now: no warning.
    with_pack(&ws)
        .arg("list")
        .assert()
        .code(0)
        .stderr(predicates::str::is_empty());
}

#[test]
fn a_class_grade_names_a_workspace_of_another_pack_instead_of_grading_it() {
    let tmp = tempfile::tempdir().unwrap();
    apilings(tmp.path())
        .arg("--lessons")
        .arg(example_pack())
        .args(["init", "class/eve"])
        .assert()
        .code(0);
    apilings(tmp.path())
        .args(["grade", "01", "--class", "class"])
        .assert()
        .code(1)
        .stdout(contains("eve: not graded:"))
        .stdout(contains(
            "was made from the `starter` pack, but this command loaded the `core` pack",
        ));
}
