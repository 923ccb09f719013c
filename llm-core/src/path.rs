//! Field paths such as `items[2].qty`, shared by parse errors, fixes and rule violations.
//!
//! A path names a place in the JSON the model returned, using serde's names (after `rename`),
//! because that is what the model sees and what a re-ask message must point at.
//!
//! Paths are built for every fix the parser records, so a short path costs no allocation:
//! up to three segments are kept inline, and so are keys of up to 24 bytes ([`CompactString`]).

use std::fmt;

pub use compact_str::CompactString;
use smallvec::SmallVec;

/// One step of a [`FieldPath`].
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum PathSegment {
    /// An object key known at compile time: a struct field or a variant tag.
    Field(&'static str),
    /// A position in an array.
    Index(usize),
    /// A key of a map, known only at run time (a key read from the model's output).
    Key(CompactString),
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
///     PathSegment::Field("items"),
///     PathSegment::Index(2),
///     PathSegment::Field("qty"),
/// ]);
/// assert_eq!(path.to_string(), "items[2].qty");
/// ```
#[derive(Debug, Clone, Default, PartialEq, Eq, Hash)]
pub struct FieldPath(SmallVec<[PathSegment; 3]>);

impl FieldPath {
    /// The root path, `$`.
    pub fn root() -> Self {
        Self(SmallVec::new())
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
        Self(SmallVec::from_vec(segments))
    }
}

impl FromIterator<PathSegment> for FieldPath {
    fn from_iter<I: IntoIterator<Item = PathSegment>>(segments: I) -> Self {
        Self(segments.into_iter().collect())
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
            PathSegment::Field("a b"),
            PathSegment::Key("x".into()),
            PathSegment::Field("c"),
        ]);
        assert_eq!(path.to_string(), r#"["a b"].x.c"#);
    }

    #[test]
    fn root_displays_as_dollar() {
        assert_eq!(FieldPath::root().to_string(), "$");
    }

    #[test]
    fn short_paths_are_inline_and_errors_stay_small() {
        // Three segments and keys of up to 24 bytes need no allocation.
        let path: FieldPath = [
            PathSegment::Key("line_items_of_the_order".into()),
            PathSegment::Index(7),
            PathSegment::Field("description"),
        ]
        .into_iter()
        .collect();
        assert!(!path.0.spilled());
        assert!(path.segments().iter().all(|s| match s {
            PathSegment::Key(key) => !key.is_heap_allocated(),
            _ => true,
        }));
        // clippy.toml's large-error-threshold is set from these.
        assert_eq!(size_of::<PathSegment>(), 24);
        assert_eq!(size_of::<FieldPath>(), 80);
        assert!(size_of::<crate::parse::CoerceError>() <= 136);
        assert!(size_of::<crate::parse::ParseErrorKind>() <= 144);
        assert!(size_of::<crate::parse::ParseError>() <= 32);
    }
}
