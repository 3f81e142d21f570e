use std::collections::BTreeMap;

use super::*;

const GOOD: &str = r#"
title = "T"
edit = ["src/main.rs"]
vars = { key = "k-{{random}}" }
server = { env = { API_KEY = "{{key}}" } }

[[item]]
id = "a"
title = "A"
hints = ["h"]
vars = { email = "x-{{random}}@example.com" }

  [[item.step]]
  request = { method = "post", path = "/users", json = { email = "{{email}}" }, headers = { x-api-key = "{{env.API_KEY}}" } }
  expect = { status = 201, headers = { location = { matches = "^/users/" } } }
  capture = { url = { header = "location" } }

  [[item.step]]
  request = { path = "{{url}}" }
  expect = { json = { "/email" = "{{email}}" } }
"#;

fn pack_with(lesson_toml: &str) -> Result<Pack, PackError> {
    let mut lessons = BTreeMap::new();
    lessons.insert("pack.toml".to_string(), "name = \"t\"\n".to_string());
    lessons.insert("01-a/lesson.toml".to_string(), lesson_toml.to_string());
    lessons.insert("01-a/README.md".to_string(), "# A".to_string());
    lessons.insert("01-a/src/main.rs".to_string(), "fn main() {}".to_string());
    let mut solutions = BTreeMap::new();
    solutions.insert("01-a/src/main.rs".to_string(), "fn main() {}".to_string());
    Pack::from_files(&PackFiles::from_maps(lessons, solutions))
}

fn error_of(lesson_toml: &str) -> String {
    pack_with(lesson_toml).unwrap_err().to_string()
}

#[test]
fn a_good_lesson_parses_into_typed_values() {
    let pack = pack_with(GOOD).unwrap();
    let l = &pack.lessons[0];
    assert_eq!(l.id, "01-a");
    assert_eq!(l.crate_name(), "lesson-01-a");
    assert_eq!(l.items[0].steps[0].request.method.0, "POST");
    assert_eq!(l.items[0].steps[1].request.method.0, "GET");
    assert_eq!(l.env["API_KEY"], "{{key}}");
    assert_eq!(
        l.stub.len(),
        2,
        "README and main.rs are stub files: {:?}",
        l.stub
    );
    assert_eq!(l.solution.len(), 1);
}

#[test]
fn syntax_errors_name_file_line_and_column() {
    let err = error_of("title = \"T\"\nedit = [\"src/main.rs\"\n");
    assert!(err.starts_with("lessons/01-a/lesson.toml:2:"), "{err}");
}

#[test]
fn unknown_fields_are_located() {
    let bad = GOOD.replace("expect = { status = 201", "expect = { stauts = 201");
    let err = error_of(&bad);
    assert!(
        err.starts_with("lessons/01-a/lesson.toml:15:14: unknown key `stauts`"),
        "{err}"
    );
}

#[test]
fn bad_values_are_located() {
    let err = error_of(&GOOD.replace("^/users/", "^/users/("));
    assert!(err.starts_with("lessons/01-a/lesson.toml:15:"), "{err}");
    assert!(err.contains("invalid regular expression"), "{err}");

    let err = error_of(&GOOD.replace("path = \"/users\"", "path = \"users\""));
    assert!(err.contains("must start with `/`"), "{err}");

    let err = error_of(&GOOD.replace("\"/email\"", "\"email\""));
    assert!(err.contains("JSON pointer `email`"), "{err}");

    let err = error_of(&GOOD.replace("method = \"post\"", "method = \"FETCH\""));
    assert!(err.contains("unknown method `FETCH`"), "{err}");
}

#[test]
fn unknown_template_names_are_located_and_list_the_known_ones() {
    let err = error_of(&GOOD.replace("path = \"{{url}}\"", "path = \"{{ur}}\""));
    assert!(err.starts_with("lessons/01-a/lesson.toml:19:"), "{err}");
    assert!(err.contains("`{{ur}}`"), "{err}");
    assert!(err.contains("url"), "{err}");
}

