//! Pure evaluation: expectations and captures against a recorded response.
//! No I/O here, so every rule is unit-tested table-style.

use std::time::Duration;

use serde_json::Value as Json;

use super::model::{Capture, Expect, JsonType, Predicate};
use super::template::{Scope, UnknownVariable};
use crate::report::{Assertion, shorten};

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

    /// The body parsed as JSON.
    pub fn json(&self) -> Result<Json, String> {
        if self.body_truncated {
            return Err("the body was too long to read whole".into());
        }
        if self.body.is_empty() {
            return Err("the body is empty".into());
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
) -> Result<Vec<Assertion>, UnknownVariable> {
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
    Ok(out)
}

/// The captured value, or why it could not be taken.
pub fn capture(cap: &Capture, response: &Response) -> Result<String, String> {
    match cap {
        Capture::Header(name) => response
            .header(name)
            .ok_or_else(|| format!("the response has no `{name}` header")),
        Capture::Json(pointer) => {
            let doc = response.json()?;
            match doc.pointer(&pointer.0) {
                Some(Json::String(s)) => Ok(s.clone()),
                Some(other) => Ok(other.to_string()),
                None => Err(format!("the JSON body has nothing at `{}`", pointer.0)),
            }
        }
    }
}

fn check(
    out: &mut Vec<Assertion>,
    subject: &str,
    p: &Predicate,
    actual: Option<&Json>,
    scope: &Scope,
) -> Result<(), UnknownVariable> {
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
        ];
        for (toml_text, want) in table {
            assert_eq!(&failed(toml_text, &user), want, "expectation: {toml_text}");
        }
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
    fn captures_take_strings_as_is_and_others_as_json() {
        let r = response(
            201,
            &[("location", "/users/9")],
            r#"{"id":9,"email":"a@b.c"}"#,
        );
        let cap = |t: &str| capture(&toml::from_str::<Capture>(t).unwrap(), &r);
        assert_eq!(cap("header = 'location'").unwrap(), "/users/9");
        assert_eq!(cap("json = '/id'").unwrap(), "9");
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
}
