//! The HTTP check engine: the vocabulary written in `lesson.toml` ([`model`]),
//! `{{templates}}` ([`template`]), pure evaluation of a recorded response
//! ([`eval`]) and the executor that sends requests ([`exec`]).
//! It knows nothing of cargo, processes or the TUI: it grades whatever listens on a port.

pub mod eval;
pub mod exec;
pub mod model;
pub mod template;