#[test]
fn an_unknown_template_in_an_expectation_is_located_when_the_pack_loads() {
    let err = error_of(&GOOD.replace("\"/email\" = \"{{email}}\"", "\"/email\" = \"{{emial}}\""));
    assert!(err.starts_with("lessons/01-a/lesson.toml:20:35:"), "{err}");
    assert!(
        err.contains("unknown template variable `{{emial}}`"),
        "{err}"
    );
    assert!(err.contains("email"), "lists the known names: {err}");
}

#[test]
fn a_capture_is_only_known_after_its_step() {
    let bad = GOOD.replace("path = \"/users\"", "path = \"{{url}}\"");
    let err = error_of(&bad);
    assert!(err.contains("unknown template variable `{{url}}`"), "{err}");
}

#[test]
fn own_captures_are_known_to_what_a_step_expects_of_the_server_only() {
    let step = |expect: &str| {
        format!(
            "{GOOD}\n[[item]]\nid = \"t\"\ntitle = \"T\"\nhints = [\"h\"]\n  [[item.step]]\n  request = {{ method = \"POST\", path = \"/users\" }}\n  capture = {{ new = {{ json = \"/id\" }} }}\n  expect = {{ {expect} }}\n"
        )
    };
    pack_with(&step("logged = { user_id = \"{{new}}\" }")).unwrap();
    pack_with(&step("output = { contains = \"user {{new}}\" }")).unwrap();
    let e = error_of(&step("json = { \"/id\" = \"{{new}}\" }"));
    assert!(e.contains("unknown template variable `{{new}}`"), "{e}");
}

#[test]
fn stream_values_that_could_not_fail_or_pass_are_refused() {
    let stream = |values: &str| {
        format!(
            "{GOOD}\n[[item]]\nid = \"t\"\ntitle = \"T\"\nhints = [\"h\"]\n  [item.stream]\n  request = {{ path = \"/stream\" }}\n  {values}\n"
        )
    };
    pack_with(&stream("first_before = 0.5")).unwrap();
    pack_with(&stream(
        "disconnect = { after = 2, wait_ms = 500, counters = { chunks_produced = { le = 2 } } }",
    ))
    .unwrap();
    for (values, says) in [
        ("first_before = 1.0", "more than 0 and less than 1"),
        ("gap_ms = 20000", "`stream.gap_ms` must be"),
        ("within_ms = 0", "`stream.within_ms` must be 1 to 60000"),
        (
            "disconnect = { after = 0, wait_ms = 500, counters = { chunks_produced = 0 } }",
            "`after` ≥ 1",
        ),
        (
            "last = { event = \"done\" }\n  disconnect = { after = 2, wait_ms = 500, counters = { chunks_produced = 0 } }",
            "has no last event",
        ),
        ("each = { evnt = \"message\" }", "unknown key `evnt`"),
    ] {
        let e = error_of(&stream(values));
        assert!(e.contains(says), "{values}: {e}");
    }
    let e = error_of(&stream("last = { data = \"{{nope}}\" }"));
    assert!(e.contains("unknown template variable `{{nope}}`"), "{e}");
}

#[test]
fn openapi_values_that_could_not_fail_are_refused() {
    let item = |body: &str| {
        format!("{GOOD}\n[[item]]\nid = \"t\"\ntitle = \"T\"\nhints = [\"h\"]\n{body}\n")
    };
    let step = "  [[item.step]]\n  request = { path = \"/users\" }\n";
    pack_with(&item(&format!("{step}  [item.openapi]\n  statuses = true"))).unwrap();
    for (body, says) in [
        (
            format!("{step}  [item.openapi]\n"),
            "`openapi` checks nothing",
        ),
        (
            "  [item.openapi]\n  schemas = true".to_string(),
            "has no [[item.step]]",
        ),
        (
            format!("{step}  [item.openapi]\n  schemas = true\n  document = \"openapi.json\""),
            "must start with `/`",
        ),
        (
            format!("{step}  [item.openapi]\n  schemas = tru"),
            "lesson.toml:",
        ),
    ] {
        let e = error_of(&item(&body));
        assert!(e.contains(says), "{body}: {e}");
    }
}

