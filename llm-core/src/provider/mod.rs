//! The [`Provider`] trait: the one boundary between this crate and a model.
//!
//! Everything a call sends goes out as one [`Request`] and comes back as one [`Response`] or an
//! [`LlmError`]. The boundary is object-safe and small so that anything can stand behind it: an
//! HTTP client ([`openai`], [`anthropic`]), a scripted fake ([`fake`]), or a layer that wraps
//! another provider (retries, rate limits, recording) and sees every attempt.
//!
//! This module owns the protocol-neutral request and response types. It does not parse model
//! output, validate it or decide on re-asks: that is [`call`](crate::call)'s job.

pub mod anthropic;
mod error;
pub mod fake;
mod http;
pub mod openai;
pub mod replay;

use std::borrow::Cow;
use std::fmt;
use std::future::Future;
use std::ops::{Add, AddAssign};
use std::pin::Pin;
use std::sync::Arc;

use serde_json::Value;

pub use error::{BODY_EXCERPT_CHARS, ConfigError, ProviderError, ProviderErrorKind};

use crate::LlmError;
use crate::prompt::PromptInfo;

/// A boxed, sendable future, the return type of [`Provider::complete`].
pub type BoxFuture<'a, T> = Pin<Box<dyn Future<Output = T> + Send + 'a>>;

/// A model behind one request/response boundary.
///
/// Implement it to put anything behind an [`Llm`](crate::Llm) handle: a provider's HTTP API, a
/// cache, a recording, a layer around another provider.
///
/// ```
/// use llm_core::provider::{BoxFuture, FinishReason, Provider, Request, Response, Usage};
/// use llm_core::LlmError;
///
/// /// Answers every request with the same text.
/// #[derive(Debug)]
/// struct Echo(&'static str);
///
/// impl Provider for Echo {
///     fn name(&self) -> &str {
///         "echo"
///     }
///     fn complete<'a>(&'a self, _request: &'a Request) -> BoxFuture<'a, Result<Response, LlmError>> {
///         Box::pin(async move { Ok(Response::text(self.0)) })
///     }
/// }
/// ```
pub trait Provider: fmt::Debug + Send + Sync {
    /// A short name for logs and provenance: `"openai"`, `"anthropic"`, `"fake"`.
    fn name(&self) -> &str;

    /// Sends one request and returns the model's reply.
    ///
    /// HTTP and protocol failures are [`LlmError::Provider`]; a provider may return any other
    /// [`LlmError`] (a fake does, to inject failures), and the call returns it as is.
    fn complete<'a>(&'a self, request: &'a Request) -> BoxFuture<'a, Result<Response, LlmError>>;
}

impl<P: Provider + ?Sized> Provider for Arc<P> {
    fn name(&self) -> &str {
        (**self).name()
    }

    fn complete<'a>(&'a self, request: &'a Request) -> BoxFuture<'a, Result<Response, LlmError>> {
        (**self).complete(request)
    }
}

/// One request to a model: the conversation so far and how to answer.
#[derive(Debug, Clone, Default)]
#[non_exhaustive]
pub struct Request {
    /// The prompt this request was rendered from, when it comes from an `#[llm_fn]`.
    pub prompt: Option<&'static PromptInfo>,
    /// The model; `None` uses the provider's configured model.
    pub model: Option<Cow<'static, str>>,
    /// The system prompt.
    pub system: Option<Cow<'static, str>>,
    /// The conversation, oldest first; the last message is the user's.
    pub messages: Vec<Message>,
    /// Sampling temperature.
    pub temperature: Option<f32>,
    /// The most tokens the reply may have; `None` uses the provider's default.
    pub max_tokens: Option<u32>,
    /// What shape the reply must have.
    pub format: ResponseFormat,
    /// The values the prompt was rendered from, by parameter name, as they appear in the prompt.
    pub args: Vec<Arg>,
}

impl Request {
    /// A request with one user message and nothing else set.
    pub fn user(text: impl Into<String>) -> Self {
        Self {
            messages: vec![Message::user(text)],
            ..Self::default()
        }
    }

    /// The text of the last user message.
    pub fn last_user_text(&self) -> Option<&str> {
        self.messages
            .iter()
            .rev()
            .find(|m| m.role == Role::User)
            .map(|m| m.content.as_str())
    }
}

/// One rendered argument of a prompt.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Arg {
    /// The parameter's name, or the placeholder's path (`order.id`).
    pub name: &'static str,
    /// The text it rendered to.
    pub value: String,
}

/// One message of a conversation.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Message {
    /// Who wrote it.
    pub role: Role,
    /// Its text.
    pub content: String,
}

impl Message {
    /// A message from the user.
    pub fn user(content: impl Into<String>) -> Self {
        Self {
            role: Role::User,
            content: content.into(),
        }
    }

