//! Lesson 10: CORS — which web pages may call the API from a browser. A solution.

use axum::extract::rejection::JsonRejection;
use axum::http::{HeaderValue, Method, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::{Json, Router};
use serde::{Deserialize, Serialize};
use tower_http::cors::{AllowOrigin, CorsLayer};

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

/// The one origin allowed, from configuration: a bad or missing value stops the start.
fn allowed_origin() -> HeaderValue {
    let fail = |why: String| -> ! {
        eprintln!("error: {why}");
        std::process::exit(1)
    };
    let origin = std::env::var("ALLOWED_ORIGIN").unwrap_or_else(|_| fail("ALLOWED_ORIGIN is not set".into()));
    origin.parse().unwrap_or_else(|_| fail(format!("ALLOWED_ORIGIN is not a valid origin: {origin:?}")))
}

fn main() {
    let cors = CorsLayer::new()
        // `list` answers only a matching Origin; a single exact value would be sent to everyone.
        .allow_origin(AllowOrigin::list([allowed_origin()]))
        .allow_methods([Method::GET, Method::POST])
        .allow_headers([header::CONTENT_TYPE]);
    let app = Router::new()
        .route("/health", get(|| async { "ok" }))
        .route("/projects", get(list_projects).post(create_project))
        .layer(cors);
    kit::serve(app);
}
