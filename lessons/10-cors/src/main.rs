//! Lesson 10: CORS — which web pages may call the API from a browser.
//! Read README.md in this folder, then make `apilings check 10` pass.

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

async fn create_project(Json(project): Json<Project>) -> (axum::http::StatusCode, Json<Project>) {
    (axum::http::StatusCode::CREATED, Json(project))
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
