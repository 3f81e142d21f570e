//! A stand-in for slow work a request may ask for but should not wait for:
//! rendering a report takes [`RENDER_TIME`]. It is async (it gives its thread
//! back while it waits), so it may run in a task on the runtime.

use std::time::Duration;

/// How long [`render`] takes.
pub const RENDER_TIME: Duration = Duration::from_millis(500);

/// Renders the report of `kind` (`sales` or `users`); any other kind fails
/// with a message that says why, as real work sometimes does.
pub async fn render(kind: &str) -> Result<String, String> {
    tokio::time::sleep(RENDER_TIME).await;
    match kind {
        "sales" => Ok("sales report: 42 rows".to_string()),
        "users" => Ok("users report: 3 rows".to_string()),
        other => Err(format!("no data source for reports of kind `{other}`")),
    }
}
