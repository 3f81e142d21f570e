//! The `concurrency` check kind: the same slow request sent once alone, then
//! `at_once` times at the same moment; together they must take at most
//! `within` times as long as one alone. A `meanwhile` request sent while they
//! are in flight must answer within a fraction of one alone. A handler that
//! blocks the runtime's worker threads (a synchronous call, a sleep, heavy
//! work) makes the requests queue two at a time on the kit's two workers, and
//! every other request with them. Times are only ever compared with one
//! measured in the same run, and the slowness the lessons grade is a sleep, so
//! a loaded machine moves both sides alike; a burst that misses is sent once
//! more, so what warms lazily is judged warm. Its model is [`Concurrency`];
//! [`evaluate`] is pure; the executor runs it after the item's steps.

use std::time::{Duration, Instant};

use super::exec::{Executor, Missed, ServerTap};
use super::model::{Concurrency, Expect, Request};
use super::template::{Scope, lesson_bug};
use crate::report::view::duration;
use crate::report::{Assertion, RequestRecord};

/// What opening `at_once` connections may cost on top, on a loaded machine,
/// so that a fast handler is never failed on noise.
pub const SLACK: Duration = Duration::from_millis(50);

/// The times a run measured.
#[derive(Debug, Clone, Copy)]
pub struct Timings {
    /// One request alone, from sending to the end of its body.
    pub alone: Duration,
    /// All `at_once` of them, from sending the first to the end of the last.
    pub together: Duration,
    /// The `meanwhile` request's own time, when there is one.
    pub meanwhile: Option<Duration>,
}

/// The timing assertions of `c` on `t`; `meanwhile` names its request (`GET /health`).
pub fn evaluate(c: &Concurrency, t: &Timings, meanwhile: &str) -> Vec<Assertion> {
    let n = c.at_once;
    let mut out = Vec::new();
    if let Some(within) = c.within {
        let bound = t.alone.mul_f64(within) + SLACK;
        // How many ran at a time, as the numbers show it: n alone-times in `together`.
        let parallel = n as f64 * t.alone.as_secs_f64() / t.together.as_secs_f64().max(1e-6);
        out.push(Assertion {
            subject: format!("{n} requests at once"),
            expected: format!(
                "take at most {within}× one alone, plus {} ({})",
                duration(SLACK),
                duration(bound)
            ),
            actual: if t.together <= bound {
                format!(
                    "{}; one alone took {}",
                    duration(t.together),
                    duration(t.alone)
                )
            } else {
                format!(
                    "{}; one alone took {}: they ran about {:.0} at a time, not all at once. Something in the handler blocks the runtime's worker threads",
                    duration(t.together),
                    duration(t.alone),
                    parallel.max(1.0)
                )
            },
            passed: t.together <= bound,
        });
    }
    if let (Some(m), Some(took)) = (&c.meanwhile, t.meanwhile) {
        let bound = t.alone.mul_f64(m.within) + SLACK / 2;
        out.push(Assertion {
            subject: format!("{meanwhile} while {n} slow requests ran"),
            expected: format!(
                "answers within {}× one slow request alone, plus {} ({})",
                m.within,
                duration(SLACK / 2),
                duration(bound)
            ),
            actual: if took <= bound {
                duration(took)
            } else {
                format!(
                    "{}: it waited for a worker thread that the slow requests held",
                    duration(took)
                )
            },
            passed: took <= bound,
        });
    }
    out
}

impl Executor {
    /// Runs `c` after an item's steps; `Err` is how it missed.
    pub(super) async fn run_concurrency(
        &self,
        c: &Concurrency,
        scope: &Scope,
        tap: &dyn ServerTap,
    ) -> Result<(), Box<Missed>> {
        let request = self.render(&c.request, scope)?;
        // One alone: its time is what the others are measured against.
        let alone = self.timed(&request, &c.expect, scope, tap).await?;
        let meanwhile = match &c.meanwhile {
            Some(m) => Some((self.render(&m.request, scope)?, &m.expect)),
            None => None,
        };
        let label = meanwhile
            .as_ref()
            .map(|(r, _)| format!("{} {}", r.method, path_of(&r.url)))
            .unwrap_or_default();
        let missed = |t: &Timings| -> Vec<Assertion> {
            evaluate(c, t, &label)
                .into_iter()
                .filter(|a| !a.passed)
                .collect()
        };
        let meanwhile = meanwhile.as_ref().map(|(r, e)| (r, *e));
        let first = self
            .burst(c, &request, meanwhile, alone, scope, tap)
            .await?;
        if missed(&first).is_empty() {
            return Ok(());
        }
        // A miss is sent once more: what grows lazily under load (a pool
        // opening its connections, a cache) is judged warm, while a blocked
        // runtime or a lock is as slow the second time.
        let second = self
            .burst(c, &request, meanwhile, alone, scope, tap)
            .await?;
        let failed = missed(&second);
        if failed.is_empty() {
            return Ok(());
        }
        Err(Missed::new(request, None, None, failed))
    }

