//! Drawing: a pure function of the state. Lessons on the left; on the right the
//! lesson text, the checklist and the selected item's detail; a status bar of keys.

use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::style::{Color, Modifier, Style};
use ratatui::text::{Line, Span, Text};
use ratatui::widgets::{Block, Borders, Clear, List, ListItem, ListState, Paragraph, Wrap};

use super::app::{App, Focus, Overlay};
use crate::report::{RunReport, Verdict, text};
use crate::workspace::LessonState;

/// The smallest terminal the layout is drawn in.
pub const MIN_SIZE: (u16, u16) = (80, 24);

/// Draws the whole screen.
pub fn draw(f: &mut Frame<'_>, app: &App) {
    let area = f.area();
    if area.width < MIN_SIZE.0 || area.height < MIN_SIZE.1 {
        let msg = format!(
            "This terminal is {}×{}.\napilings needs at least {}×{}: make it larger, or press q to quit.",
            area.width, area.height, MIN_SIZE.0, MIN_SIZE.1
        );
        f.render_widget(Paragraph::new(msg).wrap(Wrap { trim: true }), area);
        return;
    }
    let [main, status] = Layout::vertical([Constraint::Min(0), Constraint::Length(1)]).areas(area);
    let [left, right] =
        Layout::horizontal([Constraint::Length(28), Constraint::Min(0)]).areas(main);
    let lesson = &app.pack.lessons[app.lesson];
    let checklist_height = lesson.items.len() as u16 + 2;
    let [text_area, list_area, detail_area] = Layout::vertical([
        Constraint::Percentage(45),
        Constraint::Length(checklist_height),
        Constraint::Min(4),
    ])
    .areas(right);

    draw_lessons(f, app, left);
    f.render_widget(
        Paragraph::new(app.texts[app.lesson].clone())
            .block(block(&format!(" {} ", lesson.title), false, app.color))
            .wrap(Wrap { trim: false })
            .scroll((app.scroll, 0)),
        text_area,
    );
    draw_checklist(f, app, list_area);
    draw_detail(f, app, detail_area);
    draw_status(f, app, status);

    match &app.overlay {
        Some(Overlay::Help) => popup(f, " Keys ", help_text(), 70, 90),
        Some(Overlay::ConfirmReset) => popup(
            f,
            " Reset ",
            Text::from(format!(
                "Reset {} to its starting files?\nYour files are backed up first.\n\ny: reset   any other key: cancel",
                lesson.id
            )),
            50,
            90,
        ),
        Some(Overlay::Solution(s)) => popup(
            f,
            " Solution (any key closes) ",
            Text::from(s.clone()),
            90,
            90,
        ),
        None => {}
    }
}

fn block(title: &str, focused: bool, color: bool) -> Block<'static> {
    let style = if focused && color {
        Style::default().fg(Color::Cyan)
    } else if focused {
        Style::default().add_modifier(Modifier::BOLD)
    } else {
        Style::default()
    };
    Block::default()
        .borders(Borders::ALL)
        .border_style(style)
        .title(title.to_string())
}

fn styled(color: bool, c: Color) -> Style {
    if color {
        Style::default().fg(c)
    } else {
        Style::default()
    }
}

fn draw_lessons(f: &mut Frame<'_>, app: &App, area: Rect) {
    let items: Vec<ListItem<'_>> = app
        .pack
        .lessons
        .iter()
        .enumerate()
        .map(|(i, l)| {
            let (mark, c) = match app.progress.state(&l.id) {
                LessonState::Passed => ("✓", Color::Green),
                LessonState::Failing => ("✗", Color::Red),
                LessonState::NotStarted => ("·", Color::Gray),
            };
            let open = if i == app.lesson { "▸" } else { " " };
            ListItem::new(Line::from(vec![
                Span::raw(open),
                Span::styled(mark, styled(app.color, c)),
                Span::raw(format!(" {}", l.id)),
            ]))
        })
        .collect();
    let title = format!(
        " Lessons · {} of {} done ",
        app.done(),
        app.pack.lessons.len()
    );
    let highlight = if app.color {
        Style::default().bg(Color::DarkGray)
    } else {
        Style::default().add_modifier(Modifier::REVERSED)
    };
    let list = List::new(items)
        .block(block(&title, app.focus == Focus::Lessons, app.color))
        .highlight_style(highlight);
    let mut state = ListState::default().with_selected(Some(app.cursor));
    f.render_stateful_widget(list, area, &mut state);
}

