//! Free text: `Result<String, LlmError>` asks for no JSON in either mode.

use llm_core::prelude::*;

use crate::support::{Live, Outcome};

#[llm_fn(
    system = "You are a helpful assistant. Answer briefly.",
    prompt = "Summarize in one short sentence:\n{text}",
    mode = "native",
    retries = 1,
    temperature = 0.0,
    max_tokens = 200
)]
async fn summarize_native(llm: &Llm, text: &str) -> Result<String, LlmError>;

#[llm_fn(
    system = "You are a helpful assistant. Answer briefly.",
    prompt = "Summarize in one short sentence:\n{text}",
    mode = "prompt",
    retries = 1,
    temperature = 0.0,
    max_tokens = 200
)]
async fn summarize_prompt(llm: &Llm, text: &str) -> Result<String, LlmError>;

const TEXT: &str = "The city council voted on Tuesday to build a new public library next to \
     the central station. Construction starts in spring and should take two years.";

/// The answer of a free-text call: non-empty text, the reply trimmed.
fn check_text(label: &str, outcome: Outcome<String>) {
    let Outcome::Accepted(answer) = outcome else {
        panic!("{label}: a one-sentence summary within 200 tokens was rejected: {outcome:#?}");
    };
    assert!(!answer.value.is_empty(), "{label}: empty text accepted");
    let raw = &answer.provenance.attempts.last().unwrap().raw;
    assert_eq!(&answer.value, raw.trim(), "{label}: the text is the reply");
}

#[tokio::test]
#[ignore = "needs a live model: scripts/test-live.sh"]
async fn free_text_in_native_mode_is_the_reply_text() {
    let live = Live::new();
    let result = summarize_native::with_provenance(&live.llm, TEXT).await;
    check_text("native summary", live.check("native summary", result));
}

#[tokio::test]
#[ignore = "needs a live model: scripts/test-live.sh"]
async fn free_text_in_prompt_mode_is_the_reply_text() {
    let live = Live::new();
    let result = summarize_prompt::with_provenance(&live.llm, TEXT).await;
    check_text("prompt summary", live.check("prompt summary", result));
}
