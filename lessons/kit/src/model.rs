//! A stand-in for a language model that writes its answer a piece at a time:
//! [`generate`] yields one chunk every [`CHUNK_TIME`], lazily, as a stream
//! polled by whoever serves it. A question (a prompt that ends with `?`) makes
//! it think for [`THINK_TIME`] before its first chunk, as reasoning models do.
//! Every chunk it produces is counted, and the checks read the count at
//! `GET /_kit/counters` (`chunks_produced`): work done for a client that has
//! left shows there.

use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use futures_util::Stream;

/// The time between two chunks.
pub const CHUNK_TIME: Duration = Duration::from_millis(100);

/// The time a question takes before its first chunk.
pub const THINK_TIME: Duration = Duration::from_millis(1500);

static CHUNKS: AtomicU64 = AtomicU64::new(0);

/// The answer to `prompt`, one chunk at a time: its words, each after the
/// first with the space before it (`"the"`, `" quick"`, `" fox"`), so the
/// chunks joined are the whole answer. Nothing is produced until polled, and
/// nothing more once the stream is dropped.
pub fn generate(prompt: &str) -> impl Stream<Item = String> + Send + use<> {
    let think = prompt.trim_end().ends_with('?');
    let words: Vec<String> = prompt
        .split_whitespace()
        .enumerate()
        .map(|(i, w)| if i == 0 { w.to_string() } else { format!(" {w}") })
        .collect();
    futures_util::stream::unfold((words.into_iter(), think), |(mut words, think)| async move {
        let word = words.next()?;
        if think {
            tokio::time::sleep(THINK_TIME).await;
        }
        tokio::time::sleep(CHUNK_TIME).await;
        CHUNKS.fetch_add(1, Ordering::Relaxed);
        Some((word, (words, false)))
    })
}

/// How many chunks [`generate`] has produced since the server started.
pub fn chunks_produced() -> u64 {
    CHUNKS.load(Ordering::Relaxed)
}
