//! Lesson 13: connection pooling — one pool, made at startup, shared through
//! the state.
//! Read README.md in this folder, then make `apilings check 13` pass.

use axum::extract::Path;
use axum::extract::rejection::{JsonRejection, PathRejection};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
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

async fn get_author(id: Result<Path<i64>, PathRejection>) -> Result<Json<Author>, ApiError> {
    let Path(id) = id?;
    let conn = connect()?;
    let found = conn
        .query_row("SELECT id, name FROM authors WHERE id = ?1", [id], |row| {
            Ok(Author { id: row.get(0)?, name: row.get(1)? })
        })
        .optional()
        .map_err(failed)?;
    found.map(Json).ok_or_else(|| ApiError(StatusCode::NOT_FOUND, "not_found", format!("no author {id}")))
}

async fn create_author(body: Result<Json<NewAuthor>, JsonRejection>) -> Result<impl IntoResponse, ApiError> {
    let Json(new) = body?;
    let conn = connect()?;
    conn.execute("INSERT INTO authors (name) VALUES (?1)", [&new.name]).map_err(failed)?;
    let id = conn.last_insert_rowid();
    let location = [(header::LOCATION, format!("/authors/{id}"))];
    Ok((StatusCode::CREATED, location, Json(Author { id, name: new.name })))
}

/// The API's one error body (lessons 3 and 6): a status, a code, a message.
struct ApiError(StatusCode, &'static str, String);

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let ApiError(status, error, message) = self;
        (status, Json(serde_json::json!({ "error": error, "message": message }))).into_response()
    }
}

/// Bad input: 400, whatever part of the request was wrong.
impl From<JsonRejection> for ApiError {
    fn from(e: JsonRejection) -> Self {
        let code = match e {
            JsonRejection::JsonSyntaxError(_) | JsonRejection::MissingJsonContentType(_) => "invalid_json",
            _ => "validation_failed",
        };
        ApiError(StatusCode::BAD_REQUEST, code, e.body_text())
    }
}

/// The database's failures, as the status the query helper chose.
impl From<StatusCode> for ApiError {
    fn from(status: StatusCode) -> Self {
        match status {
            StatusCode::SERVICE_UNAVAILABLE => ApiError(status, "unavailable", "the database is busy: try again".into()),
            StatusCode::NOT_FOUND => ApiError(status, "not_found", "not found".into()),
            _ => ApiError(StatusCode::INTERNAL_SERVER_ERROR, "internal", "internal server error".into()),
        }
    }
}

impl From<PathRejection> for ApiError {
    fn from(e: PathRejection) -> Self {
        ApiError(StatusCode::BAD_REQUEST, "validation_failed", e.body_text())
    }
}

fn main() {
    kit::serve(app());
}
