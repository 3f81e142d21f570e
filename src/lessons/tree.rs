//! A TOML file with the byte span of every key and value, to point a problem
//! at the exact place it is about (not at the first text that looks like it).

use std::ops::Range;

use toml::Spanned;
use toml::de::{DeTable, DeValue};

/// One step of a path into a TOML document.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Seg<'a> {
    /// A key of a table.
    Key(&'a str),
    /// An element of an array (`[[item]]` tables are one).
    Index(usize),
}

/// A parsed TOML document that knows where everything is.
pub struct Tree<'i> {
    root: Option<Spanned<DeValue<'i>>>,
}

impl<'i> Tree<'i> {
    /// Parses `text`; a document with syntax errors has no spans.
    pub fn parse(text: &'i str) -> Tree<'i> {
        let root = DeTable::parse(text)
            .ok()
            .map(|t| Spanned::new(t.span(), DeValue::Table(t.into_inner())));
        Tree { root }
    }

    /// The span of the value at `path`.
    pub fn value(&self, path: &[Seg<'_>]) -> Option<Range<usize>> {
        self.walk(path).map(|(_, v)| v)
    }

    /// The span of the last key of `path` (the value's, for an array element).
    pub fn key(&self, path: &[Seg<'_>]) -> Option<Range<usize>> {
        self.walk(path).map(|(k, v)| k.unwrap_or(v))
    }

    /// The span of the key `name` inside the table at `path`: for a key that
    /// should not be there.
    pub fn key_in(&self, path: &[Seg<'_>], name: &str) -> Option<Range<usize>> {
        let mut full = path.to_vec();
        full.push(Seg::Key(name));
        self.key(&full)
    }

    fn walk(&self, path: &[Seg<'_>]) -> Option<(Option<Range<usize>>, Range<usize>)> {
        let mut at = self.root.as_ref()?;
        let mut key = None;
        for seg in path {
            match (seg, at.get_ref()) {
                (Seg::Key(k), DeValue::Table(t)) => {
                    let (name, value) = t.iter().find(|(name, _)| name.get_ref() == k)?;
                    key = Some(name.span());
                    at = value;
                }
                (Seg::Index(i), DeValue::Array(a)) => {
                    at = a.get(*i)?;
                    key = None;
                }
                _ => return None,
            }
        }
        Some((key, at.span()))
    }
}

impl Tree<'_> {
    /// The spans (key, value) at a JSON pointer into the same document
    /// (`/item/0/step`): a number indexes an array, names a key of a table.
    pub fn at_pointer(&self, pointer: &str) -> Option<(Option<Range<usize>>, Range<usize>)> {
        let parts: Vec<String> = pointer
            .split('/')
            .skip(1)
            .map(|s| s.replace("~1", "/").replace("~0", "~"))
            .collect();
        let mut at = self.root.as_ref()?;
        let mut key = None;
        for part in &parts {
            match at.get_ref() {
                DeValue::Table(t) => {
                    let (name, value) = t.iter().find(|(name, _)| name.get_ref() == part)?;
                    key = Some(name.span());
                    at = value;
                }
                DeValue::Array(a) => {
                    at = a.get(part.parse::<usize>().ok()?)?;
                    key = None;
                }
                _ => return None,
            }
        }
        Some((key, at.span()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn spans_of_keys_and_values() {
        let text = "title = \"x\"\n[[item]]\nid = \"a\"\n[[item]]\nid = \"b\"\n";
        let tree = Tree::parse(text);
        let id = tree
            .value(&[Seg::Key("item"), Seg::Index(1), Seg::Key("id")])
            .unwrap();
        assert_eq!(&text[id.clone()], "\"b\"");
        let key = tree
            .key(&[Seg::Key("item"), Seg::Index(0), Seg::Key("id")])
            .unwrap();
        assert_eq!(&text[key], "id");
        assert!(tree.value(&[Seg::Key("nope")]).is_none());
        assert!(Tree::parse("x = ").value(&[]).is_none());
        assert_eq!(tree.at_pointer("/item/1/id").map(|(_, v)| v), Some(id));
        assert!(tree.at_pointer("/item/7").is_none());
    }
}
