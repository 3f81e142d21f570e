//! The executor: renders each step's request, sends it to the server under test
//! (loopback only), records the response and turns the pure evaluation into a
//! verdict per checklist item.

use std::time::{Duration, Instant};

use serde_json::Value as Json;

use super::counters;
use super::eval::{self, Response};
use super::model::{Eventually, Expect, Item, Predicate, Step};
use super::template::{Scope, TemplateError, lesson_bug};
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

/// Time for the server to print its log lines for a request (or its startup
/// lines), and to die of it.
pub const SETTLE: Duration = Duration::from_millis(30);

/// Sends requests to one server under test.
pub struct Executor {
    client: reqwest::Client,
    base_url: String,
    port: u16,
    secrets: Vec<String>,
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
            port,
            secrets: Vec::new(),
            limits,
        })
    }

    /// Values of the run that no response may hold anywhere (status line,
    /// headers, body): every step checks for them, whatever else it expects.
    pub fn with_secrets(mut self, secrets: Vec<String>) -> Self {
        self.secrets = secrets;
        self
    }

    /// Runs every step of `item` in order and returns its verdict. `run_scope` holds
    /// the run's variables; the item's own vars and captures are added on top.
    /// "Never printed" expectations that held are kept in `afterwards`: they must
    /// hold over the whole run's output, so they are checked again at its end.
    pub async fn run_item(
        &self,
        item: &Item,
        run_scope: &Scope,
        tap: &dyn ServerTap,
        afterwards: &mut Vec<NeverPrinted>,
    ) -> Verdict {
        // Requests sent at once, a stream, or the OpenAPI document count as the last step.
        let last = item.concurrency.is_some() || item.stream.is_some() || item.openapi.is_some();
        let steps = item.steps.len() + usize::from(last);
        let mut exchanges = Vec::new();
        let mut scope = run_scope.clone();
        for (name, template) in &item.vars {
            match scope.render(template) {
                Ok(v) => scope.set(name.clone(), v),
                Err(e) => return lesson_error(1, steps, e),
            }
        }
        for (index, step) in item.steps.iter().enumerate() {
            let mark = tap.mark();
            let outcome = self.run_step(step, &mut scope, tap).await;
            let missed = match outcome {
                StepOutcome::Held(request, response) => {
                    if item.openapi.is_some() {
                        exchanges.push(super::openapi::Exchange::of(&request, &response));
                    }
                    if let Some(predicate) =
                        step.expect.output.as_ref().and_then(Predicate::negatives)
                    {
                        afterwards.push(NeverPrinted {
                            step: index + 1,
                            steps,
                            request,
                            predicate,
                            scope: scope.clone(),
                            at: tokio::time::Instant::now(),
                        });
                    }
                    continue;
                }
                StepOutcome::Missed(missed) => missed,
            };
            let at = (index + 1, steps);
            return failed(*missed, at, step.graded_by.clone(), tap, mark).await;
        }
        if let Some(c) = &item.concurrency {
            let mark = tap.mark();
            if let Err(missed) = self.run_concurrency(c, &scope, tap).await {
                return failed(*missed, (steps, steps), None, tap, mark).await;
            }
        }
        if let Some(s) = &item.stream {
            let mark = tap.mark();
            if let Err(missed) = self.run_stream(s, &scope, tap).await {
                return failed(*missed, (steps, steps), None, tap, mark).await;
            }
        }
        if let Some(o) = &item.openapi {
            let mark = tap.mark();
            if let Err(missed) = self.run_openapi(o, &exchanges).await {
                return failed(*missed, (steps, steps), None, tap, mark).await;
            }
        }
        Verdict::Pass
    }

    async fn run_step(&self, step: &Step, scope: &mut Scope, tap: &dyn ServerTap) -> StepOutcome {
        let request = match self.render_request(&step.request, scope) {
            Ok(r) => r,
            Err(why) => {
                return StepOutcome::missed(placeholder_request(step), None, Some(why), vec![]);
            }
        };
        let started = Instant::now();
        let mut sent = 0;
        let (response, failed, captured, capture_error) = loop {
            sent += 1;
            // Counters are judged over each request alone, polls included.
            let before = if step.expect.counters.is_empty() {
                None
            } else {
                match self.counters().await {
                    Ok(c) => Some(c),
                    Err(why) => return StepOutcome::missed(request, None, Some(why), vec![]),
                }
            };
            let response = match self.send(&request).await {
                Ok(r) => r,
                Err(why) => return StepOutcome::missed(request, None, Some(why), vec![]),
            };
            // The step's own captures are known to what it expects of the
            // server (`logged`, `output`): "the line with the new user's id".
            let (captured, capture_error) = take_captures(step, &response, scope);
            let server_scope = captured.as_ref().unwrap_or(scope);
            let mut assessed = self
                .assess_with(&step.expect, &response, scope, server_scope, tap)
                .await;
            if let (Err(_), Some(why)) = (&assessed, &capture_error) {
                // What the response itself missed (a 400 for a 201) says more
                // than the capture it could not feed.
                let missed: Vec<_> = eval::evaluate(&step.expect, &response, scope)
                    .map(|a| a.into_iter().filter(|a| !a.passed).collect())
                    .unwrap_or_default();
                let why = missed.is_empty().then(|| why.clone());
                let record = self.record(&response);
                return StepOutcome::missed(request, Some(record), why, missed);
            }
            if let (Some(before), Ok(assertions)) = (&before, &mut assessed) {
                let after = match self.counters().await {
                    Ok(c) => c,
                    Err(why) => {
                        let record = self.record(&response);
                        return StepOutcome::missed(request, Some(record), Some(why), vec![]);
                    }
                };
                let list = response.json().ok();
                match counters::evaluate(
                    &step.expect.counters,
                    before,
                    &after,
                    list.as_ref(),
                    scope,
                    "during this request",
                ) {
                    Ok(more) => assertions.extend(more),
                    Err(e) => assessed = Err(e),
                }
            }
            let assertions = match assessed {
                Ok(a) => a,
                Err(e) => {
                    let record = self.record(&response);
                    return StepOutcome::missed(request, Some(record), Some(lesson_bug(e)), vec![]);
                }
            };
            let failed: Vec<_> = assertions.into_iter().filter(|a| !a.passed).collect();
            match step.eventually {
                Some(ev) if !failed.is_empty() && poll_again(ev, started.elapsed()) => {
                    tokio::time::sleep(Duration::from_millis(ev.every_ms)).await;
                }
                _ => break (response, failed, captured, capture_error),
            }
        };
        if !failed.is_empty() {
            let record = self.record(&response);
            let why = step.eventually.map(|ev| {
                format!(
                    "still not so after {} ({sent} requests, one every {} ms); the last response is shown",
                    secs(started.elapsed()),
                    ev.every_ms
                )
            });
            return StepOutcome::missed(request, Some(record), why, failed);
        }
        if let Some(why) = capture_error {
            let record = self.record(&response);
            return StepOutcome::missed(request, Some(record), Some(why), vec![]);
        }
        if let Some(captured) = captured {
            *scope = captured;
        }
        StepOutcome::Held(request, response)
    }

    /// Every assertion of `expect` on `response`: the response's own, the
    /// run's secrets, and the server's output and liveness when it asks.
    pub(super) async fn assess(
        &self,
        expect: &Expect,
        response: &Response,
        scope: &Scope,
        tap: &dyn ServerTap,
    ) -> Result<Vec<crate::report::Assertion>, TemplateError> {
        self.assess_with(expect, response, scope, scope, tap).await
    }

    /// [`Executor::assess`], with `server_scope` (the step's captures added)
    /// for what it expects of the server.
    async fn assess_with(
        &self,
        expect: &Expect,
        response: &Response,
        scope: &Scope,
        server_scope: &Scope,
        tap: &dyn ServerTap,
    ) -> Result<Vec<crate::report::Assertion>, TemplateError> {
        let mut assertions = eval::evaluate(expect, response, scope)?;
        assertions.extend(eval::secrets_in_response(response, &self.secrets));
        if expect.watches_server() {
            tokio::time::sleep(SETTLE).await;
            let state = eval::ServerState {
                output: tap.since(0),
                ended: tap.ended(),
                dropped: tap.dropped(),
            };
            assertions.extend(eval::evaluate_server(expect, &state, server_scope)?);
        }
        Ok(assertions)
    }

    pub(super) fn render_request(
        &self,
        r: &crate::checks::model::Request,
        scope: &Scope,
    ) -> Result<RequestRecord, String> {
        let path = self.on_server(&scope.render(&r.path.0).map_err(lesson_bug)?)?;
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

    /// The path (and query) of `target` on the server under test. A captured
    /// `Location` may be absolute (HTTP allows it): one that names this server is
    /// followed, one that names any other is refused, since checks never leave it.
    fn on_server(&self, target: &str) -> Result<String, String> {
        if target.starts_with('/') {
            return Ok(target.to_string());
        }
        let uri: http::Uri = target.parse().map_err(|_| {
            format!("the request path must start with `/`, but it rendered to {target:?}")
        })?;
        let here = uri.scheme_str() == Some("http")
            && matches!(uri.host(), Some("127.0.0.1" | "localhost"))
            && uri.port_u16() == Some(self.port);
        match uri.path_and_query() {
            Some(pq) if here => Ok(pq.as_str().to_string()),
            _ => Err(format!(
                "the URL {target:?} is not on the server under test (http://127.0.0.1:{}): a `Location` must point at this server",
                self.port
            )),
        }
    }

    /// The URL of `path` on the server under test.
    pub(super) fn url(&self, path: &str) -> String {
        format!("{}{}", self.base_url, path)
    }

    pub(super) async fn send(&self, request: &RequestRecord) -> Result<Response, String> {
        let bound = self.limits.request;
        let started = Instant::now();
        let (mut resp, head) = self.open(request).await?;
        let status = head.status;
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
            body,
            body_truncated,
            elapsed: started.elapsed(),
            ..head
        })
    }

    /// Sends `request` and waits, within the request bound, for the head of
    /// its response: the body is left to read, and the head is a [`Response`]
    /// with no body yet.
    pub(super) async fn open(
        &self,
        request: &RequestRecord,
    ) -> Result<(reqwest::Response, Response), String> {
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
        let resp = match tokio::time::timeout(bound, builder.send()).await {
            Err(_) => {
                return Err(format!(
                    "no response within {} (the request bound): the server accepted the request but never answered",
                    secs(bound)
                ));
            }
            Ok(Err(e)) => return Err(describe_send_error(&e)),
            Ok(Ok(r)) => r,
        };
        let head = Response {
            status: resp.status().as_u16(),
            headers: resp
                .headers()
                .iter()
                .map(|(n, v)| {
                    (
                        n.as_str().to_string(),
                        String::from_utf8_lossy(v.as_bytes()).into_owned(),
                    )
                })
                .collect(),
            body: Vec::new(),
            body_truncated: false,
            elapsed: started.elapsed(),
        };
        Ok((resp, head))
    }

    /// The bounds this executor keeps.
    pub(super) fn limits(&self) -> Limits {
        self.limits
    }

    /// The response as it is shown: binary bodies summarised, nothing a
    /// terminal would obey, the body cut to the report's size.
    pub(super) fn record(&self, r: &Response) -> ResponseRecord {
        use crate::report::{clean, readable_body, shorten};
        let text = clean(&readable_body(&r.body, r.header("content-type").as_deref()));
        let cut = shorten(&text, self.limits.report_body);
        ResponseRecord {
            status: r.status,
            headers: r
                .headers
                .iter()
                .map(|(n, v)| (clean(n), clean(v)))
                .collect(),
            body_truncated: r.body_truncated || cut.len() != text.len(),
            body: cut,
            elapsed: r.elapsed,
        }
    }
}

