//! Limits: a reply cut off by `max_tokens` and a request over its time limit end as typed errors.

use std::time::Duration;

use llm_core::call::AttemptError;
use llm_core::prelude::*;
use llm_core::provider::{FinishReason, ProviderErrorKind};

use crate::extraction::{INVOICES, Invoice};
use crate::support::{Live, Outcome, provider};

#[llm_fn(
    system = "You extract invoices from text.",
    prompt = "Extract the invoice from this text:\n{text}",
    mode = "native",
    retries = 0,
    temperature = 0.0,
    max_tokens = 8
)]
async fn extract_short_native(llm: &Llm, text: &str) -> Result<Invoice, LlmError>;

#[llm_fn(
    system = "You extract invoices from text.",
    prompt = "Extract the invoice from this text:\n{text}",
    mode = "prompt",
    retries = 0,
    temperature = 0.0,
    max_tokens = 8
)]
async fn extract_short_prompt(llm: &Llm, text: &str) -> Result<Invoice, LlmError>;

/// Eight tokens cannot hold an invoice: the call is rejected as truncated, with the partial
/// reply; or, if the model somehow finished, its JSON was complete.
fn check_truncated(label: &str, outcome: &Outcome<Invoice>) {
    let attempt = &outcome.attempts()[0];
    match outcome {
        Outcome::Rejected(rejected) => {
            assert_eq!(
                attempt.finish,
                FinishReason::Length,
                "{label}: {rejected:#?}"
            );
            match rejected.last_error() {
                Some(AttemptError::Truncated {
                    max_tokens,
                    partial,
                }) => {
                    assert_eq!(*max_tokens, Some(8), "{label}");
                    assert_eq!(partial, &attempt.raw, "{label}: the partial reply");
                }
                other => panic!("{label}: expected a truncation, got {other:?}"),
            }
        }
        Outcome::Accepted(_) => assert!(
            serde_json::from_str::<serde_json::Value>(&attempt.raw).is_ok(),
            "{label}: accepted a reply whose JSON is incomplete: {:?}",
            attempt.raw
        ),
    }
}

#[tokio::test]
#[ignore = "needs a live model: scripts/test-live.sh"]
async fn a_reply_cut_by_max_tokens_is_a_typed_truncation() {
    let live = Live::new();
    let result = extract_short_native::with_provenance(&live.llm, INVOICES[0]).await;
    check_truncated("native, 8 tokens", &live.check("native, 8 tokens", result));
    let result = extract_short_prompt::with_provenance(&live.llm, INVOICES[0]).await;
    check_truncated("prompt, 8 tokens", &live.check("prompt, 8 tokens", result));
}

#[tokio::test]
#[ignore = "needs a live model: scripts/test-live.sh"]
async fn a_request_over_its_time_limit_is_a_retryable_timeout() {
    let live = Live::on(provider().timeout(Duration::from_millis(1)));
    let err = extract_short_native(&live.llm, INVOICES[0])
        .await
        .expect_err("no reply within 1 ms");
    let LlmError::Provider(provider_err) = &err else {
        panic!("expected a provider timeout, got {err:?}");
    };
    assert!(
        matches!(provider_err.kind(), ProviderErrorKind::Timeout { .. }),
        "expected a timeout, got {provider_err:?}"
    );
    assert!(err.is_retryable(), "a timeout is retryable: {err:?}");
    assert_eq!(
        live.take_exchanges().len(),
        1,
        "a provider error is not re-asked"
    );
}
