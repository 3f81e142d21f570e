//! Lesson 8: panics — one bad request must not take the API down.
//! Read README.md in this folder, then make `apilings check 08` pass.

mod legacy;

use std::sync::{Arc, Mutex};

use axum::extract::State;
use axum::http::StatusCode;
use axum::routing::{get, post};
use axum::{Json, Router};
use serde::{Deserialize, Serialize};

#[derive(Deserialize)]
struct Scores {
    values: Vec<u64>,
}

#[derive(Serialize)]
struct Average {
    id: usize,
    average: u64,
}

/// Every average computed so far.
#[derive(Clone, Default)]
struct AppState {
    averages: Arc<Mutex<Vec<u64>>>,
}

async fn add_average(State(state): State<AppState>, Json(scores): Json<Scores>) -> (StatusCode, Json<Average>) {
    let mut averages = state.averages.lock().unwrap();
    let average = legacy::average(&scores.values); // panics on [] — while the lock is held
    averages.push(average);
    (StatusCode::CREATED, Json(Average { id: averages.len(), average }))
}

async fn list_averages(State(state): State<AppState>) -> Json<Vec<u64>> {
    Json(state.averages.lock().unwrap().clone())
}

// TODO: catch panics once, for every route, and answer them with the API's
// error body: 500 {"error": "internal", "message": ...} — logged for you, hidden
// from the client. Then make sure one panic cannot break later requests.

fn app() -> Router {
    Router::new()
        .route("/health", get(|| async { "ok" }))
        .route("/averages", post(add_average).get(list_averages))
        .with_state(AppState::default())
}

fn main() {
    kit::serve(app());
}
