//! What one attempt of a call produced, and the error that keeps every attempt.

use std::fmt;
use std::time::Duration;

use crate::parse::{Fix, ParseError};
use crate::path::excerpt;
use crate::prompt::PromptInfo;
use crate::provider::{FinishReason, Usage};
use crate::validate::ValidationError;

/// The longest raw reply kept in an [`Attempt`], in characters.
pub const RAW_ATTEMPT_CHARS: usize = 2_000;

/// One request and the reply it got.
#[derive(Debug)]
#[non_exhaustive]
pub struct Attempt {
    /// 1 for the first request, 2 for the first re-ask, ...
    pub number: u32,
    /// The reply's text, cut to [`RAW_ATTEMPT_CHARS`].
    pub raw: String,
    /// Tokens this attempt spent.
    pub usage: Usage,
    /// From sending the request to checking the reply.
    pub latency: Duration,
    /// Why the model stopped.
    pub finish: FinishReason,
    /// Fixes the parser applied to the reply.
    pub fixes: Vec<Fix>,
    /// Why the reply was not accepted; `None` for the accepted one.
    pub error: Option<AttemptError>,
}

impl Attempt {
    /// An attempt whose reply was `raw`, kept whole when it is short enough (no copy), cut to
    /// [`RAW_ATTEMPT_CHARS`] otherwise.
    pub(crate) fn new(number: u32, raw: String, usage: Usage, finish: FinishReason) -> Self {
        // No more bytes than the limit in characters means no more characters either.
        let raw = if raw.len() <= RAW_ATTEMPT_CHARS {
            raw
        } else {
            excerpt(&raw, RAW_ATTEMPT_CHARS)
        };
        Self {
            number,
            raw,
            usage,
            latency: Duration::ZERO,
            finish,
            fixes: Vec::new(),
            error: None,
        }
    }
}

/// Why one reply was not accepted. Each of these is re-asked while attempts remain.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum AttemptError {
    /// The reply could not be parsed into the output type.
    #[error(transparent)]
    Parse(ParseError),
    /// The reply parsed but broke the output type's rules.
    #[error(transparent)]
    Validation(ValidationError),
    /// The model hit its token limit before the answer was complete.
    #[error("{}", truncated_message(*.max_tokens))]
    Truncated {
        /// The token limit of the request, when it set one.
        max_tokens: Option<u32>,
        /// The reply as far as it went.
        partial: String,
    },
}

fn truncated_message(max_tokens: Option<u32>) -> String {
    match max_tokens {
        Some(n) => format!("the reply was cut off at the limit of {n} tokens"),
        None => "the reply was cut off at the token limit".to_owned(),
    }
}

impl AttemptError {
    /// The message that asks the model to correct this reply.
    pub fn reask_message(&self) -> String {
        match self {
            AttemptError::Parse(err) => err.reask_message(),
            AttemptError::Validation(err) => err.reask_message(),
            AttemptError::Truncated { .. } => "Your answer was cut off before it was complete. \
                 Answer again, shorter, with the JSON only and nothing repeated."
                .to_owned(),
        }
    }
}

/// A call that got no acceptable answer: every attempt's reply failed to parse, broke a rule or
/// was cut off. Holds every attempt, so a person can see what the model said each time.
#[derive(Debug)]
pub struct Rejected {
    prompt: &'static PromptInfo,
    attempts: Vec<Attempt>,
}

impl Rejected {
    pub(crate) fn new(prompt: &'static PromptInfo, attempts: Vec<Attempt>) -> Self {
        Self { prompt, attempts }
    }

    /// The prompt that was called.
    pub fn prompt(&self) -> &'static PromptInfo {
        self.prompt
    }

    /// Every attempt, in order; never empty.
    pub fn attempts(&self) -> &[Attempt] {
        &self.attempts
    }

    /// The last attempt's error.
    pub fn last_error(&self) -> Option<&AttemptError> {
        self.attempts.last().and_then(|a| a.error.as_ref())
    }

    /// Tokens spent over all attempts.
    pub fn usage(&self) -> Usage {
        self.attempts.iter().map(|a| a.usage).sum()
    }
}

impl fmt::Display for Rejected {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let n = self.attempts.len();
        write!(
            f,
            "`{}` got no valid answer in {n} attempt{}",
            self.prompt.name,
            if n == 1 { "" } else { "s" }
        )
    }
}

impl std::error::Error for Rejected {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        self.last_error().map(|e| e as _)
    }
}
