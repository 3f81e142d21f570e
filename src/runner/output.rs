//! Captured server output: whole lines, capped in total bytes and per line, so a
//! server that prints without end costs bounded memory.

use std::collections::VecDeque;
use std::sync::{Arc, Mutex};

use tokio::io::{AsyncRead, AsyncReadExt};

/// The most bytes kept over all lines; older lines are dropped first.
const TOTAL_CAP: usize = 256 * 1024;
/// The most bytes kept of one line.
const LINE_CAP: usize = 2048;

/// A bounded log of a process's output lines (stdout and stderr interleaved).
#[derive(Debug, Default)]
pub struct OutputBuffer {
    inner: Mutex<Inner>,
}

#[derive(Debug, Default)]
struct Inner {
    lines: VecDeque<(u64, String)>,
    next: u64,
    bytes: usize,
    dropped: u64,
}

impl OutputBuffer {
    /// A new, empty buffer.
    pub fn new() -> Arc<Self> {
        Arc::new(OutputBuffer::default())
    }

    /// Appends one line (cut to the line cap, made safe to show), dropping the oldest lines past the total cap.
    pub fn push(&self, line: &str) {
        // Kept as it will be shown: never as control sequences for a terminal.
        let line = crate::report::clean(&cut(line, LINE_CAP));
        let mut inner = self.inner.lock().expect("output lock");
        inner.bytes += line.len();
        let seq = inner.next;
        inner.next += 1;
        inner.lines.push_back((seq, line));
        while inner.bytes > TOTAL_CAP {
            let Some((_, old)) = inner.lines.pop_front() else {
                break;
            };
            inner.bytes -= old.len();
            inner.dropped += 1;
        }
    }

    /// Every line still kept.
    pub fn lines(&self) -> Vec<String> {
        let inner = self.inner.lock().expect("output lock");
        inner.lines.iter().map(|(_, l)| l.clone()).collect()
    }

    /// The last `n` lines kept.
    pub fn tail(&self, n: usize) -> Vec<String> {
        let lines = self.lines();
        lines[lines.len().saturating_sub(n)..].to_vec()
    }

    /// How many lines were dropped because of the cap.
    pub fn dropped(&self) -> u64 {
        self.inner.lock().expect("output lock").dropped
    }

    /// A position in the output: every line pushed later comes after it.
    pub fn mark(&self) -> u64 {
        self.inner.lock().expect("output lock").next
    }

    /// The lines pushed since `mark`.
    pub fn since(&self, mark: u64) -> Vec<String> {
        let inner = self.inner.lock().expect("output lock");
        inner
            .lines
            .iter()
            .filter(|(seq, _)| *seq >= mark)
            .map(|(_, l)| l.clone())
            .collect()
    }

    /// Reads `child`'s stdout and stderr into this buffer, each in a task of
    /// its own (the child must have been spawned with both piped).
    pub fn pump_child(
        self: &Arc<Self>,
        child: &mut tokio::process::Child,
    ) -> Vec<tokio::task::JoinHandle<()>> {
        vec![
            tokio::spawn(
                self.clone()
                    .pump(child.stdout.take().expect("piped stdout")),
            ),
            tokio::spawn(
                self.clone()
                    .pump(child.stderr.take().expect("piped stderr")),
            ),
        ]
    }

    /// Reads `stream` to its end, pushing each line. Runs as its own task.
    pub async fn pump(self: Arc<Self>, mut stream: impl AsyncRead + Unpin) {
        let mut buf = vec![0u8; 8192];
        let mut pending: Vec<u8> = Vec::new();
        let mut skipping = false; // inside a line already cut to LINE_CAP
        loop {
            let n = match stream.read(&mut buf).await {
                Ok(0) | Err(_) => break,
                Ok(n) => n,
            };
            for &b in &buf[..n] {
                if b == b'\n' {
                    if !skipping {
                        self.push(&String::from_utf8_lossy(&pending));
                    }
                    pending.clear();
                    skipping = false;
                } else if !skipping {
                    pending.push(b);
                    if pending.len() > LINE_CAP {
                        self.push(&String::from_utf8_lossy(&pending));
                        pending.clear();
                        skipping = true;
                    }
                }
            }
        }
        if !pending.is_empty() && !skipping {
            self.push(&String::from_utf8_lossy(&pending));
        }
    }
}

fn cut(line: &str, max: usize) -> String {
    let line = line.trim_end_matches('\r');
    if line.len() <= max {
        return line.to_string();
    }
    let mut end = max;
    while !line.is_char_boundary(end) {
        end -= 1;
    }
    format!("{}… (line cut)", &line[..end])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn keeps_lines_and_caps_memory() {
        let out = OutputBuffer::new();
        let mark = out.mark();
        let mut data = b"first\nsecond\r\n".to_vec();
        data.extend(std::iter::repeat_n(b'x', 10_000));
        data.extend(b"\nlast");
        out.clone().pump(&data[..]).await;
        let lines = out.since(mark);
        assert_eq!(lines[0], "first");
        assert_eq!(lines[1], "second");
        assert!(lines[2].ends_with("… (line cut)") && lines[2].len() < LINE_CAP + 20);
        assert_eq!(lines[3], "last");

        let flood = OutputBuffer::new();
        let line = "y".repeat(1000) + "\n";
        let big = line.repeat(2000); // ~2 MB
        flood.clone().pump(big.as_bytes()).await;
        let kept: usize = flood.lines().iter().map(String::len).sum();
        assert!(kept <= TOTAL_CAP, "kept {kept} bytes");
        assert!(flood.dropped() > 0);
    }
}
