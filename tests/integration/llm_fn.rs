//! `#[llm_fn]` end to end through its generated test double: rendering, input rules, parse,
//! validate, grounded values, re-ask, truncation, provenance, prompt identity.

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use crate::support::rejected;
use llm_core::call::AttemptError;
use llm_core::parse::FixKind;
use llm_core::prelude::*;
use llm_core::provider::{
    BoxFuture, Mode, Provider, ProviderError, Request, Response, ResponseFormat, Usage,
};
use llm_core::validate::Rule;

/// A line item.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema, LlmOutput)]
pub(crate) struct Item {
    #[llm(len(min = 1, max = 40))]
    pub(crate) name: String,
    #[llm(range(min = 1))]
    pub(crate) qty: u32,
}

/// An invoice extracted from an email.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema, LlmOutput)]
pub(crate) struct Invoice {
    /// The company that sent the invoice, as written in the email.
    #[llm(grounded)]
    pub(crate) vendor: String,
    #[llm(grounded, range(min = 0.0))]
    pub(crate) total: f64,
    #[llm(len(min = 1))]
    pub(crate) items: Vec<Item>,
}

#[llm_fn(
    system = "You extract invoices.",
    prompt = "Extract the invoice from this email:\n{email}",
    retries = 2,
    temperature = 0.0,
    max_tokens = 300
)]
async fn extract_invoice(
    llm: &Llm,
    #[llm(non_empty, len(max = 2000))] email: &str,
) -> Result<Invoice, LlmError>;

fn invoice() -> Invoice {
    Invoice {
        vendor: "ACME Corp".into(),
        total: 1234.5,
        items: vec![Item {
            name: "bolts".into(),
            qty: 3,
        }],
    }
}

const EMAIL: &str = "Hi, ACME  corp here. Total due: $1,234.50 for 3 bolts.";

// The motivating scenario: a failure forced three calls deep, handled by the routine.
#[derive(Debug, PartialEq)]
enum Status {
    Done,
    ErrorHandled,
}

async fn run_main_process(llm: &Llm) -> Status {
    match process_inbox(llm).await {
        Ok(_) => Status::Done,
        Err(_) => Status::ErrorHandled,
    }
}

async fn process_inbox(llm: &Llm) -> Result<Invoice, LlmError> {
    process_email(llm, EMAIL).await
}

async fn process_email(llm: &Llm, email: &str) -> Result<Invoice, LlmError> {
    extract_invoice(llm, email).await
}

#[tokio::test]
async fn a_forced_parse_error_three_calls_deep_is_handled() {
    let llm = extract_invoice::fake().fails_with(LlmError::parse("The LLM returned invalid JSON"));
    assert_eq!(run_main_process(&llm).await, Status::ErrorHandled);

    let llm = extract_invoice::fake().returns(invoice());
    assert_eq!(run_main_process(&llm).await, Status::Done);
}

#[tokio::test]
async fn a_valid_reply_comes_back_with_its_provenance() {
    let llm = extract_invoice::fake().returns_response(
        Response::text("Sure! ```json\n{\"vendor\": \"ACME Corp\", \"total\": \"$1,234.50\", \"items\": [{\"name\": \"bolts\", \"qty\": 3,}]}\n```")
            .with_usage(Usage::new(120, 40))
            .with_model("smollm2"),
    );
    let answer = extract_invoice::with_provenance(&llm, EMAIL).await.unwrap();
    assert_eq!(answer.value, invoice());
    let provenance = &answer.provenance;
    assert_eq!(provenance.prompt.name, "extract_invoice");
    assert_eq!(provenance.prompt.hash, extract_invoice::PROMPT_HASH);
    assert_eq!(provenance.model.as_deref(), Some("smollm2"));
    assert_eq!(provenance.attempt_count(), 1);
    assert_eq!(provenance.usage, Usage::new(120, 40));
    let kinds: Vec<&FixKind> = provenance.fixes().iter().map(|f| &f.kind).collect();
    assert!(kinds.contains(&&FixKind::ExtractedFromFence), "{kinds:?}");
    assert!(kinds.contains(&&FixKind::TrailingComma), "{kinds:?}");
    assert!(kinds.contains(&&FixKind::StringToNumber), "{kinds:?}");
}

