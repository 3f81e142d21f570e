//! Lesson 3: validating every input, with one consistent error body.
//! Read README.md in this folder, then make `apilings check 03` pass.

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

use axum::extract::State;
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::post;
use axum::{Json, Router};
use serde::{Deserialize, Serialize};

/// What a client sends to create a user.
// TODO: refuse unknown fields, and validate: email is an email,
// name is 1 to 100 characters, password at least 8.
#[derive(Debug, Deserialize)]
struct CreateUser {
    email: String,
    name: String,
    #[allow(dead_code)] // stored (hashed) by a real service
    password: String,
}

/// What every endpoint answers about a user.
#[derive(Debug, Serialize)]
struct UserResponse {
    id: String,
    email: String,
    name: String,
}

// TODO: one error type for the whole API, answered as
// {"error": "<code>", "message": "<for humans>", "fields": {"<field>": "<reason>"}}
// with status 400 for every bad input ("validation_failed" or "invalid_json").

#[derive(Clone, Default)]
struct AppState {
    next_id: Arc<AtomicU64>,
}

fn app() -> Router {
    Router::new()
        .route("/users", post(create_user))
        .with_state(AppState::default())
}

// TODO: take the body through an extractor that validates it, so a handler
// never sees invalid input.
async fn create_user(State(state): State<AppState>, Json(req): Json<CreateUser>) -> Response {
    let id = format!("u{}", state.next_id.fetch_add(1, Ordering::Relaxed) + 1);
    let body = UserResponse {
        id: id.clone(),
        email: req.email,
        name: req.name,
    };
    (StatusCode::CREATED, [(header::LOCATION, format!("/users/{id}"))], Json(body)).into_response()
}

fn main() {
    kit::serve(app());
}
