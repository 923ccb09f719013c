//! Parse errors and `LlmError`: typed kinds, paths, excerpts, and sources printed once.

use std::error::Error as _;

use llm_core::parse::{CoerceError, FixKind, ParseErrorKind};
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
fn type_errors_carry_the_path_expected_and_found() {
    let err = Order::parse(r#"{"items": [{"name": "a", "qty": 1}, {"name": "b", "qty": "many"}]}"#)
        .unwrap_err();
    assert_eq!(
        err.path().map(ToString::to_string).as_deref(),
        Some("items[1].qty")
    );
    assert_eq!(
        err.to_string(),
        "the reply does not fit the type: items[1].qty: expected an integer, found \"many\""
    );
    assert!(
        err.reask_message()
            .contains("items[1].qty: expected an integer, found \"many\"")
    );
}

#[derive(Debug, Serialize, Deserialize, JsonSchema, LlmOutput)]
struct Small {
    level: u8,
}

#[test]
fn serde_errors_after_coercion_keep_serde_as_the_source_and_print_it_once() {
    let err = Small::parse(r#"{"level": 300}"#).unwrap_err();
    assert!(
        matches!(err.kind(), ParseErrorKind::Shape { .. }),
        "{:?}",
        err.kind()
    );
    assert_eq!(err.to_string(), "the reply does not fit the type at level");
    let source = err.source().unwrap().to_string();
    assert!(
        source.starts_with("invalid value: integer `300`"),
        "{source}"
    );
    assert!(!err.to_string().contains(&source));
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
fn values_that_cannot_be_coerced_are_typed_errors_with_path_and_excerpt() {
    let raw = format!("{{\"name\": \"a\",\n \"qty\": }} {}", "x".repeat(500));
    let err = Item::parse(&raw).unwrap_err();
    match err.kind() {
        ParseErrorKind::Coerce(CoerceError::InvalidType {
            path,
            expected,
            found,
        }) => {
            assert_eq!(
                (path.to_string().as_str(), expected.as_str(), found.as_str()),
                ("qty", "an integer", "null")
            );
        }
        other => panic!("{other:?}"),
    }
    assert_eq!(
        err.raw_excerpt().chars().count(),
        llm_core::parse::RAW_EXCERPT_CHARS
    );
    let err = Item::parse(r#"{"qty": 1}"#).unwrap_err();
    assert_eq!(
        err.to_string(),
        "the reply does not fit the type: missing required field `name`"
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
