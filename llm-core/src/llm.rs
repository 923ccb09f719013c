//! [`Llm`]: the cheap, cloneable handle every `#[llm_fn]` takes first.
//!
//! It holds one [`Provider`], possibly wrapped in [`Layer`]s. It owns no policy of its own: a
//! layer wraps the provider, so it sees every attempt a call makes.

use std::fmt;
use std::sync::Arc;

use crate::LlmError;
use crate::provider::anthropic::Anthropic;
use crate::provider::openai::OpenAi;
use crate::provider::replay::{RECORD_VAR, Record, Replay};
use crate::provider::{ConfigError, Provider, Request, Response};

/// A handle to a model: cheap to clone, shared across tasks.
///
/// ```
/// use llm_core::Llm;
/// use llm_core::provider::openai::OpenAi;
///
/// let llm = Llm::new(OpenAi::new("http://127.0.0.1:8080/v1")?);
/// let copy = llm.clone(); // an `Arc` clone
/// assert_eq!(copy.provider().name(), "openai");
/// # Ok::<(), llm_core::LlmError>(())
/// ```
#[derive(Clone)]
pub struct Llm {
    provider: Arc<dyn Provider>,
}

impl Llm {
    /// A handle to `provider`.
    pub fn new(provider: impl Provider + 'static) -> Self {
        Self {
            provider: Arc::new(provider),
        }
    }

    /// A handle to a shared provider.
    pub fn from_arc(provider: Arc<dyn Provider>) -> Self {
        Self { provider }
    }

    /// A handle configured from the environment.
    ///
    /// | variable | meaning |
    /// | --- | --- |
    /// | `LLM_PROVIDER` | `openai` or `anthropic`; when unset, chosen from the variables below |
    /// | `LLM_BASE_URL` | an OpenAI-compatible endpoint (`http://127.0.0.1:8080/v1` for llama.cpp, Ollama, vLLM); selects `openai` |
    /// | `OPENAI_API_KEY` | key for OpenAI (optional for local servers); selects `openai` |
    /// | `ANTHROPIC_API_KEY` | key for Anthropic; selects `anthropic` when no OpenAI variable is set |
    /// | `ANTHROPIC_BASE_URL` | Anthropic endpoint (default `https://api.anthropic.com`) |
    /// | `LLM_MODEL` | the default model (a function's `model = ".."` overrides it) |
    /// | `LLM_TIMEOUT_SECS` | per-request timeout in seconds (default 60) |
    ///
    /// Fails with [`LlmError::Config`] naming the variable when none is set or one is invalid.
    pub fn from_env() -> Result<Self, LlmError> {
        Self::from_lookup(&|name| std::env::var(name).ok())
    }

    /// [`from_env`](Self::from_env) reading variables through `lookup` instead of the process
    /// environment.
    pub fn from_lookup(lookup: &dyn Fn(&str) -> Option<String>) -> Result<Self, LlmError> {
        let set = |name: &str| lookup(name).is_some_and(|v| !v.trim().is_empty());
        let choice = lookup("LLM_PROVIDER").map(|v| v.trim().to_ascii_lowercase());
        let provider: Arc<dyn Provider> = match choice.as_deref() {
            Some("openai") => Arc::new(OpenAi::from_lookup(lookup)?),
            Some("anthropic") => Arc::new(Anthropic::from_lookup(lookup)?),
            Some(_) => {
                return Err(ConfigError::Invalid {
                    variable: "LLM_PROVIDER",
                    problem: "must be `openai` or `anthropic`".to_owned(),
                }
                .into());
            }
            None if set("LLM_BASE_URL") || set("OPENAI_API_KEY") || set("OPENAI_BASE_URL") => {
                Arc::new(OpenAi::from_lookup(lookup)?)
            }
            None if set("ANTHROPIC_API_KEY") => Arc::new(Anthropic::from_lookup(lookup)?),
            None => {
                return Err(ConfigError::Missing {
                    variable: "LLM_BASE_URL",
                    hint: "set LLM_BASE_URL (an OpenAI-compatible endpoint), OPENAI_API_KEY or ANTHROPIC_API_KEY",
                }
                .into());
            }
        };
        Ok(Self::from_arc(provider))
    }

    /// A live handle from the environment when one is configured there, else one that replays the
    /// recordings in `dir` (see [`replay`](crate::provider::replay)). With a live model and
    /// `LLM_RECORD=1`, every exchange is also recorded into `dir`.
    ///
    /// This is how examples and demos run offline by default and against a real model on demand.
    pub fn from_env_or_replay(dir: impl Into<std::path::PathBuf>) -> Result<Self, LlmError> {
        Self::from_lookup_or_replay(&|name| std::env::var(name).ok(), dir)
    }

    /// [`from_env_or_replay`](Self::from_env_or_replay) reading variables through `lookup`.
    pub fn from_lookup_or_replay(
        lookup: &dyn Fn(&str) -> Option<String>,
        dir: impl Into<std::path::PathBuf>,
    ) -> Result<Self, LlmError> {
        let dir = dir.into();
        let configured = [
            "LLM_PROVIDER",
            "LLM_BASE_URL",
            "OPENAI_BASE_URL",
            "OPENAI_API_KEY",
            "ANTHROPIC_API_KEY",
        ]
        .iter()
        .any(|name| lookup(name).is_some_and(|v| !v.trim().is_empty()));
        if !configured {
            return Ok(Self::new(Replay::new(dir)));
        }
        let live = Self::from_lookup(lookup)?;
        let record = lookup(RECORD_VAR).is_some_and(|v| {
            matches!(v.trim().to_ascii_lowercase().as_str(), "1" | "true" | "yes")
        });
        if record {
            return Ok(Self::new(Record::new(live.provider, dir)));
        }
        Ok(live)
    }

    /// Whether this handle replays recordings instead of calling a model.
    pub fn is_replay(&self) -> bool {
        self.provider.name() == "replay"
    }

    /// This handle with its provider wrapped in `layer`.
    pub fn layer(self, layer: impl Layer) -> Self {
        Self {
            provider: layer.layer(self.provider),
        }
    }

    /// The provider behind this handle, layers included.
    pub fn provider(&self) -> &Arc<dyn Provider> {
        &self.provider
    }

    /// Sends one raw request through the provider and its layers, without parsing or re-asking.
    pub async fn complete(&self, request: &Request) -> Result<Response, LlmError> {
        self.provider.complete(request).await
    }
}

impl fmt::Debug for Llm {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Llm")
            .field("provider", &self.provider)
            .finish()
    }
}

/// Wraps a provider in another that adds behaviour: a policy, a recorder, an observer.
///
/// The analogue of `tower::Layer` for the [`Provider`] boundary.
pub trait Layer {
    /// The provider `inner` with this layer's behaviour around it.
    fn layer(&self, inner: Arc<dyn Provider>) -> Arc<dyn Provider>;
}

impl<F> Layer for F
where
    F: Fn(Arc<dyn Provider>) -> Arc<dyn Provider>,
{
    fn layer(&self, inner: Arc<dyn Provider>) -> Arc<dyn Provider> {
        self(inner)
    }
}
