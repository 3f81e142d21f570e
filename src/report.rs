//! The result of a run as plain data, and its renderers.
//!
//! Everything that grading produces ends up here: the build's outcome, one
//! [`ItemReport`] per checklist item with its [`Verdict`], and for a failure the
//! request that was sent, what came back and which assertions did not hold.
//! A failed check is data, not an error. Reporters only read these types:
//! the text reporters ([`text`]) behind the [`Reporter`] seam that cli picks
//! from, and the TUI, which draws the same structured failure view ([`view`]).

pub mod classroom;
pub mod exercism;
pub mod json;
pub mod junit;
pub mod text;
pub mod view;

use std::time::Duration;

use serde::Serialize;

/// Everything one run of one lesson produced.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(test, derive(schemars::JsonSchema))]
pub struct RunReport {
    /// The lesson's id.
    pub lesson: String,
    /// The lesson's title.
    pub title: String,
    /// The server graded when it is not the lesson's crate: the command, or
    /// the URL of a server already running (nothing is built then).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub target: Option<String>,
    /// What the build did.
    pub build: BuildReport,
    /// Why no item could be graded, when none was (build failed, server never started, …).
    pub stopped: Option<Stopped>,
    /// One entry per checklist item, in lesson order.
    pub items: Vec<ItemReport>,
    /// The server's output over the whole run (capped; see `output_dropped`).
    pub server_output: Vec<String>,
    /// Lines of server output that were dropped because of the cap.
    pub output_dropped: u64,
}

impl RunReport {
    /// True when every checklist item passed.
    pub fn passed(&self) -> bool {
        self.stopped.is_none()
            && !self.items.is_empty()
            && self.items.iter().all(|i| i.verdict.is_pass())
    }

    /// How many items passed.
    pub fn passed_count(&self) -> usize {
        self.items.iter().filter(|i| i.verdict.is_pass()).count()
    }
}

/// One way of showing results (plain text, JSON; JUnit and exercism are
/// further implementations). cli picks one per command and prints what it returns.
pub trait Reporter {
    /// What to show when `report`'s lesson has been graded (they come one by
    /// one); nothing for a format written whole at the end.
    fn lesson(&mut self, _report: &RunReport) -> String {
        String::new()
    }
    /// What to show once every lesson has been graded.
    fn finish(&mut self, grade: &GradeReport) -> String;
}

/// Everything one grading of several lessons produced.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(test, derive(schemars::JsonSchema))]
pub struct GradeReport {
    /// Wall time of the one build of every graded lesson's crate.
    #[serde(with = "millis")]
    #[cfg_attr(test, schemars(with = "u64"))]
    pub build: Duration,
    /// Wall time of the checks, after the build.
    #[serde(with = "millis")]
    #[cfg_attr(test, schemars(with = "u64"))]
    pub checks: Duration,
    /// One report per lesson, in pack order.
    pub lessons: Vec<RunReport>,
}

impl GradeReport {
    /// True when every lesson passed.
    pub fn passed(&self) -> bool {
        self.lessons.iter().all(RunReport::passed)
    }

    /// How many lessons passed.
    pub fn passed_count(&self) -> usize {
        self.lessons.iter().filter(|l| l.passed()).count()
    }

    /// True when a lesson stopped for a reason outside the learner's code.
    pub fn could_not_grade(&self) -> bool {
        self.lessons
            .iter()
            .any(|l| matches!(l.stopped, Some(Stopped::Infrastructure { .. })))
    }
}

/// A class graded on one machine: each learner's workspace, graded.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(test, derive(schemars::JsonSchema))]
pub struct ClassReport {
    /// The lessons graded, in pack order.
    pub lessons: Vec<String>,
    /// One entry per learner folder, by name.
    pub learners: Vec<LearnerReport>,
}