enum StepOutcome {
    Held(RequestRecord, Response),
    Missed(Box<Missed>),
}

/// What a step that did not hold knows of itself; [`Executor::run_item`]
/// makes it a [`Failure`] with the step's place and the server's output.
pub(super) struct Missed {
    pub request: RequestRecord,
    pub response: Option<ResponseRecord>,
    pub error: Option<String>,
    pub assertions: Vec<crate::report::Assertion>,
}

/// A step's "never printed" output expectation (`not_contains`, `not_matches`)
/// that held when its response came in. A server can still print the secret
/// later (from a task, on the next request): checked again over the whole
/// run's output by [`NeverPrinted::recheck`].
#[derive(Debug, Clone)]
pub struct NeverPrinted {
    step: usize,
    steps: usize,
    request: RequestRecord,
    predicate: Predicate,
    scope: Scope,
    /// When the response came in: the linger counts from here.
    at: tokio::time::Instant,
}

impl NeverPrinted {
    /// When the step's response came in.
    pub fn answered_at(&self) -> tokio::time::Instant {
        self.at
    }

    /// The failure, if the whole run's output (`state`) breaks the expectation.
    pub fn recheck(&self, state: &eval::ServerState) -> Option<Failure> {
        let expect = Expect {
            output: Some(self.predicate.clone()),
            ..Expect::default()
        };
        let failed: Vec<_> = eval::evaluate_server(&expect, state, &self.scope)
            .ok()?
            .into_iter()
            .filter(|a| !a.passed)
            .collect();
        (!failed.is_empty()).then(|| Failure {
            assertions: failed,
            ..Failure::new(self.step, self.steps, self.request.clone()).with_error(
                "the output held nothing forbidden when the response came in, but by the end of the run it did: it was printed later",
            )
        })
    }
}

