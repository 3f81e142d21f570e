//! The TUI's state and how it changes. `update` is the only place state
//! changes; it returns the effects (start a run, open the editor, quit…) for the
//! event loop to carry out, so key handling is unit-tested without a terminal.

use std::collections::HashMap;

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
    /// Leave the TUI.
    Quit,
}

/// Which pane the arrow keys move in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Focus {
    /// The lessons list.
    Lessons,
    /// The checklist.
    Checklist,
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
    /// A one-line message in the status bar.
    pub message: Option<String>,
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
            focus: Focus::Checklist,
            scroll: 0,
            reports: HashMap::new(),
            running: None,
            hints: HashMap::new(),
            watch: true,
            overlay: None,
            message: None,
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

    /// Applies one event; returns what the loop must do.
    pub fn update(&mut self, event: Event) -> Vec<Effect> {
        match event {
            Event::Key(key) => self.key(key),
            Event::Resize => vec![],
            Event::RunFinished(report) => {
                if self.running.as_deref() == Some(report.lesson.as_str()) {
                    self.running = None;
                }
                let id = report.lesson.clone();
                let failing = report
                    .items
                    .iter()
                    .filter(|i| !i.verdict.is_pass())
                    .map(|i| i.id.clone())
                    .collect();
                let was_passed = self.progress.state(&id) == LessonState::Passed;
                self.progress.record(&id, report.passed(), failing);
                self.message = Some(if report.passed() {
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
                });
                self.reports.insert(id, *report);
                vec![]
            }
            Event::Prebuild(done) => {
                self.lock_released();
                if let Some((d, total)) = &mut self.prebuild {
                    *d = done;
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
                self.message = Some(WAITING_FOR_LOCK.into());
                vec![]
            }
            Event::Saved(lesson) => {
                if self.watch && lesson == self.lesson_id() {
                    self.start_check()
                } else {
                    vec![]
                }
            }
        }
    }

    fn start_check(&mut self) -> Vec<Effect> {
        let id = self.lesson_id().to_string();
        self.running = Some(id.clone());
        self.message = Some(format!("Checking {id}…"));
        vec![Effect::Check(id)]
    }

    /// Cargo moves again: the lock message no longer holds.
    fn lock_released(&mut self) {
        if self.message.as_deref() == Some(WAITING_FOR_LOCK) {
            self.message = None;
        }
    }

    fn open(&mut self, index: usize) {
        if index != self.lesson {
            self.lesson = index;
            self.item = 0;
            self.scroll = 0;
            self.message = None;
        }
        self.cursor = index;
    }

    fn key(&mut self, key: KeyEvent) -> Vec<Effect> {
        if key.modifiers.contains(KeyModifiers::CONTROL) && key.code == KeyCode::Char('c') {
            return vec![Effect::Quit];
        }
        if let Some(overlay) = &self.overlay {
            return match (overlay, key.code) {
                (Overlay::ConfirmReset, KeyCode::Char('y')) => {
                    self.overlay = None;
                    vec![Effect::Reset(self.lesson_id().to_string())]
                }
                (Overlay::ConfirmReset, _) => {
                    self.overlay = None;
                    self.message = Some("Reset cancelled.".into());
                    vec![]
                }
                (_, KeyCode::Char('q')) => vec![Effect::Quit],
                _ => {
                    self.overlay = None;
                    vec![]
                }
            };
        }
        let lessons = self.pack.lessons.len();
        let items = self.pack.lessons[self.lesson].items.len();
        match key.code {
            KeyCode::Char('q') => return vec![Effect::Quit],
            KeyCode::Char('?') => self.overlay = Some(Overlay::Help),
            KeyCode::Tab => {
                self.focus = match self.focus {
                    Focus::Lessons => Focus::Checklist,
                    Focus::Checklist => Focus::Lessons,
                }
            }
            KeyCode::Up | KeyCode::Char('k') => match self.focus {
                Focus::Lessons => self.cursor = self.cursor.saturating_sub(1),
                Focus::Checklist => self.item = self.item.saturating_sub(1),
            },
            KeyCode::Down | KeyCode::Char('j') => match self.focus {
                Focus::Lessons => self.cursor = (self.cursor + 1).min(lessons - 1),
                Focus::Checklist => self.item = (self.item + 1).min(items.saturating_sub(1)),
            },
            KeyCode::Enter if self.focus == Focus::Lessons => {
                self.open(self.cursor);
                self.focus = Focus::Checklist;
            }
            KeyCode::PageDown => self.scroll = self.scroll.saturating_add(10),
            KeyCode::PageUp => self.scroll = self.scroll.saturating_sub(10),
            KeyCode::Char('n') => self.open((self.lesson + 1).min(lessons - 1)),
            KeyCode::Char('p') => self.open(self.lesson.saturating_sub(1)),
            KeyCode::Char('c') => return self.start_check(),
            KeyCode::Char('w') => {
                self.watch = !self.watch;
                self.message = Some(format!(
                    "Watch mode {}.",
                    if self.watch { "on" } else { "off" }
                ));
            }
            KeyCode::Char('h') => {
                let l = &self.pack.lessons[self.lesson];
                if let Some(item) = l.items.get(self.item) {
                    let shown = self
                        .hints
                        .entry((l.id.clone(), item.id.clone()))
                        .or_insert(0);
                    if *shown < item.hints.len() {
                        *shown += 1;
                    } else {
                        self.message = Some("No more hints for this item.".into());
                    }
                }
            }
            KeyCode::Char('e') => return vec![Effect::Edit(self.lesson_id().to_string())],
            KeyCode::Char('r') => self.overlay = Some(Overlay::ConfirmReset),
            KeyCode::Char('s') => {
                let l = &self.pack.lessons[self.lesson];
                if self.progress.state(&l.id) == LessonState::Passed {
                    let text = l
                        .solution
                        .iter()
                        .map(|(p, t)| format!("── {}/{p} ──\n{t}", l.id))
                        .collect::<Vec<_>>()
                        .join("\n");
                    self.overlay = Some(Overlay::Solution(text));
                } else {
                    self.message =
                        Some("The solution opens once the lesson passes. Try h for a hint.".into());
                }
            }
            KeyCode::Char('y') => {
                let curl = self
                    .report()
                    .and_then(|r| match &r.items.get(self.item)?.verdict {
                        Verdict::Fail(f) if !f.request.method.is_empty() => {
                            Some(f.request.to_curl())
                        }
                        _ => None,
                    });
                match curl {
                    Some(c) => {
                        self.message = Some(format!("Copied: {c}"));
                        return vec![Effect::Copy(c)];
                    }
                    None => {
                        self.message =
                            Some("The selected item has no failing request to copy.".into())
                    }
                }
            }
            _ => {}
        }
        vec![]
    }
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
    fn moves_between_lessons_and_items() {
        let mut a = app();
        assert_eq!(a.lesson_id(), "01-first-endpoint");
        a.update(key(KeyCode::Char('n')));
        assert_eq!(a.lesson_id(), "02-rest-resources");
        a.update(key(KeyCode::Down));
        a.update(key(KeyCode::Char('j')));
        assert_eq!(a.item, 2);
        a.update(key(KeyCode::Char('p')));
        assert_eq!((a.lesson_id(), a.item), ("01-first-endpoint", 0));
        a.update(key(KeyCode::Tab));
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
        assert_eq!(a.message.as_deref(), Some("No more hints for this item."));
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
        assert_eq!(a.message.as_deref(), Some(WAITING_FOR_LOCK));
        a.update(Event::Prebuild(1));
        assert_eq!(a.message, None);
    }
}
