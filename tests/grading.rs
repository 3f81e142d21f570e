//! `grade`'s machine-readable formats, each read the way its consumer reads it:
//! the JSON report against its published schema, JUnit against a JUnit schema
//! (xmllint) and as GitLab shows it, exercism's results.json v3 by its rules,
//! and GitHub Classroom's runner result in the environment Classroom gives.

use std::fs;
use std::path::{Path, PathBuf};
use std::process::Command;

mod common;
use common::{BUILDS, shared_target};

const LESSONS: [&str; 3] = ["01-first-endpoint", "02-rest-resources", "03-validation"];

/// A workspace with 01 solved, 02 the stub (printing control characters at
/// startup) and 03 not compiling.
fn graded_workspace() -> (tempfile::TempDir, PathBuf) {
    let tmp = tempfile::tempdir().unwrap();
    let ws = tmp.path().join("ws");
    common::apilings(tmp.path())
        .arg("init")
        .arg(&ws)
        .assert()
        .success();
    let src = Path::new(env!("CARGO_MANIFEST_DIR"));
    fs::copy(
        src.join("solutions/01-first-endpoint/src/main.rs"),
        ws.join("01-first-endpoint/src/main.rs"),
    )
    .unwrap();
    let main = ws.join("02-rest-resources/src/main.rs");
    let text = fs::read_to_string(&main).unwrap().replacen(
        "fn main() {",
        "fn main() {\n    eprintln!(\"\\x1b]0;title\\x07 \\x1b[31m<red> & \\\"quoted\\\"\\x1b[0m \\u{0}\");",
        1,
    );
    fs::write(&main, text).unwrap();
    let main = ws.join("03-validation/src/main.rs");
    let text = fs::read_to_string(&main).unwrap();
    fs::write(&main, format!("{text}\nconst BROKEN: u32 = \"no\";\n")).unwrap();
    (tmp, ws)
}

fn grade(ws: &Path, args: &[&str]) -> (i32, String, String) {
    let out = common::apilings(ws)
        .arg("grade")
        .args(args)
        .output()
        .unwrap();
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8(out.stdout).unwrap(),
        String::from_utf8(out.stderr).unwrap(),
    )
}

/// `xml`, written to `file`, is valid JUnit for xmllint against tests/fixtures/junit.xsd.
fn assert_valid_junit(file: &Path, xml: &str) {
    fs::write(file, xml).unwrap();
    let lint = Command::new("xmllint")
        .args(["--noout", "--schema"])
        .arg(Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/junit.xsd"))
        .arg(file)
        .output()
        .expect("xmllint runs (package libxml2-utils; scripts/test installs it)");
    assert!(
        lint.status.success(),
        "the report is not valid JUnit: {}\n{xml}",
        String::from_utf8_lossy(&lint.stderr)
    );
}

fn titles(lesson: &str) -> Vec<String> {
    let pack = apilings::lessons::Pack::embedded().unwrap();
    let lesson = pack.find(lesson).unwrap();
    lesson.items.iter().map(|i| i.title.clone()).collect()
}

#[test]
fn every_format_reads_as_its_consumer_reads_it() {
    let _serial = BUILDS.lock().unwrap_or_else(|e| e.into_inner());
    let (_tmp, ws) = graded_workspace();

    // JSON: valid against the published schema.
    let (code, out, _) = grade(&ws, &["01", "02", "03", "--format", "json"]);
    assert_eq!(code, 1, "{out}");
    let doc: serde_json::Value = serde_json::from_str(&out).unwrap();
    let schema: serde_json::Value = serde_json::from_str(
        &fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("docs/report.schema.json"))
            .unwrap(),
    )
    .unwrap();
    let validator = jsonschema::validator_for(&schema).unwrap();
    let errors: Vec<String> = validator
        .iter_errors(&doc)
        .map(|e| format!("{} at {}", e, e.instance_path()))
        .collect();
    assert!(errors.is_empty(), "{errors:#?}");
    assert!(doc["lessons"][0]["items"][0]["duration"].is_u64(), "{doc}");

    junit(&ws);
    exercism(&ws);
}

