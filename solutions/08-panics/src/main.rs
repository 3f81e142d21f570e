//! Lesson 8: panics — one bad request must not take the API down. A solution.

mod legacy;

use std::any::Any;
use std::sync::{Arc, Mutex};

use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use serde::{Deserialize, Serialize};
use tower_http::catch_panic::CatchPanicLayer;

#[derive(Deserialize)]
struct Scores {
    values: Vec<u64>,
}

#[derive(Serialize)]
struct Average {
    id: usize,
    average: u64,
}

/// Every average computed so far. A std Mutex, as tokio's documentation advises
/// for data locked briefly and never across an `.await`; nothing that can panic
/// runs while it is held, so it is never poisoned.
#[derive(Clone, Default)]
struct AppState {
    averages: Arc<Mutex<Vec<u64>>>,
}

async fn add_average(State(state): State<AppState>, Json(scores): Json<Scores>) -> (StatusCode, Json<Average>) {
    let average = legacy::average(&scores.values); // may panic: before the lock
    let mut averages = state.averages.lock().unwrap();
    averages.push(average);
    (StatusCode::CREATED, Json(Average { id: averages.len(), average }))
}

async fn list_averages(State(state): State<AppState>) -> Json<Vec<u64>> {
    Json(state.averages.lock().unwrap().clone())
}

#[derive(Serialize)]
struct ErrorBody {
    error: &'static str,
    message: &'static str,
}

/// The one answer to any panic: logged in full for operators, generic for clients.
fn panic_response(panic: Box<dyn Any + Send + 'static>) -> Response {
    let detail = panic
        .downcast_ref::<String>()
        .map(String::as_str)
        .or_else(|| panic.downcast_ref::<&str>().copied())
        .unwrap_or("(no message)");
    tracing::error!(panic = detail, "a handler panicked");
    let body = ErrorBody { error: "internal", message: "internal server error" };
    (StatusCode::INTERNAL_SERVER_ERROR, Json(body)).into_response()
}

fn app() -> Router {
    Router::new()
        .route("/health", get(|| async { "ok" }))
        .route("/averages", post(add_average).get(list_averages))
        .with_state(AppState::default())
        .layer(CatchPanicLayer::custom(panic_response))
}

fn main() {
    kit::serve(app());
}
