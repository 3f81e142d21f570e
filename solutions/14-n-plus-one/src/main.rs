//! Lesson 14: no N+1 — a list with its children in a bounded number of
//! queries, whatever its length. A solution.

use axum::extract::State;
use axum::extract::rejection::JsonRejection;
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::{Json, Router};
use serde::{Deserialize, Serialize};

type Pool = r2d2::Pool<kit::db::Manager>;

#[derive(Clone)]
struct AppState {
    pool: Pool,
}

#[derive(Debug, Serialize)]
struct AuthorWithBooks {
    id: i64,
    name: String,
    books: Vec<Book>,
}

#[derive(Debug, Serialize)]
struct Book {
    title: String,
    year: i64,
}

#[derive(Debug, Deserialize)]
struct NewAuthor {
    name: String,
}

fn app(pool: Pool) -> Router {
    Router::new()
        .route("/health", get(|| async { "ok" }))
        .route("/authors", get(list_authors).post(create_author))
        .with_state(AppState { pool })
}

/// Runs `query` on a connection from the pool, on tokio's blocking pool.
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

/// Every author with their books, in one query: a LEFT JOIN keeps the
/// authors without books, and the rows come sorted so that each author's
/// rows are together.
async fn list_authors(State(state): State<AppState>) -> Result<Json<Vec<AuthorWithBooks>>, ApiError> {
    let authors = with_conn(&state.pool, |conn| {
        let mut stmt = conn.prepare(
            "SELECT a.id, a.name, b.title, b.year
             FROM authors a LEFT JOIN books b ON b.author_id = a.id
             ORDER BY a.id, b.year",
        )?;
        let mut rows = stmt.query([])?;
        let mut authors: Vec<AuthorWithBooks> = Vec::new();
        while let Some(row) = rows.next()? {
            let id: i64 = row.get(0)?;
            if authors.last().is_none_or(|a| a.id != id) {
                authors.push(AuthorWithBooks { id, name: row.get(1)?, books: Vec::new() });
            }
            let title: Option<String> = row.get(2)?;
            let year: Option<i64> = row.get(3)?;
            if let (Some(title), Some(year), Some(author)) = (title, year, authors.last_mut()) {
                author.books.push(Book { title, year });
            }
        }
        Ok(authors)
    })
    .await?;
    Ok(Json(authors))
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
    let author = AuthorWithBooks { id, name: new.name, books: Vec::new() };
    Ok((StatusCode::CREATED, location, Json(author)))
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

fn main() {
    let pool = r2d2::Pool::builder()
        .max_size(8)
        .build(kit::db::Manager)
        .unwrap_or_else(|e| {
            eprintln!("error: cannot open the database: {e}");
            std::process::exit(1)
        });
    kit::serve(app(pool));
}
