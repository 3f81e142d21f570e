//! The `logged` expectation: structured logs. A server that logs one JSON
//! object per line (tracing-subscriber's `json()`, flattened or not) is read
//! as records of named fields, and a step expects some line printed so far to
//! have fields that satisfy predicates: `logged = { message = "user created",
//! user_id = "{{id}}" }`. A field is looked up where tracing puts it: at the
//! top level (`level`), under `fields` (the event's), then in the current
//! `span` and the `spans` around it, so a request id recorded on the request's
//! span counts for every event inside it. [`evaluate`] is pure.

use std::collections::BTreeMap;

use serde_json::Value as Json;

use super::model::Predicate;
use super::template::{Scope, TemplateError};
use crate::report::Assertion;

/// The field `name` of a log record, wherever tracing's JSON puts it.
pub fn field<'a>(record: &'a Json, name: &str) -> Option<&'a Json> {
    let spans = record.get("spans").and_then(Json::as_array);
    record
        .get(name)
        .or_else(|| record.get("fields")?.get(name))
        .or_else(|| record.get("span")?.get(name))
        .or_else(|| spans?.iter().rev().find_map(|s| s.get(name)))
}

/// One assertion: some JSON line of `lines` satisfies every predicate of
/// `expected`. A miss shows the closest line and what it lacked.
pub fn evaluate(
    expected: &BTreeMap<String, Predicate>,
    lines: &[String],
    scope: &Scope,
) -> Result<Assertion, TemplateError> {
    let records: Vec<(&String, Json)> = lines
        .iter()
        .filter_map(|l| {
            let v: Json = serde_json::from_str(l.trim()).ok()?;
            v.is_object().then_some((l, v))
        })
        .collect();
    // Each record's assertions, field by field.
    let mut judged = Vec::with_capacity(records.len());
    for (line, record) in &records {
        let mut out = Vec::new();
        for (name, p) in expected {
            super::eval::check(&mut out, name, p, field(record, name), scope)?;
        }
        judged.push((*line, out));
    }
    let wanted = {
        let mut probe = Vec::new();
        for (name, p) in expected {
            super::eval::check(&mut probe, name, p, None, scope)?;
        }
        probe
            .iter()
            .map(|a| format!("{} {}", a.subject, a.expected))
            .collect::<Vec<_>>()
            .join(", ")
    };
    let expected_text = format!("with {wanted}");
    if let Some((line, _)) = judged.iter().find(|(_, out)| out.iter().all(|a| a.passed)) {
        return Ok(Assertion {
            subject: "a JSON log line".into(),
            expected: expected_text,
            actual: crate::report::shorten(line, 300),
            passed: true,
        });
    }
    let actual = match judged
        .iter()
        .max_by_key(|(_, out)| out.iter().filter(|a| a.passed).count())
    {
        None if lines.is_empty() => "the server printed nothing".to_string(),
        None => format!(
            "none of the {} lines printed is a JSON object: log as JSON lines (`tracing_subscriber::fmt().json()`)",
            lines.len()
        ),
        Some((line, out)) => {
            let missed: Vec<String> = out
                .iter()
                .filter(|a| !a.passed)
                .map(|a| format!("{} is {}", a.subject, a.actual))
                .collect();
            format!(
                "none of the {} JSON lines; the closest, where {}: {}",
                judged.len(),
                missed.join(", "),
                crate::report::shorten(line, 300)
            )
        }
    };
    Ok(Assertion {
        subject: "a JSON log line".into(),
        expected: expected_text,
        actual,
        passed: false,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn expected(toml_text: &str) -> BTreeMap<String, Predicate> {
        #[derive(serde::Deserialize)]
        struct T {
            #[serde(deserialize_with = "crate::checks::model::counter_map")]
            logged: BTreeMap<String, Predicate>,
        }
        toml::from_str::<T>(toml_text).unwrap().logged
    }

    fn judge(toml_text: &str, lines: &[&str], scope: &Scope) -> Assertion {
        let lines: Vec<String> = lines.iter().map(|l| l.to_string()).collect();
        evaluate(&expected(toml_text), &lines, scope).unwrap()
    }

    const NESTED: &str = r#"{"timestamp":"t","level":"INFO","fields":{"message":"user created","user_id":7},"target":"app","span":{"request_id":"r-1","name":"request"},"spans":[{"request_id":"r-1","name":"request"}]}"#;
    const FLAT: &str = r#"{"timestamp":"t","level":"INFO","message":"user created","user_id":7,"request_id":"r-1"}"#;

    #[test]
    fn fields_are_found_at_the_top_in_fields_and_in_spans() {
        let mut scope = Scope::default();
        scope.set_json("id", Json::from(7));
        let want = "logged = { message = 'user created', user_id = '{{id}}', request_id = 'r-1', level = 'INFO' }";
        for line in [NESTED, FLAT] {
            let a = judge(want, &["listening", line], &scope);
            assert!(a.passed, "{line}: {}", a.actual);
        }
    }

    #[test]
    fn a_miss_shows_the_closest_line_and_what_it_lacked() {
        let a = judge(
            "logged = { message = 'user created', user_id = 8 }",
            &[
                r#"{"level":"INFO","fields":{"message":"listening"}}"#,
                NESTED,
            ],
            &Scope::default(),
        );
        assert!(!a.passed);
        assert!(
            a.actual
                .starts_with("none of the 2 JSON lines; the closest, where user_id is 7: {"),
            "{}",
            a.actual
        );
        assert_eq!(
            a.expected,
            "with message equals \"user created\", user_id equals 8"
        );
    }

    #[test]
    fn text_logs_are_named_as_not_json() {
        let a = judge(
            "logged = { message = 'user created' }",
            &["2026-12-04T10:00:00Z  INFO user created id=7"],
            &Scope::default(),
        );
        assert_eq!(
            a.actual,
            "none of the 1 lines printed is a JSON object: log as JSON lines (`tracing_subscriber::fmt().json()`)"
        );
    }

    #[test]
    fn a_value_interpolated_into_the_message_is_not_a_field() {
        let a = judge(
            "logged = { user_id = 7 }",
            &[r#"{"level":"INFO","fields":{"message":"user created: 7"}}"#],
            &Scope::default(),
        );
        assert!(a.actual.contains("user_id is absent"), "{}", a.actual);
    }
}
