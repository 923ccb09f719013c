//! Anthropic's Messages API.
//!
//! [`Anthropic`] maps a [`Request`] onto `POST {base}/v1/messages` with `x-api-key` and
//! `anthropic-version` headers, and the reply back onto a [`Response`]. A structured answer, in
//! [`Mode::Native`] and [`Mode::Tool`] alike, is a forced tool call (`tool_choice: {"type":
//! "tool", "name"}`) whose `input_schema` is [`tool_input_schema`]; the reply text is the
//! `tool_use` block's `input` as JSON, marked [`Response::rebuilt`] (Anthropic sends it parsed,
//! so a call cut off mid-input arrives closed and is treated as incomplete). [`Mode::Prompt`]
//! and free text read the text blocks.
//!
//! `stop_reason: "max_tokens"` is [`FinishReason::Length`]; `"refusal"` is a
//! [`ProviderErrorKind::Refusal`](crate::provider::ProviderErrorKind) error. Error bodies carry a
//! type (`rate_limit_error` on 429, `overloaded_error` on 529): both are retryable, and the
//! error's `error_type` tells them apart. This module does not parse or validate the answer.

mod schema;
mod wire;

use std::fmt;
use std::time::Duration;

use reqwest::header::{HeaderMap, HeaderName, HeaderValue};
use secrecy::SecretString;
use url::Url;

pub use schema::tool_input_schema;

use self::wire::{MessagesRequest, MessagesResponse};
use super::http;
use crate::LlmError;
use crate::provider::{BoxFuture, ConfigError, Provider, Request, Response};
#[cfg(doc)]
use crate::provider::{FinishReason, Mode};

const NAME: &str = "anthropic";

/// A client for the Anthropic Messages API.
///
/// Cheap to clone: the HTTP client inside is shared. `Debug` shows the endpoint and model, never
/// the key.
///
/// ```
/// use llm_core::provider::anthropic::Anthropic;
///
/// let claude = Anthropic::new(Anthropic::DEFAULT_BASE_URL)?
///     .api_key("sk-ant-example")
///     .model("claude-haiku-4-5")
///     .max_tokens(1024);
/// assert!(!format!("{claude:?}").contains("sk-ant-example"));
/// # Ok::<(), llm_core::provider::ConfigError>(())
/// ```
#[derive(Clone)]
pub struct Anthropic {
    http: http::Endpoint,
    max_tokens: u32,
}

impl Anthropic {
    /// Anthropic's endpoint, the default base URL (the path `/v1/messages` is appended).
    pub const DEFAULT_BASE_URL: &str = "https://api.anthropic.com";

    /// The model asked when neither the request nor the configuration names one.
    pub const DEFAULT_MODEL: &str = "claude-sonnet-4-5";

    /// The token limit of a request that sets none; the API requires one.
    pub const DEFAULT_MAX_TOKENS: u32 = 4096;

    /// The `anthropic-version` header sent with every request.
    pub const API_VERSION: &str = "2023-06-01";

    /// A client for the endpoint at `base_url` (`https://api.anthropic.com`, or a proxy in front
    /// of it), without a key, with the default model and a 60 s timeout. Set the key with
    /// [`api_key`](Self::api_key): without one, Anthropic answers 401.
    ///
    /// Fails when `base_url` is not an http(s) URL, or the HTTP client cannot be built.
    pub fn new(base_url: impl AsRef<str>) -> Result<Self, ConfigError> {
        Self::at(http::base_url(base_url.as_ref(), "base_url")?, "base_url")
    }

    fn at(base_url: Url, variable: &'static str) -> Result<Self, ConfigError> {
        Ok(Self {
            http: http::Endpoint::new(base_url, "v1/messages", variable, Self::DEFAULT_MODEL)?,
            max_tokens: Self::DEFAULT_MAX_TOKENS,
        })
    }

