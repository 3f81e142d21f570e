//! Lesson 19: the capstone — a bookshop API that passes the whole self-check
//! at once. A solution.

use std::collections::BTreeMap;
use std::convert::Infallible;
use std::time::Duration;

use axum::body::Body;
use axum::extract::rejection::{JsonRejection, PathRejection};
use axum::extract::{FromRequestParts, Path, State};
use axum::http::request::Parts;
use axum::http::{HeaderName, HeaderValue, Method, Request, StatusCode, header};
use axum::response::sse::{Event, KeepAlive, Sse};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::{Json, Router};
use futures_util::{StreamExt, stream};
use garde::Validate;
use serde::{Deserialize, Serialize};
use tower_http::cors::{AllowOrigin, CorsLayer};
use tower_http::request_id::{MakeRequestUuid, PropagateRequestIdLayer, SetRequestIdLayer};
use tower_http::trace::TraceLayer;
use tracing::Span;
use utoipa::{OpenApi, ToSchema};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

type Pool = r2d2::Pool<kit::db::Manager>;

const REQUEST_ID: HeaderName = HeaderName::from_static("x-request-id");

/// Configuration from the environment: a missing or empty value stops the start.
struct Config {
    api_key: String,
    allowed_origin: HeaderValue,
}

impl Config {
    fn from_env() -> Result<Config, String> {
        let required = |name: &str| match std::env::var(name) {
            Ok(v) if !v.trim().is_empty() => Ok(v),
            Ok(_) => Err(format!("{name} is empty")),
            Err(_) => Err(format!("{name} is not set")),
        };
        let api_key = required("API_KEY")?;
        let origin = required("ALLOWED_ORIGIN")?;
        let allowed_origin = origin
            .parse()
            .map_err(|_| format!("ALLOWED_ORIGIN is not a valid origin: {origin:?}"))?;
        Ok(Config { api_key, allowed_origin })
    }
}

#[derive(Clone)]
struct AppState {
    pool: Pool,
    api_key: String,
}

/// A book as clients see it, with its author.
#[derive(Serialize, ToSchema)]
struct Book {
    id: i64,
    title: String,
    year: i64,
    author: Author,
}

#[derive(Serialize, ToSchema)]
struct Author {
    id: i64,
    name: String,
}

/// A book to add.
#[derive(Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({ "title": "The Word for World Is Forest", "year": 1972, "author_id": 1 }))]
struct NewBook {
    #[garde(length(chars, min = 1, max = 200))]
    title: String,
    #[garde(range(min = 1000, max = 2100))]
    year: i64,
    #[garde(range(min = 1))]
    author_id: i64,
}

/// The one error body (lesson 3), for every refusal and failure.
#[derive(Serialize, ToSchema)]
struct ErrorBody {
    error: String,
    message: String,
    #[serde(skip_serializing_if = "BTreeMap::is_empty")]
    fields: BTreeMap<String, String>,
}

/// Every way a request can fail, mapped to a status and the body once.
enum ApiError {
    Invalid(&'static str, BTreeMap<String, String>, String),
    Unauthorized,
    NotFound(String),
    MethodNotAllowed,
    Internal(String),
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let (status, error, message, fields) = match self {
            ApiError::Invalid(code, fields, message) => (StatusCode::BAD_REQUEST, code, message, fields),
            ApiError::Unauthorized => (
                StatusCode::UNAUTHORIZED,
                "unauthorized",
                "a valid X-API-Key header is required".to_string(),
                BTreeMap::new(),
            ),
            ApiError::NotFound(m) => (StatusCode::NOT_FOUND, "not_found", m, BTreeMap::new()),
            ApiError::MethodNotAllowed => (
                StatusCode::METHOD_NOT_ALLOWED,
                "method_not_allowed",
                "this path does not accept that method".to_string(),
                BTreeMap::new(),
            ),
            ApiError::Internal(detail) => {
                tracing::error!(%detail, "internal error");
                (StatusCode::INTERNAL_SERVER_ERROR, "internal", "something went wrong".to_string(), BTreeMap::new())
            }
        };
        let body = ErrorBody { error: error.into(), message, fields };
        (status, Json(body)).into_response()
    }
}

impl ApiError {
    fn field(field: &str, reason: String) -> ApiError {
        let fields = BTreeMap::from([(field.to_string(), reason)]);
        ApiError::Invalid("validation_failed", fields, "some fields are invalid".into())
    }
}

