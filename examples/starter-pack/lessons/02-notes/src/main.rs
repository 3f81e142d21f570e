//! Lesson 2: notes. Read README.md in this folder, then make `apilings check 02` pass.

use std::sync::{Arc, Mutex};

use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::routing::{get, post};
use axum::{Json, Router};
use serde::{Deserialize, Serialize};

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

// TODO: refuse a blank text with 400 {"error": "empty_text"}; store the note
// and answer 201 with a Location header and the note.
async fn create(State(_notes): State<Notes>, Json(_new): Json<NewNote>) -> StatusCode {
    StatusCode::NOT_IMPLEMENTED
}

// TODO: answer the note with this id, or 404 {"error": "not_found"}.
async fn get_one(State(_notes): State<Notes>, Path(_id): Path<u64>) -> StatusCode {
    StatusCode::NOT_IMPLEMENTED
}

fn main() {
    kit::serve(app());
}
