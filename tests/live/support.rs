//! What the live tests share: the client for the server in `LLM_BASE_URL`, a layer that records
//! every exchange with it, and the checks every call's outcome must pass whatever the model said.

use std::fmt::Debug;
use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration;

use llm_core::call::{Attempt, RAW_ATTEMPT_CHARS, Rejected};
use llm_core::path::excerpt;
use llm_core::prelude::*;
use llm_core::provider::openai::OpenAi;
use llm_core::provider::{
    BoxFuture, FinishReason, Message, Mode, Provider, Request, Response, ResponseFormat, Role,
};
use serde_json::Value;

/// Why a live test fails when no server is configured.
const NO_SERVER: &str = "LLM_BASE_URL is not set: the live suite needs an OpenAI-compatible \
     model server. Run it with scripts/test-live.sh, which starts one with \
     scripts/local-model.sh, or set LLM_BASE_URL=http://127.0.0.1:PORT/v1 yourself.";

/// The per-request time limit unless `LLM_TIMEOUT_SECS` says otherwise: generous, because another
/// client of the same one-slot server (a benchmark) may make a request wait its turn.
const TIMEOUT: Duration = Duration::from_secs(300);

/// The provider for the server in `LLM_BASE_URL`; panics with how to start one when it is unset.
pub(crate) fn provider() -> OpenAi {
    let url = std::env::var("LLM_BASE_URL").unwrap_or_default();
    assert!(!url.trim().is_empty(), "{NO_SERVER}");
    let provider =
        OpenAi::from_env().unwrap_or_else(|err| panic!("LLM_BASE_URL={url} cannot be used: {err}"));
    if std::env::var_os("LLM_TIMEOUT_SECS").is_some() {
        provider
    } else {
        provider.timeout(TIMEOUT)
    }
}

/// A client of the live server that records every request and reply.
pub(crate) struct Live {
    pub(crate) llm: Llm,
    exchanges: Arc<Mutex<Vec<Exchange>>>,
}

/// One request as the provider got it, and what the server answered.
#[derive(Debug, Clone)]
pub(crate) struct Exchange {
    pub(crate) request: Request,
    pub(crate) reply: Result<Response, String>,
}

/// A provider that records each exchange of the provider inside it.
#[derive(Debug)]
struct Recorder {
    inner: Arc<dyn Provider>,
    exchanges: Arc<Mutex<Vec<Exchange>>>,
}

impl Provider for Recorder {
    fn name(&self) -> &str {
        self.inner.name()
    }

    fn complete<'a>(&'a self, request: &'a Request) -> BoxFuture<'a, Result<Response, LlmError>> {
        Box::pin(async move {
            let reply = self.inner.complete(request).await;
            self.exchanges
                .lock()
                .unwrap_or_else(PoisonError::into_inner)
                .push(Exchange {
                    request: request.clone(),
                    reply: reply
                        .as_ref()
                        .map(Clone::clone)
                        .map_err(|e| format!("{e:?}")),
                });
            reply
        })
    }
}

impl Live {
    /// A client of the server in `LLM_BASE_URL`.
    pub(crate) fn new() -> Self {
        Self::on(provider())
    }

    /// A client of `provider`.
    pub(crate) fn on(provider: OpenAi) -> Self {
        let exchanges = Arc::new(Mutex::new(Vec::new()));
        let recorded = Arc::clone(&exchanges);
        let llm = Llm::new(provider).layer(move |inner: Arc<dyn Provider>| {
            Arc::new(Recorder {
                inner,
                exchanges: Arc::clone(&recorded),
            }) as Arc<dyn Provider>
        });
        Self { llm, exchanges }
    }

    /// The exchanges since the last call of this method.
    pub(crate) fn take_exchanges(&self) -> Vec<Exchange> {
        std::mem::take(
            &mut *self
                .exchanges
                .lock()
                .unwrap_or_else(PoisonError::into_inner),
        )
    }

