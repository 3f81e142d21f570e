//! Child processes that belong to a run, and nothing that outlives it.
//!
//! Every child (cargo, the learner's server) is started by [`own`]: in a session
//! of its own (so a process group of its own, and no controlling terminal it could
//! write escape sequences to or block on), killed by the kernel when apilings
//! dies (`PR_SET_PDEATHSIG`), and marked in its environment with the run's mark,
//! which its descendants inherit. [`ProcessGroup`] kills the group when the run
//! ends, and then the marked processes that left the group (`setsid`, a double
//! fork): apilings is a child subreaper, so they come back to it as children. If
//! apilings itself dies, by any signal, a small guard process (started once)
//! sees its pipe close and kills every process marked by this apilings.

use std::io;
use std::os::unix::process::CommandExt as _;
use std::process::Stdio;
use std::sync::{Mutex, OnceLock};
use std::time::Duration;

use nix::sys::signal::{Signal, kill, killpg};
use nix::unistd::Pid;

/// Names this apilings process in its children's environment (for the guard).
const OWNER_VAR: &str = "APILINGS_OWNER";
/// Names one run's process group in its children's environment.
const RUN_VAR: &str = "APILINGS_RUN";

/// Kills every process whose environment holds `APILINGS_OWNER=$1`, once the
/// pipe from apilings closes (apilings ended, however it ended).
const GUARD: &str = r#"mark="APILINGS_OWNER=$1"
# "done" from apilings: it ended normally, its runs cleaned up after themselves.
read -r said; [ "$said" = done ] && exit 0
for round in 1 2 3; do
  for env in $(grep -lzx -- "$mark" /proc/[0-9]*/environ 2>/dev/null); do
    pid=${env#/proc/}; kill -9 "${pid%/environ}" 2>/dev/null
  done
done"#;

/// This apilings' mark, set up once: subreaper, guard, token.
struct Owner {
    token: String,
    /// The write end of the guard's stdin: closed by the kernel when apilings ends.
    _guard: Mutex<Option<std::process::ChildStdin>>,
}

static OWNER: OnceLock<Owner> = OnceLock::new();

fn owner() -> &'static Owner {
    OWNER.get_or_init(|| {
        // Orphaned descendants (a double fork) are re-parented to us, not to init,
        // so the end of a run can find and kill them.
        let _ = nix::sys::prctl::set_child_subreaper(true);
        let token = random_hex();
        let mut guard = std::process::Command::new("sh");
        guard
            .args(["-c", GUARD, "apilings-guard", &token])
            .env_remove(OWNER_VAR)
            .env_remove(RUN_VAR)
            .stdin(Stdio::piped())
            .stdout(Stdio::null())
            .stderr(Stdio::null());
        // SAFETY: setsid is async-signal-safe; nothing else runs between fork and exec.
        unsafe {
            guard.pre_exec(|| nix::unistd::setsid().map(|_| ()).map_err(io::Error::from));
        }
        let stdin = guard.spawn().ok().and_then(|mut c| c.stdin.take());
        Owner {
            token,
            _guard: Mutex::new(stdin),
        }
    })
}

/// Which of apilings' environment variables a graded process may see.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Inherit {
    /// cargo and what it runs (rustc, build scripts, proc macros): the system's
    /// basics plus the Rust toolchain's own settings.
    Build,
    /// The learner's server: the system's basics only (its lesson environment
    /// and `PORT` are added by the caller).
    Server,
}

