//! Lesson 12: background work — answer 202 at once, do the work afterwards,
//! and record how it ended.
//! Read README.md in this folder, then make `apilings check 12` pass.

use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};

use axum::extract::rejection::{JsonRejection, PathRejection};
use axum::extract::{Path, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use serde::{Deserialize, Serialize};

#[derive(Debug, Deserialize)]
struct NewReport {
    kind: String,
}

/// A report as clients see it: `pending` until the work ends, then `done`
/// with its result or `failed` with why.
#[derive(Debug, Clone, Serialize)]
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
enum Status {
    Pending,
    Done,
    Failed,
}

#[derive(Clone, Default)]
struct AppState {
    next_id: Arc<AtomicU64>,
    reports: Arc<Mutex<HashMap<u64, Report>>>,
}

impl AppState {
    fn save(&self, report: Report) {
        // A poisoned lock only means another request panicked: the map is still whole.
        let mut reports = self.reports.lock().unwrap_or_else(|e| e.into_inner());
        reports.insert(report.id, report);
    }
}

fn app() -> Router {
    Router::new()
        .route("/health", get(|| async { "ok" }))
        .route("/reports", post(create_report))
        .route("/reports/{id}", get(get_report))
        .with_state(AppState::default())
}

// The client waits the whole 500 ms for a report it will fetch later anyway.
// TODO: answer 202 at once and let the work run in the background.
async fn create_report(State(state): State<AppState>, body: Result<Json<NewReport>, JsonRejection>) -> Response {
    let new = match body {
        Ok(Json(new)) => new,
        Err(e) => return bad_json(e),
    };
    let id = state.next_id.fetch_add(1, Ordering::Relaxed) + 1;
    let pending = Report { id, status: Status::Pending, result: None, error: None };
    state.save(pending.clone());
    render(state, id, new.kind).await;
    (StatusCode::ACCEPTED, [(header::LOCATION, format!("/reports/{id}"))], Json(pending)).into_response()
}

// TODO: a render that fails must not leave its report pending forever.
async fn render(state: AppState, id: u64, kind: String) {
    if let Ok(result) = kit::reports::render(&kind).await {
        state.save(Report { id, status: Status::Done, result: Some(result), error: None });
    }
}

async fn get_report(State(state): State<AppState>, id: Result<Path<u64>, PathRejection>) -> Response {
    let Path(id) = match id {
        Ok(id) => id,
        Err(e) => return rejected(e, "validation_failed"),
    };
    let reports = state.reports.lock().unwrap_or_else(|e| e.into_inner());
    match reports.get(&id) {
        Some(report) => Json(report.clone()).into_response(),
        None => error(StatusCode::NOT_FOUND, "not_found", format!("no report {id}")),
    }
}

/// The API's one error body (lessons 3 and 6).
fn error(status: StatusCode, error: &'static str, message: String) -> Response {
    (status, Json(serde_json::json!({ "error": error, "message": message }))).into_response()
}

/// Bad input: 400 with the error body, whatever part of the request was wrong.
fn rejected(e: impl IntoResponse + std::fmt::Display, code: &'static str) -> Response {
    error(StatusCode::BAD_REQUEST, code, e.to_string())
}

fn bad_json(e: JsonRejection) -> Response {
    match e {
        JsonRejection::JsonSyntaxError(_) | JsonRejection::MissingJsonContentType(_) => rejected(e, "invalid_json"),
        _ => rejected(e, "validation_failed"),
    }
}

fn main() {
    kit::serve(app());
}