fn junit(ws: &Path) {
    let (code, out, _) = grade(ws, &["01", "02", "03", "--format", "junit"]);
    assert_eq!(code, 1, "{out}");
    assert_valid_junit(&ws.join("report.xml"), &out);

    // As GitLab reads it: the lesson is the case's classname (its "Suite"
    // column), a failure's whole transcript is the element's text.
    let xml = roxmltree::Document::parse(&out).unwrap();
    let cases: Vec<_> = xml
        .descendants()
        .filter(|n| n.has_tag_name("testcase"))
        .collect();
    let total: usize = LESSONS.iter().map(|l| titles(l).len()).sum();
    assert_eq!(cases.len(), total, "one testcase per checklist item");
    let in_lesson = |lesson: &str| {
        cases
            .iter()
            .filter(|c| c.attribute("classname") == Some(lesson))
            .collect::<Vec<_>>()
    };
    assert!(
        in_lesson(LESSONS[0])
            .iter()
            .all(|c| c.first_element_child().is_none())
    );
    for case in in_lesson(LESSONS[1]) {
        let failure = case
            .children()
            .find(|n| n.has_tag_name("failure"))
            .expect("each item of the stub fails");
        let text = failure.text().unwrap_or("");
        assert!(text.contains("as curl:"), "{text}");
        assert!(text.contains("hint: "), "{text}");
        assert!(
            failure.attribute("message").is_some_and(|m| !m.is_empty()),
            "{out}"
        );
    }
    // What the server printed is there as text, never as a control character.
    let suite_out = xml
        .descendants()
        .find(|n| n.has_tag_name("testsuite") && n.attribute("name") == Some(LESSONS[1]))
        .and_then(|s| s.children().find(|n| n.has_tag_name("system-out")))
        .and_then(|n| n.text())
        .unwrap_or("");
    assert!(suite_out.contains("<red> & \"quoted\""), "{suite_out:?}");
    assert!(suite_out.contains("␛]0;title␇"), "{suite_out:?}");
    assert!(!out.contains('\u{1b}'), "{out}");
    for case in in_lesson(LESSONS[2]) {
        let error = case
            .children()
            .find(|n| n.has_tag_name("error"))
            .expect("a lesson that does not compile errs in each item");
        assert_eq!(error.attribute("type"), Some("build_failed"));
        assert!(
            error.text().unwrap_or("").contains("src/main.rs:"),
            "the compiler's error is in the element: {out}"
        );
    }
}

fn exercism(ws: &Path) {
    let (code, out, _) = grade(ws, &["01", "02", "03", "--format", "exercism"]);
    assert_eq!(code, 1);
    let doc: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(doc["version"], 3);
    assert_eq!(doc["status"], "fail", "{doc}");
    assert!(
        doc.get("message").is_none(),
        "a top-level message only on error"
    );
    let tests = doc["tests"].as_array().unwrap();
    // lesson.toml order, lesson after lesson: exercism shows tests as given.
    let expected: Vec<String> = LESSONS
        .iter()
        .flat_map(|l| titles(l).into_iter().map(move |t| format!("{l} › {t}")))
        .collect();
    let names: Vec<&str> = tests.iter().map(|t| t["name"].as_str().unwrap()).collect();
    assert_eq!(names, expected);
    for t in tests {
        let status = t["status"].as_str().unwrap();
        let lesson = t["name"].as_str().unwrap().split(" › ").next().unwrap();
        let want = match lesson {
            "01-first-endpoint" => "pass",
            "02-rest-resources" => "fail",
            _ => "error",
        };
        assert_eq!(status, want, "{t}");
        if status != "pass" {
            assert!(t["message"].as_str().is_some_and(|m| !m.is_empty()), "{t}");
        }
        if let Some(output) = t["output"].as_str() {
            assert!(output.chars().count() <= 500, "{t}");
        }
        assert!(t["test_code"].as_str().unwrap().contains(lesson), "{t}");
        assert!(t["task_id"].as_u64().unwrap() >= 1, "{t}");
    }
    // Nothing ran at all (it does not compile): `error`, with the compiler's message.
    let (code, out, _) = grade(ws, &["03", "--format", "exercism"]);
    assert_eq!(code, 1);
    let doc: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(doc["status"], "error", "{doc}");
    assert!(
        doc["message"]
            .as_str()
            .is_some_and(|m| m.contains("03-validation/src/main.rs:")),
        "{doc}"
    );
}