#[tokio::test]
async fn the_request_carries_the_rendered_prompt_and_settings() {
    let llm = extract_invoice::fake().returns(invoice());
    extract_invoice(&llm, EMAIL).await.unwrap();
    let calls = llm.calls();
    let request = &calls[0].request;
    assert_eq!(
        calls[0].prompt(),
        format!("Extract the invoice from this email:\n{EMAIL}")
    );
    assert_eq!(calls[0].arg("email"), Some(EMAIL));
    assert_eq!(request.system.as_deref(), Some("You extract invoices."));
    assert_eq!(request.temperature, Some(0.0));
    assert_eq!(request.max_tokens, Some(300));
    match &request.format {
        ResponseFormat::Json { name, schema, mode } => {
            assert_eq!(name, "extract_invoice");
            assert_eq!(*mode, Mode::Native);
            assert_eq!(
                schema["required"],
                serde_json::json!(["vendor", "total", "items"])
            );
        }
        other => panic!("expected a JSON format, got {other:?}"),
    }
}

#[tokio::test]
async fn a_broken_rule_is_reasked_with_the_exact_error() {
    let bad = r#"{"vendor": "ACME Corp", "total": 1234.5, "items": [{"name": "bolts", "qty": 0}]}"#;
    let llm = extract_invoice::fake().returns_raw(bad).returns(invoice());
    let answer = extract_invoice::with_provenance(&llm, EMAIL).await.unwrap();
    assert_eq!(answer.value, invoice());
    assert_eq!(answer.provenance.attempt_count(), 2);
    let first = &answer.provenance.attempts[0];
    assert!(matches!(first.error, Some(AttemptError::Validation(_))));
    assert_eq!(first.raw, bad);

    let calls = llm.calls();
    assert!(calls[1].is_reask());
    let messages = &calls[1].request.messages;
    assert_eq!(messages[1].content, bad, "the model sees its own answer");
    assert_eq!(
        calls[1].last_message(),
        "Your answer broke these rules:\n- items[0].qty: must be at least 1 (found 0)\n\
         Answer again with corrected JSON only."
    );
}

#[tokio::test]
async fn when_every_attempt_fails_the_error_keeps_them_all() {
    let llm = extract_invoice::fake()
        .returns_response(Response::text("I cannot help with that.").with_usage(Usage::new(10, 5)))
        .returns_response(Response::text("{\"vendor\": 7}").with_usage(Usage::new(20, 5)))
        .returns_response(Response::text("{\"total\": -1}").with_usage(Usage::new(30, 5)));
    let err = extract_invoice(&llm, EMAIL).await.unwrap_err();
    let rejected = rejected(&err);
    assert_eq!(
        err.to_string(),
        "`extract_invoice` got no valid answer in 3 attempts"
    );
    assert_eq!(rejected.attempts().len(), 3);
    assert_eq!(rejected.attempts()[0].raw, "I cannot help with that.");
    assert!(matches!(
        rejected.attempts()[0].error,
        Some(AttemptError::Parse(_))
    ));
    assert_eq!(rejected.usage(), Usage::new(60, 15));
    // The source is the last attempt's error, so a chain printer shows both without repeats.
    let source = std::error::Error::source(&err).unwrap().to_string();
    assert!(
        source.contains("missing required field `vendor`"),
        "{source}"
    );
    assert_eq!(llm.remaining(), 0);
}

#[tokio::test]
async fn arguments_that_break_their_rules_are_rejected_before_any_request() {
    let llm = extract_invoice::fake().returns(invoice());
    let err = extract_invoice(&llm, "   ").await.unwrap_err();
    let LlmError::Input(input) = &err else {
        panic!("expected Input, got {err:?}");
    };
    assert_eq!(input.violations()[0].path().to_string(), "email");
    assert_eq!(input.violations()[0].rule(), &Rule::NonEmpty);
    assert_eq!(
        err.to_string(),
        "arguments of `extract_invoice` rejected before sending: 1 rule violation: email: must not be empty"
    );
    assert!(llm.calls().is_empty(), "nothing may be sent");
    assert_eq!(llm.remaining(), 1);
}

