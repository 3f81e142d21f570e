//! The run report as plain text for the terminal: one line per checklist item,
//! and for each failure the request (also as `curl`), what was expected, what
//! came back, the server's output around it and the item's first hint.

use std::fmt::Write as _;

use super::{Failure, GradeReport, Reporter, RunReport, Stopped, Verdict};

use super::view::OUTPUT_LINES;

/// `check`'s reporter: each lesson's whole report.
#[derive(Debug, Default)]
pub struct Lessons;

impl Reporter for Lessons {
    fn lesson(&mut self, report: &RunReport) -> String {
        render(report)
    }

    fn finish(&mut self, _: &GradeReport) -> String {
        String::new()
    }
}

/// `grade`'s reporter: the build, one line per lesson as it is graded, then
/// the details of every failure.
#[derive(Debug)]
pub struct Summary {
    lessons: usize,
    built: bool,
}

impl Summary {
    /// A reporter for the grading of `lessons` lessons.
    pub fn new(lessons: usize) -> Self {
        Summary {
            lessons,
            built: false,
        }
    }
}

impl Reporter for Summary {
    fn lesson(&mut self, report: &RunReport) -> String {
        let mut s = String::new();
        // The one build's line, at the first lesson that was built (none is
        // when every lesson is graded on a server command or URL).
        if report.target.is_none() && !std::mem::replace(&mut self.built, true) {
            let b = &report.build;
            let _ = writeln!(
                s,
                "build: {:.1} s for {} lesson crate(s), {} crate(s) compiled",
                b.duration.as_secs_f64(),
                self.lessons,
                b.compiled
            );
        }
        let _ = writeln!(s, "{}", grade_line(report));
        s
    }

    fn finish(&mut self, grade: &GradeReport) -> String {
        grade_details(grade)
    }
}

/// The whole report as text.
pub fn render(report: &RunReport) -> String {
    super::clean(&render_raw(report))
}

fn render_raw(report: &RunReport) -> String {
    let mut s = String::new();
    let _ = writeln!(s, "{} — {}", report.lesson, report.title);
    let b = &report.build;
    if !b.diagnostics.is_empty() && !b.ok {
        s.push('\n');
        for d in &b.diagnostics {
            s.push_str(d.rendered.trim_end());
            s.push_str("\n\n");
        }
    }
    if !b.ok && b.diagnostics.is_empty() && !b.cargo_stderr.trim().is_empty() {
        let _ = writeln!(
            s,
            "\ncargo said:\n{}\n",
            indent(b.cargo_stderr.trim_end(), "  ")
        );
    }
    s.push_str(&build_line(report));
    s.push('\n');
    if let Some(why) = &report.stopped {
        let _ = writeln!(s, "{}", stopped_line(why));
        if !report.server_output.is_empty() {
            let _ = writeln!(s, "server output (last lines):");
            let lines = &report.server_output;
            for line in &lines[lines.len().saturating_sub(OUTPUT_LINES)..] {
                let _ = writeln!(s, "  | {line}");
            }
        }
    }
    s.push('\n');
    for item in &report.items {
        let mark = match &item.verdict {
            Verdict::Pass => "✓",
            Verdict::Fail(_) => "✗",
            Verdict::NotRun => "·",
            Verdict::NotApplicable { .. } => "–",
        };
        let suffix = match &item.verdict {
            Verdict::NotRun => " (not run)".to_string(),
            Verdict::NotApplicable { why } => format!(" (not applicable on this stack: {why})"),
            _ => String::new(),
        };
        let _ = writeln!(s, "{mark} {} — {}{suffix}", item.id, item.title);
        if let Verdict::Fail(f) = &item.verdict {
            s.push_str(&indent(&failure(f), "    "));
            if let Some(hint) = item.hints.first() {
                let _ = writeln!(s, "    hint: {hint}");
            }
            s.push('\n');
        }
    }
    let total = report.items.len();
    let passed = report.passed_count();
    if report.passed() {
        let _ = writeln!(s, "\nAll {total} items pass. Well done!");
    } else {
        let _ = writeln!(s, "\n{passed} of {total} items pass.");
    }
    s
}

/// One line per graded lesson: its mark, its id and how far it got.
pub fn grade_line(report: &RunReport) -> String {
    super::clean(&grade_line_raw(report))
}

