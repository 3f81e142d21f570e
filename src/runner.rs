//! Processes: building a lesson's crate with cargo and running its server.
//!
//! Every child runs in its own process group, owned by a guard that kills the
//! whole group when dropped, so a run that ends on any path (pass, fail, bound
//! hit, error, Ctrl-C, a newer save) leaves no process behind. Every wait has a bound.

pub mod build;
mod output;
mod process;
pub use process::release_guard;
pub mod server;
mod sockets;
pub mod tests;

pub use build::{BuildEvent, BuildOutcome, BuildSpec, build};
pub use output::OutputBuffer;
pub use server::{Server, ServerSpec, StartError, Tap, pick_port};
pub use tests::{TestOutput, run_tests};
