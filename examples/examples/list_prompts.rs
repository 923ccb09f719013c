//! Lists every `#[llm_fn]` prompt linked into the program, with its hash: what to diff in review,
//! pin in a test, or log next to each call to know which prompt version produced an answer.
//!
//! `cargo run -p examples --example list_prompts`

use llm_core::prelude::*;

/// A support ticket's category.
#[derive(Debug, Serialize, Deserialize, JsonSchema, LlmOutput)]
#[serde(rename_all = "snake_case")]
pub enum Category {
    /// Payments, invoices, refunds.
    Billing,
    /// Something does not work.
    Bug,
    /// Anything else.
    Other,
}

/// Sorts a ticket into a category.
#[llm_fn(prompt = "Categorize this support ticket:\n{ticket}", version = "2")]
async fn categorize(llm: &Llm, ticket: &str) -> Result<Category, LlmError>;

/// Writes a one-line reply.
#[llm_fn(
    system = "You are a polite support agent.",
    prompt = "Write a one-line reply to:\n{ticket}",
    temperature = 0.7
)]
async fn draft_reply(llm: &Llm, ticket: &str) -> Result<String, LlmError>;

fn main() {
    println!("prompt         version  hash             mode      returns");
    for prompt in llm_core::prompt::all() {
        println!(
            "{:<14} {:<8} {:<16} {:<9} {}",
            prompt.name,
            prompt.version.unwrap_or("-"),
            prompt.hash_hex(),
            prompt.mode.as_str(),
            prompt.output_type
        );
    }
    // The same hash is a `const`, usable in a test that fails when a prompt changes unreviewed.
    assert_eq!(
        llm_core::prompt::find("categorize").map(|p| p.hash),
        Some(categorize::PROMPT_HASH)
    );
}
