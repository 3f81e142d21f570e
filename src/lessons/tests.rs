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
        err.starts_with("lessons/01-a/lesson.toml:15:14: unknown field `stauts`"),
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
fn a_capture_is_only_known_after_its_step() {
    let bad = GOOD.replace("path = \"/users\"", "path = \"{{url}}\"");
    let err = error_of(&bad);
    assert!(err.contains("unknown template variable `{{url}}`"), "{err}");
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
        error_of(&both).contains("has both `start` and steps"),
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
