//! Lesson 7: dependency injection — an API key and the current user, as extractors. A solution.

use std::sync::Arc;

use axum::extract::FromRequestParts;
use axum::http::StatusCode;
use axum::http::request::Parts;
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::{Json, Router};
use serde::Serialize;

#[derive(Serialize)]
struct Project {
    id: u32,
    name: String,
}

#[derive(Serialize)]
struct Me {
    user_id: String,
}

/// Shared state. The key comes from the environment: the checks set `API_KEY`.
#[derive(Clone)]
struct AppState {
    api_key: Arc<String>,
}

/// The API's error body for refused callers.
enum ApiError {
    Unauthorized(&'static str),
}

#[derive(Serialize)]
struct ErrorBody {
    error: &'static str,
    message: &'static str,
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let ApiError::Unauthorized(message) = self;
        (StatusCode::UNAUTHORIZED, Json(ErrorBody { error: "unauthorized", message })).into_response()
    }
}

/// Proof that the request carried the right API key: take it as an argument to protect a route.
struct ApiKey;

impl FromRequestParts<AppState> for ApiKey {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Self::Rejection> {
        let sent = parts.headers.get("x-api-key").map(|v| v.as_bytes()).unwrap_or_default();
        // Never echo what was sent: the message is the same for a missing and a wrong key.
        if same_key(sent, state.api_key.as_bytes()) {
            Ok(ApiKey)
        } else {
            Err(ApiError::Unauthorized("a valid X-API-Key header is required"))
        }
    }
}

/// Compares in constant time: with `==`, how long the comparison takes tells an
/// attacker how many leading bytes of a guess were right.
fn same_key(sent: &[u8], key: &[u8]) -> bool {
    sent.len() == key.len() && sent.iter().zip(key).fold(0u8, |diff, (a, b)| diff | (a ^ b)) == 0
}

/// The authenticated caller: needs the API key first, then `x-user-id`.
struct CurrentUser {
    id: String,
}

impl FromRequestParts<AppState> for CurrentUser {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Self::Rejection> {
        ApiKey::from_request_parts(parts, state).await?;
        let id = parts
            .headers
            .get("x-user-id")
            .and_then(|v| v.to_str().ok())
            .filter(|v| !v.is_empty())
            .ok_or(ApiError::Unauthorized("an X-User-ID header is required"))?;
        Ok(CurrentUser { id: id.to_string() })
    }
}

fn app(api_key: String) -> Router {
    Router::new()
        .route("/health", get(|| async { "ok" }))
        .route("/projects", get(projects))
        .route("/me", get(me))
        .with_state(AppState { api_key: Arc::new(api_key) })
}

async fn projects(_: ApiKey) -> Json<Vec<Project>> {
    Json(vec![Project { id: 1, name: "apilings".into() }])
}

async fn me(user: CurrentUser) -> Json<Me> {
    Json(Me { user_id: user.id })
}

fn main() {
    // A missing key must not mean "no key needed": refuse to start instead.
    let api_key = std::env::var("API_KEY").ok().filter(|k| !k.is_empty()).unwrap_or_else(|| {
        eprintln!("error: API_KEY is not set; the server will not start without its key");
        std::process::exit(1)
    });
    kit::serve(app(api_key));
}
