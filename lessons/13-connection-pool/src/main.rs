//! Lesson 13: connection pooling — one pool, made at startup, shared through
//! the state.
//! Read README.md in this folder, then make `apilings check 13` pass.

use axum::extract::Path;
use axum::http::StatusCode;
use axum::response::IntoResponse;
use axum::routing::get;
use axum::{Json, Router};
use serde::{Deserialize, Serialize};

#[derive(Debug, Serialize)]
#[allow(dead_code)]
struct Author {
    id: i64,
    name: String,
}

#[derive(Debug, Deserialize)]
#[allow(dead_code)]
struct NewAuthor {
    name: String,
}

// TODO: a state with one `r2d2::Pool<kit::db::Manager>`, made in `main`.
fn app() -> Router {
    Router::new()
        .route("/health", get(|| async { "ok" }))
        .route("/authors", axum::routing::post(create_author))
        .route("/authors/{id}", get(get_author))
}

// TODO: `SELECT id, name FROM authors WHERE id = ?1` on a connection from the
// pool; 404 when there is no such author.
async fn get_author(Path(_id): Path<i64>) -> Result<Json<Author>, StatusCode> {
    Err(StatusCode::NOT_IMPLEMENTED)
}

// TODO: `INSERT INTO authors (name) VALUES (?1)`; 201 with a Location and the author.
async fn create_author(Json(_new): Json<NewAuthor>) -> impl IntoResponse {
    StatusCode::NOT_IMPLEMENTED
}

fn main() {
    kit::serve(app());
}
