//! Test doubles: a [`FakeProvider`] that plays scripted outcomes, and the typed [`Fake`] every
//! `#[llm_fn]` generates (`my_fn::fake()`).
//!
//! A fake stands where the real provider stands, so a scripted failure travels the same path a
//! real one does: a raw reply goes through the real parser, validator and re-ask loop; an error
//! comes out of the call as the caller would see it. Every request is recorded for assertions.

use std::collections::{HashMap, VecDeque};
use std::fmt;
use std::marker::PhantomData;
use std::ops::Deref;
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};
use std::time::Duration;

use serde::Serialize;

use super::{BoxFuture, FinishReason, Provider, Request, Response, Role, Usage};
use crate::prompt::PromptInfo;
use crate::{Llm, LlmError};

/// One scripted outcome.
#[derive(Debug)]
enum Step {
    Reply(Response),
    Fail(LlmError),
    Delay(Duration),
}

#[derive(Debug, Default)]
struct State {
    /// Outcomes by prompt hash; requests without a prompt use key `None`.
    scripts: HashMap<Option<u64>, VecDeque<Step>>,
    calls: Vec<Request>,
}

/// A provider that answers from a script and records every request.
///
/// Outcomes are scripted per prompt and played in order; a request for a prompt with nothing
/// left fails with [`LlmError::Unscripted`]. Most tests use the typed [`Fake`] instead.
#[derive(Debug, Default)]
pub struct FakeProvider {
    state: Mutex<State>,
}

impl FakeProvider {
    /// A fake with nothing scripted.
    pub fn new() -> Self {
        Self::default()
    }

    fn state(&self) -> MutexGuard<'_, State> {
        // A test that panicked mid-call must not hide the script from the next assertion.
        self.state.lock().unwrap_or_else(PoisonError::into_inner)
    }

    fn push(&self, prompt: Option<&'static PromptInfo>, step: Step) {
        self.state()
            .scripts
            .entry(prompt.map(|p| p.hash))
            .or_default()
            .push_back(step);
    }

    /// Scripts `response` as the next reply to `prompt` (`None`: requests without a prompt).
    pub fn push_reply(&self, prompt: Option<&'static PromptInfo>, response: Response) {
        self.push(prompt, Step::Reply(response));
    }

    /// Scripts `error` as the next outcome for `prompt`.
    pub fn push_error(&self, prompt: Option<&'static PromptInfo>, error: LlmError) {
        self.push(prompt, Step::Fail(error));
    }

    /// Scripts a wait before the next outcome for `prompt`.
    pub fn push_delay(&self, prompt: Option<&'static PromptInfo>, delay: Duration) {
        self.push(prompt, Step::Delay(delay));
    }

    /// Every request received so far, in order.
    pub fn requests(&self) -> Vec<Request> {
        self.state().calls.clone()
    }

    /// How many scripted outcomes are left, over all prompts.
    pub fn remaining(&self) -> usize {
        self.state()
            .scripts
            .values()
            .map(|q| q.iter().filter(|s| !matches!(s, Step::Delay(_))).count())
            .sum()
    }

    fn take_scripts_from(&self, other: &FakeProvider) {
        let taken = std::mem::take(&mut other.state().scripts);
        let mut state = self.state();
        for (key, steps) in taken {
            state.scripts.entry(key).or_default().extend(steps);
        }
    }
}

impl Provider for FakeProvider {
    fn name(&self) -> &str {
        "fake"
    }

    fn complete<'a>(&'a self, request: &'a Request) -> BoxFuture<'a, Result<Response, LlmError>> {
        Box::pin(async move {
            let key = request.prompt.map(|p| p.hash);
            let call = {
                let mut state = self.state();
                state.calls.push(request.clone());
                state
                    .calls
                    .iter()
                    .filter(|r| r.prompt.map(|p| p.hash) == key)
                    .count()
            };
            loop {
                let step = self
                    .state()
                    .scripts
                    .get_mut(&key)
                    .and_then(VecDeque::pop_front);
                match step {
                    Some(Step::Delay(delay)) => tokio::time::sleep(delay).await,
                    Some(Step::Reply(response)) => return Ok(response),
                    Some(Step::Fail(error)) => return Err(error),
                    None => {
                        return Err(LlmError::Unscripted(Unscripted {
                            prompt: request.prompt.map(|p| p.name),
                            call,
                        }));
                    }
                }
            }
        })
    }
}

/// A fake was called more often than outcomes were scripted for it.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error(
    "the fake has no outcome scripted for call {call} of {}; script one with `returns`, `returns_raw` or `fails_with`",
    .prompt.map_or_else(|| "requests without a prompt".to_owned(), |p| format!("`{p}`"))
)]
pub struct Unscripted {
    /// The prompt called, when the request came from an `#[llm_fn]`.
    pub prompt: Option<&'static str>,
    /// Which call to that prompt it was, from 1.
    pub call: usize,
}

