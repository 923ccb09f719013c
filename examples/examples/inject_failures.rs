//! Forces failures deep inside a routine with the test double `#[llm_fn]` generates, and checks
//! that the routine handles each one. The tests at the bottom are the point: each is a few lines.
//!
//! `cargo run -p examples --example inject_failures` prints the scenarios;
//! `cargo test -p examples --example inject_failures` runs them as tests.

use std::time::Duration;

use llm_core::prelude::*;
use llm_core::provider::ProviderError;
use llm_core::provider::fake::Fake;

/// A refund decision.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema, LlmOutput)]
pub struct Decision {
    /// Whether to refund.
    pub refund: bool,
    /// The amount to refund, never more than the order.
    #[llm(range(min = 0.0, max = 500.0))]
    pub amount: f64,
}

/// Decides on a refund request.
#[llm_fn(prompt = "Decide on this refund request:\n{request}", retries = 1)]
async fn decide_refund(llm: &Llm, request: &str) -> Result<Decision, LlmError>;

/// What the routine reports.
#[derive(Debug, PartialEq)]
pub enum Status {
    /// Refunded automatically.
    Refunded(f64),
    /// Declined automatically.
    Declined,
    /// The model failed; a person will decide. The request was not lost.
    ErrorHandled,
}

/// The routine under test: three calls deep, as in a real service.
pub async fn handle_inbox(llm: &Llm, requests: &[&str]) -> Vec<Status> {
    let mut out = Vec::new();
    for request in requests {
        out.push(handle_request(llm, request).await);
    }
    out
}

async fn handle_request(llm: &Llm, request: &str) -> Status {
    match decide(llm, request).await {
        Ok(Decision {
            refund: true,
            amount,
        }) => Status::Refunded(amount),
        Ok(_) => Status::Declined,
        Err(_) => Status::ErrorHandled,
    }
}

async fn decide(llm: &Llm, request: &str) -> Result<Decision, LlmError> {
    decide_refund(llm, request).await
}

#[tokio::main(flavor = "current_thread")]
async fn main() {
    let scenarios: [(&str, Fake<Decision>); 4] = [
        (
            "a valid answer",
            decide_refund::fake().returns(Decision {
                refund: true,
                amount: 20.0,
            }),
        ),
        (
            "invalid JSON",
            decide_refund::fake().fails_with(LlmError::parse("The LLM returned invalid JSON")),
        ),
        (
            "an amount over the limit, twice",
            decide_refund::fake()
                .returns_raw(r#"{"refund": true, "amount": 9000}"#)
                .returns_raw(r#"{"refund": true, "amount": 9000}"#),
        ),
        (
            "a rate limit",
            decide_refund::fake().fails_with(ProviderError::http(
                "openai",
                429,
                Some("rate_limit_exceeded".into()),
                "Too many requests",
                Some(Duration::from_secs(20)),
            )),
        ),
    ];
    for (name, llm) in scenarios {
        let status = handle_inbox(&llm, &["Order 17 arrived broken."]).await;
        println!("{name:<32} → {status:?}");
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn a_parse_error_deep_in_the_routine_is_handled() {
        let llm =
            decide_refund::fake().fails_with(LlmError::parse("The LLM returned invalid JSON"));
        assert_eq!(
            handle_inbox(&llm, &["Order 17 arrived broken."]).await,
            [Status::ErrorHandled]
        );
    }

    #[tokio::test]
    async fn an_amount_over_the_limit_never_reaches_the_routine() {
        let over = r#"{"refund": true, "amount": 9000}"#;
        let llm = decide_refund::fake().returns_raw(over).returns_raw(over);
        assert_eq!(
            handle_inbox(&llm, &["Refund everything!"]).await,
            [Status::ErrorHandled]
        );
        assert!(
            llm.calls()[1]
                .last_message()
                .contains("amount: must be between 0 and 500 (found 9000)")
        );
    }

    #[tokio::test]
    async fn one_failure_does_not_stop_the_inbox() {
        let llm = decide_refund::fake()
            .returns(Decision {
                refund: true,
                amount: 20.0,
            })
            .fails_with(ProviderError::http("openai", 500, None, "oops", None))
            .returns(Decision {
                refund: false,
                amount: 0.0,
            });
        let statuses = handle_inbox(&llm, &["a", "b", "c"]).await;
        assert_eq!(
            statuses,
            [
                Status::Refunded(20.0),
                Status::ErrorHandled,
                Status::Declined
            ]
        );
        assert_eq!(llm.calls()[1].arg("request"), Some("b"));
    }
}
