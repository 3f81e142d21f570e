//! apilings: a terminal kata workbook for production-ready HTTP backends in axum.
//!
//! Layers, each depending only on those after it:
//! [`tui`] → `session` → {[`lessons`], [`workspace`], [`runner`], [`checks`]} → [`report`].
//! The binary (`src/main.rs`, `src/cli.rs`) is glue on top. See `docs/architecture.md`.

#![deny(missing_docs)]

pub mod checks;
pub mod lessons;
pub mod report;
pub mod runner;
pub mod session;
pub mod tui;
pub mod workspace;
