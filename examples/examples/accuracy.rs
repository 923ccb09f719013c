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

const TASKS: &str = include_str!("../accuracy/tasks.jsonl");

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

// ---------------------------------------------------------------------------------------------
// Model time, and reuse of identical requests
// ---------------------------------------------------------------------------------------------

/// Wraps the provider: adds up the time the model takes, and (when `reuse` is on) answers a
/// request identical on the wire to an earlier one with that one's reply.
///
/// At temperature 0, with llama-server's prompt cache off, the same request gets the same reply
/// (checked: baseline, lenient and the first re-ask attempt got byte-identical replies), so the
/// baseline, `lenient` and the first attempt of `lenient+reask` need one model call between them.
/// A reused reply is charged the time it took when it was first asked, so latencies stay those
/// of the model; its tokens are the real usage the server reported.
#[derive(Debug)]
struct ModelClock {
    inner: Arc<dyn Provider>,
    reuse: bool,
    state: Mutex<ClockState>,
}

#[derive(Debug, Default)]
struct ClockState {
    spent: Duration,
    sent: usize,
    reused: usize,
    replies: HashMap<String, (Response, Duration)>,
}

impl ModelClock {
    fn state(&self) -> std::sync::MutexGuard<'_, ClockState> {
        self.state.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// Model time spent so far.
    fn spent(&self) -> Duration {
        self.state().spent
    }

    /// What the server would see: everything but the prompt's identity, and the schema's name
    /// only when it is sent.
    fn key(request: &Request) -> String {
        let format = match &request.format {
            ResponseFormat::Json {
                mode: Ask::Prompt, ..
            } => "json in the prompt".to_owned(),
            ResponseFormat::Json { name, mode, .. } => format!("{} {name}", mode.as_str()),
            other => format!("{other:?}"),
        };
        format!(
            "{:?}|{:?}|{:?}|{:?}|{:?}|{format}",
            request.model,
            request.system,
            request.messages,
            request.temperature,
            request.max_tokens
        )
    }

    async fn complete_timed(&self, request: &Request) -> Result<Response, LlmError> {
        let key = Self::key(request);
        if self.reuse {
            let mut state = self.state();
            if let Some((response, took)) = state.replies.get(&key).cloned() {
                state.spent += took;
                state.reused += 1;
                return Ok(response);
            }
        }
        let started = Instant::now();
        let response = self.inner.complete(request).await;
        let took = started.elapsed();
        let mut state = self.state();
        state.spent += took;
        state.sent += 1;
        if let Ok(response) = &response {
            state.replies.insert(key, (response.clone(), took));
        }
        response
    }
}

impl Provider for ModelClock {
    fn name(&self) -> &str {
        self.inner.name()
    }

    fn complete<'a>(&'a self, request: &'a Request) -> BoxFuture<'a, Result<Response, LlmError>> {
        Box::pin(self.complete_timed(request))
    }
}

// ---------------------------------------------------------------------------------------------
// Tasks and scoring against gold
// ---------------------------------------------------------------------------------------------

/// One line of `tasks.jsonl`.
#[derive(Debug, Deserialize)]
struct TaskLine {
    id: String,
    kind: Kind,
    text: String,
    gold: Value,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
enum Kind {
    Extraction,
    Classification,
}

impl Kind {
    fn name(self) -> &'static str {
        match self {
            Kind::Extraction => "extraction",
            Kind::Classification => "classification",
        }
    }
}

#[derive(Debug)]
enum Gold {
    Order(Order),
    Triage(Triage),
}

#[derive(Debug)]
struct Task {
    id: String,
    kind: Kind,
    text: String,
    gold: Gold,
}

/// Reads the task set and checks that each gold answer passes its type's rules.
fn load_tasks() -> Result<Vec<Task>, String> {
    let mut tasks: Vec<Task> = Vec::new();
    for (n, line) in TASKS
        .lines()
        .enumerate()
        .filter(|(_, l)| !l.trim().is_empty())
    {
        let at = |e: &dyn std::fmt::Display| format!("tasks.jsonl line {}: {e}", n + 1);
        let line: TaskLine = serde_json::from_str(line).map_err(|e| at(&e))?;
        let sources = Arc::new(Sources::new([line.text.as_str()]));
        let gold = match line.kind {
            Kind::Extraction => {
                let order: Order = serde_json::from_value(line.gold).map_err(|e| at(&e))?;
                rules_pass(&order, &sources).map_err(|e| at(&e))?;
                Gold::Order(order)
            }
            Kind::Classification => {
                let triage: Triage = serde_json::from_value(line.gold).map_err(|e| at(&e))?;
                rules_pass(&triage, &sources).map_err(|e| at(&e))?;
                Gold::Triage(triage)
            }
        };
        if tasks.iter().any(|t| t.id == line.id) {
            return Err(at(&format!("duplicate id {}", line.id)));
        }
        tasks.push(Task {
            id: line.id,
            kind: line.kind,
            text: line.text,
            gold,
        });
    }
    Ok(tasks)
}

