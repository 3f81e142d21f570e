//! The check vocabulary as it is written in `lesson.toml`: checklist items made of
//! steps, each step a request, the expectations on its response and the captures
//! it feeds to later steps. Everything here is plain data deserialized with serde;
//! values that must be well formed (regexes, paths, JSON pointers, methods) are
//! validated while deserializing so that `toml` reports their line and column.

use std::collections::BTreeMap;
use std::fmt;

use serde::Deserialize;
use serde::de::{self, Deserializer, MapAccess, Visitor};
use serde_json::Value as Json;

/// One checklist item: a named, separately graded point of a lesson.
#[derive(Debug, Clone, Deserialize)]
#[cfg_attr(test, derive(schemars::JsonSchema))]
#[serde(deny_unknown_fields)]
pub struct Item {
    /// Stable id, unique within the lesson (used in progress and reports).
    pub id: String,
    /// What the learner must make true, in one line.
    pub title: String,
    /// Which points of the curriculum this item grades (see docs/curriculum.md).
    #[serde(default)]
    pub covers: Vec<String>,
    /// Hints, shown one at a time, gentlest first.
    #[serde(default)]
    pub hints: Vec<String>,
    /// Values rendered once when the item starts, e.g. a fresh email address.
    #[serde(default)]
    pub vars: BTreeMap<String, String>,
    /// The steps, run in order; the item passes when every step passes.
    #[serde(rename = "step", default)]
    pub steps: Vec<Step>,
    /// A start of its own instead of steps: the server started with a changed
    /// environment must refuse to start (see [`Start`]).
    pub start: Option<Start>,
    /// Requests sent at once after the steps (see [`Concurrency`]).
    pub concurrency: Option<Concurrency>,
    /// A stream of server-sent events read after the steps (see [`EventStream`]).
    pub stream: Option<EventStream>,
    /// The server's OpenAPI document held against the steps' exchanges (see [`OpenApi`]).
    pub openapi: Option<OpenApi>,
    /// The learner's own tests, run instead of requests (see [`Tests`]).
    pub tests: Option<Tests>,
}

impl Item {
    /// True when the item sends requests to the run's shared server (not a
    /// start of its own, not the learner's tests).
    pub fn uses_the_server(&self) -> bool {
        self.start.is_none() && self.tests.is_none()
    }

    /// What the item needs beyond HTTP to the server: what a server that is
    /// not the lesson's crate (any stack, or one already running) may lack.
    pub fn needs(&self) -> Needs {
        let mut expects: Vec<&Expect> = self.steps.iter().map(|s| &s.expect).collect();
        if let Some(c) = &self.concurrency {
            expects.push(&c.expect);
            expects.extend(c.meanwhile.as_ref().map(|m| &m.expect));
        }
        if let Some(s) = &self.stream {
            expects.push(&s.expect);
        }
        Needs {
            crate_tests: self.tests.is_some(),
            kit: expects.iter().any(|e| !e.counters.is_empty())
                || self.stream.as_ref().is_some_and(|s| s.disconnect.is_some()),
            starts: self.start.is_some(),
            process: expects.iter().any(|e| e.watches_server()),
        }
    }
}

/// What an item needs of the server it grades beyond answering HTTP.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Needs {
    /// The lesson crate's own tests (`cargo test`).
    pub crate_tests: bool,
    /// The kit's counters (`/_kit/counters`, served by `kit::serve`).
    pub kit: bool,
    /// Starting the server itself with a changed environment.
    pub starts: bool,
    /// The server's process: what it prints, whether it still runs.
    pub process: bool,
}

/// The learner's own tests (`cargo test` of the lesson crate): they must pass
/// on the learner's code, number at least `at_least`, and, with `mutant`,
/// fail when that known-broken variant of the lesson's code is swapped in (a
/// test suite that passes on broken code catches nothing). See
/// [`crate::checks::learner_tests`].
#[derive(Debug, Clone, Deserialize)]
#[cfg_attr(test, derive(schemars::JsonSchema))]
#[serde(deny_unknown_fields)]
pub struct Tests {
    /// The fewest tests that must exist and pass.
    #[serde(default)]
    pub at_least: usize,
    /// A mutant of the lesson (a file in its `mutants/` folder, without
    /// `.toml`) that the tests must catch.
    pub mutant: Option<String>,
}

