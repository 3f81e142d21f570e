//! Lesson 5: typed path and query parameters, with bounds.
//! Read README.md in this folder, then make `apilings check 05` pass.

use std::sync::Arc;

use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::routing::get;
use axum::{Json, Router};
use serde::{Deserialize, Serialize};

/// What clients see of a user.
#[derive(Debug, Clone, Serialize)]
struct UserResponse {
    id: u64,
    name: String,
}

/// ?limit=&offset=
// TODO: defaults (limit 20, offset 0) and bounds (limit 1 to 100).
#[derive(Debug, Deserialize)]
#[allow(dead_code)]
struct Pagination {
    limit: Option<usize>,
    offset: Option<usize>,
}

// TODO: one error type answered as {"error", "message", "fields"}, used for bad
// path and query parameters exactly as for a bad JSON field.

#[derive(Clone)]
struct AppState {
    users: Arc<Vec<UserResponse>>,
}

fn app() -> Router {
    // 25 users, ids 1 to 25, so pagination has something to page through.
    let users = (1..=25).map(|id| UserResponse { id, name: format!("User {id}") }).collect();
    Router::new()
        .route("/users", get(list_users))
        .route("/users/{id}", get(get_user))
        .with_state(AppState { users: Arc::new(users) })
}

// TODO: page with limit and offset; refuse bad values with the JSON error body.
async fn list_users(State(state): State<AppState>, Query(_page): Query<Pagination>) -> Json<Vec<UserResponse>> {
    Json(state.users.to_vec())
}

// TODO: answer the user or 404; a malformed id gets the JSON error body.
async fn get_user(Path(_id): Path<u64>) -> StatusCode {
    StatusCode::NOT_IMPLEMENTED
}

fn main() {
    kit::serve(app());
}
