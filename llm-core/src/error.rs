//! [`LlmError`]: every way a model call can fail, as one typed error.
//!
//! Each variant wraps a small error type with structured fields; none is a `String` catch-all.
//! `LlmError` displays as the error it wraps and passes its source through, so a chain printed
//! by `anyhow` or `tracing` never repeats a message.

use std::fmt;

use crate::call::Rejected;
use crate::parse::{ParseError, ParseErrorKind};
use crate::provider::fake::Unscripted;
use crate::provider::replay::{NotRecorded, RecordingError};
use crate::provider::{ConfigError, ProviderError};
use crate::validate::{ValidationError, Violation};

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
    /// A call got no acceptable reply in all its attempts; holds every attempt.
    #[error(transparent)]
    Rejected(#[from] Rejected),
    /// The provider failed: an HTTP error, a timeout, a refusal, an unreadable reply.
    #[error(transparent)]
    Provider(#[from] ProviderError),
    /// A call's arguments broke their rules; nothing was sent.
    #[error(transparent)]
    Input(#[from] InputError),
    /// The client is not configured.
    #[error(transparent)]
    Config(#[from] ConfigError),
    /// A test double was called more often than it was scripted for.
    #[error(transparent)]
    Unscripted(#[from] Unscripted),
    /// A replayed request has no recorded reply.
    #[error(transparent)]
    NotRecorded(#[from] NotRecorded),
    /// A recording file could not be read or written.
    #[error(transparent)]
    Recording(#[from] RecordingError),
}

impl LlmError {
    /// A parse error for the reply `raw`, as if no JSON had been found in it; for tests that
    /// inject a parse failure (`my_fn::fake().fails_with(LlmError::parse("..."))`).
    pub fn parse(raw: &str) -> Self {
        LlmError::Parse(ParseError::new(ParseErrorKind::NoJson, raw))
    }

    /// The message that asks a model to correct its answer, for errors a re-ask can fix.
    pub fn reask_message(&self) -> Option<String> {
        match self {
            LlmError::Parse(err) => Some(err.reask_message()),
            LlmError::Validation(err) => Some(err.reask_message()),
            LlmError::Rejected(err) => err.last_error().map(|e| e.reask_message()),
            _ => None,
        }
    }

    /// Whether the same call may succeed if sent again: a retryable provider error (429, 5xx,
    /// timeout). Replies the model can correct are re-asked inside the call, not retried.
    pub fn is_retryable(&self) -> bool {
        matches!(self, LlmError::Provider(err) if err.is_retryable())
    }
}

/// Arguments of a call that broke their `#[llm(...)]` rules; nothing was sent.
///
/// Each violation's path starts with the parameter's name.
#[derive(Debug, Clone, PartialEq)]
pub struct InputError {
    prompt: &'static str,
    violations: ValidationError,
}

impl InputError {
    /// The error for `prompt`'s arguments.
    pub fn new(prompt: &'static str, violations: ValidationError) -> Self {
        Self { prompt, violations }
    }

    /// The prompt whose arguments were rejected.
    pub fn prompt(&self) -> &'static str {
        self.prompt
    }

    /// Every broken rule; each path starts with the parameter's name.
    pub fn violations(&self) -> &[Violation] {
        self.violations.violations()
    }
}

impl fmt::Display for InputError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "arguments of `{}` rejected before sending: {}",
            self.prompt, self.violations
        )
    }
}

impl std::error::Error for InputError {}
