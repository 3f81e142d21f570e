//! Which server grades a lesson (a [`Stack`]): its crate, any server's
//! command, or a server already running; and what an item needs that a stack
//! may lack (such an item is not applicable there, never passed).

use std::path::PathBuf;

use crate::lessons::Lesson;

use super::serve::Target;

/// Which server grades a lesson.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub enum Stack {
    /// The lesson's crate in the workspace, built by cargo.
    #[default]
    Crate,
    /// Any server's command line, run by `sh -c` in `cwd` with `PORT` set
    /// (`{port}` in it is replaced by the port): a FastAPI app, say.
    Command {
        /// The command line.
        line: String,
        /// Where it runs.
        cwd: PathBuf,
    },
    /// A server already running on loopback: not started, not stopped, what
    /// it prints unseen.
    Running {
        /// The URL as given.
        url: String,
        /// Its port on 127.0.0.1.
        port: u16,
    },
}

impl Stack {
    /// A server already running at `url`, which must be `http://` on
    /// loopback (127.0.0.1 or localhost) with a port and no path: the checks
    /// talk to nothing else.
    pub fn running(url: &str) -> Result<Stack, String> {
        let bad = |why: &str| Err(format!("cannot grade {url}: {why}"));
        let Some(rest) = url.strip_prefix("http://") else {
            return bad("give an http:// URL, e.g. http://127.0.0.1:8000");
        };
        let authority = rest.trim_end_matches('/');
        if authority.contains('/') {
            return bad("give the server's root (no path): the lessons' requests name their paths");
        }
        let Some((host, port)) = authority.rsplit_once(':') else {
            return bad("give the port, e.g. http://127.0.0.1:8000");
        };
        if host != "127.0.0.1" && host != "localhost" {
            return bad(
                "apilings sends requests to loopback only (127.0.0.1 or localhost); serve on 127.0.0.1, or use --cmd to let apilings start the server",
            );
        }
        match port.parse::<u16>() {
            Ok(port) if port > 0 => Ok(Stack::Running {
                url: url.to_string(),
                port,
            }),
            _ => bad("the port must be a number from 1 to 65535"),
        }
    }

    /// The server to grade, when it is not a crate to build first.
    pub(super) fn target(&self) -> Option<Target> {
        match self {
            Stack::Crate => None,
            Stack::Command { line, cwd } => Some(Target::Program {
                program: "sh".into(),
                args: vec!["-c".into(), line.clone()],
                cwd: cwd.clone(),
            }),
            Stack::Running { port, .. } => Some(Target::Running { port: *port }),
        }
    }

    /// How the report names the server, when it is not the lesson's crate.
    pub fn describe(&self) -> Option<String> {
        match self {
            Stack::Crate => None,
            Stack::Command { line, .. } => Some(format!("the command `{line}`")),
            Stack::Running { url, .. } => Some(format!("the server already running at {url}")),
        }
    }

    /// Why an item with `needs` cannot be graded on this server, if it cannot.
    pub fn cannot(&self, needs: crate::checks::model::Needs) -> Option<String> {
        if *self == Stack::Crate {
            return None;
        }
        if needs.crate_tests {
            return Some("it runs the lesson crate's own tests (cargo test)".into());
        }
        if needs.kit {
            return Some("it reads the kit's counters, which only `kit::serve` provides".into());
        }
        if let Stack::Running { .. } = self {
            if needs.starts {
                return Some(
                    "it starts the server itself, and this one is already running (use --cmd)"
                        .into(),
                );
            }
            if needs.process {
                return Some("it reads what the server prints, unseen for a server apilings did not start (use --cmd)".into());
            }
        }
        None
    }
}

/// The server of each lesson: one for all, and some lessons' own.
#[derive(Debug, Clone, Default)]
pub struct Stacks {
    /// The server of a lesson not named in `lessons`.
    pub default: Stack,
    /// Lesson id → its server.
    pub lessons: std::collections::HashMap<String, Stack>,
}

impl Stacks {
    /// The server that grades `lesson`.
    pub fn of(&self, lesson: &Lesson) -> &Stack {
        self.lessons.get(&lesson.id).unwrap_or(&self.default)
    }
}
