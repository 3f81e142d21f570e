//! The executor: renders each step's request, sends it to the server under test
//! (loopback only), records the response and turns the pure evaluation into a
//! verdict per checklist item.

use std::time::{Duration, Instant};

use serde_json::Value as Json;

use super::eval::{self, Response};
use super::model::{Item, Step};
use super::template::{Scope, UnknownVariable};
use crate::report::{Failure, RequestRecord, ResponseRecord, Verdict};

/// Bounds of one check run.
#[derive(Debug, Clone, Copy)]
pub struct Limits {
    /// From sending a request to the end of its response body.
    pub request: Duration,
    /// The most body bytes read from one response; the rest is not read.
    pub body_cap: usize,
    /// The most body characters kept in a report.
    pub report_body: usize,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            request: Duration::from_secs(5),
            body_cap: 1 << 20,
            report_body: 2000,
        }
    }
}

/// What the executor may see of the server under test: its output and whether it
/// still runs. A server reached by URL alone would answer "nothing" to both.
pub trait ServerTap: Send + Sync {
    /// A position in the output: everything printed later comes after it.
    fn mark(&self) -> u64;
    /// The lines printed since `mark` (`since(0)`: every line kept).
    fn since(&self, mark: u64) -> Vec<String>;
    /// How the process ended (`exited with code 101`), or `None` while it runs.
    fn ended(&self) -> Option<String>;
    /// How many of its earliest lines the output cap has dropped.
    fn dropped(&self) -> u64;
}

/// Time for the server to print its log lines for a request, and to die of it.
const SETTLE: Duration = Duration::from_millis(30);

/// Sends requests to one server under test.
pub struct Executor {
    client: reqwest::Client,
    base_url: String,
    limits: Limits,
}

impl Executor {
    /// An executor for the server at `127.0.0.1:port`, with one keep-alive client.
    pub fn new(port: u16, limits: Limits) -> Result<Self, reqwest::Error> {
        let client = reqwest::Client::builder()
            .no_proxy()
            .redirect(reqwest::redirect::Policy::none())
            .connect_timeout(limits.request)
            .build()?;
        Ok(Executor {
            client,
            base_url: format!("http://127.0.0.1:{port}"),
            limits,
        })
    }

    /// Runs every step of `item` in order and returns its verdict. `run_scope` holds
    /// the run's variables; the item's own vars and captures are added on top.
    pub async fn run_item(&self, item: &Item, run_scope: &Scope, tap: &dyn ServerTap) -> Verdict {
        let mut scope = run_scope.clone();
        for (name, template) in &item.vars {
            match scope.render(template) {
                Ok(v) => scope.set(name.clone(), v),
                Err(e) => return lesson_error(1, item.steps.len(), e),
            }
        }
        for (index, step) in item.steps.iter().enumerate() {
            let mark = tap.mark();
            let outcome = self.run_step(step, &mut scope, tap).await;
            let failure = match outcome {
                StepOutcome::Held => continue,
                StepOutcome::Failed(f) => f,
            };
            tokio::time::sleep(SETTLE).await;
            let mut failure = *failure;
            if failure.response.is_none()
                && let Some(how) = tap.ended()
            {
                let why = failure.error.take().unwrap_or_default();
                failure.error = Some(format!("the server {how} during this step. {why}"));
            }
            failure.step = index + 1;
            failure.steps = item.steps.len();
            failure.server_output = tap.since(mark);
            return Verdict::Fail(Box::new(failure));
        }
        Verdict::Pass
    }

    async fn run_step(&self, step: &Step, scope: &mut Scope, tap: &dyn ServerTap) -> StepOutcome {
        let request = match self.render_request(step, scope) {
            Ok(r) => r,
            Err(why) => {
                return StepOutcome::failed(placeholder_request(step), None, Some(why), vec![]);
            }
        };
        let response = match self.send(&request).await {
            Ok(r) => r,
            Err(why) => return StepOutcome::failed(request, None, Some(why), vec![]),
        };
        let mut evaluated = eval::evaluate(&step.expect, &response, scope);
        if step.expect.watches_server() {
            tokio::time::sleep(SETTLE).await;
            let state = eval::ServerState {
                output: tap.since(0),
                ended: tap.ended(),
                dropped: tap.dropped(),
            };
            if let Ok(a) = &mut evaluated {
                match eval::evaluate_server(&step.expect, &state, scope) {
                    Ok(more) => a.extend(more),
                    Err(e) => evaluated = Err(e),
                }
            }
        }
        let assertions = match evaluated {
            Ok(a) => a,
            Err(e) => {
                let record = self.record(&response);
                return StepOutcome::failed(request, Some(record), Some(lesson_bug(e)), vec![]);
            }
        };
        let failed: Vec<_> = assertions.into_iter().filter(|a| !a.passed).collect();
        if !failed.is_empty() {
            let record = self.record(&response);
            return StepOutcome::failed(request, Some(record), None, failed);
        }
        for (name, cap) in &step.capture {
            match eval::capture(cap, &response) {
                Ok(value) => scope.set(name.clone(), value),
                Err(why) => {
                    let record = self.record(&response);
                    let why = format!("could not capture `{name}`: {why}");
                    return StepOutcome::failed(request, Some(record), Some(why), vec![]);
                }
            }
        }
        StepOutcome::Held
    }