#[tokio::test]
async fn an_answer_that_is_not_in_the_input_is_not_grounded() {
    let mut invented = invoice();
    invented.vendor = "Globex Inc".into();
    invented.total = 999.0;
    let llm = extract_invoice::fake().returns(invented).returns(invoice());
    let answer = extract_invoice::with_provenance(&llm, EMAIL).await.unwrap();
    assert_eq!(
        answer.value.vendor, "ACME Corp",
        "matched ignoring case and spacing"
    );
    let Some(AttemptError::Validation(err)) = &answer.provenance.attempts[0].error else {
        panic!("expected a grounding violation");
    };
    let shown: Vec<String> = err.violations().iter().map(ToString::to_string).collect();
    assert_eq!(
        shown,
        [
            "vendor: must be copied from the input, which does not contain it (found \"Globex Inc\")",
            "total: must be copied from the input, which does not contain it (found 999)",
        ]
    );
}

#[tokio::test]
async fn a_reply_cut_off_mid_json_is_a_typed_truncation() {
    let cut = r#"{"vendor": "ACME Corp", "total": 1234.5, "items": [{"name": "bol"#;
    let llm = extract_invoice::fake()
        .returns_truncated(cut)
        .returns_truncated(cut)
        .returns_truncated(cut);
    let err = extract_invoice(&llm, EMAIL).await.unwrap_err();
    let rejected = rejected(&err);
    match rejected.last_error() {
        Some(AttemptError::Truncated {
            max_tokens,
            partial,
        }) => {
            assert_eq!(*max_tokens, Some(300));
            assert_eq!(partial, cut);
        }
        other => panic!("expected a truncation, got {other:?}"),
    }
    assert!(llm.calls()[1].last_message().contains("cut off"));
}

#[tokio::test]
async fn a_cut_off_reply_whose_json_was_complete_is_accepted() {
    let text = format!(
        "{} And here is some more text that went on until the limit",
        serde_json::to_string(&invoice()).unwrap()
    );
    let llm = extract_invoice::fake().returns_truncated(text);
    assert_eq!(extract_invoice(&llm, EMAIL).await.unwrap(), invoice());
}

#[tokio::test]
async fn provider_errors_come_out_unchanged_and_are_not_reasked() {
    let llm = extract_invoice::fake()
        .fails_with(ProviderError::http(
            "openai",
            429,
            Some("rate_limit_exceeded".into()),
            "slow down",
            Some(Duration::from_secs(2)),
        ))
        .returns(invoice());
    let err = extract_invoice(&llm, EMAIL).await.unwrap_err();
    let LlmError::Provider(provider) = &err else {
        panic!("expected Provider, got {err:?}");
    };
    assert_eq!(provider.status(), Some(429));
    assert_eq!(provider.retry_after(), Some(Duration::from_secs(2)));
    assert!(err.is_retryable());
    assert_eq!(llm.remaining(), 1, "the next outcome is left for a retry");
}

#[tokio::test]
async fn a_fake_called_more_than_scripted_says_so() {
    let llm = extract_invoice::fake();
    let err = extract_invoice(&llm, EMAIL).await.unwrap_err();
    assert_eq!(
        err.to_string(),
        "the fake has no outcome scripted for call 1 of `extract_invoice`; script one with `returns`, `returns_raw` or `fails_with`"
    );
}

#[tokio::test(start_paused = true)]
async fn delays_are_scripted_and_run_on_the_tokio_clock() {
    let llm = extract_invoice::fake()
        .delay(Duration::from_secs(30))
        .returns(invoice());
    let started = tokio::time::Instant::now();
    extract_invoice(&llm, EMAIL).await.unwrap();
    assert!(started.elapsed() >= Duration::from_secs(30));
}

