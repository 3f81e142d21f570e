//! The starter pack's kit: what every lesson shares, so lessons are only about
//! the skill they teach. (The core pack's kit also serves counters, a
//! database and a model for the `counters` and `stream` checks; this pack has
//! no lesson that needs them.)

use std::net::Ipv4Addr;

/// Runs `app` on 127.0.0.1 at the port in `PORT` (3000 when unset) until the
/// process is stopped. Never listens on other interfaces.
pub fn serve(app: axum::Router) {
    let _ = tracing_subscriber::fmt()
        .with_max_level(tracing::Level::INFO)
        .with_ansi(false)
        .try_init();
    let port: u16 = match std::env::var("PORT") {
        Ok(p) => p.parse().unwrap_or_else(|_| fail(&format!("PORT must be a port number, got {p:?}"))),
        Err(_) => 3000,
    };
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap_or_else(|e| fail(&format!("cannot start the tokio runtime: {e}")));
    runtime.block_on(async move {
        let listener = tokio::net::TcpListener::bind((Ipv4Addr::LOCALHOST, port))
            .await
            .unwrap_or_else(|e| fail(&format!("cannot listen on 127.0.0.1:{port}: {e}")));
        tracing::info!("listening on http://127.0.0.1:{port}");
        if let Err(e) = axum::serve(listener, app).await {
            fail(&format!("server error: {e}"));
        }
    });
}

fn fail(message: &str) -> ! {
    eprintln!("error: {message}");
    std::process::exit(1)
}
