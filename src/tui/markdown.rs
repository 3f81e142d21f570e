//! A lesson's README.md (Markdown, parsed by pulldown-cmark) as ratatui text:
//! headings, emphasis, lists, links, block quotes, tables and highlighted code blocks.

use pulldown_cmark::{CodeBlockKind, Event, HeadingLevel, Options, Parser, Tag, TagEnd};
use ratatui::style::{Color, Modifier, Style};
use ratatui::text::{Line, Span, Text};

use super::highlight::{self, Palette};

/// Renders `markdown` into styled lines (wrapping is left to the widget).
pub fn render(markdown: &str, color: bool) -> Text<'static> {
    let palette = Palette::new(color);
    let mut r = Renderer {
        color,
        palette,
        lines: Vec::new(),
        current: Vec::new(),
        styles: vec![Style::default()],
        lists: Vec::new(),
        quote: 0,
        code: None,
        link: None,
        table_row: Vec::new(),
        table: Vec::new(),
        cell: String::new(),
        in_table: false,
    };
    let parser = Parser::new_ext(
        markdown,
        Options::ENABLE_TABLES | Options::ENABLE_STRIKETHROUGH,
    );
    for event in parser {
        r.event(event);
    }
    r.flush();
    while r.lines.last().is_some_and(|l| l.spans.is_empty()) {
        r.lines.pop();
    }
    Text::from(r.lines)
}

struct Renderer {
    color: bool,
    palette: Palette,
    lines: Vec<Line<'static>>,
    current: Vec<Span<'static>>,
    styles: Vec<Style>,
    lists: Vec<Option<u64>>,
    quote: usize,
    code: Option<(String, String)>,
    link: Option<String>,
    table_row: Vec<String>,
    /// The table's rows so far (is it the header, its cells), drawn at its end
    /// once every column's width is known.
    table: Vec<(bool, Vec<String>)>,
    cell: String,
    in_table: bool,
}

impl Renderer {
    fn style(&self) -> Style {
        *self.styles.last().expect("a base style")
    }

    fn push_style(&mut self, f: impl FnOnce(Style) -> Style) {
        let s = f(self.style());
        self.styles.push(s);
    }

    fn color(&self, c: Color) -> Style {
        if self.color {
            Style::default().fg(c)
        } else {
            Style::default()
        }
    }

