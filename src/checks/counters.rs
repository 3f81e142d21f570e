//! Counters from the layer under the server (the kit's database: connections
//! opened, statements run), read before and after a step through the kit's
//! own route, never through the learner's handlers. An expectation is on the
//! change over the step: `counters = { statements = { le = 2 } }`. The pure
//! [`evaluate`] turns the change into assertions, naming the N+1 pattern when
//! the statements grow with a JSON list's length.

use serde_json::Value as Json;

use super::exec::Executor;
use super::model::Predicate;
use super::template::{Scope, TemplateError};
use crate::report::{Assertion, RequestRecord};

/// Where the kit serves its counters, as a JSON object of numbers.
pub const PATH: &str = "/_kit/counters";

/// What a counter is, in the learner's words.
fn described(name: &str) -> String {
    match name {
        "statements" => "database statements".into(),
        "connections_opened" => "database connections opened".into(),
        other => other.replace('_', " "),
    }
}

/// The assertions of `expected` on the change from `before` to `after`;
/// `response` is the step's, to tell an N+1 pattern by its list's length.
pub fn evaluate(
    expected: &std::collections::BTreeMap<String, Predicate>,
    before: &Json,
    after: &Json,
    response: Option<&Json>,
    scope: &Scope,
    during: &str,
) -> Result<Vec<Assertion>, TemplateError> {
    let mut out = Vec::new();
    for (name, p) in expected {
        let count = |v: &Json| v.get(name).and_then(Json::as_i64);
        let subject = format!("{} {during}", described(name));
        let Some(change) = count(after).zip(count(before)).map(|(a, b)| a - b) else {
            out.push(Assertion {
                subject,
                expected: "a counter the kit keeps".into(),
                actual: format!("the kit's {PATH} has no `{name}`"),
                passed: false,
            });
            continue;
        };
        let first = out.len();
        super::eval::check(&mut out, &subject, p, Some(&Json::from(change)), scope)?;
        let items = response.and_then(Json::as_array).map(Vec::len);
        for a in &mut out[first..] {
            a.actual = match items {
                Some(n) if !a.passed && name == "statements" && n > 1 && change > n as i64 => {
                    format!("{change} for a list of {n}: about one per item, the N+1 pattern")
                }
                _ => change.to_string(),
            };
        }
    }
    Ok(out)
}

impl Executor {
    /// The kit's counters now; `Err` says why they could not be read.
    pub(super) async fn counters(&self) -> Result<Json, String> {
        let request = RequestRecord {
            method: "GET".into(),
            url: self.url(PATH),
            headers: Vec::new(),
            body: None,
        };
        let why = |e: String| {
            format!(
                "could not read the kit's counters at {PATH} ({e}): does `main` serve the app with `kit::serve`?"
            )
        };
        let response = self.send(&request).await.map_err(why)?;
        if response.status != 200 {
            return Err(why(format!("status {}", response.status)));
        }
        response.json().map_err(why)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn failures(toml_text: &str, before: Json, after: Json, response: Option<Json>) -> Vec<String> {
        #[derive(serde::Deserialize)]
        struct T {
            #[serde(deserialize_with = "crate::checks::model::counter_map")]
            counters: std::collections::BTreeMap<String, Predicate>,
        }
        let t: T = toml::from_str(toml_text).unwrap();
        evaluate(
            &t.counters,
            &before,
            &after,
            response.as_ref(),
            &Scope::default(),
            "during this request",
        )
        .unwrap()
        .into_iter()
        .filter(|a| !a.passed)
        .map(|a| format!("{} {}: {}", a.subject, a.expected, a.actual))
        .collect()
    }

    #[test]
    fn the_change_over_the_step_is_judged_and_an_n_plus_one_is_named() {
        let at = |s: i64| json!({ "statements": s, "connections_opened": 4 });
        let list = |n: usize| Some(Json::Array(vec![json!({}); n]));
        let bound = "counters = { statements = { le = 2 } }";
        assert!(failures(bound, at(10), at(11), list(5)).is_empty());
        assert!(failures(bound, at(10), at(12), list(5)).is_empty());
        assert_eq!(
            failures(bound, at(10), at(16), list(5)),
            [
                "database statements during this request is <= 2: 6 for a list of 5: about one per item, the N+1 pattern"
            ]
        );
        // Too many, but not one per item: just the number.
        assert_eq!(
            failures(bound, at(0), at(3), list(5)),
            ["database statements during this request is <= 2: 3"]
        );
        assert_eq!(
            failures(
                "counters = { connections_opened = 0 }",
                at(0),
                json!({ "statements": 0, "connections_opened": 10 }),
                None
            ),
            ["database connections opened during this request equals 0: 6"]
        );
        assert_eq!(
            failures("counters = { queries = 1 }", at(0), at(1), None),
            [
                "queries during this request a counter the kit keeps: the kit's /_kit/counters has no `queries`"
            ]
        );
    }
}
