//! Accuracy against a live model: the 44 tasks of `examples/accuracy/tasks.jsonl` (order
//! extraction and ticket classification, with gold answers) sent to the model behind
//! `LLM_BASE_URL` in four modes, each task in every mode:
//!
//! - `baseline`: the request an `#[llm_fn(mode = "prompt")]` sends (format instructions in the
//!   prompt), and the raw reply read with `serde_json::from_str::<T>` alone: what a user without
//!   this crate gets. Its `Ok` values are then checked against the rules, only to count how many
//!   broken ones would have reached the caller.
//! - `lenient`: `#[llm_fn(mode = "prompt", retries = 0)]`: the lenient parser and the rules.
//! - `lenient+reask`: the same with `retries = 2`: a rejected reply is re-asked with its error.
//! - `constrained+reask`: `mode = "native", retries = 2`: the schema goes out as
//!   `response_format: json_schema`, which llama.cpp's server turns into a grammar.
//!
//! Every call uses temperature 0 and at most 300 tokens per reply. For each mode it reports the
//! share of calls that returned a typed value passing every rule, the share that was also right
//! against the gold answer (`examples/accuracy/README.md` defines "right"), the share where a
//! value breaking a rule reached the caller, and average attempts, tokens and latency; then the
//! same per task type, how the calls failed, and per-field accuracy.
//!
//! ```sh
//! export "$(scripts/local-model.sh start)"   # the script prints LLM_BASE_URL=...; export it
//! cargo run --release -p examples --example accuracy
//! scripts/local-model.sh stop
//! ```
//!
//! Settings: `ACCURACY_LIMIT=N` runs only the first N tasks of each type,
//! `ACCURACY_MODES=baseline,lenient,...` a subset of the modes, `ACCURACY_OUT=path` also writes
//! the Markdown report to `path`, `ACCURACY_LOG=path` writes every call (replies included) as JSON
//! Lines. `LLM_TIMEOUT_SECS` defaults to 600 here: a small model on a busy CPU is slow.
//!
//! A request identical on the wire to an earlier one (the baseline's, `lenient`'s and the first
//! attempt of `lenient+reask` are) is answered with the earlier reply, charged the model time and
//! tokens it took then: at temperature 0 the server gives the same reply anyway, and this saves
//! about a third of the model time. `ACCURACY_REUSE=0` sends every request.

use std::collections::HashMap;
use std::fmt::Write as _;
use std::future::Future;
use std::process::ExitCode;
use std::sync::{Arc, Mutex, PoisonError};
use std::time::{Duration, Instant};

use llm_core::call::{self, AttemptError, Rejected};
use llm_core::prelude::*;
use llm_core::prompt::{PromptInfo, Renderer};
use llm_core::provider::{
    BoxFuture, FinishReason, Mode as Ask, Provider, Request, Response, ResponseFormat, Usage,
};
use llm_core::validate::{Sources, Validator};
use serde_json::{Value, json};

mod clock;
mod report;
mod tasks;

use clock::ModelClock;
use report::*;
use tasks::*;

const TASKS: &str = include_str!("../../accuracy/tasks.jsonl");

// ---------------------------------------------------------------------------------------------
// Output types and calls
// ---------------------------------------------------------------------------------------------

/// The currency of an order.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema, LlmOutput)]
#[serde(rename_all = "UPPERCASE")]
pub enum Currency {
    /// US dollars ($).
    Usd,
    /// Euros (€).
    Eur,
    /// Pounds sterling (£).
    Gbp,
}

/// One line of an order.
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema, LlmOutput)]
pub struct Item {
    /// The product, as written in the text.
    #[llm(len(min = 1, max = 60), grounded)]
    pub name: String,
    /// How many were bought.
    #[llm(range(min = 1, max = 1000))]
    pub qty: u32,
}

/// An order, invoice or receipt.
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema, LlmOutput)]
pub struct Order {
    /// The shop or company that sold the goods, as written in the text.
    #[llm(len(min = 2, max = 60), grounded)]
    pub vendor: String,
    /// The total amount paid or due (not a unit price), as written in the text.
    #[llm(range(min = 0.01, max = 100_000.0), grounded)]
    pub total: f64,
    /// The currency of the total.
    pub currency: Currency,
    /// What was bought.
    #[llm(len(min = 1, max = 10))]
    pub items: Vec<Item>,
}