fn grade_line_raw(report: &RunReport) -> String {
    let mark = if report.passed() { "✓" } else { "✗" };
    let total = report.items.len();
    let how = match &report.stopped {
        None => format!("{}/{total} items pass", report.passed_count()),
        Some(Stopped::BuildFailed) => "does not compile".into(),
        Some(Stopped::BuildTimedOut { .. }) => "build stopped at its bound".into(),
        Some(Stopped::Infrastructure { .. }) => {
            "could not be graded (not the lesson's fault)".into()
        }
        Some(_) => format!(
            "{}/{total} items pass; the server did not start",
            report.passed_count()
        ),
    };
    format!("{mark} {:<28} {how}", report.lesson)
}

/// The end of a grading: every lesson that did not pass in full, then the count.
pub fn grade_details(grade: &GradeReport) -> String {
    super::clean(&grade_details_raw(grade))
}

fn grade_details_raw(grade: &GradeReport) -> String {
    let mut s = String::new();
    for lesson in grade.lessons.iter().filter(|l| !l.passed()) {
        let _ = writeln!(s, "\n── {} ──", lesson.lesson);
        s.push_str(&render(lesson));
    }
    let _ = writeln!(
        s,
        "\n{} of {} lessons pass (build {:.1} s, checks {:.1} s).",
        grade.passed_count(),
        grade.lessons.len(),
        grade.build.as_secs_f64(),
        grade.checks.as_secs_f64()
    );
    s
}

/// One line on what the build did.
pub fn build_line(report: &RunReport) -> String {
    if let Some(target) = &report.target {
        return format!("server: {target} (nothing built)");
    }
    let b = &report.build;
    let secs = b.duration.as_secs_f64();
    if b.ok && b.fresh {
        format!("build: fresh, nothing rebuilt ({secs:.2} s)")
    } else if b.ok {
        let warnings = b
            .diagnostics
            .iter()
            .filter(|d| d.level == "warning")
            .count();
        let w = if warnings > 0 {
            format!(", {warnings} warning(s)")
        } else {
            String::new()
        };
        format!(
            "build: ok, {} crate(s) compiled in {secs:.2} s{w}",
            b.compiled
        )
    } else {
        let errors = b.diagnostics.iter().filter(|d| d.level == "error").count();
        match report.stopped {
            Some(Stopped::BuildTimedOut { .. }) => format!("build: stopped after {secs:.0} s"),
            _ if errors > 0 => format!("build: failed with {errors} error(s) ({secs:.2} s)"),
            _ => format!("build: failed ({secs:.2} s)"),
        }
    }
}

/// Why no item was graded, in the learner's words, naming the bound that was hit.
pub fn stopped_line(why: &Stopped) -> String {
    super::clean(&stopped_line_raw(why))
}

fn stopped_line_raw(why: &Stopped) -> String {
    match why {
        Stopped::BuildFailed => {
            "The lesson does not build yet: fix what the compiler (or cargo) said above, then check again.".into()
        }
        Stopped::BuildTimedOut { bound } => format!(
            "The build did not finish within {} s (the build bound), so it was stopped.",
            bound.as_secs()
        ),
        Stopped::NeverListened {
            port,
            bound,
            elsewhere,
        } => {
            let instead = if elsewhere.is_empty() {
                "Does main call `kit::serve`?".to_string()
            } else if elsewhere.iter().any(|a| *a == format!("[::1]:{port}")) {
                format!(
                    "It listens on [::1]:{port}, IPv6's loopback, on the right port: the checks (and most clients) \
                     connect to 127.0.0.1, so bind 127.0.0.1 (kit::serve does)."
                )
            } else {
                format!(
                    "It listens on {} instead: read the port from PORT.",
                    elsewhere.join(", ")
                )
            };
            format!(
                "The server never started listening on 127.0.0.1:{port} (its PORT) within {} s (the start bound). {instead}",
                bound.as_secs_f64()
            )
        }
        Stopped::HeldOutside { port } => format!(
            "127.0.0.1:{port} answers, but not from the server's own processes: a child that left it \
             (a double fork, a daemon) or another program holds the port. Serve from the server's process \
             (kit::serve does); the process that escaped was stopped."
        ),
        Stopped::ListensEverywhere { address } => format!(
            "The server listens on {address}, which is every network interface: anyone on the network could reach it. \
             Bind 127.0.0.1 only (kit::serve does)."
        ),
        Stopped::ExitedEarly { code, signal } => {
            let how = match (code, signal) {
                (Some(c), _) => format!("with exit code {c}"),
                (None, Some(sig)) => format!("killed by signal {sig}"),
                _ => "without an exit code".into(),
            };
            format!("The server exited {how} before it listened on its port; its output is below.")
        }
        Stopped::Infrastructure { message } => format!("The run could not happen: {message}"),
    }
}

