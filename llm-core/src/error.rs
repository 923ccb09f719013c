//! [`LlmError`]: every way a model call can fail, as one typed error.
//!
//! Each variant wraps a small error type with structured fields; none is a `String` catch-all.
//! `LlmError` displays as the error it wraps and passes its source through, so a chain printed
//! by `anyhow` or `tracing` never repeats a message.

use crate::parse::ParseError;
use crate::validate::ValidationError;

/// A failed model call, or a reply that could not be trusted.
///
/// ```
/// use llm_core::prelude::*;
///
/// #[derive(Debug, Serialize, Deserialize, JsonSchema, LlmOutput)]
/// struct Score { #[llm(range(min = 0, max = 10))] value: u8 }
///
/// match Score::parse_validated(r#"{"value": 11}"#) {
///     Err(LlmError::Validation(err)) => assert_eq!(err.violations()[0].path().to_string(), "value"),
///     other => panic!("expected a validation error, got {other:?}"),
/// }
/// ```
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum LlmError {
    /// The reply could not be parsed into the requested type.
    #[error(transparent)]
    Parse(#[from] ParseError),
    /// The reply parsed, but broke the type's rules.
    #[error(transparent)]
    Validation(#[from] ValidationError),
}

impl LlmError {
    /// The message that asks a model to correct its answer, for errors a re-ask can fix.
    pub fn reask_message(&self) -> Option<String> {
        match self {
            LlmError::Parse(err) => Some(err.reask_message()),
            LlmError::Validation(err) => Some(err.reask_message()),
        }
    }
}