/// What the server's own OpenAPI document must say of the item's steps, each
/// looked up by its path, method and status. See [`crate::checks::openapi`].
#[derive(Debug, Clone, Deserialize)]
#[cfg_attr(test, derive(schemars::JsonSchema))]
#[serde(deny_unknown_fields)]
pub struct OpenApi {
    /// Where the server serves its document.
    #[serde(default = "default_document")]
    pub document: String,
    /// Each step's path and method is documented.
    #[serde(default)]
    pub operations: bool,
    /// Each step's status is declared for its operation.
    #[serde(default)]
    pub statuses: bool,
    /// Each step's JSON body validates against the declared schema, and so does each example the document shows of that response.
    #[serde(default)]
    pub schemas: bool,
    /// Each step that sent a JSON body finds an example of it documented, one that fits the body's schema.
    #[serde(default)]
    pub examples: bool,
}

fn default_document() -> String {
    "/openapi.json".into()
}

/// A request answered with server-sent events, read as they arrive: what the
/// events say, when they arrive, and what the server does when the client
/// leaves early. See [`crate::checks::stream`].
#[derive(Debug, Clone, Deserialize)]
#[cfg_attr(test, derive(schemars::JsonSchema))]
#[serde(deny_unknown_fields)]
pub struct EventStream {
    /// The request that opens the stream.
    pub request: Request,
    /// Expectations on the response's status and headers (the body is the events).
    #[serde(default)]
    pub expect: Expect,
    /// What every event but the last must satisfy.
    pub each: Option<EventExpect>,
    /// What the last event must satisfy (e.g. `event = "done"`).
    pub last: Option<EventExpect>,
    /// The number of events, the last included.
    #[serde(default, deserialize_with = "opt_predicate")]
    #[cfg_attr(test, schemars(with = "Option<schema::PredicateOrValue>"))]
    pub count: Option<Predicate>,
    /// The data of every event but the last, concatenated.
    #[serde(default, deserialize_with = "opt_predicate")]
    #[cfg_attr(test, schemars(with = "Option<schema::PredicateOrValue>"))]
    pub text: Option<Predicate>,
    /// The first event arrives before this fraction of the whole stream's
    /// time (a buffered stream sends its first event with its last).
    pub first_before: Option<f64>,
    /// The most milliseconds between two things arriving (events or
    /// keep-alive comments), from the response's head on.
    pub gap_ms: Option<u64>,
    /// The most milliseconds the whole stream may take.
    #[serde(default = "default_stream_ms")]
    pub within_ms: u64,
    /// Leave after some events and watch what the server does then.
    pub disconnect: Option<Disconnect>,
}

fn default_stream_ms() -> u64 {
    10_000
}

/// What one server-sent event must satisfy.
#[derive(Debug, Clone, Default, Deserialize)]
#[cfg_attr(test, derive(schemars::JsonSchema))]
#[serde(deny_unknown_fields)]
pub struct EventExpect {
    /// Its type; an event without an `event:` field is a `message` (as
    /// browsers' `EventSource` sees it).
    pub event: Option<String>,
    /// Its data (the `data:` lines joined by newlines).
    #[serde(default, deserialize_with = "opt_predicate")]
    #[cfg_attr(test, schemars(with = "Option<schema::PredicateOrValue>"))]
    pub data: Option<Predicate>,
    /// Values in its data read as JSON, by JSON pointer.
    #[serde(default, deserialize_with = "pointer_map")]
    #[cfg_attr(test, schemars(with = "schema::PointerMap"))]
    pub json: BTreeMap<Pointer, Predicate>,
}

/// The client leaves after `after` events; `wait_ms` later the change of the
/// kit's counters since it left must satisfy `counters` (work for nobody stopped).
#[derive(Debug, Clone, Deserialize)]
#[cfg_attr(test, derive(schemars::JsonSchema))]
#[serde(deny_unknown_fields)]
pub struct Disconnect {
    /// Events read before closing the connection.
    pub after: usize,
    /// How long to watch the counters after closing.
    pub wait_ms: u64,
    /// Predicates on the counters' change from closing to `wait_ms` later.
    #[serde(deserialize_with = "counter_map")]
    #[cfg_attr(test, schemars(with = "BTreeMap<String, schema::PredicateOrValue>"))]
    pub counters: BTreeMap<String, Predicate>,
}

