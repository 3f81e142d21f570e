//! Lesson 9: secrets and configuration from the environment. A solution.

use std::fmt;
use std::sync::Arc;

use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::routing::get;
use axum::{Json, Router};
use serde::Serialize;

/// A value that must never be printed: its `Debug` shows `***`, and it has no
/// `Display` or `Serialize`, so it cannot end up in a log line or a response by accident.
#[derive(Clone)]
struct Secret(String);

impl Secret {
    fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Secret(***)")
    }
}

/// Everything the service is configured with, read once at startup.
#[derive(Debug, Clone)]
struct Config {
    api_key: Secret,
    database_url: Secret,
    database_host: String,
    max_page_size: u32,
}

/// What an operator may see of the running configuration: no secrets in it.
#[derive(Serialize)]
struct PublicConfig {
    database_host: String,
    max_page_size: u32,
}

/// Why the configuration could not be read; always names the variable.
#[derive(Debug)]
enum ConfigError {
    Missing(&'static str),
    Invalid { name: &'static str, value: String, expected: &'static str },
}

impl fmt::Display for ConfigError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ConfigError::Missing(name) => write!(f, "{name} is not set; the server cannot start without it"),
            ConfigError::Invalid { name, value, expected } => {
                write!(f, "{name} must be {expected}, got {value:?}")
            }
        }
    }
}

fn required(name: &'static str) -> Result<String, ConfigError> {
    std::env::var(name).ok().filter(|v| !v.is_empty()).ok_or(ConfigError::Missing(name))
}

impl Config {
    fn from_env() -> Result<Config, ConfigError> {
        let api_key = Secret(required("API_KEY")?);
        let database_url = required("DATABASE_URL")?;
        // The host is safe to show; the user and password before `@` are not.
        let database_host = database_url
            .rsplit('@')
            .next()
            .and_then(|rest| rest.split(['/', ':']).next())
            .unwrap_or_default()
            .to_string();
        let max_page_size = match std::env::var("MAX_PAGE_SIZE") {
            Err(_) => 50,
            Ok(v) => v.parse().ok().filter(|n| (1..=1000).contains(n)).ok_or(ConfigError::Invalid {
                name: "MAX_PAGE_SIZE",
                value: v,
                expected: "a number from 1 to 1000",
            })?,
        };
        Ok(Config { api_key, database_url: Secret(database_url), database_host, max_page_size })
    }
}

async fn show_config(State(config): State<Arc<Config>>, headers: HeaderMap) -> Result<Json<PublicConfig>, StatusCode> {
    let sent = headers.get("x-api-key").and_then(|v| v.to_str().ok());
    if sent != Some(config.api_key.expose()) {
        return Err(StatusCode::UNAUTHORIZED);
    }
    Ok(Json(PublicConfig { database_host: config.database_host.clone(), max_page_size: config.max_page_size }))
}

fn main() {
    let config = Config::from_env().unwrap_or_else(|e| {
        eprintln!("error: {e}");
        std::process::exit(1)
    });
    let _pool_target = config.database_url.expose(); // a real service would connect here
    println!("starting with {config:?}");
    let app = Router::new()
        .route("/health", get(|| async { "ok" }))
        .route("/config", get(show_config))
        .with_state(Arc::new(config));
    kit::serve(app);
}