/// GitHub Classroom's command grader gives the command `PATH`, `HOME` and
/// `FORCE_COLOR=true`, nothing else, and passes on the exit code alone.
#[test]
fn a_grade_in_github_classrooms_environment() {
    let _serial = BUILDS.lock().unwrap_or_else(|e| e.into_inner());
    let (_tmp, ws) = graded_workspace();
    // Classroom builds in the workspace's own target folder: here that is the
    // tests' shared one, so the dependencies are not compiled again.
    std::os::unix::fs::symlink(shared_target(), ws.join("target")).unwrap();
    let classroom = |args: &[&str]| {
        let out = Command::new(env!("CARGO_BIN_EXE_apilings"))
            .current_dir(&ws)
            .env_clear()
            .env("PATH", std::env::var_os("PATH").unwrap())
            .env("HOME", std::env::var_os("HOME").unwrap())
            .env("FORCE_COLOR", "true")
            .arg("grade")
            .args(args)
            .output()
            .unwrap();
        let (stdout, stderr) = (
            String::from_utf8(out.stdout).unwrap(),
            String::from_utf8(out.stderr).unwrap(),
        );
        assert!(
            !stdout.contains('\u{1b}') && !stderr.contains('\u{1b}'),
            "no escape codes when the output is not a terminal:\n{stdout}\n{stderr}"
        );
        (out.status.code(), stdout)
    };
    let (code, out) = classroom(&["01"]);
    assert_eq!(code, Some(0), "{out}");
    let (code, out) = classroom(&["02"]);
    assert_eq!(code, Some(1), "{out}");

    // One step carries a lesson's partial credit: one point per item.
    let (code, out) = classroom(&["01", "02", "--format", "classroom"]);
    assert_eq!(code, Some(1));
    let doc: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(doc["version"], 1);
    assert_eq!(doc["status"], "fail");
    let tests = doc["tests"].as_array().unwrap();
    let items = titles("01").len() + titles("02").len();
    assert_eq!(doc["max_score"], items);
    assert_eq!(tests.len(), items);
    let score: u64 = tests.iter().map(|t| t["score"].as_u64().unwrap()).sum();
    assert_eq!(score as usize, titles("01").len(), "{doc}");
    for t in tests {
        assert!(matches!(t["status"].as_str(), Some("pass" | "fail")), "{t}");
    }
}

/// A workspace named `name` with the solutions of `lessons`, built; returns
/// the temp dir, the workspace and where each lesson's binary is.
fn built_solutions(name: &str, lessons: &[&str]) -> (tempfile::TempDir, PathBuf, PathBuf) {
    let tmp = tempfile::tempdir().unwrap();
    let ws = tmp.path().join(name);
    common::apilings(tmp.path())
        .arg("init")
        .arg(&ws)
        .assert()
        .success();
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("solutions");
    for lesson in lessons {
        common::copy_dir(&src.join(lesson), &ws.join(lesson));
    }
    common::apilings(&ws)
        .arg("grade")
        .args(lessons)
        .assert()
        .success();
    // Each workspace's binaries have a folder of their own in the shared
    // target dir, named after the workspace: the newest is this one's.
    let bins = fs::read_dir(shared_target().join("apilings"))
        .unwrap()
        .filter_map(Result::ok)
        .filter(|e| {
            e.file_name()
                .to_string_lossy()
                .starts_with(&format!("{name}-"))
        })
        .max_by_key(|e| e.metadata().and_then(|m| m.modified()).ok())
        .map(|e| e.path().join("debug"))
        .expect("the workspace's binaries");
    (tmp, ws, bins)
}

/// A server this test started itself, stopped when the test ends.
struct Running(std::process::Child);

