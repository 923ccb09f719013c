//! The call path `#[llm_fn]` expands to: build the request, send it, parse, validate, re-ask
//! with the exact error, and return the value with its [`Provenance`].
//!
//! Generated code stays thin: it checks the inputs, renders the template and calls [`run`].
//! Policies (retries of provider errors, rate limits, breakers) live in layers around the
//! provider, so they see every attempt this loop makes; this module re-asks only for replies the
//! model can correct.

mod attempt;

use std::any::TypeId;
use std::borrow::Cow;
use std::collections::HashMap;
use std::sync::{Arc, LazyLock, RwLock};
use std::time::{Duration, Instant};

use serde_json::Value;

pub use attempt::{Attempt, AttemptError, RAW_ATTEMPT_CHARS, Rejected};

use crate::output::LlmOutput;
use crate::parse::{Fix, Parsed};
use crate::prompt::{PromptInfo, Rendered};
use crate::provider::{FinishReason, Message, Mode, Request, Response, ResponseFormat, Usage};
use crate::validate::{Sources, Validator};
use crate::{Llm, LlmError};

/// A value returned by a call, with where it came from.
#[derive(Debug)]
#[non_exhaustive]
pub struct Answer<T> {
    /// The parsed, validated value.
    pub value: T,
    /// How it was obtained.
    pub provenance: Provenance,
}

/// How a value was obtained: which prompt, which model, how many attempts, what was repaired, what
/// it cost.
#[derive(Debug)]
#[non_exhaustive]
pub struct Provenance {
    /// The prompt called.
    pub prompt: &'static PromptInfo,
    /// The provider's name.
    pub provider: String,
    /// The model that gave the accepted answer, as the provider named it.
    pub model: Option<String>,
    /// Every attempt, the accepted one last.
    pub attempts: Vec<Attempt>,
    /// Tokens spent over all attempts.
    pub usage: Usage,
    /// From the first request to the accepted answer.
    pub latency: Duration,
}

impl Provenance {
    /// The fixes the parser applied to the accepted answer.
    pub fn fixes(&self) -> &[Fix] {
        self.attempts.last().map_or(&[], |a| a.fixes.as_slice())
    }

    /// How many replies were needed: 1 when the first was accepted.
    pub fn attempt_count(&self) -> usize {
        self.attempts.len()
    }
}

/// What a type asks of the provider, computed once per type.
struct OutputSpec {
    schema: Arc<Value>,
    instructions: Arc<str>,
    is_text: bool,
}

fn output_spec<T: LlmOutput + 'static>() -> Arc<OutputSpec> {
    static SPECS: LazyLock<RwLock<HashMap<TypeId, Arc<OutputSpec>>>> =
        LazyLock::new(Default::default);
    let id = TypeId::of::<T>();
    if let Some(spec) = SPECS.read().ok().and_then(|m| m.get(&id).cloned()) {
        return spec;
    }
    let schema = T::schema().to_value();
    let is_text = schema.get("type").and_then(Value::as_str) == Some("string")
        && schema.get("enum").is_none()
        && schema.get("const").is_none();
    let spec = Arc::new(OutputSpec {
        instructions: T::format_instructions().into(),
        schema: Arc::new(schema),
        is_text,
    });
    if let Ok(mut map) = SPECS.write() {
        map.insert(id, Arc::clone(&spec));
    }
    spec
}

/// The request for the first attempt of `prompt` with the `rendered` template.
pub fn request<T: LlmOutput + 'static>(prompt: &'static PromptInfo, rendered: Rendered) -> Request {
    let spec = output_spec::<T>();
    let mut text = rendered.text;
    let format = if spec.is_text {
        ResponseFormat::Text
    } else {
        if prompt.mode == Mode::Prompt {
            text.push_str("\n\n");
            text.push_str(&spec.instructions);
        }
        ResponseFormat::Json {
            name: Cow::Borrowed(prompt.name),
            schema: Arc::clone(&spec.schema),
            mode: prompt.mode,
        }
    };
    Request {
        prompt: Some(prompt),
        model: prompt.model.map(Cow::Borrowed),
        system: prompt.system.map(Cow::Borrowed),
        messages: vec![Message::user(text)],
        temperature: prompt.temperature,
        max_tokens: prompt.max_tokens,
        format,
        args: rendered.args,
    }
}