/// The same request sent `at_once` times at the same moment, after it was sent
/// once alone: together they must take at most `within` times as long as one
/// alone (a handler that blocks the runtime's worker threads makes them queue).
/// Optionally a `meanwhile` request, sent while they are in flight, must
/// answer within a fraction of one slow request's time.
#[derive(Debug, Clone, Deserialize)]
#[cfg_attr(test, derive(schemars::JsonSchema))]
#[serde(deny_unknown_fields)]
pub struct Concurrency {
    /// The (slow) request.
    pub request: Request,
    /// What each of its responses must satisfy.
    #[serde(default)]
    pub expect: Expect,
    /// How many are sent at once (2 to 64).
    pub at_once: usize,
    /// All of them together take at most this many times one alone (at
    /// least this or `meanwhile` is given).
    pub within: Option<f64>,
    /// A (fast) request sent while they are in flight.
    pub meanwhile: Option<Meanwhile>,
}

/// A request sent while the slow ones of a [`Concurrency`] are in flight.
#[derive(Debug, Clone, Deserialize)]
#[cfg_attr(test, derive(schemars::JsonSchema))]
#[serde(deny_unknown_fields)]
pub struct Meanwhile {
    /// The (fast) request.
    pub request: Request,
    /// What its response must satisfy.
    #[serde(default)]
    pub expect: Expect,
    /// It answers within this fraction of one slow request's time alone.
    pub within: f64,
}

/// Polling instead of one request: the step is sent again every `every_ms`
/// until its expectations hold, for at most `within_ms` (work that finishes
/// in the background becomes visible "eventually").
#[derive(Debug, Clone, Copy, Deserialize)]
#[cfg_attr(test, derive(schemars::JsonSchema))]
#[serde(deny_unknown_fields)]
pub struct Eventually {
    /// The most time from the first request until the expectations hold.
    pub within_ms: u64,
    /// The pause between two requests.
    #[serde(default = "default_every_ms")]
    pub every_ms: u64,
}

fn default_every_ms() -> u64 {
    100
}

/// A separate start of the server with a changed environment, which must fail:
/// the process exits with a non-zero code within the start bound, and its output
/// satisfies `output` (e.g. it names the missing variable).
#[derive(Debug, Clone, Deserialize)]
#[cfg_attr(test, derive(schemars::JsonSchema))]
#[serde(deny_unknown_fields)]
pub struct Start {
    /// Variables of `[server.env]` left out of this start.
    #[serde(default)]
    pub without: Vec<String>,
    /// Variables set (or overridden) for this start, with `{{templates}}`.
    #[serde(default)]
    pub env: BTreeMap<String, String>,
    /// What its output (stdout and stderr) must satisfy.
    #[serde(default, deserialize_with = "opt_predicate")]
    #[cfg_attr(test, schemars(with = "Option<schema::PredicateOrValue>"))]
    pub output: Option<Predicate>,
}

/// One request, what its response must satisfy, and what to remember from it.
#[derive(Debug, Clone, Deserialize)]
#[cfg_attr(test, derive(schemars::JsonSchema))]
#[serde(deny_unknown_fields)]
pub struct Step {
    /// The request to send.
    pub request: Request,
    /// Expectations on the response; all must hold.
    #[serde(default)]
    pub expect: Expect,
    /// Values taken from the response for later steps, by template name.
    #[serde(default)]
    pub capture: BTreeMap<String, Capture>,
    /// Hints for a failure of this step, shown instead of the item's, when what
    /// this step looks at needs other advice.
    #[serde(default)]
    pub hints: Vec<String>,
    /// The id of the item that grades this step's request, when the step only
    /// prepares its own item (creates the user that the item then reads): a
    /// failure here sends the learner to that item, not to this one's hints.
    pub graded_by: Option<String>,
    /// Send the request again until the expectations hold (see [`Eventually`]).
    pub eventually: Option<Eventually>,
}

