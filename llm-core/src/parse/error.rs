//! [`ParseError`]: why a reply could not become the requested type.

use std::fmt;

use crate::path::{FieldPath, excerpt};

/// A reply that could not be parsed into the requested type.
///
/// Carries what went wrong ([`kind`](Self::kind)) and an excerpt of the reply.
#[derive(Debug)]
pub struct ParseError {
    /// Boxed: errors travel through `Result`s on the hot path, kinds hold inline paths.
    kind: Box<ParseErrorKind>,
    raw: String,
}

/// What made a [`ParseError`].
#[derive(Debug)]
#[non_exhaustive]
pub enum ParseErrorKind {
    /// The reply was empty or only whitespace.
    Empty,
    /// No JSON value was found in the reply.
    NoJson,
    /// The JSON nests deeper than the limit.
    TooDeep {
        /// The limit, in levels.
        limit: usize,
    },
    /// The reply is longer than the limit.
    TooLarge {
        /// The limit, in bytes.
        limit: usize,
    },
    /// The JSON does not fit the requested type, and no honest conversion makes it fit: a
    /// missing field, a wrong type, an unknown or ambiguous enum value.
    Coerce(super::CoerceError),
    /// serde rejected the value after it fit the schema (a custom `Deserialize`, an integer
    /// out of range).
    Shape {
        /// Where the mismatch is.
        path: FieldPath,
        /// serde's description of the mismatch.
        source: serde_json::Error,
    },
}

impl ParseError {
    /// A parse error of `kind` for the reply `raw` (kept as an excerpt).
    pub fn new(kind: ParseErrorKind, raw: &str) -> Self {
        Self {
            kind: Box::new(kind),
            raw: excerpt(raw, super::RAW_EXCERPT_CHARS),
        }
    }

    /// What went wrong.
    pub fn kind(&self) -> &ParseErrorKind {
        &self.kind
    }

    /// The start of the reply, truncated to [`RAW_EXCERPT_CHARS`](super::RAW_EXCERPT_CHARS).
    pub fn raw_excerpt(&self) -> &str {
        &self.raw
    }

    /// Where in the value the error is, when it is about one place.
    pub fn path(&self) -> Option<&FieldPath> {
        match &*self.kind {
            ParseErrorKind::Shape { path, .. } => Some(path),
            ParseErrorKind::Coerce(err) => Some(err.path()),
            _ => None,
        }
    }

    /// The message sent back to a model to ask for a corrected answer.
    pub fn reask_message(&self) -> String {
        let detail = match &*self.kind {
            ParseErrorKind::Empty => "Your answer was empty.".to_owned(),
            ParseErrorKind::NoJson => "Your answer contained no JSON.".to_owned(),
            ParseErrorKind::TooDeep { limit } => {
                format!("Your answer nested deeper than {limit} levels.")
            }
            ParseErrorKind::TooLarge { limit } => {
                format!("Your answer was longer than {limit} bytes.")
            }
            ParseErrorKind::Coerce(err) => format!("Your answer did not fit the format: {err}."),
            ParseErrorKind::Shape { path, source } => {
                format!("Your answer did not have the required shape at {path}: {source}.")
            }
        };
        format!("{detail}\nAnswer again with corrected JSON only.")
    }
}

impl fmt::Display for ParseError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &*self.kind {
            ParseErrorKind::Empty => f.write_str("the reply is empty"),
            ParseErrorKind::NoJson => write!(f, "no JSON found in the reply {:?}", self.raw),
            ParseErrorKind::TooDeep { limit } => {
                write!(f, "the reply nests deeper than {limit} levels")
            }
            ParseErrorKind::TooLarge { limit } => {
                write!(f, "the reply is longer than {limit} bytes")
            }
            ParseErrorKind::Coerce(err) => write!(f, "the reply does not fit the type: {err}"),
            ParseErrorKind::Shape { path, .. } => {
                write!(f, "the reply does not fit the type at {path}")
            }
        }
    }
}

impl std::error::Error for ParseError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match &*self.kind {
            ParseErrorKind::Shape { source, .. } => Some(source),
            _ => None,
        }
    }
}
