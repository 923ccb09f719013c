//! Field paths such as `items[2].qty`, shared by parse errors, fixes and rule violations.
//!
//! A path names a place in the JSON the model returned, using serde's names (after `rename`),
//! because that is what the model sees and what a re-ask message must point at.

use std::borrow::Cow;
use std::fmt;

/// One step of a [`FieldPath`].
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum PathSegment {
    /// An object key known at compile time: a struct field or a variant tag.
    Field(Cow<'static, str>),
    /// A position in an array.
    Index(usize),
    /// A key of a map, known only at run time.
    Key(String),
}

impl fmt::Display for PathSegment {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            PathSegment::Field(name) => f.write_str(name),
            PathSegment::Key(key) => f.write_str(key),
            PathSegment::Index(index) => write!(f, "[{index}]"),
        }
    }
}

/// Where in the model's output something happened, e.g. `items[2].qty`.
///
/// The empty path is the root value and displays as `$`.
///
/// ```
/// use llm_core::path::{FieldPath, PathSegment};
/// let path = FieldPath::from(vec![
///     PathSegment::Field("items".into()),
///     PathSegment::Index(2),
///     PathSegment::Field("qty".into()),
/// ]);
/// assert_eq!(path.to_string(), "items[2].qty");
/// ```
#[derive(Debug, Clone, Default, PartialEq, Eq, Hash)]
pub struct FieldPath(Vec<PathSegment>);

impl FieldPath {
    /// The root path, `$`.
    pub fn root() -> Self {
        Self(Vec::new())
    }

    /// The segments from the root down.
    pub fn segments(&self) -> &[PathSegment] {
        &self.0
    }

    /// Whether this is the root path.
    pub fn is_root(&self) -> bool {
        self.0.is_empty()
    }

    /// Appends a segment.
    pub fn push(&mut self, segment: PathSegment) {
        self.0.push(segment);
    }

    /// Removes the last segment.
    pub fn pop(&mut self) -> Option<PathSegment> {
        self.0.pop()
    }
}

impl From<Vec<PathSegment>> for FieldPath {
    fn from(segments: Vec<PathSegment>) -> Self {
        Self(segments)
    }
}

impl fmt::Display for FieldPath {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.0.is_empty() {
            return f.write_str("$");
        }
        for (i, segment) in self.0.iter().enumerate() {
            match segment {
                PathSegment::Field(name) => write_key(f, name, i == 0)?,
                PathSegment::Key(key) => write_key(f, key, i == 0)?,
                PathSegment::Index(index) => write!(f, "[{index}]")?,
            }
        }
        Ok(())
    }
}

/// `.key` for identifier-like keys (no dot at the start), `["a b"]` for the rest.
fn write_key(f: &mut fmt::Formatter<'_>, key: &str, first: bool) -> fmt::Result {
    if !is_plain_key(key) {
        return write!(f, "[{key:?}]");
    }
    if !first {
        f.write_str(".")?;
    }
    f.write_str(key)
}

fn is_plain_key(name: &str) -> bool {
    let mut chars = name.chars();
    matches!(chars.next(), Some(c) if c.is_alphabetic() || c == '_')
        && chars.all(|c| c.is_alphanumeric() || c == '_' || c == '-')
}

/// Shortens `text` to at most `max` characters for error messages, marking the cut.
///
/// Errors and violations carry excerpts, never unbounded model output.
///
/// ```
/// assert_eq!(llm_core::path::excerpt("abcdef", 4), "abc…");
/// assert_eq!(llm_core::path::excerpt("abc", 4), "abc");
/// ```
pub fn excerpt(text: &str, max: usize) -> String {
    if text.chars().count() <= max {
        return text.to_owned();
    }
    let mut out: String = text.chars().take(max.saturating_sub(1)).collect();
    out.push('…');
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn displays_keys_that_are_not_identifiers_quoted() {
        let path = FieldPath::from(vec![
            PathSegment::Field("a b".into()),
            PathSegment::Key("x".into()),
            PathSegment::Field("c".into()),
        ]);
        assert_eq!(path.to_string(), r#"["a b"].x.c"#);
    }

    #[test]
    fn root_displays_as_dollar() {
        assert_eq!(FieldPath::root().to_string(), "$");
    }
}