fn draw_checklist(f: &mut Frame<'_>, app: &App, area: Rect) {
    let lesson = &app.pack.lessons[app.lesson];
    let report = app.report();
    let running = app.running.as_deref() == Some(lesson.id.as_str());
    let items: Vec<ListItem<'_>> = lesson
        .items
        .iter()
        .enumerate()
        .map(|(i, item)| {
            let verdict = report.and_then(|r| r.items.get(i)).map(|r| &r.verdict);
            let (mark, c) = if running {
                ("…", Color::Yellow)
            } else {
                match verdict {
                    Some(Verdict::Pass) => ("✓", Color::Green),
                    Some(Verdict::Fail(_)) => ("✗", Color::Red),
                    Some(Verdict::NotRun) => ("·", Color::DarkGray),
                    None => ("○", Color::Gray),
                }
            };
            ListItem::new(Line::from(vec![
                Span::styled(format!("{mark} "), styled(app.color, c)),
                Span::raw(item.title.clone()),
            ]))
        })
        .collect();
    let title = match report {
        Some(r) if !running => format!(" Checklist {}/{} ", r.passed_count(), r.items.len()),
        _ if running => " Checklist: checking… ".to_string(),
        _ => " Checklist (c: check) ".to_string(),
    };
    let highlight = if app.color {
        Style::default().bg(Color::DarkGray)
    } else {
        Style::default().add_modifier(Modifier::REVERSED)
    };
    let list = List::new(items)
        .block(block(&title, app.focus == Focus::Checklist, app.color))
        .highlight_style(highlight);
    let mut state = ListState::default().with_selected(Some(app.item));
    f.render_stateful_widget(list, area, &mut state);
}

fn draw_detail(f: &mut Frame<'_>, app: &App, area: Rect) {
    let lesson = &app.pack.lessons[app.lesson];
    let Some(item) = lesson.items.get(app.item) else {
        return;
    };
    let mut lines: Vec<Line<'static>> = Vec::new();
    match app.report() {
        _ if app.running.as_deref() == Some(lesson.id.as_str()) => {
            lines.push(Line::from("Building and checking…"));
        }
        None => {
            lines.push(Line::from(
                "Not checked yet. Save a file of this lesson, or press c.",
            ));
            if let Some((done, total)) = app.prebuild {
                lines.push(Line::default());
                lines.push(Line::from(
                    "Building the lessons' dependencies once, while you read (later builds take about a second):",
                ));
                lines.push(Line::styled(
                    progress_bar(done, total, 40),
                    styled(app.color, Color::Cyan),
                ));
            }
        }
        Some(r) => lines.extend(detail_lines(r, app.item, app.color)),
    }
    let shown = app.hints_shown();
    if shown > 0 {
        lines.push(Line::default());
        for (n, h) in item.hints.iter().take(shown).enumerate() {
            lines.push(Line::styled(
                format!("hint {}: {h}", n + 1),
                styled(app.color, Color::Yellow),
            ));
        }
    }
    f.render_widget(
        Paragraph::new(lines)
            .block(block(&format!(" {} ", item.id), false, app.color))
            .wrap(Wrap { trim: false }),
        area,
    );
}

