//! The TUI's state and how it changes. `update` is the only place state
//! changes; it returns the effects (start a run, open the editor, quit…) for the
//! event loop to carry out, so key handling is unit-tested without a terminal.

use std::cell::Cell;
use std::collections::{HashMap, HashSet};

use ratatui::crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

use crate::lessons::Pack;
use crate::report::{RunReport, Verdict};
use crate::workspace::{LessonState, Progress};

/// Something that happened: a key, a finished run, a saved file.
#[derive(Debug)]
pub enum Event {
    /// A key was pressed.
    Key(KeyEvent),
    /// The terminal was resized.
    Resize,
    /// A run finished (or was stopped) with this report.
    RunFinished(Box<RunReport>),
    /// A file of this lesson was saved (already debounced).
    Saved(String),
    /// The first build of the dependencies has finished this many crates.
    Prebuild(usize),
    /// The first build of the dependencies is over.
    PrebuildDone,
    /// Cargo waits for a build lock held by another cargo (rust-analyzer, a terminal).
    WaitingForLock,
    /// The lesson's server runs for requests by hand on this port.
    TrialStarted {
        /// The lesson.
        lesson: String,
        /// Its port on 127.0.0.1.
        port: u16,
    },
    /// The server for requests by hand has stopped (why, in the learner's words).
    TrialStopped(String),
    /// What a copy did, in the learner's words.
    Copied(String),
    /// A file of the pack was saved (raw, before the debounce).
    PackSaved,
    /// An author saved a README.md or lesson.toml of the pack (`--lessons`):
    /// the pack read again, or the first of its problems.
    PackReloaded(Result<Box<Pack>, String>),
}

/// Shown while cargo blocks on a lock, so a stalled build never looks like a frozen screen.
const WAITING_FOR_LOCK: &str = "cargo is waiting for the build lock: another cargo (rust-analyzer's check, a terminal) is building in this target dir";

/// Work for the event loop to do.
#[derive(Debug, PartialEq, Eq)]
pub enum Effect {
    /// Build and grade this lesson, cancelling any run in progress.
    Check(String),
    /// Open the lesson's first editable file in $EDITOR.
    Edit(String),
    /// Reset the lesson (after the learner confirmed).
    Reset(String),
    /// Copy this text to the clipboard.
    Copy(String),
    /// Start the lesson's server and keep it running for requests by hand.
    StartTrial(String),
    /// Stop the server kept for requests by hand.
    StopTrial,
    /// Leave the TUI.
    Quit,
}

/// Which pane the arrow keys move in (Tab goes round them in this order).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Focus {
    /// The lessons list.
    Lessons,
    /// The lesson text.
    Text,
    /// The checklist.
    Checklist,
    /// The selected item's detail (failure, hints, build log).
    Detail,
}

impl Focus {
    const ORDER: [Focus; 4] = [Focus::Lessons, Focus::Text, Focus::Checklist, Focus::Detail];

    fn next(self, by: isize) -> Focus {
        let at = Focus::ORDER.iter().position(|f| *f == self).unwrap_or(0) as isize;
        Focus::ORDER[(at + by).rem_euclid(Focus::ORDER.len() as isize) as usize]
    }
}

/// How far each scrolling pane can scroll and how tall it is, as the last frame
/// measured them (wrapping depends on the terminal's width). Written by the view,
/// read by key handling so that scrolling stops at the end.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Room {
    /// The lesson text: (furthest offset, rows shown).
    pub text: (u16, u16),
    /// The detail pane.
    pub detail: (u16, u16),
    /// The popup (help, solution).
    pub overlay: (u16, u16),
}

/// The status-bar message and whether it stays until the next key.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Message {
    /// What it says.
    pub text: String,
    /// Kept until the learner presses a key (a backup path, an error), instead
    /// of being replaced by the next progress message.
    pub sticky: bool,
}

/// A popup over the main view.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Overlay {
    /// The key help.
    Help,
    /// "Reset this lesson?"
    ConfirmReset,
    /// The solution's text.
    Solution(String),
}