/// The typed test double of one `#[llm_fn]`, from `my_fn::fake()`.
///
/// Script outcomes in order, pass it wherever the real handle goes (`&fake` is an `&Llm`), then
/// assert on what it received.
///
/// ```
/// use llm_core::prelude::*;
///
/// #[derive(Debug, Serialize, Deserialize, JsonSchema, LlmOutput)]
/// struct Sentiment {
///     #[llm(range(min = -1.0, max = 1.0))]
///     score: f32,
/// }
///
/// #[llm_fn(prompt = "Rate the sentiment of: {text}", retries = 1)]
/// async fn rate(llm: &Llm, text: &str) -> Result<Sentiment, LlmError>;
///
/// #[tokio::main(flavor = "current_thread")]
/// async fn main() -> Result<(), LlmError> {
///     let llm = rate::fake()
///         .returns_raw("Sure! {\"score\": 7}") // breaks the range rule: re-asked
///         .returns(Sentiment { score: 0.8 });
///     let sentiment = rate(&llm, "Great service!").await?;
///     assert_eq!(sentiment.score, 0.8);
///
///     let calls = llm.calls();
///     assert_eq!(calls.len(), 2);
///     assert_eq!(calls[0].arg("text"), Some("Great service!"));
///     assert!(calls[1].last_message().contains("score: must be between -1 and 1 (found 7)"));
///     Ok(())
/// }
/// ```
pub struct Fake<T> {
    llm: Llm,
    provider: Arc<FakeProvider>,
    prompt: &'static PromptInfo,
    output: PhantomData<fn() -> T>,
}

impl<T> Fake<T> {
    /// A fake for `prompt` with nothing scripted.
    pub fn new(prompt: &'static PromptInfo) -> Self {
        let provider = Arc::new(FakeProvider::new());
        Self {
            llm: Llm::from_arc(Arc::clone(&provider) as Arc<dyn Provider>),
            provider,
            prompt,
            output: PhantomData,
        }
    }

    /// Scripts a raw reply: it goes through the real parser and validator (and is re-asked if it
    /// fails, consuming the next outcome).
    pub fn returns_raw(self, text: impl Into<String>) -> Self {
        self.returns_response(Response::text(text).with_usage(Usage::new(0, 0)))
    }

    /// Scripts a full provider response, to set usage or a finish reason.
    pub fn returns_response(self, response: Response) -> Self {
        self.provider.push_reply(Some(self.prompt), response);
        self
    }

    /// Scripts a reply cut off at the token limit.
    pub fn returns_truncated(self, text: impl Into<String>) -> Self {
        self.returns_response(Response::text(text).with_finish(FinishReason::Length))
    }

    /// Scripts a failure: the call returns `error` as it is. An [`LlmError::Provider`] passes
    /// through the handle's layers like a real one (a retry layer may retry it).
    pub fn fails_with(self, error: impl Into<LlmError>) -> Self {
        self.provider.push_error(Some(self.prompt), error.into());
        self
    }

    /// Waits `delay` before the next outcome (use a paused tokio clock to keep tests fast).
    pub fn delay(self, delay: Duration) -> Self {
        self.provider.push_delay(Some(self.prompt), delay);
        self
    }

    /// Adds another prompt's fake to this one, so one handle answers both.
    pub fn and<U>(self, other: Fake<U>) -> Self {
        self.provider.take_scripts_from(&other.provider);
        self
    }

    /// The requests this fake's prompt received, in order; re-asks included.
    pub fn calls(&self) -> Vec<FakeCall> {
        self.provider
            .requests()
            .into_iter()
            .filter(|r| r.prompt.is_some_and(|p| p.hash == self.prompt.hash))
            .map(|request| FakeCall { request })
            .collect()
    }

    /// Every request the handle received, for any prompt.
    pub fn all_calls(&self) -> Vec<FakeCall> {
        self.provider
            .requests()
            .into_iter()
            .map(|request| FakeCall { request })
            .collect()
    }

    /// How many scripted outcomes were not used.
    pub fn remaining(&self) -> usize {
        self.provider.remaining()
    }

    /// The handle, for code that takes an `Llm` by value.
    pub fn llm(&self) -> Llm {
        self.llm.clone()
    }
}

impl<T: Serialize> Fake<T> {
    /// Scripts a reply holding `value` as JSON; it is parsed and validated like a real reply.
    ///
    /// # Panics
    ///
    /// When `value` cannot be serialized to JSON (a map with non-string keys): a bug in the test.
    pub fn returns(self, value: T) -> Self {
        match serde_json::to_string(&value) {
            Ok(text) => self.returns_raw(text),
            Err(err) => panic!("Fake::returns: the value does not serialize to JSON: {err}"),
        }
    }
}

impl<T> Deref for Fake<T> {
    type Target = Llm;

    fn deref(&self) -> &Llm {
        &self.llm
    }
}

impl<T> fmt::Debug for Fake<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Fake")
            .field("prompt", &self.prompt.name)
            .field("provider", &self.provider)
            .finish()
    }
}

/// One request a fake received.
#[derive(Debug, Clone)]
pub struct FakeCall {
    /// The request as the provider got it.
    pub request: Request,
}

impl FakeCall {
    /// The rendered prompt: the first user message (format instructions included in prompt mode).
    pub fn prompt(&self) -> &str {
        self.request
            .messages
            .iter()
            .find(|m| m.role == Role::User)
            .map_or("", |m| m.content.as_str())
    }

    /// The text the argument `name` rendered to.
    pub fn arg(&self, name: &str) -> Option<&str> {
        self.request
            .args
            .iter()
            .find(|a| a.name == name)
            .map(|a| a.value.as_str())
    }

    /// Whether this request was a re-ask (it carries the model's previous answer).
    pub fn is_reask(&self) -> bool {
        self.request.messages.len() > 1
    }

    /// The last message: the prompt, or for a re-ask the correction sent to the model.
    pub fn last_message(&self) -> &str {
        self.request
            .messages
            .last()
            .map_or("", |m| m.content.as_str())
    }
}
