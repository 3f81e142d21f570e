//! A child process group that is killed when its owner lets go of it.

use nix::sys::signal::{Signal, killpg};
use nix::unistd::Pid;

/// Owns a process group: dropping it sends SIGKILL to every member.
#[derive(Debug)]
pub struct ProcessGroup {
    pgid: Option<i32>,
}

impl ProcessGroup {
    /// Takes ownership of the group led by `pid` (spawned with `process_group(0)`).
    pub fn new(pid: Option<u32>) -> Self {
        ProcessGroup {
            pgid: pid.map(|p| p as i32),
        }
    }

    /// Kills every process of the group now (idempotent).
    pub fn kill(&mut self) {
        if let Some(pgid) = self.pgid {
            // ESRCH means the group is already gone, which is what we want.
            let _ = killpg(Pid::from_raw(pgid), Signal::SIGKILL);
        }
    }

    /// Forgets the group without killing it (after it has been killed and reaped).
    pub fn disarm(&mut self) {
        self.pgid = None;
    }
}

impl Drop for ProcessGroup {
    fn drop(&mut self) {
        self.kill();
    }
}
