//! The `stream` check kind: a response of server-sent events read as it
//! arrives. What the events say (`each`, `last`, `count`, `text`), when they
//! arrive (`first_before`: a buffered stream sends its first event with its
//! last; `gap_ms`: keep-alive while nothing is produced), and, with
//! `disconnect`, what the server does once the client has left (the kit's
//! counters must stop: no work for nobody). Its model is [`EventStream`];
//! [`Parser`] reads the wire format and [`evaluate`] is pure; the executor runs
//! it after the item's steps.
//!
//! The parser is ours, not a crate's: the checks need the keep-alive comments
//! and each arrival's time, which event-source crates drop.

use std::time::{Duration, Instant};

use serde_json::Value as Json;

use super::exec::{Executor, Missed, ServerTap};
use super::model::{EventExpect, EventStream};
use super::template::{Scope, TemplateError, lesson_bug};
use crate::report::Assertion;
use crate::report::view::duration;

/// Something that arrived on the stream, and when (from sending the request).
#[derive(Debug, Clone, PartialEq)]
pub struct Arrival {
    /// From sending the request to the chunk that completed it.
    pub at: Duration,
    /// What it was.
    pub what: Received,
}

/// What the parser made of the bytes.
#[derive(Debug, Clone, PartialEq)]
pub enum Received {
    /// An event, as `EventSource` dispatches it: its type (`message` when it
    /// has no `event:` field) and its data lines joined by newlines.
    Event {
        /// Its type.
        name: String,
        /// Its data.
        data: String,
    },
    /// A comment line (`: keep-alive`), as servers send to keep a connection open.
    Comment(String),
    /// A block without a `data:` line: `EventSource` never dispatches it.
    Undispatched {
        /// The type it named.
        name: String,
    },
}

/// The `text/event-stream` format, fed as bytes arrive (lines may be split
/// across chunks; a line ends with LF, CRLF or CR).
#[derive(Debug, Default)]
pub struct Parser {
    line: Vec<u8>,
    after_cr: bool,
    name: String,
    data: Option<String>,
    fields: bool,
}

impl Parser {
    /// Everything complete in `bytes` (with what came before), stamped `at`.
    pub fn feed(&mut self, bytes: &[u8], at: Duration) -> Vec<Arrival> {
        let mut out = Vec::new();
        for &b in bytes {
            if self.after_cr && b == b'\n' {
                self.after_cr = false;
                continue;
            }
            self.after_cr = b == b'\r';
            if b == b'\n' || b == b'\r' {
                let line = String::from_utf8_lossy(&std::mem::take(&mut self.line)).into_owned();
                out.extend(self.line_done(&line).map(|what| Arrival { at, what }));
            } else {
                self.line.push(b);
            }
        }
        out
    }

    fn line_done(&mut self, line: &str) -> Option<Received> {
        if line.is_empty() {
            let fields = std::mem::take(&mut self.fields);
            let name = std::mem::take(&mut self.name);
            let name = if name.is_empty() {
                "message".to_string()
            } else {
                name
            };
            return match self.data.take() {
                Some(data) => Some(Received::Event { name, data }),
                None if fields => Some(Received::Undispatched { name }),
                None => None,
            };
        }
        if let Some(comment) = line.strip_prefix(':') {
            return Some(Received::Comment(comment.trim_start().to_string()));
        }
        let (field, value) = line.split_once(':').unwrap_or((line, ""));
        let value = value.strip_prefix(' ').unwrap_or(value);
        self.fields = true;
        match field {
            "event" => self.name = value.to_string(),
            "data" => match &mut self.data {
                Some(d) => {
                    d.push('\n');
                    d.push_str(value);
                }
                None => self.data = Some(value.to_string()),
            },
            _ => {} // `id`, `retry` and unknown fields change nothing the checks read.
        }
        None
    }
}

/// How reading the stream ended.
#[derive(Debug, Clone, PartialEq)]
pub enum End {
    /// The server ended the response.
    Closed,
    /// The client left after `disconnect.after` events, as asked.
    Left,
    /// The stream was still open when its bound passed.
    TimedOut,
    /// The body reached the byte cap.
    Capped,
    /// The connection broke.
    Broken(String),
}

/// What a run saw of one stream.
#[derive(Debug, Clone)]
pub struct Seen {
    /// When the response's head arrived.
    pub head: Duration,
    /// Everything parsed, in order.
    pub arrivals: Vec<Arrival>,
    /// How reading ended.
    pub end: End,
    /// The bytes read.
    pub bytes: usize,
    /// From sending the request to the end of reading.
    pub total: Duration,
}

