//! Drawing: a pure function of the state. Lessons on the left; on the right the
//! lesson text, the checklist and the selected item's detail; a message and a
//! bar of keys at the bottom. The only thing drawing writes is [`Room`]: how far
//! each pane can scroll at this terminal size, for the keys to stop at the end.

use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::style::{Color, Modifier, Style};
use ratatui::text::{Line, Span, Text};
use ratatui::widgets::{
    Block, BorderType, Borders, Clear, List, ListItem, ListState, Paragraph, Wrap,
};

use super::app::{App, Focus, Overlay, Room};
use crate::report::view::Role;
use crate::report::{RunReport, Verdict, text, view};
use crate::workspace::LessonState;

/// The smallest terminal the layout is drawn in.
pub const MIN_SIZE: (u16, u16) = (80, 24);
/// Below this width the lesson list shows numbers only, to give the detail room.
const WIDE: u16 = 110;

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
    let message = message_paragraph(app);
    let message_rows = message
        .as_ref()
        .map_or(0, |p| p.line_count(area.width).min(3) as u16);
    let [main, message_area, keys_area] = Layout::vertical([
        Constraint::Min(0),
        Constraint::Length(message_rows),
        Constraint::Length(1),
    ])
    .areas(area);
    let list_width = if area.width >= WIDE { 28 } else { 10 };
    let [left, right] =
        Layout::horizontal([Constraint::Length(list_width), Constraint::Min(0)]).areas(main);
    let lesson = &app.pack.lessons[app.lesson];
    let checklist_height = lesson.items.len() as u16 + 2;
    // Once there is a verdict to read, the detail gets the room the text had.
    let text_share = if app.report().is_some() || app.running.is_some() {
        25
    } else {
        45
    };
    let [text_area, list_area, detail_area] = Layout::vertical([
        Constraint::Percentage(text_share),
        Constraint::Length(checklist_height),
        Constraint::Min(6),
    ])
    .areas(right);

    let mut room = Room::default();
    draw_lessons(f, app, left, area.width >= WIDE);
    room.text = scrolled(
        f,
        Paragraph::new(app.texts[app.lesson].clone()),
        block(
            &format!(" {} ", lesson.title),
            app.focus == Focus::Text,
            app.color,
        ),
        app.scroll,
        text_area,
    );
    draw_checklist(f, app, list_area);
    room.detail = draw_detail(f, app, detail_area);
    if let Some(p) = message {
        f.render_widget(p, message_area);
    }
    f.render_widget(Paragraph::new(keys_line(app, area.width)), keys_area);

    match &app.overlay {
        Some(Overlay::Help) => {
            room.overlay = popup(f, app, " Keys (Esc closes) ", help_text(), 80);
        }
        Some(Overlay::ConfirmReset) => {
            let body = format!(
                "Reset {} to its starting files?\nYour files are copied to {}/{}/<time> first.\n\ny: reset   any other key: cancel",
                lesson.id, app.backups, lesson.id
            );
            room.overlay = popup(f, app, " Reset ", Text::from(body), 60);
        }
        Some(Overlay::Solution(s)) => {
            room.overlay = popup(
                f,
                app,
                " Solution (↑↓ PgUp PgDn scroll · Esc closes) ",
                Text::from(s.clone()),
                90,
            );
        }
        None => {}
    }
    app.room.set(room);
}

/// Renders `paragraph` wrapped in `block`, scrolled by `offset` (clamped at the
/// end). Returns (furthest offset, rows shown).
fn scrolled(
    f: &mut Frame<'_>,
    paragraph: Paragraph<'static>,
    block: Block<'static>,
    offset: u16,
    area: Rect,
) -> (u16, u16) {
    let inner = block.inner(area);
    let paragraph = paragraph.wrap(Wrap { trim: false });
    let total = paragraph.line_count(inner.width) as u16;
    let max = total.saturating_sub(inner.height);
    let offset = offset.min(max);
    let block = if max > 0 {
        // Where the view is, so a learner knows there is more.
        block.title_bottom(
            Line::from(format!(
                " {}–{} of {} ",
                offset + 1,
                (offset + inner.height).min(total),
                total
            ))
            .right_aligned(),
        )
    } else {
        block
    };
    f.render_widget(paragraph.block(block).scroll((offset, 0)), area);
    (max, inner.height)
}