impl Drop for Running {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn start(bin: &Path, env: &[(&str, &str)]) -> (Running, u16) {
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let child = Command::new(bin)
        .env("PORT", port.to_string())
        .envs(env.iter().copied())
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn()
        .unwrap();
    let started = std::time::Instant::now();
    while std::net::TcpStream::connect(("127.0.0.1", port)).is_err() {
        assert!(
            started.elapsed().as_secs() < 10,
            "{} did not start",
            bin.display()
        );
        std::thread::sleep(std::time::Duration::from_millis(20));
    }
    (Running(child), port)
}

fn verdicts(doc: &serde_json::Value) -> Vec<(String, String)> {
    doc["lessons"][0]["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| {
            (
                i["id"].as_str().unwrap().to_string(),
                i["verdict"]["verdict"].as_str().unwrap().to_string(),
            )
        })
        .collect()
}

#[test]
fn any_server_is_graded_through_a_command_or_a_url() {
    let _serial = BUILDS.lock().unwrap_or_else(|e| e.into_inner());
    let lessons = ["07-auth-dependencies", "08-panics", "14-n-plus-one"];
    let (tmp, _ws, bins) = built_solutions("anystack", &lessons);
    let bin = |lesson: &str| bins.join(format!("lesson-{lesson}"));
    // Outside any workspace: a server command needs none.
    let elsewhere = tmp.path().join("elsewhere");
    fs::create_dir_all(&elsewhere).unwrap();
    let run = |args: &[&str]| {
        let out = common::apilings(&elsewhere).args(args).output().unwrap();
        (
            out.status.code().unwrap_or(-1),
            String::from_utf8(out.stdout).unwrap(),
            String::from_utf8(out.stderr).unwrap(),
        )
    };

    // --cmd: started like the lesson's binary, starts without a variable included.
    let cmd = format!("{} --port {{port}}", bin(lessons[0]).display());
    let (code, out, err) = run(&["check", "07", "--cmd", &cmd]);
    assert_eq!(code, 0, "{out}{err}");
    assert!(out.contains("✓ refuses-without-api-key"), "{out}");
    assert!(out.contains("server: the command"), "{out}");

    // What only the kit provides is not applicable, never passed.
    let cmd = bin(lessons[2]).display().to_string();
    let (code, out, _) = run(&["grade", "14", "--cmd", &cmd, "--format", "json"]);
    assert_eq!(code, 1, "{out}");
    let doc: serde_json::Value = serde_json::from_str(&out).unwrap();
    let got = verdicts(&doc);
    assert!(
        got.iter()
            .all(|(_, v)| v == "not_applicable" || v == "pass"),
        "{got:?}"
    );
    assert!(got.iter().any(|(_, v)| v == "not_applicable"), "{got:?}");
    let why = &doc["lessons"][0]["items"][0]["verdict"]["why"];
    assert!(why.as_str().is_some_and(|w| w.contains("kit")), "{doc}");
    assert_eq!(doc["passed"], false);

    // --url: a server already running; what it prints is unseen.
    let (_server, port) = start(&bin(lessons[1]), &[]);
    let url = format!("http://127.0.0.1:{port}");
    let (code, out, _) = run(&["grade", "08", "--url", &url, "--format", "json"]);
    assert_eq!(code, 1, "{out}");
    let doc: serde_json::Value = serde_json::from_str(&out).unwrap();
    let got = verdicts(&doc);
    assert_eq!(
        got,
        [
            ("panic-answers-500-json".into(), "pass".into()),
            ("panic-logged-not-returned".into(), "not_applicable".into()),
            ("keeps-serving".into(), "not_applicable".into()),
        ]
    );
    // The lesson's environment is the running server's own: read from apilings' environment.
    let (_server, port) = start(&bin(lessons[0]), &[("API_KEY", "the-running-key")]);
    let url = format!("http://127.0.0.1:{port}");
    let (code, out, err) = run(&["check", "07", "--url", &url]);
    assert_eq!(code, 1, "{out}{err}");
    assert!(
        out.contains("set API_KEY in apilings' environment"),
        "{out}"
    );
    let out = common::apilings(&elsewhere)
        .env("API_KEY", "the-running-key")
        .args(["check", "07", "--url", &url])
        .output()
        .unwrap();
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(text.contains("✓ right-key-and-current-user"), "{text}");
    assert!(
        text.contains("– refuses-without-api-key") && text.contains("not applicable on this stack"),
        "{text}"
    );

    // Loopback only.
    let (code, _, err) = run(&["check", "01", "--url", "http://192.168.1.20:8000"]);
    assert_eq!(code, 2);
    assert!(err.contains("loopback only"), "{err}");
}

