//! Lesson 6: domain errors mapped once. A solution.

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

/// Every way a request can fail, mapped to a status and a body in one place.
#[derive(Debug)]
enum ApiError {
    NotFound(String),
    Conflict(String),
    MethodNotAllowed,
    /// The detail is for the log, never for the client.
    Internal(String),
}

#[derive(Serialize)]
struct ErrorBody {
    error: &'static str,
    message: String,
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let (status, error, message) = match self {
            ApiError::NotFound(m) => (StatusCode::NOT_FOUND, "not_found", m),
            ApiError::Conflict(m) => (StatusCode::CONFLICT, "conflict", m),
            ApiError::MethodNotAllowed => (
                StatusCode::METHOD_NOT_ALLOWED,
                "method_not_allowed",
                "this path does not accept that method".to_string(),
            ),
            ApiError::Internal(detail) => {
                tracing::error!(%detail, "internal error");
                (StatusCode::INTERNAL_SERVER_ERROR, "internal", "something went wrong".to_string())
            }
        };
        (status, Json(ErrorBody { error, message })).into_response()
    }
}

impl From<StoreError> for ApiError {
    fn from(e: StoreError) -> Self {
        match e {
            StoreError::NotFound(_) => ApiError::NotFound(e.to_string()),
            StoreError::Duplicate(_) => ApiError::Conflict(e.to_string()),
            StoreError::Unavailable(_) => ApiError::Internal(e.to_string()),
        }
    }
}

fn app() -> Router {
    Router::new()
        .route("/users", axum::routing::post(create_user))
        .route("/users/{id}", get(get_user))
        .route("/reports/daily", get(daily_report))
        .fallback(|| async { ApiError::NotFound("no such route".into()) })
        .method_not_allowed_fallback(|| async { ApiError::MethodNotAllowed })
        .with_state(Store::default())
}

async fn create_user(
    State(store): State<Store>,
    Json(req): Json<CreateUser>,
) -> Result<(StatusCode, Json<UserResponse>), ApiError> {
    Ok((StatusCode::CREATED, Json(store.create(req)?)))
}

async fn get_user(State(store): State<Store>, Path(id): Path<String>) -> Result<Json<UserResponse>, ApiError> {
    Ok(Json(store.get(&id)?))
}

async fn daily_report(State(store): State<Store>) -> Result<String, ApiError> {
    Ok(store.daily_report()?)
}

fn main() {
    kit::serve(app());
}
