//! Lesson 11: async safety — blocking calls leave the runtime's worker threads.
//! Read README.md in this folder, then make `apilings check 11` pass.

use axum::extract::Path;
use axum::http::StatusCode;
use axum::routing::{get, post};
use axum::{Json, Router};
use serde::{Deserialize, Serialize};

/// What clients see of a profile.
#[derive(Debug, Serialize)]
struct ProfileResponse {
    id: u32,
    name: String,
    plan: String,
}

#[derive(Debug, Deserialize)]
#[allow(dead_code)]
struct Login {
    user: String,
    password: String,
}

#[derive(Debug, Serialize)]
struct LoggedIn {
    user: String,
}

fn app() -> Router {
    Router::new()
        .route("/health", get(|| async { "ok" }))
        .route("/profiles/{id}", get(get_profile))
        .route("/login", post(login))
}

// TODO: answer the profile from `kit::legacy::fetch_profile(id)` (404 when it
// returns None), without blocking the runtime: it holds its thread for 200 ms.
async fn get_profile(Path(_id): Path<u32>) -> Result<Json<ProfileResponse>, StatusCode> {
    Err(StatusCode::NOT_IMPLEMENTED)
}

// TODO: 200 with {"user": …} when `kit::legacy::verify_password(user, password)`
// says yes, 401 when it says no, without blocking the runtime: it holds its
// thread for 150 ms.
async fn login(Json(_body): Json<Login>) -> Result<Json<LoggedIn>, StatusCode> {
    Err(StatusCode::NOT_IMPLEMENTED)
}

fn main() {
    kit::serve(app());
}