#[test]
fn rules_of_the_format_are_enforced() {
    let err = error_of(&GOOD.replace("hints = [\"h\"]", "hints = []"));
    assert!(err.contains("has no hints"), "{err}");
    let err = error_of(&GOOD.replace("edit = [\"src/main.rs\"]", "edit = [\"src/lib.rs\"]"));
    assert!(err.contains("no such stub file"), "{err}");
    let twice = format!(
        "{GOOD}\n[[item]]\nid = \"a\"\ntitle = \"again\"\nhints = [\"h\"]\n  [[item.step]]\n  request = {{ path = \"/\" }}\n"
    );
    assert!(error_of(&twice).contains("two items have the id `a`"));
}

#[test]
fn timing_values_that_could_not_fail_or_pass_are_refused() {
    let item = |body: &str| {
        format!("{GOOD}\n[[item]]\nid = \"t\"\ntitle = \"T\"\nhints = [\"h\"]\n{body}\n")
    };
    let concurrency = |values: &str| {
        item(&format!(
            "concurrency = {{ request = {{ path = \"/slow\" }}, {values} }}"
        ))
    };
    pack_with(&concurrency("at_once = 8, within = 2.0")).unwrap();
    pack_with(&concurrency(
        "at_once = 8, within = 2.0, meanwhile = { request = { path = \"/health\" }, within = 0.5 }",
    ))
    .unwrap();
    for (values, says) in [
        (
            "at_once = 1, within = 2.0",
            "`at_once` must be 2 to 64, got 1",
        ),
        ("at_once = 8, within = 8.0", "less than `at_once` (8)"),
        ("at_once = 8, within = 0.5", "at least 1"),
        ("at_once = 8", "would check no time"),
        (
            "at_once = 8, within = 2.0, meanwhile = { request = { path = \"/h\" }, within = 1.0 }",
            "a fraction of one slow request",
        ),
    ] {
        let e = error_of(&concurrency(values));
        assert!(
            e.contains("item `t`: ") && e.contains(says),
            "{values}: {e}"
        );
    }
    let e = error_of(&concurrency(
        "at_once = 8, within = 2.0, expect = { json = { \"/id\" = \"{{idd}}\" } }",
    ));
    assert!(e.contains("unknown template variable `{{idd}}`"), "{e}");
    let polled = |ev: &str| {
        item(&format!(
            "  [[item.step]]\n  request = {{ path = \"/jobs/1\" }}\n  eventually = {{ {ev} }}"
        ))
    };
    pack_with(&polled("within_ms = 3000")).unwrap();
    let e = error_of(&polled("within_ms = 100, every_ms = 100"));
    assert!(e.contains("0 < every_ms < within_ms"), "{e}");
}

#[test]
fn lessons_are_found_by_id_slug_or_number() {
    let pack = pack_with(GOOD).unwrap();
    assert_eq!(pack.find("01-a").unwrap().id, "01-a");
    assert_eq!(pack.find("a").unwrap().id, "01-a");
    assert_eq!(pack.find("1").unwrap().id, "01-a");
    assert_eq!(pack.find("01").unwrap().id, "01-a");
    let err = pack.find("zz").unwrap_err().to_string();
    assert_eq!(err, "unknown lesson `zz`; the lessons are: 01-a");
}

#[test]
fn the_embedded_pack_loads() {
    let pack = Pack::embedded().unwrap();
    assert!(pack.lessons.len() >= 3, "{} lessons", pack.lessons.len());
    assert!(pack.lock.is_some(), "the pack ships a Cargo.lock");
    assert!(pack.kit.iter().any(|(p, _)| p == "src/lib.rs"));
}

