//! `{{name}}` templates in check values: run and item variables, captures,
//! `env.NAME` for the server's environment, and `{{random}}` (a fresh
//! unguessable token at each use).

use std::collections::BTreeMap;

use serde_json::Value as Json;

/// The values a template can name. Later scopes shadow earlier ones.
#[derive(Debug, Clone, Default)]
pub struct Scope {
    values: BTreeMap<String, String>,
    /// Captured JSON values that are not strings, so that `"{{id}}"` alone
    /// compares as the number it was, not as its text.
    typed: BTreeMap<String, Json>,
}

/// Why a template could not be rendered.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TemplateError {
    /// A template named a value that is not defined.
    #[error("unknown template variable `{{{{{name}}}}}`; known here: {known}")]
    Unknown {
        /// The name that was not found.
        name: String,
        /// The names that were defined, comma-separated.
        known: String,
    },
    /// `{{random}}` needs the OS random source, and it failed: a value derived
    /// from the clock could be guessed, so the run does not go on without it.
    #[error(
        "the OS random source failed ({0}); `{{{{random}}}}` values would be guessable, so nothing was graded"
    )]
    NoRandom(String),
}

impl Scope {
    /// Defines (or redefines) `name`.
    pub fn set(&mut self, name: impl Into<String>, value: impl Into<String>) {
        let name = name.into();
        self.typed.remove(&name);
        self.values.insert(name, value.into());
    }

    /// Defines `name` from a JSON value: a string as it is, anything else as
    /// its JSON text inside a longer template, and as itself when a JSON value
    /// is exactly `"{{name}}"`.
    pub fn set_json(&mut self, name: impl Into<String>, value: Json) {
        let name = name.into();
        match value {
            Json::String(s) => self.set(name, s),
            other => {
                self.values.insert(name.clone(), other.to_string());
                self.typed.insert(name, other);
            }
        }
    }

    /// Renders every `{{name}}` in `text`.
    pub fn render(&self, text: &str) -> Result<String, TemplateError> {
        let mut out = String::with_capacity(text.len());
        let mut rest = text;
        while let Some(start) = rest.find("{{") {
            let Some(len) = rest[start + 2..].find("}}") else {
                break;
            };
            out.push_str(&rest[..start]);
            let name = rest[start + 2..start + 2 + len].trim();
            out.push_str(&self.lookup(name)?);
            rest = &rest[start + 2 + len + 2..];
        }
        out.push_str(rest);
        Ok(out)
    }

    /// Renders every string inside a JSON value.
    pub fn render_json(&self, value: &Json) -> Result<Json, TemplateError> {
        Ok(match value {
            Json::String(s) => match self.exactly_typed(s) {
                Some(typed) => typed.clone(),
                None => Json::String(self.render(s)?),
            },
            Json::Array(items) => Json::Array(
                items
                    .iter()
                    .map(|v| self.render_json(v))
                    .collect::<Result<_, _>>()?,
            ),
            Json::Object(map) => Json::Object(
                map.iter()
                    .map(|(k, v)| Ok((k.clone(), self.render_json(v)?)))
                    .collect::<Result<_, _>>()?,
            ),
            other => other.clone(),
        })
    }

    /// The typed value when `text` is one `{{name}}` of a non-string capture.
    fn exactly_typed(&self, text: &str) -> Option<&Json> {
        let name = text.strip_prefix("{{")?.strip_suffix("}}")?.trim();
        self.typed.get(name)
    }

    fn lookup(&self, name: &str) -> Result<String, TemplateError> {
        if name == "random" {
            return random_token().map_err(|e| TemplateError::NoRandom(e.to_string()));
        }
        self.values
            .get(name)
            .cloned()
            .ok_or_else(|| TemplateError::Unknown {
                name: name.to_string(),
                known: self.known(),
            })
    }

    fn known(&self) -> String {
        let mut names: Vec<&str> = self.values.keys().map(String::as_str).collect();
        names.push("random");
        names.join(", ")
    }
}

