//! OpenAI-compatible chat completions: OpenAI itself, llama.cpp's `llama-server`, Ollama, vLLM.
//!
//! [`OpenAi`] maps a [`Request`] onto `POST {base}/chat/completions` and the reply back onto a
//! [`Response`]. How a structured answer is asked for follows the request's [`Mode`]:
//!
//! - [`Mode::Native`]: `response_format: {"type": "json_schema", ...}` with the schema in the
//!   strict subset ([`StrictSchema`]); llama.cpp turns it into a grammar.
//! - [`Mode::Tool`]: one strict function tool, forced with `tool_choice`; the reply text is the
//!   call's `arguments`.
//! - [`Mode::Prompt`]: no schema in the request; the prompt carries the instructions.
//!
//! A `message.refusal` is a [`ProviderErrorKind::Refusal`](crate::provider::ProviderErrorKind)
//! error; `finish_reason: "length"` is [`FinishReason::Length`], which the call turns into a
//! truncation error holding the partial text. This module does not parse or validate the answer.

mod schema;
mod wire;

use std::fmt;
use std::time::Duration;

use reqwest::header::{AUTHORIZATION, HeaderMap};
use secrecy::SecretString;
use url::Url;

pub use schema::StrictSchema;

use self::wire::{ChatRequest, ChatResponse};
use super::http;
use crate::LlmError;
use crate::provider::{BoxFuture, ConfigError, Provider, Request, Response};
#[cfg(doc)]
use crate::provider::{FinishReason, Mode};

const NAME: &str = "openai";

/// A client for an OpenAI-compatible `/chat/completions` endpoint.
///
/// Cheap to clone: the HTTP client inside is shared. `Debug` shows the endpoint and model, never
/// the key.
///
/// ```
/// use std::time::Duration;
/// use llm_core::provider::openai::OpenAi;
///
/// // llama.cpp's server: no key needed.
/// let local = OpenAi::new("http://127.0.0.1:8080/v1")?
///     .model("smollm2")
///     .timeout(Duration::from_secs(30));
/// assert!(format!("{local:?}").contains("127.0.0.1:8080"));
///
/// // OpenAI: the key is kept as a secret and never printed.
/// let openai = OpenAi::new(OpenAi::DEFAULT_BASE_URL)?.api_key("sk-example");
/// assert!(!format!("{openai:?}").contains("sk-example"));
/// # Ok::<(), llm_core::provider::ConfigError>(())
/// ```
#[derive(Clone)]
pub struct OpenAi {
    http: http::Endpoint,
    completion_tokens: bool,
}

impl OpenAi {
    /// OpenAI's endpoint, the default base URL.
    pub const DEFAULT_BASE_URL: &str = "https://api.openai.com/v1";

    /// The model asked when neither the request nor the configuration names one.
    pub const DEFAULT_MODEL: &str = "gpt-4o-mini";

    /// A client for the endpoint at `base_url` (`https://api.openai.com/v1`,
    /// `http://127.0.0.1:8080/v1`), without a key, with the default model and a 60 s timeout.
    ///
    /// Fails when `base_url` is not an http(s) URL, or the HTTP client cannot be built.
    pub fn new(base_url: impl AsRef<str>) -> Result<Self, ConfigError> {
        Self::at(http::base_url(base_url.as_ref(), "base_url")?, "base_url")
    }

    fn at(base_url: Url, variable: &'static str) -> Result<Self, ConfigError> {
        Ok(Self {
            completion_tokens: base_url.host_str() == Some("api.openai.com"),
            http: http::Endpoint::new(base_url, "chat/completions", variable, Self::DEFAULT_MODEL)?,
        })
    }