#[test]
fn a_start_item_is_checked_against_the_servers_environment() {
    let base = r#"
title = "T"
edit = ["src/main.rs"]
server = { env = { API_KEY = "k" } }

[[item]]
id = "refuses"
title = "R"
hints = ["h"]
"#;
    let ok = format!(
        "{base}start = {{ without = [\"API_KEY\"], output = {{ contains = \"API_KEY\" }} }}\n"
    );
    let pack = pack_with(&ok).unwrap();
    assert!(pack.lessons[0].items[0].start.is_some());

    let unknown = format!("{base}start = {{ without = [\"DB_URL\"] }}\n");
    let e = error_of(&unknown);
    assert!(
        e.contains("lesson.toml:10:")
            && e.contains(
                "`without` names `DB_URL`, which [server.env] does not set; it sets: API_KEY"
            ),
        "{e}"
    );

    let both = format!(
        "{base}start = {{ without = [\"API_KEY\"] }}\n  [[item.step]]\n  request = {{ path = \"/\" }}\n"
    );
    assert!(
        error_of(&both).contains("has `start` and more"),
        "{}",
        error_of(&both)
    );

    let neither = error_of(base);
    assert!(neither.contains("it checks nothing"), "{neither}");
}

#[test]
fn graded_by_must_name_another_item_and_secrets_known_names() {
    let with_step = |extra: &str| {
        GOOD.replace(
            "  [[item.step]]\n  request = { path = \"{{url}}\" }",
            &format!("  [[item.step]]\n  {extra}\n  request = {{ path = \"{{{{url}}}}\" }}"),
        )
    };
    let e = error_of(&with_step("graded_by = \"nope\""));
    assert!(
        e.contains("lesson.toml:19:3: `graded_by` must name another item of this lesson, not `nope`; the items are: a"),
        "{e}"
    );
    assert!(error_of(&with_step("graded_by = \"a\"")).contains("not `a`"));
    let secret = GOOD.replace(
        "title = \"T\"",
        "title = \"T\"\nsecrets = [\"{{env.API_KEYS}}\"]",
    );
    let e = error_of(&secret);
    assert!(
        e.contains("unknown template variable `{{env.API_KEYS}}`"),
        "{e}"
    );
    let ok = GOOD.replace(
        "title = \"T\"",
        "title = \"T\"\nsecrets = [\"{{env.API_KEY}}\"]",
    );
    assert_eq!(
        pack_with(&ok).unwrap().lessons[0].secrets,
        ["{{env.API_KEY}}"]
    );
}

#[test]
fn a_duplicate_item_id_points_at_the_duplicate() {
    let twice = format!(
        "{GOOD}\n[[item]]\nid = \"a\"\ntitle = \"B\"\nhints = [\"h\"]\n  [[item.step]]\n  request = {{ path = \"/\" }}\n"
    );
    let line = twice.lines().position(|l| l == "id = \"a\"").unwrap();
    let second = twice
        .lines()
        .enumerate()
        .filter(|(_, l)| *l == "id = \"a\"")
        .nth(1)
        .unwrap()
        .0;
    assert!(second > line);
    let e = error_of(&twice);
    assert!(
        e.contains(&format!(
            "lesson.toml:{}:6: two items have the id `a`; this is the second",
            second + 1
        )),
        "{e}"
    );
}

#[test]
fn names_written_into_manifests_and_patterns_are_bounded() {
    let mut lessons = BTreeMap::new();
    lessons.insert(
        "pack.toml".to_string(),
        "name = \"t\"\n[dependencies]\n\"axum\\n[evil]\" = \"1\"\n".to_string(),
    );
    lessons.insert("01-a/lesson.toml".to_string(), GOOD.to_string());
    lessons.insert("01-a/README.md".to_string(), "# A".to_string());
    lessons.insert("01-a/src/main.rs".to_string(), "fn main() {}".to_string());
    let mut solutions = BTreeMap::new();
    solutions.insert("01-a/src/main.rs".to_string(), "fn main() {}".to_string());
    let e = Pack::from_files(&PackFiles::from_maps(lessons, solutions))
        .unwrap_err()
        .to_string();
    assert!(
        e.contains("pack.toml:3:1: `axum\\n[evil]` is not a crate name"),
        "{e}"
    );
    let long = GOOD.replace("\"^/users/\"", &format!("\"{}\"", "a".repeat(1001)));
    assert!(error_of(&long).contains("regular expression of 1001 characters; at most 1000"));
}