impl From<JsonRejection> for ApiError {
    fn from(e: JsonRejection) -> Self {
        let code = match e {
            JsonRejection::JsonSyntaxError(_) | JsonRejection::MissingJsonContentType(_) => "invalid_json",
            _ => "validation_failed",
        };
        // axum's message names the field of a wrongly typed value: "…target type: year: invalid type…".
        let text = e.body_text();
        let fields = text
            .split_once("target type: ")
            .and_then(|(_, rest)| rest.split_once(": "))
            .filter(|(path, _)| path.chars().all(|c| c.is_ascii_alphanumeric() || c == '_'))
            .map(|(path, why)| BTreeMap::from([(path.to_string(), why.to_string())]))
            .unwrap_or_default();
        ApiError::Invalid(code, fields, text)
    }
}

/// Proof that the request carried the right API key.
struct ApiKey;

impl FromRequestParts<AppState> for ApiKey {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Self::Rejection> {
        let sent = parts.headers.get("x-api-key").map(|v| v.as_bytes()).unwrap_or_default();
        let key = state.api_key.as_bytes();
        // Constant time: how long a comparison takes must not tell how much was right.
        let same = sent.len() == key.len() && sent.iter().zip(key).fold(0u8, |d, (a, b)| d | (a ^ b)) == 0;
        if same { Ok(ApiKey) } else { Err(ApiError::Unauthorized) }
    }
}

/// Runs `query` on a pooled connection, off the runtime's workers.
async fn with_conn<T: Send + 'static>(
    pool: &Pool,
    query: impl FnOnce(&rusqlite::Connection) -> rusqlite::Result<T> + Send + 'static,
) -> Result<T, ApiError> {
    let pool = pool.clone();
    tokio::task::spawn_blocking(move || {
        let conn = pool.get().map_err(|e| ApiError::Internal(format!("no connection: {e}")))?;
        query(&conn).map_err(|e| ApiError::Internal(format!("query failed: {e}")))
    })
    .await
    .map_err(|e| ApiError::Internal(format!("the query task failed: {e}")))?
}

const BOOKS: &str = "SELECT b.id, b.title, b.year, a.id, a.name FROM books b JOIN authors a ON a.id = b.author_id";

fn book_of(row: &rusqlite::Row) -> rusqlite::Result<Book> {
    Ok(Book {
        id: row.get(0)?,
        title: row.get(1)?,
        year: row.get(2)?,
        author: Author { id: row.get(3)?, name: row.get(4)? },
    })
}

/// Every book with its author, in one query.
#[utoipa::path(get, path = "/books", responses((status = 200, description = "Every book", body = [Book])))]
async fn list_books(State(state): State<AppState>) -> Result<Json<Vec<Book>>, ApiError> {
    let books = with_conn(&state.pool, |conn| {
        let mut stmt = conn.prepare(&format!("{BOOKS} ORDER BY b.id"))?;
        stmt.query_map([], book_of)?.collect()
    })
    .await?;
    Ok(Json(books))
}

async fn find_book(state: &AppState, path: Result<Path<i64>, PathRejection>) -> Result<Book, ApiError> {
    let Path(id) = path.map_err(|e| ApiError::field("id", e.body_text()))?;
    let book = with_conn(&state.pool, move |conn| {
        let mut stmt = conn.prepare(&format!("{BOOKS} WHERE b.id = ?1"))?;
        let mut rows = stmt.query_map([id], book_of)?;
        rows.next().transpose()
    })
    .await?;
    book.ok_or_else(|| ApiError::NotFound(format!("no book {id}")))
}

/// One book.
#[utoipa::path(
    get,
    path = "/books/{id}",
    params(("id" = i64, Path, description = "The book's id")),
    responses(
        (status = 200, description = "The book", body = Book),
        (status = 400, description = "The id is not a number", body = ErrorBody),
        (status = 404, description = "No book has this id", body = ErrorBody),
    )
)]
async fn get_book(State(state): State<AppState>, path: Result<Path<i64>, PathRejection>) -> Result<Json<Book>, ApiError> {
    find_book(&state, path).await.map(Json)
}

