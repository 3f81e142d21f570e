//! Lesson 17: an OpenAPI document that is complete and accurate: served,
//! every operation and every status it answers declared, with the schemas
//! of what it really sends, and examples. A solution.

use std::collections::{BTreeMap, HashMap};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};

use axum::extract::rejection::{JsonRejection, PathRejection};
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::routing::get;
use axum::{Json, Router};
use garde::Validate;
use serde::{Deserialize, Serialize};
use utoipa::{OpenApi, ToSchema};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

/// A user to create.
#[derive(Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({ "name": "Ada Lovelace", "email": "ada@example.com" }))]
struct NewUser {
    #[garde(length(chars, min = 1, max = 100))]
    name: String,
    #[garde(email)]
    email: String,
}

/// A user as clients see it.
#[derive(Clone, Serialize, ToSchema)]
struct User {
    id: u64,
    name: String,
    email: String,
}

/// Every error this API answers (lesson 3's one body).
#[derive(Serialize, ToSchema)]
#[schema(example = json!({ "error": "validation_failed", "message": "some fields are invalid", "fields": { "email": "not a valid email" } }))]
struct ErrorBody {
    error: String,
    message: String,
    /// Why each invalid field was refused, by field.
    #[serde(skip_serializing_if = "BTreeMap::is_empty")]
    fields: BTreeMap<String, String>,
}

type ApiError = (StatusCode, Json<ErrorBody>);

fn error(status: StatusCode, error: &str, message: String) -> ApiError {
    (status, Json(ErrorBody { error: error.into(), message, fields: BTreeMap::new() }))
}

fn rejected(e: JsonRejection) -> ApiError {
    let code = match e {
        JsonRejection::JsonSyntaxError(_) | JsonRejection::MissingJsonContentType(_) => "invalid_json",
        _ => "validation_failed",
    };
    error(StatusCode::BAD_REQUEST, code, e.body_text())
}

fn invalid(report: garde::Report) -> ApiError {
    let fields = report.iter().map(|(path, e)| (path.to_string(), e.to_string())).collect();
    let message = "some fields are invalid".to_string();
    (StatusCode::BAD_REQUEST, Json(ErrorBody { error: "validation_failed".into(), message, fields }))
}

#[derive(Clone, Default)]
struct AppState {
    next_id: Arc<AtomicU64>,
    users: Arc<Mutex<HashMap<u64, User>>>,
}

#[derive(OpenApi)]
#[openapi(info(title = "Users", version = "1.0.0", description = "Lesson 17's users API"))]
struct ApiDoc;

fn app() -> Router {
    // One router for the routes and the document, so neither can miss the other.
    let (router, api) = OpenApiRouter::with_openapi(ApiDoc::openapi())
        .routes(routes!(create_user, list_users))
        .routes(routes!(get_user))
        .with_state(AppState::default())
        .split_for_parts();
    router
        .route("/health", get(|| async { "ok" }))
        .route("/openapi.json", get(move || async move { Json(api) }))
}

/// Creates a user.
#[utoipa::path(
    post,
    path = "/users",
    request_body = NewUser,
    responses(
        (status = 201, description = "The user, created", body = User),
        (status = 409, description = "A user has this email already", body = ErrorBody),
        (status = 400, description = "The body is not a valid new user", body = ErrorBody),
    )
)]
async fn create_user(
    State(state): State<AppState>,
    body: Result<Json<NewUser>, JsonRejection>,
) -> Result<(StatusCode, Json<User>), ApiError> {
    let Json(new) = body.map_err(rejected)?;
    new.validate().map_err(invalid)?;
    let mut users = state.users.lock().unwrap_or_else(|e| e.into_inner());
    if users.values().any(|u| u.email == new.email) {
        let message = format!("a user has the email {} already", new.email);
        return Err(error(StatusCode::CONFLICT, "conflict", message));
    }
    let id = state.next_id.fetch_add(1, Ordering::Relaxed) + 1;
    let user = User { id, name: new.name, email: new.email };
    users.insert(id, user.clone());
    Ok((StatusCode::CREATED, Json(user)))
}

/// Lists every user, by id.
#[utoipa::path(get, path = "/users", responses((status = 200, description = "Every user", body = [User])))]
async fn list_users(State(state): State<AppState>) -> Json<Vec<User>> {
    let users = state.users.lock().unwrap_or_else(|e| e.into_inner());
    let mut all: Vec<User> = users.values().cloned().collect();
    all.sort_by_key(|u| u.id);
    Json(all)
}

/// One user.
#[utoipa::path(
    get,
    path = "/users/{id}",
    params(("id" = u64, Path, description = "The user's id")),
    responses(
        (status = 200, description = "The user", body = User),
        (status = 400, description = "The id is not a number", body = ErrorBody),
        (status = 404, description = "No user has this id", body = ErrorBody),
    )
)]
async fn get_user(
    State(state): State<AppState>,
    path: Result<Path<u64>, PathRejection>,
) -> Result<Json<User>, ApiError> {
    let Path(id) = path.map_err(|e| {
        let fields = BTreeMap::from([("id".to_string(), e.body_text())]);
        let message = "the id must be a number".to_string();
        (StatusCode::BAD_REQUEST, Json(ErrorBody { error: "validation_failed".into(), message, fields }))
    })?;
    let users = state.users.lock().unwrap_or_else(|e| e.into_inner());
    let user = users.get(&id).cloned();
    user.map(Json).ok_or_else(|| error(StatusCode::NOT_FOUND, "not_found", format!("no user {id}")))
}

fn main() {
    kit::serve(app());
}
