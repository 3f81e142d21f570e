//! Lesson 13: connection pooling — one pool, made at startup, shared through
//! the state. A solution.

use axum::extract::rejection::{JsonRejection, PathRejection};
use axum::extract::{Path, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::{Json, Router};
use rusqlite::OptionalExtension;
use serde::{Deserialize, Serialize};

type Pool = r2d2::Pool<kit::db::Manager>;

#[derive(Clone)]
struct AppState {
    pool: Pool,
}

#[derive(Debug, Serialize)]
struct Author {
    id: i64,
    name: String,
}

#[derive(Debug, Deserialize)]
struct NewAuthor {
    name: String,
}

fn app(pool: Pool) -> Router {
    Router::new()
        .route("/health", get(|| async { "ok" }))
        .route("/authors", axum::routing::post(create_author))
        .route("/authors/{id}", get(get_author))
        .with_state(AppState { pool })
}

/// Runs `query` on a connection from the pool. Taking a connection and
/// SQLite's calls block, so both run on tokio's blocking pool (lesson 11).
async fn with_conn<T: Send + 'static>(
    pool: &Pool,
    query: impl FnOnce(&rusqlite::Connection) -> rusqlite::Result<T> + Send + 'static,
) -> Result<T, StatusCode> {
    let pool = pool.clone();
    tokio::task::spawn_blocking(move || {
        let conn = pool.get().map_err(|e| {
            tracing::error!(error = %e, "no database connection free");
            StatusCode::SERVICE_UNAVAILABLE
        })?;
        query(&conn).map_err(|e| {
            tracing::error!(error = %e, "query failed");
            StatusCode::INTERNAL_SERVER_ERROR
        })
    })
    .await
    .map_err(|_| StatusCode::INTERNAL_SERVER_ERROR)?
}

async fn get_author(State(state): State<AppState>, id: Result<Path<i64>, PathRejection>) -> Result<Json<Author>, ApiError> {
    let Path(id) = id?;
    let found = with_conn(&state.pool, move |conn| {
        conn.query_row("SELECT id, name FROM authors WHERE id = ?1", [id], |row| {
            Ok(Author { id: row.get(0)?, name: row.get(1)? })
        })
        .optional()
    })
    .await?;
    found.map(Json).ok_or_else(|| ApiError(StatusCode::NOT_FOUND, "not_found", format!("no author {id}")))
}

async fn create_author(
    State(state): State<AppState>,
    body: Result<Json<NewAuthor>, JsonRejection>,
) -> Result<impl IntoResponse, ApiError> {
    let Json(new) = body?;
    let name = new.name.clone();
    let id = with_conn(&state.pool, move |conn| {
        conn.execute("INSERT INTO authors (name) VALUES (?1)", [&name])?;
        Ok(conn.last_insert_rowid())
    })
    .await?;
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
    // One pool for the whole server: its connections are opened here, once,
    // and every request borrows one for as long as its query runs.
    let pool = r2d2::Pool::builder()
        .max_size(8)
        .build(kit::db::Manager)
        .unwrap_or_else(|e| {
            eprintln!("error: cannot open the database: {e}");
            std::process::exit(1)
        });
    kit::serve(app(pool));
}
