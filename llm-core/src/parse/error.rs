//! [`ParseError`]: why a reply could not become the requested type.

use std::fmt;

use crate::path::{FieldPath, excerpt};

/// A reply that could not be parsed into the requested type.
///
/// Carries what went wrong ([`kind`](Self::kind)) and an excerpt of the reply.
#[derive(Debug)]
pub struct ParseError {
    kind: ParseErrorKind,
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
    /// The JSON could not be read.
    Syntax {
        /// 1-based line in the extracted JSON.
        line: usize,
        /// 1-based column in the extracted JSON.
        column: usize,
        /// The JSON reader's error.
        source: serde_json::Error,
    },
    /// The JSON does not have the requested type's shape: a missing field, a wrong type, an
    /// unknown variant.
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
            kind,
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
        match &self.kind {
            ParseErrorKind::Shape { path, .. } => Some(path),
            _ => None,
        }
    }

    /// The message sent back to a model to ask for a corrected answer.
    pub fn reask_message(&self) -> String {
        let detail = match &self.kind {
            ParseErrorKind::Empty => "Your answer was empty.".to_owned(),
            ParseErrorKind::NoJson => "Your answer contained no JSON.".to_owned(),
            ParseErrorKind::Syntax {
                line,
                column,
                source,
            } => {
                format!("Your answer was not valid JSON at line {line}, column {column}: {source}.")
            }
            ParseErrorKind::Shape { path, source } => {
                format!("Your answer did not have the required shape at {path}: {source}.")
            }
        };
        format!("{detail}\nAnswer again with corrected JSON only.")
    }
}

impl fmt::Display for ParseError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.kind {
            ParseErrorKind::Empty => f.write_str("the reply is empty"),
            ParseErrorKind::NoJson => write!(f, "no JSON found in the reply {:?}", self.raw),
            ParseErrorKind::Syntax { line, column, .. } => {
                write!(
                    f,
                    "invalid JSON at line {line}, column {column} of the reply {:?}",
                    self.raw
                )
            }
            ParseErrorKind::Shape { path, .. } => {
                write!(f, "the reply does not fit the type at {path}")
            }
        }
    }
}

impl std::error::Error for ParseError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match &self.kind {
            ParseErrorKind::Syntax { source, .. } | ParseErrorKind::Shape { source, .. } => {
                Some(source)
            }
            ParseErrorKind::Empty | ParseErrorKind::NoJson => None,
        }
    }
}
