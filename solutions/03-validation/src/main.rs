//! Lesson 3: validating every input, with one consistent error body. A solution.

use std::collections::BTreeMap;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

use axum::extract::rejection::JsonRejection;
use axum::extract::{FromRequest, Request, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::post;
use axum::{Json, Router};
use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};
use garde::{Report, Validate};

/// What a client sends to create a user: the rules live on the type.
#[derive(Debug, Deserialize, Validate)]
#[serde(deny_unknown_fields)]
struct CreateUser {
    #[garde(email)]
    email: String,
    #[garde(length(chars, min = 1, max = 100))]
    name: String,
    #[garde(length(chars, min = 8))]
    #[allow(dead_code)] // stored (hashed) by a real service
    password: String,
}

/// What every endpoint answers about a user.
#[derive(Debug, Serialize)]
struct UserResponse {
    id: String,
    email: String,
    name: String,
}

/// Every way a request can fail, answered with one body shape.
enum ApiError {
    /// The JSON was well formed but its values break the rules.
    Validation {
        message: String,
        fields: BTreeMap<String, String>,
    },
    /// The body was not JSON at all.
    InvalidJson(String),
}

/// The one error body of this API.
#[derive(Serialize)]
struct ErrorBody {
    error: &'static str,
    message: String,
    #[serde(skip_serializing_if = "BTreeMap::is_empty")]
    fields: BTreeMap<String, String>,
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let body = match self {
            ApiError::Validation { message, fields } => ErrorBody {
                error: "validation_failed",
                message,
                fields,
            },
            ApiError::InvalidJson(message) => ErrorBody {
                error: "invalid_json",
                message,
                fields: BTreeMap::new(),
            },
        };
        (StatusCode::BAD_REQUEST, Json(body)).into_response()
    }
}

impl From<JsonRejection> for ApiError {
    fn from(rejection: JsonRejection) -> Self {
        // Broken JSON, or no JSON content type.
        ApiError::InvalidJson(rejection.body_text())
    }
}

impl From<serde_path_to_error::Error<serde_json::Error>> for ApiError {
    /// Well-formed JSON of the wrong shape: unknown, missing or mistyped fields.
    fn from(e: serde_path_to_error::Error<serde_json::Error>) -> Self {
        let path = e.path().to_string();
        let serde_says = e.inner().to_string();
        // serde quotes the value it got ("invalid type: string \"hunter2\""): a
        // password sent as the wrong type would come back. Name the field, not the value.
        let message = if serde_says.starts_with("invalid") {
            format!("{path}: has the wrong type or value")
        } else {
            serde_says // "missing field `email`", "unknown field `is_admin`, expected …"
        };
        ApiError::Validation {
            message,
            fields: BTreeMap::new(),
        }
    }
}

impl From<Report> for ApiError {
    fn from(report: Report) -> Self {
        // One entry per failing field; a field that breaks two rules gets both reasons.
        let mut fields = BTreeMap::<String, String>::new();
        for (path, error) in report.iter() {
            let reason = fields.entry(path.to_string()).or_default();
            if !reason.is_empty() {
                reason.push_str("; ");
            }
            reason.push_str(error.message());
        }
        ApiError::Validation {
            message: "some fields are invalid".into(),
            fields,
        }
    }
}

/// `Json<T>` that also runs `T`'s validation rules: handlers only ever see valid input.
struct ValidJson<T>(T);

impl<S, T> FromRequest<S> for ValidJson<T>
where
    S: Send + Sync,
    T: DeserializeOwned + Validate<Context = ()>,
{
    type Rejection = ApiError;

    async fn from_request(req: Request, state: &S) -> Result<Self, Self::Rejection> {
        // First any JSON at all, then the shape, with the path of the field at fault.
        let Json(json) = Json::<serde_json::Value>::from_request(req, state).await?;
        let value: T = serde_path_to_error::deserialize(json)?;
        value.validate()?; // every failing field at once, in a Report
        Ok(ValidJson(value))
    }
}

#[derive(Clone, Default)]
struct AppState {
    next_id: Arc<AtomicU64>,
}

fn app() -> Router {
    Router::new()
        .route("/users", post(create_user))
        .with_state(AppState::default())
}

async fn create_user(State(state): State<AppState>, ValidJson(req): ValidJson<CreateUser>) -> Response {
    let id = format!("u{}", state.next_id.fetch_add(1, Ordering::Relaxed) + 1);
    let body = UserResponse {
        id: id.clone(),
        email: req.email,
        name: req.name,
    };
    (StatusCode::CREATED, [(header::LOCATION, format!("/users/{id}"))], Json(body)).into_response()
}

fn main() {
    kit::serve(app());
}
