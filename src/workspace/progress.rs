//! The learner's progress: per lesson, not started / failing / passed, and which
//! items failed last. Stored as TOML in `.apilings/progress.toml`.

use std::collections::BTreeMap;
use std::fs;
use std::path::Path;

use serde::{Deserialize, Serialize};

/// A lesson's state as the learner sees it.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum LessonState {
    /// Never checked.
    #[default]
    NotStarted,
    /// Checked, and at least one item failed (or it did not build).
    Failing,
    /// Every item passed at least once.
    Passed,
}

impl std::fmt::Display for LessonState {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            LessonState::NotStarted => "not started",
            LessonState::Failing => "failing",
            LessonState::Passed => "passed",
        })
    }
}

/// What was recorded for one lesson.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Recorded {
    /// The lesson's state.
    pub state: LessonState,
    /// Ids of the items that failed in the last run.
    #[serde(default)]
    pub failing: Vec<String>,
    /// When the last run finished (RFC 3339).
    #[serde(default)]
    pub updated: String,
}

/// All of the learner's progress.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Progress {
    /// Per lesson id.
    #[serde(default)]
    pub lessons: BTreeMap<String, Recorded>,
}

impl Progress {
    /// The state of a lesson (not started when never recorded).
    pub fn state(&self, id: &str) -> LessonState {
        self.lessons.get(id).map(|r| r.state).unwrap_or_default()
    }

    /// Records a run's result. A lesson once passed stays passed if a later run fails,
    /// but the failing items are still remembered (for hints).
    pub fn record(&mut self, id: &str, passed: bool, failing: Vec<String>) {
        let entry = self.lessons.entry(id.to_string()).or_default();
        entry.state = if passed || entry.state == LessonState::Passed {
            LessonState::Passed
        } else {
            LessonState::Failing
        };
        entry.failing = failing;
        entry.updated = jiff::Timestamp::now().to_string();
    }

    /// Reads progress from `path`. Missing → empty. Unreadable or corrupt → the file is
    /// moved aside and progress restarts, with a warning saying where it went.
    pub fn load(path: &Path) -> (Progress, Option<String>) {
        let text = match fs::read_to_string(path) {
            Ok(t) => t,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                return (Progress::default(), None);
            }
            Err(e) => {
                return (
                    Progress::default(),
                    Some(format!(
                        "cannot read {}: {e}; starting from no progress",
                        path.display()
                    )),
                );
            }
        };
        match toml::from_str(&text) {
            Ok(p) => (p, None),
            Err(e) => {
                let aside = path.with_extension(format!(
                    "toml.corrupt-{}",
                    jiff::Timestamp::now().as_second()
                ));
                let moved = fs::rename(path, &aside).is_ok();
                let where_ = if moved {
                    format!("moved to {}", aside.display())
                } else {
                    "left in place".into()
                };
                let msg = format!(
                    "the progress file {} was damaged ({}); it was {where_} and progress starts again",
                    path.display(),
                    e.message()
                );
                (Progress::default(), Some(msg))
            }
        }
    }

    /// The TOML text of this progress.
    pub fn to_toml(&self) -> anyhow::Result<String> {
        Ok(toml::to_string(self)?)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_passed_lesson_stays_passed() {
        let mut p = Progress::default();
        p.record("01", false, vec!["a".into()]);
        assert_eq!(p.state("01"), LessonState::Failing);
        p.record("01", true, vec![]);
        p.record("01", false, vec!["b".into()]);
        assert_eq!(p.state("01"), LessonState::Passed);
        assert_eq!(p.lessons["01"].failing, vec!["b".to_string()]);
        assert_eq!(p.state("02"), LessonState::NotStarted);
    }

    #[test]
    fn round_trips_through_toml() {
        let mut p = Progress::default();
        p.record("01-first-endpoint", true, vec![]);
        let back: Progress = toml::from_str(&p.to_toml().unwrap()).unwrap();
        assert_eq!(back, p);
    }

    #[test]
    fn a_corrupt_file_is_moved_aside() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("progress.toml");
        fs::write(&path, "[lessons.\"01\"\nstate = ").unwrap();
        let (p, warning) = Progress::load(&path);
        assert_eq!(p, Progress::default());
        let warning = warning.unwrap();
        assert!(warning.contains("damaged"), "{warning}");
        assert!(!path.exists());
        let aside: Vec<_> = fs::read_dir(dir.path()).unwrap().collect();
        assert_eq!(aside.len(), 1);
    }
}
