//! Lesson 2: REST resources and meaningful status codes. A solution.

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

/// A stored user. The password is kept here, and only here.
#[derive(Debug, Clone)]
struct User {
    id: String,
    email: String,
    name: String,
    #[allow(dead_code)] // a real service would store a hash and check it at login
    password: String,
}

/// What every endpoint answers about a user: never the password.
#[derive(Debug, Serialize)]
struct UserResponse {
    id: String,
    email: String,
    name: String,
}

impl From<&User> for UserResponse {
    fn from(u: &User) -> Self {
        UserResponse {
            id: u.id.clone(),
            email: u.email.clone(),
            name: u.name.clone(),
        }
    }
}

/// The one error body of this API: {"error": "<code>", "message": "<for humans>"}.
#[derive(Debug, Serialize)]
struct ErrorBody {
    error: String,
    message: String,
}

fn error(status: StatusCode, code: &str, message: impl Into<String>) -> Response {
    let body = ErrorBody {
        error: code.into(),
        message: message.into(),
    };
    (status, Json(body)).into_response()
}

/// Shared state: the users, by id, and a counter for new ids.
#[derive(Clone, Default)]
struct AppState {
    users: Arc<Mutex<HashMap<String, User>>>,
    next_id: Arc<Mutex<u64>>,
}

fn app() -> Router {
    Router::new()
        .route("/users", get(list_users).post(create_user))
        .route("/users/{id}", get(get_user))
        .with_state(AppState::default())
}

async fn create_user(State(state): State<AppState>, Json(req): Json<CreateUser>) -> Response {
    // Check and insert under one lock, so two requests cannot both take the email.
    let mut users = state.users.lock().expect("users lock");
    if users.values().any(|u| u.email == req.email) {
        return error(StatusCode::CONFLICT, "conflict", format!("a user with email {} already exists", req.email));
    }
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
    let body = UserResponse::from(&user);
    users.insert(id.clone(), user);
    (StatusCode::CREATED, [(header::LOCATION, format!("/users/{id}"))], Json(body)).into_response()
}

async fn get_user(State(state): State<AppState>, Path(id): Path<String>) -> Response {
    let users = state.users.lock().expect("users lock");
    match users.get(&id) {
        Some(user) => Json(UserResponse::from(user)).into_response(),
        None => error(StatusCode::NOT_FOUND, "not_found", format!("no user with id {id}")),
    }
}

async fn list_users(State(state): State<AppState>) -> Json<Vec<UserResponse>> {
    let users = state.users.lock().expect("users lock");
    Json(users.values().map(UserResponse::from).collect())
}

fn main() {
    kit::serve(app());
}
