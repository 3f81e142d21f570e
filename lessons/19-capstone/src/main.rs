//! Lesson 19: the capstone. Build the bookshop API of README.md so that it
//! passes the whole self-check at once: everything the pack taught applies.

use axum::Router;
use axum::routing::get;

fn app() -> Router {
    Router::new().route("/health", get(|| async { "ok" }))
    // TODO: GET /books, GET /books/{id}, POST /books, GET /books/{id}/summary,
    // GET /openapi.json — and all that makes them production-ready.
}

fn main() {
    kit::serve(app());
}