/// Everything the TUI shows.
#[derive(Debug)]
pub struct App {
    /// The lessons.
    pub pack: Pack,
    /// The learner's progress.
    pub progress: Progress,
    /// The lesson shown.
    pub lesson: usize,
    /// The lesson highlighted in the list (Enter opens it).
    pub cursor: usize,
    /// The selected checklist item.
    pub item: usize,
    /// Where arrows move.
    pub focus: Focus,
    /// Lines scrolled in the lesson text.
    pub scroll: u16,
    /// Lines scrolled in the detail pane.
    pub detail_scroll: u16,
    /// Lines scrolled in the popup.
    pub overlay_scroll: u16,
    /// What the last frame measured (see [`Room`]).
    pub room: Cell<Room>,
    /// The last report per lesson id.
    pub reports: HashMap<String, RunReport>,
    /// The lesson being run, if any.
    pub running: Option<String>,
    /// Hints revealed per (lesson, item).
    pub hints: HashMap<(String, String), usize>,
    /// Watch mode: re-check on save.
    pub watch: bool,
    /// A popup, if any.
    pub overlay: Option<Overlay>,
    /// The message above the key bar.
    pub message: Option<Message>,
    /// Lessons saved while watch mode was off: turning it on checks them.
    pub saved_while_off: HashSet<String>,
    /// The lesson whose server runs for requests by hand, and its port.
    pub trial: Option<(String, u16)>,
    /// Where a reset keeps the learner's files (shown before a reset).
    pub backups: String,
    /// Draw with colours (false under NO_COLOR).
    pub color: bool,
    /// Each lesson's text, rendered from Markdown once (not on every frame).
    pub texts: Vec<ratatui::text::Text<'static>>,
    /// The background build of the dependencies: (crates done, about how many in all).
    pub prebuild: Option<(usize, usize)>,
}

impl App {
    /// A new state on the first lesson that has not passed.
    pub fn new(pack: Pack, progress: Progress, color: bool) -> Self {
        let lesson = pack
            .lessons
            .iter()
            .position(|l| progress.state(&l.id) != LessonState::Passed)
            .unwrap_or(0);
        App {
            texts: pack
                .lessons
                .iter()
                .map(|l| super::markdown::render(&l.readme, color))
                .collect(),
            pack,
            progress,
            lesson,
            cursor: lesson,
            item: 0,
            // A learner starts by reading: arrows scroll the lesson text.
            focus: Focus::Text,
            scroll: 0,
            detail_scroll: 0,
            overlay_scroll: 0,
            room: Cell::new(Room::default()),
            reports: HashMap::new(),
            running: None,
            hints: HashMap::new(),
            watch: true,
            overlay: None,
            message: None,
            saved_while_off: HashSet::new(),
            trial: None,
            backups: ".apilings/backups".into(),
            color,
            prebuild: None,
        }
    }

    /// The id of the lesson shown.
    pub fn lesson_id(&self) -> &str {
        &self.pack.lessons[self.lesson].id
    }

    /// The last report of the lesson shown.
    pub fn report(&self) -> Option<&RunReport> {
        self.reports.get(self.lesson_id())
    }

    /// How many lessons have passed.
    pub fn done(&self) -> usize {
        self.pack
            .lessons
            .iter()
            .filter(|l| self.progress.state(&l.id) == LessonState::Passed)
            .count()
    }

    /// How many hints of the selected item are revealed.
    pub fn hints_shown(&self) -> usize {
        let l = &self.pack.lessons[self.lesson];
        let Some(item) = l.items.get(self.item) else {
            return 0;
        };
        self.hints
            .get(&(l.id.clone(), item.id.clone()))
            .copied()
            .unwrap_or(0)
    }

    /// Shows `text` above the key bar, unless a sticky message waits to be read.
    pub fn say(&mut self, text: impl Into<String>) {
        if !self.message.as_ref().is_some_and(|m| m.sticky) {
            self.message = Some(Message {
                text: text.into(),
                sticky: false,
            });
        }
    }

    /// Shows `text` until the next key.
    pub fn notify(&mut self, text: impl Into<String>) {
        self.message = Some(Message {
            text: text.into(),
            sticky: true,
        });
    }

    /// The message's text, if any.
    pub fn message_text(&self) -> Option<&str> {
        self.message.as_ref().map(|m| m.text.as_str())
    }

