//! Starting the learner's server on a loopback port, waiting (boundedly) until it
//! listens, capturing its output, and killing its whole process group at the end.

use std::net::SocketAddr;
use std::path::PathBuf;
use std::process::Stdio;
use std::sync::Arc;
use std::time::{Duration, Instant};

use std::os::unix::process::ExitStatusExt;
use std::process::ExitStatus;

use tokio::net::TcpStream;
use tokio::process::Command;
use tokio::sync::watch;

use super::output::OutputBuffer;
use super::process::ProcessGroup;

/// How to start a server.
#[derive(Debug, Clone)]
pub struct ServerSpec {
    /// The program (the lesson's binary, or any server's command).
    pub program: PathBuf,
    /// Its arguments.
    pub args: Vec<String>,
    /// Its working directory.
    pub cwd: PathBuf,
    /// Extra environment (`PORT` is added).
    pub env: Vec<(String, String)>,
    /// Variables removed from the inherited environment: a start without a
    /// variable must not find it in the learner's shell either.
    pub unset: Vec<String>,
    /// The port it must listen on, on 127.0.0.1.
    pub port: u16,
    /// The start bound: the most time from spawn until the port answers.
    pub start: Duration,
}

/// Why a server is not serving.
#[derive(Debug)]
pub enum StartError {
    /// The binary could not be started at all.
    Spawn(std::io::Error),
    /// It exited before it listened.
    Exited {
        /// Exit code, if any.
        code: Option<i32>,
        /// The signal that ended it, if any.
        signal: Option<i32>,
        /// What it printed.
        output: Vec<String>,
    },
    /// It was still running but not listening on its port when the bound was hit.
    NeverListened {
        /// The bound.
        bound: Duration,
        /// Where it listens instead, if anywhere (Linux only).
        elsewhere: Vec<SocketAddr>,
        /// What it printed.
        output: Vec<String>,
    },
    /// Its port answers, but from a process outside its process tree (a child
    /// that double-forked away, or another program).
    HeldOutside {
        /// What it printed.
        output: Vec<String>,
    },
    /// It listens on every interface (0.0.0.0 or ::), not only on loopback.
    ListensEverywhere {
        /// The address it bound.
        address: SocketAddr,
        /// What it printed.
        output: Vec<String>,
    },
}

/// A running server. Dropping it kills its process group.
pub struct Server {
    pid: Option<u32>,
    group: ProcessGroup,
    output: Arc<OutputBuffer>,
    /// The readers of its stdout and stderr.
    pumps: Vec<tokio::task::JoinHandle<()>>,
    ended: watch::Receiver<Option<ExitStatus>>,
    port: u16,
}

/// What checks may see of a running server: its output, and whether it ended.
pub struct Tap {
    output: Arc<OutputBuffer>,
    ended: watch::Receiver<Option<ExitStatus>>,
}

impl Tap {
    /// Where its output is now (see [`OutputBuffer::mark`]).
    pub fn mark(&self) -> u64 {
        self.output.mark()
    }

    /// The lines printed since `mark`.
    pub fn since(&self, mark: u64) -> Vec<String> {
        self.output.since(mark)
    }

    /// Lines dropped by the output cap so far.
    pub fn dropped(&self) -> u64 {
        self.output.dropped()
    }

    /// How it ended, in words, if it has.
    pub fn ended(&self) -> Option<String> {
        (*self.ended.borrow()).map(|status| match (status.code(), status.signal()) {
            (Some(code), _) => format!("exited with code {code}"),
            (None, Some(sig)) => format!("was killed by signal {sig}"),
            _ => "ended".to_string(),
        })
    }
}

/// A port that was free on 127.0.0.1 a moment ago.
pub fn pick_port() -> std::io::Result<u16> {
    let listener = std::net::TcpListener::bind(("127.0.0.1", 0))?;
    Ok(listener.local_addr()?.port())
}

