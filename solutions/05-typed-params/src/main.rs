//! Lesson 5: typed path and query parameters, with bounds. A solution.

use std::collections::BTreeMap;
use std::sync::Arc;

use axum::extract::rejection::{PathRejection, QueryRejection};
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::{Json, Router};
use serde::{Deserialize, Serialize};
use garde::Validate;

/// What clients see of a user.
#[derive(Debug, Clone, Serialize)]
struct UserResponse {
    id: u64,
    name: String,
}

/// ?limit=&offset=, with defaults and bounds on the type.
#[derive(Debug, Deserialize, Validate)]
struct Pagination {
    #[serde(default = "default_limit")]
    #[garde(range(min = 1, max = 100))]
    limit: usize,
    #[serde(default)]
    #[garde(skip)] // any offset is fine: past the end is an empty page
    offset: usize,
}

fn default_limit() -> usize {
    20
}

/// Every way a request can fail, answered with one body shape.
enum ApiError {
    Invalid { field: &'static str, message: String },
    NotFound(String),
}

#[derive(Serialize)]
struct ErrorBody {
    error: &'static str,
    message: String,
    #[serde(skip_serializing_if = "BTreeMap::is_empty")]
    fields: BTreeMap<String, String>,
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let (status, body) = match self {
            ApiError::Invalid { field, message } => (
                StatusCode::BAD_REQUEST,
                ErrorBody {
                    error: "validation_failed",
                    message: format!("{field}: {message}"),
                    fields: BTreeMap::from([(field.to_string(), message)]),
                },
            ),
            ApiError::NotFound(message) => (
                StatusCode::NOT_FOUND,
                ErrorBody { error: "not_found", message, fields: BTreeMap::new() },
            ),
        };
        (status, Json(body)).into_response()
    }
}

#[derive(Clone)]
struct AppState {
    users: Arc<Vec<UserResponse>>,
}

fn app() -> Router {
    let users = (1..=25).map(|id| UserResponse { id, name: format!("User {id}") }).collect();
    Router::new()
        .route("/users", get(list_users))
        .route("/users/{id}", get(get_user))
        .with_state(AppState { users: Arc::new(users) })
}

async fn list_users(
    State(state): State<AppState>,
    query: Result<Query<Pagination>, QueryRejection>,
) -> Result<Json<Vec<UserResponse>>, ApiError> {
    let Query(page) = query.map_err(|e| {
        // serde names the parameter it could not parse: "limit: invalid digit …"
        let text = e.body_text();
        let field = if text.contains("offset") { "offset" } else { "limit" };
        ApiError::Invalid { field, message: text }
    })?;
    page.validate().map_err(|e| ApiError::Invalid {
        field: "limit",
        message: e.to_string(),
    })?;
    Ok(Json(state.users.iter().skip(page.offset).take(page.limit).cloned().collect()))
}

async fn get_user(
    State(state): State<AppState>,
    path: Result<Path<u64>, PathRejection>,
) -> Result<Json<UserResponse>, ApiError> {
    let Path(id) = path.map_err(|e| ApiError::Invalid {
        field: "id",
        message: e.body_text(),
    })?;
    state
        .users
        .iter()
        .find(|u| u.id == id)
        .cloned()
        .map(Json)
        .ok_or_else(|| ApiError::NotFound(format!("no user with id {id}")))
}

fn main() {
    kit::serve(app());
}
