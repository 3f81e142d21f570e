//! A problem in a pack, located like a compiler error (file, line, column, the
//! span underlined, a help line), and the rendering of many at once.

use std::fmt;
use std::ops::Range;

use annotate_snippets::{AnnotationKind, Group, Level, Renderer, Snippet};

/// One thing wrong with a pack: what, where, and how to mend it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Problem {
    /// The file, as a person reads it (`lessons/01-x/lesson.toml` or a path on disk).
    pub file: String,
    /// Where in the file, when known.
    pub at: Option<Place>,
    /// What is wrong, in one line.
    pub message: String,
    /// How to mend it, when there is more to say than the message.
    pub help: Option<String>,
}

/// A position in a file: 1-based line and column (in characters), how many
/// characters to underline, and the line itself (to show it).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Place {
    /// 1-based line.
    pub line: usize,
    /// 1-based column, in characters.
    pub col: usize,
    /// Characters to underline (at least one).
    pub len: usize,
    /// The text of that line, without its line break.
    pub text: String,
}

impl Place {
    /// The place of a byte range of `text` (clipped to its first line).
    pub fn of(text: &str, span: Range<usize>) -> Place {
        let start = floor_boundary(text, span.start.min(text.len()));
        let end = floor_boundary(text, span.end.clamp(start, text.len()));
        let line_start = text[..start].rfind('\n').map_or(0, |i| i + 1);
        let line_end = text[start..].find('\n').map_or(text.len(), |i| start + i);
        let line_text = text[line_start..line_end].trim_end_matches('\r');
        let col = text[line_start..start].chars().count() + 1;
        let len = text[start..end.min(line_end)].chars().count().max(1);
        Place {
            line: text[..start].matches('\n').count() + 1,
            col,
            len,
            text: line_text.to_string(),
        }
    }
}

fn floor_boundary(text: &str, mut i: usize) -> usize {
    while !text.is_char_boundary(i) {
        i -= 1;
    }
    i
}

impl Problem {
    /// A problem with a whole file (no position).
    pub fn file(file: impl Into<String>, message: impl Into<String>) -> Problem {
        Problem {
            file: file.into(),
            at: None,
            message: message.into(),
            help: None,
        }
    }

    /// A problem at a byte range of the file's text.
    pub fn at(
        file: impl Into<String>,
        text: &str,
        span: Range<usize>,
        message: impl Into<String>,
    ) -> Problem {
        Problem {
            at: Some(Place::of(text, span)),
            ..Problem::file(file, message)
        }
    }

    /// At a byte range when there is one, else the whole file.
    pub fn maybe_at(
        file: impl Into<String>,
        text: &str,
        span: Option<Range<usize>>,
        message: impl Into<String>,
    ) -> Problem {
        match span {
            Some(span) => Problem::at(file, text, span, message),
            None => Problem::file(file, message),
        }
    }

    /// The same problem with a help line.
    pub fn help(mut self, help: impl Into<String>) -> Problem {
        self.help = Some(help.into());
        self
    }

    /// `file:line:col`, or the file alone.
    pub fn position(&self) -> String {
        match &self.at {
            Some(p) => format!("{}:{}:{}", self.file, p.line, p.col),
            None => self.file.clone(),
        }
    }
}

/// One line: `file:line:col: message`.
impl fmt::Display for Problem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.position(), self.message)
    }
}

/// Every problem as a compiler shows errors: the line, the span underlined, the
/// help; then how many there are. `color` for a terminal.
pub fn render(problems: &[Problem], color: bool) -> String {
    let renderer = if color {
        Renderer::styled()
    } else {
        Renderer::plain()
    };
    let mut out = String::new();
    for p in problems {
        // A pack is input: what it says is shown as text, never as terminal controls.
        let message = visible(&p.message);
        let file = visible(&p.file);
        let title = Level::ERROR.primary_title(message.as_str());
        let line;
        let mut group = match &p.at {
            Some(place) => {
                line = visible(&place.text);
                let start = byte_of_char(&line, place.col - 1);
                let end = byte_of_char(&line, place.col - 1 + place.len).max(start);
                let snippet = Snippet::source(line.as_str())
                    .line_start(place.line)
                    .path(file.as_str())
                    .annotation(AnnotationKind::Primary.span(start..end));
                Group::with_title(title).element(snippet)
            }
            None => Group::with_title(title).element(
                Snippet::<annotate_snippets::Annotation<'_>>::source("")
                    .path(file.as_str())
                    .fold(true),
            ),
        };
        let help = p.help.as_deref().map(visible);
        if let Some(h) = &help {
            group = group.element(Level::HELP.message(h.as_str()));
        }
        out.push_str(&renderer.render(&[group]));
        out.push_str("\n\n");
    }
    let n = problems.len();
    out.push_str(&format!(
        "error: {n} problem{} in the pack\n",
        if n == 1 { "" } else { "s" }
    ));
    out
}

/// Control characters as visible symbols, one for one (columns stay right).
fn visible(s: &str) -> String {
    s.chars()
        .map(|c| match c {
            '\t' => ' ',
            '\n' => '\n',
            '\u{7f}' => '␡',
            c if (c as u32) < 0x20 => char::from_u32(0x2400 + c as u32).unwrap_or('?'),
            '\u{80}'..='\u{9f}' | '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}' => '�',
            c => c,
        })
        .collect()
}

fn byte_of_char(s: &str, chars: usize) -> usize {
    s.char_indices().nth(chars).map_or(s.len(), |(i, _)| i)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_place_is_line_column_and_length_in_characters() {
        let text = "a = 1\nbé = \"x\"\n";
        let p = Place::of(text, 12..15);
        assert_eq!((p.line, p.col, p.len), (2, 6, 3));
        assert_eq!(p.text, "bé = \"x\"");
        assert_eq!(Place::of(text, 11..12).col, 5);
        // Past the end, or inside a character: clipped, never a panic.
        assert_eq!(Place::of(text, 100..200).line, 3);
        assert_eq!(Place::of(text, 8..9).col, 2);
    }

    #[test]
    fn problems_render_with_the_line_the_span_and_the_help() {
        let text = "title = \"x\"\nedti = []\n";
        let p = Problem::at(
            "lessons/01-a/lesson.toml",
            text,
            12..16,
            "unknown key `edti`",
        )
        .help("did you mean `edit`?");
        let out = render(
            &[p.clone(), Problem::file("lessons/pack.toml", "missing")],
            false,
        );
        assert!(out.contains("error: unknown key `edti`"), "{out}");
        assert!(out.contains("lessons/01-a/lesson.toml:2:1"), "{out}");
        assert!(out.contains("edti = []"), "{out}");
        assert!(out.contains("^^^^"), "{out}");
        assert!(out.contains("help: did you mean `edit`?"), "{out}");
        assert!(out.contains("lessons/pack.toml"), "{out}");
        assert!(out.ends_with("error: 2 problems in the pack\n"), "{out}");
        assert_eq!(
            p.to_string(),
            "lessons/01-a/lesson.toml:2:1: unknown key `edti`"
        );
    }

    #[test]
    fn control_characters_are_shown_not_sent() {
        let text = "x = \"\u{1b}[2J\"\n";
        let p = Problem::at("f\u{1b}", text, 4..10, "bad \u{1b}[31m");
        let out = render(&[p], false);
        assert!(!out.contains('\u{1b}'), "{out:?}");
    }
}
