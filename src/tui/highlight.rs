//! A small syntax highlighter for the code blocks of lesson texts (Rust, Python,
//! TOML, shell): keywords, strings, comments, numbers. A full grammar engine
//! (syntect) would add far more build time than lesson snippets need.

use ratatui::style::{Color, Modifier, Style};
use ratatui::text::Span;

const RUST: &[&str] = &[
    "as", "async", "await", "break", "const", "continue", "crate", "dyn", "else", "enum", "fn",
    "for", "if", "impl", "in", "let", "loop", "match", "mod", "move", "mut", "pub", "ref",
    "return", "self", "Self", "static", "struct", "super", "trait", "type", "unsafe", "use",
    "where", "while", "true", "false",
];
const PYTHON: &[&str] = &[
    "and", "as", "async", "await", "class", "def", "elif", "else", "except", "False", "for",
    "from", "if", "import", "in", "is", "lambda", "None", "not", "or", "pass", "raise", "return",
    "True", "try", "while", "with", "yield",
];

/// The styles a highlighted token can get.
#[derive(Debug, Clone, Copy)]
pub struct Palette {
    /// Plain code.
    pub code: Style,
    /// Keywords.
    pub keyword: Style,
    /// String literals.
    pub string: Style,
    /// Comments.
    pub comment: Style,
    /// Numbers.
    pub number: Style,
    /// Attributes and decorators (`#[derive]`, `@router.post`).
    pub attribute: Style,
}

impl Palette {
    /// Colours, or none at all (NO_COLOR).
    pub fn new(color: bool) -> Self {
        if !color {
            let plain = Style::default();
            return Palette {
                code: plain,
                keyword: plain.add_modifier(Modifier::BOLD),
                string: plain,
                comment: plain.add_modifier(Modifier::ITALIC),
                number: plain,
                attribute: plain,
            };
        }
        Palette {
            code: Style::default().fg(Color::Gray),
            keyword: Style::default()
                .fg(Color::Magenta)
                .add_modifier(Modifier::BOLD),
            string: Style::default().fg(Color::Green),
            comment: Style::default()
                .fg(Color::DarkGray)
                .add_modifier(Modifier::ITALIC),
            number: Style::default().fg(Color::Yellow),
            attribute: Style::default().fg(Color::Cyan),
        }
    }
}

/// One line of code as styled spans. `lang` is the code block's info string.
pub fn line(code: &str, lang: &str, p: &Palette) -> Vec<Span<'static>> {
    let keywords: &[&str] = match lang {
        "rust" | "rs" => RUST,
        "python" | "py" => PYTHON,
        _ => &[],
    };
    let comment_start = match lang {
        "rust" | "rs" => "//",
        "python" | "py" | "toml" | "sh" | "bash" | "shell" => "#",
        _ => "\u{0}",
    };
    let mut spans = Vec::new();
    let chars: Vec<char> = code.chars().collect();
    // Byte offset of each char, so the rest of the line is a slice, not a copy.
    let offsets: Vec<usize> = code.char_indices().map(|(b, _)| b).collect();
    let mut i = 0;
    let mut plain = String::new();
    let flush = |plain: &mut String, spans: &mut Vec<Span<'static>>| {
        if !plain.is_empty() {
            spans.push(Span::styled(std::mem::take(plain), p.code));
        }
    };
    while i < chars.len() {
        let rest = &code[offsets[i]..];
        let c = chars[i];
        if rest.starts_with(comment_start) && !(lang.starts_with("r") && rest.starts_with("#[")) {
            flush(&mut plain, &mut spans);
            spans.push(Span::styled(rest.to_string(), p.comment));
            break;
        }
        if (c == '#' && rest.starts_with("#[")) || (c == '@' && i == first_non_space(&chars)) {
            flush(&mut plain, &mut spans);
            let close = if c == '#' { ']' } else { '(' };
            let end = rest.find(close).map_or(rest.len(), |e| e + 1);
            spans.push(Span::styled(rest[..end].to_string(), p.attribute));
            i += rest[..end].chars().count();
            continue;
        }
        if c == '"' || (c == '\'' && lang.starts_with('p')) {
            flush(&mut plain, &mut spans);
            let mut j = i + 1;
            while j < chars.len() && chars[j] != c {
                if chars[j] == '\\' {
                    j += 1;
                }
                j += 1;
            }
            let end = (j + 1).min(chars.len());
            spans.push(Span::styled(
                chars[i..end].iter().collect::<String>(),
                p.string,
            ));
            i = end;
            continue;
        }
        if c.is_alphanumeric() || c == '_' {
            let mut j = i;
            while j < chars.len() && (chars[j].is_alphanumeric() || chars[j] == '_') {
                j += 1;
            }
            let word: String = chars[i..j].iter().collect();
            let style = if keywords.contains(&word.as_str()) {
                Some(p.keyword)
            } else if c.is_ascii_digit() {
                Some(p.number)
            } else {
                None
            };
            match style {
                Some(s) => {
                    flush(&mut plain, &mut spans);
                    spans.push(Span::styled(word, s));
                }
                None => plain.push_str(&word),
            }
            i = j;
            continue;
        }
        plain.push(c);
        i += 1;
    }
    flush(&mut plain, &mut spans);
    spans
}

fn first_non_space(chars: &[char]) -> usize {
    chars.iter().position(|c| !c.is_whitespace()).unwrap_or(0)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn kinds(code: &str, lang: &str) -> Vec<String> {
        let p = Palette::new(true);
        line(code, lang, &p)
            .into_iter()
            .map(|s| {
                let kind = if s.style == p.keyword {
                    "kw"
                } else if s.style == p.string {
                    "str"
                } else if s.style == p.comment {
                    "com"
                } else if s.style == p.attribute {
                    "attr"
                } else if s.style == p.number {
                    "num"
                } else {
                    "code"
                };
                format!("{kind}:{}", s.content)
            })
            .collect()
    }

    #[test]
    fn rust_and_python_tokens() {
        assert_eq!(
            kinds("let x = \"hi\"; // note", "rust"),
            vec![
                "kw:let",
                "code: x = ",
                "str:\"hi\"",
                "code:; ",
                "com:// note"
            ]
        );
        assert_eq!(
            kinds("#[derive(Serialize)]", "rust")[0],
            "attr:#[derive(Serialize)]"
        );
        assert_eq!(
            kinds("async def f(): return 'a'  # c", "python"),
            vec![
                "kw:async",
                "code: ",
                "kw:def",
                "code: f(): ",
                "kw:return",
                "code: ",
                "str:'a'",
                "code:  ",
                "com:# c"
            ]
        );
        assert_eq!(kinds("@router.post(", "python")[0], "attr:@router.post(");
        assert_eq!(kinds("min = 8", "rust"), vec!["code:min = ", "num:8"]);
    }
}
