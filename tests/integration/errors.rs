//! Parse errors and `LlmError`: typed kinds, paths, excerpts, and sources printed once.

use std::error::Error as _;

use llm_core::parse::{FixKind, ParseErrorKind};
use llm_core::prelude::*;

#[derive(Debug, Serialize, Deserialize, JsonSchema, LlmOutput)]
struct Item {
    name: String,
    #[llm(range(min = 1))]
    qty: u32,
}

#[derive(Debug, Serialize, Deserialize, JsonSchema, LlmOutput)]
struct Order {
    items: Vec<Item>,
}

#[test]
fn json_is_found_in_fences_and_prose_and_the_fix_is_recorded() {
    let fenced =
        Item::parse("Here it is:\n```json\n{\"name\": \"a\", \"qty\": 1}\n```\nBye").unwrap();
    assert_eq!(fenced.fixes[0].kind, FixKind::ExtractedFromFence);
    let prose = Item::parse("Sure! {\"name\": \"a\", \"qty\": 1} Hope that helps.").unwrap();
    assert_eq!(prose.fixes[0].kind, FixKind::ExtractedFromProse);
    let clean = Item::parse(" {\"name\": \"a\", \"qty\": 1}\n").unwrap();
    assert!(clean.fixes.is_empty());
}

#[test]
fn shape_errors_carry_the_path_and_print_the_source_once() {
    let err = Order::parse(r#"{"items": [{"name": "a", "qty": 1}, {"name": "b", "qty": "many"}]}"#)
        .unwrap_err();
    assert_eq!(
        err.path().map(ToString::to_string).as_deref(),
        Some("items[1].qty")
    );
    assert_eq!(
        err.to_string(),
        "the reply does not fit the type at items[1].qty"
    );
    let source = err.source().unwrap().to_string();
    assert!(
        source.starts_with("invalid type: string \"many\", expected u32"),
        "{source}"
    );
    assert!(!err.to_string().contains(&source));
    assert!(
        err.reask_message()
            .contains("at items[1].qty: invalid type: string \"many\"")
    );
}

#[test]
fn empty_and_json_free_replies_are_distinct_errors() {
    assert!(matches!(
        Item::parse("  \n").unwrap_err().kind(),
        ParseErrorKind::Empty
    ));
    let err = Item::parse("I cannot help with that.").unwrap_err();
    assert!(matches!(err.kind(), ParseErrorKind::NoJson));
    assert_eq!(err.raw_excerpt(), "I cannot help with that.");
}

#[test]
fn syntax_errors_give_line_and_column_and_keep_an_excerpt() {
    let raw = format!("{{\"name\": \"a\",\n \"qty\": }} {}", "x".repeat(500));
    let err = Item::parse(&raw).unwrap_err();
    assert!(
        matches!(err.kind(), ParseErrorKind::Syntax { line: 2, .. }),
        "{:?}",
        err.kind()
    );
    assert_eq!(
        err.raw_excerpt().chars().count(),
        llm_core::parse::RAW_EXCERPT_CHARS
    );
}

#[test]
fn llm_error_is_transparent_over_its_parts() {
    let err = Item::parse_validated(r#"{"name": "a", "qty": 0}"#).unwrap_err();
    assert!(matches!(err, LlmError::Validation(_)));
    assert_eq!(
        err.to_string(),
        "1 rule violation: qty: must be at least 1 (found 0)"
    );
    assert!(
        err.reask_message()
            .unwrap()
            .contains("- qty: must be at least 1 (found 0)")
    );
    let err = Item::parse_validated("nope").unwrap_err();
    assert!(matches!(err, LlmError::Parse(_)));
}

#[test]
fn string_outputs_are_free_text() {
    let parsed = String::parse("  Hello, world.\n").unwrap();
    assert_eq!(parsed.value, "Hello, world.");
}
