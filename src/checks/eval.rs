//! Pure evaluation: expectations and captures against a recorded response.
//! No I/O here, so every rule is unit-tested table-style.

use std::time::Duration;

use serde_json::Value as Json;

use super::model::{Capture, Expect, JsonType, Predicate};
use super::template::{Scope, TemplateError};
use crate::report::{Assertion, shorten, view};

/// A response as the executor recorded it (body up to the executor's cap).
#[derive(Debug, Clone, Default)]
pub struct Response {
    /// Status code.
    pub status: u16,
    /// Headers in order, lower-case names.
    pub headers: Vec<(String, String)>,
    /// The body bytes (up to the cap).
    pub body: Vec<u8>,
    /// True when the body was longer than the cap.
    pub body_truncated: bool,
    /// Time from sending to the end of the body.
    pub elapsed: Duration,
}

impl Response {
    /// All values of a header joined with `, ` (as HTTP allows), or `None` when absent.
    pub fn header(&self, name: &str) -> Option<String> {
        let values: Vec<&str> = self
            .headers
            .iter()
            .filter(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
            .collect();
        (!values.is_empty()).then(|| values.join(", "))
    }

    /// The body as text (invalid UTF-8 replaced).
    pub fn text(&self) -> String {
        String::from_utf8_lossy(&self.body).into_owned()
    }

    /// The whole response as text: the status line, every header, a blank line, the body.
    pub fn whole(&self) -> String {
        let mut s = format!("HTTP/1.1 {}\n", self.status);
        for (name, value) in &self.headers {
            s.push_str(&format!("{name}: {value}\n"));
        }
        s.push('\n');
        s.push_str(&self.text());
        s
    }

    /// The body parsed as JSON.
    pub fn json(&self) -> Result<Json, String> {
        if self.body_truncated {
            return Err("the body was too long to read whole".into());
        }
        if self.body.is_empty() {
            return Err("the body is empty".into());
        }
        if let Some(coding) = self.header("content-encoding").filter(|c| c != "identity") {
            // The checks send no Accept-Encoding: a compressed answer is the server's mistake.
            return Err(format!(
                "compressed (content-encoding: {coding}), though the request did not accept any encoding"
            ));
        }
        serde_json::from_slice(&self.body).map_err(|e| format!("not JSON ({e})"))
    }
}

/// Every assertion of `expect` against `response`, passed or not, in a stable order:
/// status, headers, JSON values, body.
pub fn evaluate(
    expect: &Expect,
    response: &Response,
    scope: &Scope,
) -> Result<Vec<Assertion>, TemplateError> {
    let mut out = Vec::new();
    if let Some(p) = &expect.status {
        let actual = Json::from(response.status);
        check(&mut out, "status", p, Some(&actual), scope)?;
    }
    for (name, p) in &expect.headers {
        let actual = response.header(name).map(Json::String);
        check(
            &mut out,
            &format!("header {name}"),
            p,
            actual.as_ref(),
            scope,
        )?;
    }
    if !expect.json.is_empty() {
        match response.json() {
            Ok(doc) => {
                for (pointer, p) in &expect.json {
                    let subject = if pointer.0.is_empty() {
                        "JSON body".to_string()
                    } else {
                        format!("JSON {}", pointer.0)
                    };
                    check(&mut out, &subject, p, doc.pointer(&pointer.0), scope)?;
                }
            }
            Err(why) => out.push(Assertion {
                subject: "body".into(),
                expected: "is JSON".into(),
                actual: if response.body.is_empty() {
                    why
                } else {
                    format!("{why}: {}", shorten(&response.text(), 120))
                },
                passed: false,
            }),
        }
    }
    if let Some(p) = &expect.body {
        let actual = Json::String(response.text());
        check(&mut out, "body", p, Some(&actual), scope)?;
    }
    if let Some(p) = &expect.response {
        let actual = Json::String(response.whole());
        check(&mut out, "whole response", p, Some(&actual), scope)?;
    }
    if let Some(ms) = expect.within_ms {
        let bound = Duration::from_millis(ms);
        out.push(Assertion {
            subject: "response time".into(),
            expected: format!("within {}", view::duration(bound)),
            actual: view::duration(response.elapsed),
            passed: response.elapsed <= bound,
        });
    }
    Ok(out)
}

/// A failed assertion for each of the run's `secrets` that the response holds
/// anywhere (status line, a header, the body); nothing when it holds none.
pub fn secrets_in_response(response: &Response, secrets: &[String]) -> Vec<Assertion> {
    let whole = response.whole();
    secrets
        .iter()
        .filter(|s| !s.is_empty() && whole.contains(s.as_str()))
        .map(|secret| {
            let at = whole
                .lines()
                .find(|l| l.contains(secret.as_str()))
                .unwrap_or_default();
            Assertion {
                subject: "whole response".into(),
                expected: format!("holds no secret of the run (never {secret:?})"),
                actual: format!("it does: {:?}", shorten(at, 160)),
                passed: false,
            }
        })
        .collect()
}

/// The first kept output line that holds one of the run's `secrets`, with its
/// position (`first` is the position of `lines[0]`) and the secret.
pub fn first_secret_line<'a>(
    lines: &[String],
    first: u64,
    secrets: &'a [String],
) -> Option<(u64, String, &'a str)> {
    lines.iter().enumerate().find_map(|(i, line)| {
        secrets
            .iter()
            .find(|s| !s.is_empty() && line.contains(s.as_str()))
            .map(|s| (first + i as u64, line.clone(), s.as_str()))
    })
}

