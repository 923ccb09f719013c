//! Classification into an enum, in native and prompt mode.

use llm_core::prelude::*;

use crate::support::{Live, Outcome};

/// How the customer feels about the product.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema, LlmOutput)]
#[serde(rename_all = "lowercase")]
pub(crate) enum Sentiment {
    Positive,
    Negative,
    Neutral,
}

#[llm_fn(
    system = "You classify product reviews.",
    prompt = "What is the sentiment of this review?\n{review}",
    mode = "native",
    retries = 0,
    temperature = 0.0,
    max_tokens = 60
)]
async fn classify_native(llm: &Llm, review: &str) -> Result<Sentiment, LlmError>;

#[llm_fn(
    system = "You classify product reviews.",
    prompt = "What is the sentiment of this review?\n{review}",
    mode = "prompt",
    retries = 1,
    temperature = 0.0,
    max_tokens = 60
)]
async fn classify_prompt(llm: &Llm, review: &str) -> Result<Sentiment, LlmError>;

const REVIEWS: [&str; 3] = [
    "I love this kettle, it boils fast and looks great. Best purchase this year!",
    "Broke after two days and support never answered. Terrible, do not buy.",
    "It is a kettle. It heats water.",
];

#[tokio::test]
#[ignore = "needs a live model: scripts/test-live.sh"]
async fn native_classification_always_returns_a_variant() {
    // The grammar allows nothing but a variant, so no attempt may fail, even without re-asks.
    let live = Live::new();
    for (i, review) in REVIEWS.iter().enumerate() {
        let label = format!("native sentiment {i}");
        let result = classify_native::with_provenance(&live.llm, review).await;
        match live.check(&label, result) {
            Outcome::Accepted(answer) => {
                assert_eq!(answer.provenance.attempt_count(), 1, "{label}");
                let raw = &answer.provenance.attempts[0].raw;
                let wire = serde_json::to_value(answer.value).unwrap();
                assert!(
                    raw.contains(wire.as_str().unwrap()),
                    "{label}: {:?} is not what the model said: {raw:?}",
                    answer.value
                );
            }
            Outcome::Rejected(rejected) => {
                panic!("{label}: the grammar should force a variant: {rejected:#?}")
            }
        }
    }
}

#[tokio::test]
#[ignore = "needs a live model: scripts/test-live.sh"]
async fn prompt_classification_returns_a_variant_or_a_typed_rejection() {
    let live = Live::new();
    for (i, review) in REVIEWS.iter().enumerate() {
        let label = format!("prompt sentiment {i}");
        let result = classify_prompt::with_provenance(&live.llm, review).await;
        live.check(&label, result);
    }
}
