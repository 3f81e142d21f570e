//! Stand-ins for the blocking code real services call: a synchronous SDK and a
//! password hash. Like the real ones they hold the calling thread until they
//! return; their slowness is a sleep, so a lesson's timing means the same on
//! any machine.

use std::time::Duration;

/// How long [`fetch_profile`] holds its thread, like a synchronous HTTP SDK call.
pub const PROFILE_LATENCY: Duration = Duration::from_millis(200);

/// How long [`verify_password`] holds its thread, like a password hash at a
/// production cost.
pub const HASH_TIME: Duration = Duration::from_millis(150);

/// A profile from the (pretend) CRM.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Profile {
    /// The profile's id.
    pub id: u32,
    /// The person's name.
    pub name: String,
    /// `free` or `pro`.
    pub plan: String,
}

/// Looks a profile up in the CRM, with its blocking client: `None` when there is none.
pub fn fetch_profile(id: u32) -> Option<Profile> {
    std::thread::sleep(PROFILE_LATENCY);
    let (name, plan) = match id {
        1 => ("Ada Lovelace", "pro"),
        2 => ("Grace Hopper", "free"),
        3 => ("Edsger Dijkstra", "pro"),
        _ => return None,
    };
    Some(Profile {
        id,
        name: name.to_string(),
        plan: plan.to_string(),
    })
}

/// True when `password` is `user`'s password. Computing the hash holds the
/// thread for [`HASH_TIME`], whatever the answer.
pub fn verify_password(user: &str, password: &str) -> bool {
    std::thread::sleep(HASH_TIME);
    matches!((user, password), ("ada", "correct horse battery staple") | ("grace", "nanosecond"))
}