/// The rules exactly as a call checks them: grounded values against the call's input.
fn rules_pass<T: LlmOutput>(value: &T, sources: &Arc<Sources>) -> Result<(), ValidationError> {
    let mut v = Validator::with_sources(Arc::clone(sources));
    value.validate_in(&mut v);
    v.finish()
}

/// How an answer compares with the gold one.
#[derive(Debug, Default, Clone)]
struct Score {
    correct: bool,
    /// Classification: category and priority both right. Extraction: same as `correct`.
    strict: bool,
    /// Extraction: vendor, total, currency, items. Classification: category, priority.
    fields: Vec<bool>,
}

const EXTRACTION_FIELDS: [&str; 4] = ["vendor", "total", "currency", "items"];
const CLASSIFICATION_FIELDS: [&str; 2] = ["category", "priority"];

fn score_order(got: &Order, gold: &Order) -> Score {
    let vendor = vendor_key(&got.vendor) == vendor_key(&gold.vendor);
    let total = (got.total - gold.total).abs() < 0.005;
    let currency = got.currency == gold.currency;
    let items = items_match(&got.items, &gold.items);
    let correct = vendor && total && currency && items;
    Score {
        correct,
        strict: correct,
        fields: vec![vendor, total, currency, items],
    }
}

fn score_triage(got: &Triage, gold: &Triage) -> Score {
    let category = got.category == gold.category;
    let priority = got.priority == gold.priority;
    Score {
        correct: category,
        strict: category && priority,
        fields: vec![category, priority],
    }
}

/// Lowercase words of letters and digits, everything else a separator.
fn words(text: &str) -> Vec<String> {
    text.split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
        .map(str::to_lowercase)
        .collect()
}

fn vendor_key(name: &str) -> String {
    let mut w = words(name);
    if w.len() > 1
        && matches!(
            w.last().map(String::as_str),
            Some("ltd" | "co" | "inc" | "llc")
        )
    {
        w.pop();
    }
    w.join(" ")
}

fn item_key(name: &str) -> String {
    let singular = |w: String| match w.strip_suffix('s') {
        Some(stem) if stem.len() > 2 => stem.to_owned(),
        _ => w,
    };
    words(name)
        .into_iter()
        .map(singular)
        .collect::<Vec<_>>()
        .join(" ")
}

/// As many items as the gold, each gold item matched by a different one with the same quantity
/// whose name equals, contains or is contained in the gold name.
fn items_match(got: &[Item], gold: &[Item]) -> bool {
    if got.len() != gold.len() {
        return false;
    }
    let mut used = vec![false; got.len()];
    gold.iter().all(|want| {
        let key = item_key(&want.name);
        let found = got.iter().enumerate().position(|(i, item)| {
            let k = item_key(&item.name);
            !used[i]
                && item.qty == want.qty
                && !k.is_empty()
                && (k.contains(&key) || key.contains(&k))
        });
        found.map(|i| used[i] = true).is_some()
    })
}

// ---------------------------------------------------------------------------------------------
// Running and reporting
// ---------------------------------------------------------------------------------------------

/// One call, measured.
#[derive(Debug)]
struct Outcome {
    kind: Kind,
    mode: Mode,
    /// A value reached the caller.
    typed: bool,
    /// It passed every rule.
    valid: bool,
    /// It passed every rule and matched the gold answer.
    score: Score,
    failure: Option<Failure>,
    attempts: usize,
    usage: Usage,
    latency: Duration,
}

/// `reply` with its value checked against the rules (grounded values against `sources`),
/// scored against the gold answer when it passed, and serialised for the report.
fn checked<T: LlmOutput + Serialize>(
    reply: Reply<T>,
    sources: &Arc<Sources>,
    score: impl FnOnce(&T) -> Score,
) -> (Reply<Value>, bool, Score) {
    let verdict = reply.value.as_ref().map(|v| rules_pass(v, sources));
    let (valid, score) = match (&reply.value, verdict) {
        (Some(v), Some(Ok(()))) => (true, score(v)),
        (_, Some(Err(err))) => {
            let reply = Reply {
                error: Some(err.to_string()),
                ..reply
            };
            return (erase(reply), false, Score::default());
        }
        _ => (false, Score::default()),
    };
    (erase(reply), valid, score)
}

