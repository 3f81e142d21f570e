//! Lesson 9: secrets and configuration from the environment.
//! Read README.md in this folder, then make `apilings check 09` pass.

use std::sync::Arc;

use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::routing::get;
use axum::{Json, Router};
use serde::Serialize;

/// Everything the service is configured with.
#[derive(Debug, Clone, Serialize)]
struct Config {
    api_key: String,
    database_url: String,
    max_page_size: u32,
}

impl Config {
    fn from_env() -> Config {
        Config {
            api_key: std::env::var("API_KEY").unwrap_or_else(|_| "dev-key".to_string()),
            database_url: std::env::var("DATABASE_URL").unwrap(),
            max_page_size: std::env::var("MAX_PAGE_SIZE")
                .ok()
                .and_then(|v| v.parse().ok())
                .unwrap_or(50),
        }
    }
}

/// GET /config: what an operator may see of the running configuration.
async fn show_config(State(config): State<Arc<Config>>, headers: HeaderMap) -> Result<Json<Config>, StatusCode> {
    let sent = headers.get("x-api-key").and_then(|v| v.to_str().ok());
    if sent != Some(config.api_key.as_str()) {
        return Err(StatusCode::UNAUTHORIZED);
    }
    Ok(Json((*config).clone()))
}

fn main() {
    let config = Config::from_env();
    println!("starting with {config:?}");
    let app = Router::new()
        .route("/health", get(|| async { "ok" }))
        .route("/config", get(show_config))
        .with_state(Arc::new(config));
    kit::serve(app);
}