    /// Applies one event; returns what the loop must do.
    pub fn update(&mut self, event: Event) -> Vec<Effect> {
        match event {
            Event::Key(key) => {
                // A key means the message was seen.
                if self.message.as_ref().is_some_and(|m| m.sticky) {
                    self.message = None;
                }
                self.key(key)
            }
            Event::Resize => vec![],
            Event::RunFinished(report) => {
                self.finished(*report);
                vec![]
            }
            Event::Prebuild(done) => {
                self.lock_released();
                if let Some((d, total)) = &mut self.prebuild {
                    *d = (*d).max(done);
                    *total = (*total).max(done);
                }
                vec![]
            }
            Event::PrebuildDone => {
                self.lock_released();
                self.prebuild = None;
                vec![]
            }
            Event::WaitingForLock => {
                // Our own first build holds the lock while a check waits: not news.
                if self.prebuild.is_none() {
                    self.say(WAITING_FOR_LOCK);
                }
                vec![]
            }
            Event::PackReloaded(Ok(pack)) => self.reload(*pack),
            // The event loop debounces these into `PackReloaded`.
            Event::PackSaved => vec![],
            Event::PackReloaded(Err(problem)) => {
                self.notify(format!(
                    "The pack was not reloaded (the lesson shown is the last good one): {problem}"
                ));
                vec![]
            }
            Event::Saved(lesson) => {
                if !self.watch {
                    self.saved_while_off.insert(lesson);
                    vec![]
                } else if lesson == self.lesson_id() {
                    self.start_check()
                } else {
                    self.say(format!(
                        "You saved a file of {lesson}; this screen shows {}. Open {lesson} (lesson list, n/p) to check it.",
                        self.lesson_id()
                    ));
                    vec![]
                }
            }
            Event::TrialStarted { lesson, port } => {
                self.notify(format!(
                    "{lesson} runs on http://127.0.0.1:{port} for requests by hand (y copies the selected request for it). t stops it; it stops by itself after 10 minutes."
                ));
                self.trial = Some((lesson, port));
                vec![]
            }
            Event::TrialStopped(why) => {
                self.trial = None;
                self.notify(why);
                vec![]
            }
            Event::Copied(what) => {
                self.notify(what);
                vec![]
            }
        }
    }

    fn finished(&mut self, report: RunReport) {
        if self.running.as_deref() == Some(report.lesson.as_str()) {
            self.running = None;
        }
        let id = report.lesson.clone();
        let was_passed = self.progress.state(&id) == LessonState::Passed;
        self.progress.record_run(&report);
        let text = if report.passed() {
            match self.pack.lessons.iter().position(|l| l.id == id) {
                Some(i) if i + 1 < self.pack.lessons.len() => {
                    format!("✓ {id} passes! Press n for the next lesson.")
                }
                _ if !was_passed => format!("✓ {id} passes! That was the last lesson."),
                _ => format!("✓ {id} passes."),
            }
        } else {
            format!(
                "{} of {} items pass.",
                report.passed_count(),
                report.items.len()
            )
        };
        self.say(text);
        if id == self.lesson_id() {
            // Show what needs work: the first failing item, from its top.
            if let Some(first) = report.items.iter().position(|i| !i.verdict.is_pass()) {
                self.item = first;
            }
            self.detail_scroll = 0;
        }
        self.reports.insert(id, report);
    }

    /// The pack as an author just saved it: the same lesson and item stay
    /// shown, with the new text; in watch mode the lesson is checked again
    /// with the new checks.
    fn reload(&mut self, pack: Pack) -> Vec<Effect> {
        let shown = self.lesson_id().to_string();
        let cursor = self.pack.lessons.get(self.cursor).map(|l| l.id.clone());
        let at = |id: &str| pack.lessons.iter().position(|l| l.id == id);
        self.lesson = at(&shown).unwrap_or(self.lesson.min(pack.lessons.len() - 1));
        self.cursor = cursor
            .and_then(|c| at(&c))
            .unwrap_or(self.cursor.min(pack.lessons.len() - 1));
        self.texts = pack
            .lessons
            .iter()
            .map(|l| super::markdown::render(&l.readme, self.color))
            .collect();
        self.pack = pack;
        self.item = self
            .item
            .min(self.pack.lessons[self.lesson].items.len().saturating_sub(1));
        self.say(format!("Reloaded the pack: {} as saved.", self.lesson_id()));
        if self.watch && self.running.is_none() {
            self.start_check()
        } else {
            vec![]
        }
    }