fn erase<T: Serialize>(reply: Reply<T>) -> Reply<Value> {
    Reply {
        value: reply.value.map(|v| json!(v)),
        failure: reply.failure,
        attempts: reply.attempts,
        usage: reply.usage,
        model: reply.model,
        raw: reply.raw,
        error: reply.error,
    }
}

async fn run_one(
    llm: &Llm,
    clock: &ModelClock,
    task: &Task,
    mode: Mode,
) -> (Outcome, Value, Option<String>) {
    let sources = Arc::new(Sources::new([task.text.as_str()]));
    let started = clock.spent();
    let (reply, valid, score) = match &task.gold {
        Gold::Order(gold) => checked(call_extract(llm, mode, &task.text).await, &sources, |v| {
            score_order(v, gold)
        }),
        Gold::Triage(gold) => checked(call_classify(llm, mode, &task.text).await, &sources, |v| {
            score_triage(v, gold)
        }),
    };
    let latency = clock.spent().saturating_sub(started);
    let replies: Vec<Value> = reply
        .raw
        .iter()
        .map(|(text, error)| json!({"text": text, "error": error}))
        .collect();
    let log = json!({
        "id": task.id,
        "kind": task.kind.name(),
        "mode": mode.name(),
        "typed": reply.value.is_some(),
        "valid": valid,
        "correct": score.correct,
        "fields": score.fields,
        "failure": reply.failure.map(Failure::name),
        "error": reply.error,
        "value": reply.value,
        "attempts": reply.attempts,
        "input_tokens": reply.usage.input_tokens,
        "output_tokens": reply.usage.output_tokens,
        "latency_ms": latency.as_millis(),
        "replies": replies,
    });
    let outcome = Outcome {
        kind: task.kind,
        mode,
        typed: reply.value.is_some(),
        valid,
        score,
        failure: reply.failure,
        attempts: reply.attempts,
        usage: reply.usage,
        latency,
    };
    (outcome, log, reply.model)
}

/// Sums over a set of calls.
#[derive(Debug, Default)]
struct Totals {
    calls: usize,
    typed: usize,
    valid: usize,
    correct: usize,
    strict: usize,
    invalid_reached: usize,
    attempts: usize,
    input_tokens: u64,
    output_tokens: u64,
    latency: Duration,
    failures: [usize; 4],
    fields: Vec<usize>,
}

impl Totals {
    fn of<'a>(outcomes: impl IntoIterator<Item = &'a Outcome>) -> Self {
        let mut t = Totals::default();
        for o in outcomes {
            t.calls += 1;
            t.typed += usize::from(o.typed);
            t.valid += usize::from(o.valid);
            t.correct += usize::from(o.score.correct);
            t.strict += usize::from(o.score.strict);
            t.invalid_reached += usize::from(o.typed && !o.valid);
            t.attempts += o.attempts;
            t.input_tokens += o.usage.input_tokens;
            t.output_tokens += o.usage.output_tokens;
            t.latency += o.latency;
            if let Some(f) = o.failure {
                t.failures[Failure::ALL.iter().position(|x| *x == f).unwrap_or(0)] += 1;
            }
            t.fields.resize(t.fields.len().max(o.score.fields.len()), 0);
            for (i, right) in o.score.fields.iter().enumerate() {
                t.fields[i] += usize::from(*right);
            }
        }
        t
    }

    fn share(&self, n: usize) -> String {
        if self.calls == 0 {
            return "-".to_owned();
        }
        format!("{:.1}% ({n})", 100.0 * n as f64 / self.calls as f64)
    }

    fn mean(&self, sum: f64) -> f64 {
        if self.calls == 0 {
            0.0
        } else {
            sum / self.calls as f64
        }
    }

    /// The columns shared by the summary tables.
    fn row(&self) -> String {
        format!(
            "{} | {} | {} | {} | {:.2} | {:.0} ({:.0} + {:.0}) | {:.1} s |",
            self.calls,
            self.share(self.valid),
            self.share(self.correct),
            self.share(self.invalid_reached),
            self.mean(self.attempts as f64),
            self.mean((self.input_tokens + self.output_tokens) as f64),
            self.mean(self.input_tokens as f64),
            self.mean(self.output_tokens as f64),
            self.mean(self.latency.as_secs_f64()),
        )
    }
}

