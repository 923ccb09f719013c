//! Extracts invoices from twelve messages with an `#[llm_fn]`, and shows what the framework did
//! with a real, unreliable model: the raw replies, the repairs, the re-asks with the exact error,
//! the validated values, and the failures handled as typed errors.
//!
//! With no model configured it replays replies recorded from SmolLM2-135M-Instruct (llama.cpp's
//! `llama-server`) in `examples/recorded/`: no key, no server, no network. With `LLM_BASE_URL`,
//! `OPENAI_API_KEY` or `ANTHROPIC_API_KEY` set (for the local model:
//! `export "$(scripts/local-model.sh start)"`) the same code calls the live model; add
//! `LLM_RECORD=1` to re-record the replies.
//!
//! `cargo run -p examples --example quickstart`

use std::collections::BTreeMap;
use std::process::ExitCode;
use std::time::Duration;

use llm_core::call::{Attempt, AttemptError};
use llm_core::parse::Fix;
use llm_core::prelude::*;

/// A line item on an invoice.
#[derive(Debug, Serialize, Deserialize, JsonSchema, LlmOutput)]
pub struct Item {
    /// What was sold.
    #[llm(len(min = 1, max = 80))]
    pub name: String,
    /// How many.
    #[llm(range(min = 1))]
    pub qty: u32,
}

/// An invoice extracted from free text.
#[derive(Debug, Serialize, Deserialize, JsonSchema, LlmOutput)]
pub struct Invoice {
    /// The company that issued the invoice, as written in the message.
    #[llm(len(min = 2, max = 60), grounded)]
    pub vendor: String,
    /// The amount due, in the invoice's currency.
    #[llm(range(min = 0.0), grounded)]
    pub total: f64,
    /// ISO 4217 code.
    #[llm(one_of = ["USD", "EUR", "GBP"])]
    pub currency: String,
    /// The lines of the invoice.
    #[llm(len(min = 1))]
    pub items: Vec<Item>,
}

/// Extracts the invoice in `message`.
#[llm_fn(
    system = "You extract invoices from messages. Reply with JSON only.",
    prompt = "Extract the invoice from this message:\n{message}",
    mode = "native",
    retries = 1,
    temperature = 0.0,
    max_tokens = 300
)]
async fn extract_invoice(
    llm: &Llm,
    #[llm(non_empty, len(max = 4000))] message: &str,
) -> Result<Invoice, LlmError>;

const MESSAGES: [&str; 12] = [
    "Hi Sam,\nPlease find our invoice for last week's order below.\nAcme Office Supplies\n- 3 boxes of A4 printer paper\n- 2 black toner cartridges\nTotal due: $184.50 within 30 days.\nThanks, Dana",
    "BÄCKEREI MÜLLER  Hauptstr. 12\nRECHNUNG Nr 0087\n2 x Roggenbrot      7,60\n6 x Brezel          5,40\n1 x Apfelkuchen    14,90\nSUMME EUR          27,90",
    "Thames Valley Plumbing Ltd - Invoice #2291\nLabour: 3 hours\nReplacement valve: 1\nTotal due: £265.00\nPayment by bank transfer please.",
    "INVOICE\nFrom: Northwind Traders Inc.\nTo: Contoso LLC\nItem                 Qty\nErgonomic chair       5\nStanding desk         2\nAmount due: 1,250.00 USD",
    "Dear guest, thank you for staying at Hotel Bellavista.\nYour bill: 2 nights in a double room, 2 breakfasts, 1 parking ticket.\nThe total comes to 312 euros, already paid by card.",
    "Hey team! Lunch on Friday at 12:30 at the Thai place on Elm Street to celebrate\nPriya's promotion. Reply by Wednesday so I can book a table for 8. My treat!",
    "Lumen Home Lighting - invoice 5512\nQty 4  Wall sconce\nQty 0  Desk lamp (backordered, not charged)\nQty 1  Dimmer switch\nTotal: $219.96",
    "INV0ICE  N0. 4471\nGreenleaf  Landscap1ng\nMowing  x4 visits\nHedge  trimming  x1\nT0TAL  DUE  $ 320.00",
    "pixelworks studio\ninvoice for: logo design (1), business card layout (1), 3 rounds of revisions\namount payable: €950",
    "Bright Spark Electrical\n12 LED bulbs, 4 light switches, 1 fuse box\nSubtotal £343.96\nVAT (20%) £68.79\nTotal £412.75",
    "Café Luna: 2 cappuccinos, 1 croissant, €9.40 total. Thanks for visiting!",
    "Fwd: Payment reminder\nBlue Ridge Hosting reminds you that invoice BR-2024-031 for your annual\nVPS plan (1 server, 2 extra IP addresses) of USD 480.00 is now overdue.",
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
    println!(
        "Prompt `{}` hash {}; the schema of `Invoice` goes with each request.\n",
        extract_invoice::PROMPT.name,
        extract_invoice::PROMPT.hash_hex()
    );

    let mut summary = Summary::default();
    let mut reask_shown = false;
    for (i, message) in MESSAGES.iter().enumerate() {
        let first_line = message.lines().next().unwrap_or_default();
        println!("── message {}/{}: {first_line}", i + 1, MESSAGES.len());
        summary.calls += 1;
        match extract_invoice::with_provenance(&llm, message).await {
            Ok(answer) => {
                let attempts = &answer.provenance.attempts;
                show_attempts(attempts, &mut reask_shown);
                summary.add_attempts(attempts);
                summary.valid += 1;
                println!("  ✓ {:?}", answer.value);
            }
            Err(LlmError::Rejected(rejected)) => {
                show_attempts(rejected.attempts(), &mut reask_shown);
                summary.add_attempts(rejected.attempts());
                summary.rejected += 1;
                // The failure is typed and carries every attempt: route it to a person.
                println!(
                    "  ⇒ handled: {rejected}; sent to manual review with {} attempts attached",
                    rejected.attempts().len()
                );
            }
            Err(err) => {
                summary.other_errors += 1;
                println!("  ⇒ handled: {err}");
            }
        }
        println!();
    }
    summary.print(llm.is_replay());
    ExitCode::SUCCESS
}