/// What a support ticket is about.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema, LlmOutput)]
#[serde(rename_all = "lowercase")]
pub enum Category {
    /// Charges, refunds, invoices, prices, payment methods.
    Billing,
    /// Something in the product does not work.
    Bug,
    /// Login, password, profile, account security or deletion.
    Account,
    /// Delivery, tracking, damaged or wrong parcels.
    Shipping,
    /// Anything else.
    Other,
}

/// A support ticket, triaged.
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema, LlmOutput)]
pub struct Triage {
    /// What the ticket is about.
    pub category: Category,
    /// How urgent it is: 1 = low, 2 = normal, 3 = urgent.
    #[llm(range(min = 1, max = 3))]
    pub priority: u8,
}

/// Extraction, lenient parser, no re-ask; its request is also the baseline's.
#[llm_fn(
    system = "You extract orders from text. Reply with JSON only.",
    prompt = "Extract the order from this text:\n{text}",
    mode = "prompt",
    retries = 0,
    temperature = 0.0,
    max_tokens = 300
)]
async fn extract_lenient(llm: &Llm, #[llm(len(max = 600))] text: &str) -> Result<Order, LlmError>;

/// Extraction, lenient parser, two re-asks.
#[llm_fn(
    system = "You extract orders from text. Reply with JSON only.",
    prompt = "Extract the order from this text:\n{text}",
    mode = "prompt",
    retries = 2,
    temperature = 0.0,
    max_tokens = 300
)]
async fn extract_reask(llm: &Llm, #[llm(len(max = 600))] text: &str) -> Result<Order, LlmError>;

/// Extraction, schema-constrained decoding, two re-asks.
#[llm_fn(
    system = "You extract orders from text. Reply with JSON only.",
    prompt = "Extract the order from this text:\n{text}",
    mode = "native",
    retries = 2,
    temperature = 0.0,
    max_tokens = 300
)]
async fn extract_constrained(
    llm: &Llm,
    #[llm(len(max = 600))] text: &str,
) -> Result<Order, LlmError>;

/// Classification, lenient parser, no re-ask; its request is also the baseline's.
#[llm_fn(
    system = "You triage customer support tickets. Reply with JSON only.",
    prompt = "Classify this support ticket:\n{text}",
    mode = "prompt",
    retries = 0,
    temperature = 0.0,
    max_tokens = 300
)]
async fn classify_lenient(llm: &Llm, #[llm(len(max = 600))] text: &str)
-> Result<Triage, LlmError>;

/// Classification, lenient parser, two re-asks.
#[llm_fn(
    system = "You triage customer support tickets. Reply with JSON only.",
    prompt = "Classify this support ticket:\n{text}",
    mode = "prompt",
    retries = 2,
    temperature = 0.0,
    max_tokens = 300
)]
async fn classify_reask(llm: &Llm, #[llm(len(max = 600))] text: &str) -> Result<Triage, LlmError>;

/// Classification, schema-constrained decoding, two re-asks.
#[llm_fn(
    system = "You triage customer support tickets. Reply with JSON only.",
    prompt = "Classify this support ticket:\n{text}",
    mode = "native",
    retries = 2,
    temperature = 0.0,
    max_tokens = 300
)]
async fn classify_constrained(
    llm: &Llm,
    #[llm(len(max = 600))] text: &str,
) -> Result<Triage, LlmError>;

// ---------------------------------------------------------------------------------------------
// Modes: one call, whatever came back
// ---------------------------------------------------------------------------------------------

/// How a typed value is obtained from the model.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Mode {
    Baseline,
    Lenient,
    Reask,
    Constrained,
}

impl Mode {
    const ALL: [Mode; 4] = [
        Mode::Baseline,
        Mode::Lenient,
        Mode::Reask,
        Mode::Constrained,
    ];

    fn name(self) -> &'static str {
        match self {
            Mode::Baseline => "baseline",
            Mode::Lenient => "lenient",
            Mode::Reask => "lenient+reask",
            Mode::Constrained => "constrained+reask",
        }
    }

    fn describe(self) -> &'static str {
        match self {
            Mode::Baseline => "baseline (`serde_json` on the raw reply)",
            Mode::Lenient => "lenient parser",
            Mode::Reask => "lenient + re-ask (2)",
            Mode::Constrained => "constrained + lenient + re-ask (2)",
        }
    }
}

/// Why a call gave the caller no value.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Failure {
    /// No JSON, bad JSON, or JSON of the wrong shape.
    Parse,
    /// A value that broke a rule (framework modes only: the baseline does not check).
    Rules,
    /// The reply hit `max_tokens` and its JSON was incomplete.
    CutOff,
    /// The request itself failed.
    Provider,
}