/// A pack on disk with one lesson, to break in various ways.
fn pack_on_disk() -> (tempfile::TempDir, std::path::PathBuf) {
    let tmp = tempfile::tempdir().unwrap();
    let lessons = tmp.path().join("lessons");
    let put = |rel: &str, text: &str| {
        let p = tmp.path().join(rel);
        std::fs::create_dir_all(p.parent().unwrap()).unwrap();
        std::fs::write(p, text).unwrap();
    };
    put("lessons/pack.toml", "name = \"t\"\n");
    put("lessons/01-a/lesson.toml", GOOD);
    put("lessons/01-a/README.md", "# A");
    put("lessons/01-a/src/main.rs", "fn main() {}");
    put("solutions/01-a/src/main.rs", "fn main() {}");
    assert!(Pack::from_dir(&lessons).is_ok());
    (tmp, lessons)
}

#[test]
fn a_pack_on_disk_is_read_only_as_its_own_text_files() {
    let err = |lessons: &std::path::Path| Pack::from_dir(lessons).unwrap_err().to_string();
    // A pipe would block the reader for ever.
    let (_t, lessons) = pack_on_disk();
    nix::unistd::mkfifo(
        &lessons.join("01-a/src/pipe"),
        nix::sys::stat::Mode::S_IRWXU,
    )
    .unwrap();
    assert!(
        err(&lessons).contains("not a regular file"),
        "{}",
        err(&lessons)
    );
    // A symlink out of the pack.
    let (_t, lessons) = pack_on_disk();
    std::os::unix::fs::symlink("/etc/hostname", lessons.join("01-a/src/host")).unwrap();
    assert!(
        err(&lessons).contains("a symlink that leads out of the pack"),
        "{}",
        err(&lessons)
    );
    // A symlink inside is fine.
    let (_t, lessons) = pack_on_disk();
    std::os::unix::fs::symlink(
        lessons.join("01-a/README.md"),
        lessons.join("01-a/NOTES.md"),
    )
    .unwrap();
    assert!(Pack::from_dir(&lessons).is_ok());
    // Too big.
    let (_t, lessons) = pack_on_disk();
    std::fs::write(lessons.join("01-a/src/big.rs"), vec![b'x'; (1 << 20) + 1]).unwrap();
    assert!(err(&lessons).contains("at most 1 MiB"), "{}", err(&lessons));
    // Invalid UTF-8, with its position.
    let (_t, lessons) = pack_on_disk();
    std::fs::write(
        lessons.join("01-a/src/main.rs"),
        b"fn main() {\n    let s = \"\xff\";\n}\n",
    )
    .unwrap();
    assert!(
        err(&lessons).contains("src/main.rs:2:14: not valid UTF-8"),
        "{}",
        err(&lessons)
    );
    // Solutions out of the pack's folder.
    let (_t, lessons) = pack_on_disk();
    std::fs::write(
        lessons.join("pack.toml"),
        "name = \"t\"\nsolutions = \"../../../etc\"\n",
    )
    .unwrap();
    assert!(
        err(&lessons).contains("leads out of the pack's folder"),
        "{}",
        err(&lessons)
    );
}

/// Every diagnostic of `dev check`, rendered as the author sees it: file,
/// line, column, the line with the span underlined, and the help.
mod diagnostics {
    use super::*;

    /// A change to the files of the base pack.
    type Change = Box<dyn FnOnce(&mut BTreeMap<String, String>)>;

    const README: &str = "# A\n\n## The principle\n\nWhy.\n\n## The axum idiom\n\nHow.\n\n## Your task\n\nDo.\n\n## What is graded\n\nThis.\n";