    /// Checks `result`, the outcome of the one call made since the last check, against what the
    /// framework guarantees whatever the model says, and prints a line about it for the log.
    ///
    /// - It is `Ok` with a value that passes `validate()`, or `Rejected` after every attempt the
    ///   prompt allows; any other error from a live local server is a failure.
    /// - There is one attempt per request, numbered from 1, each holding the server's reply text,
    ///   usage and finish reason as they came; only the accepted attempt has no error.
    /// - Tokens were counted: each attempt's prompt, and the call's reply tokens in total.
    /// - Each re-ask is the previous request plus the model's answer and the exact error message.
    /// - Native mode: each reply that was not cut off is JSON (the grammar at work), and the
    ///   prompt carries no format instructions; prompt mode: the prompt ends with them.
    pub(crate) fn check<T: LlmOutput + Debug>(
        &self,
        label: &str,
        result: Result<Answer<T>, LlmError>,
    ) -> Outcome<T> {
        let exchanges = self.take_exchanges();
        let outcome = match result {
            Ok(answer) => {
                if let Err(err) = answer.value.validate() {
                    panic!(
                        "{label}: accepted {:?} breaks its rules: {err}",
                        answer.value
                    );
                }
                let attempts = &answer.provenance.attempts;
                let summed = attempts.iter().fold(0, |n, a| n + a.usage.total());
                assert_eq!(answer.provenance.usage.total(), summed, "{label}: usage");
                assert_eq!(answer.provenance.provider, "openai", "{label}");
                assert!(answer.provenance.model.is_some(), "{label}: no model name");
                let last = attempts.last().expect("an accepted answer has an attempt");
                assert!(
                    last.error.is_none(),
                    "{label}: the accepted attempt has an error"
                );
                Outcome::Accepted(answer)
            }
            Err(LlmError::Rejected(rejected)) => {
                let allowed = rejected.prompt().retries as usize + 1;
                assert_eq!(
                    rejected.attempts().len(),
                    allowed,
                    "{label}: rejected before every attempt was used: {rejected:?}"
                );
                let last = rejected
                    .attempts()
                    .last()
                    .expect("attempts are never empty");
                assert!(
                    last.error.is_some(),
                    "{label}: the last rejected attempt has no error"
                );
                Outcome::Rejected(rejected)
            }
            Err(err) => panic!(
                "{label}: a live call must end as Ok or Rejected, got {err} ({err:?}); \
                 exchanges: {exchanges:#?}"
            ),
        };
        let attempts = outcome.attempts();
        eprintln!("{label}: {}", outcome.summary());
        assert!(!attempts.is_empty(), "{label}: no attempt recorded");
        assert_eq!(
            attempts.len(),
            exchanges.len(),
            "{label}: one attempt per request"
        );
        let mut output_tokens = 0;
        for (i, (attempt, exchange)) in attempts.iter().zip(&exchanges).enumerate() {
            let at = format!("{label}, attempt {}", i + 1);
            let reply = match &exchange.reply {
                Ok(reply) => reply,
                Err(err) => panic!("{at}: the server failed: {err}"),
            };
            assert_eq!(attempt.number as usize, i + 1, "{at}: numbering");
            assert_eq!(
                attempt.raw,
                excerpt(&reply.text, RAW_ATTEMPT_CHARS),
                "{at}: raw"
            );
            assert_eq!(attempt.usage, reply.usage, "{at}: usage");
            assert_eq!(attempt.finish, reply.finish, "{at}: finish reason");
            assert!(attempt.usage.input_tokens > 0, "{at}: no prompt tokens");
            output_tokens += attempt.usage.output_tokens;
            if i + 1 < attempts.len() {
                assert!(attempt.error.is_some(), "{at}: re-asked without an error");
            }
            check_request::<T>(&at, &exchange.request, reply);
            if i > 0 {
                check_reask(&at, &exchanges[i - 1], &attempts[i - 1], &exchange.request);
            }
        }
        assert!(output_tokens > 0, "{label}: no reply tokens counted");
        outcome
    }
}

