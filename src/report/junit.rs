//! `grade --format junit`: JUnit XML as GitLab's and GitHub's test reporters
//! read it (docs/grading.md). One `testsuite` per lesson, one `testcase` per
//! checklist item with the lesson as its `classname` (GitLab's "Suite"
//! column); a failure carries its whole transcript as the element's text,
//! which is what GitLab shows.
//!
//! Written by hand: the shape is five elements, and a writer crate would add
//! more to the build than this file holds. What the server printed is made
//! safe for XML 1.0 here (control characters are not allowed in it at all).

use std::fmt::Write as _;
use std::time::Duration;

use super::{ClassReport, GradeReport, ItemReport, Reporter, RunReport, Stopped, Verdict};

/// Writes nothing per lesson, and the whole document at the end.
#[derive(Debug, Default)]
pub struct Junit;

impl Reporter for Junit {
    fn finish(&mut self, grade: &GradeReport) -> String {
        document(grade)
    }
}

/// How many of a lesson's items failed, could not run, and cannot run on its stack.
fn counts(lesson: &RunReport) -> (usize, usize, usize) {
    let failures = lesson
        .items
        .iter()
        .filter(|i| matches!(i.verdict, Verdict::Fail(_)))
        .count();
    let errors = lesson
        .items
        .iter()
        .filter(|i| matches!(i.verdict, Verdict::NotRun))
        .count();
    let skipped = lesson
        .items
        .iter()
        .filter(|i| matches!(i.verdict, Verdict::NotApplicable { .. }))
        .count();
    (failures, errors, skipped)
}

/// The whole grading as one JUnit document.
pub fn document(grade: &GradeReport) -> String {
    let suites: Vec<(String, &RunReport)> = grade
        .lessons
        .iter()
        .map(|l| (l.lesson.clone(), l))
        .collect();
    suites_document(&suites, grade.build + grade.checks)
}

/// A class's grading as one JUnit document: a suite per learner and lesson,
/// named `learner/lesson` (GitLab's "Suite" column then names both).
pub fn class_document(class: &ClassReport) -> String {
    let mut suites = Vec::new();
    let mut time = Duration::ZERO;
    for learner in &class.learners {
        if let Some(grade) = &learner.grade {
            time += grade.build + grade.checks;
            suites.extend(
                grade
                    .lessons
                    .iter()
                    .map(|l| (format!("{}/{}", learner.learner, l.lesson), l)),
            );
        }
    }
    suites_document(&suites, time)
}

fn suites_document(suites: &[(String, &RunReport)], time: Duration) -> String {
    let mut s = String::from("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
    let (mut tests, mut failures, mut errors) = (0, 0, 0);
    for (_, lesson) in suites {
        let (f, e, _) = counts(lesson);
        tests += lesson.items.len();
        failures += f;
        errors += e;
    }
    let _ = writeln!(
        s,
        "<testsuites name=\"apilings\" tests=\"{tests}\" failures=\"{failures}\" errors=\"{errors}\" time=\"{}\">",
        seconds(time)
    );
    for (name, lesson) in suites {
        suite(&mut s, name, lesson);
    }
    s.push_str("</testsuites>\n");
    s
}

fn suite(s: &mut String, name: &str, lesson: &RunReport) {
    let (failures, errors, skipped) = counts(lesson);
    let time: Duration =
        lesson.build.duration + lesson.items.iter().map(|i| i.duration).sum::<Duration>();
    let _ = writeln!(
        s,
        "  <testsuite name=\"{}\" tests=\"{}\" failures=\"{failures}\" errors=\"{errors}\" skipped=\"{skipped}\" time=\"{}\">",
        attr(name),
        lesson.items.len(),
        seconds(time)
    );
    for item in &lesson.items {
        case(s, name, lesson, item);
    }
    if !lesson.server_output.is_empty() {
        let _ = writeln!(
            s,
            "    <system-out>{}</system-out>",
            text(&lesson.server_output.join("\n"))
        );
    }
    s.push_str("  </testsuite>\n");
}

fn case(s: &mut String, suite: &str, lesson: &RunReport, item: &ItemReport) {
    let _ = write!(
        s,
        "    <testcase name=\"{}\" classname=\"{}\" time=\"{}\"",
        attr(&format!("{}: {}", item.id, item.title)),
        attr(suite),
        seconds(item.duration)
    );
    match &item.verdict {
        Verdict::Pass => s.push_str("/>\n"),
        Verdict::NotApplicable { why } => {
            let _ = writeln!(
                s,
                ">\n      <skipped type=\"not_applicable\" message=\"{}\"/>\n    </testcase>",
                attr(&format!("not applicable on this stack: {why}"))
            );
        }
        Verdict::Fail(f) => {
            let body = super::text::failure_and_hint(item, f);
            let _ = writeln!(
                s,
                ">\n      <failure type=\"check\" message=\"{}\">{}</failure>",
                attr(&super::shorten(body.lines().next().unwrap_or(""), 200)),
                text(&body)
            );
            if !f.server_output.is_empty() {
                let _ = writeln!(
                    s,
                    "      <system-out>{}</system-out>",
                    text(&f.server_output.join("\n"))
                );
            }
            s.push_str("    </testcase>\n");
        }
        Verdict::NotRun => {
            let (kind, why) = match &lesson.stopped {
                Some(stopped) => (kind(stopped), super::text::stopped_line(stopped)),
                None => ("not_run", "the item was not run".to_string()),
            };
            let body = super::text::stopped_in_full(lesson).unwrap_or_else(|| why.clone());
            let _ = writeln!(
                s,
                ">\n      <error type=\"{kind}\" message=\"{}\">{}</error>\n    </testcase>",
                attr(&super::shorten(&why, 200)),
                text(&body)
            );
        }
    }
}

/// The `kind` the JSON report gives a stop.
fn kind(stopped: &Stopped) -> &'static str {
    match stopped {
        Stopped::BuildFailed => "build_failed",
        Stopped::BuildTimedOut { .. } => "build_timed_out",
        Stopped::NeverListened { .. } => "never_listened",
        Stopped::HeldOutside { .. } => "held_outside",
        Stopped::ListensEverywhere { .. } => "listens_everywhere",
        Stopped::ExitedEarly { .. } => "exited_early",
        Stopped::Infrastructure { .. } => "infrastructure",
    }
}

fn seconds(d: Duration) -> String {
    format!("{:.3}", d.as_secs_f64())
}

/// `s` as XML character data: shown as text (control characters made visible
/// by [`super::clean`]), then escaped; what XML 1.0 forbids is replaced.
fn text(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in super::clean(s).chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '\u{fffe}' | '\u{ffff}' => out.push('\u{fffd}'),
            c => out.push(c),
        }
    }
    out
}

/// `s` as an attribute value in double quotes (a newline kept as one).
fn attr(s: &str) -> String {
    text(s).replace('"', "&quot;").replace('\n', "&#10;")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn what_xml_cannot_hold_is_shown_as_text() {
        assert_eq!(
            text("a < b && \u{1b}[2J \u{0}\u{ffff}"),
            "a &lt; b &amp;&amp; ␛[2J ␀\u{fffd}"
        );
        assert_eq!(attr("say \"hi\"\nthen"), "say &quot;hi&quot;&#10;then");
    }
}
