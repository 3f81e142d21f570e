//! Your tests of the API in `handlers.rs`: each sends a request straight to
//! the `Router` (no port, no network) and looks at the response.

use axum::body::Body;
use axum::http::{Request, StatusCode};
use serde_json::Value;
use tower::ServiceExt;

use crate::handlers::app;

/// Sends `request` to a fresh app and returns the status and the body as JSON
/// (`Value::Null` when the body is not JSON).
async fn send(request: Request<Body>) -> (StatusCode, Value) {
    let response = app().oneshot(request).await.expect("the router never fails");
    let status = response.status();
    let bytes = axum::body::to_bytes(response.into_body(), 1 << 20).await.expect("a body");
    (status, serde_json::from_slice(&bytes).unwrap_or(Value::Null))
}

#[tokio::test]
async fn health_answers() {
    let request = Request::get("/health").body(Body::empty()).unwrap();
    let (status, _) = send(request).await;
    assert_eq!(status, StatusCode::OK);
}

// TODO: test creating a user, the rules on its fields, a second user with the
// same email, and reading users back. Your tests are run against broken
// variants of handlers.rs: each must make at least one of them fail.
