//! Parses and validates recorded replies of a real small model with a derived type: what had to
//! be fixed, which rules were broken (and the re-ask a model would get), and what got through.
//!
//! The replies were recorded from SmolLM2-135M-Instruct (llama.cpp's `llama-server`) by
//! `scripts/record-quickstart.py`; replaying them needs no key, server or network.
//!
//! `cargo run -p examples --example quickstart`

use std::collections::BTreeMap;
use std::process::ExitCode;

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
    /// The company that issued the invoice.
    #[llm(len(min = 2, max = 60), regex = r"^[A-Z]")]
    pub vendor: String,
    /// The amount due, in the invoice's currency.
    #[llm(range(min = 0.0))]
    pub total: f64,
    /// ISO 4217 code.
    #[llm(one_of = ["USD", "EUR", "GBP"])]
    pub currency: String,
    /// The lines of the invoice.
    #[llm(len(min = 1))]
    pub items: Vec<Item>,
}

/// The recording file written by `scripts/record-quickstart.py`.
#[derive(Deserialize)]
struct Recording {
    model: String,
    instructions: String,
    exchanges: Vec<Exchange>,
}

#[derive(Deserialize)]
struct Exchange {
    input: String,
    reply: String,
    #[serde(default)]
    usage: Option<Usage>,
}

#[derive(Deserialize, Default, Clone, Copy)]
struct Usage {
    prompt_tokens: u64,
    completion_tokens: u64,
}

const RECORDING: &str = include_str!("../recorded/invoices.json");

fn main() -> ExitCode {
    let recording: Recording = match serde_json::from_str(RECORDING) {
        Ok(recording) => recording,
        Err(err) => {
            eprintln!("examples/recorded/invoices.json is not a valid recording: {err}");
            return ExitCode::FAILURE;
        }
    };
    println!(
        "Replaying {} recorded replies of {} (offline: no API key, no server).",
        recording.exchanges.len(),
        recording.model
    );
    if recording.instructions != Invoice::format_instructions() {
        println!(
            "Note: `Invoice` changed since the recording; re-record with scripts/record-quickstart.py."
        );
    }
    println!("\nEvery prompt ended with these format instructions, generated from `Invoice`:\n");
    println!("{}", indent(&recording.instructions, "    "));

    let mut summary = Summary::default();
    let mut reask_shown = false;
    for (i, exchange) in recording.exchanges.iter().enumerate() {
        let first_line = exchange.input.lines().next().unwrap_or_default();
        println!(
            "── reply {}/{}: {first_line}",
            i + 1,
            recording.exchanges.len()
        );
        println!("{}", indent(&excerpt_lines(&exchange.reply, 10), "  │ "));
        let usage = exchange.usage.unwrap_or_default();
        summary.tokens_in += usage.prompt_tokens;
        summary.tokens_out += usage.completion_tokens;
        match Invoice::parse_validated(&exchange.reply) {
            Ok(parsed) => {
                summary.valid += 1;
                if !parsed.fixes.is_empty() {
                    summary.fixed += 1;
                }
                let fixes = fix_summary(&parsed.fixes);
                if fixes.is_empty() {
                    println!("  ✓ valid Invoice, clean JSON");
                } else {
                    println!(
                        "  ✓ valid Invoice after {} fixes: {fixes}",
                        parsed.fixes.len()
                    );
                }
                println!("    {:?}", parsed.value);
            }
            Err(LlmError::Validation(err)) => {
                summary.invalid += 1;
                for violation in err.violations() {
                    *summary.rules.entry(violation.rule().name()).or_default() += 1;
                    println!("  ✗ {violation}");
                }
                if !reask_shown {
                    reask_shown = true;
                    println!("    A re-ask would send the model exactly this:");
                    println!("{}", indent(&err.reask_message(), "    > "));
                }
            }
            Err(err) => {
                summary.unparsed += 1;
                let cause = std::error::Error::source(&err)
                    .map(|s| format!(" ({s})"))
                    .unwrap_or_default();
                println!("  ✗ not usable: {err}{cause}");
            }
        }
        println!();
    }
    summary.print(recording.exchanges.len());
    ExitCode::SUCCESS
}

#[derive(Default)]
struct Summary {
    valid: usize,
    fixed: usize,
    invalid: usize,
    unparsed: usize,
    tokens_in: u64,
    tokens_out: u64,
    rules: BTreeMap<&'static str, usize>,
}

impl Summary {
    fn print(&self, total: usize) {
        println!("Summary");
        println!("  replies            {total}");
        println!(
            "  valid Invoice      {} ({} needed fixes)",
            self.valid, self.fixed
        );
        println!("  broke rules        {}", self.invalid);
        println!("  could not parse    {}", self.unparsed);
        let rules: Vec<String> = self
            .rules
            .iter()
            .map(|(rule, n)| format!("{rule} ×{n}"))
            .collect();
        println!(
            "  violations by rule {}",
            if rules.is_empty() {
                "none".to_owned()
            } else {
                rules.join(", ")
            }
        );
        println!(
            "  tokens             {} in, {} out (as recorded)",
            self.tokens_in, self.tokens_out
        );
        println!(
            "  reached the caller unvalidated: 0 (parse_validated returns Ok only after every rule)"
        );
    }
}

/// `DuplicateKey ×3, ClosedString, ...`: each kind of fix once, with its count, in order.
fn fix_summary(fixes: &[llm_core::parse::Fix]) -> String {
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