/// The server process as seen after a step: what it printed and whether it ended.
#[derive(Debug, Clone, Default)]
pub struct ServerState {
    /// Every output line kept so far.
    pub output: Vec<String>,
    /// How it ended (`exited with code 101`), or `None` while it runs.
    pub ended: Option<String>,
    /// How many of its earliest lines the output cap dropped.
    pub dropped: u64,
}

/// The assertions of `expect` on the server process (`output`, `running`).
pub fn evaluate_server(
    expect: &Expect,
    server: &ServerState,
    scope: &Scope,
) -> Result<Vec<Assertion>, TemplateError> {
    let mut out = Vec::new();
    if let Some(want) = expect.running {
        out.push(Assertion {
            subject: "server process".into(),
            expected: if want { "still running" } else { "ended" }.into(),
            actual: match &server.ended {
                Some(how) => how.clone(),
                None => "running".into(),
            },
            passed: server.ended.is_none() == want,
        });
    }
    if !expect.logged.is_empty() {
        out.push(super::logs::evaluate(
            &expect.logged,
            &server.output,
            scope,
        )?);
    }
    if let Some(p) = &expect.output {
        check_output(&mut out, p, &server.output, scope)?;
        // "Never printed" cannot be shown once lines are gone: fail rather than guess.
        if server.dropped > 0 && (p.not_contains.is_some() || p.not_matches.is_some()) {
            out.push(Assertion {
                subject: "server output".into(),
                expected: "every line kept, to show what was never printed".into(),
                actual: format!(
                    "{} earliest lines were dropped at the output cap: the server prints too much",
                    server.dropped
                ),
                passed: false,
            });
        }
    }
    Ok(out)
}

/// `p` against the output as one text of records, one per line; a failure shows
/// the records that matter, not all of them.
pub(super) fn check_output(
    out: &mut Vec<Assertion>,
    p: &Predicate,
    lines: &[String],
    scope: &Scope,
) -> Result<(), TemplateError> {
    let records = records(lines);
    let text = Json::String(records.join("\n"));
    let first = out.len();
    check(out, "server output", p, Some(&text), scope)?;
    for a in &mut out[first..] {
        a.actual = output_excerpt(&records, p, scope)?;
    }
    Ok(())
}

/// The output's log records: a line that starts a record (a timestamp, a level,
/// or a JSON object, as logging libraries write them; Rust's own `thread '…'
/// panicked at`) and the lines after it that do not, up to a blank line, joined
/// with spaces, so a message with a newline in it (a panic's, an error's chain)
/// is still one record for `matches = "ERROR.*…"`. Output that is not a log
/// (plain `println!` lines before the first record) stays line by line.
pub fn records(lines: &[String]) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    let mut in_record = false;
    for line in lines {
        if line.trim().is_empty() {
            in_record = false;
            out.push(line.clone());
        } else if starts_record(line) {
            out.push(line.clone());
            in_record = true;
        } else if in_record && let Some(last) = out.last_mut() {
            last.push(' ');
            last.push_str(line.trim());
        } else {
            out.push(line.clone());
        }
    }
    out
}