impl Server {
    /// Starts the server and waits until its port accepts a connection.
    pub async fn start(spec: &ServerSpec) -> Result<Server, StartError> {
        let mut cmd = Command::new(&spec.program);
        // A command line may name the port where its server wants it.
        let port = spec.port.to_string();
        cmd.args(spec.args.iter().map(|a| a.replace("{port}", &port)));
        let mark = super::process::own(&mut cmd, super::process::Inherit::Server);
        for name in &spec.unset {
            cmd.env_remove(name);
        }
        cmd.current_dir(&spec.cwd)
            // A panic's message, not 70 frames of backtrace, is what a failure should show.
            .env("RUST_BACKTRACE", "0")
            .envs(spec.env.iter().map(|(k, v)| (k.as_str(), v.as_str())))
            .env("PORT", spec.port.to_string())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .kill_on_drop(true);
        let mut child = cmd.spawn().map_err(StartError::Spawn)?;
        let group = ProcessGroup::new(child.id(), mark);
        let output = OutputBuffer::new();
        let pumps = output.pump_child(&mut child);
        // One task owns the child and reaps it, so `ended` tells at once when it dies.
        let (tx, ended) = watch::channel(None);
        let pid = child.id();
        tokio::spawn(async move {
            if let Ok(status) = child.wait().await {
                let _ = tx.send(Some(status));
            }
        });
        let mut server = Server {
            pid,
            group,
            output,
            pumps,
            ended,
            port: spec.port,
        };
        let deadline = Instant::now() + spec.start;
        loop {
            let ended = *server.ended.borrow();
            if let Some(status) = ended {
                // Let the readers drain what it printed on the way out: they end at
                // end of file, unless something it spawned still holds the pipes.
                server.drain(Duration::from_millis(50)).await;
                let output = server.output.lines();
                server.stop().await;
                return Err(StartError::Exited {
                    code: status.code(),
                    signal: status.signal(),
                    output,
                });
            }
            let attempt = TcpStream::connect(("127.0.0.1", spec.port));
            if let Ok(Ok(_)) = tokio::time::timeout(Duration::from_millis(100), attempt).await {
                // A wildcard bind also answers on 127.0.0.1, so look at what is bound:
                // by the server's processes on any port, and by anyone on its port.
                let seen = server
                    .pid
                    .map(|pid| super::sockets::inspect(pid as i32, spec.port))
                    .unwrap_or_default();
                if let Some(address) = seen.wildcard {
                    let output = server.output.lines();
                    server.stop().await;
                    return Err(StartError::ListensEverywhere { address, output });
                }
                if seen.held_outside {
                    let output = server.output.lines();
                    server.stop().await;
                    return Err(StartError::HeldOutside { output });
                }
                return Ok(server);
            }
            if Instant::now() >= deadline {
                let output = server.output.lines();
                let elsewhere = server.listening();
                server.stop().await;
                return Err(StartError::NeverListened {
                    bound: spec.start,
                    elsewhere,
                    output,
                });
            }
            // A refused connect costs microseconds: poll finely, the start is ~5 ms.
            tokio::time::sleep(Duration::from_millis(1)).await;
        }
    }

    /// The TCP addresses its process group listens on (empty where /proc is not available).
    fn listening(&self) -> Vec<SocketAddr> {
        self.pid
            .map(|pid| super::sockets::listening(pid as i32))
            .unwrap_or_default()
    }

    /// The port it listens on.
    pub fn port(&self) -> u16 {
        self.port
    }

    /// Its captured output.
    pub fn output(&self) -> Arc<OutputBuffer> {
        self.output.clone()
    }

    /// Changes to `Some` when the server has exited.
    pub fn ended(&self) -> watch::Receiver<Option<ExitStatus>> {
        self.ended.clone()
    }

    /// Its output and liveness, for the checks.
    pub fn tap(&self) -> Tap {
        Tap {
            output: self.output.clone(),
            ended: self.ended.clone(),
        }
    }

    /// Kills the whole process group and waits (bounded) until the server is
    /// reaped, then kills what escaped the group; its output readers end with it.
    pub async fn stop(mut self) {
        self.group.kill();
        let _ = tokio::time::timeout(Duration::from_secs(2), self.ended.wait_for(|s| s.is_some()))
            .await;
        self.group.sweep();
        // What it printed on the way out, unless something still holds its pipes.
        self.drain(Duration::from_millis(50)).await;
    }

    /// Waits up to `bound` for the output readers to reach the end, then stops them.
    async fn drain(&mut self, bound: Duration) {
        let pumps = std::mem::take(&mut self.pumps);
        let aborts: Vec<_> = pumps.iter().map(|p| p.abort_handle()).collect();
        let _ = tokio::time::timeout(bound, async {
            for pump in pumps {
                let _ = pump.await;
            }
        })
        .await;
        for a in aborts {
            a.abort();
        }
    }
}
