//! A stand-in for a partner's image service, which is failing today: every
//! [`fetch_avatar`] answers an error that says why, as a real outage would.
//! Its message is for your logs, not for your clients.

use std::time::Duration;

/// The avatar of `user_id`: always an error, after a short round trip.
pub async fn fetch_avatar(user_id: u64) -> Result<Vec<u8>, String> {
    tokio::time::sleep(Duration::from_millis(20)).await;
    Err(format!(
        "image service answered 503 for avatars/{user_id}.png: quota exceeded for key img-prod-7"
    ))
}