fn starts_record(line: &str) -> bool {
    static START: std::sync::LazyLock<regex::Regex> = std::sync::LazyLock::new(|| {
        regex::Regex::new(
            r"^\s*(\{|\[?\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}|(TRACE|DEBUG|INFO|WARN|WARNING|ERROR)\b|thread '[^']*'( \(\d+\))? panicked at)",
        )
        .expect("valid")
    });
    START.is_match(line)
}

/// The output lines a reader needs: those holding or matching what the predicate
/// names, else the last few lines.
fn output_excerpt(lines: &[String], p: &Predicate, scope: &Scope) -> Result<String, TemplateError> {
    let mut needles = Vec::new();
    for v in [&p.contains, &p.not_contains].into_iter().flatten() {
        if let Json::String(s) = scope.render_json(v)? {
            needles.push(s);
        }
    }
    let hits: Vec<&String> = lines
        .iter()
        .filter(|l| {
            needles.iter().any(|n| l.contains(n.as_str()))
                || [&p.matches, &p.not_matches]
                    .into_iter()
                    .flatten()
                    .any(|re| re.0.is_match(l))
        })
        .collect();
    if lines.is_empty() {
        return Ok("no output at all".into());
    }
    let quote = |ls: &[&String]| {
        ls.iter()
            .map(|l| format!("{:?}", shorten(l, 160)))
            .collect::<Vec<_>>()
            .join(" / ")
    };
    Ok(if hits.is_empty() {
        let tail: Vec<&String> = lines[lines.len().saturating_sub(3)..].iter().collect();
        format!(
            "{} lines, none holds it; the last: {}",
            lines.len(),
            quote(&tail)
        )
    } else {
        let n = hits.len();
        let shown: Vec<&String> = hits.into_iter().take(3).collect();
        format!("{n} of {} lines hold it: {}", lines.len(), quote(&shown))
    })
}

/// The captured value, or why it could not be taken.
pub fn capture(cap: &Capture, response: &Response) -> Result<Json, String> {
    match cap {
        Capture::Header(name) => response
            .header(name)
            .map(Json::String)
            .ok_or_else(|| format!("the response has no `{name}` header")),
        Capture::Json(pointer) => {
            let doc = response.json()?;
            doc.pointer(&pointer.0)
                .cloned()
                .ok_or_else(|| format!("the JSON body has nothing at `{}`", pointer.0))
        }
    }
}