/// Runs a call: sends the request, checks the reply, re-asks up to `prompt.retries` times, and
/// returns the first reply that parses and passes every rule.
///
/// Provider errors are returned as they come (a retry layer handles those it should); a reply
/// that fails to parse, breaks a rule or is cut off is re-asked with the exact error, and when
/// no attempt is left the call fails with [`LlmError::Rejected`] holding every attempt.
pub async fn run<T: LlmOutput + 'static>(
    llm: &Llm,
    prompt: &'static PromptInfo,
    rendered: Rendered,
) -> Result<Answer<T>, LlmError> {
    let started = Instant::now();
    let mut request = request::<T>(prompt, rendered);
    let text_output = matches!(request.format, ResponseFormat::Text);
    let sources = Arc::new(Sources::new(request.args.iter().map(|a| a.value.as_str())));
    let provider = llm.provider();
    let mut attempts = Vec::new();
    let mut number = 0;
    loop {
        number += 1;
        let sent = Instant::now();
        let response = provider.complete(&request).await?;
        let checked = check::<T>(&response, text_output, request.max_tokens, &sources);
        let latency = sent.elapsed();
        match checked {
            Checked::Accepted(parsed) => {
                let mut attempt =
                    Attempt::new(number, response.text, response.usage, response.finish);
                attempt.latency = latency;
                attempt.fixes = parsed.fixes;
                attempts.push(attempt);
                let usage = attempts.iter().map(|a| a.usage).sum();
                return Ok(Answer {
                    value: parsed.value,
                    provenance: Provenance {
                        prompt,
                        provider: provider.name().to_owned(),
                        model: response.model,
                        attempts,
                        usage,
                        latency: started.elapsed(),
                    },
                });
            }
            Checked::Failed(error, fixes) => {
                // The text goes back to the model below; the attempt keeps a copy, cut to size.
                let raw = response.text.clone();
                let mut attempt = Attempt::new(number, raw, response.usage, response.finish);
                attempt.latency = latency;
                attempt.fixes = fixes;
                let reask = error.reask_message();
                attempt.error = Some(error);
                attempts.push(attempt);
                if number > prompt.retries {
                    return Err(LlmError::Rejected(Rejected::new(prompt, attempts)));
                }
                request.messages.push(Message::assistant(response.text));
                request.messages.push(Message::user(reask));
            }
        }
    }
}

/// The outcome of checking one reply.
enum Checked<T> {
    Accepted(Parsed<T>),
    /// The error, and the fixes made before it.
    Failed(AttemptError, Vec<Fix>),
}

/// Parses and validates one reply.
fn check<T: LlmOutput>(
    response: &Response,
    text_output: bool,
    max_tokens: Option<u32>,
    sources: &Arc<Sources>,
) -> Checked<T> {
    let text = response.text.as_str();
    let truncated = || AttemptError::Truncated {
        max_tokens,
        partial: text.to_owned(),
    };
    let cut = response.finish == FinishReason::Length;
    // Free text has no end to check; a rebuilt reply does not show where it was cut.
    if cut && (text_output || response.rebuilt) {
        return Checked::Failed(truncated(), Vec::new());
    }
    let parsed = match T::parse(text) {
        Ok(parsed) => parsed,
        // A cut-off reply that does not parse failed because it was cut off.
        Err(_) if cut => return Checked::Failed(truncated(), Vec::new()),
        Err(err) => return Checked::Failed(AttemptError::Parse(err), Vec::new()),
    };
    // A cut-off reply is accepted only when its JSON was complete before the cut (the model
    // went on talking after it); a value closed by the repairer may be missing its end.
    if cut && parsed.fixes.iter().any(|f| f.kind.is_truncation()) {
        return Checked::Failed(truncated(), parsed.fixes);
    }
    let mut v = Validator::with_sources(Arc::clone(sources));
    parsed.value.validate_in(&mut v);
    match v.finish() {
        Ok(()) => Checked::Accepted(parsed),
        Err(err) => Checked::Failed(AttemptError::Validation(err), parsed.fixes),
    }
}

/// The error for an argument rendered with `{name:json}` that serde cannot serialize.
#[doc(hidden)]
pub fn json_arg_error(
    prompt: &'static str,
    arg: &'static str,
    err: &serde_json::Error,
) -> LlmError {
    let violation = crate::validate::Violation::new(
        crate::path::FieldPath::from(vec![crate::path::PathSegment::Field(arg)]),
        crate::validate::Rule::Custom {
            name: "json",
            message: format!("must serialize to JSON: {err}"),
        },
        None,
    );
    crate::InputError::new(prompt, violation.into()).into()
}