/// A pane's frame: the focused one has a thick border and a ▶ in its title,
/// so the focus shows without colour too.
fn block(title: &str, focused: bool, color: bool) -> Block<'static> {
    let block = Block::default().borders(Borders::ALL);
    if focused {
        let style = if color {
            Style::default()
                .fg(Color::Cyan)
                .add_modifier(Modifier::BOLD)
        } else {
            Style::default().add_modifier(Modifier::BOLD)
        };
        block
            .border_type(BorderType::Thick)
            .border_style(style)
            .title(Span::styled(format!("▶{title}"), style))
    } else {
        block.title(title.to_string())
    }
}

fn styled(color: bool, c: Color) -> Style {
    if color {
        Style::default().fg(c)
    } else {
        Style::default()
    }
}

fn draw_lessons(f: &mut Frame<'_>, app: &App, area: Rect, wide: bool) {
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
            let name = if wide {
                l.id.clone()
            } else {
                l.id.split('-').next().unwrap_or(&l.id).to_string()
            };
            ListItem::new(Line::from(vec![
                Span::raw(open),
                Span::styled(mark, styled(app.color, c)),
                Span::raw(format!(" {name}")),
            ]))
        })
        .collect();
    let title = if wide {
        format!(
            " Lessons · {} of {} done ",
            app.done(),
            app.pack.lessons.len()
        )
    } else {
        format!(" {}/{} ", app.done(), app.pack.lessons.len())
    };
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
                    Some(Verdict::NotApplicable { .. }) => ("–", Color::DarkGray),
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

/// The selected item's detail: the verdict first, then the hints shown, then
/// the evidence (request, response, output). Returns its [`Room`].
fn draw_detail(f: &mut Frame<'_>, app: &App, area: Rect) -> (u16, u16) {
    let lesson = &app.pack.lessons[app.lesson];
    let Some(item) = lesson.items.get(app.item) else {
        return (0, 0);
    };
    let shown = app.hints_shown();
    let hints: Vec<Line<'static>> = item
        .hints
        .iter()
        .take(shown)
        .enumerate()
        .map(|(n, h)| {
            Line::styled(
                format!("hint {}: {h}", n + 1),
                styled(app.color, Color::Yellow),
            )
        })
        .collect();
    let mut lines: Vec<Line<'static>> = Vec::new();
    match app.report() {
        _ if app.running.as_deref() == Some(lesson.id.as_str()) => {
            lines.push(Line::from("Building and checking…"));
            lines.extend(progress_lines(app));
        }
        None => {
            lines.push(Line::from(
                "Not checked yet. Save a file of this lesson, or press c.",
            ));
            lines.extend(progress_lines(app));
        }
        Some(r) => {
            let (verdict, evidence) = detail_lines(r, app.item, app.color);
            // The item's whole title: the checklist cuts it at narrow widths.
            lines.push(Line::styled(
                item.title.clone(),
                Style::default().add_modifier(Modifier::BOLD),
            ));
            lines.extend(verdict);
            if !hints.is_empty() {
                lines.push(Line::default());
            }
            lines.extend(hints.iter().cloned());
            if !evidence.is_empty() {
                lines.push(Line::default());
            }
            lines.extend(evidence);
            return scrolled(
                f,
                Paragraph::new(lines),
                detail_block(app, item),
                app.detail_scroll,
                area,
            );
        }
    }
    if !hints.is_empty() {
        lines.push(Line::default());
        lines.extend(hints);
    }
    scrolled(
        f,
        Paragraph::new(lines),
        detail_block(app, item),
        app.detail_scroll,
        area,
    )
}

fn detail_block(app: &App, item: &crate::checks::model::Item) -> Block<'static> {
    block(
        &format!(" {} ", item.id),
        app.focus == Focus::Detail,
        app.color,
    )
}

/// The dependencies' first build, while it runs.
fn progress_lines(app: &App) -> Vec<Line<'static>> {
    let Some((done, total)) = app.prebuild else {
        return vec![];
    };
    vec![
        Line::default(),
        Line::from(
            "Building the lessons' dependencies once, while you read (later builds take about a second):",
        ),
        Line::styled(
            progress_bar(done, total, 40),
            styled(app.color, Color::Cyan),
        ),
    ]
}

