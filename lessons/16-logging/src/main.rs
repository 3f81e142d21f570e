//! Lesson 16: logs that tell the story.
//!
//! This API works, but its logs tell nothing an operator can use: plain text,
//! no line per request, no request id, a password in a log line, and the
//! image service's failure sent to the client instead of the log. Make the
//! logs useful (see README.md).

use std::collections::HashMap;
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

#[derive(Serialize)]
struct ErrorBody {
    error: &'static str,
    message: String,
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
    let invalid = |message| error(StatusCode::UNPROCESSABLE_ENTITY, "validation", message);
    let Json(new) = body.map_err(|e| invalid(e.body_text()))?;
    new.validate().map_err(|report| invalid(report.to_string()))?;
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
    (status, Json(ErrorBody { error, message }))
}

fn main() {
    kit::serve(app());
}
