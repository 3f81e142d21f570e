//! Lesson 4: separate Create, Update and Response models. A solution.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use axum::extract::{Path, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use serde::{Deserialize, Serialize};

/// What a client sends to create a user.
#[derive(Debug, Deserialize)]
struct CreateUser {
    email: String,
    name: String,
    password: String,
}

/// What a client may change: every field optional, nothing else accepted.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct UpdateUser {
    email: Option<String>,
    name: Option<String>,
}

/// What clients see of a user: never the password.
#[derive(Debug, Serialize)]
struct UserResponse {
    id: String,
    email: String,
    name: String,
}

/// A stored user: not serializable, so it cannot be answered by mistake.
#[derive(Debug, Clone)]
struct User {
    id: String,
    email: String,
    name: String,
    #[allow(dead_code)] // a real service stores a hash and checks it at login
    password: String,
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

/// The one error body of this API.
#[derive(Debug, Serialize)]
struct ErrorBody {
    error: String,
    message: String,
}

fn not_found(id: &str) -> Response {
    let body = ErrorBody {
        error: "not_found".into(),
        message: format!("no user with id {id}"),
    };
    (StatusCode::NOT_FOUND, Json(body)).into_response()
}

#[derive(Clone, Default)]
struct AppState {
    users: Arc<Mutex<HashMap<String, User>>>,
    next_id: Arc<Mutex<u64>>,
}

fn app() -> Router {
    Router::new()
        .route("/users", post(create_user))
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
    let body = UserResponse::from(&user);
    state.users.lock().expect("users lock").insert(id.clone(), user);
    (StatusCode::CREATED, [(header::LOCATION, format!("/users/{id}"))], Json(body)).into_response()
}

async fn get_user(State(state): State<AppState>, Path(id): Path<String>) -> Response {
    match state.users.lock().expect("users lock").get(&id) {
        Some(user) => Json(UserResponse::from(user)).into_response(),
        None => not_found(&id),
    }
}

async fn update_user(
    State(state): State<AppState>,
    Path(id): Path<String>,
    Json(req): Json<UpdateUser>,
) -> Response {
    let mut users = state.users.lock().expect("users lock");
    let Some(user) = users.get_mut(&id) else {
        return not_found(&id);
    };
    if let Some(email) = req.email {
        user.email = email;
    }
    if let Some(name) = req.name {
        user.name = name;
    }
    Json(UserResponse::from(&*user)).into_response()
}

fn main() {
    kit::serve(app());
}