// Placeholders reach fields and format collections.

#[derive(Debug, Serialize)]
struct Order {
    id: u32,
    customer: Customer,
}

#[derive(Debug, Serialize)]
struct Customer {
    name: String,
}

#[llm_fn(
    prompt = "Order {order.id} for {order.customer.name}.\nItems:\n{items}\nTags: {tags:inline}\nRaw: {order:json}\nBraces: {{literal}}",
    mode = "prompt",
    name = "summarize-order",
    version = "3"
)]
async fn summarize_order(
    llm: &Llm,
    order: &Order,
    items: Vec<String>,
    tags: &[&str],
    #[llm(context)] _trace_id: u64,
) -> Result<String, LlmError>;

#[tokio::test]
async fn placeholders_reach_fields_and_format_collections() {
    let llm = summarize_order::fake().returns_raw("  Two items for Ada.  ");
    let order = Order {
        id: 42,
        customer: Customer { name: "Ada".into() },
    };
    let summary = summarize_order(
        &llm,
        &order,
        vec!["bolt".into(), "nut".into()],
        &["rush", "b2b"],
        7,
    )
    .await
    .unwrap();
    assert_eq!(summary, "Two items for Ada.");
    let call = &llm.calls()[0];
    assert_eq!(
        call.prompt(),
        "Order 42 for Ada.\nItems:\n- bolt\n- nut\nTags: rush, b2b\n\
         Raw: {\"id\":42,\"customer\":{\"name\":\"Ada\"}}\nBraces: {literal}"
    );
    assert_eq!(call.arg("order.customer.name"), Some("Ada"));
    assert!(
        matches!(call.request.format, ResponseFormat::Text),
        "free text asks for no JSON"
    );
    assert_eq!(summarize_order::PROMPT.name, "summarize-order");
    assert_eq!(summarize_order::PROMPT.version, Some("3"));
}

#[llm_fn(prompt = "Classify: {text}", mode = "prompt")]
async fn classify_in_prompt_mode(llm: &Llm, text: &str) -> Result<Item, LlmError>;

#[tokio::test]
async fn prompt_mode_appends_the_format_instructions() {
    let llm = classify_in_prompt_mode::fake().returns(Item {
        name: "x".into(),
        qty: 1,
    });
    classify_in_prompt_mode(&llm, "abc").await.unwrap();
    let prompt = llm.calls()[0].prompt().to_owned();
    assert!(prompt.starts_with("Classify: abc\n\n"), "{prompt}");
    assert!(prompt.ends_with(&Item::format_instructions()), "{prompt}");
}

#[llm_fn(prompt_file = "integration/prompts/triage.md", retries = 1)]
async fn triage(llm: &Llm, ticket: &str) -> Result<Item, LlmError>;

#[tokio::test]
async fn a_prompt_file_is_read_at_compile_time() {
    assert_eq!(
        triage::PROMPT.template,
        include_str!("prompts/triage.md"),
        "the template is the file's text"
    );
    let llm = triage::fake().returns(Item {
        name: "refund".into(),
        qty: 1,
    });
    triage(&llm, "I was charged twice").await.unwrap();
    assert!(llm.calls()[0].prompt().contains("I was charged twice"));
}

#[test]
fn every_prompt_is_registered_with_its_hash() {
    let prompts = llm_core::prompt::all();
    let names: Vec<&str> = prompts.iter().map(|p| p.name).collect();
    for name in ["extract_invoice", "summarize-order", "triage"] {
        assert!(names.contains(&name), "{name} missing from {names:?}");
    }
    let found = llm_core::prompt::find("extract_invoice").unwrap();
    assert_eq!(found.hash, extract_invoice::PROMPT_HASH);
    assert_eq!(found.hash_hex().len(), 16);
    assert_eq!(found.output_type, "Invoice");
    assert_eq!(found.fn_path, "integration::llm_fn::extract_invoice");
}