impl ClassReport {
    /// True when every learner passed every lesson.
    pub fn passed(&self) -> bool {
        self.learners
            .iter()
            .all(|l| l.grade.as_ref().is_some_and(GradeReport::passed))
    }
}

/// One learner of a class.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(test, derive(schemars::JsonSchema))]
pub struct LearnerReport {
    /// The learner's folder name.
    pub learner: String,
    /// Why this workspace's dependencies were built on their own, when they
    /// were (its Cargo.lock differs from the class's).
    pub own_build: Option<String>,
    /// Why the folder could not be graded at all (not a workspace).
    pub error: Option<String>,
    /// The grading.
    pub grade: Option<GradeReport>,
}

/// What the build step did.
#[derive(Debug, Clone, Default, Serialize)]
#[cfg_attr(test, derive(schemars::JsonSchema))]
pub struct BuildReport {
    /// The build succeeded and produced the server binary.
    pub ok: bool,
    /// Nothing needed compiling (every artifact was fresh).
    pub fresh: bool,
    /// How many crates were compiled (not fresh).
    pub compiled: usize,
    /// Compiler messages as rustc renders them, errors first.
    pub diagnostics: Vec<Diagnostic>,
    /// Cargo's own error output when it failed before compiling (e.g. a bad manifest).
    pub cargo_stderr: String,
    /// Wall time of the build.
    #[serde(with = "millis")]
    #[cfg_attr(test, schemars(with = "u64"))]
    pub duration: Duration,
}

/// One compiler message.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(test, derive(schemars::JsonSchema))]
pub struct Diagnostic {
    /// `error`, `warning`, …
    pub level: String,
    /// `file:line:col` of the primary span, when there is one.
    pub location: Option<String>,
    /// The message as rustc prints it (without colour codes).
    pub rendered: String,
}

/// Why grading stopped before the items could be run.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(test, derive(schemars::JsonSchema))]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Stopped {
    /// The lesson's crate did not compile.
    BuildFailed,
    /// The build did not finish within its bound.
    BuildTimedOut {
        /// The bound that was hit.
        #[serde(with = "millis")]
        #[cfg_attr(test, schemars(with = "u64"))]
        bound: Duration,
    },
    /// The server never accepted connections on its port within the bound.
    NeverListened {
        /// The port it was given in `PORT`.
        port: u16,
        /// The bound that was hit.
        #[serde(with = "millis")]
        #[cfg_attr(test, schemars(with = "u64"))]
        bound: Duration,
        /// Addresses it listens on instead (`ip:port`), when that could be seen.
        elsewhere: Vec<String>,
    },
    /// The port answered, but the socket belongs to a process outside the
    /// server's process tree (a double-forked child, or another program).
    HeldOutside {
        /// The port.
        port: u16,
    },
    /// The server listens on every interface instead of 127.0.0.1 only.
    ListensEverywhere {
        /// The address it bound, e.g. `0.0.0.0:4000`.
        address: String,
    },
    /// The server exited before it was ready.
    ExitedEarly {
        /// Its exit code, if it exited normally.
        code: Option<i32>,
        /// The signal that ended it, if any.
        signal: Option<i32>,
    },
    /// The run could not happen for a reason outside the learner's code.
    Infrastructure {
        /// What went wrong.
        message: String,
    },
}

/// The verdict on one checklist item.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(test, derive(schemars::JsonSchema))]
pub struct ItemReport {
    /// The item's id.
    pub id: String,
    /// The item's title.
    pub title: String,
    /// Pass, fail (with why), or not run.
    pub verdict: Verdict,
    /// The item's hints, gentlest first.
    pub hints: Vec<String>,
    /// Wall time of the item's steps (zero when it was not run).
    #[serde(with = "millis")]
    #[cfg_attr(test, schemars(with = "u64"))]
    pub duration: Duration,
}

