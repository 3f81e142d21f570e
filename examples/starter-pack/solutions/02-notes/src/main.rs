//! Lesson 2: notes. A solution.

use std::sync::{Arc, Mutex};

use axum::extract::{Path, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use serde::{Deserialize, Serialize};
use serde_json::json;

/// A stored note.
#[derive(Clone, Serialize)]
struct Note {
    id: u64,
    text: String,
}

/// The body of POST /notes.
#[derive(Deserialize)]
struct NewNote {
    text: String,
}

type Notes = Arc<Mutex<Vec<Note>>>;

fn app() -> Router {
    Router::new()
        .route("/notes", post(create))
        .route("/notes/{id}", get(get_one))
        .with_state(Notes::default())
}

async fn create(State(notes): State<Notes>, Json(new): Json<NewNote>) -> Response {
    if new.text.trim().is_empty() {
        return (StatusCode::BAD_REQUEST, Json(json!({"error": "empty_text"}))).into_response();
    }
    let mut notes = notes.lock().unwrap_or_else(|e| e.into_inner());
    let note = Note {
        id: notes.len() as u64 + 1,
        text: new.text,
    };
    notes.push(note.clone());
    let location = format!("/notes/{}", note.id);
    (StatusCode::CREATED, [(header::LOCATION, location)], Json(note)).into_response()
}

async fn get_one(State(notes): State<Notes>, Path(id): Path<u64>) -> Response {
    let notes = notes.lock().unwrap_or_else(|e| e.into_inner());
    match notes.iter().find(|n| n.id == id) {
        Some(note) => Json(note.clone()).into_response(),
        None => (StatusCode::NOT_FOUND, Json(json!({"error": "not_found"}))).into_response(),
    }
}

fn main() {
    kit::serve(app());
}
