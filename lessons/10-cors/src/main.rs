//! Lesson 10: CORS — which web pages may call the API from a browser.
//! Read README.md in this folder, then make `apilings check 10` pass.

use axum::extract::rejection::JsonRejection;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::{Json, Router};
use serde::{Deserialize, Serialize};
use tower_http::cors::CorsLayer;

#[derive(Serialize, Deserialize, Clone)]
struct Project {
    name: String,
}

async fn list_projects() -> Json<Vec<Project>> {
    Json(vec![Project { name: "apilings".into() }])
}

async fn create_project(body: Result<Json<Project>, JsonRejection>) -> Response {
    match body {
        Ok(Json(project)) => (StatusCode::CREATED, Json(project)).into_response(),
        Err(e) => rejected(e),
    }
}

/// Every bad input answers 400 with the API's one error body (lesson 3).
fn rejected(e: JsonRejection) -> Response {
    let error = match e {
        JsonRejection::JsonSyntaxError(_) | JsonRejection::MissingJsonContentType(_) => "invalid_json",
        _ => "validation_failed",
    };
    let body = serde_json::json!({ "error": error, "message": e.body_text() });
    (StatusCode::BAD_REQUEST, Json(body)).into_response()
}

fn main() {
    // TODO: allow only the origin in ALLOWED_ORIGIN (e.g. https://app.example.com),
    // the methods GET and POST and the header content-type. Anything else gets no
    // CORS headers at all. (It starts "permissive": every site on the web may call it.)
    let cors = CorsLayer::permissive();
    let app = Router::new()
        .route("/health", get(|| async { "ok" }))
        .route("/projects", get(list_projects).post(create_project))
        .layer(cors);
    kit::serve(app);
}