/// Pass, or a precise account of the first step that failed.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(test, derive(schemars::JsonSchema))]
#[serde(tag = "verdict", rename_all = "snake_case")]
pub enum Verdict {
    /// Every step held.
    Pass,
    /// A step did not hold.
    Fail(Box<Failure>),
    /// The item was not graded (see [`RunReport::stopped`]).
    NotRun,
    /// The item cannot be graded on this server (a server command or one
    /// already running lacks what it needs, e.g. the kit's counters): never a pass.
    NotApplicable {
        /// What the item needs that this server does not offer.
        why: String,
    },
}

impl Verdict {
    /// True for [`Verdict::Pass`].
    pub fn is_pass(&self) -> bool {
        matches!(self, Verdict::Pass)
    }

    /// True while nothing was decided ([`Verdict::NotRun`]).
    pub fn is_pending(&self) -> bool {
        matches!(self, Verdict::NotRun)
    }
}

/// The first step of an item that did not hold.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(test, derive(schemars::JsonSchema))]
pub struct Failure {
    /// 1-based index of the failing step.
    pub step: usize,
    /// How many steps the item has.
    pub steps: usize,
    /// The request as sent (empty `method` when the step sent none).
    pub request: RequestRecord,
    /// For an item that starts the server itself: how it was started.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub start: Option<StartRecord>,
    /// The response, when one came back.
    pub response: Option<ResponseRecord>,
    /// Why no usable response came back (connection refused, a bound hit, …).
    pub error: Option<String>,
    /// The item that grades this step's request, when the step only prepared
    /// the failing item (fix that one first).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub graded_by: Option<String>,
    /// The assertions that did not hold (empty when `error` is set).
    pub assertions: Vec<Assertion>,
    /// What the server printed while this step ran (the learner's tests'
    /// output, when `ran_tests`).
    pub server_output: Vec<String>,
    /// The step ran the learner's own tests, not the server.
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub ran_tests: bool,
}

impl Failure {
    /// The one way a failure is made: step `step` of `steps` (1-based) failed
    /// on `request`; what else is known is set on the result.
    pub fn new(step: usize, steps: usize, request: RequestRecord) -> Self {
        Failure {
            step,
            steps,
            request,
            start: None,
            response: None,
            error: None,
            graded_by: None,
            assertions: Vec::new(),
            server_output: Vec::new(),
            ran_tests: false,
        }
    }

    /// `self` with `error` as why no usable response came back.
    pub fn with_error(mut self, error: impl Into<String>) -> Self {
        self.error = Some(error.into());
        self
    }
}

/// A start of the server with a changed environment (an item with `start`).
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(test, derive(schemars::JsonSchema))]
pub struct StartRecord {
    /// Variables left out.
    pub without: Vec<String>,
    /// Variables set or overridden.
    pub env: Vec<(String, String)>,
}

/// A request exactly as it was sent.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(test, derive(schemars::JsonSchema))]
pub struct RequestRecord {
    /// HTTP method.
    pub method: String,
    /// Full URL (always loopback).
    pub url: String,
    /// Headers set by the check.
    pub headers: Vec<(String, String)>,
    /// The body, if any.
    pub body: Option<String>,
}

impl RequestRecord {
    /// The record of a step that sent no request.
    pub fn none() -> Self {
        RequestRecord {
            method: String::new(),
            url: String::new(),
            headers: vec![],
            body: None,
        }
    }

    /// An equivalent `curl` command line the learner can paste.
    pub fn to_curl(&self) -> String {
        let mut cmd = String::from("curl -i");
        // Without -N curl buffers a stream and shows its events late, in lumps.
        if self
            .headers
            .iter()
            .any(|(n, v)| n.eq_ignore_ascii_case("accept") && v.contains("text/event-stream"))
        {
            cmd.push_str(" -N");
        }
        // Without -g curl reads [] and {} in a URL as its own globbing patterns.
        if self.url.contains(['[', ']', '{', '}']) {
            cmd.push_str(" -g");
        }
        if self.method != "GET" || self.body.is_some() {
            if self.method == "HEAD" {
                cmd.push_str(" --head");
            } else {
                cmd.push_str(&format!(" -X {}", self.method));
            }
        }
        for (name, value) in &self.headers {
            cmd.push_str(&format!(" -H {}", shell_quote(&format!("{name}: {value}"))));
        }
        if let Some(body) = &self.body {
            cmd.push_str(&format!(" --data-raw {}", shell_quote(body)));
        }
        cmd.push(' ');
        cmd.push_str(&shell_quote(&self.url));
        cmd
    }
}

