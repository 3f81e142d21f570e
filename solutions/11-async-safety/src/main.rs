//! Lesson 11: async safety — blocking calls leave the runtime's worker threads.
//! A solution.

use axum::extract::Path;
use axum::http::StatusCode;
use axum::routing::{get, post};
use axum::{Json, Router};
use serde::{Deserialize, Serialize};
use tokio::task::spawn_blocking;

/// What clients see of a profile.
#[derive(Debug, Serialize)]
struct ProfileResponse {
    id: u32,
    name: String,
    plan: String,
}

#[derive(Debug, Deserialize)]
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

/// The CRM's client blocks: it runs on tokio's blocking pool, and the worker
/// threads stay free for every other request meanwhile.
async fn get_profile(Path(id): Path<u32>) -> Result<Json<ProfileResponse>, StatusCode> {
    let found = spawn_blocking(move || kit::legacy::fetch_profile(id))
        .await
        .map_err(|_| StatusCode::INTERNAL_SERVER_ERROR)?;
    let profile = found.ok_or(StatusCode::NOT_FOUND)?;
    Ok(Json(ProfileResponse {
        id: profile.id,
        name: profile.name,
        plan: profile.plan,
    }))
}

/// Hashing is slow on purpose: it leaves the runtime too.
async fn login(Json(body): Json<Login>) -> Result<Json<LoggedIn>, StatusCode> {
    let Login { user, password } = body;
    let checked = user.clone();
    let valid = spawn_blocking(move || kit::legacy::verify_password(&checked, &password))
        .await
        .map_err(|_| StatusCode::INTERNAL_SERVER_ERROR)?;
    if valid {
        Ok(Json(LoggedIn { user }))
    } else {
        Err(StatusCode::UNAUTHORIZED)
    }
}

fn main() {
    kit::serve(app());
}
