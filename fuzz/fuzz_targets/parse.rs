//! Any bytes through every entry point of the parser: it must return, never panic, never hang;
//! wherever the lenient reader reads a candidate, it must read what the repair path reads; and a
//! stream must report, chunk by chunk, what the repairer alone reports.

#![no_main]

use libfuzzer_sys::fuzz_target;
use llm_core::parse::{StreamParser, repair_json};
use llm_core::prelude::*;

#[derive(Debug, PartialEq, Deserialize, JsonSchema, LlmOutput)]
#[serde(rename_all = "lowercase")]
enum Status {
    Open,
    Closed,
}

#[derive(Debug, PartialEq, Deserialize, JsonSchema, LlmOutput)]
struct Line {
    #[llm(len(max = 40))]
    name: String,
    qty: u32,
    price: Option<f64>,
}

#[derive(Debug, PartialEq, Deserialize, JsonSchema, LlmOutput)]
struct Order {
    id: String,
    status: Status,
    lines: Vec<Line>,
    paid: bool,
    tags: Vec<String>,
}

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    assert!(
        llm_core::parse::fuzzing::lenient_agrees::<Order>(&text),
        "the lenient reader and the repair path disagree on {text:?}"
    );
    let _ = repair_json(&text);
    if let Ok(parsed) = Order::parse(&text) {
        let _ = parsed.value.validate();
    }
    let _ = u32::parse(&text);
    let _ = Status::parse(&text);
    // The same text streamed in chunks whose size the first byte picks.
    let size = usize::from(data.first().copied().unwrap_or(1) % 16) + 1;
    assert!(
        llm_core::parse::fuzzing::stream_agrees(&text, size),
        "the stream parser and the repairer report different events on {text:?} in chunks of {size}"
    );
    let mut stream = StreamParser::<Order>::new();
    let chars: Vec<char> = text.chars().collect();
    for chunk in chars.chunks(size) {
        let _ = stream.feed(&chunk.iter().collect::<String>());
    }
    let _ = stream.partial();
    let _ = stream.finish();
});