pub(super) fn check(
    out: &mut Vec<Assertion>,
    subject: &str,
    p: &Predicate,
    actual: Option<&Json>,
    scope: &Scope,
) -> Result<(), TemplateError> {
    let mut push = |expected: String, passed: bool| {
        out.push(Assertion {
            subject: subject.to_string(),
            expected,
            actual: show(actual),
            passed,
        })
    };
    let present = actual.is_some();
    if let Some(want) = p.exists {
        push(
            if want { "exists" } else { "is absent" }.into(),
            present == want,
        );
    }
    if let Some(true) = p.absent {
        push("is absent".into(), !present);
    }
    // Every other predicate needs a value; absent makes each of them fail with its own line.
    let v = actual;
    if let Some(e) = &p.equals {
        let e = scope.render_json(e)?;
        push(
            format!("equals {}", show(Some(&e))),
            v.is_some_and(|v| json_eq(v, &e)),
        );
    }
    if let Some(e) = &p.not_equals {
        let e = scope.render_json(e)?;
        push(
            format!("does not equal {}", show(Some(&e))),
            v.is_some_and(|v| !json_eq(v, &e)),
        );
    }
    if let Some(options) = &p.one_of {
        let options = options
            .iter()
            .map(|o| scope.render_json(o))
            .collect::<Result<Vec<_>, _>>()?;
        let list = options
            .iter()
            .map(|o| show(Some(o)))
            .collect::<Vec<_>>()
            .join(", ");
        push(
            format!("is one of {list}"),
            v.is_some_and(|v| options.iter().any(|o| json_eq(v, o))),
        );
    }
    if let Some(e) = &p.contains {
        let e = scope.render_json(e)?;
        push(
            format!("contains {}", show(Some(&e))),
            v.is_some_and(|v| contains(v, &e)),
        );
    }
    if let Some(e) = &p.not_contains {
        let e = scope.render_json(e)?;
        push(
            format!("does not contain {}", show(Some(&e))),
            v.is_some_and(|v| !contains(v, &e)),
        );
    }
    if let Some(prefix) = &p.starts_with {
        let prefix = scope.render(prefix)?;
        push(
            format!("starts with {prefix:?}"),
            as_str(v).is_some_and(|s| s.starts_with(&prefix)),
        );
    }
    if let Some(suffix) = &p.ends_with {
        let suffix = scope.render(suffix)?;
        push(
            format!("ends with {suffix:?}"),
            as_str(v).is_some_and(|s| s.ends_with(&suffix)),
        );
    }
    if let Some(re) = &p.matches {
        push(
            format!("matches /{}/", re.0.as_str()),
            as_str(v).is_some_and(|s| re.0.is_match(s)),
        );
    }
    if let Some(re) = &p.not_matches {
        push(
            format!("does not match /{}/", re.0.as_str()),
            as_str(v).is_some_and(|s| !re.0.is_match(s)),
        );
    }
    if let Some(t) = p.is_type {
        push(format!("is of type {t}"), v.is_some_and(|v| is_type(v, t)));
    }
    let num = v.and_then(as_number);
    for (bound, word, holds) in [
        (p.gt, ">", (|a, b| a > b) as fn(f64, f64) -> bool),
        (p.ge, ">=", |a, b| a >= b),
        (p.lt, "<", |a, b| a < b),
        (p.le, "<=", |a, b| a <= b),
    ] {
        if let Some(b) = bound {
            push(format!("is {word} {b}"), num.is_some_and(|a| holds(a, b)));
        }
    }
    if let Some(keys) = &p.keys {
        let mut want: Vec<&str> = keys.iter().map(String::as_str).collect();
        want.sort_unstable();
        let have = v.and_then(Json::as_object).map(|o| {
            let mut have: Vec<&str> = o.keys().map(String::as_str).collect();
            have.sort_unstable();
            have
        });
        push(
            format!("has exactly the keys {}", want.join(", ")),
            have.is_some_and(|h| h == want),
        );
    }
    if let Some(n) = p.length {
        push(
            format!("has length {n}"),
            v.and_then(length).is_some_and(|l| l == n),
        );
    }
    Ok(())
}

/// Equality as JSON, with numbers compared by value (`1` equals `1.0`).
pub fn json_eq(a: &Json, b: &Json) -> bool {
    match (a, b) {
        (Json::Number(x), Json::Number(y)) => x.as_f64() == y.as_f64(),
        (Json::Array(x), Json::Array(y)) => {
            x.len() == y.len() && x.iter().zip(y).all(|(a, b)| json_eq(a, b))
        }
        (Json::Object(x), Json::Object(y)) => {
            x.len() == y.len()
                && x.iter()
                    .all(|(k, v)| y.get(k).is_some_and(|w| json_eq(v, w)))
        }
        _ => a == b,
    }
}

fn contains(haystack: &Json, needle: &Json) -> bool {
    match (haystack, needle) {
        (Json::String(h), Json::String(n)) => h.contains(n.as_str()),
        (Json::Array(items), n) => items.iter().any(|i| json_eq(i, n)),
        (Json::Object(map), Json::String(key)) => map.contains_key(key),
        _ => false,
    }
}

fn as_str(v: Option<&Json>) -> Option<&str> {
    v.and_then(Json::as_str)
}

fn as_number(v: &Json) -> Option<f64> {
    v.as_f64()
}

fn length(v: &Json) -> Option<usize> {
    match v {
        Json::String(s) => Some(s.chars().count()),
        Json::Array(a) => Some(a.len()),
        Json::Object(o) => Some(o.len()),
        _ => None,
    }
}

fn is_type(v: &Json, t: JsonType) -> bool {
    match t {
        JsonType::String => v.is_string(),
        JsonType::Number => v.is_number(),
        JsonType::Integer => v.is_i64() || v.is_u64(),
        JsonType::Boolean => v.is_boolean(),
        JsonType::Array => v.is_array(),
        JsonType::Object => v.is_object(),
        JsonType::Null => v.is_null(),
    }
}