    fn render_request(&self, step: &Step, scope: &Scope) -> Result<RequestRecord, String> {
        let r = &step.request;
        let path = scope.render(&r.path.0).map_err(lesson_bug)?;
        if !path.starts_with('/') {
            // A captured Location can be an absolute URL; checks never leave the server under test.
            return Err(format!(
                "the request path must start with `/`, but it rendered to {path:?}"
            ));
        }
        let mut headers = Vec::new();
        for (name, value) in &r.headers {
            headers.push((name.clone(), scope.render(value).map_err(lesson_bug)?));
        }
        let body = match (&r.json, &r.body) {
            (Some(json), _) => {
                let rendered: Json = scope.render_json(json).map_err(lesson_bug)?;
                if !headers
                    .iter()
                    .any(|(n, _)| n.eq_ignore_ascii_case("content-type"))
                {
                    headers.push(("content-type".into(), "application/json".into()));
                }
                Some(rendered.to_string())
            }
            (None, Some(raw)) => Some(scope.render(raw).map_err(lesson_bug)?),
            (None, None) => None,
        };
        Ok(RequestRecord {
            method: r.method.0.clone(),
            url: format!("{}{}", self.base_url, path),
            headers,
            body,
        })
    }

    async fn send(&self, request: &RequestRecord) -> Result<Response, String> {
        let bound = self.limits.request;
        let started = Instant::now();
        let method = reqwest::Method::from_bytes(request.method.as_bytes())
            .map_err(|e| format!("bad method: {e}"))?;
        let mut builder = self.client.request(method, &request.url);
        for (name, value) in &request.headers {
            builder = builder.header(name, value);
        }
        if let Some(body) = &request.body {
            builder = builder.body(body.clone());
        }
        let mut resp = match tokio::time::timeout(bound, builder.send()).await {
            Err(_) => {
                return Err(format!(
                    "no response within {} (the request bound): the server accepted the request but never answered",
                    secs(bound)
                ));
            }
            Ok(Err(e)) => return Err(describe_send_error(&e)),
            Ok(Ok(r)) => r,
        };
        let status = resp.status().as_u16();
        let headers = resp
            .headers()
            .iter()
            .map(|(n, v)| {
                (
                    n.as_str().to_string(),
                    String::from_utf8_lossy(v.as_bytes()).into_owned(),
                )
            })
            .collect();
        let mut body = Vec::new();
        let mut body_truncated = false;
        loop {
            let left = bound.saturating_sub(started.elapsed());
            match tokio::time::timeout(left, resp.chunk()).await {
                Err(_) => {
                    return Err(format!(
                        "the response headers arrived (status {status}) but the body never finished within {} (the request bound)",
                        secs(bound)
                    ));
                }
                Ok(Err(e)) => {
                    return Err(format!(
                        "the connection broke while the body was being read (status {status}): {}",
                        root_cause(&e)
                    ));
                }
                Ok(Ok(None)) => break,
                Ok(Ok(Some(chunk))) => {
                    let room = self.limits.body_cap - body.len();
                    if chunk.len() > room {
                        body.extend_from_slice(&chunk[..room]);
                        body_truncated = true;
                        break; // Dropping the response closes the connection: the rest is never read.
                    }
                    body.extend_from_slice(&chunk);
                }
            }
        }
        Ok(Response {
            status,
            headers,
            body,
            body_truncated,
            elapsed: started.elapsed(),
        })
    }

    fn record(&self, r: &Response) -> ResponseRecord {
        let text = r.text();
        let cut = crate::report::shorten(&text, self.limits.report_body);
        ResponseRecord {
            status: r.status,
            headers: r.headers.clone(),
            body_truncated: r.body_truncated || cut.len() != text.len(),
            body: cut,
            elapsed: r.elapsed,
        }
    }
}

enum StepOutcome {
    Held,
    Failed(Box<Failure>),
}

impl StepOutcome {
    fn failed(
        request: RequestRecord,
        response: Option<ResponseRecord>,
        error: Option<String>,
        assertions: Vec<crate::report::Assertion>,
    ) -> Self {
        StepOutcome::Failed(Box::new(Failure {
            step: 0,
            steps: 0,
            request,
            start: None,
            response,
            error,
            assertions,
            server_output: Vec::new(),
        }))
    }
}

/// The words for a lesson mistake, so the learner knows it is not theirs.
pub(crate) fn lesson_bug(e: UnknownVariable) -> String {
    format!("lesson error (not your code): {e}")
}

fn lesson_error(step: usize, steps: usize, e: UnknownVariable) -> Verdict {
    Verdict::Fail(Box::new(Failure {
        step,
        steps,
        request: RequestRecord::none(),
        start: None,
        response: None,
        error: Some(lesson_bug(e)),
        assertions: vec![],
        server_output: vec![],
    }))
}

fn placeholder_request(step: &Step) -> RequestRecord {
    RequestRecord {
        method: step.request.method.0.clone(),
        url: step.request.path.0.clone(),
        headers: vec![],
        body: None,
    }
}

fn describe_send_error(e: &reqwest::Error) -> String {
    if e.is_connect() {
        format!(
            "could not connect: the server is not accepting connections (did it exit?): {}",
            root_cause(e)
        )
    } else {
        format!(
            "the connection closed before a response arrived (did the handler panic?): {}",
            root_cause(e)
        )
    }
}

fn root_cause(e: &(dyn std::error::Error + 'static)) -> String {
    let mut cur = e;
    while let Some(next) = cur.source() {
        cur = next;
    }
    cur.to_string()
}

fn secs(d: Duration) -> String {
    let s = d.as_secs_f64();
    if s.fract() == 0.0 {
        format!("{s:.0} s")
    } else {
        format!("{s:.1} s")
    }
}