    fn prefix(&self) -> Vec<Span<'static>> {
        let mut p = Vec::new();
        for _ in 0..self.quote {
            p.push(Span::styled("│ ", self.color(Color::DarkGray)));
        }
        p
    }

    fn flush(&mut self) {
        if !self.current.is_empty() {
            let mut spans = self.prefix();
            spans.append(&mut self.current);
            self.lines.push(Line::from(spans));
        }
    }

    /// Ends the current line and leaves one empty line (never two).
    fn blank(&mut self) {
        self.flush();
        self.gap();
    }

    fn gap(&mut self) {
        if self.lines.last().is_some_and(|l| !l.spans.is_empty()) {
            self.lines.push(Line::default());
        }
    }

    fn text(&mut self, s: &str) {
        if self.code.is_some() {
            if let Some((_, buf)) = &mut self.code {
                buf.push_str(s);
            }
        } else if self.in_table {
            self.cell.push_str(s);
        } else {
            self.current.push(Span::styled(s.to_string(), self.style()));
        }
    }

    fn event(&mut self, event: Event<'_>) {
        match event {
            Event::Start(tag) => self.start(tag),
            Event::End(tag) => self.end(tag),
            Event::Text(t) => self.text(&t),
            Event::Code(c) => {
                let style = if self.color {
                    Style::default().fg(Color::Yellow)
                } else {
                    Style::default().add_modifier(Modifier::BOLD)
                };
                if self.in_table {
                    self.cell.push_str(&c);
                } else {
                    self.current.push(Span::styled(c.to_string(), style));
                }
            }
            Event::SoftBreak => self.current.push(Span::raw(" ")),
            Event::HardBreak => self.flush(),
            Event::Rule => {
                self.blank();
                self.lines
                    .push(Line::styled("─".repeat(40), self.color(Color::DarkGray)));
                self.gap();
            }
            _ => {}
        }
    }

    fn start(&mut self, tag: Tag<'_>) {
        match tag {
            Tag::Heading { level, .. } => {
                self.blank();
                let (marker, color) = match level {
                    HeadingLevel::H1 => ("# ", Color::Cyan),
                    HeadingLevel::H2 => ("## ", Color::Blue),
                    _ => ("### ", Color::Blue),
                };
                let base = self.color(color).add_modifier(Modifier::BOLD);
                self.current.push(Span::styled(marker, base));
                self.styles.push(base);
            }
            Tag::Paragraph if self.lists.is_empty() => self.blank(),
            Tag::Emphasis => self.push_style(|s| s.add_modifier(Modifier::ITALIC)),
            Tag::Strong => self.push_style(|s| s.add_modifier(Modifier::BOLD)),
            Tag::Strikethrough => self.push_style(|s| s.add_modifier(Modifier::CROSSED_OUT)),
            Tag::Link { dest_url, .. } => {
                self.link = Some(dest_url.to_string());
                let c = self.color(Color::Cyan);
                self.push_style(|s| s.patch(c).add_modifier(Modifier::UNDERLINED));
            }
            Tag::List(start) => {
                if self.lists.is_empty() {
                    self.blank();
                } else {
                    self.flush();
                }
                self.lists.push(start);
            }
            Tag::Item => {
                self.flush();
                let depth = self.lists.len().saturating_sub(1);
                let marker = match self.lists.last_mut() {
                    Some(Some(n)) => {
                        *n += 1;
                        format!("{}. ", *n - 1)
                    }
                    _ => "• ".to_string(),
                };
                self.current
                    .push(Span::raw(format!("{}{marker}", "  ".repeat(depth))));
            }
            Tag::BlockQuote(_) => {
                self.blank();
                self.quote += 1;
            }
            Tag::CodeBlock(kind) => {
                self.blank();
                let lang = match kind {
                    CodeBlockKind::Fenced(info) => {
                        info.split_whitespace().next().unwrap_or("").to_string()
                    }
                    CodeBlockKind::Indented => String::new(),
                };
                self.code = Some((lang, String::new()));
            }
            Tag::Table(_) => {
                self.blank();
                self.in_table = true;
            }
            Tag::TableRow | Tag::TableHead => self.table_row.clear(),
            Tag::TableCell => self.cell.clear(),
            _ => {}
        }
    }

    /// The table's rows with columns padded to one width, and a rule under the header.
    fn draw_table(&mut self) {
        let rows = std::mem::take(&mut self.table);
        let columns = rows.iter().map(|(_, r)| r.len()).max().unwrap_or(0);
        let width = |c: &str| Line::from(c.to_string()).width();
        let widths: Vec<usize> = (0..columns)
            .map(|i| {
                rows.iter()
                    .filter_map(|(_, r)| r.get(i))
                    .map(|c| width(c))
                    .max()
                    .unwrap_or(0)
            })
            .collect();
        for (head, row) in rows {
            let cells: Vec<String> = widths
                .iter()
                .enumerate()
                .map(|(i, w)| {
                    let cell = row.get(i).map(String::as_str).unwrap_or("");
                    format!("{cell}{}", " ".repeat(w - width(cell)))
                })
                .collect();
            let style = if head {
                Style::default().add_modifier(Modifier::BOLD)
            } else {
                Style::default()
            };
            let mut spans = self.prefix();
            spans.push(Span::styled(
                cells.join(" │ ").trim_end().to_string(),
                style,
            ));
            self.lines.push(Line::from(spans));
            if head {
                let rule: Vec<String> = widths.iter().map(|w| "─".repeat(*w)).collect();
                let mut spans = self.prefix();
                spans.push(Span::raw(rule.join("─┼─")));
                self.lines.push(Line::from(spans));
            }
        }
    }

    fn end(&mut self, tag: TagEnd) {
        match tag {
            TagEnd::Heading(_) => {
                self.styles.pop();
                self.flush();
                self.gap();
            }
            TagEnd::Paragraph => {
                self.flush();
                if self.lists.is_empty() {
                    self.gap();
                }
            }
            TagEnd::Emphasis | TagEnd::Strong | TagEnd::Strikethrough => {
                self.styles.pop();
            }
            TagEnd::Link => {
                self.styles.pop();
                if let Some(url) = self.link.take() {
                    self.current.push(Span::styled(
                        format!(" <{url}>"),
                        self.color(Color::DarkGray),
                    ));
                }
            }
            TagEnd::List(_) => {
                self.flush();
                self.lists.pop();
                if self.lists.is_empty() {
                    self.gap();
                }
            }
            TagEnd::Item => self.flush(),
            TagEnd::BlockQuote(_) => {
                self.flush();
                self.quote = self.quote.saturating_sub(1);
                self.gap();
            }
            TagEnd::CodeBlock => {
                if let Some((lang, code)) = self.code.take() {
                    for l in code.trim_end_matches('\n').lines() {
                        let mut spans = self.prefix();
                        spans.push(Span::raw("  "));
                        spans.extend(highlight::line(l, &lang, &self.palette));
                        self.lines.push(Line::from(spans));
                    }
                    self.gap();
                }
            }
            TagEnd::TableCell => {
                self.table_row.push(std::mem::take(&mut self.cell));
            }
            TagEnd::TableHead | TagEnd::TableRow => {
                let row = std::mem::take(&mut self.table_row);
                self.table.push((matches!(tag, TagEnd::TableHead), row));
            }
            TagEnd::Table => {
                self.draw_table();
                self.in_table = false;
                self.gap();
            }
            _ => {}
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn plain(text: &Text<'_>) -> Vec<String> {
        text.lines
            .iter()
            .map(|l| l.spans.iter().map(|s| s.content.as_ref()).collect())
            .collect()
    }

    #[test]
    fn renders_the_elements_lessons_use() {
        let md = "# Title\n\nSome *emphasis* and `code` and a [link](https://x.dev).\n\n\
                  - one\n- two\n\n1. first\n2. second\n\n> quoted\n\n```rust\nlet x = 1;\n```\n\n\
                  | name | b |\n|---|---|\n| 1 | 22 |\n";
        let out = plain(&render(md, false));
        assert_eq!(
            out,
            vec![
                "# Title",
                "",
                "Some emphasis and code and a link <https://x.dev>.",
                "",
                "• one",
                "• two",
                "",
                "1. first",
                "2. second",
                "",
                "│ quoted",
                "",
                "  let x = 1;",
                "",
                "name │ b",
                "─────┼───",
                "1    │ 22",
            ]
        );
    }

    #[test]
    fn every_lesson_text_renders() {
        let pack = crate::lessons::Pack::embedded().unwrap();
        for l in &pack.lessons {
            let text = render(&l.readme, true);
            assert!(
                text.lines.len() > 20,
                "{} renders to {} lines",
                l.id,
                text.lines.len()
            );
        }
    }
}