/// True when `name` may pass from apilings' environment into a graded process:
/// an allow-list, so a CI token or a cloud key in the grader's environment
/// never reaches a learner's `build.rs` or server.
pub fn inherited(name: &str, to: Inherit) -> bool {
    const BASICS: [&str; 12] = [
        "PATH", "HOME", "USER", "LOGNAME", "SHELL", "LANG", "LANGUAGE", "TZ", "TMPDIR", "TMP",
        "TEMP", "NO_COLOR",
    ];
    // What cargo needs to find the toolchain, the registry and a proxy.
    const BUILD: [&str; 12] = [
        "TERM",
        "http_proxy",
        "https_proxy",
        "no_proxy",
        "HTTP_PROXY",
        "HTTPS_PROXY",
        "NO_PROXY",
        "SSL_CERT_FILE",
        "SSL_CERT_DIR",
        "CARGO",
        "RUSTC",
        "RUSTC_WRAPPER",
    ];
    if BASICS.contains(&name) || name.starts_with("LC_") {
        return true;
    }
    if to == Inherit::Server {
        return false;
    }
    let secretish = ["TOKEN", "SECRET", "PASSWORD", "CREDENTIAL", "KEY"]
        .iter()
        .any(|w| name.to_ascii_uppercase().contains(w));
    BUILD.contains(&name)
        || (!secretish
            && [
                "CARGO_",
                "RUSTUP_",
                "RUSTFLAGS",
                "RUSTDOCFLAGS",
                "CARGO_ENCODED_RUSTFLAGS",
            ]
            .iter()
            .any(|p| name.starts_with(p)))
}

/// Tells the guard that apilings ends normally: every run has already killed
/// what it started, so the guard exits without looking. Call once, at the end.
pub fn release_guard() {
    use std::io::Write as _;
    let Some(owner) = OWNER.get() else {
        return; // nothing was ever started
    };
    if UNSWEPT.load(std::sync::atomic::Ordering::SeqCst) {
        return; // a run was abandoned: let the guard look for what it left
    }
    if let Ok(mut guard) = owner._guard.lock()
        && let Some(mut stdin) = guard.take()
    {
        let _ = stdin.write_all(b"done\n");
    }
}

/// Makes `cmd` a process of this run: its own session and group, no terminal,
/// killed with apilings, marked, and with only the allowed part of apilings'
/// environment (`to`). Returns the run's mark for [`ProcessGroup::new`].
/// Variables the caller sets on `cmd` afterwards are passed as they are.
pub fn own(cmd: &mut tokio::process::Command, to: Inherit) -> String {
    let owner = owner();
    let mark = random_hex();
    let parent = std::process::id();
    cmd.env_clear();
    cmd.envs(std::env::vars_os().filter(|(k, _)| k.to_str().is_some_and(|k| inherited(k, to))));
    cmd.env(OWNER_VAR, &owner.token)
        .env(RUN_VAR, &mark)
        .stdin(Stdio::null());
    // SAFETY: only async-signal-safe calls (setsid, prctl, getppid) run between
    // fork and exec. PDEATHSIG fires when the thread that forked exits: runs are
    // started from the runtime's worker threads, which live as long as apilings.
    unsafe {
        cmd.pre_exec(move || {
            nix::unistd::setsid().map_err(io::Error::from)?;
            nix::sys::prctl::set_pdeathsig(Signal::SIGKILL).map_err(io::Error::from)?;
            // apilings died between fork and prctl: do not start at all.
            if nix::unistd::getppid().as_raw() as u32 != parent {
                return Err(io::Error::other("apilings is gone"));
            }
            Ok(())
        });
    }
    mark
}

/// Owns a process group: dropping it kills every member, and every process of
/// the run that left the group.
#[derive(Debug)]
pub struct ProcessGroup {
    pgid: Option<i32>,
    mark: String,
    swept: bool,
}

/// Set when a group was dropped before its run swept it (an interrupted run):
/// then the guard still looks for escapees when apilings ends.
static UNSWEPT: std::sync::atomic::AtomicBool = std::sync::atomic::AtomicBool::new(false);

impl ProcessGroup {
    /// Takes ownership of the group led by `pid`, started by [`own`] with `mark`.
    pub fn new(pid: Option<u32>, mark: String) -> Self {
        ProcessGroup {
            pgid: pid.map(|p| p as i32),
            mark,
            swept: false,
        }
    }

    /// Kills every process of the group now (idempotent).
    pub fn kill(&mut self) {
        if let Some(pgid) = self.pgid {
            // ESRCH means the group is already gone, which is what we want.
            let _ = killpg(Pid::from_raw(pgid), Signal::SIGKILL);
        }
    }