    /// `at_once` requests sent together, with the `meanwhile` one among them.
    async fn burst(
        &self,
        c: &Concurrency,
        request: &RequestRecord,
        meanwhile: Option<(&RequestRecord, &Expect)>,
        alone: Duration,
        scope: &Scope,
        tap: &dyn ServerTap,
    ) -> Result<Timings, Box<Missed>> {
        let started = Instant::now();
        let burst = async {
            let all = (0..c.at_once).map(|_| self.timed(request, &c.expect, scope, tap));
            let done = futures_util::future::join_all(all).await;
            (done, started.elapsed())
        };
        let fast = async {
            let (fast, expect) = meanwhile?;
            // Sent once the slow ones are in their handlers (loopback connects in
            // about a millisecond), early enough that a blocked runtime makes it
            // wait nearly a whole slow request.
            tokio::time::sleep(alone / 8).await;
            Some(self.timed(fast, expect, scope, tap).await)
        };
        let ((burst, together), fast) = tokio::join!(burst, fast);
        for one in burst {
            one?;
        }
        Ok(Timings {
            alone,
            together,
            meanwhile: fast.transpose()?,
        })
    }
    fn render(&self, r: &Request, scope: &Scope) -> Result<RequestRecord, Box<Missed>> {
        self.render_request(r, scope).map_err(Missed::unrendered)
    }

    /// Sends `request`, checks `expect` on its response, and says how long it took.
    async fn timed(
        &self,
        request: &RequestRecord,
        expect: &Expect,
        scope: &Scope,
        tap: &dyn ServerTap,
    ) -> Result<Duration, Box<Missed>> {
        let missed =
            |response, error, assertions| Missed::new(request.clone(), response, error, assertions);
        let response = self
            .send(request)
            .await
            .map_err(|why| missed(None, Some(why), vec![]))?;
        let assertions = self
            .assess(expect, &response, scope, tap)
            .await
            .map_err(|e| missed(Some(self.record(&response)), Some(lesson_bug(e)), vec![]))?;
        let failed: Vec<_> = assertions.into_iter().filter(|a| !a.passed).collect();
        if !failed.is_empty() {
            return Err(missed(Some(self.record(&response)), None, failed));
        }
        Ok(response.elapsed)
    }
}

/// `/health` of `http://127.0.0.1:4000/health`.
fn path_of(url: &str) -> &str {
    url.split_once("://")
        .and_then(|(_, rest)| rest.find('/').map(|i| &rest[i..]))
        .unwrap_or(url)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn concurrency(toml_text: &str) -> Concurrency {
        toml::from_str(toml_text).unwrap()
    }

    fn failures(c: &Concurrency, alone: u64, together: u64, meanwhile: Option<u64>) -> Vec<String> {
        let t = Timings {
            alone: Duration::from_millis(alone),
            together: Duration::from_millis(together),
            meanwhile: meanwhile.map(Duration::from_millis),
        };
        evaluate(c, &t, "GET /health")
            .into_iter()
            .filter(|a| !a.passed)
            .map(|a| format!("{}: {}", a.subject, a.actual))
            .collect()
    }

    #[test]
    fn requests_that_queue_on_two_workers_are_caught_in_plain_numbers() {
        let c = concurrency(
            "request = { path = '/slow' }\nat_once = 8\nwithin = 2.0\nmeanwhile = { request = { path = '/health' }, within = 0.5 }",
        );
        // All at once: about one alone.
        assert!(failures(&c, 200, 230, Some(3)).is_empty());
        // Up to the bound (2 × 200 ms + 50 ms) included.
        assert!(failures(&c, 200, 450, Some(125)).is_empty());
        // Two at a time on two blocked workers: four rounds of 200 ms.
        assert_eq!(
            failures(&c, 200, 810, Some(410)),
            [
                "8 requests at once: 810 ms; one alone took 200 ms: they ran about 2 at a time, not all at once. Something in the handler blocks the runtime's worker threads",
                "GET /health while 8 slow requests ran: 410 ms: it waited for a worker thread that the slow requests held"
            ]
        );
        // One at a time (a lock held across the slow call).
        assert!(failures(&c, 200, 1610, None)[0].contains("about 1 at a time"));
    }

    #[test]
    fn a_fast_handler_is_not_failed_on_noise() {
        let c = concurrency("request = { path = '/fast' }\nat_once = 8\nwithin = 2.0");
        // 1 ms alone, 30 ms for eight connections on a loaded machine: within the slack.
        assert!(failures(&c, 1, 30, None).is_empty());
    }

    #[test]
    fn the_path_is_named_without_the_origin() {
        assert_eq!(path_of("http://127.0.0.1:4000/health?x=1"), "/health?x=1");
    }
}
