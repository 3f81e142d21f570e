//! The lesson kit: scaffolding every lesson shares, so lessons are only about
//! the skill they teach. You do not need to edit this crate.

use std::net::Ipv4Addr;

pub mod db;
pub mod images;
pub mod legacy;
pub mod model;
pub mod reports;

/// Worker threads of every lesson server: fixed, so timing checks mean the
/// same on any machine.
pub const WORKER_THREADS: usize = 2;

/// Runs `app` until the process is stopped.
///
/// Listens on 127.0.0.1 (never on other interfaces) at the port in the `PORT`
/// environment variable, 3000 when unset, so that you can also try a lesson
/// yourself with `cargo run -p <lesson crate>` and `curl`.
///
/// Also answers `GET /_kit/counters` with what reached the lessons' database
/// (see [`db`]) and what the model produced (see [`model`]), and
/// `POST /_kit/db/fail-next`: the checks use them; your routes never need them.
///
/// Installs a plain-text `tracing` subscriber at INFO unless your `main` has
/// installed one already (to log before calling `serve`): yours is kept.
pub fn serve(app: axum::Router) {
    // `try_init` fails only when a subscriber is already installed: keep that one.
    let _ = tracing_subscriber::fmt()
        .with_max_level(tracing::Level::INFO)
        .with_ansi(false)
        .with_target(false)
        .try_init();
    let port: u16 = match std::env::var("PORT") {
        Ok(p) => p.parse().unwrap_or_else(|_| fail(&format!("PORT must be a port number, got {p:?}"))),
        Err(_) => 3000,
    };
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(WORKER_THREADS)
        .enable_all()
        .build()
        .unwrap_or_else(|e| fail(&format!("cannot start the tokio runtime: {e}")));
    runtime.block_on(async move {
        let listener = tokio::net::TcpListener::bind((Ipv4Addr::LOCALHOST, port))
            .await
            .unwrap_or_else(|e| fail(&format!("cannot listen on 127.0.0.1:{port}: {e}")));
        tracing::info!("listening on http://127.0.0.1:{port}");
        let app = app.merge(counters()).layer(axum::middleware::from_fn(db::outage));
        if let Err(e) = axum::serve(listener, app).await {
            fail(&format!("server error: {e}"));
        }
    });
}

/// The routes the checks read the kit's counts at, and fail the database with.
fn counters() -> axum::Router {
    axum::Router::new()
        .route(
            "/_kit/counters",
            axum::routing::get(|| async {
                let (connections, statements) = db::counts();
                axum::Json(serde_json::json!({
                    "connections_opened": connections,
                    "statements": statements,
                    "chunks_produced": model::chunks_produced(),
                }))
            }),
        )
        .route(
            "/_kit/db/fail-next",
            axum::routing::post(|| async {
                db::fail_next();
                "the next request's statements fail\n"
            }),
        )
}

fn fail(message: &str) -> ! {
    eprintln!("error: {message}");
    std::process::exit(1)
}