impl Missed {
    pub(super) fn new(
        request: RequestRecord,
        response: Option<ResponseRecord>,
        error: Option<String>,
        assertions: Vec<crate::report::Assertion>,
    ) -> Box<Self> {
        Box::new(Missed {
            request,
            response,
            error,
            assertions,
        })
    }

    /// A request that could not be rendered, with why.
    pub(super) fn unrendered(why: String) -> Box<Self> {
        Missed::new(RequestRecord::none(), None, Some(why), Vec::new())
    }
}

impl StepOutcome {
    fn missed(
        request: RequestRecord,
        response: Option<ResponseRecord>,
        error: Option<String>,
        assertions: Vec<crate::report::Assertion>,
    ) -> Self {
        StepOutcome::Missed(Missed::new(request, response, error, assertions))
    }
}

fn lesson_error(step: usize, steps: usize, e: TemplateError) -> Verdict {
    Verdict::Fail(Box::new(
        Failure::new(step, steps, RequestRecord::none()).with_error(lesson_bug(e)),
    ))
}

/// The verdict on a step that missed (`at`: its place, 1-based, and the
/// item's step count), with what the server printed since `mark`, and how it
/// ended when no response came back.
async fn failed(
    missed: Missed,
    (step, steps): (usize, usize),
    graded_by: Option<String>,
    tap: &dyn ServerTap,
    mark: u64,
) -> Verdict {
    tokio::time::sleep(SETTLE).await;
    let mut error = missed.error;
    if missed.response.is_none()
        && let Some(how) = tap.ended()
    {
        let why = error.unwrap_or_default();
        error = Some(format!("the server {how} during this step. {why}"));
    }
    Verdict::Fail(Box::new(Failure {
        response: missed.response,
        error,
        graded_by,
        assertions: missed.assertions,
        server_output: tap.since(mark),
        ..Failure::new(step, steps, missed.request)
    }))
}

