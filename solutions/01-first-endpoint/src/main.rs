//! Lesson 1: a first endpoint with a response model. A solution.

use axum::routing::{get, post};
use axum::{Json, Router};
use serde::{Deserialize, Serialize};

fn app() -> Router {
    Router::new()
        .route("/health", get(health))
        .route("/greetings", post(greet))
}

/// The response model of GET /health.
#[derive(Serialize)]
struct Health {
    status: &'static str,
}

/// The request model of POST /greetings.
#[derive(Deserialize)]
struct GreetRequest {
    name: String,
}

/// The response model of POST /greetings.
#[derive(Serialize)]
struct Greeting {
    greeting: String,
}

async fn health() -> Json<Health> {
    Json(Health { status: "ok" })
}

async fn greet(Json(req): Json<GreetRequest>) -> Json<Greeting> {
    Json(Greeting {
        greeting: format!("Hello, {}!", req.name),
    })
}

fn main() {
    kit::serve(app());
}