/// The names a template text refers to (without `random`).
pub fn names_in(text: &str) -> Vec<&str> {
    let mut names = Vec::new();
    let mut rest = text;
    while let Some(start) = rest.find("{{") {
        let Some(len) = rest[start + 2..].find("}}") else {
            break;
        };
        let name = rest[start + 2..start + 2 + len].trim();
        if name != "random" {
            names.push(name);
        }
        rest = &rest[start + 2 + len + 2..];
    }
    names
}

/// 16 lowercase hex characters from the OS's random source: unguessable, so a
/// server cannot hard-code a value it was handed at run time.
pub fn random_token() -> Result<String, getrandom::Error> {
    let mut bytes = [0u8; 8];
    getrandom::fill(&mut bytes)?;
    Ok(bytes.iter().map(|b| format!("{b:02x}")).collect())
}

/// The words for a lesson mistake, so the learner knows it is not theirs.
pub fn lesson_bug(e: TemplateError) -> String {
    match e {
        TemplateError::Unknown { .. } => format!("lesson error (not your code): {e}"),
        TemplateError::NoRandom(_) => e.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn scope() -> Scope {
        let mut s = Scope::default();
        s.set("user_url", "/users/7");
        s.set("env.API_KEY", "k3y");
        s
    }

    #[test]
    fn renders_names_and_keeps_the_rest() {
        assert_eq!(
            scope().render("GET {{user_url}}!").unwrap(),
            "GET /users/7!"
        );
        assert_eq!(scope().render("{{ env.API_KEY }}").unwrap(), "k3y");
        assert_eq!(scope().render("no templates").unwrap(), "no templates");
        assert_eq!(scope().render("half {{open").unwrap(), "half {{open");
    }

    #[test]
    fn a_failed_random_source_is_an_error_not_a_guessable_value() {
        let e = TemplateError::NoRandom("no entropy".into());
        assert_eq!(
            e.to_string(),
            "the OS random source failed (no entropy); `{{random}}` values would be guessable, so nothing was graded"
        );
        assert_eq!(lesson_bug(e.clone()), e.to_string());
    }

    #[test]
    fn random_is_fresh_at_each_use() {
        let out = scope().render("{{random}}-{{random}}").unwrap();
        let (a, b) = out.split_once('-').unwrap();
        assert_eq!(a.len(), 16);
        assert_ne!(a, b);
    }

    #[test]
    fn unknown_names_list_the_known_ones() {
        let err = scope().render("{{user_ur}}").unwrap_err();
        assert!(matches!(&err, TemplateError::Unknown { name, .. } if name == "user_ur"));
        assert!(
            err.to_string()
                .contains("known here: env.API_KEY, user_url, random")
        );
    }

    #[test]
    fn a_captured_number_stays_a_number_where_it_stands_alone() {
        let mut s = scope();
        s.set_json("id", serde_json::json!(7));
        s.set_json("name", serde_json::json!("Ada"));
        let v = serde_json::json!({"id": "{{id}}", "path": "/users/{{id}}", "name": "{{name}}"});
        assert_eq!(
            s.render_json(&v).unwrap(),
            serde_json::json!({"id": 7, "path": "/users/7", "name": "Ada"})
        );
        s.set("id", "u7");
        assert_eq!(s.render_json(&serde_json::json!("{{id}}")).unwrap(), "u7");
    }

    #[test]
    fn renders_inside_json() {
        let v = serde_json::json!({"a": ["{{user_url}}", 1], "b": {"c": "x{{env.API_KEY}}"}});
        let out = scope().render_json(&v).unwrap();
        assert_eq!(
            out,
            serde_json::json!({"a": ["/users/7", 1], "b": {"c": "xk3y"}})
        );
    }

    #[test]
    fn names_in_skips_random() {
        assert_eq!(names_in("{{a}}/{{random}}/{{ b }}"), vec!["a", "b"]);
    }
}