    fn base() -> BTreeMap<String, String> {
        let mut files = BTreeMap::new();
        files.insert("lessons/pack.toml".into(), "name = \"t\"\n".into());
        files.insert("lessons/01-a/lesson.toml".into(), GOOD.into());
        files.insert("lessons/01-a/README.md".into(), README.into());
        files.insert("lessons/01-a/src/main.rs".into(), "fn main() {}\n".into());
        files.insert("solutions/01-a/src/main.rs".into(), "fn main() {}\n".into());
        files
    }

    /// What `dev check` says of the base pack changed by `change`.
    fn said(change: impl FnOnce(&mut BTreeMap<String, String>)) -> String {
        let mut files = base();
        change(&mut files);
        let (mut lessons, mut solutions) = (BTreeMap::new(), BTreeMap::new());
        for (path, text) in files {
            match path.split_once('/') {
                Some(("lessons", rel)) => lessons.insert(rel.to_string(), text),
                Some((_, rel)) => solutions.insert(rel.to_string(), text),
                None => None,
            };
        }
        let (_, problems) = Pack::check(&PackFiles::from_maps(lessons, solutions));
        problem::render(&problems, false)
    }

    fn edit(from: &'static str, to: &'static str) -> impl FnOnce(&mut BTreeMap<String, String>) {
        move |files| {
            let toml = files.get_mut("lessons/01-a/lesson.toml").unwrap();
            assert_eq!(toml.matches(from).count(), 1, "{from}");
            *toml = toml.replacen(from, to, 1);
        }
    }

    #[test]
    fn the_base_pack_has_no_problem() {
        let (pack, problems) = Pack::check(&PackFiles::from_maps(
            base()
                .into_iter()
                .filter_map(|(p, t)| p.strip_prefix("lessons/").map(|r| (r.to_string(), t)))
                .collect(),
            base()
                .into_iter()
                .filter_map(|(p, t)| p.strip_prefix("solutions/").map(|r| (r.to_string(), t)))
                .collect(),
        ));
        assert!(problems.is_empty(), "{problems:#?}");
        assert!(pack.is_some());
    }