    /// A message from the model.
    pub fn assistant(content: impl Into<String>) -> Self {
        Self {
            role: Role::Assistant,
            content: content.into(),
        }
    }
}

/// The author of a [`Message`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Role {
    /// The person or program asking.
    User,
    /// The model.
    Assistant,
}

/// What shape a reply must have, and how the provider is asked for it.
#[derive(Debug, Clone, Default)]
#[non_exhaustive]
pub enum ResponseFormat {
    /// Free text.
    #[default]
    Text,
    /// JSON that fits a schema.
    Json {
        /// A name for the schema (the tool or `json_schema` name), `[a-zA-Z0-9_-]`.
        name: Cow<'static, str>,
        /// The canonical schema, as `LlmOutput::schema` produces it; each provider transforms
        /// it to what it accepts.
        schema: Arc<Value>,
        /// How to ask for it.
        mode: Mode,
    },
}

/// How a structured reply is asked for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum Mode {
    /// The provider's native structured output: OpenAI's `response_format` `json_schema` (which
    /// llama.cpp turns into a grammar), Anthropic's forced tool use.
    #[default]
    Native,
    /// A forced tool call whose arguments are the answer.
    Tool,
    /// Only the prompt asks for JSON (the format instructions are appended to it); the request
    /// carries no schema. Works with any endpoint.
    Prompt,
}

impl Mode {
    /// The mode's name as the `mode = "..."` option of `#[llm_fn]` spells it.
    pub fn as_str(self) -> &'static str {
        match self {
            Mode::Native => "native",
            Mode::Tool => "tool",
            Mode::Prompt => "prompt",
        }
    }
}

/// A model's reply.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
#[non_exhaustive]
pub struct Response {
    /// The reply's text; in tool mode, the tool call's arguments as JSON text.
    pub text: String,
    /// The model that answered, as the provider named it.
    pub model: Option<String>,
    /// Tokens spent.
    pub usage: Usage,
    /// Why the model stopped.
    pub finish: FinishReason,
    /// The provider rebuilt `text` from structured data instead of passing on what the model
    /// wrote (Anthropic's tool input arrives parsed and is serialized again), so a reply cut off
    /// at the token limit cannot show where it was cut: the call treats such a reply as
    /// incomplete even when its JSON is closed.
    pub rebuilt: bool,
}

impl Response {
    /// A complete reply with `text` and no usage.
    pub fn text(text: impl Into<String>) -> Self {
        Self {
            text: text.into(),
            ..Self::default()
        }
    }

    /// Sets the usage.
    pub fn with_usage(mut self, usage: Usage) -> Self {
        self.usage = usage;
        self
    }

    /// Sets the finish reason.
    pub fn with_finish(mut self, finish: FinishReason) -> Self {
        self.finish = finish;
        self
    }

    /// Sets the model name.
    pub fn with_model(mut self, model: impl Into<String>) -> Self {
        self.model = Some(model.into());
        self
    }

    /// Marks the text as [`rebuilt`](Self::rebuilt) by the provider.
    pub fn rebuilt(mut self) -> Self {
        self.rebuilt = true;
        self
    }
}

/// Why a model stopped writing.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
#[non_exhaustive]
pub enum FinishReason {
    /// It finished its answer (or its tool call).
    #[default]
    Stop,
    /// It hit the token limit: the reply is cut off.
    Length,
    /// The provider's content filter stopped it.
    ContentFilter,
    /// A reason this crate does not know, as the provider spelled it.
    Other(String),
}

/// Tokens spent on a request, or summed over several.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Hash)]
pub struct Usage {
    /// Tokens in the prompt.
    pub input_tokens: u64,
    /// Tokens in the reply.
    pub output_tokens: u64,
}

impl Usage {
    /// Usage of `input_tokens` in and `output_tokens` out.
    pub const fn new(input_tokens: u64, output_tokens: u64) -> Self {
        Self {
            input_tokens,
            output_tokens,
        }
    }

    /// Input plus output tokens.
    pub const fn total(&self) -> u64 {
        self.input_tokens.saturating_add(self.output_tokens)
    }
}

impl Add for Usage {
    type Output = Usage;

    fn add(self, other: Usage) -> Usage {
        Usage {
            input_tokens: self.input_tokens.saturating_add(other.input_tokens),
            output_tokens: self.output_tokens.saturating_add(other.output_tokens),
        }
    }
}

impl std::iter::Sum for Usage {
    fn sum<I: Iterator<Item = Usage>>(iter: I) -> Usage {
        iter.fold(Usage::default(), Add::add)
    }
}

impl AddAssign for Usage {
    fn add_assign(&mut self, other: Usage) {
        *self = *self + other;
    }
}
