//! The terminal UI: lessons, lesson text, checklist and failure detail, with
//! watch mode grading every save.
//!
//! One loop, one event channel: a key thread, the file watcher and run tasks only
//! send [`app::Event`]s; [`app::App::update`] changes state and returns effects;
//! [`view::draw`] draws the state. Runs are tokio tasks: a newer save aborts the
//! run in progress, and dropping it kills its build and server.

pub mod app;
mod driver;
mod highlight;
mod markdown;
pub mod view;

use std::io::Write as _;
use std::path::{Component, Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use anyhow::{Context, Result};
use ratatui::crossterm::event::{self, Event as TermEvent, KeyEventKind};
use tokio::sync::mpsc::{UnboundedSender, unbounded_channel};
use tokio::time::Instant;

use crate::lessons::Pack;
use crate::session::{self, BuildEvent, RunOptions};
use crate::workspace::Workspace;
use app::{App, Effect, Event};
use driver::Driver;

/// Restores the terminal however the TUI ends (return, `?`, panic unwinding).
struct TerminalGuard;

impl Drop for TerminalGuard {
    fn drop(&mut self) {
        ratatui::restore();
    }
}

/// Runs the TUI on `ws` until the learner quits.
/// `welcome` is shown in the status bar first (e.g. where a new workspace was created).
pub async fn run(
    pack: Pack,
    ws: Workspace,
    opts: RunOptions,
    welcome: Option<String>,
) -> Result<()> {
    let _lock = ws.lock()?;
    let (progress, warning) = ws.progress();
    let color = std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty());
    let mut app = App::new(pack, progress, color);
    app.backups = ws.backups_dir().display().to_string();
    if let Some(m) = warning.or(welcome) {
        app.notify(m);
    }

    let (tx, mut rx) = unbounded_channel::<Event>();
    let mut driver = Driver::new(ws, opts, tx.clone(), &app.pack);
    spawn_key_thread(tx.clone(), driver.paused.clone());
    let _watcher = watch(&driver.ws, &app.pack, tx.clone());
    let _pack_watcher = driver
        .authoring
        .as_ref()
        .and_then(|dir| watch_pack(dir, tx.clone()));
    let mut sigterm = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate())?;
    let mut sighup = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::hangup())?;

    prebuild(&driver, &app, tx.clone());
    app.prebuild = Some((0, driver.ws.lock_packages()));

    let mut terminal = ratatui::try_init().context("cannot set up the terminal")?;
    let _guard = TerminalGuard;
    loop {
        terminal.draw(|f| view::draw(f, &app))?;
        let deadline = driver.deadline();
        let event = tokio::select! {
            Some(e) = rx.recv() => match driver.received(e) {
                Some(e) => e,
                None => continue,
            },
            _ = sleep_until(deadline), if deadline.is_some() => match driver.due() {
                Some(e) => e,
                None => continue,
            },
            _ = sigterm.recv() => break,
            _ = sighup.recv() => break,
            _ = tokio::signal::ctrl_c() => break,
        };
        let finished = matches!(event, Event::RunFinished(_));
        let effects = app.update(event);
        if finished && let Err(e) = driver.ws.save_progress(&app.progress) {
            app.notify(format!("could not save progress: {e:#}"));
        }
        let mut quit = false;
        for effect in effects {
            match effect {
                Effect::Quit => quit = true,
                Effect::Check(lesson) => driver.check(&app, &lesson),
                Effect::Edit(lesson) => driver.edit(&mut app, &lesson, &mut terminal)?,
                Effect::Reset(lesson) => driver.reset(&mut app, &lesson),
                Effect::Copy(text) => driver.copy(&text),
                Effect::StartTrial(lesson) => driver.start_trial(&app, &lesson).await,
                Effect::StopTrial => {
                    driver.stop_trial().await;
                    app.update(Event::TrialStopped(
                        "Stopped the server for requests by hand.".into(),
                    ));
                }
            }
        }
        if quit {
            break;
        }
    }
    // Waits until the run's and the trial's processes are killed.
    driver.stop().await;
    Ok(())
}

