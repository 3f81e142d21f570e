//! Lesson 15: stream a model's answer as server-sent events.
//!
//! This works, all at once: the handler waits for the whole answer, then
//! sends it as one JSON body. Make `POST /stream` send each chunk as the
//! model produces it (see README.md).

use std::collections::BTreeMap;

use axum::extract::rejection::JsonRejection;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use futures_util::StreamExt;
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

#[derive(Serialize)]
struct Answer {
    text: String,
}

fn app() -> Router {
    Router::new()
        .route("/health", get(|| async { "ok" }))
        .route("/stream", post(stream_answer))
}

async fn stream_answer(body: Result<Json<StreamRequest>, JsonRejection>) -> Response {
    let prompt = match body {
        Ok(Json(r)) => r.prompt,
        Err(e) => return rejected(e),
    };
    // TODO: the client sees nothing until the last chunk is produced.
    let chunks: Vec<String> = kit::model::generate(&prompt).collect().await;
    Json(Answer { text: chunks.concat() }).into_response()
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
