//! What the TUI's loop does besides drawing: saves debounced into checks, an
//! author's pack read again, and each [`Effect`] carried out (a run, the
//! editor, a reset, the clipboard, the server kept for requests by hand).

use std::collections::HashMap;
use std::path::PathBuf;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use anyhow::{Context, Result};
use tokio::sync::mpsc::{UnboundedSender, unbounded_channel};
use tokio::task::JoinHandle;
use tokio::time::Instant;

use super::app::{App, Event};
use crate::lessons::Pack;
use crate::session::{self, BuildEvent, RunOptions};
use crate::workspace::Workspace;

/// Saves closer together than this make one check (editors write several events per save).
const DEBOUNCE: Duration = Duration::from_millis(150);

/// Saves of a lesson just reset that are ignored: the reset's own writes.
const QUIET_AFTER_RESET: Duration = Duration::from_millis(1000);

pub(super) struct Driver {
    pub ws: Workspace,
    pub opts: RunOptions,
    tx: UnboundedSender<Event>,
    /// Set while the editor owns the terminal: the key thread leaves stdin alone.
    pub paused: Arc<AtomicBool>,
    run: Option<JoinHandle<()>>,
    trial: Option<JoinHandle<()>>,
    /// Lessons saved, and when their debounce ends.
    pending: HashMap<String, Instant>,
    /// Lessons whose files a reset just wrote: those writes are not the learner's saves.
    quiet: HashMap<String, Instant>,
    /// An author's pack on disk, read again when saved.
    pub authoring: Option<PathBuf>,
    pack_due: Option<Instant>,
}

impl Driver {
    pub(super) fn new(
        ws: Workspace,
        opts: RunOptions,
        tx: UnboundedSender<Event>,
        pack: &Pack,
    ) -> Self {
        Driver {
            ws,
            opts,
            tx,
            paused: Arc::new(AtomicBool::new(false)),
            run: None,
            trial: None,
            pending: HashMap::new(),
            quiet: HashMap::new(),
            authoring: (pack.origin != "embedded").then(|| PathBuf::from(&pack.origin)),
            pack_due: None,
        }
    }

    /// When the next debounce ends, if one is running.
    pub(super) fn deadline(&self) -> Option<Instant> {
        self.pending
            .values()
            .min()
            .copied()
            .into_iter()
            .chain(self.pack_due)
            .min()
    }

    /// An event from the channel, for the state; raw saves only (re)start a
    /// debounce, and the state sees one `Saved` per burst, when it ends.
    pub(super) fn received(&mut self, event: Event) -> Option<Event> {
        match event {
            Event::Saved(lesson) => {
                if self
                    .quiet
                    .get(&lesson)
                    .is_none_or(|until| Instant::now() >= *until)
                {
                    self.pending.insert(lesson, Instant::now() + DEBOUNCE);
                }
                None
            }
            Event::PackSaved => {
                self.pack_due = Some(Instant::now() + DEBOUNCE);
                None
            }
            other => Some(other),
        }
    }

    /// What the debounces that ended say: the pack read again, or a save.
    pub(super) fn due(&mut self) -> Option<Event> {
        let now = Instant::now();
        if let (Some(due), Some(dir)) = (self.pack_due, &self.authoring)
            && due <= now
        {
            self.pack_due = None;
            return Some(Event::PackReloaded(
                Pack::from_dir(dir)
                    .map(Box::new)
                    .map_err(|e| super::first_problem(&e)),
            ));
        }
        let lesson = self
            .pending
            .iter()
            .filter(|(_, d)| **d <= now)
            .map(|(l, _)| l.clone())
            .min()?;
        self.pending.remove(&lesson);
        Some(Event::Saved(lesson))
    }

    /// Checks a lesson; a newer check aborts the one in progress, and
    /// dropping a run kills its cargo and server.
    pub(super) fn check(&mut self, app: &App, lesson_id: &str) {
        if let Some(old) = self.run.take() {
            old.abort();
        }
        let Ok(lesson) = app.pack.find(lesson_id).cloned() else {
            return;
        };
        let root = self.ws.root().to_path_buf();
        let (tx, opts) = (self.tx.clone(), self.opts.clone());
        self.run = Some(tokio::spawn(async move {
            let (btx, mut brx) = unbounded_channel();
            let waits = tx.clone();
            tokio::spawn(async move {
                while let Some(event) = brx.recv().await {
                    if event == BuildEvent::WaitingForLock {
                        let _ = waits.send(Event::WaitingForLock);
                    }
                }
            });
            let report = session::run_lesson_reporting(&root, &lesson, &opts, Some(btx)).await;
            let _ = tx.send(Event::RunFinished(Box::new(report)));
        }));
    }