/// Starts the first build of the dependencies in the background, with exactly the
/// command a check of the current lesson uses (so the check finds it all fresh).
fn prebuild(driver: &Driver, app: &App, tx: UnboundedSender<Event>) {
    let (ptx, mut prx) = unbounded_channel::<BuildEvent>();
    let root = driver.ws.root().to_path_buf();
    let lesson = app.pack.lessons[app.lesson].clone();
    let opts = driver.opts.clone();
    let forward = tx.clone();
    tokio::spawn(async move {
        while let Some(event) = prx.recv().await {
            let _ = forward.send(match event {
                BuildEvent::Finished(done) => Event::Prebuild(done),
                BuildEvent::WaitingForLock => Event::WaitingForLock,
            });
        }
    });
    tokio::spawn(async move {
        session::prebuild(&root, &lesson, &opts, ptx).await;
        let _ = tx.send(Event::PrebuildDone);
    });
}

async fn sleep_until(deadline: Option<Instant>) {
    match deadline {
        Some(d) => tokio::time::sleep_until(d).await,
        None => std::future::pending().await,
    }
}

/// Reads terminal events on a thread of its own (crossterm's read blocks). While
/// `paused` (the editor owns the terminal) it leaves stdin alone.
fn spawn_key_thread(tx: UnboundedSender<Event>, paused: Arc<AtomicBool>) {
    std::thread::spawn(move || {
        loop {
            if paused.load(Ordering::SeqCst) {
                std::thread::sleep(Duration::from_millis(50));
                continue;
            }
            // A bounded wait, so a pause is noticed; no work is done while idle.
            match event::poll(Duration::from_millis(250)) {
                Ok(true) => {}
                Ok(false) => continue,
                Err(_) => return,
            }
            if paused.load(Ordering::SeqCst) {
                continue;
            }
            let sent = match event::read() {
                Ok(TermEvent::Key(k)) if k.kind == KeyEventKind::Press => tx.send(Event::Key(k)),
                Ok(TermEvent::Resize(..)) => tx.send(Event::Resize),
                Ok(_) => Ok(()),
                Err(_) => return,
            };
            if sent.is_err() {
                return;
            }
        }
    });
}

/// Watches the lesson folders; each change becomes a raw `Saved` for the debounce.
/// Falls back to polling where file events do not arrive (set `APILINGS_POLL=1`,
/// e.g. on WSL's /mnt or network filesystems) or the OS watcher cannot start.
fn watch(
    ws: &Workspace,
    pack: &Pack,
    tx: UnboundedSender<Event>,
) -> Option<Box<dyn notify::Watcher + Send>> {
    let root = ws.root().to_path_buf();
    let lessons: Vec<String> = pack.lessons.iter().map(|l| l.id.clone()).collect();
    let handler_root = root.clone();
    let handler = move |res: notify::Result<notify::Event>| {
        let Ok(ev) = res else { return };
        if matches!(ev.kind, notify::EventKind::Access(_)) {
            return;
        }
        for path in &ev.paths {
            if let Some(lesson) = lesson_of(&handler_root, path, &lessons) {
                let _ = tx.send(Event::Saved(lesson));
            }
        }
    };
    let mut watcher = watcher(handler, &root)?;
    for lesson in &pack.lessons {
        let dir = ws.lesson_dir(lesson);
        let _ = watcher.watch(&dir, notify::RecursiveMode::Recursive);
    }
    Some(watcher)
}

/// Watches an author's pack folder: a saved README.md or lesson.toml (or a
/// mutant) becomes a raw `PackSaved` for the debounce.
fn watch_pack(dir: &Path, tx: UnboundedSender<Event>) -> Option<Box<dyn notify::Watcher + Send>> {
    let handler = move |res: notify::Result<notify::Event>| {
        let Ok(ev) = res else { return };
        if matches!(ev.kind, notify::EventKind::Access(_)) {
            return;
        }
        let authored = |p: &PathBuf| {
            p.file_name()
                .is_some_and(|n| n == "README.md" || n == "lesson.toml")
                || p.extension().is_some_and(|e| e == "toml")
                    && p.parent()
                        .and_then(Path::file_name)
                        .is_some_and(|n| n == "mutants")
        };
        if ev.paths.iter().any(authored) {
            let _ = tx.send(Event::PackSaved);
        }
    };
    let mut watcher = watcher(handler, dir)?;
    watcher.watch(dir, notify::RecursiveMode::Recursive).ok()?;
    Some(watcher)
}

