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

// Every answer here is right. But `fetch_profile` holds its thread for 200 ms,
// and that thread is one of the runtime's two workers.
// TODO: keep the runtime's threads free while it runs.
async fn get_profile(Path(id): Path<u32>) -> Result<Json<ProfileResponse>, StatusCode> {
    let found = kit::legacy::fetch_profile(id);
    let profile = found.ok_or(StatusCode::NOT_FOUND)?;
    Ok(Json(ProfileResponse {
        id: profile.id,
        name: profile.name,
        plan: profile.plan,
    }))
}

// `verify_password` is a password hash: 150 ms of work on the calling thread.
// TODO: the same here.
async fn login(Json(body): Json<Login>) -> Result<Json<LoggedIn>, StatusCode> {
    let Login { user, password } = body;
    let checked = user.clone();
    let valid = kit::legacy::verify_password(&checked, &password);
    if valid {
        Ok(Json(LoggedIn { user }))
    } else {
        Err(StatusCode::UNAUTHORIZED)
    }
}

fn main() {
    kit::serve(app());
}