/// An HTTP request, with `{{templates}}` in the path, header values and body.
#[derive(Debug, Clone, Deserialize)]
#[cfg_attr(test, derive(schemars::JsonSchema))]
#[serde(deny_unknown_fields)]
pub struct Request {
    /// HTTP method; GET when omitted.
    #[serde(default)]
    pub method: Method,
    /// Path and query, always starting with `/`: requests only go to the server under test.
    pub path: RequestPath,
    /// Extra request headers.
    #[serde(default)]
    pub headers: BTreeMap<String, String>,
    /// A JSON body (sent with `content-type: application/json`).
    pub json: Option<Json>,
    /// A raw body, sent as is (set `content-type` in `headers` if it matters).
    pub body: Option<String>,
}

/// An HTTP method, upper case.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Method(pub String);

impl Default for Method {
    fn default() -> Self {
        Method("GET".into())
    }
}

impl<'de> Deserialize<'de> for Method {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = String::deserialize(d)?;
        const KNOWN: [&str; 7] = ["GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS"];
        let upper = s.to_ascii_uppercase();
        if KNOWN.contains(&upper.as_str()) {
            Ok(Method(upper))
        } else {
            Err(de::Error::custom(format!(
                "unknown method `{s}`, expected one of {}",
                KNOWN.join(", ")
            )))
        }
    }
}

/// A request path; must start with `/` (a template such as `{{user_url}}` is checked when sent).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RequestPath(pub String);

impl<'de> Deserialize<'de> for RequestPath {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = String::deserialize(d)?;
        if s.starts_with('/') || s.starts_with("{{") {
            Ok(RequestPath(s))
        } else {
            Err(de::Error::custom(format!(
                "path `{s}` must start with `/`: checks only talk to the server under test"
            )))
        }
    }
}

/// Where a captured value comes from.
#[derive(Debug, Clone, Deserialize)]
#[cfg_attr(test, derive(schemars::JsonSchema))]
#[serde(deny_unknown_fields, rename_all = "snake_case")]
pub enum Capture {
    /// A response header's value.
    Header(String),
    /// The value at a JSON pointer in the response body (strings as is, others as JSON text).
    Json(Pointer),
}

/// A JSON pointer (RFC 6901): empty for the whole document, otherwise starting with `/`.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct Pointer(pub String);

impl<'de> Deserialize<'de> for Pointer {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = String::deserialize(d)?;
        parse_pointer(s).map_err(de::Error::custom)
    }
}

fn parse_pointer(s: String) -> Result<Pointer, String> {
    if s.is_empty() || s.starts_with('/') {
        Ok(Pointer(s))
    } else {
        Err(format!(
            "JSON pointer `{s}` must be empty (the whole body) or start with `/`, e.g. `/user/id`"
        ))
    }
}

