//! The serve stage: what is graded (a [`Target`]), started on a free loopback
//! port with the run's environment. How a start ended is mapped here once: into
//! the report's [`Stopped`] for a run, into a [`StartOutcome`] for the `start`
//! check kind, whose [`Launcher`] this is.

use std::path::PathBuf;

use crate::checks::start::{Launched, Launcher, StartOutcome};
use crate::report::Stopped;
use crate::runner::{self, Server, ServerSpec, StartError};

/// What a run grades.
#[derive(Debug, Clone)]
pub enum Target {
    /// A program apilings starts with `PORT` set (`{port}` in its arguments
    /// is the port too) and stops at the end: the lesson's built binary, or
    /// any server's command.
    Program {
        /// The program.
        program: PathBuf,
        /// Its arguments.
        args: Vec<String>,
        /// Where it runs.
        cwd: PathBuf,
    },
    /// A server already running on 127.0.0.1: apilings neither starts nor
    /// stops it, and does not see what it prints.
    Running {
        /// Its port.
        port: u16,
    },
}

/// Why a run stopped at a stage, with what the server printed (if it ran).
#[derive(Debug)]
pub(super) struct Halt {
    pub stopped: Stopped,
    pub output: Vec<String>,
}

impl Halt {
    /// A stop outside the learner's code, in words.
    pub fn infrastructure(message: impl Into<String>) -> Self {
        Halt {
            stopped: Stopped::Infrastructure {
                message: message.into(),
            },
            output: Vec::new(),
        }
    }
}

/// Why no server is serving.
enum NotServing {
    /// Outside the learner's code: no port, or the program could not be started.
    Infrastructure(String),
    /// The server itself did not come up as it must.
    Start(StartError),
}

/// Starts `spec` on a free port (`spec.port` is set to it). Another process
/// can take the port between our probe and the server's bind: that race is
/// retried on a new port, never reported as the learner's error.
async fn start(spec: &mut ServerSpec) -> Result<Server, NotServing> {
    let mut attempts = 0;
    loop {
        attempts += 1;
        spec.port = runner::pick_port()
            .map_err(|e| NotServing::Infrastructure(format!("no free port on 127.0.0.1: {e}")))?;
        match Server::start(spec).await {
            Err(StartError::Exited { output, .. }) if attempts < 3 && lost_port_race(&output) => {
                continue;
            }
            Err(StartError::Spawn(e)) => {
                return Err(NotServing::Infrastructure(format!(
                    "could not start {}: {e}",
                    spec.program.display()
                )));
            }
            Err(e) => return Err(NotServing::Start(e)),
            Ok(server) => return Ok(server),
        }
    }
}

/// Starts the server of a run: a server that does not come up is the run's [`Halt`].
pub(super) async fn serve(spec: &mut ServerSpec) -> Result<Server, Halt> {
    let e = match start(spec).await {
        Ok(server) => return Ok(server),
        Err(NotServing::Infrastructure(message)) => return Err(Halt::infrastructure(message)),
        Err(NotServing::Start(e)) => e,
    };
    let port = spec.port;
    let (stopped, output) = match e {
        StartError::Spawn(e) => (
            Stopped::Infrastructure {
                message: e.to_string(),
            },
            Vec::new(),
        ),
        StartError::Exited {
            code,
            signal,
            output,
        } => (Stopped::ExitedEarly { code, signal }, output),
        StartError::NeverListened {
            bound,
            elsewhere,
            output,
        } => (
            Stopped::NeverListened {
                port,
                bound,
                elsewhere: elsewhere.iter().map(|a| a.to_string()).collect(),
            },
            output,
        ),
        StartError::HeldOutside { output } => (Stopped::HeldOutside { port }, output),
        StartError::ListensEverywhere { address, output } => (
            Stopped::ListensEverywhere {
                address: address.to_string(),
            },
            output,
        ),
    };
    Err(Halt { stopped, output })
}

/// Starts of the run's server with a changed environment, for `start` items.
pub(super) struct Relaunch<'a>(pub &'a ServerSpec);

impl Launcher for Relaunch<'_> {
    async fn launch(
        &self,
        without: &[String],
        env: &[(String, String)],
    ) -> Result<Launched, String> {
        let mut spec = self.0.clone();
        spec.env
            .retain(|(name, _)| !without.contains(name) && !env.iter().any(|(n, _)| n == name));
        spec.env.extend(env.iter().cloned());
        spec.unset = without.to_vec();
        let server = match start(&mut spec).await {
            Ok(server) => server,
            Err(NotServing::Infrastructure(why)) => return Err(why),
            Err(NotServing::Start(e)) => return Ok(launched(e, spec.port)),
        };
        // Give it a moment to print what it prints at startup.
        tokio::time::sleep(crate::checks::exec::SETTLE).await;
        let output = server.output().lines();
        server.stop().await;
        Ok(Launched {
            outcome: StartOutcome::Listened { port: spec.port },
            output,
        })
    }
}

/// A start that did not serve, as the `start` kind sees it: refusing is its point.
fn launched(e: StartError, port: u16) -> Launched {
    let (outcome, output) = match e {
        StartError::Spawn(e) => (
            StartOutcome::Exited {
                code: None,
                signal: None,
            },
            vec![e.to_string()],
        ),
        StartError::Exited {
            code,
            signal,
            output,
        } => (StartOutcome::Exited { code, signal }, output),
        StartError::NeverListened { bound, output, .. } => {
            (StartOutcome::StillRunning { bound }, output)
        }
        // It listened (on the wrong address, or through another process): it started.
        StartError::ListensEverywhere { output, .. } | StartError::HeldOutside { output } => {
            (StartOutcome::Listened { port }, output)
        }
    };
    Launched { outcome, output }
}

/// True when a server's last words say its port was taken.
fn lost_port_race(output: &[String]) -> bool {
    output.iter().any(|l| {
        let l = l.to_ascii_lowercase();
        l.contains("address already in use") || l.contains("os error 98")
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_taken_port_is_recognised_as_a_race() {
        let said = |l: &str| lost_port_race(&[l.to_string()]);
        assert!(said(
            "error: cannot listen on 127.0.0.1:4000: Address already in use (os error 98)"
        ));
        assert!(!said("error: DATABASE_URL is not set"));
    }
}