/// The same prompt twice, once with another template and once with another temperature.
mod variants {
    use super::Item;
    use llm_core::prelude::*;

    #[llm_fn(prompt = "Classify: {text}")]
    pub(super) async fn base(llm: &Llm, text: &str) -> Result<Item, LlmError>;

    #[llm_fn(
        prompt = "Classify: {text}",
        name = "renamed",
        version = "9",
        retries = 3
    )]
    pub(super) async fn relabelled(llm: &Llm, text: &str) -> Result<Item, LlmError>;

    #[llm_fn(prompt = "Classify this: {text}")]
    pub(super) async fn reworded(llm: &Llm, text: &str) -> Result<Item, LlmError>;

    #[llm_fn(prompt = "Classify: {text}", temperature = 0.7)]
    pub(super) async fn warmer(llm: &Llm, text: &str) -> Result<Item, LlmError>;

    #[llm_fn(prompt = "Classify: {text}")]
    pub(super) async fn other_output(llm: &Llm, text: &str) -> Result<super::Invoice, LlmError>;

    #[llm_fn(prompt = "Classify: {text}", mode = "prompt")]
    pub(super) async fn prompt_mode(llm: &Llm, text: &str) -> Result<Item, LlmError>;
}

#[test]
fn the_prompt_hash_changes_with_what_the_model_is_asked_only() {
    use variants::*;
    assert_eq!(
        base::PROMPT_HASH,
        relabelled::PROMPT_HASH,
        "name, version, retries"
    );
    assert_ne!(base::PROMPT_HASH, reworded::PROMPT_HASH);
    assert_ne!(base::PROMPT_HASH, warmer::PROMPT_HASH);
    assert_ne!(base::PROMPT_HASH, other_output::PROMPT_HASH);
    assert_ne!(base::PROMPT_HASH, prompt_mode::PROMPT_HASH);
    // Pinned: the hash is a const computed from source text, the same on every machine.
    assert_eq!(format!("{:016x}", base::PROMPT_HASH), "f3ee5f29b0b07c94");
    // In prompt mode the instructions go with the prompt, and `FORMAT_VERSION` with the hash:
    // this pin changes when the version does.
    assert_eq!(
        (
            llm_core::output::FORMAT_VERSION,
            format!("{:016x}", prompt_mode::PROMPT_HASH)
        ),
        (2, "7a3ebb0857146ad5".to_owned())
    );
}

#[tokio::test]
async fn one_handle_can_answer_several_prompts() {
    let llm = extract_invoice::fake()
        .returns(invoice())
        .and(triage::fake().returns(Item {
            name: "refund".into(),
            qty: 1,
        }));
    extract_invoice(&llm, EMAIL).await.unwrap();
    triage(&llm, "ticket").await.unwrap();
    assert_eq!(llm.calls().len(), 1);
    assert_eq!(llm.all_calls().len(), 2);
}

/// A layer that counts the requests passing through it, as a policy or an observer would.
#[derive(Debug)]
struct Counting {
    inner: Arc<dyn Provider>,
    seen: Arc<AtomicUsize>,
}

impl Provider for Counting {
    fn name(&self) -> &str {
        self.inner.name()
    }

    fn complete<'a>(&'a self, request: &'a Request) -> BoxFuture<'a, Result<Response, LlmError>> {
        self.seen.fetch_add(1, Ordering::SeqCst);
        self.inner.complete(request)
    }
}

#[tokio::test]
async fn a_layer_sees_every_attempt_including_reasks() {
    let fake = extract_invoice::fake()
        .returns_raw("no JSON here")
        .returns(invoice());
    let seen = Arc::new(AtomicUsize::new(0));
    let counter = Arc::clone(&seen);
    let llm = fake.llm().layer(move |inner| {
        Arc::new(Counting {
            inner,
            seen: Arc::clone(&counter),
        }) as Arc<dyn Provider>
    });
    extract_invoice(&llm, EMAIL).await.unwrap();
    assert_eq!(seen.load(Ordering::SeqCst), 2);
    assert_eq!(fake.calls().len(), 2);
}