    fn start_check(&mut self) -> Vec<Effect> {
        let id = self.lesson_id().to_string();
        self.saved_while_off.remove(&id);
        self.running = Some(id.clone());
        self.say(format!("Checking {id}…"));
        vec![Effect::Check(id)]
    }

    /// Cargo moves again: the lock message no longer holds.
    fn lock_released(&mut self) {
        if self.message_text() == Some(WAITING_FOR_LOCK) {
            self.message = None;
        }
    }

    fn open(&mut self, index: usize) {
        if index != self.lesson {
            self.lesson = index;
            self.item = 0;
            self.scroll = 0;
            self.detail_scroll = 0;
            if !self.message.as_ref().is_some_and(|m| m.sticky) {
                self.message = None;
            }
        }
        self.cursor = index;
    }

    fn select_item(&mut self, index: usize) {
        if index != self.item {
            self.item = index;
            self.detail_scroll = 0;
        }
    }

    /// Scrolls the focused pane (the detail when a list has the focus) by `by`
    /// lines, stopping at either end.
    fn scroll_by(&mut self, by: i32) {
        let room = self.room.get();
        let (offset, (max, _)) = match self.focus {
            Focus::Text => (&mut self.scroll, room.text),
            _ => (&mut self.detail_scroll, room.detail),
        };
        *offset = (i32::from(*offset) + by).clamp(0, i32::from(max)) as u16;
    }

    /// A page of the pane [`App::scroll_by`] scrolls: its height less a line of context.
    fn page(&self) -> i32 {
        let room = self.room.get();
        let rows = match self.focus {
            Focus::Text => room.text.1,
            _ => room.detail.1,
        };
        i32::from(rows.saturating_sub(1).max(1))
    }

    fn overlay_key(&mut self, overlay: Overlay, key: KeyEvent) -> Vec<Effect> {
        let (max, rows) = self.room.get().overlay;
        let page = i32::from(rows.saturating_sub(1).max(1));
        let by = match key.code {
            KeyCode::Down | KeyCode::Char('j') => 1,
            KeyCode::Up | KeyCode::Char('k') => -1,
            KeyCode::PageDown | KeyCode::Char(' ') => page,
            KeyCode::PageUp => -page,
            KeyCode::Home | KeyCode::Char('g') => -i32::from(u16::MAX),
            KeyCode::End | KeyCode::Char('G') => i32::from(u16::MAX),
            _ => 0,
        };
        let scrollable = !matches!(overlay, Overlay::ConfirmReset);
        if by != 0 && scrollable {
            self.overlay_scroll =
                (i32::from(self.overlay_scroll) + by).clamp(0, i32::from(max)) as u16;
            return vec![];
        }
        match (overlay, key.code) {
            (Overlay::ConfirmReset, KeyCode::Char('y')) => {
                self.overlay = None;
                vec![Effect::Reset(self.lesson_id().to_string())]
            }
            (Overlay::ConfirmReset, _) => {
                self.overlay = None;
                self.notify("Reset cancelled.");
                vec![]
            }
            (_, KeyCode::Char('q')) => vec![Effect::Quit],
            _ => {
                self.overlay = None;
                vec![]
            }
        }
    }