/// What the detail pane says about item `index` of a report: (the verdict, the evidence).
fn detail_lines(
    r: &RunReport,
    index: usize,
    color: bool,
) -> (Vec<Line<'static>>, Vec<Line<'static>>) {
    let mut verdict = Vec::new();
    let mut evidence = Vec::new();
    if let Some(why) = &r.stopped {
        verdict.push(Line::styled(
            text::stopped_line(why),
            styled(color, Color::Red),
        ));
        if !r.build.ok {
            // Errors first, every line of each (help included), then warnings.
            let mut diagnostics: Vec<_> = r.build.diagnostics.iter().collect();
            diagnostics.sort_by_key(|d| d.level != "error");
            for (n, d) in diagnostics.into_iter().enumerate() {
                let c = if d.level == "error" {
                    Color::Red
                } else {
                    Color::Yellow
                };
                if n > 0 {
                    evidence.push(Line::default());
                }
                for l in crate::report::clean(&d.rendered).lines() {
                    let s = if l.starts_with("error") || l.starts_with("warning") {
                        styled(color, c).add_modifier(Modifier::BOLD)
                    } else {
                        Style::default()
                    };
                    evidence.push(Line::styled(l.to_string(), s));
                }
            }
            if r.build.diagnostics.is_empty() && !r.build.cargo_stderr.is_empty() {
                evidence.extend(
                    crate::report::clean(&r.build.cargo_stderr)
                        .lines()
                        .map(|l| Line::from(l.to_string())),
                );
            }
        }
        if !r.server_output.is_empty() {
            evidence.push(Line::from("server output (last lines):"));
            for l in r.server_output.iter().rev().take(view::OUTPUT_LINES).rev() {
                evidence.push(Line::from(format!("  | {}", crate::report::clean(l))));
            }
        }
        return (verdict, evidence);
    }
    match r.items.get(index).map(|i| &i.verdict) {
        Some(Verdict::Pass) => verdict.push(Line::styled(
            "✓ This item passes.",
            styled(color, Color::Green),
        )),
        Some(Verdict::Fail(f)) => {
            for l in view::failure(f) {
                let s = match l.role {
                    Role::Expected => styled(color, Color::Green),
                    Role::Got | Role::Problem => styled(color, Color::Red),
                    Role::Curl => styled(color, Color::Cyan),
                    _ => Style::default(),
                };
                let line = Line::styled(l.text, s);
                if l.role.is_verdict() {
                    verdict.push(line);
                } else {
                    evidence.push(line);
                }
            }
            evidence.push(Line::styled(
                "y copies the request as curl · t runs your server for requests by hand · h shows a hint",
                styled(color, Color::DarkGray),
            ));
        }
        _ => verdict.push(Line::from("Not run.")),
    }
    (verdict, evidence)
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

/// The message, wrapped (at most three rows are given to it).
fn message_paragraph(app: &App) -> Option<Paragraph<'static>> {
    let m = app.message.as_ref()?;
    let style = styled(app.color, Color::Cyan).add_modifier(Modifier::BOLD);
    let hint = if m.sticky { "  (any key)" } else { "" };
    Some(
        Paragraph::new(Line::from(vec![
            Span::styled(format!(" {}", m.text), style),
            Span::styled(hint, styled(app.color, Color::DarkGray)),
        ]))
        .wrap(Wrap { trim: false }),
    )
}

/// The keys that fit in `width`, most useful first; `?` and `q` always show.
fn keys_line(app: &App, width: u16) -> Line<'static> {
    let watch = if app.watch { "watch on" } else { "watch off" };
    let trial = match &app.trial {
        Some((_, port)) => format!("t stop :{port}"),
        None => "t try by hand".into(),
    };
    let keys = [
        "c check".to_string(),
        "h hint".into(),
        "Tab pane".into(),
        "↑↓ PgUp PgDn scroll".into(),
        "y curl".into(),
        trial,
        "n/p lesson".into(),
        "w watch".into(),
        "e edit".into(),
        "r reset".into(),
        "s solution".into(),
    ];
    let tail = "  ? help  q quit";
    let mut s = format!(" {watch} │");
    for k in keys {
        if s.chars().count() + 2 + k.chars().count() + tail.chars().count() > width as usize {
            break;
        }
        s.push_str("  ");
        s.push_str(&k);
    }
    s.push_str(tail);
    Line::from(s)
}