/// Expectations on one response. Every predicate given must hold.
#[derive(Debug, Clone, Default, Deserialize)]
#[cfg_attr(test, derive(schemars::JsonSchema))]
#[serde(deny_unknown_fields)]
pub struct Expect {
    /// The status code: a number, or a predicate such as `{ one_of = [400, 422] }`.
    #[serde(default, deserialize_with = "opt_predicate")]
    #[cfg_attr(test, schemars(with = "Option<schema::PredicateOrValue>"))]
    pub status: Option<Predicate>,
    /// Response headers by (case-insensitive) name.
    #[serde(default, deserialize_with = "header_map")]
    #[cfg_attr(test, schemars(with = "BTreeMap<String, schema::PredicateOrValue>"))]
    pub headers: BTreeMap<String, Predicate>,
    /// Values in the JSON body by JSON pointer.
    #[serde(default, deserialize_with = "pointer_map")]
    #[cfg_attr(test, schemars(with = "schema::PointerMap"))]
    pub json: BTreeMap<Pointer, Predicate>,
    /// The body as text.
    #[serde(default, deserialize_with = "opt_predicate")]
    #[cfg_attr(test, schemars(with = "Option<schema::PredicateOrValue>"))]
    pub body: Option<Predicate>,
    /// The whole response as text: status line, every header, then the body;
    /// for what must appear nowhere in it, e.g. `{ not_contains = "{{password}}" }`.
    #[serde(default, deserialize_with = "opt_predicate")]
    #[cfg_attr(test, schemars(with = "Option<schema::PredicateOrValue>"))]
    pub response: Option<Predicate>,
    /// Everything the server printed so far (stdout and stderr), looked at once
    /// the response is in: e.g. `{ not_contains = "{{env.API_KEY}}" }`.
    #[serde(default, deserialize_with = "opt_predicate")]
    #[cfg_attr(test, schemars(with = "Option<schema::PredicateOrValue>"))]
    pub output: Option<Predicate>,
    /// Some JSON line the server printed so far has fields that satisfy these
    /// (see [`crate::checks::logs`]): `{ message = "user created", user_id = "{{id}}" }`.
    #[serde(default, deserialize_with = "counter_map")]
    #[cfg_attr(test, schemars(with = "BTreeMap<String, schema::PredicateOrValue>"))]
    pub logged: BTreeMap<String, Predicate>,
    /// `true`: the server process is still running after this step (a panic in
    /// one handler must not end it).
    pub running: Option<bool>,
    /// The response (to the end of its body) arrives within this many
    /// milliseconds. Use it only against a known lower bound of the mistake
    /// (work the kit makes last 500 ms: at most 250), never as a speed test.
    pub within_ms: Option<u64>,
    /// The change of the kit's counters over this step (see
    /// [`crate::checks::counters`]): `{ statements = { le = 2 } }`.
    #[serde(default, deserialize_with = "counter_map")]
    #[cfg_attr(test, schemars(with = "BTreeMap<String, schema::PredicateOrValue>"))]
    pub counters: BTreeMap<String, Predicate>,
}

impl Expect {
    /// True when the expectation looks at the server process, not only the response.
    pub fn watches_server(&self) -> bool {
        self.output.is_some() || self.running.is_some() || !self.logged.is_empty()
    }
}

fn opt_predicate<'de, D: Deserializer<'de>>(d: D) -> Result<Option<Predicate>, D::Error> {
    PredicateOrShorthand::deserialize(d).map(|p| Some(p.0))
}

fn header_map<'de, D: Deserializer<'de>>(d: D) -> Result<BTreeMap<String, Predicate>, D::Error> {
    let raw = BTreeMap::<String, PredicateOrShorthand>::deserialize(d)?;
    Ok(raw
        .into_iter()
        .map(|(k, v)| (k.to_ascii_lowercase(), v.0))
        .collect())
}

/// Counters by name, each with a predicate on its change over the step.
pub(crate) fn counter_map<'de, D: Deserializer<'de>>(
    d: D,
) -> Result<BTreeMap<String, Predicate>, D::Error> {
    let raw = BTreeMap::<String, PredicateOrShorthand>::deserialize(d)?;
    Ok(raw.into_iter().map(|(k, v)| (k, v.0)).collect())
}

fn pointer_map<'de, D: Deserializer<'de>>(d: D) -> Result<BTreeMap<Pointer, Predicate>, D::Error> {
    let raw = BTreeMap::<String, PredicateOrShorthand>::deserialize(d)?;
    raw.into_iter()
        .map(|(k, v)| parse_pointer(k).map(|p| (p, v.0)))
        .collect::<Result<_, _>>()
        .map_err(de::Error::custom)
}

/// A JSON type name, for `type = "..."`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[cfg_attr(test, derive(schemars::JsonSchema))]
#[serde(rename_all = "snake_case")]
pub enum JsonType {
    /// A JSON string.
    String,
    /// Any JSON number.
    Number,
    /// A number without a fractional part.
    Integer,
    /// `true` or `false`.
    Boolean,
    /// A JSON array.
    Array,
    /// A JSON object.
    Object,
    /// `null`.
    Null,
}

impl fmt::Display for JsonType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let s = match self {
            JsonType::String => "string",
            JsonType::Number => "number",
            JsonType::Integer => "integer",
            JsonType::Boolean => "boolean",
            JsonType::Array => "array",
            JsonType::Object => "object",
            JsonType::Null => "null",
        };
        f.write_str(s)
    }
}