impl Failure {
    const ALL: [Failure; 4] = [
        Failure::Parse,
        Failure::Rules,
        Failure::CutOff,
        Failure::Provider,
    ];

    fn name(self) -> &'static str {
        match self {
            Failure::Parse => "unparsable",
            Failure::Rules => "broke a rule",
            Failure::CutOff => "cut off",
            Failure::Provider => "provider error",
        }
    }
}

/// What one call returned to the caller, and what it cost.
#[derive(Debug)]
struct Reply<T> {
    value: Option<T>,
    /// Why there is no value; for a rejected call, the last attempt's error.
    failure: Option<Failure>,
    attempts: usize,
    usage: Usage,
    model: Option<String>,
    /// Every reply, in order, with its error.
    raw: Vec<(String, Option<String>)>,
    error: Option<String>,
}

impl<T> Reply<T> {
    fn provider_error(err: &LlmError) -> Self {
        Reply {
            value: None,
            failure: Some(Failure::Provider),
            attempts: 0,
            usage: Usage::default(),
            model: None,
            raw: Vec::new(),
            error: Some(err.to_string()),
        }
    }
}

/// The baseline: the request `prompt` would send, and `serde_json::from_str` on the reply.
async fn baseline<T: LlmOutput + 'static>(
    llm: &Llm,
    prompt: &'static PromptInfo,
    text: &str,
) -> Reply<T> {
    let (before, after) = prompt
        .template
        .split_once("{text}")
        .unwrap_or((prompt.template, ""));
    let mut renderer = Renderer::new(prompt.template.len() + text.len());
    renderer.text(before);
    renderer.arg("text", text);
    renderer.text(after);
    let request = call::request::<T>(prompt, renderer.finish());
    let response = match llm.complete(&request).await {
        Ok(response) => response,
        Err(err) => return Reply::provider_error(&err),
    };
    let parsed = serde_json::from_str::<T>(&response.text);
    let failure = match (&parsed, &response.finish) {
        (Ok(_), _) => None,
        (Err(_), FinishReason::Length) => Some(Failure::CutOff),
        (Err(_), _) => Some(Failure::Parse),
    };
    let error = parsed.as_ref().err().map(ToString::to_string);
    Reply {
        value: parsed.ok(),
        failure,
        attempts: 1,
        usage: response.usage,
        model: response.model,
        raw: vec![(response.text, error.clone())],
        error,
    }
}

/// A call through `#[llm_fn]`'s `with_provenance`.
async fn framework<T>(call: impl Future<Output = Result<Answer<T>, LlmError>>) -> Reply<T> {
    match call.await {
        Ok(answer) => {
            let p = answer.provenance;
            Reply {
                raw: p.attempts.iter().map(attempt_raw).collect(),
                value: Some(answer.value),
                failure: None,
                attempts: p.attempt_count(),
                usage: p.usage,
                model: p.model,
                error: None,
            }
        }
        Err(LlmError::Rejected(rejected)) => rejected_reply(&rejected),
        Err(err) => Reply::provider_error(&err),
    }
}

fn rejected_reply<T>(rejected: &Rejected) -> Reply<T> {
    let failure = match rejected.last_error() {
        Some(AttemptError::Validation(_)) => Failure::Rules,
        Some(AttemptError::Truncated { .. }) => Failure::CutOff,
        _ => Failure::Parse,
    };
    Reply {
        value: None,
        failure: Some(failure),
        attempts: rejected.attempts().len(),
        usage: rejected.usage(),
        model: None,
        raw: rejected.attempts().iter().map(attempt_raw).collect(),
        error: rejected.last_error().map(ToString::to_string),
    }
}

fn attempt_raw(a: &call::Attempt) -> (String, Option<String>) {
    (a.raw.clone(), a.error.as_ref().map(ToString::to_string))
}

async fn call_extract(llm: &Llm, mode: Mode, text: &str) -> Reply<Order> {
    match mode {
        Mode::Baseline => baseline(llm, &extract_lenient::PROMPT, text).await,
        Mode::Lenient => framework(extract_lenient::with_provenance(llm, text)).await,
        Mode::Reask => framework(extract_reask::with_provenance(llm, text)).await,
        Mode::Constrained => framework(extract_constrained::with_provenance(llm, text)).await,
    }
}

async fn call_classify(llm: &Llm, mode: Mode, text: &str) -> Reply<Triage> {
    match mode {
        Mode::Baseline => baseline(llm, &classify_lenient::PROMPT, text).await,
        Mode::Lenient => framework(classify_lenient::with_provenance(llm, text)).await,
        Mode::Reask => framework(classify_reask::with_provenance(llm, text)).await,
        Mode::Constrained => framework(classify_constrained::with_provenance(llm, text)).await,
    }
}