    /// Configured from variables read through `lookup`; [`from_env`](Self::from_env) reads the
    /// process environment.
    ///
    /// | variable | meaning |
    /// | --- | --- |
    /// | `ANTHROPIC_API_KEY` | the key (required) |
    /// | `ANTHROPIC_BASE_URL` | the endpoint (default `https://api.anthropic.com`) |
    /// | `LLM_MODEL` | the default model (default `claude-sonnet-4-5`) |
    /// | `LLM_TIMEOUT_SECS` | the per-request time limit in seconds (default 60) |
    ///
    /// Errors name the variable, never its value.
    ///
    /// ```
    /// use llm_core::provider::anthropic::Anthropic;
    /// use llm_core::provider::ConfigError;
    ///
    /// let err = Anthropic::from_lookup(&|_| None).unwrap_err();
    /// assert!(matches!(err, ConfigError::Missing { variable: "ANTHROPIC_API_KEY", .. }));
    ///
    /// let vars = |name: &str| match name {
    ///     "ANTHROPIC_API_KEY" => Some("sk-ant-example".to_owned()),
    ///     "ANTHROPIC_BASE_URL" => Some("ftp://example.com".to_owned()),
    ///     _ => None,
    /// };
    /// let err = Anthropic::from_lookup(&vars).unwrap_err();
    /// assert!(matches!(err, ConfigError::Invalid { variable: "ANTHROPIC_BASE_URL", .. }));
    /// ```
    pub fn from_lookup(lookup: &dyn Fn(&str) -> Option<String>) -> Result<Self, ConfigError> {
        let Some(key) = http::setting(lookup, "ANTHROPIC_API_KEY") else {
            return Err(ConfigError::Missing {
                variable: "ANTHROPIC_API_KEY",
                hint: "set it to an Anthropic API key",
            });
        };
        let mut client = match http::setting(lookup, "ANTHROPIC_BASE_URL") {
            Some(value) => Self::at(
                http::base_url(&value, "ANTHROPIC_BASE_URL")?,
                "ANTHROPIC_BASE_URL",
            )?,
            None => Self::new(Self::DEFAULT_BASE_URL)?,
        };
        client.http.api_key = Some(http::api_key(key, "ANTHROPIC_API_KEY")?);
        client.http.read_settings(lookup)?;
        Ok(client)
    }

    /// [`from_lookup`](Self::from_lookup) over the process environment.
    pub fn from_env() -> Result<Self, ConfigError> {
        Self::from_lookup(&|name| std::env::var(name).ok())
    }

    /// Sets the default model, used when a request names none.
    pub fn model(mut self, model: impl Into<String>) -> Self {
        self.http.model = model.into();
        self
    }

    /// Sets the key, sent as `x-api-key`.
    ///
    /// A key that cannot be sent in a header fails each request with [`LlmError::Config`].
    pub fn api_key(mut self, key: impl Into<String>) -> Self {
        self.http.api_key = Some(SecretString::from(key.into()));
        self
    }

    /// Sets the token limit of requests that set none (default
    /// [`DEFAULT_MAX_TOKENS`](Self::DEFAULT_MAX_TOKENS)).
    pub fn max_tokens(mut self, max_tokens: u32) -> Self {
        self.max_tokens = max_tokens;
        self
    }

    /// Sets the time limit of each request, from connecting to the end of the reply.
    pub fn timeout(mut self, timeout: Duration) -> Self {
        self.http.timeout = timeout;
        self
    }

    /// Sends requests with `client` (to share a connection pool, set a proxy or TLS roots). The
    /// provider's [`timeout`](Self::timeout) still applies to each request.
    pub fn http_client(mut self, client: reqwest::Client) -> Self {
        self.http.client = client;
        self
    }

    fn headers(&self) -> Result<HeaderMap, ConfigError> {
        let mut headers = HeaderMap::new();
        headers.insert(
            HeaderName::from_static("anthropic-version"),
            HeaderValue::from_static(Self::API_VERSION),
        );
        if let Some(key) = &self.http.api_key {
            headers.insert(
                HeaderName::from_static("x-api-key"),
                http::secret_header(key, "", "ANTHROPIC_API_KEY")?,
            );
        }
        Ok(headers)
    }

    async fn send(&self, request: &Request) -> Result<Response, LlmError> {
        let body = MessagesRequest::new(request, &self.http.model, self.max_tokens);
        let bytes = self.http.post(NAME, self.headers()?).send(&body).await?;
        let key = self.http.api_key.as_ref();
        let reply: MessagesResponse = serde_json::from_slice(&bytes)
            .map_err(|_| http::decode_error(NAME, "a message", &bytes, key))?;
        if reply.refused() {
            let text = reply.text();
            let message = if text.trim().is_empty() {
                "the model declined to answer (stop_reason: refusal)"
            } else {
                text.as_str()
            };
            return Err(http::refusal(NAME, message, key));
        }
        // Without a tool call (cut off before it began), the text blocks are the reply. A tool
        // call's input arrives parsed: its text is rebuilt, even when the call was cut off.
        let input = body.tool().and_then(|tool| reply.tool_input(tool));
        let rebuilt = input.is_some();
        let text = input.unwrap_or_else(|| reply.text());
        let model = reply
            .model
            .clone()
            .unwrap_or_else(|| body.model().to_owned());
        let mut response = Response::text(text)
            .with_usage(reply.usage())
            .with_finish(reply.finish())
            .with_model(model);
        response.rebuilt = rebuilt;
        Ok(response)
    }
}

impl Provider for Anthropic {
    fn name(&self) -> &str {
        NAME
    }

    fn complete<'a>(&'a self, request: &'a Request) -> BoxFuture<'a, Result<Response, LlmError>> {
        Box::pin(self.send(request))
    }
}

impl fmt::Debug for Anthropic {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut d = f.debug_struct("Anthropic");
        self.http.debug_fields(&mut d);
        d.field("max_tokens", &self.max_tokens)
            .finish_non_exhaustive()
    }
}