impl Seen {
    fn events(&self) -> Vec<(Duration, &str, &str)> {
        self.arrivals
            .iter()
            .filter_map(|a| match &a.what {
                Received::Event { name, data } => Some((a.at, name.as_str(), data.as_str())),
                _ => None,
            })
            .collect()
    }

    /// The arrivals as the report shows them, one line each.
    pub fn transcript(&self) -> String {
        let mut out = format!("{:>8}  (head: status and headers)\n", secs(self.head));
        for a in &self.arrivals {
            let what = match &a.what {
                Received::Event { name, data } => format!("event: {name}  data: {data:?}"),
                Received::Comment(c) => format!(": {c}  (a comment)"),
                Received::Undispatched { name } => {
                    format!("event: {name}  (no data: line, so EventSource never dispatches it)")
                }
            };
            out.push_str(&format!("{:>8}  {what}\n", secs(a.at)));
        }
        let end = match &self.end {
            End::Closed => "the server ended the stream".to_string(),
            End::Left => "the client left, as the check asks".to_string(),
            End::TimedOut => "still open when the bound passed".to_string(),
            End::Capped => "the body reached the byte cap".to_string(),
            End::Broken(why) => format!("the connection broke: {why}"),
        };
        out.push_str(&format!("{:>8}  ({end})", secs(self.total)));
        out
    }
}

fn secs(d: Duration) -> String {
    format!("{:.2} s", d.as_secs_f64())
}

/// The assertions of `s` on what was `seen` (counters aside).
pub fn evaluate(
    s: &EventStream,
    seen: &Seen,
    scope: &Scope,
) -> Result<Vec<Assertion>, TemplateError> {
    let mut out = Vec::new();
    let leaving = s.disconnect.is_some();
    let wanted = if leaving { End::Left } else { End::Closed };
    if seen.end != wanted {
        out.push(Assertion {
            subject: "the stream".into(),
            expected: if leaving {
                format!(
                    "sends {} events before the client leaves",
                    s.disconnect.as_ref().map_or(0, |d| d.after)
                )
            } else {
                format!(
                    "ends within {}",
                    duration(Duration::from_millis(s.within_ms))
                )
            },
            actual: match &seen.end {
                End::TimedOut if leaving => format!(
                    "only {} events within {}",
                    seen.events().len(),
                    duration(Duration::from_millis(s.within_ms))
                ),
                End::TimedOut => format!(
                    "still open after {}: end the stream after its last event",
                    duration(Duration::from_millis(s.within_ms))
                ),
                End::Closed => format!("ended after {} events", seen.events().len()),
                End::Capped => "more bytes than the cap, without an end".into(),
                End::Broken(why) => format!("the connection broke: {why}"),
                End::Left => "the client left".into(),
            },
            passed: false,
        });
    }
    let events = seen.events();
    if let Some(p) = &s.count {
        super::eval::check(
            &mut out,
            "number of events",
            p,
            Some(&Json::from(events.len())),
            scope,
        )?;
    }
    // What the last event and the whole text are is only known of a stream that ended.
    let ended = seen.end == End::Closed;
    let (last, rest) = match events.split_last() {
        Some((last, rest)) if ended => (Some(last), rest),
        _ => (None, &events[..]),
    };
    if let Some(each) = &s.each {
        for (i, (_, name, data)) in rest.iter().enumerate() {
            let first = out.len();
            event(
                &mut out,
                &format!("event {}", i + 1),
                each,
                name,
                data,
                scope,
            )?;
            if out[first..].iter().any(|a| !a.passed) {
                break; // The first event that misses says it; the others would repeat it.
            }
        }
    }
    if let (Some(expect), true) = (&s.last, ended) {
        match last {
            Some((_, name, data)) => {
                let first = out.len();
                event(&mut out, "the last event", expect, name, data, scope)?;
                // axum writes no `data:` line for empty data: say why the event seems missing.
                if let Some(Received::Undispatched { name }) = seen.arrivals.last().map(|a| &a.what)
                {
                    for a in out[first..].iter_mut().filter(|a| !a.passed) {
                        a.actual = format!(
                            "{}; the `{name}` after it has no data: line, so EventSource never dispatches it: give it data",
                            a.actual
                        );
                    }
                }
            }
            None => out.push(Assertion {
                subject: "the last event".into(),
                expected: "arrives".into(),
                actual: if seen.bytes > 0 {
                    format!(
                        "no event arrived: the body held {} bytes that are no events (is it `text/event-stream`?)",
                        seen.bytes
                    )
                } else {
                    "no event arrived".into()
                },
                passed: false,
            }),
        }
    }
    if let (Some(p), true) = (&s.text, ended) {
        let text: String = rest.iter().map(|(_, _, data)| *data).collect();
        super::eval::check(
            &mut out,
            "the data of the events before the last, joined",
            p,
            Some(&Json::from(text)),
            scope,
        )?;
    }
    if let (Some(fraction), Some((first, ..)), Some((end, ..))) =
        (s.first_before, events.first(), events.last())
        && events.len() > 1
        && ended
    {
        let passed = first.as_secs_f64() < fraction * end.as_secs_f64();
        out.push(Assertion {
            subject: "the first event".into(),
            expected: format!(
                "arrives before {:.0}% of the stream's time, as soon as it is produced",
                fraction * 100.0
            ),
            actual: if passed {
                format!("after {}, of {}", duration(*first), duration(*end))
            } else {
                format!(
                    "after {}, with the last ({}): the stream is buffered; send each event as it is produced",
                    duration(*first),
                    duration(*end)
                )
            },
            passed,
        });
    }
    if let Some(gap_ms) = s.gap_ms {
        let bound = Duration::from_millis(gap_ms);
        let times = std::iter::once(seen.head).chain(seen.arrivals.iter().map(|a| a.at));
        let (widest, from) = times
            .clone()
            .zip(times.skip(1))
            .map(|(a, b)| (b.saturating_sub(a), a))
            .max()
            .unwrap_or_default();
        out.push(Assertion {
            subject: "the longest silence".into(),
            expected: format!("at most {} between two things sent", duration(bound)),
            actual: if widest <= bound {
                duration(widest)
            } else {
                format!(
                    "{} with nothing sent ({} to {}): a proxy closes a connection that stays silent; send keep-alive comments",
                    duration(widest),
                    secs(from),
                    secs(from + widest)
                )
            },
            passed: widest <= bound,
        });
    }
    Ok(out)
}