async fn run() -> Result<bool, String> {
    if env("LLM_BASE_URL").is_none() {
        return Err(
            "LLM_BASE_URL is not set. Start the local model first:\n\n    \
             export \"$(scripts/local-model.sh start)\"\n\n(it prints LLM_BASE_URL=...; a plain \
             `eval` of it sets the variable without exporting it to cargo), then run this again; \
             `scripts/local-model.sh stop` stops the server."
                .to_owned(),
        );
    }
    let modes = selected_modes()?;
    let tasks = limited(load_tasks()?)?;
    // A small model on a busy CPU can take minutes for a reply of 300 tokens.
    let lookup = |name: &str| match name {
        "LLM_TIMEOUT_SECS" => env(name).or_else(|| Some("600".to_owned())),
        _ => std::env::var(name).ok(),
    };
    let provider = Llm::from_lookup(&lookup).map_err(|e| e.to_string())?;
    let reuse = env("ACCURACY_REUSE").is_none_or(|v| v.trim() != "0");
    let clock = Arc::new(ModelClock {
        inner: Arc::clone(provider.provider()),
        reuse,
        state: Mutex::default(),
    });
    let llm = Llm::from_arc(Arc::clone(&clock) as Arc<dyn Provider>);
    let mut log = match env("ACCURACY_LOG") {
        Some(path) => {
            Some(std::fs::File::create(&path).map_err(|e| format!("ACCURACY_LOG {path}: {e}"))?)
        }
        None => None,
    };

    let total = tasks.len() * modes.len();
    eprintln!(
        "{total} calls: {} tasks x {} modes",
        tasks.len(),
        modes.len()
    );
    let mut outcomes = Vec::with_capacity(total);
    let mut model = None;
    for task in &tasks {
        // Modes interleaved per task, so that a change in machine load hits every mode alike.
        for &mode in &modes {
            let (outcome, line, answered_by) = run_one(&llm, &clock, task, mode).await;
            model = model.or(answered_by);
            eprintln!(
                "[{}/{total}] {} {:<17} {:<14} {} attempt(s), {} tokens, {:.1} s",
                outcomes.len() + 1,
                task.id,
                mode.name(),
                match (outcome.valid, outcome.score.correct, outcome.failure) {
                    (true, true, _) => "valid, correct",
                    (true, false, _) => "valid, wrong",
                    (false, _, None) => "INVALID value",
                    (false, _, Some(f)) => f.name(),
                },
                outcome.attempts,
                outcome.usage.total(),
                outcome.latency.as_secs_f64(),
            );
            if let Some(file) = &mut log {
                use std::io::Write as _;
                writeln!(file, "{line}").map_err(|e| format!("ACCURACY_LOG: {e}"))?;
            }
            outcomes.push(outcome);
        }
    }

    let count = |k: Kind| tasks.iter().filter(|t| t.kind == k).count();
    let (sent, reused) = {
        let state = clock.state();
        (state.sent, state.reused)
    };
    let header = format!(
        "Model `{}`, {} tasks ({} extraction, {} classification), temperature 0, max_tokens \
         300, one call per task and mode. {sent} requests sent to the model; {reused} identical \
         requests answered with the earlier reply{}.",
        model.as_deref().unwrap_or("unknown"),
        tasks.len(),
        count(Kind::Extraction),
        count(Kind::Classification),
        if reuse {
            " (`ACCURACY_REUSE=0` sends them again)"
        } else {
            ""
        },
    );
    let markdown = report(&outcomes, &modes, &header);
    println!("{markdown}");
    if let Some(path) = env("ACCURACY_OUT") {
        std::fs::write(&path, &markdown).map_err(|e| format!("ACCURACY_OUT {path}: {e}"))?;
    }
    // The framework's promise: no value that breaks a rule ever reaches the caller.
    let broken = outcomes
        .iter()
        .filter(|o| o.mode != Mode::Baseline && o.typed && !o.valid)
        .count();
    if broken > 0 {
        eprintln!(
            "{broken} invalid value(s) reached the caller through #[llm_fn]: a framework bug"
        );
    }
    Ok(broken == 0)
}

#[tokio::main(flavor = "current_thread")]
async fn main() -> ExitCode {
    match run().await {
        Ok(true) => ExitCode::SUCCESS,
        Ok(false) => ExitCode::FAILURE,
        Err(message) => {
            eprintln!("accuracy: {message}");
            ExitCode::FAILURE
        }
    }
}