/// A compiled regular expression, validated when the lesson is loaded.
#[derive(Debug, Clone)]
pub struct Pattern(pub regex::Regex);

impl<'de> Deserialize<'de> for Pattern {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = String::deserialize(d)?;
        // A pack is input: bound what a pattern may cost before compiling it.
        if s.len() > 1000 {
            return Err(de::Error::custom(format!(
                "regular expression of {} characters; at most 1000",
                s.len()
            )));
        }
        regex::RegexBuilder::new(&s)
            .size_limit(1 << 20)
            .build()
            .map(Pattern)
            .map_err(|e| de::Error::custom(format!("invalid regular expression: {e}")))
    }
}

/// Conditions on one value (a status, a header, a JSON value or the body); all given must hold.
///
/// A bare number, string, boolean or array is shorthand for `{ equals = ... }`;
/// to compare with a whole object, write `{ equals = { ... } }`.
/// String values may hold `{{templates}}`; they are rendered before comparing.
#[derive(Debug, Clone, Default, Deserialize)]
#[cfg_attr(test, derive(schemars::JsonSchema))]
#[serde(deny_unknown_fields)]
pub struct Predicate {
    /// The value is present (`true`) or absent (`false`).
    pub exists: Option<bool>,
    /// The value is absent (`true`); the same as `exists = false`.
    pub absent: Option<bool>,
    /// Equal as JSON (numbers compare by value).
    pub equals: Option<Json>,
    /// Not equal as JSON.
    pub not_equals: Option<Json>,
    /// Equal to one of these.
    pub one_of: Option<Vec<Json>>,
    /// A string holding this substring, or an array holding this element.
    pub contains: Option<Json>,
    /// The opposite of `contains`.
    pub not_contains: Option<Json>,
    /// A string starting with this.
    pub starts_with: Option<String>,
    /// A string ending with this.
    pub ends_with: Option<String>,
    /// A string matching this regular expression.
    pub matches: Option<Pattern>,
    /// A string not matching this regular expression.
    pub not_matches: Option<Pattern>,
    /// The JSON type of the value.
    #[serde(rename = "type")]
    pub is_type: Option<JsonType>,
    /// A number greater than this.
    pub gt: Option<f64>,
    /// A number greater than or equal to this.
    pub ge: Option<f64>,
    /// A number less than this.
    pub lt: Option<f64>,
    /// A number less than or equal to this.
    pub le: Option<f64>,
    /// The length of a string (in characters), an array or an object.
    pub length: Option<usize>,
    /// An object with exactly these keys, in any order: a response model's
    /// fields, where an extra one (`password_hash`) is as wrong as a missing one.
    pub keys: Option<Vec<String>>,
}

impl Predicate {
    /// The shorthand `{ equals = value }`.
    pub fn equals(value: Json) -> Self {
        Predicate {
            equals: Some(value),
            ..Predicate::default()
        }
    }

    /// Only the "never" parts (`not_contains`, `not_matches`), if it has any:
    /// what must hold over a whole run, not just at one moment.
    pub fn negatives(&self) -> Option<Predicate> {
        (self.not_contains.is_some() || self.not_matches.is_some()).then(|| Predicate {
            not_contains: self.not_contains.clone(),
            not_matches: self.not_matches.clone(),
            ..Predicate::default()
        })
    }
}

// A bare scalar means `equals`; a table is the full form. A hand-written visitor
// (rather than `#[serde(untagged)]`) keeps toml's precise errors inside the table.
impl<'de> Deserialize<'de> for PredicateOrShorthand {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = PredicateOrShorthand;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a value to compare with, or a table of predicates such as { matches = \"...\" }")
            }
            fn visit_bool<E: de::Error>(self, v: bool) -> Result<Self::Value, E> {
                Ok(PredicateOrShorthand(Predicate::equals(Json::Bool(v))))
            }
            fn visit_i64<E: de::Error>(self, v: i64) -> Result<Self::Value, E> {
                Ok(PredicateOrShorthand(Predicate::equals(Json::from(v))))
            }
            fn visit_u64<E: de::Error>(self, v: u64) -> Result<Self::Value, E> {
                Ok(PredicateOrShorthand(Predicate::equals(Json::from(v))))
            }
            fn visit_f64<E: de::Error>(self, v: f64) -> Result<Self::Value, E> {
                Ok(PredicateOrShorthand(Predicate::equals(Json::from(v))))
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<Self::Value, E> {
                Ok(PredicateOrShorthand(Predicate::equals(Json::String(
                    v.into(),
                ))))
            }
            fn visit_seq<A: de::SeqAccess<'de>>(self, seq: A) -> Result<Self::Value, A::Error> {
                Json::deserialize(de::value::SeqAccessDeserializer::new(seq))
                    .map(|v| PredicateOrShorthand(Predicate::equals(v)))
            }
            fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<Self::Value, A::Error> {
                Predicate::deserialize(de::value::MapAccessDeserializer::new(map))
                    .map(PredicateOrShorthand)
            }
        }
        d.deserialize_any(V)
    }
}

