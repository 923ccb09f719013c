//! Triages support tickets into a category with a self-reported confidence, and routes anything
//! the model is unsure or wrong about to a person: the safe default.
//!
//! Offline it replays replies recorded from SmolLM2-135M-Instruct in `examples/recorded/`; with
//! `LLM_BASE_URL` (or an API key) set it calls the live model, `LLM_RECORD=1` re-records.
//! Native mode: the provider gets the schema (llama.cpp turns it into a grammar), so the category
//! is always one of the enum's values; the confidence threshold is checked locally and never shown
//! to the model.
//!
//! `cargo run -p examples --example triage`

use std::process::ExitCode;

use llm_core::call::AttemptError;
use llm_core::prelude::*;

/// Where a ticket goes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema, LlmOutput)]
#[serde(rename_all = "snake_case")]
pub enum Category {
    /// Payments, invoices, refunds.
    Billing,
    /// Something does not work.
    Bug,
    /// Sign-in, passwords, access.
    Account,
    /// Anything else.
    Other,
}

/// The model's triage of one ticket.
#[derive(Debug, Serialize, Deserialize, JsonSchema, LlmOutput)]
pub struct Triage {
    /// The ticket's category.
    pub category: Category,
    /// How sure you are of the category, from 0 to 1.
    #[llm(confidence(min = 0.6))]
    pub confidence: f32,
}

/// Triages one ticket.
#[llm_fn(
    system = "You triage customer support tickets.",
    prompt = "Triage this ticket:\n{ticket}",
    mode = "native",
    retries = 1,
    temperature = 0.0,
    max_tokens = 60
)]
async fn triage(
    llm: &Llm,
    #[llm(non_empty, len(max = 2000))] ticket: &str,
) -> Result<Triage, LlmError>;

/// Where a ticket ends up.
#[derive(Debug)]
enum Route {
    Queue(Category),
    /// The safe default: a person looks at it.
    Human(String),
}

/// Never fails: whatever the model does, the ticket lands somewhere sensible.
async fn route(llm: &Llm, ticket: &str) -> Route {
    match triage(llm, ticket).await {
        Ok(triage) => Route::Queue(triage.category),
        Err(LlmError::Rejected(rejected)) => {
            let unsure = matches!(
                rejected.last_error(),
                Some(AttemptError::Validation(err)) if err.violations().iter().any(|v| v.is_low_confidence())
            );
            if unsure {
                Route::Human("the model was not confident enough".to_owned())
            } else {
                Route::Human(format!("no valid triage: {rejected}"))
            }
        }
        Err(err) => Route::Human(format!("model unavailable: {err}")),
    }
}

const TICKETS: [&str; 8] = [
    "I was charged twice for my subscription this month. Please refund one payment.",
    "The export button does nothing when I click it, on Chrome and Firefox.",
    "I forgot my password and the reset email never arrives.",
    "Do you have an office in Lisbon? I'd like to visit.",
    "Your invoice #4411 lists the wrong VAT number for our company.",
    "App crashes on startup since the last update (Android 14).",
    "How do I add a second admin to our team account?",
    "hello??",
];

#[tokio::main(flavor = "current_thread")]
async fn main() -> ExitCode {
    let llm = match examples::connect() {
        Ok(llm) => llm,
        Err(err) => {
            eprintln!("cannot set up the model: {err}");
            return ExitCode::FAILURE;
        }
    };
    println!();
    let mut to_humans = 0;
    for ticket in TICKETS {
        match route(&llm, ticket).await {
            Route::Queue(category) => println!("{ticket}\n  → queue {category:?}\n"),
            Route::Human(why) => {
                to_humans += 1;
                println!("{ticket}\n  → a person ({why})\n");
            }
        }
    }
    println!(
        "{} tickets: {} routed by the model, {to_humans} to a person.",
        TICKETS.len(),
        TICKETS.len() - to_humans
    );
    ExitCode::SUCCESS
}
