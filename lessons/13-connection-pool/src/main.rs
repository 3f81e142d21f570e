//! Lesson 13: connection pooling — one pool, made at startup, shared through
//! the state.
//! Read README.md in this folder, then make `apilings check 13` pass.

use axum::extract::Path;
use axum::http::{StatusCode, header};
use axum::response::IntoResponse;
use axum::routing::get;
use axum::{Json, Router};
use rusqlite::OptionalExtension;
use serde::{Deserialize, Serialize};

#[derive(Debug, Serialize)]
struct Author {
    id: i64,
    name: String,
}

#[derive(Debug, Deserialize)]
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

/// A connection of our own for this request.
// TODO: borrow one from the pool instead; and opening a connection and
// SQLite's calls block their thread (lesson 11).
fn connect() -> Result<rusqlite::Connection, StatusCode> {
    kit::db::connect().map_err(|e| {
        tracing::error!(error = %e, "cannot open the database");
        StatusCode::SERVICE_UNAVAILABLE
    })
}

fn failed(e: rusqlite::Error) -> StatusCode {
    tracing::error!(error = %e, "query failed");
    StatusCode::INTERNAL_SERVER_ERROR
}

async fn get_author(Path(id): Path<i64>) -> Result<Json<Author>, StatusCode> {
    let conn = connect()?;
    let found = conn
        .query_row("SELECT id, name FROM authors WHERE id = ?1", [id], |row| {
            Ok(Author { id: row.get(0)?, name: row.get(1)? })
        })
        .optional()
        .map_err(failed)?;
    found.map(Json).ok_or(StatusCode::NOT_FOUND)
}

async fn create_author(Json(new): Json<NewAuthor>) -> Result<impl IntoResponse, StatusCode> {
    let conn = connect()?;
    conn.execute("INSERT INTO authors (name) VALUES (?1)", [&new.name]).map_err(failed)?;
    let id = conn.last_insert_rowid();
    let location = [(header::LOCATION, format!("/authors/{id}"))];
    Ok((StatusCode::CREATED, location, Json(Author { id, name: new.name })))
}

fn main() {
    kit::serve(app());
}