/// Deserialization helper: a [`Predicate`] written in full or as a bare value.
struct PredicateOrShorthand(Predicate);

/// The JSON Schema of the types serde reads by hand (docs/lesson.schema.json).
#[cfg(test)]
pub(crate) mod schema {
    use std::borrow::Cow;

    use schemars::{JsonSchema, Schema, SchemaGenerator, json_schema};

    use super::{Method, Pattern, Pointer, Predicate, RequestPath};

    /// A value compared with `equals`, or a table of predicates.
    pub struct PredicateOrValue;

    impl JsonSchema for PredicateOrValue {
        fn schema_name() -> Cow<'static, str> {
            "PredicateOrValue".into()
        }
        fn json_schema(generator: &mut SchemaGenerator) -> Schema {
            json_schema!({
                "description": "A value the response's must equal (number, string, boolean or array), or a table of predicates such as { matches = \"...\" }.",
                "anyOf": [
                    { "type": ["string", "number", "boolean", "array"] },
                    generator.subschema_for::<Predicate>(),
                ]
            })
        }
    }

    /// Predicates by JSON pointer (`""` is the whole value, else `/a/0/b`).
    pub struct PointerMap;

    impl JsonSchema for PointerMap {
        fn schema_name() -> Cow<'static, str> {
            "PointerMap".into()
        }
        fn json_schema(generator: &mut SchemaGenerator) -> Schema {
            json_schema!({
                "type": "object",
                "description": "Predicates by JSON pointer: \"\" is the whole body, \"/user/id\" a value in it.",
                "propertyNames": { "pattern": "^(/.*)?$" },
                "additionalProperties": generator.subschema_for::<PredicateOrValue>(),
            })
        }
    }

    impl JsonSchema for Method {
        fn schema_name() -> Cow<'static, str> {
            "Method".into()
        }
        fn json_schema(_: &mut SchemaGenerator) -> Schema {
            let upper = ["GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS"];
            let mut all: Vec<String> = upper.iter().map(|m| m.to_string()).collect();
            all.extend(upper.iter().map(|m| m.to_ascii_lowercase()));
            json_schema!({ "description": "An HTTP method; GET when omitted.", "enum": all })
        }
    }

    impl JsonSchema for RequestPath {
        fn schema_name() -> Cow<'static, str> {
            "RequestPath".into()
        }
        fn json_schema(_: &mut SchemaGenerator) -> Schema {
            json_schema!({
                "type": "string",
                "description": "Path and query on the server under test: starts with `/` (or is a `{{template}}`).",
                "pattern": "^(/|\\{\\{)",
            })
        }
    }

    impl JsonSchema for Pointer {
        fn schema_name() -> Cow<'static, str> {
            "Pointer".into()
        }
        fn json_schema(_: &mut SchemaGenerator) -> Schema {
            json_schema!({
                "type": "string",
                "description": "A JSON pointer: empty for the whole body, else starting with `/`.",
                "pattern": "^(/.*)?$",
            })
        }
    }

    impl JsonSchema for Pattern {
        fn schema_name() -> Cow<'static, str> {
            "Pattern".into()
        }
        fn json_schema(_: &mut SchemaGenerator) -> Schema {
            json_schema!({
                "type": "string",
                "description": "A regular expression (Rust's regex syntax), at most 1000 characters.",
                "maxLength": 1000,
            })
        }
    }
}