fn shell_quote(s: &str) -> String {
    if !s.is_empty()
        && s.chars()
            .all(|c| c.is_ascii_alphanumeric() || "-_./:=@%+,".contains(c))
    {
        s.to_string()
    } else {
        format!("'{}'", s.replace('\'', r"'\''"))
    }
}

/// A response as it was received (body cut to a readable size).
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(test, derive(schemars::JsonSchema))]
pub struct ResponseRecord {
    /// Status code.
    pub status: u16,
    /// All response headers, lower-case names.
    pub headers: Vec<(String, String)>,
    /// The body as text (lossy UTF-8), cut at the record cap.
    pub body: String,
    /// True when the body was longer than what is kept.
    pub body_truncated: bool,
    /// Time from sending to the end of the body.
    #[serde(with = "millis")]
    #[cfg_attr(test, schemars(with = "u64"))]
    pub elapsed: Duration,
}

/// One expectation and how it turned out.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(test, derive(schemars::JsonSchema))]
pub struct Assertion {
    /// What was looked at: `status`, `header location`, `JSON /id`, `body`.
    pub subject: String,
    /// What was expected, in words: `equals 201`, `matches ^/users/`.
    pub expected: String,
    /// What was there: a value as JSON, or `absent`.
    pub actual: String,
    /// Whether it held.
    pub passed: bool,
}

/// `s` made safe to show on a terminal: what the graded program (or a pack)
/// wrote is shown as text, never obeyed as a control sequence. Colour codes
/// (`ESC [ … m`) are dropped; every other control character becomes a visible
/// symbol (ESC `␛`, CR `␍`, BEL `␇`, …; C1 and bidirectional overrides as
/// `<U+009B>`), so a title, a clipboard write or a cleared screen shows up as
/// what it is. Newlines stay; a tab becomes a space.
pub fn clean(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut chars = s.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '\n' => out.push('\n'),
            '\t' => out.push(' '),
            '\u{1b}' if chars.peek() == Some(&'[') => {
                // A CSI sequence: drop it when it only sets colours (ends in `m`).
                let rest: String = chars
                    .clone()
                    .skip(1)
                    .take_while(|c| c.is_ascii_digit() || *c == ';')
                    .collect();
                let after = chars.clone().nth(1 + rest.len());
                if after == Some('m') {
                    for _ in 0..rest.len() + 2 {
                        chars.next();
                    }
                } else {
                    out.push('␛');
                }
            }
            '\u{7f}' => out.push('␡'),
            c if (c as u32) < 0x20 => out.push(char::from_u32(0x2400 + c as u32).unwrap_or('?')),
            '\u{80}'..='\u{9f}' | '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}' => {
                out.push_str(&format!("<U+{:04X}>", c as u32));
            }
            c => out.push(c),
        }
    }
    out
}

/// A body as a person can read it: UTF-8 text as it is (lossy), anything
/// binary summarised by its size, type and first bytes.
pub fn readable_body(bytes: &[u8], content_type: Option<&str>) -> String {
    let text = String::from_utf8_lossy(bytes);
    let odd = text
        .chars()
        .filter(|&c| c == '\u{fffd}' || ((c as u32) < 0x20 && !matches!(c, '\n' | '\r' | '\t')))
        .count();
    if odd * 10 <= text.chars().count().max(1) {
        return text.into_owned();
    }
    let head: Vec<String> = bytes.iter().take(16).map(|b| format!("{b:02x}")).collect();
    format!(
        "(binary body: {} bytes{}; first bytes: {}{})",
        bytes.len(),
        content_type.map(|t| format!(", {t}")).unwrap_or_default(),
        head.join(" "),
        if bytes.len() > 16 { " …" } else { "" }
    )
}