    /// Configured from variables read through `lookup`; [`from_env`](Self::from_env) reads the
    /// process environment.
    ///
    /// | variable | meaning |
    /// | --- | --- |
    /// | `LLM_BASE_URL`, then `OPENAI_BASE_URL` | the endpoint (default `https://api.openai.com/v1`) |
    /// | `OPENAI_API_KEY` | the key; required for `api.openai.com`, optional elsewhere |
    /// | `LLM_MODEL` | the default model (default `gpt-4o-mini`) |
    /// | `LLM_TIMEOUT_SECS` | the per-request time limit in seconds (default 60) |
    ///
    /// Errors name the variable, never its value.
    ///
    /// ```
    /// use llm_core::provider::openai::OpenAi;
    /// use llm_core::provider::ConfigError;
    ///
    /// let vars = |name: &str| match name {
    ///     "LLM_BASE_URL" => Some("http://127.0.0.1:8080/v1".to_owned()),
    ///     "LLM_TIMEOUT_SECS" => Some("soon".to_owned()),
    ///     _ => None,
    /// };
    /// let err = OpenAi::from_lookup(&vars).unwrap_err();
    /// assert!(matches!(err, ConfigError::Invalid { variable: "LLM_TIMEOUT_SECS", .. }));
    ///
    /// let err = OpenAi::from_lookup(&|_| None).unwrap_err();
    /// assert!(matches!(err, ConfigError::Missing { variable: "OPENAI_API_KEY", .. }));
    /// ```
    pub fn from_lookup(lookup: &dyn Fn(&str) -> Option<String>) -> Result<Self, ConfigError> {
        let mut client = match http::first_setting(lookup, &["LLM_BASE_URL", "OPENAI_BASE_URL"]) {
            Some((variable, value)) => Self::at(http::base_url(&value, variable)?, variable)?,
            None => Self::new(Self::DEFAULT_BASE_URL)?,
        };
        match http::setting(lookup, "OPENAI_API_KEY") {
            Some(key) => client.http.api_key = Some(http::api_key(key, "OPENAI_API_KEY")?),
            None if client.http.base_url.host_str() == Some("api.openai.com") => {
                return Err(ConfigError::Missing {
                    variable: "OPENAI_API_KEY",
                    hint: "set it to an OpenAI API key, or set LLM_BASE_URL to a local server",
                });
            }
            None => {}
        }
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

    /// Sets the key, sent as `Authorization: Bearer <key>`.
    ///
    /// A key that cannot be sent in a header fails each request with [`LlmError::Config`].
    pub fn api_key(mut self, key: impl Into<String>) -> Self {
        self.http.api_key = Some(SecretString::from(key.into()));
        self
    }

    /// Sets the time limit of each request, from connecting to the end of the reply.
    pub fn timeout(mut self, timeout: Duration) -> Self {
        self.http.timeout = timeout;
        self
    }

    /// Sends the token limit as `max_completion_tokens` (`true`) or as `max_tokens` (`false`).
    ///
    /// OpenAI renamed the field, and its reasoning models refuse the old name; llama.cpp, Ollama
    /// and vLLM read `max_tokens`. The default is `max_completion_tokens` for `api.openai.com`
    /// and `max_tokens` for any other endpoint.
    pub fn max_completion_tokens(mut self, on: bool) -> Self {
        self.completion_tokens = on;
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
        if let Some(key) = &self.http.api_key {
            headers.insert(
                AUTHORIZATION,
                http::secret_header(key, "Bearer ", "OPENAI_API_KEY")?,
            );
        }
        Ok(headers)
    }

    async fn send(&self, request: &Request) -> Result<Response, LlmError> {
        let body = ChatRequest::new(request, &self.http.model, self.completion_tokens);
        let bytes = self.http.post(NAME, self.headers()?).send(&body).await?;
        let key = self.http.api_key.as_ref();
        let expected = "a chat completion";
        let reply: ChatResponse = serde_json::from_slice(&bytes)
            .map_err(|_| http::decode_error(NAME, expected, &bytes, key))?;
        let usage = reply.usage();
        let model = reply.model;
        let Some(choice) = reply.choices.into_iter().next() else {
            return Err(http::decode_error(NAME, expected, &bytes, key));
        };
        if let Some(refusal) = choice.message.refusal.as_deref()
            && !refusal.trim().is_empty()
        {
            return Err(http::refusal(NAME, refusal, key));
        }
        let finish = choice.finish();
        // A server that ignores `tool_choice` may answer in the content: the parser copes.
        let (text, rebuilt) = choice
            .message
            .tool_arguments()
            .or(choice.message.content.map(|text| (text, false)))
            .unwrap_or_default();
        let model = model.unwrap_or_else(|| body.model().to_owned());
        let mut response = Response::text(text)
            .with_usage(usage)
            .with_finish(finish)
            .with_model(model);
        response.rebuilt = rebuilt;
        Ok(response)
    }
}

impl Provider for OpenAi {
    fn name(&self) -> &str {
        NAME
    }

    fn complete<'a>(&'a self, request: &'a Request) -> BoxFuture<'a, Result<Response, LlmError>> {
        Box::pin(self.send(request))
    }
}

impl fmt::Debug for OpenAi {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut d = f.debug_struct("OpenAi");
        self.http.debug_fields(&mut d);
        d.field("max_completion_tokens", &self.completion_tokens)
            .finish_non_exhaustive()
    }
}