/// The assertions of `expect` on one event.
fn event(
    out: &mut Vec<Assertion>,
    which: &str,
    expect: &EventExpect,
    name: &str,
    data: &str,
    scope: &Scope,
) -> Result<(), TemplateError> {
    if let Some(wanted) = &expect.event {
        let wanted = scope.render(wanted)?;
        out.push(Assertion {
            subject: format!("{which}'s type"),
            expected: format!("`{wanted}`"),
            actual: format!("`{name}`"),
            passed: name == wanted,
        });
    }
    if let Some(p) = &expect.data {
        super::eval::check(
            out,
            &format!("{which}'s data"),
            p,
            Some(&Json::from(data)),
            scope,
        )?;
    }
    if !expect.json.is_empty() {
        let parsed: Option<Json> = serde_json::from_str(data).ok();
        for (pointer, p) in &expect.json {
            let subject = format!("{which}'s data at JSON {}", pointer.0);
            match &parsed {
                Some(doc) => super::eval::check(out, &subject, p, doc.pointer(&pointer.0), scope)?,
                None => out.push(Assertion {
                    subject,
                    expected: "data that is JSON".into(),
                    actual: format!("{data:?}"),
                    passed: false,
                }),
            }
        }
    }
    Ok(())
}

impl Executor {
    /// Runs `s` after an item's steps; `Err` is how it missed.
    pub(super) async fn run_stream(
        &self,
        s: &EventStream,
        scope: &Scope,
        tap: &dyn ServerTap,
    ) -> Result<(), Box<Missed>> {
        let mut request = self
            .render_request(&s.request, scope)
            .map_err(Missed::unrendered)?;
        // As EventSource does; it also tells the curl line to show `-N`.
        if !request
            .headers
            .iter()
            .any(|(n, _)| n.eq_ignore_ascii_case("accept"))
        {
            request
                .headers
                .push(("accept".into(), "text/event-stream".into()));
        }
        let missed =
            |response, error, assertions| Missed::new(request.clone(), response, error, assertions);
        let bound = Duration::from_millis(s.within_ms);
        let started = Instant::now();
        let (mut body, head) = self
            .open(&request)
            .await
            .map_err(|why| missed(None, Some(why), vec![]))?;
        let mut seen = Seen {
            head: started.elapsed(),
            arrivals: Vec::new(),
            end: End::Closed,
            total: Duration::ZERO,
            bytes: 0,
        };
        let mut raw = Vec::new();
        let mut parser = Parser::default();
        let leave_after = s.disconnect.as_ref().map(|d| d.after);
        seen.end = loop {
            let events = seen
                .arrivals
                .iter()
                .filter(|a| matches!(a.what, Received::Event { .. }))
                .count();
            if leave_after.is_some_and(|n| events >= n) {
                break End::Left;
            }
            let left = bound.saturating_sub(started.elapsed());
            match tokio::time::timeout(left, body.chunk()).await {
                Err(_) => break End::TimedOut,
                Ok(Err(e)) => break End::Broken(super::exec::root_cause(&e)),
                Ok(Ok(None)) => break End::Closed,
                Ok(Ok(Some(chunk))) => {
                    if raw.len() + chunk.len() > self.limits().body_cap {
                        break End::Capped;
                    }
                    raw.extend_from_slice(&chunk);
                    seen.arrivals.extend(parser.feed(&chunk, started.elapsed()));
                }
            }
        };
        seen.total = started.elapsed();
        seen.bytes = raw.len();
        let response = super::eval::Response {
            body: raw,
            body_truncated: seen.end == End::Capped,
            elapsed: seen.total,
            ..head
        };
        let mut record = self.record(&response);
        if !seen.arrivals.is_empty() || response.body.is_empty() {
            // Events are shown with their times; a body that held none, as it was.
            let text = crate::report::clean(&seen.transcript());
            let cut = crate::report::shorten(&text, self.limits().report_body);
            record.body_truncated |= cut.len() != text.len();
            record.body = cut;
        }
        let mut assertions = self
            .assess(&s.expect, &response, scope, tap)
            .await
            .map_err(|e| missed(Some(record.clone()), Some(lesson_bug(e)), vec![]))?;
        assertions.extend(
            evaluate(s, &seen, scope)
                .map_err(|e| missed(Some(record.clone()), Some(lesson_bug(e)), vec![]))?,
        );
        if let Some(d) = &s.disconnect
            && seen.end == End::Left
        {
            let before = self
                .counters()
                .await
                .map_err(|why| missed(Some(record.clone()), Some(why), vec![]))?;
            drop(body); // Closes the connection: the client has left.
            let wait = Duration::from_millis(d.wait_ms);
            tokio::time::sleep(wait).await;
            let after = self
                .counters()
                .await
                .map_err(|why| missed(Some(record.clone()), Some(why), vec![]))?;
            let during = format!("in the {} after the client left", duration(wait));
            assertions.extend(
                super::counters::evaluate(&d.counters, &before, &after, None, scope, &during)
                    .map_err(|e| missed(Some(record.clone()), Some(lesson_bug(e)), vec![]))?,
            );
        }
        let failed: Vec<Assertion> = assertions.into_iter().filter(|a| !a.passed).collect();
        if failed.is_empty() {
            Ok(())
        } else {
            Err(missed(Some(record), None, failed))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ms(n: u64) -> Duration {
        Duration::from_millis(n)
    }

    fn parse(chunks: &[&str]) -> Vec<Received> {
        let mut p = Parser::default();
        chunks
            .iter()
            .flat_map(|c| p.feed(c.as_bytes(), ms(0)))
            .map(|a| a.what)
            .collect()
    }

    fn ev(name: &str, data: &str) -> Received {
        Received::Event {
            name: name.into(),
            data: data.into(),
        }
    }

    #[test]
    fn the_wire_format_is_read_as_event_source_reads_it() {
        // Split anywhere, any line ending; one leading space stripped; data lines joined.
        assert_eq!(
            parse(&[
                "event: message\r\ndata:  quick\r",
                "\n\r\nda",
                "ta: a\ndata:b\n\n"
            ]),
            [ev("message", " quick"), ev("message", "a\nb")]
        );
        // No `event:` is a message; an empty data line is an event with empty data.
        assert_eq!(
            parse(&["data: x\n\nevent: done\ndata: \n\n"]),
            [ev("message", "x"), ev("done", "")]
        );
        // A comment is kept (keep-alive); a block without data is not dispatched.
        assert_eq!(
            parse(&[":\n\n: ping\nevent: done\n\n"]),
            [
                Received::Comment(String::new()),
                Received::Comment("ping".into()),
                Received::Undispatched {
                    name: "done".into()
                }
            ]
        );
        // An incomplete block is not an event yet.
        assert_eq!(parse(&["data: half"]), []);
    }

    fn stream(toml_text: &str) -> EventStream {
        toml::from_str(&format!("request = {{ path = '/stream' }}\n{toml_text}")).unwrap()
    }

    fn seen(events: &[(u64, &str, &str)], end: End) -> Seen {
        Seen {
            head: ms(5),
            arrivals: events
                .iter()
                .map(|(at, name, data)| Arrival {
                    at: ms(*at),
                    what: if name.starts_with(':') {
                        Received::Comment(String::new())
                    } else {
                        ev(name, data)
                    },
                })
                .collect(),
            total: ms(events.last().map_or(5, |e| e.0) + 1),
            end,
            bytes: 1,
        }
    }

    fn failures(s: &EventStream, seen: &Seen) -> Vec<String> {
        evaluate(s, seen, &Scope::default())
            .unwrap()
            .into_iter()
            .filter(|a| !a.passed)
            .map(|a| format!("{}: {}", a.subject, a.actual))
            .collect()
    }

    const TOKENS: &str = "each = { event = 'message' }\nlast = { event = 'done', data = '' }\ntext = 'the quick fox'\nfirst_before = 0.5";

    #[test]
    fn events_as_produced_then_done_pass() {
        let s = stream(TOKENS);
        let good = seen(
            &[
                (100, "message", "the"),
                (200, "message", " quick"),
                (300, "message", " fox"),
                (301, "done", ""),
            ],
            End::Closed,
        );
        assert!(failures(&s, &good).is_empty(), "{:?}", failures(&s, &good));
    }

    #[test]
    fn a_buffered_stream_is_named_with_its_times() {
        let s = stream(TOKENS);
        let buffered = seen(
            &[
                (300, "message", "the"),
                (300, "message", " quick"),
                (300, "message", " fox"),
                (301, "done", ""),
            ],
            End::Closed,
        );
        assert_eq!(
            failures(&s, &buffered),
            [
                "the first event: after 300 ms, with the last (301 ms): the stream is buffered; send each event as it is produced"
            ]
        );
    }

    #[test]
    fn a_missing_done_a_wrong_type_and_lost_spaces_are_each_named() {
        let s = stream(TOKENS);
        let no_done = seen(
            &[
                (100, "message", "the"),
                (200, "message", " quick"),
                (300, "message", " fox"),
            ],
            End::Closed,
        );
        let f = failures(&s, &no_done);
        assert!(
            f.contains(&"the last event's type: `message`".to_string()),
            "{f:?}"
        );
        let trimmed = seen(
            &[
                (100, "token", "the"),
                (200, "token", "quick"),
                (300, "done", ""),
            ],
            End::Closed,
        );
        let f = failures(&s, &trimmed);
        assert_eq!(f[0], "event 1's type: `token`");
        assert!(
            f[1].starts_with("the data of the events before the last, joined: \"thequick\""),
            "{f:?}"
        );
    }

    #[test]
    fn a_last_event_without_data_is_named_as_never_dispatched() {
        let s = stream("last = { event = 'done' }");
        let mut empty_done = seen(&[(100, "message", "the")], End::Closed);
        empty_done.arrivals.push(Arrival {
            at: ms(101),
            what: Received::Undispatched {
                name: "done".into(),
            },
        });
        assert_eq!(
            failures(&s, &empty_done),
            [
                "the last event's type: `message`; the `done` after it has no data: line, so EventSource never dispatches it: give it data"
            ]
        );
    }

    #[test]
    fn a_stream_that_never_ends_is_said_so() {
        let s = stream(TOKENS);
        let open = seen(&[(100, "message", "the")], End::TimedOut);
        let f = failures(&s, &open);
        assert_eq!(
            f,
            ["the stream: still open after 10.00 s: end the stream after its last event"]
        );
    }

    #[test]
    fn silence_longer_than_the_gap_is_caught_and_keep_alive_fills_it() {
        let s = stream("gap_ms = 1000");
        let silent = seen(&[(1500, "message", "x"), (1600, "done", "")], End::Closed);
        assert_eq!(
            failures(&s, &silent),
            [
                "the longest silence: 1.50 s with nothing sent (0.01 s to 1.50 s): a proxy closes a connection that stays silent; send keep-alive comments"
            ]
        );
        let kept = seen(
            &[
                (500, ":", ""),
                (1000, ":", ""),
                (1500, "message", "x"),
                (1600, "done", ""),
            ],
            End::Closed,
        );
        assert!(failures(&s, &kept).is_empty());
    }

    #[test]
    fn json_data_is_read_by_pointer() {
        let s = stream("each = { json = { '/token' = { type = 'string' } } }");
        let good = seen(
            &[(1, "message", r#"{"token":"a"}"#), (2, "done", "")],
            End::Closed,
        );
        assert!(failures(&s, &good).is_empty());
        let plain = seen(&[(1, "message", "a"), (2, "done", "")], End::Closed);
        assert_eq!(
            failures(&s, &plain),
            ["event 1's data at JSON /token: \"a\""]
        );
    }
}