fn help_text() -> Text<'static> {
    let rows = [
        (
            "Tab / ⇧Tab",
            "next / previous pane (▶ and a thick border mark it)",
        ),
        ("↑ ↓ / k j", "move in a list, scroll the text or the detail"),
        (
            "PgUp PgDn Space",
            "scroll a page (of the text when focused, else the detail)",
        ),
        ("g / G", "to the top / the end"),
        ("Enter", "open the highlighted lesson"),
        ("n / p", "next / previous lesson"),
        ("c", "check now (build, run, grade)"),
        ("w", "watch mode on/off: check on every save"),
        ("h", "next hint for the selected item (in the detail)"),
        ("y", "copy the failing request as curl"),
        ("t", "run your server for requests by hand / stop it"),
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
                    format!("{k:>15}  "),
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

/// A bordered box in the middle of the screen, as tall as its text (at most
/// 90% of the screen), scrolled by the app's popup offset. Returns its [`Room`].
fn popup(
    f: &mut Frame<'_>,
    app: &App,
    title: &str,
    body: Text<'static>,
    width_pct: u16,
) -> (u16, u16) {
    let area = f.area();
    let w = (area.width * width_pct / 100).max(40).min(area.width);
    let wrapped = Paragraph::new(body.clone())
        .wrap(Wrap { trim: false })
        .line_count(w.saturating_sub(2)) as u16;
    let h = (wrapped + 2).min(area.height * 9 / 10);
    let rect = Rect::new(
        area.x + (area.width - w) / 2,
        area.y + (area.height - h) / 2,
        w,
        h,
    );
    f.render_widget(Clear, rect);
    scrolled(
        f,
        Paragraph::new(body),
        Block::default()
            .borders(Borders::ALL)
            .border_type(BorderType::Thick)
            .title(title.to_string()),
        app.overlay_scroll,
        rect,
    )
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
        let mut pack = Pack::embedded().unwrap();
        // The first ten lessons: a lesson added to the pack changes no snapshot.
        pack.lessons.truncate(10);
        App::new(pack, Progress::default(), false)
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
            target: None,
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
                    duration: std::time::Duration::ZERO,
                })
                .collect(),
            server_output: vec![],
            output_dropped: 0,
        }
    }

    /// A step that got 501 from a stub where the status should be `expected`.
    fn status_failure(
        method: &str,
        path: &str,
        headers: Vec<(String, String)>,
        body: Option<&str>,
        expected: &str,
    ) -> Failure {
        let request = RequestRecord {
            method: method.into(),
            url: format!("http://127.0.0.1:40000{path}"),
            headers,
            body: body.map(str::to_string),
        };
        Failure {
            response: Some(ResponseRecord {
                status: 501,
                headers: vec![("content-length".into(), "0".into())],
                body: String::new(),
                body_truncated: false,
                elapsed: Duration::from_millis(1),
            }),
            assertions: vec![Assertion {
                subject: "status".into(),
                expected: expected.into(),
                actual: "501".into(),
                passed: false,
            }],
            server_output: vec!["INFO listening on http://127.0.0.1:40000".into()],
            ..Failure::new(1, 1, request)
        }
    }

    #[test]
    fn lesson_text() {
        insta::assert_snapshot!(screen(&app(), 100, 30));
    }

    #[test]
    fn checklist_with_a_failure_detail() {
        let mut a = app();
        let failure = status_failure("GET", "/health", vec![], None, "equals 200");
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

    /// Lesson 2's create-201 failing on a stub: a request with a body, a long curl.
    fn lesson_two_failure(a: &mut App) {
        a.lesson = 1;
        let failure = status_failure(
            "POST",
            "/users",
            vec![("content-type".into(), "application/json".into())],
            Some(
                r#"{"email":"ada-5f3a9c1e7b2d4f60@example.com","name":"Ada","password":"pw-8c1d2e3f4a5b6c7d"}"#,
            ),
            "equals 201",
        );
        let mut verdicts = vec![Verdict::Fail(Box::new(failure))];
        verdicts.extend((1..a.pack.lessons[1].items.len()).map(|_| Verdict::NotRun));
        let ok = BuildReport {
            ok: true,
            ..BuildReport::default()
        };
        let r = report(a, verdicts, None, ok);
        a.update(crate::tui::app::Event::RunFinished(Box::new(r)));
    }

    fn press(a: &mut App, c: ratatui::crossterm::event::KeyCode) {
        a.update(crate::tui::app::Event::Key(
            ratatui::crossterm::event::KeyEvent::from(c),
        ));
    }

    #[test]
    fn at_80_by_24_the_expected_and_got_lines_show_and_a_hint_shows_after_one_h() {
        let mut a = app();
        lesson_two_failure(&mut a);
        let s = screen(&a, 80, 24);
        assert!(s.contains("expected: status equals 201"), "{s}");
        assert!(s.contains("got: 501"), "{s}");
        press(&mut a, ratatui::crossterm::event::KeyCode::Char('h'));
        let s = screen(&a, 80, 24);
        assert!(s.contains("hint 1: A handler can answer"), "{s}");
        insta::assert_snapshot!(s);
    }

    #[test]
    fn at_140_by_45_a_hint_shows_after_one_h() {
        let mut a = app();
        lesson_two_failure(&mut a);
        press(&mut a, ratatui::crossterm::event::KeyCode::Char('h'));
        let s = screen(&a, 140, 45);
        assert!(s.contains("hint 1: A handler can answer"), "{s}");
        assert!(
            s.contains(&format!("Lessons · 0 of {} done", a.pack.lessons.len())),
            "wide: the full list\n{s}"
        );
    }

    #[test]
    fn the_detail_scrolls_to_its_last_line_and_no_further() {
        let mut a = app();
        lesson_two_failure(&mut a);
        a.focus = Focus::Detail;
        screen(&a, 80, 24);
        for _ in 0..50 {
            press(&mut a, ratatui::crossterm::event::KeyCode::PageDown);
            screen(&a, 80, 24);
        }
        let s = screen(&a, 80, 24);
        assert!(
            s.contains("y copies the request"),
            "the last line is reachable\n{s}"
        );
        let (max, _) = a.room.get().detail;
        assert_eq!(a.detail_scroll, max);
        assert!(max > 0, "at 80×24 this failure is taller than its pane");
    }

    #[test]
    fn compiler_errors_come_first_with_every_help_line_then_warnings() {
        let mut a = app();
        let diag = |level: &str, text: &str| Diagnostic {
            level: level.into(),
            location: None,
            rendered: text.into(),
        };
        let build = BuildReport {
            ok: false,
            diagnostics: vec![
                diag(
                    "warning",
                    "warning: unused import: `Query`\n --> src/main.rs:3:5\n",
                ),
                diag(
                    "error",
                    "error[E0308]: mismatched types\n --> src/main.rs:20:5\n  |\nhelp: try wrapping the expression in `Json`\n  |\n20|     Json(user)\n",
                ),
            ],
            ..BuildReport::default()
        };
        let r = report(
            &a,
            vec![Verdict::NotRun, Verdict::NotRun, Verdict::NotRun],
            Some(Stopped::BuildFailed),
            build,
        );
        a.update(crate::tui::app::Event::RunFinished(Box::new(r)));
        let s = screen(&a, 100, 40);
        let at = |t: &str| s.find(t).unwrap_or_else(|| panic!("{t:?} missing\n{s}"));
        assert!(at("does not build yet") < at("error[E0308]"));
        assert!(at("error[E0308]") < at("help: try wrapping"));
        assert!(at("help: try wrapping") < at("warning: unused import"));
    }

    #[test]
    fn the_reset_dialog_says_where_backups_go() {
        let mut a = app();
        a.backups = "/ws/.apilings/backups".into();
        a.overlay = Some(Overlay::ConfirmReset);
        let s = screen(&a, 100, 30);
        assert!(s.contains("/ws/.apilings/backups/01-first-endpoint"), "{s}");
    }

    #[test]
    fn a_long_message_wraps_and_the_keys_stay_whole() {
        let mut a = app();
        a.notify("Reset 01-first-endpoint; your files are in /home/learner/projects/apilings-workspace/.apilings/backups/01-first-endpoint/20261125T101010.123Z");
        let s = screen(&a, 80, 24);
        assert!(s.contains("T101010.123Z  (any key)"), "wrapped, whole\n{s}");
        assert!(s.contains("? help  q quit"), "{s}");
    }

    #[test]
    fn too_small_terminal() {
        insta::assert_snapshot!(screen(&app(), 60, 20));
    }
}
