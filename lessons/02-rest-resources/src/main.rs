//! Lesson 2: REST resources and meaningful status codes.
//! Read README.md in this folder, then make `apilings check 02` pass.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use axum::Router;
use axum::http::StatusCode;
use axum::routing::{get, post};
use serde::{Deserialize, Serialize};

/// What a client sends to create a user.
#[derive(Debug, Deserialize)]
#[allow(dead_code)] // used once you write create_user
struct CreateUser {
    email: String,
    name: String,
    password: String,
}

/// A stored user. The password is kept here, and only here.
#[derive(Debug, Clone)]
#[allow(dead_code)]
struct User {
    id: String,
    email: String,
    name: String,
    password: String,
}

/// What every endpoint answers about a user: never the password.
#[derive(Debug, Serialize)]
#[allow(dead_code)]
struct UserResponse {
    id: String,
    email: String,
    name: String,
}

/// The one error body of this API: {"error": "<code>", "message": "<for humans>"}.
#[derive(Debug, Serialize)]
#[allow(dead_code)]
struct ErrorBody {
    error: String,
    message: String,
}

/// Shared state: the users, by id, and a counter for new ids.
#[derive(Clone, Default)]
#[allow(dead_code)]
struct AppState {
    users: Arc<Mutex<HashMap<String, User>>>,
    next_id: Arc<Mutex<u64>>,
}

fn app() -> Router {
    Router::new()
        // TODO: GET /users lists the users, next to POST.
        .route("/users", post(create_user))
        .route("/users/{id}", get(get_user))
        .with_state(AppState::default())
}

// TODO: store the user and answer 201 Created with a Location header
// (/users/<id>) and the UserResponse; 409 Conflict when the email is taken.
async fn create_user() -> StatusCode {
    StatusCode::NOT_IMPLEMENTED
}

// TODO: answer 200 with the UserResponse, or 404 with an ErrorBody.
async fn get_user() -> StatusCode {
    StatusCode::NOT_IMPLEMENTED
}

fn main() {
    kit::serve(app());
}