/// `s` cut to at most `max` characters, with `…` when cut.
pub fn shorten(s: &str, max: usize) -> String {
    if s.chars().count() <= max {
        s.to_string()
    } else {
        let cut: String = s.chars().take(max).collect();
        format!("{cut}…")
    }
}

mod millis {
    use serde::Serializer;
    use std::time::Duration;

    pub fn serialize<S: Serializer>(d: &Duration, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_u64(d.as_millis() as u64)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn curl_quotes_what_the_shell_would_split() {
        let r = RequestRecord {
            method: "POST".into(),
            url: "http://127.0.0.1:4000/users".into(),
            headers: vec![("content-type".into(), "application/json".into())],
            body: Some(r#"{"name":"O'Hara"}"#.into()),
        };
        assert_eq!(
            r.to_curl(),
            r#"curl -i -X POST -H 'content-type: application/json' --data-raw '{"name":"O'\''Hara"}' http://127.0.0.1:4000/users"#
        );
    }

    #[test]
    fn nothing_the_server_prints_reaches_the_terminal_as_a_control() {
        let hostile = "\u{1b}]0;pwned\u{7}\u{1b}]52;c;ZWNobyBoaQ==\u{7}\u{1b}[2J\u{1b}[31mred\u{1b}[0m\rover\u{9b}31m\u{202e}evil\u{7f}\ttab\nnext";
        let shown = clean(hostile);
        assert_eq!(
            shown,
            "␛]0;pwned␇␛]52;c;ZWNobyBoaQ==␇␛[2Jred␍over<U+009B>31m<U+202E>evil␡ tab\nnext"
        );
        assert!(
            !shown.chars().any(|c| c.is_control() && c != '\n'),
            "{shown:?}"
        );
    }

    #[test]
    fn binary_bodies_are_summarised() {
        assert_eq!(readable_body(b"{\"ok\":true}", None), "{\"ok\":true}");
        let png = [
            0x89, b'P', b'N', b'G', 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 0x0d,
        ];
        assert_eq!(
            readable_body(&png, Some("image/png")),
            "(binary body: 12 bytes, image/png; first bytes: 89 50 4e 47 0d 0a 1a 0a 00 00 00 0d)"
        );
    }

    #[test]
    fn curl_globbing_is_off_for_brackets() {
        let r = RequestRecord {
            method: "GET".into(),
            url: "http://127.0.0.1:1/users?ids[]=1&q={x}".into(),
            headers: vec![],
            body: None,
        };
        assert_eq!(
            r.to_curl(),
            "curl -i -g 'http://127.0.0.1:1/users?ids[]=1&q={x}'"
        );
    }

    #[test]
    fn curl_for_an_event_stream_does_not_buffer() {
        let r = RequestRecord {
            method: "GET".into(),
            url: "http://127.0.0.1:4000/stream".into(),
            headers: vec![("accept".into(), "text/event-stream".into())],
            body: None,
        };
        assert_eq!(
            r.to_curl(),
            "curl -i -N -H 'accept: text/event-stream' http://127.0.0.1:4000/stream"
        );
    }

    #[test]
    fn curl_for_a_plain_get_is_short() {
        let r = RequestRecord {
            method: "GET".into(),
            url: "http://127.0.0.1:4000/users?limit=2".into(),
            headers: vec![],
            body: None,
        };
        assert_eq!(r.to_curl(), "curl -i 'http://127.0.0.1:4000/users?limit=2'");
    }
}
