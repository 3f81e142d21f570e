//! Lesson 1: a first endpoint with a response model.
//! Read README.md in this folder, then make `apilings check 01` pass.

use axum::Router;
use axum::http::StatusCode;
use axum::routing::{get, post};

/// The routes of this lesson. The paths are right; the handlers are not done yet.
fn app() -> Router {
    Router::new()
        .route("/health", get(health))
        .route("/greetings", post(greet))
}

// TODO: answer 200 with the JSON body {"status": "ok"}, through a response model
// (a struct that derives `Serialize`) wrapped in `Json`.
async fn health() -> StatusCode {
    StatusCode::NOT_IMPLEMENTED
}

// TODO: take a typed JSON body {"name": "..."} and answer with the typed JSON
// body {"greeting": "Hello, <name>!"}.
async fn greet() -> StatusCode {
    StatusCode::NOT_IMPLEMENTED
}

fn main() {
    kit::serve(app());
}