/// What the detail pane says about item `index` of a report.
fn detail_lines(r: &RunReport, index: usize, color: bool) -> Vec<Line<'static>> {
    let mut lines = Vec::new();
    if let Some(why) = &r.stopped {
        if !r.build.ok {
            for d in &r.build.diagnostics {
                for l in d.rendered.lines() {
                    let c = if d.level == "error" {
                        Color::Red
                    } else {
                        Color::Yellow
                    };
                    let s = if l.starts_with("error") || l.starts_with("warning") {
                        styled(color, c)
                    } else {
                        Style::default()
                    };
                    lines.push(Line::styled(l.to_string(), s));
                }
            }
            if r.build.diagnostics.is_empty() && !r.build.cargo_stderr.is_empty() {
                lines.extend(
                    r.build
                        .cargo_stderr
                        .lines()
                        .map(|l| Line::from(l.to_string())),
                );
            }
        }
        lines.push(Line::styled(
            text::stopped_line(why),
            styled(color, Color::Red),
        ));
        for l in r.server_output.iter().rev().take(8).rev() {
            lines.push(Line::from(format!("  | {l}")));
        }
        return lines;
    }
    match r.items.get(index).map(|i| &i.verdict) {
        Some(Verdict::Pass) => lines.push(Line::styled(
            "✓ This item passes.",
            styled(color, Color::Green),
        )),
        Some(Verdict::Fail(f)) => {
            for l in text::failure(f).lines() {
                let s = if l.starts_with("expected:") {
                    styled(color, Color::Green)
                } else if l.starts_with("     got:") || l.starts_with("problem:") {
                    styled(color, Color::Red)
                } else {
                    Style::default()
                };
                lines.push(Line::styled(l.to_string(), s));
            }
            lines.push(Line::styled(
                "y copies the request as curl · h shows a hint",
                styled(color, Color::DarkGray),
            ));
        }
        _ => lines.push(Line::from("Not run.")),
    }
    lines
}

fn progress_bar(done: usize, total: usize, width: usize) -> String {
    let total = total.max(1);
    let filled = (done.min(total) * width) / total;
    format!(
        "[{}{}] {done}/{total} crates",
        "█".repeat(filled),
        "░".repeat(width - filled)
    )
}

fn draw_status(f: &mut Frame<'_>, app: &App, area: Rect) {
    let watch = if app.watch { "watch on" } else { "watch off" };
    let keys = format!(
        " {watch} │ c check  w watch  h hint  e edit  n/p lesson  r reset  s solution  ? help  q quit"
    );
    let line = match &app.message {
        Some(m) => Line::from(vec![
            Span::styled(
                format!(" {m} "),
                styled(app.color, Color::Cyan).add_modifier(Modifier::BOLD),
            ),
            Span::raw(keys),
        ]),
        None => Line::from(keys),
    };
    f.render_widget(Paragraph::new(line), area);
}

fn help_text() -> Text<'static> {
    let rows = [
        ("↑ ↓ / k j", "move in the focused pane"),
        ("Tab", "switch between lessons and checklist"),
        ("Enter", "open the highlighted lesson"),
        ("PgUp / PgDn", "scroll the lesson text"),
        ("n / p", "next / previous lesson"),
        ("c", "check now (build, run, grade)"),
        ("w", "watch mode on/off: check on every save"),
        ("h", "next hint for the selected item"),
        ("y", "copy the failing request as curl"),
        ("e", "open the lesson's file in $EDITOR"),
        ("r", "reset the lesson (asks first, keeps a backup)"),
        ("s", "show the solution (once the lesson passes)"),
        ("?", "this help"),
        ("q / Ctrl-C", "quit"),
    ];
    let mut lines: Vec<Line<'static>> = rows
        .iter()
        .map(|(k, v)| {
            Line::from(vec![
                Span::styled(
                    format!("{k:>12}  "),
                    Style::default().add_modifier(Modifier::BOLD),
                ),
                Span::raw(*v),
            ])
        })
        .collect();
    lines.push(Line::default());
    lines.push(Line::from(
        "  lessons:   ✓ passed   ✗ failing   · not started",
    ));
    lines.push(Line::from(
        "  checklist: ○ pending  … running   ✓ pass   ✗ fail   · not run",
    ));
    Text::from(lines)
}