/// One failure: the request, what was expected and what came back.
pub fn failure(f: &Failure) -> String {
    let mut s = String::new();
    for line in super::view::failure(f) {
        s.push_str(&line.text);
        s.push('\n');
    }
    s
}

/// Why `lesson` stopped, followed by the compiler's errors when it did not
/// compile (the text every item of such a lesson reports); `None` when it ran.
pub fn stopped_in_full(lesson: &RunReport) -> Option<String> {
    let mut s = stopped_line(lesson.stopped.as_ref()?);
    for d in lesson
        .build
        .diagnostics
        .iter()
        .filter(|d| d.level == "error")
    {
        s.push_str("\n\n");
        s.push_str(d.rendered.trim_end());
    }
    Some(super::clean(&s))
}

/// A failed item's transcript and its first hint, as text.
pub fn failure_and_hint(item: &super::ItemReport, f: &Failure) -> String {
    let mut s = failure(f);
    if let Some(hint) = item.hints.first() {
        let _ = writeln!(s, "hint: {hint}");
    }
    s
}

fn indent(text: &str, by: &str) -> String {
    let mut s = String::new();
    for line in text.lines() {
        if line.is_empty() {
            s.push('\n');
        } else {
            let _ = writeln!(s, "{by}{line}");
        }
    }
    s
}

/// One line per learner of a class, as each is graded.
pub fn learner_line(learner: &super::LearnerReport) -> String {
    let how = match (&learner.error, &learner.grade) {
        (Some(e), _) => format!("not graded: {e}"),
        (None, Some(g)) => format!(
            "{}/{} lessons pass (build {:.1} s, checks {:.1} s)",
            g.passed_count(),
            g.lessons.len(),
            g.build.as_secs_f64(),
            g.checks.as_secs_f64()
        ),
        (None, None) => "not graded".into(),
    };
    let own = learner
        .own_build
        .as_ref()
        .map(|w| format!("\n    note: {w}"))
        .unwrap_or_default();
    super::clean(&format!("{}: {how}{own}\n", learner.learner))
}

/// The class as a table: a row per learner, a column per lesson, the items
/// that passed in each cell (`build` when the lesson did not compile, `start`
/// when its server did not start).
pub fn class_table(class: &super::ClassReport) -> String {
    let name_width = class
        .learners
        .iter()
        .map(|l| l.learner.chars().count())
        .max()
        .unwrap_or(0)
        .max("learner".len());
    let short = |id: &str| id.split('-').next().unwrap_or(id).to_string();
    let mut s = format!("{:<name_width$}", "learner");
    for lesson in &class.lessons {
        let _ = write!(s, " {:>6}", short(lesson));
    }
    s.push('\n');
    for learner in &class.learners {
        let _ = write!(s, "{:<name_width$}", learner.learner);
        for lesson in &class.lessons {
            let cell = learner
                .grade
                .as_ref()
                .and_then(|g| g.lessons.iter().find(|l| &l.lesson == lesson))
                .map_or_else(
                    || "–".to_string(),
                    |r| match &r.stopped {
                        Some(Stopped::BuildFailed | Stopped::BuildTimedOut { .. }) => {
                            "build".into()
                        }
                        Some(Stopped::Infrastructure { .. }) => "error".into(),
                        Some(_) => "start".into(),
                        None => format!("{}/{}", r.passed_count(), r.items.len()),
                    },
                );
            let _ = write!(s, " {cell:>6}");
        }
        s.push('\n');
    }
    let passed = class
        .learners
        .iter()
        .filter(|l| l.grade.as_ref().is_some_and(GradeReport::passed))
        .count();
    let _ = writeln!(
        s,
        "\n{passed} of {} learners pass every lesson.",
        class.learners.len()
    );
    super::clean(&s)
}