    fn key(&mut self, key: KeyEvent) -> Vec<Effect> {
        if key.modifiers.contains(KeyModifiers::CONTROL) && key.code == KeyCode::Char('c') {
            return vec![Effect::Quit];
        }
        if let Some(overlay) = self.overlay.clone() {
            return self.overlay_key(overlay, key);
        }
        let lessons = self.pack.lessons.len();
        let items = self.pack.lessons[self.lesson].items.len();
        match key.code {
            KeyCode::Char('q') => return vec![Effect::Quit],
            KeyCode::Char('?') => self.show(Overlay::Help),
            KeyCode::Tab => self.focus = self.focus.next(1),
            KeyCode::BackTab => self.focus = self.focus.next(-1),
            KeyCode::Up | KeyCode::Char('k') => match self.focus {
                Focus::Lessons => self.cursor = self.cursor.saturating_sub(1),
                Focus::Checklist => self.select_item(self.item.saturating_sub(1)),
                Focus::Text | Focus::Detail => self.scroll_by(-1),
            },
            KeyCode::Down | KeyCode::Char('j') => match self.focus {
                Focus::Lessons => self.cursor = (self.cursor + 1).min(lessons - 1),
                Focus::Checklist => self.select_item((self.item + 1).min(items.saturating_sub(1))),
                Focus::Text | Focus::Detail => self.scroll_by(1),
            },
            KeyCode::Enter if self.focus == Focus::Lessons => {
                self.open(self.cursor);
                self.focus = Focus::Text;
            }
            KeyCode::PageDown | KeyCode::Char(' ') => self.scroll_by(self.page()),
            KeyCode::PageUp => self.scroll_by(-self.page()),
            KeyCode::Home | KeyCode::Char('g') => self.scroll_by(-i32::from(u16::MAX)),
            KeyCode::End | KeyCode::Char('G') => self.scroll_by(i32::from(u16::MAX)),
            KeyCode::Char('n') => self.open((self.lesson + 1).min(lessons - 1)),
            KeyCode::Char('p') => self.open(self.lesson.saturating_sub(1)),
            KeyCode::Char('c') => return self.start_check(),
            KeyCode::Char('w') => {
                self.watch = !self.watch;
                if self.watch && self.saved_while_off.contains(self.lesson_id()) {
                    let effects = self.start_check();
                    self.say("Watch mode on: checking what you saved while it was off…");
                    return effects;
                }
                self.say(format!(
                    "Watch mode {}.",
                    if self.watch { "on" } else { "off" }
                ));
            }
            KeyCode::Char('h') => self.next_hint(),
            KeyCode::Char('e') => return vec![Effect::Edit(self.lesson_id().to_string())],
            KeyCode::Char('r') => self.show(Overlay::ConfirmReset),
            KeyCode::Char('s') => {
                let l = &self.pack.lessons[self.lesson];
                if self.progress.state(&l.id) == LessonState::Passed {
                    let text = l
                        .solution
                        .iter()
                        .map(|(p, t)| format!("── {}/{p} ──\n{t}", l.id))
                        .collect::<Vec<_>>()
                        .join("\n");
                    self.show(Overlay::Solution(text));
                } else {
                    self.notify("The solution opens once the lesson passes. Try h for a hint.");
                }
            }
            KeyCode::Char('t') => {
                return match &self.trial {
                    Some(_) => vec![Effect::StopTrial],
                    None => {
                        self.say(format!(
                            "Building and starting {} for requests by hand…",
                            self.lesson_id()
                        ));
                        vec![Effect::StartTrial(self.lesson_id().to_string())]
                    }
                };
            }
            KeyCode::Char('y') => return self.copy_request(),
            _ => {}
        }
        vec![]
    }

    fn show(&mut self, overlay: Overlay) {
        self.overlay = Some(overlay);
        self.overlay_scroll = 0;
    }

    fn next_hint(&mut self) {
        let l = &self.pack.lessons[self.lesson];
        let Some(item) = l.items.get(self.item) else {
            return;
        };
        if item.hints.is_empty() {
            self.notify("This item has no hints.");
            return;
        }
        let shown = self
            .hints
            .entry((l.id.clone(), item.id.clone()))
            .or_insert(0);
        if *shown < item.hints.len() {
            *shown += 1;
            // Hints sit at the top of the detail: scroll there so the new one shows.
            self.detail_scroll = 0;
        } else {
            self.notify("No more hints for this item: all of them are shown in the detail.");
        }
    }

    /// `y`: the selected item's failing request as curl, aimed at the server kept
    /// for requests by hand when one runs (the run's own server has stopped).
    fn copy_request(&mut self) -> Vec<Effect> {
        let request = self
            .report()
            .and_then(|r| match &r.items.get(self.item)?.verdict {
                Verdict::Fail(f) if !f.request.method.is_empty() => Some(f.request.clone()),
                _ => None,
            });
        let Some(mut request) = request else {
            self.notify("The selected item has no failing request to copy.");
            return vec![];
        };
        let trial_port = self
            .trial
            .as_ref()
            .filter(|(l, _)| l == self.lesson_id())
            .map(|(_, p)| *p);
        if let Some(port) = trial_port {
            request.url = retarget(&request.url, port);
        }
        let curl = request.to_curl();
        if trial_port.is_none() {
            self.notify(format!(
                "Copying: {curl} (its server has stopped: press t to start {} for requests by hand, then y again)",
                self.lesson_id()
            ));
        } else {
            self.notify(format!("Copying: {curl}"));
        }
        vec![Effect::Copy(curl)]
    }
}