    /// Opens the lesson's first file in `$VISUAL`/`$EDITOR`, which owns the
    /// terminal until it exits.
    pub(super) fn edit(
        &mut self,
        app: &mut App,
        lesson_id: &str,
        terminal: &mut ratatui::DefaultTerminal,
    ) -> Result<()> {
        let Ok(lesson) = app.pack.find(lesson_id) else {
            return Ok(());
        };
        let Some(file) = lesson.edit.first() else {
            return Ok(());
        };
        let path = self.ws.lesson_dir(lesson).join(file);
        self.paused.store(true, Ordering::SeqCst);
        ratatui::restore();
        let editor = std::env::var("VISUAL")
            .or_else(|_| std::env::var("EDITOR"))
            .unwrap_or_else(|_| "vi".into());
        let status = std::process::Command::new("sh")
            .arg("-c")
            .arg(format!("{editor} \"$1\""))
            .arg("sh")
            .arg(&path)
            .status();
        *terminal = ratatui::try_init().context("cannot set up the terminal again")?;
        terminal.clear()?;
        self.paused.store(false, Ordering::SeqCst);
        if let Err(e) = status {
            app.notify(format!("could not start {editor}: {e}"));
        }
        Ok(())
    }

    /// Puts a lesson's starting files back, the learner's kept in a backup.
    pub(super) fn reset(&mut self, app: &mut App, lesson_id: &str) {
        let Ok(lesson) = app.pack.find(lesson_id) else {
            return;
        };
        self.quiet
            .insert(lesson_id.to_string(), Instant::now() + QUIET_AFTER_RESET);
        self.pending.remove(lesson_id);
        let said = match self.ws.reset(&app.pack, lesson) {
            Ok(Some(backup)) => {
                format!("Reset {lesson_id}; your files are in {}", backup.display())
            }
            Ok(None) => format!("{lesson_id} already matches its starting files."),
            Err(e) => format!("reset failed: {e:#}"),
        };
        app.notify(said);
    }

    pub(super) fn copy(&self, text: &str) {
        let said = super::copy_to_clipboard(text, self.ws.root());
        let _ = self.tx.send(Event::Copied(said));
    }

    /// Starts the lesson's server for requests by hand (one at a time).
    pub(super) async fn start_trial(&mut self, app: &App, lesson_id: &str) {
        self.stop_trial().await;
        let Ok(lesson) = app.pack.find(lesson_id).cloned() else {
            return;
        };
        let root = self.ws.root().to_path_buf();
        let (tx, opts) = (self.tx.clone(), self.opts.clone());
        self.trial = Some(tokio::spawn(async move {
            let up = tx.clone();
            let id = lesson.id.clone();
            let why = session::serve_by_hand(&root, &lesson, &opts, move |port| {
                let _ = up.send(Event::TrialStarted { lesson: id, port });
            })
            .await;
            let _ = tx.send(Event::TrialStopped(why));
        }));
    }

    /// Stops the server kept for requests by hand, if any, and waits until it is gone.
    pub(super) async fn stop_trial(&mut self) {
        if let Some(task) = self.trial.take() {
            task.abort(); // dropping serve_by_hand kills the server's group
            let _ = task.await;
        }
    }

    /// Stops the run and the server by hand, and waits until their processes are gone.
    pub(super) async fn stop(&mut self) {
        if let Some(old) = self.run.take() {
            old.abort();
            let _ = old.await;
        }
        self.stop_trial().await;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn driver() -> (tempfile::TempDir, Driver) {
        let dir = tempfile::tempdir().unwrap();
        let pack = Pack::embedded().unwrap();
        let (ws, _) = Workspace::init(&dir.path().join("ws"), &pack).unwrap();
        let (tx, _rx) = unbounded_channel();
        (dir, Driver::new(ws, RunOptions::default(), tx, &pack))
    }

    fn saved(lesson: &str) -> Event {
        Event::Saved(lesson.into())
    }

    #[test]
    fn a_burst_of_saves_is_one_save_per_lesson_and_none_is_lost() {
        let (_dir, mut d) = driver();
        assert!(d.deadline().is_none());
        for lesson in [
            "02-rest-resources",
            "01-first-endpoint",
            "02-rest-resources",
        ] {
            assert!(d.received(saved(lesson)).is_none(), "raw saves wait");
        }
        assert!(d.due().is_none(), "not before the debounce ends");
        std::thread::sleep(DEBOUNCE + Duration::from_millis(20));
        let mut said = Vec::new();
        while let Some(Event::Saved(l)) = d.due() {
            said.push(l);
        }
        assert_eq!(said, ["01-first-endpoint", "02-rest-resources"]);
        assert!(d.deadline().is_none());
        // Anything else passes straight through.
        assert!(matches!(
            d.received(Event::PrebuildDone),
            Some(Event::PrebuildDone)
        ));
    }

    #[test]
    fn a_resets_own_writes_are_not_saves() {
        let (_dir, mut d) = driver();
        let mut app = App::new(Pack::embedded().unwrap(), Default::default(), false);
        d.reset(&mut app, "01-first-endpoint");
        assert!(d.received(saved("01-first-endpoint")).is_none());
        assert!(d.deadline().is_none(), "ignored, not debounced");
        d.received(saved("02-rest-resources"));
        assert!(d.deadline().is_some(), "another lesson's save still counts");
    }
}