/// `scope` with the step's captures from `response` (`None` when the step
/// captures nothing: the scope is not copied), and why the first capture that
/// could not be taken failed.
fn take_captures(
    step: &Step,
    response: &Response,
    scope: &Scope,
) -> (Option<Scope>, Option<String>) {
    if step.capture.is_empty() {
        return (None, None);
    }
    let mut captured = scope.clone();
    let mut error = None;
    for (name, cap) in &step.capture {
        match eval::capture(cap, response) {
            Ok(value) => captured.set_json(name.clone(), value),
            Err(why) => {
                error.get_or_insert(format!("could not capture `{name}`: {why}"));
            }
        }
    }
    (Some(captured), error)
}

/// True while another poll of an `eventually` step, after its pause, still
/// starts within its bound.
fn poll_again(ev: Eventually, elapsed: Duration) -> bool {
    elapsed + Duration::from_millis(ev.every_ms) < Duration::from_millis(ev.within_ms)
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
    let cause = root_cause(e);
    if e.is_connect() {
        format!(
            "could not connect: the server is not accepting connections (did it exit?): {cause}"
        )
    } else if is_not_http(&cause) {
        format!(
            "the server answered with something that is not HTTP ({cause}): is something else than your server on this port, or does it write to the socket by hand?"
        )
    } else {
        format!(
            "the connection closed before a response arrived (did the handler panic?): {}",
            root_cause(e)
        )
    }
}

/// hyper's words for bytes that do not parse as an HTTP response.
fn is_not_http(cause: &str) -> bool {
    let c = cause.to_ascii_lowercase();
    c.contains("invalid http") || c.contains("parse") || c.contains("message head is too large")
}

pub(super) fn root_cause(e: &(dyn std::error::Error + 'static)) -> String {
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_absolute_location_is_followed_only_on_the_server_under_test() {
        let exec = Executor::new(4000, Limits::default()).unwrap();
        assert_eq!(exec.on_server("/users/1").unwrap(), "/users/1");
        assert_eq!(
            exec.on_server("http://127.0.0.1:4000/users/1?x=2").unwrap(),
            "/users/1?x=2"
        );
        assert_eq!(
            exec.on_server("http://localhost:4000/users/1").unwrap(),
            "/users/1"
        );
        for away in [
            "http://127.0.0.1:4001/users/1",
            "https://127.0.0.1:4000/users/1",
            "http://example.com:4000/users/1",
            "http://127.0.0.1/users/1",
        ] {
            let why = exec.on_server(away).unwrap_err();
            assert!(
                why.contains("not on the server under test"),
                "{away}: {why}"
            );
        }
        assert!(
            exec.on_server("users/1")
                .unwrap_err()
                .contains("must start with `/`")
        );
    }
}