/// Adds a book (needs the API key).
#[utoipa::path(
    post,
    path = "/books",
    request_body = NewBook,
    params(("x-api-key" = String, Header, description = "The API key")),
    responses(
        (status = 201, description = "The book, added", body = Book),
        (status = 400, description = "The body is not a valid new book", body = ErrorBody),
        (status = 401, description = "No valid API key", body = ErrorBody),
    )
)]
async fn create_book(
    _key: ApiKey,
    State(state): State<AppState>,
    body: Result<Json<NewBook>, JsonRejection>,
) -> Result<impl IntoResponse, ApiError> {
    let Json(new) = body?;
    if let Err(report) = new.validate() {
        let fields = report.iter().map(|(p, e)| (p.to_string(), e.to_string())).collect();
        return Err(ApiError::Invalid("validation_failed", fields, "some fields are invalid".into()));
    }
    let book = with_conn(&state.pool, move |conn| {
        let author: Option<String> = conn
            .query_row("SELECT name FROM authors WHERE id = ?1", [new.author_id], |r| r.get(0))
            .map(Some)
            .or_else(|e| if e == rusqlite::Error::QueryReturnedNoRows { Ok(None) } else { Err(e) })?;
        let Some(name) = author else { return Ok(None) };
        conn.execute(
            "INSERT INTO books (author_id, title, year) VALUES (?1, ?2, ?3)",
            rusqlite::params![new.author_id, new.title, new.year],
        )?;
        let id = conn.last_insert_rowid();
        Ok(Some(Book { id, title: new.title, year: new.year, author: Author { id: new.author_id, name } }))
    })
    .await?
    .ok_or_else(|| ApiError::field("author_id", "no author has this id".into()))?;
    tracing::info!(book_id = book.id, "book created");
    Ok((StatusCode::CREATED, [(header::LOCATION, format!("/books/{}", book.id))], Json(book)))
}

/// A summary of the book, streamed as the model writes it: `message` events, then `done`.
#[utoipa::path(
    get,
    path = "/books/{id}/summary",
    params(("id" = i64, Path, description = "The book's id")),
    responses(
        (status = 200, description = "Server-sent events", content_type = "text/event-stream", body = String),
        (status = 400, description = "The id is not a number", body = ErrorBody),
        (status = 404, description = "No book has this id", body = ErrorBody),
    )
)]
async fn book_summary(State(state): State<AppState>, path: Result<Path<i64>, PathRejection>) -> Result<Response, ApiError> {
    let book = find_book(&state, path).await?;
    let prompt = format!("{} by {}, {}", book.title, book.author.name, book.year);
    let chunks = kit::model::generate(&prompt)
        .map(|chunk| Ok::<_, Infallible>(Event::default().event("message").data(chunk)));
    let done = stream::once(async { Ok(Event::default().event("done").data("[DONE]")) });
    let sse = Sse::new(chunks.chain(done)).keep_alive(KeepAlive::new().interval(Duration::from_millis(500)));
    Ok(sse.into_response())
}

#[derive(OpenApi)]
#[openapi(info(title = "Bookshop", version = "1.0.0", description = "Lesson 19's capstone"))]
struct ApiDoc;

fn request_span(req: &Request<Body>) -> Span {
    let id = req.headers().get(&REQUEST_ID).and_then(|v| v.to_str().ok()).unwrap_or("");
    tracing::info_span!("request", method = %req.method(), path = %req.uri().path(), request_id = %id)
}

fn request_finished(res: &Response<Body>, latency: Duration, _span: &Span) {
    let latency_ms = latency.as_millis() as u64;
    tracing::info!(status = res.status().as_u16(), latency_ms, "request finished");
}

fn app(state: AppState, allowed_origin: HeaderValue) -> Router {
    let (router, api) = OpenApiRouter::with_openapi(ApiDoc::openapi())
        .routes(routes!(list_books, create_book))
        .routes(routes!(get_book))
        .routes(routes!(book_summary))
        .with_state(state)
        .split_for_parts();
    let cors = CorsLayer::new()
        .allow_origin(AllowOrigin::list([allowed_origin]))
        .allow_methods([Method::GET, Method::POST])
        .allow_headers([header::CONTENT_TYPE, HeaderName::from_static("x-api-key")]);
    router
        .route("/health", get(|| async { "ok" }))
        .route("/openapi.json", get(move || async move { Json(api) }))
        .fallback(|| async { ApiError::NotFound("no such route".into()) })
        .method_not_allowed_fallback(|| async { ApiError::MethodNotAllowed })
        .layer(PropagateRequestIdLayer::new(REQUEST_ID))
        .layer(TraceLayer::new_for_http().make_span_with(request_span).on_request(()).on_response(request_finished))
        .layer(SetRequestIdLayer::new(REQUEST_ID, MakeRequestUuid))
        .layer(cors)
}

fn main() {
    tracing_subscriber::fmt().json().with_max_level(tracing::Level::INFO).init();
    let fail = |why: String| -> ! {
        eprintln!("error: {why}");
        std::process::exit(1)
    };
    let config = Config::from_env().unwrap_or_else(|why| fail(why));
    let pool = r2d2::Pool::builder()
        .max_size(8)
        .build(kit::db::Manager)
        .unwrap_or_else(|e| fail(format!("cannot open the database: {e}")));
    let state = AppState { pool, api_key: config.api_key };
    kit::serve(app(state, config.allowed_origin));
}
