//! Hello: a health endpoint with a response model. A solution.

use axum::routing::get;
use axum::{Json, Router};
use serde::Serialize;

fn app() -> Router {
    Router::new().route("/health", get(health))
}

/// The response model of GET /health.
#[derive(Serialize)]
struct Health {
    status: &'static str,
}

async fn health() -> Json<Health> {
    Json(Health { status: "ok" })
}

fn main() {
    kit::serve(app());
}
