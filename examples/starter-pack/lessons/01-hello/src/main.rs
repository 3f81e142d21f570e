//! Hello: a health endpoint with a response model. Read README.md in this folder, then make `apilings check 01` pass.

use axum::Router;
use axum::http::StatusCode;
use axum::routing::get;

fn app() -> Router {
    Router::new().route("/health", get(health))
}

// TODO: answer 200 with the JSON body {"status": "ok"}.
async fn health() -> StatusCode {
    StatusCode::NOT_IMPLEMENTED
}

fn main() {
    kit::serve(app());
}
