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

/// The progress format this version writes; it reads older and newer ones.
pub const PROGRESS_FORMAT: u32 = 1;

/// All of the learner's progress.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Progress {
    /// The format of the file it was read from (this version's when new).
    #[serde(default = "format_one")]
    pub format: u32,
    /// Per lesson id.
    #[serde(default)]
    pub lessons: BTreeMap<String, Recorded>,
    /// Entries a newer apilings wrote that this one cannot read: kept as they
    /// are and written back, never thrown away.
    #[serde(skip)]
    pub unknown: BTreeMap<String, toml::Value>,
}

fn format_one() -> u32 {
    PROGRESS_FORMAT
}

impl Default for Progress {
    fn default() -> Self {
        Progress {
            format: PROGRESS_FORMAT,
            lessons: BTreeMap::new(),
            unknown: BTreeMap::new(),
        }
    }
}

impl Progress {
    /// The state of a lesson (not started when never recorded).
    pub fn state(&self, id: &str) -> LessonState {
        self.lessons.get(id).map(|r| r.state).unwrap_or_default()
    }

    /// Records a run's result. A lesson once passed stays passed if a later run fails,
    /// but the failing items are still remembered (for hints).
    pub fn record_run(&mut self, report: &crate::report::RunReport) {
        let failing = report
            .items
            .iter()
            .filter(|i| !i.verdict.is_pass())
            .map(|i| i.id.clone())
            .collect();
        self.record(&report.lesson, report.passed(), failing);
    }

    /// [`Progress::record_run`] from its parts.
    pub fn record(&mut self, id: &str, passed: bool, failing: Vec<String>) {
        self.unknown.remove(id);
        let entry = self.lessons.entry(id.to_string()).or_default();
        entry.state = if passed || entry.state == LessonState::Passed {
            LessonState::Passed
        } else {
            LessonState::Failing
        };
        entry.failing = failing;
        entry.updated = jiff::Timestamp::now().to_string();
    }

    /// Reads progress from `path`. Missing → empty. A file that cannot be read
    /// or is not TOML at all (invalid UTF-8 included) is moved aside, under a
    /// name no other file has, and progress restarts; a lesson entry this
    /// version does not understand (a newer apilings wrote it) is kept as it is.
    /// The warning says what happened.
    pub fn load(path: &Path) -> (Progress, Option<String>) {
        let bytes = match fs::read(path) {
            Ok(b) => b,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                return (Progress::default(), None);
            }
            Err(e) => return (Progress::default(), Some(set_aside(path, &e.to_string()))),
        };
        let table = match std::str::from_utf8(&bytes) {
            Err(e) => {
                return (
                    Progress::default(),
                    Some(set_aside(path, &format!("not UTF-8: {e}"))),
                );
            }
            Ok(text) => match text.parse::<toml::Table>() {
                Err(e) => return (Progress::default(), Some(set_aside(path, e.message()))),
                Ok(t) => t,
            },
        };
        let mut progress = Progress {
            format: table
                .get("format")
                .and_then(toml::Value::as_integer)
                .and_then(|f| u32::try_from(f).ok())
                .unwrap_or(PROGRESS_FORMAT),
            ..Progress::default()
        };
        let mut notes = Vec::new();
        if progress.format > PROGRESS_FORMAT {
            notes.push(format!(
                "{} was written by a newer apilings (progress format {}, this one writes {PROGRESS_FORMAT})",
                path.display(),
                progress.format
            ));
        }
        if let Some(lessons) = table.get("lessons").and_then(toml::Value::as_table) {
            for (id, value) in lessons {
                match value.clone().try_into::<Recorded>() {
                    Ok(r) => {
                        progress.lessons.insert(id.clone(), r);
                    }
                    Err(e) => {
                        notes.push(format!(
                            "the progress of `{id}` is kept as it is but not understood ({})",
                            e.message()
                        ));
                        progress.unknown.insert(id.clone(), value.clone());
                    }
                }
            }
        }
        let warning = (!notes.is_empty()).then(|| notes.join("; "));
        (progress, warning)
    }

    /// The TOML text of this progress (entries it did not understand included).
    pub fn to_toml(&self) -> anyhow::Result<String> {
        let mut table = toml::Table::try_from(self)?;
        table.insert(
            "format".into(),
            toml::Value::Integer(i64::from(self.format.max(PROGRESS_FORMAT))),
        );
        if !self.unknown.is_empty() {
            let lessons = table
                .entry("lessons")
                .or_insert_with(|| toml::Value::Table(toml::Table::new()));
            if let Some(lessons) = lessons.as_table_mut() {
                for (id, value) in &self.unknown {
                    lessons.insert(id.clone(), value.clone());
                }
            }
        }
        Ok(toml::to_string(&table)?)
    }
}

/// Moves a progress file that cannot be used out of the way, to a name that no
/// file has (it is never overwritten), and says where it went.
fn set_aside(path: &Path, why: &str) -> String {
    let stamp = jiff::Timestamp::now().strftime("%Y%m%dT%H%M%S").to_string();
    let mut moved = None;
    for n in 0..100 {
        let aside = path.with_extension(format!("toml.unreadable-{stamp}-{n}"));
        // A hard link fails when the name exists, where a rename would replace it.
        if fs::hard_link(path, &aside).is_ok() {
            let _ = fs::remove_file(path);
            moved = Some(aside);
            break;
        }
    }
    let where_ = match moved {
        Some(aside) => format!("it was moved to {}", aside.display()),
        None => "it could not be moved and is left in place".into(),
    };
    format!(
        "the progress file {} could not be used ({why}); {where_}, and progress starts again",
        path.display()
    )
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
        assert!(warning.contains("could not be used"), "{warning}");
        assert!(!path.exists());
        let aside: Vec<_> = fs::read_dir(dir.path()).unwrap().collect();
        assert_eq!(aside.len(), 1);
    }

    #[test]
    fn invalid_utf8_is_moved_aside_and_never_over_another_file() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("progress.toml");
        for round in 0..3 {
            fs::write(&path, b"format = 1\n\xff\xfe").unwrap();
            let (p, warning) = Progress::load(&path);
            assert_eq!(p, Progress::default());
            assert!(warning.unwrap().contains("not UTF-8"));
            let kept = fs::read_dir(dir.path()).unwrap().count();
            assert_eq!(
                kept,
                round + 1,
                "each unreadable file is kept under its own name"
            );
        }
    }

    #[test]
    fn a_newer_format_and_unknown_states_are_kept_and_reported() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("progress.toml");
        let text = "format = 2\n[lessons.\"01\"]\nstate = \"passed\"\n[lessons.\"02\"]\nstate = \"skipped\"\nnote = \"x\"\n";
        fs::write(&path, text).unwrap();
        let (mut p, warning) = Progress::load(&path);
        let warning = warning.unwrap();
        assert!(
            warning.contains("newer apilings (progress format 2"),
            "{warning}"
        );
        assert!(warning.contains("`02` is kept as it is"), "{warning}");
        assert_eq!(p.state("01"), LessonState::Passed);
        p.record("03", true, vec![]);
        let back = p.to_toml().unwrap();
        assert!(back.contains("state = \"skipped\""), "{back}");
        assert!(back.contains("format = 2"), "{back}");
    }
}
