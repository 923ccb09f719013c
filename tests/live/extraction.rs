//! Extraction into nested structs: an invoice with its line items, in native and prompt mode.

use llm_core::prelude::*;
use llm_core::provider::FinishReason;

use crate::support::{Live, Outcome, occurs_in};

/// A line item on an invoice.
#[derive(Debug, Serialize, Deserialize, JsonSchema, LlmOutput)]
pub(crate) struct Item {
    /// What was sold.
    #[llm(len(min = 1, max = 80))]
    pub(crate) name: String,
    /// How many.
    #[llm(range(min = 1))]
    pub(crate) qty: u32,
}

/// An invoice extracted from free text.
#[derive(Debug, Serialize, Deserialize, JsonSchema, LlmOutput)]
pub(crate) struct Invoice {
    /// The company that issued the invoice, exactly as written in the text.
    #[llm(grounded, len(min = 2, max = 60))]
    pub(crate) vendor: String,
    /// The amount due.
    #[llm(range(min = 0.0))]
    pub(crate) total: f64,
    /// ISO 4217 code.
    #[llm(one_of = ["USD", "EUR", "GBP"])]
    pub(crate) currency: String,
    /// The lines of the invoice.
    #[llm(len(min = 1, max = 10))]
    pub(crate) items: Vec<Item>,
}

#[llm_fn(
    system = "You extract invoices from text.",
    prompt = "Extract the invoice from this text:\n{text}",
    mode = "native",
    retries = 1,
    temperature = 0.0,
    max_tokens = 160
)]
async fn extract_native(llm: &Llm, text: &str) -> Result<Invoice, LlmError>;

#[llm_fn(
    system = "You extract invoices from text.",
    prompt = "Extract the invoice from this text:\n{text}",
    mode = "prompt",
    retries = 1,
    temperature = 0.0,
    max_tokens = 160
)]
async fn extract_prompt(llm: &Llm, text: &str) -> Result<Invoice, LlmError>;

pub(crate) const INVOICES: [&str; 3] = [
    "Invoice from Acme Office Supplies\n3 boxes of printer paper\n2 toner cartridges\nTotal due: $184.50",
    "BAKERY MUELLER\n2 x rye bread 7.60\n6 x pretzel 5.40\nSUM EUR 13.00",
    "Northwind Traders Ltd. Invoice 0042\n1 oak desk, 4 chairs\nAmount payable: GBP 950.00",
];

/// The checks of an accepted invoice beyond its rules: the grounded vendor really occurs in the
/// text (checked here, not by the framework's rule).
fn check_invoice(label: &str, text: &str, outcome: &Outcome<Invoice>) {
    if let Some(invoice) = outcome.value() {
        assert!(
            occurs_in(&invoice.vendor, text),
            "{label}: grounded vendor {:?} is not in the text {text:?}",
            invoice.vendor
        );
        assert!(!invoice.items.is_empty(), "{label}: no items accepted");
    }
}

#[tokio::test]
#[ignore = "needs a live model: scripts/test-live.sh"]
async fn invoices_in_native_mode_are_valid_or_rejected_and_always_json() {
    let live = Live::new();
    let mut complete = 0;
    for (i, text) in INVOICES.iter().enumerate() {
        let label = format!("native invoice {i}");
        let result = extract_native::with_provenance(&live.llm, text).await;
        let outcome = live.check(&label, result);
        check_invoice(&label, text, &outcome);
        complete += outcome
            .attempts()
            .iter()
            .filter(|a| a.finish != FinishReason::Length)
            .count();
    }
    // `check` parsed every reply that was not cut off as JSON: make sure there was one.
    assert!(
        complete > 0,
        "every native reply was cut off: nothing was JSON-checked"
    );
}

#[tokio::test]
#[ignore = "needs a live model: scripts/test-live.sh"]
async fn invoices_in_prompt_mode_are_valid_or_rejected_with_instructions_sent() {
    let live = Live::new();
    for (i, text) in INVOICES.iter().enumerate() {
        let label = format!("prompt invoice {i}");
        let result = extract_prompt::with_provenance(&live.llm, text).await;
        let outcome = live.check(&label, result);
        check_invoice(&label, text, &outcome);
    }
}
