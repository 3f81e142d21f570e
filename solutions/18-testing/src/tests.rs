//! Tests of the API in `handlers.rs`: each sends a request straight to the
//! `Router` (no port, no network) and looks at the response. A solution.

use axum::body::Body;
use axum::http::{Request, StatusCode};
use serde_json::{Value, json};
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

fn post_user(body: Value) -> Request<Body> {
    Request::post("/users")
        .header("content-type", "application/json")
        .body(Body::from(body.to_string()))
        .unwrap()
}

/// One app for several requests: `oneshot` consumes it, so clone it first.
async fn send_to(app: &axum::Router, request: Request<Body>) -> (StatusCode, Value) {
    let response = app.clone().oneshot(request).await.expect("the router never fails");
    let status = response.status();
    let bytes = axum::body::to_bytes(response.into_body(), 1 << 20).await.expect("a body");
    (status, serde_json::from_slice(&bytes).unwrap_or(Value::Null))
}

#[tokio::test]
async fn creating_a_user_answers_201_with_the_user() {
    let (status, body) = send(post_user(json!({ "name": "Ada", "email": "ada@example.com" }))).await;
    assert_eq!(status, StatusCode::CREATED);
    assert_eq!(body["name"], "Ada");
    assert_eq!(body["email"], "ada@example.com");
    assert!(body["id"].is_u64());
}

#[tokio::test]
async fn an_empty_name_or_a_bad_email_is_refused_with_400() {
    for (body, field) in [
        (json!({ "name": "", "email": "ada@example.com" }), "name"),
        (json!({ "name": "Ada", "email": "not-an-email" }), "email"),
    ] {
        let (status, body) = send(post_user(body)).await;
        assert_eq!(status, StatusCode::BAD_REQUEST);
        assert_eq!(body["error"], "validation_failed");
        assert!(body["fields"][field].is_string(), "{body}");
    }
}

#[tokio::test]
async fn a_second_user_with_the_same_email_is_a_conflict() {
    let app = app();
    let first = post_user(json!({ "name": "Ada", "email": "ada@example.com" }));
    assert_eq!(send_to(&app, first).await.0, StatusCode::CREATED);
    let again = post_user(json!({ "name": "Ada II", "email": "ada@example.com" }));
    let (status, body) = send_to(&app, again).await;
    assert_eq!(status, StatusCode::CONFLICT);
    assert_eq!(body["error"], "conflict");
}

#[tokio::test]
async fn a_created_user_reads_back_and_an_unknown_one_is_404() {
    let app = app();
    let created = post_user(json!({ "name": "Ada", "email": "ada@example.com" }));
    let (_, user) = send_to(&app, created).await;
    let path = format!("/users/{}", user["id"]);
    let (status, body) = send_to(&app, Request::get(path).body(Body::empty()).unwrap()).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(body, user);
    let unknown = Request::get("/users/999").body(Body::empty()).unwrap();
    let (status, body) = send_to(&app, unknown).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert_eq!(body["error"], "not_found");
}