const SUMMARY_HEADER: &str = "calls | typed, passes every rule | also correct vs gold | \
     invalid value reached the caller | avg attempts | avg tokens (in + out) | avg latency |";

/// The Markdown report of `outcomes`.
fn report(outcomes: &[Outcome], modes: &[Mode], header: &str) -> String {
    let kinds = [Kind::Extraction, Kind::Classification];
    let mut out = String::new();
    let _ = writeln!(out, "{header}\n");
    let _ = writeln!(out, "**All tasks**\n\n| mode | {SUMMARY_HEADER}");
    let _ = writeln!(out, "| --- |{}", " ---: |".repeat(7));
    for &mode in modes {
        let t = Totals::of(outcomes.iter().filter(|o| o.mode == mode));
        let _ = writeln!(out, "| {} | {}", mode.describe(), t.row());
    }

    let _ = writeln!(
        out,
        "\n**Per task type**\n\n| task | mode | {SUMMARY_HEADER}"
    );
    let _ = writeln!(out, "| --- | --- |{}", " ---: |".repeat(7));
    for kind in kinds {
        for &mode in modes {
            let t = Totals::of(outcomes.iter().filter(|o| o.mode == mode && o.kind == kind));
            let _ = writeln!(out, "| {} | {} | {}", kind.name(), mode.name(), t.row());
        }
    }

    let _ = write!(out, "\n**How calls ended**\n\n| mode | value returned |");
    for f in Failure::ALL {
        let _ = write!(out, " {} |", f.name());
    }
    let _ = writeln!(out, "\n| --- |{}", " ---: |".repeat(1 + Failure::ALL.len()));
    for &mode in modes {
        let t = Totals::of(outcomes.iter().filter(|o| o.mode == mode));
        let _ = write!(out, "| {} | {} |", mode.name(), t.typed);
        for n in t.failures {
            let _ = write!(out, " {n} |");
        }
        let _ = writeln!(out);
    }

    let _ = write!(
        out,
        "\n**Fields right** (share of calls of the type whose value passed the rules and had the field right)\n\n| mode |"
    );
    for name in EXTRACTION_FIELDS.iter().chain(&CLASSIFICATION_FIELDS) {
        let _ = write!(out, " {name} |");
    }
    let _ = write!(out, " category + priority |");
    let columns = EXTRACTION_FIELDS.len() + CLASSIFICATION_FIELDS.len() + 1;
    let _ = writeln!(out, "\n| --- |{}", " ---: |".repeat(columns));
    for &mode in modes {
        let _ = write!(out, "| {} |", mode.name());
        for (kind, fields) in [
            (Kind::Extraction, EXTRACTION_FIELDS.len()),
            (Kind::Classification, CLASSIFICATION_FIELDS.len()),
        ] {
            let t = Totals::of(outcomes.iter().filter(|o| o.mode == mode && o.kind == kind));
            for i in 0..fields {
                let _ = write!(out, " {} |", t.share(t.fields.get(i).copied().unwrap_or(0)));
            }
            if kind == Kind::Classification {
                let _ = write!(out, " {} |", t.share(t.strict));
            }
        }
        let _ = writeln!(out);
    }
    out
}

fn env(name: &str) -> Option<String> {
    std::env::var(name).ok().filter(|v| !v.trim().is_empty())
}

fn selected_modes() -> Result<Vec<Mode>, String> {
    let Some(list) = env("ACCURACY_MODES") else {
        return Ok(Mode::ALL.to_vec());
    };
    list.split(',')
        .map(|name| {
            let name = name.trim();
            Mode::ALL
                .into_iter()
                .find(|m| m.name() == name)
                .ok_or_else(|| {
                    let known: Vec<_> = Mode::ALL.iter().map(|m| m.name()).collect();
                    format!(
                        "ACCURACY_MODES: unknown mode `{name}` (known: {})",
                        known.join(", ")
                    )
                })
        })
        .collect()
}

/// The first `limit` tasks of each type, in file order.
fn limited(tasks: Vec<Task>) -> Result<Vec<Task>, String> {
    let Some(limit) = env("ACCURACY_LIMIT") else {
        return Ok(tasks);
    };
    let limit: usize = limit
        .trim()
        .parse()
        .map_err(|_| format!("ACCURACY_LIMIT must be a number, not `{limit}`"))?;
    let mut seen = [0usize; 2];
    Ok(tasks
        .into_iter()
        .filter(|t| {
            let n = &mut seen[usize::from(t.kind == Kind::Classification)];
            *n += 1;
            *n <= limit
        })
        .collect())
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