/// The request of one attempt and its reply, as the request's mode promises.
fn check_request<T: LlmOutput>(at: &str, request: &Request, reply: &Response) {
    let prompt = request
        .messages
        .first()
        .filter(|m| m.role == Role::User)
        .unwrap_or_else(|| panic!("{at}: the conversation does not start with the prompt"));
    let instructions = T::format_instructions();
    match &request.format {
        ResponseFormat::Json {
            mode: Mode::Native, ..
        } => {
            assert!(
                !prompt.content.contains(instructions.trim()),
                "{at}: native mode sent the format instructions too"
            );
            if reply.finish != FinishReason::Length {
                let parsed = serde_json::from_str::<Value>(&reply.text);
                assert!(
                    parsed.is_ok(),
                    "{at}: native mode (a grammar) answered with text that is not JSON: {:?} ({parsed:?})",
                    reply.text
                );
            }
        }
        ResponseFormat::Json {
            mode: Mode::Prompt, ..
        } => assert!(
            prompt.content.ends_with(&instructions),
            "{at}: prompt mode did not end the prompt with the format instructions: {:?}",
            prompt.content
        ),
        ResponseFormat::Text => assert!(
            !prompt.content.contains("Answer with one JSON value"),
            "{at}: a free-text prompt asks for JSON: {:?}",
            prompt.content
        ),
        other => panic!("{at}: unexpected format {other:?}"),
    }
}

/// A re-ask: the previous conversation, the model's answer and the exact error.
fn check_reask(at: &str, previous: &Exchange, failed: &Attempt, request: &Request) {
    let answer = &previous.reply.as_ref().expect("checked before").text;
    let error = failed
        .error
        .as_ref()
        .unwrap_or_else(|| panic!("{at}: re-asked after an accepted attempt"));
    let mut expected: Vec<Message> = previous.request.messages.clone();
    expected.push(Message::assistant(answer.clone()));
    expected.push(Message::user(error.reask_message()));
    assert_eq!(request.messages, expected, "{at}: the re-ask");
    assert_eq!(
        request.system, previous.request.system,
        "{at}: system prompt"
    );
    assert_eq!(request.max_tokens, previous.request.max_tokens, "{at}");
    assert_eq!(request.temperature, previous.request.temperature, "{at}");
}

/// How a call ended, after [`Live::check`].
#[derive(Debug)]
pub(crate) enum Outcome<T> {
    Accepted(Answer<T>),
    Rejected(Rejected),
}

impl<T: Debug> Outcome<T> {
    /// Every attempt, in order.
    pub(crate) fn attempts(&self) -> &[Attempt] {
        match self {
            Outcome::Accepted(answer) => &answer.provenance.attempts,
            Outcome::Rejected(rejected) => rejected.attempts(),
        }
    }

    /// The accepted value.
    pub(crate) fn value(&self) -> Option<&T> {
        match self {
            Outcome::Accepted(answer) => Some(&answer.value),
            Outcome::Rejected(_) => None,
        }
    }

    /// One line for the log: the outcome and each attempt's reply and error.
    fn summary(&self) -> String {
        let head = match self {
            Outcome::Accepted(answer) => format!("Ok({:?})", answer.value),
            Outcome::Rejected(_) => "Rejected".to_owned(),
        };
        let attempts: Vec<String> = self
            .attempts()
            .iter()
            .map(|a| {
                let error = a
                    .error
                    .as_ref()
                    .map_or("accepted".to_owned(), |e| e.to_string());
                format!(
                    "\n    #{} {:.1} s, {:?}, {}+{} tokens: {:?} -> {error}",
                    a.number,
                    a.latency.as_secs_f64(),
                    a.finish,
                    a.usage.input_tokens,
                    a.usage.output_tokens,
                    excerpt(&a.raw, 300)
                )
            })
            .collect();
        format!("{head}{}", attempts.concat())
    }
}

/// Whether `value` occurs in `input`, ignoring case and runs of whitespace: checked here
/// independently of the framework's own `grounded` rule.
pub(crate) fn occurs_in(value: &str, input: &str) -> bool {
    let normalize = |s: &str| {
        s.split_whitespace()
            .collect::<Vec<_>>()
            .join(" ")
            .to_lowercase()
    };
    normalize(input).contains(&normalize(value))
}
