//! Parsing prompt templates: text, `{placeholder}`s, `{{`/`}}` escapes.
//!
//! A placeholder is a parameter name, optionally followed by fields (`{order.id}`) and a format
//! after a colon (`{items:inline}`). Every syntax error is collected with the offending snippet;
//! the caller reports them on the template's literal (a string literal has no sub-spans on
//! stable Rust).

/// How a placeholder is rendered.
#[derive(Clone, Copy, PartialEq, Eq)]
pub(crate) enum Format {
    /// Through `Render`.
    Plain,
    /// `:json`, compact serde JSON.
    Json,
    /// `:pretty`, indented serde JSON.
    Pretty,
    /// `:inline`, a list on one line.
    Inline,
    /// `:debug`, `Debug`.
    Debug,
}

const FORMATS: &str = "json, pretty, inline, debug";

pub(crate) struct Placeholder {
    /// The parameter, then the fields: `order.id` is `["order", "id"]`.
    pub(crate) path: Vec<String>,
    pub(crate) format: Format,
}

impl Placeholder {
    /// The placeholder's path as written: `order.id`.
    pub(crate) fn name(&self) -> String {
        self.path.join(".")
    }
}

pub(crate) enum Piece {
    Text(String),
    Placeholder(Placeholder),
}

/// The pieces of `template`, or every syntax error found in it.
pub(crate) fn parse(template: &str) -> Result<Vec<Piece>, Vec<String>> {
    let mut pieces = Vec::new();
    let mut errors = Vec::new();
    let mut text = String::new();
    let mut chars = template.char_indices().peekable();
    while let Some((start, c)) = chars.next() {
        match c {
            '{' if chars.peek().is_some_and(|&(_, n)| n == '{') => {
                chars.next();
                text.push('{');
            }
            '}' if chars.peek().is_some_and(|&(_, n)| n == '}') => {
                chars.next();
                text.push('}');
            }
            '}' => errors.push(format!(
                "unmatched `}}` in the prompt near {:?}; write `}}}}` for a literal brace",
                snippet(template, start)
            )),
            '{' => {
                let mut inner = String::new();
                let mut closed = false;
                for (_, n) in chars.by_ref() {
                    if n == '}' {
                        closed = true;
                        break;
                    }
                    if n == '{' {
                        break;
                    }
                    inner.push(n);
                }
                if !closed {
                    errors.push(format!(
                        "unclosed `{{` in the prompt near {:?}; close it with `}}`, or write `{{{{` for a literal brace",
                        snippet(template, start)
                    ));
                    break;
                }
                match placeholder(&inner) {
                    Ok(p) => {
                        if !text.is_empty() {
                            pieces.push(Piece::Text(std::mem::take(&mut text)));
                        }
                        pieces.push(Piece::Placeholder(p));
                    }
                    Err(message) => errors.push(message),
                }
            }
            c => text.push(c),
        }
    }
    if !text.is_empty() {
        pieces.push(Piece::Text(text));
    }
    if errors.is_empty() {
        Ok(pieces)
    } else {
        Err(errors)
    }
}

fn placeholder(inner: &str) -> Result<Placeholder, String> {
    let trimmed = inner.trim();
    if trimmed.is_empty() {
        return Err(
            "empty placeholder `{}` in the prompt; name a parameter, e.g. `{text}`, or write `{{}}` for literal braces"
                .to_owned(),
        );
    }
    let (path, format) = match trimmed.split_once(':') {
        Some((path, format)) => (path.trim(), Some(format.trim())),
        None => (trimmed, None),
    };
    let format = match format {
        None => Format::Plain,
        Some("json") => Format::Json,
        Some("pretty") => Format::Pretty,
        Some("inline") => Format::Inline,
        Some("debug") => Format::Debug,
        Some(other) => {
            return Err(format!(
                "unknown format `{other}` in the placeholder `{{{trimmed}}}`; formats are: {FORMATS}"
            ));
        }
    };
    let segments: Vec<&str> = path.split('.').map(str::trim).collect();
    if let Some(bad) = segments.iter().find(|s| !is_identifier(s)) {
        return Err(format!(
            "malformed placeholder `{{{trimmed}}}` in the prompt: `{bad}` is not a name; write `{{param}}` or `{{param.field}}`, or `{{{{` for a literal brace"
        ));
    }
    Ok(Placeholder {
        path: segments.iter().map(|s| (*s).to_owned()).collect(),
        format,
    })
}

fn is_identifier(s: &str) -> bool {
    let mut chars = s.chars();
    let first_ok = chars.next().is_some_and(|c| c == '_' || c.is_alphabetic());
    first_ok && chars.all(|c| c == '_' || c.is_alphanumeric())
        || (!s.is_empty() && s.chars().all(|c| c.is_ascii_digit()))
}

/// Up to 20 characters of `template` from byte `start`, for messages.
fn snippet(template: &str, start: usize) -> String {
    template
        .get(start..)
        .unwrap_or_default()
        .chars()
        .take(20)
        .collect()
}