/// Each attempt: the raw reply, the repairs, and why it was not accepted.
fn show_attempts(attempts: &[Attempt], reask_shown: &mut bool) {
    for attempt in attempts {
        println!("  attempt {}:", attempt.number);
        println!("{}", indent(&excerpt_lines(&attempt.raw, 8), "  │ "));
        let fixes = fix_summary(&attempt.fixes);
        if !fixes.is_empty() {
            println!("    repaired: {fixes}");
        }
        let Some(error) = &attempt.error else {
            continue;
        };
        match error {
            AttemptError::Validation(err) => {
                for violation in err.violations() {
                    println!("  ✗ {violation}");
                }
            }
            other => println!("  ✗ {other}"),
        }
        if !*reask_shown && !matches!(error, AttemptError::Truncated { .. }) {
            *reask_shown = true;
            println!("    re-asked with exactly:");
            println!("{}", indent(&error.reask_message(), "    > "));
        }
    }
}

#[derive(Default)]
struct Summary {
    calls: usize,
    attempts: usize,
    valid: usize,
    rejected: usize,
    other_errors: usize,
    repaired: usize,
    validation_failures: usize,
    parse_failures: usize,
    truncated: usize,
    rules: BTreeMap<&'static str, usize>,
    tokens_in: u64,
    tokens_out: u64,
    latency: Duration,
}

impl Summary {
    fn add_attempts(&mut self, attempts: &[Attempt]) {
        for attempt in attempts {
            self.attempts += 1;
            self.tokens_in += attempt.usage.input_tokens;
            self.tokens_out += attempt.usage.output_tokens;
            self.latency += attempt.latency;
            if !attempt.fixes.is_empty() {
                self.repaired += 1;
            }
            match &attempt.error {
                Some(AttemptError::Validation(err)) => {
                    self.validation_failures += 1;
                    for violation in err.violations() {
                        *self.rules.entry(violation.rule().name()).or_default() += 1;
                    }
                }
                Some(AttemptError::Parse(_)) => self.parse_failures += 1,
                Some(AttemptError::Truncated { .. }) => self.truncated += 1,
                _ => {}
            }
        }
    }

    fn print(&self, replay: bool) {
        let rules: Vec<String> = self
            .rules
            .iter()
            .map(|(rule, n)| format!("{rule} ×{n}"))
            .collect();
        println!("Summary");
        println!("  calls                 {}", self.calls);
        println!(
            "  attempts              {} (re-asks: {})",
            self.attempts,
            self.attempts.saturating_sub(self.valid + self.rejected)
        );
        println!("  valid Invoice         {}", self.valid);
        println!("  rejected, handled     {}", self.rejected);
        println!("  other errors          {}", self.other_errors);
        println!("  replies repaired      {}", self.repaired);
        println!(
            "  validation failures   {} ({})",
            self.validation_failures,
            if rules.is_empty() {
                "none".to_owned()
            } else {
                rules.join(", ")
            }
        );
        println!("  unparseable replies   {}", self.parse_failures);
        println!("  cut off at max_tokens {}", self.truncated);
        println!(
            "  tokens                {} in, {} out",
            self.tokens_in, self.tokens_out
        );
        println!(
            "  latency               {:.2} s over all attempts{}",
            self.latency.as_secs_f64(),
            if replay { " (replayed from disk)" } else { "" }
        );
        println!("  invalid values that reached the caller: 0 (Ok only after every rule)");
    }
}

/// `DuplicateKey ×3, ClosedString, ...`: each kind of fix once, with its count, in order.
fn fix_summary(fixes: &[Fix]) -> String {
    let mut kinds: Vec<(llm_core::parse::FixKind, usize)> = Vec::new();
    for fix in fixes {
        match kinds.iter_mut().find(|(kind, _)| *kind == fix.kind) {
            Some((_, n)) => *n += 1,
            None => kinds.push((fix.kind, 1)),
        }
    }
    let parts: Vec<String> = kinds
        .iter()
        .map(|(kind, n)| {
            if *n == 1 {
                format!("{kind:?}")
            } else {
                format!("{kind:?} ×{n}")
            }
        })
        .collect();
    parts.join(", ")
}

fn indent(text: &str, prefix: &str) -> String {
    text.lines()
        .map(|line| format!("{prefix}{line}"))
        .collect::<Vec<_>>()
        .join("\n")
}

fn excerpt_lines(text: &str, max: usize) -> String {
    let lines: Vec<&str> = text.lines().collect();
    if lines.len() <= max {
        return text.to_owned();
    }
    format!(
        "{}\n… ({} more lines)",
        lines[..max].join("\n"),
        lines.len() - max
    )
}