/// A value as the learner should read it: compact JSON, cut to a readable size.
fn show(v: Option<&Json>) -> String {
    match v {
        None => "absent".into(),
        Some(v) => shorten(&v.to_string(), 200),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn expect(toml_text: &str) -> Expect {
        toml::from_str(toml_text).unwrap()
    }

    fn response(status: u16, headers: &[(&str, &str)], body: &str) -> Response {
        Response {
            status,
            headers: headers
                .iter()
                .map(|(n, v)| (n.to_string(), v.to_string()))
                .collect(),
            body: body.as_bytes().to_vec(),
            ..Response::default()
        }
    }

    fn failed(expect_toml: &str, r: &Response) -> Vec<String> {
        let mut scope = Scope::default();
        scope.set("name", "Ada");
        evaluate(&expect(expect_toml), r, &scope)
            .unwrap()
            .into_iter()
            .filter(|a| !a.passed)
            .map(|a| format!("{} {} (got {})", a.subject, a.expected, a.actual))
            .collect()
    }

    #[test]
    fn table_of_expectations() {
        let user = response(
            201,
            &[
                ("content-type", "application/json"),
                ("location", "/users/42"),
            ],
            r#"{"id":42,"name":"Ada","tags":["a","b"],"score":1.0,"none":null}"#,
        );
        // (expectation, failures it must produce on `user`)
        let table: &[(&str, &[&str])] = &[
            ("status = 201", &[]),
            ("status = 200", &["status equals 200 (got 201)"]),
            ("status = { one_of = [200, 201] }", &[]),
            ("status = { ge = 400 }", &["status is >= 400 (got 201)"]),
            (
                "headers = { location = { matches = '^/users/\\d+$' } }",
                &[],
            ),
            ("headers = { Location = '/users/42' }", &[]),
            (
                "headers = { location = { starts_with = '/people' } }",
                &["header location starts with \"/people\" (got \"/users/42\")"],
            ),
            ("headers = { etag = { absent = true } }", &[]),
            (
                "headers = { etag = { exists = true } }",
                &["header etag exists (got absent)"],
            ),
            ("headers = { 'content-type' = { contains = 'json' } }", &[]),
            ("json = { '/id' = 42 }", &[]),
            ("json = { '/id' = { type = 'integer' } }", &[]),
            (
                "json = { '/id' = { type = 'string' } }",
                &["JSON /id is of type string (got 42)"],
            ),
            ("json = { '/name' = '{{name}}' }", &[]),
            ("json = { '/name' = { length = 3 } }", &[]),
            ("json = { '/score' = 1 }", &[]),
            ("json = { '/tags' = { contains = 'b' } }", &[]),
            ("json = { '/tags' = { not_contains = 'c' } }", &[]),
            ("json = { '/tags' = ['a', 'b'] }", &[]),
            ("json = { '/password' = { absent = true } }", &[]),
            ("json = { '/none' = { type = 'null' } }", &[]),
            ("json = { '' = { contains = 'name' } }", &[]),
            (
                "json = { '/missing' = 'x' }",
                &["JSON /missing equals \"x\" (got absent)"],
            ),
            ("body = { contains = 'Ada' }", &[]),
            ("body = { not_contains = 'password' }", &[]),
            ("body = { not_matches = 'secret' }", &[]),
            (
                "json = { '' = { keys = ['tags', 'id', 'name', 'score', 'none'] } }",
                &[],
            ),
            (
                "json = { '' = { keys = ['id', 'name', 'tags', 'score'] } }",
                &[
                    "JSON body has exactly the keys id, name, score, tags (got {\"id\":42,\"name\":\"Ada\",\"none\":null,\"score\":1.0,\"tags\":[\"a\",\"b\"]})",
                ],
            ),
            (
                "json = { '/tags' = { keys = [] } }",
                &["JSON /tags has exactly the keys  (got [\"a\",\"b\"])"],
            ),
            ("response = { contains = 'location: /users/42' }", &[]),
            (
                "response = { not_contains = 'Ada' }",
                &[
                    "whole response does not contain \"Ada\" (got \"HTTP/1.1 201\\ncontent-type: application/json\\nlocation: /users/42\\n\\n{\\\"id\\\":42,\\\"name\\\":\\\"Ada\\\",\\\"tags\\\":[\\\"a\\\",\\\"b\\\"],\\\"score\\\":1.0,\\\"none\\\":null}\")",
                ],
            ),
            (
                "response = { not_contains = '/users/42' }",
                &[
                    "whole response does not contain \"/users/42\" (got \"HTTP/1.1 201\\ncontent-type: application/json\\nlocation: /users/42\\n\\n{\\\"id\\\":42,\\\"name\\\":\\\"Ada\\\",\\\"tags\\\":[\\\"a\\\",\\\"b\\\"],\\\"score\\\":1.0,\\\"none\\\":null}\")",
                ],
            ),
        ];
        for (toml_text, want) in table {
            assert_eq!(&failed(toml_text, &user), want, "expectation: {toml_text}");
        }
    }

    #[test]
    fn a_response_time_bound_holds_up_to_and_including_it() {
        let at = |ms| Response {
            status: 202,
            elapsed: Duration::from_millis(ms),
            ..Response::default()
        };
        assert!(failed("within_ms = 250", &at(12)).is_empty());
        assert!(failed("within_ms = 250", &at(250)).is_empty());
        assert_eq!(
            failed("within_ms = 250", &at(503)),
            ["response time within 250 ms (got 503 ms)"]
        );
        assert_eq!(
            failed("within_ms = 250", &at(1610)),
            ["response time within 250 ms (got 1.61 s)"]
        );
    }

    #[test]
    fn json_expectations_on_a_non_json_body_say_so() {
        let r = response(200, &[], "hello");
        let f = failed("json = { '/id' = 1 }", &r);
        assert_eq!(f.len(), 1);
        assert!(f[0].starts_with("body is JSON (got not JSON"), "{f:?}");
    }

    #[test]
    fn repeated_headers_are_joined() {
        let r = response(200, &[("vary", "origin"), ("vary", "accept")], "");
        assert_eq!(r.header("Vary").as_deref(), Some("origin, accept"));
    }

    #[test]
    fn captures_keep_the_json_value() {
        let r = response(
            201,
            &[("location", "/users/9")],
            r#"{"id":9,"email":"a@b.c"}"#,
        );
        let cap = |t: &str| capture(&toml::from_str::<Capture>(t).unwrap(), &r);
        assert_eq!(cap("header = 'location'").unwrap(), "/users/9");
        assert_eq!(cap("json = '/id'").unwrap(), json!(9));
        assert_eq!(cap("json = '/email'").unwrap(), "a@b.c");
        assert!(cap("json = '/nope'").unwrap_err().contains("/nope"));
        assert!(cap("header = 'etag'").unwrap_err().contains("etag"));
    }

    #[test]
    fn json_equality_is_by_value() {
        assert!(json_eq(&json!({"a": [1, 2.0]}), &json!({"a": [1.0, 2]})));
        assert!(!json_eq(&json!({"a": 1}), &json!({"a": 1, "b": 2})));
        assert!(!json_eq(&json!("1"), &json!(1)));
    }

    fn server_failures(expect_toml: &str, state: &ServerState) -> Vec<String> {
        let mut scope = Scope::default();
        scope.set("env.API_KEY", "k-123");
        evaluate_server(&expect(expect_toml), state, &scope)
            .unwrap()
            .into_iter()
            .filter(|a| !a.passed)
            .map(|a| format!("{} {} (got {})", a.subject, a.expected, a.actual))
            .collect()
    }

    #[test]
    fn server_output_and_liveness() {
        let lines = |ls: &[&str]| ls.iter().map(|l| l.to_string()).collect::<Vec<_>>();
        let quiet = ServerState {
            output: lines(&["INFO listening", "INFO GET /projects 200"]),
            ended: None,
            dropped: 0,
        };
        let leaky = ServerState {
            output: lines(&["INFO listening", "DEBUG config: key=k-123", "INFO done"]),
            ended: None,
            dropped: 0,
        };
        let dead = ServerState {
            output: lines(&["thread 'main' panicked"]),
            ended: Some("exited with code 101".into()),
            dropped: 0,
        };
        // The quiet lines are all that is left of a flood: an early leak may be gone.
        let flooded = ServerState {
            dropped: 5000,
            ..quiet.clone()
        };
        let table: &[(&str, &ServerState, &[&str])] = &[
            ("output = { not_contains = '{{env.API_KEY}}' }", &quiet, &[]),
            (
                "output = { not_contains = '{{env.API_KEY}}' }",
                &leaky,
                &[
                    "server output does not contain \"k-123\" (got 1 of 3 lines hold it: \"DEBUG config: key=k-123\")",
                ],
            ),
            (
                "output = { contains = 'GET /projects' }",
                &leaky,
                &[
                    "server output contains \"GET /projects\" (got 3 lines, none holds it; the last: \"INFO listening\" / \"DEBUG config: key=k-123\" / \"INFO done\")",
                ],
            ),
            ("output = { matches = 'GET /projects \\d+' }", &quiet, &[]),
            (
                "output = { not_contains = '{{env.API_KEY}}' }",
                &flooded,
                &[
                    "server output every line kept, to show what was never printed (got 5000 earliest lines were dropped at the output cap: the server prints too much)",
                ],
            ),
            ("output = { contains = 'GET /projects' }", &flooded, &[]),
            ("running = true", &quiet, &[]),
            (
                "running = true",
                &dead,
                &["server process still running (got exited with code 101)"],
            ),
        ];
        for (toml_text, state, want) in table {
            assert_eq!(&server_failures(toml_text, state), want, "{toml_text}");
        }
    }

    #[test]
    fn a_secret_anywhere_in_a_response_or_the_output_is_found() {
        let secrets = ["k-123".to_string(), String::new()];
        let clean = response(200, &[("x-debug", "none")], "{}");
        assert!(secrets_in_response(&clean, &secrets).is_empty());
        let in_header = response(200, &[("x-debug", "key=k-123")], "{}");
        let found = secrets_in_response(&in_header, &secrets);
        assert_eq!(found.len(), 1);
        assert_eq!(found[0].actual, "it does: \"x-debug: key=k-123\"");
        let lines = ["a".to_string(), "b k-123".to_string()];
        assert_eq!(
            first_secret_line(&lines, 7, &secrets),
            Some((8, "b k-123".to_string(), "k-123"))
        );
        assert_eq!(first_secret_line(&lines[..1], 7, &secrets), None);
    }

    #[test]
    fn a_log_record_with_newlines_is_one_record() {
        let lines = |ls: &[&str]| ls.iter().map(|l| l.to_string()).collect::<Vec<_>>();
        let out = lines(&[
            "starting with Config { .. }",
            "plain line",
            "2026-11-25T06:00:00.000001Z ERROR a handler panicked: attempt to",
            "  divide by zero",
            "2026-11-25T06:00:00.000002Z  INFO next",
            " WARN without a timestamp",
            "more of the warning",
            "{\"level\":\"ERROR\",\"msg\":\"x\"}",
            "",
            "thread 'tokio-rt-worker' (2101) panicked at src/legacy.rs:6:71:",
            "called `Result::unwrap()` on an `Err` value: TryFromIntError(())",
        ]);
        assert_eq!(
            records(&out),
            lines(&[
                "starting with Config { .. }",
                "plain line",
                "2026-11-25T06:00:00.000001Z ERROR a handler panicked: attempt to divide by zero",
                "2026-11-25T06:00:00.000002Z  INFO next",
                " WARN without a timestamp more of the warning",
                "{\"level\":\"ERROR\",\"msg\":\"x\"}",
                "",
                "thread 'tokio-rt-worker' (2101) panicked at src/legacy.rs:6:71: called `Result::unwrap()` on an `Err` value: TryFromIntError(())",
            ])
        );
        let state = ServerState {
            output: out,
            ended: None,
            dropped: 0,
        };
        let scope = Scope::default();
        let matched = |t: &str| {
            evaluate_server(&expect(t), &state, &scope)
                .unwrap()
                .iter()
                .all(|a| a.passed)
        };
        assert!(matched("output = { matches = 'ERROR.*divide by zero' }"));
        // A record's level does not reach into the next record.
        assert!(!matched("output = { matches = 'ERROR.*next' }"));
        // Rust's panic report is a record of its own, never part of a log line before it.
        assert!(!matched("output = { matches = 'ERROR.*TryFromIntError' }"));
    }
}