/// The OS's file watcher for `handler`, or polling where file events do not
/// arrive (set `APILINGS_POLL=1`, or under `root` on WSL's /mnt or a network
/// filesystem) or the OS watcher cannot start.
fn watcher<H>(handler: H, root: &Path) -> Option<Box<dyn notify::Watcher + Send>>
where
    H: notify::EventHandler + Clone,
{
    let poll = |handler| {
        let config = notify::Config::default().with_poll_interval(Duration::from_secs(1));
        notify::PollWatcher::new(handler, config)
            .ok()
            .map(|w| Box::new(w) as Box<dyn notify::Watcher + Send>)
    };
    if std::env::var_os("APILINGS_POLL").is_some_and(|v| v == "1") || events_unreliable(root) {
        return poll(handler);
    }
    match notify::recommended_watcher(handler.clone()) {
        Ok(w) => Some(Box::new(w)),
        Err(_) => poll(handler),
    }
}

/// The first problem of a pack that does not load, in one line.
fn first_problem(e: &crate::lessons::PackError) -> String {
    match e {
        crate::lessons::PackError::Problems(list) if list.len() > 1 => {
            format!(
                "{} (and {} more: `apilings dev check`)",
                list[0],
                list.len() - 1
            )
        }
        other => other.to_string(),
    }
}

/// True where inotify is known not to report changes: WSL's Windows drives
/// (`/mnt/c/…`) and network filesystems.
fn events_unreliable(root: &Path) -> bool {
    let on_wsl = std::fs::read_to_string("/proc/sys/kernel/osrelease")
        .is_ok_and(|r| r.to_ascii_lowercase().contains("microsoft"));
    if on_wsl && root.starts_with("/mnt/") {
        return true;
    }
    // The filesystem type of the longest mount point containing `root`.
    let mounts = std::fs::read_to_string("/proc/mounts").unwrap_or_default();
    let fs_type = mounts
        .lines()
        .filter_map(|l| {
            let f: Vec<&str> = l.split_whitespace().collect();
            (f.len() > 2 && root.starts_with(f[1])).then(|| (f[1].len(), f[2].to_string()))
        })
        .max()
        .map(|(_, t)| t)
        .unwrap_or_default();
    matches!(
        fs_type.as_str(),
        "nfs" | "nfs4" | "cifs" | "smb3" | "9p" | "fuse.sshfs" | "drvfs" | "vboxsf"
    )
}

/// The lesson a changed path belongs to (ignoring build output and editor temp files).
fn lesson_of(root: &Path, path: &Path, lessons: &[String]) -> Option<String> {
    let rel = path.strip_prefix(root).ok()?;
    let mut parts = rel.components();
    let Some(Component::Normal(first)) = parts.next() else {
        return None;
    };
    let first = first.to_string_lossy();
    let name = path.file_name()?.to_string_lossy();
    // The learner's code is Rust and its manifest; whatever else appears there
    // (a database or a log file the server writes, an editor's swap file) is not
    // an edit, and re-checking on it would loop for ever.
    let code = name.ends_with(".rs") || name == "Cargo.toml";
    if !code || name.starts_with('.') || rel.components().any(|c| c.as_os_str() == "target") {
        return None;
    }
    lessons.iter().find(|l| **l == first).cloned()
}

