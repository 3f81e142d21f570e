//! The check engine: the vocabulary written in `lesson.toml` ([`model`]),
//! `{{templates}}` ([`template`]), and one home per check kind: requests
//! (pure evaluation of a recorded response in [`eval`], the executor that
//! sends them in [`exec`], polling with `eventually`, structured logs in
//! [`logs`]), requests sent at once
//! ([`concurrency`]), counters of the layer under the server ([`counters`]),
//! streams of server-sent events ([`stream`]), the server's OpenAPI document
//! held against its responses ([`openapi`]), starts of the server ([`start`])
//! and the learner's own tests against the lesson's mutants ([`learner_tests`]).
//! It knows nothing of cargo, processes or the TUI: it grades whatever listens on a port.

pub mod concurrency;
pub mod counters;
pub mod eval;
pub mod exec;
pub mod learner_tests;
pub mod logs;
pub mod model;
pub mod openapi;
pub mod start;
pub mod stream;
pub mod template;
