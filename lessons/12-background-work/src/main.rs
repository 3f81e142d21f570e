//! Lesson 12: background work — answer 202 at once, do the work afterwards,
//! and record how it ended.
//! Read README.md in this folder, then make `apilings check 12` pass.

use std::collections::HashMap;
use std::sync::atomic::AtomicU64;
use std::sync::{Arc, Mutex};

use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::IntoResponse;
use axum::routing::{get, post};
use axum::{Json, Router};
use serde::{Deserialize, Serialize};

#[derive(Debug, Deserialize)]
#[allow(dead_code)]
struct NewReport {
    kind: String,
}

/// A report as clients see it: `pending` until the work ends, then `done`
/// with its result or `failed` with why.
#[derive(Debug, Clone, Serialize)]
#[allow(dead_code)]
struct Report {
    id: u64,
    status: Status,
    #[serde(skip_serializing_if = "Option::is_none")]
    result: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    error: Option<String>,
}

#[derive(Debug, Clone, Copy, Serialize)]
#[serde(rename_all = "lowercase")]
#[allow(dead_code)]
enum Status {
    Pending,
    Done,
    Failed,
}

#[derive(Clone, Default)]
#[allow(dead_code)]
struct AppState {
    next_id: Arc<AtomicU64>,
    reports: Arc<Mutex<HashMap<u64, Report>>>,
}

fn app() -> Router {
    Router::new()
        .route("/health", get(|| async { "ok" }))
        .route("/reports", post(create_report))
        .route("/reports/{id}", get(get_report))
        .with_state(AppState::default())
}

// TODO: record a pending report, start `kit::reports::render(&kind)` in the
// background (it takes 500 ms), and answer 202 with a Location at once.
async fn create_report(State(_state): State<AppState>, Json(_new): Json<NewReport>) -> impl IntoResponse {
    StatusCode::NOT_IMPLEMENTED
}

// TODO: the report as it is now, or 404.
async fn get_report(State(_state): State<AppState>, Path(_id): Path<u64>) -> Result<Json<Report>, StatusCode> {
    Err(StatusCode::NOT_IMPLEMENTED)
}

fn main() {
    kit::serve(app());
}
