//! Lesson 16: logs that tell the story.
//!
//! This API works, but its logs tell nothing an operator can use: plain text,
//! no line per request, no request id, a password in a log line, and the
//! image service's failure sent to the client instead of the log. Make the
//! logs useful (see README.md).

use std::collections::{BTreeMap, HashMap};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};

use axum::extract::rejection::JsonRejection;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::IntoResponse;
use axum::routing::{get, post};
use axum::{Json, Router};
use garde::Validate;
use serde::{Deserialize, Serialize};

#[derive(Deserialize, Validate)]
#[serde(deny_unknown_fields)]
struct NewUser {
    #[garde(length(chars, min = 1, max = 100))]
    name: String,
    #[garde(length(chars, min = 8))]
    password: String,
}

#[derive(Clone, Serialize)]
struct User {
    id: u64,
    name: String,
}

/// The pack's one error body (lesson 3): every bad input is a 400.
#[derive(Serialize)]
struct ErrorBody {
    error: &'static str,
    message: String,
    #[serde(skip_serializing_if = "BTreeMap::is_empty")]
    fields: BTreeMap<String, String>,
}

#[derive(Clone, Default)]
struct AppState {
    next_id: Arc<AtomicU64>,
    users: Arc<Mutex<HashMap<u64, User>>>,
}

fn app() -> Router {
    Router::new()
        .route("/health", get(|| async { "ok" }))
        .route("/users", post(create_user))
        .route("/users/{id}", get(get_user))
        .route("/users/{id}/avatar", get(get_avatar))
        .with_state(AppState::default())
}

async fn create_user(
    State(state): State<AppState>,
    body: Result<Json<NewUser>, JsonRejection>,
) -> Result<(StatusCode, Json<User>), (StatusCode, Json<ErrorBody>)> {
    let Json(new) = body.map_err(rejected)?;
    new.validate().map_err(invalid)?;
    let id = state.next_id.fetch_add(1, Ordering::Relaxed) + 1;
    let user = User { id, name: new.name };
    state.users.lock().unwrap_or_else(|e| e.into_inner()).insert(id, user.clone());
    tracing::info!("created user {} with password {}", id, new.password);
    Ok((StatusCode::CREATED, Json(user)))
}

async fn get_user(
    State(state): State<AppState>,
    Path(id): Path<u64>,
) -> Result<Json<User>, (StatusCode, Json<ErrorBody>)> {
    let users = state.users.lock().unwrap_or_else(|e| e.into_inner());
    let user = users.get(&id).cloned();
    user.map(Json).ok_or_else(|| error(StatusCode::NOT_FOUND, "not_found", format!("no user {id}")))
}

async fn get_avatar(Path(id): Path<u64>) -> impl IntoResponse {
    match kit::images::fetch_avatar(id).await {
        Ok(png) => ([("content-type", "image/png")], png).into_response(),
        Err(e) => error(StatusCode::BAD_GATEWAY, "upstream", e).into_response(),
    }
}

fn error(status: StatusCode, error: &'static str, message: String) -> (StatusCode, Json<ErrorBody>) {
    (status, Json(ErrorBody { error, message, fields: BTreeMap::new() }))
}

fn rejected(e: JsonRejection) -> (StatusCode, Json<ErrorBody>) {
    let code = match e {
        JsonRejection::JsonSyntaxError(_) | JsonRejection::MissingJsonContentType(_) => "invalid_json",
        _ => "validation_failed",
    };
    error(StatusCode::BAD_REQUEST, code, e.body_text())
}

fn invalid(report: garde::Report) -> (StatusCode, Json<ErrorBody>) {
    let fields = report.iter().map(|(path, e)| (path.to_string(), e.to_string())).collect();
    let message = "some fields are invalid".to_string();
    (StatusCode::BAD_REQUEST, Json(ErrorBody { error: "validation_failed", message, fields }))
}

fn main() {
    kit::serve(app());
}
