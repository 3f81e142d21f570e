//! Lesson 7: dependency injection — an API key and the current user, as extractors.
//! Read README.md in this folder, then make `apilings check 07` pass.

use std::sync::Arc;

use axum::http::StatusCode;
use axum::routing::get;
use axum::{Json, Router};
use serde::Serialize;

#[derive(Serialize)]
struct Project {
    id: u32,
    name: String,
}

#[derive(Serialize)]
#[allow(dead_code)] // answered by /me once you write it
struct Me {
    user_id: String,
}

/// Shared state. The key comes from the environment: the checks set `API_KEY`.
#[derive(Clone)]
#[allow(dead_code)] // read by your extractor
struct AppState {
    api_key: Arc<String>,
}

// TODO: an `ApiKey` extractor (401 unless `x-api-key` equals the key), a
// `CurrentUser` extractor built on it (401 unless `x-user-id` is present), and
// one JSON error body {"error": "unauthorized", "message": ...}.

fn app() -> Router {
    let api_key = std::env::var("API_KEY").unwrap_or_default();
    Router::new()
        .route("/health", get(|| async { "ok" }))
        .route("/projects", get(projects))
        .route("/me", get(me))
        .with_state(AppState { api_key: Arc::new(api_key) })
}

// Anyone can read the projects: nothing checks the key yet.
async fn projects() -> Json<Vec<Project>> {
    Json(vec![Project { id: 1, name: "apilings".into() }])
}

// TODO: answer {"user_id": "<x-user-id>"} for an authenticated caller.
async fn me() -> StatusCode {
    StatusCode::NOT_IMPLEMENTED
}

fn main() {
    kit::serve(app());
}
