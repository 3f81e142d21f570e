//! Lesson 6: domain errors mapped once.
//! Read README.md in this folder, then make `apilings check 06` pass.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::{Json, Router};
use serde::{Deserialize, Serialize};

#[derive(Debug, Deserialize)]
struct CreateUser {
    email: String,
    name: String,
}

#[derive(Debug, Clone, Serialize)]
struct UserResponse {
    id: String,
    email: String,
    name: String,
}

/// What the store can fail with. Handlers should not decide statuses from it one by one.
#[derive(Debug)]
enum StoreError {
    NotFound(String),
    Duplicate(String),
    Unavailable(String),
}

impl std::fmt::Display for StoreError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            StoreError::NotFound(id) => write!(f, "no user with id {id}"),
            StoreError::Duplicate(email) => write!(f, "a user with email {email} already exists"),
            StoreError::Unavailable(detail) => write!(f, "store unavailable: {detail}"),
        }
    }
}

#[derive(Clone, Default)]
struct Store {
    users: Arc<Mutex<HashMap<String, UserResponse>>>,
}

impl Store {
    fn create(&self, req: CreateUser) -> Result<UserResponse, StoreError> {
        let mut users = self.users.lock().expect("users lock");
        if users.values().any(|u| u.email == req.email) {
            return Err(StoreError::Duplicate(req.email));
        }
        let user = UserResponse { id: format!("u{}", users.len() + 1), email: req.email, name: req.name };
        users.insert(user.id.clone(), user.clone());
        Ok(user)
    }

    fn get(&self, id: &str) -> Result<UserResponse, StoreError> {
        let users = self.users.lock().expect("users lock");
        users.get(id).cloned().ok_or_else(|| StoreError::NotFound(id.to_string()))
    }

    /// The reporting database is down in this lesson, always.
    fn daily_report(&self) -> Result<String, StoreError> {
        Err(StoreError::Unavailable(
            "connection refused: postgres://report@10.0.0.5:5432/reports".into(),
        ))
    }
}

// TODO: one `ApiError` with `impl IntoResponse` and `impl From<StoreError>`, so every
// handler answers {"error": "<code>", "message": "<text>"} the same way, a 500
// never shows internal details, and unknown routes (404) and wrong methods (405)
// get the same body.

fn app() -> Router {
    Router::new()
        .route("/users", axum::routing::post(create_user))
        .route("/users/{id}", get(get_user))
        .route("/reports/daily", get(daily_report))
        .with_state(Store::default())
}

// Each handler maps errors its own way: the shapes drift, and the 500 leaks.
async fn create_user(State(store): State<Store>, Json(req): Json<CreateUser>) -> Response {
    match store.create(req) {
        Ok(user) => (StatusCode::CREATED, Json(user)).into_response(),
        Err(e) => (StatusCode::CONFLICT, e.to_string()).into_response(),
    }
}

async fn get_user(State(store): State<Store>, Path(id): Path<String>) -> Response {
    match store.get(&id) {
        Ok(user) => Json(user).into_response(),
        Err(_) => StatusCode::NOT_FOUND.into_response(),
    }
}

async fn daily_report(State(store): State<Store>) -> Response {
    match store.daily_report() {
        Ok(report) => report.into_response(),
        Err(e) => (StatusCode::INTERNAL_SERVER_ERROR, format!("error: {e}")).into_response(),
    }
}

fn main() {
    kit::serve(app());
}