    #[test]
    fn each_diagnostic_at_its_place() {
        let cases: Vec<(&str, Change)> = vec![
            (
                "syntax",
                Box::new(edit("edit = [\"src/main.rs\"]", "edit = [\"src/main.rs\"")),
            ),
            (
                "unknown_key",
                Box::new(edit("expect = { status = 201", "expect = { stauts = 201")),
            ),
            ("wrong_type", Box::new(edit("title = \"A\"", "title = 7"))),
            ("missing_key", Box::new(edit("id = \"a\"\n", ""))),
            ("bad_regex", Box::new(edit("^/users/", "^/users/("))),
            (
                "bad_method",
                Box::new(edit("method = \"post\"", "method = \"FETCH\"")),
            ),
            (
                "duplicate_id",
                Box::new(|f: &mut BTreeMap<String, String>| {
                    let t = f.get_mut("lessons/01-a/lesson.toml").unwrap();
                    t.push_str("\n[[item]]\nid = \"a\"\ntitle = \"again\"\nhints = [\"h\"]\n  [[item.step]]\n  request = { path = \"/\" }\n");
                }),
            ),
            ("no_hints", Box::new(edit("hints = [\"h\"]", "hints = []"))),
            (
                "no_steps",
                Box::new(|f: &mut BTreeMap<String, String>| {
                    let t = f.get_mut("lessons/01-a/lesson.toml").unwrap();
                    t.push_str("\n[[item]]\nid = \"empty\"\ntitle = \"E\"\nhints = [\"h\"]\n");
                }),
            ),
            (
                "unknown_template",
                Box::new(edit(
                    "\"/email\" = \"{{email}}\"",
                    "\"/email\" = \"{{emial}}\"",
                )),
            ),
            (
                "capture_before_its_step",
                Box::new(edit("path = \"/users\",", "path = \"{{url}}/x\",")),
            ),
            (
                "edit_without_stub",
                Box::new(|f: &mut BTreeMap<String, String>| {
                    f.remove("lessons/01-a/src/main.rs");
                }),
            ),
            (
                "edit_without_solution",
                Box::new(|f: &mut BTreeMap<String, String>| {
                    f.remove("solutions/01-a/src/main.rs");
                }),
            ),
            (
                "unknown_mutant",
                Box::new(|f: &mut BTreeMap<String, String>| {
                    let t = f.get_mut("lessons/01-a/lesson.toml").unwrap();
                    t.push_str("\n[[item]]\nid = \"tests\"\ntitle = \"T\"\nhints = [\"h\"]\ntests = { mutant = \"gone\" }\n");
                }),
            ),
            (
                "without_unknown_variable",
                Box::new(|f: &mut BTreeMap<String, String>| {
                    let t = f.get_mut("lessons/01-a/lesson.toml").unwrap();
                    t.push_str("\n[[item]]\nid = \"s\"\ntitle = \"S\"\nhints = [\"h\"]\nstart = { without = [\"API_KEYS\"] }\n");
                }),
            ),
            (
                "graded_by_unknown",
                Box::new(edit(
                    "  request = { path = \"{{url}}\" }",
                    "  graded_by = \"nope\"\n  request = { path = \"{{url}}\" }",
                )),
            ),
            (
                "timing",
                Box::new(edit(
                    "expect = { json = { \"/email\" = \"{{email}}\" } }",
                    "expect = { json = { \"/email\" = \"{{email}}\" } }\n  eventually = { within_ms = 100, every_ms = 100 }",
                )),
            ),
            (
                "no_readme",
                Box::new(|f: &mut BTreeMap<String, String>| {
                    f.remove("lessons/01-a/README.md");
                }),
            ),
            (
                "readme_sections",
                Box::new(|f: &mut BTreeMap<String, String>| {
                    let r = f.get_mut("lessons/01-a/README.md").unwrap();
                    *r = r
                        .replace("## The axum idiom\n\nHow.\n\n", "")
                        .replace("## Your task", "## What is graded first\n\n## Your task");
                }),
            ),
            (
                "covers",
                Box::new(edit(
                    "hints = [\"h\"]",
                    "covers = [\"principle: endpoint desing\"]\nhints = [\"h\"]",
                )),
            ),
            (
                "todo_left",
                Box::new(edit("title = \"T\"", "title = \"TODO(author): the title\"")),
            ),
            (
                "crate_name",
                Box::new(|f: &mut BTreeMap<String, String>| {
                    f.insert(
                        "lessons/pack.toml".into(),
                        "name = \"t\"\n[dependencies]\n\"axum x\" = \"1\"\n".into(),
                    );
                }),
            ),
            (
                "pack_toml_type",
                Box::new(|f: &mut BTreeMap<String, String>| {
                    f.insert(
                        "lessons/pack.toml".into(),
                        "name = \"t\"\nversion = 1\n".into(),
                    );
                }),
            ),
            (
                "stale_schema_copy",
                Box::new(|f: &mut BTreeMap<String, String>| {
                    f.insert("lessons/pack.schema.json".into(), "{}\n".into());
                }),
            ),
            (
                "no_lessons",
                Box::new(|f: &mut BTreeMap<String, String>| {
                    f.retain(|p, _| !p.starts_with("lessons/01-a/"));
                }),
            ),
        ];
        for (name, change) in cases {
            let out = said(change);
            assert!(out.contains("error: "), "{name}: {out}");
            insta::assert_snapshot!(format!("diagnostic_{name}"), out);
        }
    }

    #[test]
    fn several_problems_in_several_files_are_reported_together() {
        let out = said(|f| {
            edit("expect = { status = 201", "expect = { stauts = 201")(f);
            let t = f.get_mut("lessons/01-a/lesson.toml").unwrap();
            t.push_str("\n[[item]]\nid = \"b\"\ntitle = \"B\"\nhints = []\n  [[item.step]]\n  request = { path = \"/{{emial}}\" }\n");
            f.insert(
                "lessons/pack.toml".into(),
                "name = \"t\"\nversoin = \"1\"\n".into(),
            );
            f.remove("lessons/01-a/README.md");
        });
        // pack.toml, README.md, and three in lesson.toml: one per item and rule.
        assert!(out.ends_with("error: 5 problems in the pack\n"), "{out}");
        insta::assert_snapshot!("diagnostic_several_at_once", out);
    }
}

