//! Lesson 16: logs that tell the story — one JSON line per request with its
//! id, key events with their ids, errors with their context. A solution.

use std::collections::{BTreeMap, HashMap};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::body::Body;
use axum::extract::rejection::JsonRejection;
use axum::extract::{Path, State};
use axum::http::{HeaderName, Request, Response, StatusCode};
use axum::response::IntoResponse;
use axum::routing::{get, post};
use axum::{Json, Router};
use garde::Validate;
use serde::{Deserialize, Serialize};
use tower_http::request_id::{MakeRequestUuid, PropagateRequestIdLayer, SetRequestIdLayer};
use tower_http::trace::TraceLayer;
use tracing::Span;

const REQUEST_ID: HeaderName = HeaderName::from_static("x-request-id");

#[derive(Deserialize, Validate)]
#[serde(deny_unknown_fields)]
struct NewUser {
    #[garde(length(chars, min = 1, max = 100))]
    name: String,
    #[garde(length(chars, min = 8))]
    password: String,
}

#[derive(Clone, Serialize)]
struct User {
    id: u64,
    name: String,
}

/// The pack's one error body (lesson 3): every bad input is a 400.
#[derive(Serialize)]
struct ErrorBody {
    error: &'static str,
    message: String,
    #[serde(skip_serializing_if = "BTreeMap::is_empty")]
    fields: BTreeMap<String, String>,
}

#[derive(Clone, Default)]
struct AppState {
    next_id: Arc<AtomicU64>,
    users: Arc<Mutex<HashMap<u64, User>>>,
}

fn app() -> Router {
    Router::new()
        .route("/health", get(|| async { "ok" }))
        .route("/users", post(create_user))
        .route("/users/{id}", get(get_user))
        .route("/users/{id}/avatar", get(get_avatar))
        .with_state(AppState::default())
        // The last layer added runs first: the id is set, then the span is
        // made with it, then the response carries it back.
        .layer(PropagateRequestIdLayer::new(REQUEST_ID))
        .layer(
            TraceLayer::new_for_http()
                .make_span_with(request_span)
                .on_request(())
                .on_response(request_finished),
        )
        .layer(SetRequestIdLayer::new(REQUEST_ID, MakeRequestUuid))
}

/// Every event of a request is inside this span, so it carries the id.
fn request_span(req: &Request<Body>) -> Span {
    let id = req.headers().get(&REQUEST_ID).and_then(|v| v.to_str().ok()).unwrap_or("");
    tracing::info_span!("request", method = %req.method(), path = %req.uri().path(), request_id = %id)
}

fn request_finished(res: &Response<Body>, latency: Duration, _span: &Span) {
    let latency_ms = latency.as_millis() as u64;
    tracing::info!(status = res.status().as_u16(), latency_ms, "request finished");
}

async fn create_user(
    State(state): State<AppState>,
    body: Result<Json<NewUser>, JsonRejection>,
) -> Result<(StatusCode, Json<User>), (StatusCode, Json<ErrorBody>)> {
    let Json(new) = body.map_err(rejected)?;
    new.validate().map_err(invalid)?;
    let _password = new.password; // Stored hashed in lesson 4; never logged.
    let id = state.next_id.fetch_add(1, Ordering::Relaxed) + 1;
    let user = User { id, name: new.name };
    state.users.lock().unwrap_or_else(|e| e.into_inner()).insert(id, user.clone());
    tracing::info!(user_id = id, "user created");
    Ok((StatusCode::CREATED, Json(user)))
}

async fn get_user(
    State(state): State<AppState>,
    Path(id): Path<u64>,
) -> Result<Json<User>, (StatusCode, Json<ErrorBody>)> {
    let users = state.users.lock().unwrap_or_else(|e| e.into_inner());
    let user = users.get(&id).cloned();
    user.map(Json).ok_or_else(|| error(StatusCode::NOT_FOUND, "not_found", format!("no user {id}")))
}

/// The partner's failure is logged with everything needed to debug it; the
/// client gets a plain 502.
async fn get_avatar(Path(id): Path<u64>) -> impl IntoResponse {
    match kit::images::fetch_avatar(id).await {
        Ok(png) => ([("content-type", "image/png")], png).into_response(),
        Err(e) => {
            tracing::error!(user_id = id, error = %e, "avatar fetch failed");
            let message = "the image service is unavailable".to_string();
            error(StatusCode::BAD_GATEWAY, "upstream", message).into_response()
        }
    }
}

fn error(status: StatusCode, error: &'static str, message: String) -> (StatusCode, Json<ErrorBody>) {
    (status, Json(ErrorBody { error, message, fields: BTreeMap::new() }))
}

fn rejected(e: JsonRejection) -> (StatusCode, Json<ErrorBody>) {
    let code = match e {
        JsonRejection::JsonSyntaxError(_) | JsonRejection::MissingJsonContentType(_) => "invalid_json",
        _ => "validation_failed",
    };
    error(StatusCode::BAD_REQUEST, code, e.body_text())
}

fn invalid(report: garde::Report) -> (StatusCode, Json<ErrorBody>) {
    let fields = report.iter().map(|(path, e)| (path.to_string(), e.to_string())).collect();
    let message = "some fields are invalid".to_string();
    (StatusCode::BAD_REQUEST, Json(ErrorBody { error: "validation_failed", message, fields }))
}

fn main() {
    // One JSON object per line; `kit::serve` keeps a subscriber installed first.
    tracing_subscriber::fmt().json().with_max_level(tracing::Level::INFO).init();
    kit::serve(app());
}
