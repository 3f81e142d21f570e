//! Lesson 15: stream a model's answer as server-sent events, each chunk sent
//! as it is produced, then `done`. A solution.

use std::collections::BTreeMap;
use std::convert::Infallible;
use std::time::Duration;

use axum::extract::rejection::JsonRejection;
use axum::http::StatusCode;
use axum::response::sse::{Event, KeepAlive, Sse};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use futures_util::{StreamExt, stream};
use serde::{Deserialize, Serialize};

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct StreamRequest {
    prompt: String,
}

/// The pack's one error body (lesson 3): every bad input is a 400.
#[derive(Serialize)]
struct ErrorBody {
    error: &'static str,
    message: String,
    fields: BTreeMap<&'static str, String>,
}

fn app() -> Router {
    Router::new()
        .route("/health", get(|| async { "ok" }))
        .route("/stream", post(stream_answer))
}

/// Checks the request first (once events flow the status is sent), then
/// answers with the model's chunks as `message` events and a final `done`.
async fn stream_answer(body: Result<Json<StreamRequest>, JsonRejection>) -> Response {
    let prompt = match body {
        Ok(Json(r)) if !r.prompt.trim().is_empty() => r.prompt,
        Ok(_) => return invalid("prompt", "must not be empty"),
        Err(e) => return rejected(e),
    };
    // Lazy: the model runs while the client reads, and stops when it leaves.
    let chunks = kit::model::generate(&prompt)
        .map(|chunk| Ok::<_, Infallible>(Event::default().event("message").data(chunk)));
    // Some data: axum writes no `data:` line for "", and EventSource ignores such an event.
    let done = stream::once(async { Ok::<_, Infallible>(Event::default().event("done").data("[DONE]")) });
    Sse::new(chunks.chain(done))
        .keep_alive(KeepAlive::new().interval(Duration::from_millis(500)))
        .into_response()
}

fn invalid(field: &'static str, reason: &str) -> Response {
    let fields = BTreeMap::from([(field, reason.to_string())]);
    let message = format!("`{field}` {reason}");
    let body = ErrorBody { error: "validation_failed", message, fields };
    (StatusCode::BAD_REQUEST, Json(body)).into_response()
}

fn rejected(e: JsonRejection) -> Response {
    let error = match e {
        JsonRejection::JsonSyntaxError(_) | JsonRejection::MissingJsonContentType(_) => "invalid_json",
        _ => "validation_failed",
    };
    let body = ErrorBody { error, message: e.body_text(), fields: BTreeMap::new() };
    (StatusCode::BAD_REQUEST, Json(body)).into_response()
}

fn main() {
    kit::serve(app());
}
