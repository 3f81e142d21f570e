//! Lesson 4: separate Create, Update and Response models.
//! Read README.md in this folder, then make `apilings check 04` pass.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use axum::extract::{Path, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::{Json, Router};
use serde::{Deserialize, Serialize};

/// What a client sends to create a user.
#[derive(Debug, Deserialize)]
struct CreateUser {
    email: String,
    name: String,
    password: String,
}

// TODO: an Update model (which fields may change, all optional, nothing else
// accepted) and a Response model (what clients may see: never the password).

/// A stored user.
// TODO: this one struct is used for everything, so every answer leaks the password.
#[derive(Debug, Clone, Serialize)]
struct User {
    id: String,
    email: String,
    name: String,
    password: String,
}

/// The one error body of this API.
#[derive(Debug, Serialize)]
#[allow(dead_code)] // used once you answer 404
struct ErrorBody {
    error: String,
    message: String,
}

#[derive(Clone, Default)]
struct AppState {
    users: Arc<Mutex<HashMap<String, User>>>,
    next_id: Arc<Mutex<u64>>,
}

fn app() -> Router {
    Router::new()
        .route("/users", axum::routing::post(create_user))
        .route("/users/{id}", get(get_user).patch(update_user))
        .with_state(AppState::default())
}

async fn create_user(State(state): State<AppState>, Json(req): Json<CreateUser>) -> Response {
    let id = {
        let mut next = state.next_id.lock().expect("id lock");
        *next += 1;
        format!("u{next}")
    };
    let user = User {
        id: id.clone(),
        email: req.email,
        name: req.name,
        password: req.password,
    };
    state.users.lock().expect("users lock").insert(id.clone(), user.clone());
    (StatusCode::CREATED, [(header::LOCATION, format!("/users/{id}"))], Json(user)).into_response()
}

async fn get_user(State(state): State<AppState>, Path(id): Path<String>) -> Response {
    match state.users.lock().expect("users lock").get(&id) {
        Some(user) => Json(user.clone()).into_response(),
        None => StatusCode::NOT_FOUND.into_response(),
    }
}

// TODO: apply only the fields sent, answer the Response model, 404 when unknown.
async fn update_user() -> StatusCode {
    StatusCode::NOT_IMPLEMENTED
}

fn main() {
    kit::serve(app());
}