/// `url` (http://127.0.0.1:PORT/…) on `port` instead.
fn retarget(url: &str, port: u16) -> String {
    let Some(rest) = url.strip_prefix("http://127.0.0.1:") else {
        return url.to_string();
    };
    let path = rest.find('/').map_or("", |i| &rest[i..]);
    format!("http://127.0.0.1:{port}{path}")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key(c: KeyCode) -> Event {
        Event::Key(KeyEvent::new(c, KeyModifiers::NONE))
    }

    fn app() -> App {
        App::new(Pack::embedded().unwrap(), Progress::default(), false)
    }

    #[test]
    fn a_reloaded_pack_keeps_the_lesson_shown_and_checks_it_again() {
        let mut a = app();
        a.update(key(KeyCode::Char('n')));
        a.update(key(KeyCode::Char('n')));
        assert_eq!(a.lesson_id(), "03-validation");
        let mut pack = Pack::embedded().unwrap();
        pack.lessons.remove(0); // the shown lesson moves up one place
        pack.lessons[1].readme = "# New text".into();
        let effects = a.update(Event::PackReloaded(Ok(Box::new(pack))));
        assert_eq!(a.lesson_id(), "03-validation");
        assert_eq!(a.lesson, 1);
        assert_eq!(a.texts[1].lines[0].to_string(), "# New text");
        assert_eq!(
            effects,
            vec![Effect::Check("03-validation".into())],
            "watch mode is on"
        );
        let before = a.pack.lessons.len();
        assert_eq!(
            a.update(Event::PackReloaded(Err("lesson.toml:3:1: …".into()))),
            vec![]
        );
        assert_eq!(a.pack.lessons.len(), before, "the last good pack stays");
        assert!(a.message.as_ref().unwrap().text.contains("not reloaded"));
    }

    #[test]
    fn moves_between_lessons_and_items() {
        let mut a = app();
        assert_eq!(a.lesson_id(), "01-first-endpoint");
        a.update(key(KeyCode::Char('n')));
        assert_eq!(a.lesson_id(), "02-rest-resources");
        a.update(key(KeyCode::Tab));
        assert_eq!(a.focus, Focus::Checklist);
        a.update(key(KeyCode::Down));
        a.update(key(KeyCode::Char('j')));
        assert_eq!(a.item, 2);
        a.update(key(KeyCode::Char('p')));
        assert_eq!((a.lesson_id(), a.item), ("01-first-endpoint", 0));
        a.update(key(KeyCode::BackTab));
        a.update(key(KeyCode::BackTab));
        assert_eq!(a.focus, Focus::Lessons);
        a.update(key(KeyCode::Down));
        a.update(key(KeyCode::Down));
        assert_eq!(
            a.lesson_id(),
            "01-first-endpoint",
            "the cursor moves, the lesson waits for Enter"
        );
        a.update(key(KeyCode::Enter));
        assert_eq!(a.lesson_id(), "03-validation");
    }

    #[test]
    fn check_watch_and_saves() {
        let mut a = app();
        assert_eq!(
            a.update(key(KeyCode::Char('c'))),
            vec![Effect::Check("01-first-endpoint".into())]
        );
        assert_eq!(
            a.update(Event::Saved("01-first-endpoint".into())),
            vec![Effect::Check("01-first-endpoint".into())]
        );
        assert_eq!(
            a.update(Event::Saved("02-rest-resources".into())),
            vec![],
            "another lesson's save is ignored"
        );
        a.update(key(KeyCode::Char('w')));
        assert!(!a.watch);
        assert_eq!(a.update(Event::Saved("01-first-endpoint".into())), vec![]);
    }

    #[test]
    fn hints_come_one_at_a_time() {
        let mut a = app();
        assert_eq!(a.hints_shown(), 0);
        a.update(key(KeyCode::Char('h')));
        assert_eq!(a.hints_shown(), 1);
        a.update(key(KeyCode::Char('h')));
        a.update(key(KeyCode::Char('h')));
        assert_eq!(a.hints_shown(), 2, "lesson 1's first item has two hints");
        assert!(a.message_text().unwrap().starts_with("No more hints"));
    }

    #[test]
    fn reset_asks_first_and_solution_waits_for_a_pass() {
        let mut a = app();
        a.update(key(KeyCode::Char('r')));
        assert_eq!(a.overlay, Some(Overlay::ConfirmReset));
        assert_eq!(a.update(key(KeyCode::Char('n'))), vec![]);
        a.update(key(KeyCode::Char('r')));
        assert_eq!(
            a.update(key(KeyCode::Char('y'))),
            vec![Effect::Reset("01-first-endpoint".into())]
        );
        a.update(key(KeyCode::Char('s')));
        assert!(a.overlay.is_none());
        a.progress.record("01-first-endpoint", true, vec![]);
        a.update(key(KeyCode::Char('s')));
        assert!(
            matches!(a.overlay, Some(Overlay::Solution(ref t)) if t.contains("struct Greeting"))
        );
    }

    #[test]
    fn quit_keys() {
        let mut a = app();
        assert_eq!(a.update(key(KeyCode::Char('q'))), vec![Effect::Quit]);
        let ctrl_c = Event::Key(KeyEvent::new(KeyCode::Char('c'), KeyModifiers::CONTROL));
        assert_eq!(a.update(ctrl_c), vec![Effect::Quit]);
        a.update(key(KeyCode::Char('?')));
        assert_eq!(a.overlay, Some(Overlay::Help));
        a.update(key(KeyCode::Esc));
        assert_eq!(a.overlay, None);
    }

    #[test]
    fn a_build_waiting_for_a_lock_says_so_until_cargo_moves_again() {
        let mut a = app();
        a.prebuild = Some((0, 100));
        a.update(Event::WaitingForLock);
        assert_eq!(
            a.message, None,
            "our own first build holds the lock: not news"
        );
        a.prebuild = None;
        a.update(Event::WaitingForLock);
        assert_eq!(a.message_text(), Some(WAITING_FOR_LOCK));
        a.prebuild = Some((0, 100));
        a.update(Event::Prebuild(1));
        assert_eq!(a.message, None);
    }

    fn failing_report(a: &App, pass: &[bool]) -> RunReport {
        use crate::report::{BuildReport, Failure, ItemReport, RequestRecord};
        let l = &a.pack.lessons[a.lesson];
        RunReport {
            lesson: l.id.clone(),
            title: l.title.clone(),
            target: None,
            build: BuildReport::default(),
            stopped: None,
            items: l
                .items
                .iter()
                .zip(pass)
                .map(|(i, p)| ItemReport {
                    id: i.id.clone(),
                    title: i.title.clone(),
                    verdict: if *p {
                        Verdict::Pass
                    } else {
                        let request = RequestRecord {
                            method: "GET".into(),
                            url: "http://127.0.0.1:41234/greetings?x=1".into(),
                            headers: vec![],
                            body: None,
                        };
                        Verdict::Fail(Box::new(
                            Failure::new(1, 1, request).with_error("no answer"),
                        ))
                    },
                    hints: i.hints.clone(),
                    duration: std::time::Duration::ZERO,
                })
                .collect(),
            server_output: vec![],
            output_dropped: 0,
        }
    }

    #[test]
    fn a_run_selects_the_first_failing_item_from_its_top() {
        let mut a = app();
        a.item = 0;
        a.detail_scroll = 7;
        let r = failing_report(&a, &[true, false, false]);
        a.update(Event::RunFinished(Box::new(r)));
        assert_eq!((a.item, a.detail_scroll), (1, 0));
    }

    #[test]
    fn focus_goes_round_and_scrolling_stops_at_the_end() {
        let mut a = app();
        assert_eq!(a.focus, Focus::Text, "a learner starts by reading");
        a.room.set(Room {
            text: (12, 10),
            detail: (3, 5),
            overlay: (0, 0),
        });
        for _ in 0..5 {
            a.update(key(KeyCode::PageDown));
        }
        assert_eq!(a.scroll, 12, "clamped at the furthest offset");
        a.update(key(KeyCode::Up));
        assert_eq!(
            a.scroll, 11,
            "one key up moves at once, not after undoing overshoot"
        );
        a.update(key(KeyCode::Char('g')));
        assert_eq!(a.scroll, 0);
        a.update(key(KeyCode::Tab));
        assert_eq!(a.focus, Focus::Checklist);
        a.update(key(KeyCode::PageDown));
        assert_eq!(
            (a.scroll, a.detail_scroll),
            (0, 3),
            "PgDn on a list scrolls the detail"
        );
        a.update(key(KeyCode::Tab));
        assert_eq!(a.focus, Focus::Detail);
        a.update(key(KeyCode::Char('k')));
        assert_eq!(a.detail_scroll, 2);
        a.update(key(KeyCode::BackTab));
        a.update(key(KeyCode::BackTab));
        assert_eq!(a.focus, Focus::Text);
        a.update(key(KeyCode::BackTab));
        assert_eq!(a.focus, Focus::Lessons);
    }

    #[test]
    fn a_hint_scrolls_the_detail_to_where_hints_are() {
        let mut a = app();
        a.room.set(Room {
            text: (0, 10),
            detail: (20, 5),
            overlay: (0, 0),
        });
        a.focus = Focus::Detail;
        a.update(key(KeyCode::End));
        assert_eq!(a.detail_scroll, 20);
        a.update(key(KeyCode::Char('h')));
        assert_eq!((a.hints_shown(), a.detail_scroll), (1, 0));
    }

    #[test]
    fn a_sticky_message_stays_until_a_key_and_progress_does_not_hide_it() {
        let mut a = app();
        a.notify("Reset 01; your files are in /ws/.apilings/backups/01/x");
        a.update(Event::Saved("01-first-endpoint".into()));
        let r = failing_report(&a, &[false, false, false]);
        a.update(Event::RunFinished(Box::new(r)));
        assert!(a.message_text().unwrap().contains("backups"));
        a.update(key(KeyCode::Down));
        assert_eq!(a.message, None);
    }

    #[test]
    fn saves_of_another_lesson_are_named_and_watch_on_checks_what_was_saved_off() {
        let mut a = app();
        assert_eq!(a.update(Event::Saved("03-validation".into())), vec![]);
        assert!(a.message_text().unwrap().contains("03-validation"));
        a.update(key(KeyCode::Char('w')));
        assert_eq!(a.update(Event::Saved("01-first-endpoint".into())), vec![]);
        assert_eq!(
            a.update(key(KeyCode::Char('w'))),
            vec![Effect::Check("01-first-endpoint".into())]
        );
        assert!(a.message_text().unwrap().contains("while it was off"));
        a.update(key(KeyCode::Char('w')));
        assert_eq!(
            a.update(key(KeyCode::Char('w'))),
            vec![],
            "nothing was saved this time"
        );
    }

    #[test]
    fn y_aims_the_curl_at_the_server_kept_for_requests_by_hand() {
        let mut a = app();
        let r = failing_report(&a, &[false, true, true]);
        a.update(Event::RunFinished(Box::new(r)));
        let Effect::Copy(curl) = a.update(key(KeyCode::Char('y'))).remove(0) else {
            panic!("y copies");
        };
        assert!(curl.contains("41234"), "{curl}");
        assert!(
            a.message_text().unwrap().contains("press t"),
            "{:?}",
            a.message
        );
        assert_eq!(
            a.update(key(KeyCode::Char('t'))),
            vec![Effect::StartTrial("01-first-endpoint".into())]
        );
        a.update(Event::TrialStarted {
            lesson: "01-first-endpoint".into(),
            port: 4000,
        });
        a.update(key(KeyCode::Down));
        a.update(key(KeyCode::Char('k')));
        let Effect::Copy(curl) = a.update(key(KeyCode::Char('y'))).remove(0) else {
            panic!("y copies");
        };
        assert!(
            curl.contains("http://127.0.0.1:4000/greetings?x=1"),
            "{curl}"
        );
        assert_eq!(a.update(key(KeyCode::Char('t'))), vec![Effect::StopTrial]);
    }

    #[test]
    fn popups_scroll_and_close() {
        let mut a = app();
        a.progress.record("01-first-endpoint", true, vec![]);
        a.update(key(KeyCode::Char('s')));
        a.room.set(Room {
            overlay: (30, 20),
            ..Room::default()
        });
        a.update(key(KeyCode::PageDown));
        a.update(key(KeyCode::PageDown));
        assert_eq!(a.overlay_scroll, 30);
        assert!(a.overlay.is_some(), "scrolling keeps it open");
        a.update(key(KeyCode::Esc));
        assert!(a.overlay.is_none());
    }
}