    /// Kills the run's processes that left the group and have come back to us
    /// as orphans. Call once the group's leader is reaped.
    pub fn sweep(&mut self) {
        sweep(&self.mark, self.pgid);
        self.swept = true;
    }
}

impl Drop for ProcessGroup {
    fn drop(&mut self) {
        self.kill();
        if !self.swept {
            UNSWEPT.store(true, std::sync::atomic::Ordering::SeqCst);
        }
        // Escaped processes reach us only once their parents, just killed, are
        // gone: look a moment later, without holding up whoever dropped the run.
        let (mark, leader) = (std::mem::take(&mut self.mark), self.pgid);
        let _ = std::thread::Builder::new()
            .name("apilings-sweep".into())
            .spawn(move || {
                std::thread::sleep(Duration::from_millis(100));
                sweep(&mark, leader);
            });
    }
}

/// SIGKILLs (and reaps) our children that carry `mark`, except the group's leader
/// (reaped by whoever spawned it).
fn sweep(mark: &str, leader: Option<i32>) {
    if mark.is_empty() {
        return;
    }
    let needle = format!("{RUN_VAR}={mark}");
    let escaped: Vec<i32> = children()
        .into_iter()
        .filter(|&pid| Some(pid) != leader)
        .filter(|&pid| {
            std::fs::read(format!("/proc/{pid}/environ"))
                .is_ok_and(|env| env.split(|&b| b == 0).any(|var| var == needle.as_bytes()))
        })
        .collect();
    for &pid in &escaped {
        let _ = kill(Pid::from_raw(pid), Signal::SIGKILL);
    }
    if !escaped.is_empty() {
        // They are our children now: reap them, or they stay as zombies.
        let _ = std::thread::Builder::new()
            .name("apilings-reap".into())
            .spawn(move || {
                for pid in escaped {
                    let _ = nix::sys::wait::waitpid(Pid::from_raw(pid), None);
                }
            });
    }
}

/// Our direct children (every thread's), from /proc.
fn children() -> Vec<i32> {
    let mut pids = Vec::new();
    let Ok(tasks) = std::fs::read_dir("/proc/self/task") else {
        return pids;
    };
    for task in tasks.flatten() {
        if let Ok(list) = std::fs::read_to_string(task.path().join("children")) {
            pids.extend(
                list.split_whitespace()
                    .filter_map(|p| p.parse::<i32>().ok()),
            );
        }
    }
    pids
}

/// 16 hex characters from the OS random source (a per-process counter if it fails:
/// a mark only needs to be unique, not secret).
fn random_hex() -> String {
    let mut bytes = [0u8; 8];
    if getrandom::fill(&mut bytes).is_err() {
        use std::sync::atomic::{AtomicU64, Ordering};
        static NEXT: AtomicU64 = AtomicU64::new(0);
        let n = NEXT.fetch_add(1, Ordering::Relaxed) ^ u64::from(std::process::id()) << 32;
        bytes = n.to_le_bytes();
    }
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_the_allow_list_reaches_a_graded_process() {
        for name in ["PATH", "HOME", "LANG", "LC_ALL", "TMPDIR"] {
            assert!(
                inherited(name, Inherit::Server) && inherited(name, Inherit::Build),
                "{name}"
            );
        }
        for name in [
            "CARGO_HOME",
            "RUSTUP_TOOLCHAIN",
            "RUSTFLAGS",
            "CARGO_TARGET_DIR",
            "https_proxy",
        ] {
            assert!(inherited(name, Inherit::Build), "{name}");
            assert!(!inherited(name, Inherit::Server), "{name}");
        }
        for name in [
            "GITHUB_TOKEN",
            "AWS_SECRET_ACCESS_KEY",
            "CARGO_REGISTRY_TOKEN",
            "CARGO_REGISTRIES_MINE_TOKEN",
            "API_KEY",
            "DATABASE_URL",
            "CI",
            "SSH_AUTH_SOCK",
        ] {
            assert!(
                !inherited(name, Inherit::Build) && !inherited(name, Inherit::Server),
                "{name}"
            );
        }
    }
}