/// The loader never panics: on arbitrary bytes, and on valid lessons of the
/// core pack cut, spliced and flipped, it answers a pack or diagnostics.
mod properties {
    use super::*;
    use proptest::prelude::*;

    const PIECES: [&str; 18] = [
        "[[item]]",
        "[[item.step]]",
        "{{",
        "}}",
        "\"",
        "'''",
        "=",
        "[",
        "]",
        "{",
        "}",
        "\n",
        "{{random}}",
        "id = \"a\"",
        "é",
        "\\u0000",
        "start = {}",
        "graded_by = \"a\"",
    ];

    fn check(lesson_toml: &str, readme: &str) -> Result<(), TestCaseError> {
        let mut lessons = BTreeMap::new();
        lessons.insert("pack.toml".to_string(), "name = \"t\"\n".to_string());
        lessons.insert("01-a/lesson.toml".to_string(), lesson_toml.to_string());
        lessons.insert("01-a/README.md".to_string(), readme.to_string());
        lessons.insert("01-a/src/main.rs".to_string(), "fn main() {}".to_string());
        let mut solutions = BTreeMap::new();
        solutions.insert("01-a/src/main.rs".to_string(), "fn main() {}".to_string());
        let files = PackFiles::from_maps(lessons, solutions);
        let (pack, problems) = Pack::check(&files);
        prop_assert!(
            pack.is_some() || !problems.is_empty(),
            "neither a pack nor a problem"
        );
        let lines = lesson_toml.lines().count().max(readme.lines().count()) + 1;
        for p in &problems {
            prop_assert!(!p.message.is_empty());
            if let Some(at) = &p.at {
                prop_assert!(at.line >= 1 && at.line <= lines && at.col >= 1, "{p}");
            }
        }
        let shown = problem::render(&problems, false);
        prop_assert!(
            !shown.contains('\x1b'),
            "an escape byte reached the terminal"
        );
        // The loader agrees with the checker on what loads.
        if Pack::from_files(&files).is_ok() {
            prop_assert!(problems.iter().all(|p| !p.file.ends_with("lesson.toml")
                || p.message.contains("curriculum")
                || p.message.contains("TODO(author)")));
        }
        Ok(())
    }

    fn core_lessons() -> Vec<String> {
        let files = PackFiles::embedded();
        files
            .lesson_dirs()
            .iter()
            .map(|d| {
                files
                    .lesson_file(&format!("{d}/lesson.toml"))
                    .unwrap()
                    .to_string()
            })
            .collect()
    }

    proptest! {
        #![proptest_config(ProptestConfig { cases: 400, failure_persistence: None, ..ProptestConfig::default() })]

        #[test]
        fn arbitrary_bytes_never_panic_the_loader(bytes in proptest::collection::vec(any::<u8>(), 0..3000)) {
            let text = String::from_utf8_lossy(&bytes);
            check(&text, &text)?;
        }

        #[test]
        fn mutated_core_lessons_never_panic_the_loader(
            lesson in any::<prop::sample::Index>(),
            edits in proptest::collection::vec(
                (any::<prop::sample::Index>(), 0u8..3, any::<prop::sample::Index>(), 0usize..40),
                1..6,
            ),
        ) {
            let all = core_lessons();
            let mut text = lesson.get(&all).clone();
            for (at, kind, piece, len) in edits {
                let at = at.index(text.len() + 1);
                let at = (0..=at).rev().find(|i| text.is_char_boundary(*i)).unwrap_or(0);
                match kind {
                    0 => text.insert_str(at, PIECES[piece.index(PIECES.len())]),
                    1 => {
                        let end = (at + len).min(text.len());
                        let end = (end..=text.len()).find(|i| text.is_char_boundary(*i)).unwrap();
                        text.replace_range(at..end, "");
                    }
                    _ => text.truncate(at),
                }
            }
            check(&text, "# A\n")?;
        }
    }
}