/// A bordered box in the middle of the screen, as tall as its text (at most `max_height_pct`).
fn popup(f: &mut Frame<'_>, title: &str, body: Text<'static>, width_pct: u16, max_height_pct: u16) {
    let area = f.area();
    let w = (area.width * width_pct / 100).max(40).min(area.width);
    let h = (body.lines.len() as u16 + 2).min(area.height * max_height_pct / 100);
    let rect = Rect::new(
        area.x + (area.width - w) / 2,
        area.y + (area.height - h) / 2,
        w,
        h,
    );
    f.render_widget(Clear, rect);
    f.render_widget(
        Paragraph::new(body)
            .block(
                Block::default()
                    .borders(Borders::ALL)
                    .title(title.to_string()),
            )
            .wrap(Wrap { trim: false }),
        rect,
    );
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use ratatui::Terminal;
    use ratatui::backend::TestBackend;

    use super::*;
    use crate::lessons::Pack;
    use crate::report::{
        Assertion, BuildReport, Diagnostic, Failure, ItemReport, RequestRecord, ResponseRecord,
        Stopped,
    };
    use crate::workspace::Progress;

    fn app() -> App {
        App::new(Pack::embedded().unwrap(), Progress::default(), false)
    }

    fn screen(app: &App, w: u16, h: u16) -> String {
        let mut t = Terminal::new(TestBackend::new(w, h)).unwrap();
        t.draw(|f| draw(f, app)).unwrap();
        t.backend().to_string()
    }

    fn report(
        app: &App,
        verdicts: Vec<Verdict>,
        stopped: Option<Stopped>,
        build: BuildReport,
    ) -> RunReport {
        let l = &app.pack.lessons[app.lesson];
        RunReport {
            lesson: l.id.clone(),
            title: l.title.clone(),
            build,
            stopped,
            items: l
                .items
                .iter()
                .zip(verdicts)
                .map(|(i, v)| ItemReport {
                    id: i.id.clone(),
                    title: i.title.clone(),
                    verdict: v,
                    hints: i.hints.clone(),
                })
                .collect(),
            server_output: vec![],
            output_dropped: 0,
        }
    }

    #[test]
    fn lesson_text() {
        insta::assert_snapshot!(screen(&app(), 100, 30));
    }

    #[test]
    fn checklist_with_a_failure_detail() {
        let mut a = app();
        let failure = Failure {
            step: 1,
            steps: 1,
            request: RequestRecord {
                method: "GET".into(),
                url: "http://127.0.0.1:40000/health".into(),
                headers: vec![],
                body: None,
            },
            start: None,
            response: Some(ResponseRecord {
                status: 501,
                headers: vec![("content-length".into(), "0".into())],
                body: String::new(),
                body_truncated: false,
                elapsed: Duration::from_millis(1),
            }),
            error: None,
            graded_by: None,
            assertions: vec![Assertion {
                subject: "status".into(),
                expected: "equals 200".into(),
                actual: "501".into(),
                passed: false,
            }],
            server_output: vec!["INFO listening on http://127.0.0.1:40000".into()],
        };
        let ok = BuildReport {
            ok: true,
            ..BuildReport::default()
        };
        let r = report(
            &a,
            vec![
                Verdict::Fail(Box::new(failure)),
                Verdict::Pass,
                Verdict::Pass,
            ],
            None,
            ok,
        );
        a.reports.insert(r.lesson.clone(), r);
        a.update(crate::tui::app::Event::Key(
            ratatui::crossterm::event::KeyEvent::from(ratatui::crossterm::event::KeyCode::Char(
                'h',
            )),
        ));
        insta::assert_snapshot!(screen(&a, 100, 36));
    }

    #[test]
    fn build_error() {
        let mut a = app();
        let build = BuildReport {
            ok: false,
            diagnostics: vec![Diagnostic {
                level: "error".into(),
                location: Some("01-first-endpoint/src/main.rs:18:5".into()),
                rendered: "error[E0599]: no associated item named `NOT_IMPLEMENTE` found for struct `StatusCode`\n  --> 01-first-endpoint/src/main.rs:18:17\n".into(),
            }],
            ..BuildReport::default()
        };
        let r = report(
            &a,
            vec![Verdict::NotRun, Verdict::NotRun, Verdict::NotRun],
            Some(Stopped::BuildFailed),
            build,
        );
        a.reports.insert(r.lesson.clone(), r);
        insta::assert_snapshot!(screen(&a, 100, 30));
    }

    #[test]
    fn help_overlay() {
        let mut a = app();
        a.overlay = Some(Overlay::Help);
        insta::assert_snapshot!(screen(&a, 100, 30));
    }

    #[test]
    fn first_build_progress() {
        let mut a = app();
        a.prebuild = Some((0, 107));
        a.update(crate::tui::app::Event::Prebuild(42));
        insta::assert_snapshot!(screen(&a, 100, 30));
        a.update(crate::tui::app::Event::PrebuildDone);
        assert!(!screen(&a, 100, 30).contains("crates"));
    }

    #[test]
    fn too_small_terminal() {
        insta::assert_snapshot!(screen(&app(), 60, 20));
    }
}
