//! A failure as lines with roles: the one view every output reads. The text
//! renderer joins the lines; the TUI orders them (what is wrong first) and
//! colours them by role, never by parsing text.

use super::{Failure, ResponseRecord};

/// Headers worth showing in a failure even when no assertion named them.
const USEFUL_HEADERS: [&str; 3] = ["content-type", "location", "content-length"];
/// Server output lines shown per failure.
pub const OUTPUT_LINES: usize = 12;

/// What a line of a failure says.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Role {
    /// Which step of the item failed.
    Step,
    /// How the server was started, for an item that starts its own.
    Start,
    /// What went wrong when no assertion could say it (no answer, a bad step).
    Problem,
    /// What the check expected.
    Expected,
    /// What came back instead.
    Got,
    /// The request sent (method and URL, headers, body).
    Request,
    /// The request as a curl command.
    Curl,
    /// The response's status, headers and body.
    Response,
    /// What the server printed during the step.
    Output,
}

impl Role {
    /// Lines that say what is wrong (as opposed to the evidence).
    pub fn is_verdict(self) -> bool {
        matches!(
            self,
            Role::Step | Role::Start | Role::Problem | Role::Expected | Role::Got
        )
    }
}

/// One line of a failure, already cleaned of control characters.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ViewLine {
    /// What it says.
    pub role: Role,
    /// The text, with its label ("expected: …").
    pub text: String,
}

/// A failure as labelled lines, in the text renderer's order.
pub fn failure(f: &Failure) -> Vec<ViewLine> {
    let mut v = Lines(Vec::new());
    if f.steps > 1 {
        v.push(Role::Step, format!("step {} of {}", f.step, f.steps));
    }
    let r = &f.request;
    if !r.method.is_empty() {
        v.push(Role::Request, format!("request:  {} {}", r.method, r.url));
        for (n, value) in &r.headers {
            v.push(Role::Request, format!("          {n}: {value}"));
        }
        if let Some(body) = &r.body {
            v.push(
                Role::Request,
                format!("          {}", super::shorten(body, 300)),
            );
        }
        v.push(Role::Curl, format!("as curl:  {}", r.to_curl()));
    }
    if let Some(start) = &f.start {
        let mut how = Vec::new();
        if !start.without.is_empty() {
            how.push(format!("without {}", start.without.join(", ")));
        }
        for (n, value) in &start.env {
            how.push(format!("with {n}={value}"));
        }
        v.push(
            Role::Start,
            format!("start:    the server, {}", how.join(", ")),
        );
    }
    if let Some(other) = &f.graded_by {
        v.push(
            Role::Problem,
            format!(
                "problem:  this step only prepares the item, and it failed: `{other}` grades it; make that item pass first"
            ),
        );
    }
    if let Some(err) = &f.error {
        v.push(Role::Problem, format!("problem:  {err}"));
    }
    for a in &f.assertions {
        v.push(
            Role::Expected,
            format!("expected: {} {}", a.subject, a.expected),
        );
        v.push(Role::Got, format!("     got: {}", a.actual));
    }
    if let Some(resp) = &f.response {
        let named: Vec<String> = f
            .assertions
            .iter()
            .filter_map(|a| a.subject.strip_prefix("header ").map(str::to_string))
            .collect();
        response(&mut v, resp, &named);
    }
    if !f.server_output.is_empty() {
        let whose = if f.ran_tests {
            "output of your tests:"
        } else {
            "server output during this step:"
        };
        v.push(Role::Output, whose.into());
        let lines = &f.server_output;
        for line in &lines[lines.len().saturating_sub(OUTPUT_LINES)..] {
            v.push(Role::Output, format!("  | {line}"));
        }
    }
    v.0
}

struct Lines(Vec<ViewLine>);

impl Lines {
    /// Adds `text`, one view line per text line (a value may hold newlines).
    fn push(&mut self, role: Role, text: String) {
        for line in super::clean(&text).lines() {
            self.0.push(ViewLine {
                role,
                text: line.to_string(),
            });
        }
    }
}

fn response(v: &mut Lines, r: &ResponseRecord, named: &[String]) {
    v.push(
        Role::Response,
        format!(
            "response: {} {} (in {})",
            r.status,
            reason(r.status),
            duration(r.elapsed)
        ),
    );
    for (n, value) in &r.headers {
        if USEFUL_HEADERS.contains(&n.as_str()) || named.iter().any(|x| x == n) {
            v.push(Role::Response, format!("          {n}: {value}"));
        }
    }
    if r.body.is_empty() {
        v.push(Role::Response, "          (empty body)".into());
    } else {
        let cut = if r.body_truncated { " (cut)" } else { "" };
        v.push(
            Role::Response,
            format!("          {}{cut}", r.body.replace('\n', "\n          ")),
        );
    }
}

/// `12 ms`, `1.61 s`: a duration as a person reads it.
pub fn duration(d: std::time::Duration) -> String {
    if d < std::time::Duration::from_secs(1) {
        format!("{} ms", d.as_millis())
    } else {
        format!("{:.2} s", d.as_secs_f64())
    }
}

fn reason(status: u16) -> &'static str {
    http::StatusCode::from_u16(status)
        .ok()
        .and_then(|s| s.canonical_reason())
        .unwrap_or("")
}
