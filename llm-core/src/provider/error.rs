//! [`ProviderError`]: a request that did not come back with a usable reply.
//!
//! Built from HTTP statuses, provider error bodies and transport failures. Nothing here ever holds
//! an API key: errors are made from responses and URLs without credentials in them.

use std::fmt;
use std::time::Duration;

use crate::path::excerpt;

/// The longest provider message or body excerpt kept in an error, in characters.
pub const BODY_EXCERPT_CHARS: usize = 500;

/// A provider request that failed.
#[derive(Debug)]
pub struct ProviderError {
    provider: &'static str,
    kind: ProviderErrorKind,
}

/// What made a [`ProviderError`].
#[derive(Debug)]
#[non_exhaustive]
pub enum ProviderErrorKind {
    /// The provider answered with an error status.
    Http {
        /// The HTTP status.
        status: u16,
        /// The provider's error type (`rate_limit_error`, `overloaded_error`,
        /// `invalid_request_error`), when the body had one.
        error_type: Option<String>,
        /// The provider's message, or the start of the body when it had no message.
        message: String,
        /// How long the provider asked to wait, from `retry-after-ms` or `retry-after`.
        retry_after: Option<Duration>,
    },
    /// The request did not complete: connection refused or reset, DNS, TLS.
    Transport {
        /// The client's error, without the URL.
        source: reqwest::Error,
    },
    /// No reply within the time limit.
    Timeout {
        /// The limit, when known.
        after: Option<Duration>,
    },
    /// The reply was not the JSON the protocol promises.
    Decode {
        /// What was expected (`"a chat completion"`, `"a tool_use block"`).
        expected: &'static str,
        /// The start of the body.
        body: String,
    },
    /// The model refused to answer.
    Refusal {
        /// The model's explanation.
        message: String,
    },
}

impl ProviderError {
    /// An error from `provider` (`"openai"`, `"anthropic"`).
    pub fn new(provider: &'static str, kind: ProviderErrorKind) -> Self {
        Self { provider, kind }
    }

    /// An HTTP error status with the provider's error type and message.
    pub fn http(
        provider: &'static str,
        status: u16,
        error_type: Option<String>,
        message: &str,
        retry_after: Option<Duration>,
    ) -> Self {
        Self::new(
            provider,
            ProviderErrorKind::Http {
                status,
                error_type,
                message: excerpt(message, BODY_EXCERPT_CHARS),
                retry_after,
            },
        )
    }

    /// A reply body that is not what the protocol promises.
    pub fn decode(provider: &'static str, expected: &'static str, body: &str) -> Self {
        Self::new(
            provider,
            ProviderErrorKind::Decode {
                expected,
                body: excerpt(body, BODY_EXCERPT_CHARS),
            },
        )
    }

    /// A transport failure; a timeout when the client says so.
    pub fn transport(provider: &'static str, source: reqwest::Error) -> Self {
        if source.is_timeout() {
            return Self::new(provider, ProviderErrorKind::Timeout { after: None });
        }
        Self::new(
            provider,
            ProviderErrorKind::Transport {
                source: source.without_url(),
            },
        )
    }

    /// Which provider failed.
    pub fn provider(&self) -> &'static str {
        self.provider
    }

    /// What went wrong.
    pub fn kind(&self) -> &ProviderErrorKind {
        &self.kind
    }

    /// The HTTP status, for an error status.
    pub fn status(&self) -> Option<u16> {
        match &self.kind {
            ProviderErrorKind::Http { status, .. } => Some(*status),
            _ => None,
        }
    }

    /// How long the provider asked to wait before trying again.
    pub fn retry_after(&self) -> Option<Duration> {
        match &self.kind {
            ProviderErrorKind::Http { retry_after, .. } => *retry_after,
            _ => None,
        }
    }

    /// Whether sending the same request again may succeed: rate limits (429), overload (529),
    /// server errors (5xx), 408, timeouts and transport failures. Never 400, 401, 403, 404 or
    /// 422, and never a refusal or an undecodable body.
    pub fn is_retryable(&self) -> bool {
        match &self.kind {
            ProviderErrorKind::Http { status, .. } => {
                matches!(status, 408 | 409 | 425 | 429) || *status >= 500
            }
            ProviderErrorKind::Transport { .. } | ProviderErrorKind::Timeout { .. } => true,
            ProviderErrorKind::Decode { .. } | ProviderErrorKind::Refusal { .. } => false,
        }
    }
}

impl fmt::Display for ProviderError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let provider = self.provider;
        match &self.kind {
            ProviderErrorKind::Http {
                status,
                error_type,
                message,
                retry_after,
            } => {
                write!(f, "{provider} returned HTTP {status}")?;
                if let Some(error_type) = error_type {
                    write!(f, " ({error_type})")?;
                }
                if !message.is_empty() {
                    write!(f, ": {message}")?;
                }
                if let Some(wait) = retry_after {
                    write!(f, "; retry after {:.3} s", wait.as_secs_f64())?;
                }
                Ok(())
            }
            ProviderErrorKind::Transport { .. } => write!(f, "request to {provider} failed"),
            ProviderErrorKind::Timeout { after: Some(after) } => write!(
                f,
                "{provider} did not answer within {:.3} s",
                after.as_secs_f64()
            ),
            ProviderErrorKind::Timeout { after: None } => {
                write!(f, "{provider} did not answer in time")
            }
            ProviderErrorKind::Decode { expected, body } => write!(
                f,
                "{provider} sent a reply that is not {expected}: {body:?}"
            ),
            ProviderErrorKind::Refusal { message } => {
                write!(f, "the model refused to answer: {message}")
            }
        }
    }
}

impl std::error::Error for ProviderError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match &self.kind {
            ProviderErrorKind::Transport { source } => Some(source),
            _ => None,
        }
    }
}

/// A provider that cannot be configured: a missing or invalid setting.
///
/// Names the setting, never its value (it may be a key).
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ConfigError {
    /// A required setting is not set.
    #[error("{variable} is not set: {hint}")]
    Missing {
        /// The environment variable or setting.
        variable: &'static str,
        /// What to set it to.
        hint: &'static str,
    },
    /// A setting has a value that cannot be used.
    #[error("{variable} is invalid: {problem}")]
    Invalid {
        /// The environment variable or setting.
        variable: &'static str,
        /// What is wrong with it (never the value itself).
        problem: String,
    },
    /// The HTTP client could not be built.
    #[error("the HTTP client could not be built")]
    Client(#[source] reqwest::Error),
}