#[test]
fn a_class_is_graded_on_one_dependency_build() {
    let _serial = BUILDS.lock().unwrap_or_else(|e| e.into_inner());
    let tmp = tempfile::tempdir().unwrap();
    let class = tmp.path().join("class");
    let init = |name: &str| {
        let ws = class.join(name);
        common::apilings(tmp.path())
            .arg("init")
            .arg(&ws)
            .assert()
            .success();
        ws
    };
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("solutions");
    // ada solved 01, bob left the stub, cy does not compile, and dot is no workspace.
    let ada = init("ada");
    common::copy_dir(
        &src.join("01-first-endpoint"),
        &ada.join("01-first-endpoint"),
    );
    init("bob");
    let cy = init("cy");
    let main = cy.join("01-first-endpoint/src/main.rs");
    let text = fs::read_to_string(&main).unwrap();
    fs::write(&main, format!("{text}\nconst BROKEN: u32 = \"no\";\n")).unwrap();
    fs::create_dir_all(class.join("dot")).unwrap();

    let out = common::apilings(tmp.path())
        .args(["grade", "01", "--class", "class"])
        .output()
        .unwrap();
    let text = String::from_utf8(out.stdout).unwrap();
    assert_eq!(out.status.code(), Some(1), "{text}");
    let row = |name: &str| {
        text.lines()
            .rev()
            .find(|l| l.starts_with(name))
            .unwrap_or_else(|| panic!("no row for {name}:\n{text}"))
            .split_whitespace()
            .collect::<Vec<_>>()
            .join(" ")
    };
    assert_eq!(row("learner"), "learner 01");
    assert_eq!(row("ada"), "ada 3/3");
    assert_eq!(row("bob"), "bob 0/3");
    assert_eq!(row("cy"), "cy build");
    assert_eq!(row("dot"), "dot –");
    assert!(
        text.contains("dot: not graded:") && text.contains("not an apilings workspace"),
        "{text}"
    );
    assert!(
        text.contains("1 of 4 learners pass every lesson."),
        "{text}"
    );

    // The same as JSON (valid against its schema) and as JUnit (valid JUnit).
    let out = common::apilings(tmp.path())
        .args(["grade", "01", "--class", "class", "--format", "json"])
        .output()
        .unwrap();
    let doc: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let schema: serde_json::Value = serde_json::from_str(
        &fs::read_to_string(
            Path::new(env!("CARGO_MANIFEST_DIR")).join("docs/class-report.schema.json"),
        )
        .unwrap(),
    )
    .unwrap();
    let validator = jsonschema::validator_for(&schema).unwrap();
    let errors: Vec<String> = validator.iter_errors(&doc).map(|e| e.to_string()).collect();
    assert!(errors.is_empty(), "{errors:#?}");
    let learners = doc["learners"].as_array().unwrap();
    assert_eq!(learners.len(), 4);
    let verdicts_of = |i: usize| -> Vec<String> {
        learners[i]["grade"]["lessons"][0]["items"]
            .as_array()
            .unwrap()
            .iter()
            .map(|i| i["verdict"]["verdict"].as_str().unwrap().to_string())
            .collect()
    };
    assert_eq!(verdicts_of(0), ["pass", "pass", "pass"]);
    assert_eq!(verdicts_of(1), ["fail", "fail", "fail"]);
    assert_eq!(
        learners[2]["grade"]["lessons"][0]["stopped"]["kind"],
        "build_failed"
    );
    assert!(
        learners.iter().all(|l| l["own_build"].is_null()),
        "one lock, one build: {doc}"
    );

    let out = common::apilings(tmp.path())
        .args(["grade", "01", "--class", "class", "--format", "junit"])
        .output()
        .unwrap();
    let xml = String::from_utf8(out.stdout).unwrap();
    assert_valid_junit(&tmp.path().join("class.xml"), &xml);
    assert!(xml.contains("classname=\"ada/01-first-endpoint\""), "{xml}");
}