/// Copies through the terminal (OSC 52, which works over SSH and needs no
/// clipboard daemon), wrapped so tmux and screen pass it on; in tmux it also
/// fills tmux's paste buffer, and the text is kept in `.apilings/clipboard.txt`.
/// Returns what happened in the learner's words: a terminal never says
/// whether it accepted the copy.
fn copy_to_clipboard(text: &str, root: &Path) -> String {
    let mut out = std::io::stdout();
    let _ = out.write_all(osc52(text, multiplexer()).as_bytes());
    let _ = out.flush();
    let file = root.join(crate::workspace::META_DIR).join("clipboard.txt");
    let kept = std::fs::write(&file, format!("{text}\n")).is_ok();
    let mut said = String::from(
        "Sent to your terminal's clipboard (OSC 52); the terminal does not say whether it took it.",
    );
    if multiplexer() == Some(Multiplexer::Tmux) && tmux_buffer(text) {
        said.push_str(" Also in tmux's paste buffer (prefix ]).");
    }
    if kept {
        said.push_str(&format!(" Also in {}.", file.display()));
    }
    said
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Multiplexer {
    Tmux,
    Screen,
}

fn multiplexer() -> Option<Multiplexer> {
    if std::env::var_os("TMUX").is_some() {
        Some(Multiplexer::Tmux)
    } else if std::env::var("TERM").is_ok_and(|t| t.starts_with("screen"))
        || std::env::var_os("STY").is_some()
    {
        Some(Multiplexer::Screen)
    } else {
        None
    }
}

/// The OSC 52 sequence for `text`, inside the multiplexer's passthrough (DCS)
/// when there is one: tmux wants the inner ESCs doubled.
fn osc52(text: &str, through: Option<Multiplexer>) -> String {
    use base64::Engine as _;
    let encoded = base64::engine::general_purpose::STANDARD.encode(text);
    let seq = format!("\x1b]52;c;{encoded}\x07");
    match through {
        None => seq,
        Some(Multiplexer::Tmux) => format!("\x1bPtmux;{}\x1b\\", seq.replace('\x1b', "\x1b\x1b")),
        Some(Multiplexer::Screen) => format!("\x1bP{seq}\x1b\\"),
    }
}

/// Puts `text` in tmux's paste buffer (bounded: tmux answers at once).
fn tmux_buffer(text: &str) -> bool {
    use std::process::{Command, Stdio};
    let Ok(mut child) = Command::new("tmux")
        .args(["load-buffer", "-"])
        .stdin(Stdio::piped())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
    else {
        return false;
    };
    if let Some(mut stdin) = child.stdin.take() {
        let _ = stdin.write_all(text.as_bytes());
    }
    let start = std::time::Instant::now();
    loop {
        match child.try_wait() {
            Ok(Some(status)) => return status.success(),
            Ok(None) if start.elapsed() < Duration::from_secs(2) => {
                std::thread::sleep(Duration::from_millis(10))
            }
            _ => {
                let _ = child.kill();
                let _ = child.wait();
                return false;
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn osc52_passes_through_tmux_and_screen() {
        // "hi" is aGk= in base64.
        assert_eq!(osc52("hi", None), "\x1b]52;c;aGk=\x07");
        assert_eq!(
            osc52("hi", Some(Multiplexer::Tmux)),
            "\x1bPtmux;\x1b\x1b]52;c;aGk=\x07\x1b\\"
        );
        assert_eq!(
            osc52("hi", Some(Multiplexer::Screen)),
            "\x1bP\x1b]52;c;aGk=\x07\x1b\\"
        );
    }

    #[test]
    fn only_edits_of_code_start_a_check() {
        let root = Path::new("/ws");
        let lessons = vec!["01-a".to_string()];
        let of = |p: &str| lesson_of(root, Path::new(p), &lessons);
        assert_eq!(of("/ws/01-a/src/main.rs").as_deref(), Some("01-a"));
        assert_eq!(
            of("/ws/01-a/src/handlers/users.rs").as_deref(),
            Some("01-a")
        );
        assert_eq!(of("/ws/01-a/Cargo.toml").as_deref(), Some("01-a"));
        for not_an_edit in [
            "/ws/01-a/app.db",
            "/ws/01-a/app.db-journal",
            "/ws/01-a/server.log",
            "/ws/01-a/src/.main.rs.swp",
            "/ws/01-a/src/main.rs~",
            "/ws/01-a/target/debug/x.rs",
            "/ws/02-b/src/main.rs",
            "/elsewhere/01-a/src/main.rs",
        ] {
            assert_eq!(of(not_an_edit), None, "{not_an_edit}");
        }
    }
}
