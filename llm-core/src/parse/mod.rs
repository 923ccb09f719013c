//! From a model's raw reply to a typed value: find the JSON, parse it, fit it to the type.
//!
//! Every step that changes or selects text is recorded as a [`Fix`], so a caller can see (and a
//! policy can refuse) output that needed fixing. Failures are [`ParseError`]s that say what was
//! wrong, where, and quote the reply.

mod error;
mod extract;
pub mod repair;

pub use error::{ParseError, ParseErrorKind};

use serde::de::DeserializeOwned;

use crate::path::{FieldPath, PathSegment};

/// Longest excerpt of a raw reply kept in a [`ParseError`], in characters.
pub const RAW_EXCERPT_CHARS: usize = 200;

/// A parsed value with the fixes it needed.
#[derive(Debug, Clone, PartialEq)]
pub struct Parsed<T> {
    /// The value.
    pub value: T,
    /// What was done to the reply to get it, in order; empty for clean JSON.
    pub fixes: Vec<Fix>,
}

/// One change or choice made while parsing.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Fix {
    /// What was done.
    pub kind: FixKind,
    /// Where in the value; the root for whole-reply fixes.
    pub path: FieldPath,
}

/// The kinds of [`Fix`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum FixKind {
    /// The JSON was taken out of a markdown code fence.
    ExtractedFromFence,
    /// The JSON was taken out of surrounding prose.
    ExtractedFromProse,
    /// A byte order mark was skipped.
    Bom,
    /// A `//`, `/* */` or `#` comment was skipped.
    Comment,
    /// A comma before `}` or `]` was dropped.
    TrailingComma,
    /// A missing comma between members or elements was assumed.
    MissingComma,
    /// A doubled comma or a stray colon was skipped.
    ExtraPunctuation,
    /// A missing `:` after a key was assumed (or `=` read as `:`).
    MissingColon,
    /// A member with a key and no value (`{"a": }`) got `null`.
    MissingValue,
    /// A `}` closed an array, or a `]` an object.
    MismatchedBracket,
    /// A key without quotes.
    UnquotedKey,
    /// A string value without quotes.
    UnquotedValue,
    /// A string in single quotes.
    SingleQuotes,
    /// A string in typographic quotes (`“...”`).
    SmartQuotes,
    /// A quote inside a string that was not escaped was kept as text.
    UnescapedQuote,
    /// An escape JSON does not have (`\x`) was kept as text.
    InvalidEscape,
    /// A raw control character (a newline, a tab) inside a string was kept.
    ControlCharacter,
    /// Python's `True`, `False` or `None`.
    PythonLiteral,
    /// JavaScript's `undefined`, `NaN` or `Infinity`, read as `null`.
    JsLiteral,
    /// A number written `+1`, `.5` or `5.`.
    NumberFormat,
    /// A key given twice; the last value was kept.
    DuplicateKey,
    /// The reply ended inside a string, which was closed.
    ClosedString,
    /// The reply ended inside an array or object, which was closed.
    ClosedContainer,
    /// The reply ended after a key and before its value; the key was dropped.
    DroppedIncompleteMember,
}

/// Parses `raw` as JSON for `T`, taking it out of fences or prose when needed.
///
/// ```
/// let parsed: llm_core::parse::Parsed<Vec<u8>> =
///     llm_core::parse::parse_json("Here you go: [1, 2, 3]. Anything else?")?;
/// assert_eq!(parsed.value, [1, 2, 3]);
/// assert_eq!(parsed.fixes[0].kind, llm_core::parse::FixKind::ExtractedFromProse);
/// # Ok::<(), llm_core::parse::ParseError>(())
/// ```
pub fn parse_json<T: DeserializeOwned>(raw: &str) -> Result<Parsed<T>, ParseError> {
    let (json, how) = extract::extract(raw).map_err(|kind| ParseError::new(kind, raw))?;
    let mut fixes = Vec::new();
    if let Some(kind) = how {
        fixes.push(Fix {
            kind,
            path: FieldPath::root(),
        });
    }
    let value: serde_json::Value = serde_json::from_str(json).map_err(|source| {
        let (line, column) = (source.line(), source.column());
        ParseError::new(
            ParseErrorKind::Syntax {
                line,
                column,
                source,
            },
            raw,
        )
    })?;
    let value = serde_path_to_error::deserialize(value).map_err(|err| {
        let path = to_field_path(err.path());
        ParseError::new(
            ParseErrorKind::Shape {
                path,
                source: err.into_inner(),
            },
            raw,
        )
    })?;
    Ok(Parsed { value, fixes })
}

fn to_field_path(path: &serde_path_to_error::Path) -> FieldPath {
    use serde_path_to_error::Segment;
    let segments = path
        .iter()
        .filter_map(|segment| match segment {
            Segment::Seq { index } => Some(PathSegment::Index(*index)),
            Segment::Map { key } => Some(PathSegment::Key(key.clone())),
            Segment::Enum { variant } => Some(PathSegment::Key(variant.clone())),
            Segment::Unknown => None,
        })
        .collect::<Vec<_>>();
    FieldPath::from(segments)
}
