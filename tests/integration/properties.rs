//! Property tests of the parser: damage that can be repaired is repaired back to the same value,
//! and no input makes it panic.

use proptest::prelude::*;
use serde_json::{Map, Value};

use llm_core::parse::{StreamParser, repair_json};
use llm_core::prelude::*;

/// Ways to damage JSON that the parser promises to undo.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Damage {
    TrailingCommas,
    MissingCommas,
    SingleQuotes,
    UnquotedKeys,
    PythonLiterals,
    Comments,
    RawControlCharacters,
}

const ALL: [Damage; 7] = [
    Damage::TrailingCommas,
    Damage::MissingCommas,
    Damage::SingleQuotes,
    Damage::UnquotedKeys,
    Damage::PythonLiterals,
    Damage::Comments,
    Damage::RawControlCharacters,
];

/// Prints `value` as JSON with `damage` applied throughout.
fn render(value: &Value, damage: Damage, out: &mut String) {
    let comment = |out: &mut String| {
        if damage == Damage::Comments {
            out.push_str(" /* note */ ");
        }
    };
    match value {
        Value::Null if damage == Damage::PythonLiterals => out.push_str("None"),
        Value::Bool(true) if damage == Damage::PythonLiterals => out.push_str("True"),
        Value::Bool(false) if damage == Damage::PythonLiterals => out.push_str("False"),
        Value::String(s) => string(s, damage, out),
        Value::Array(items) => {
            out.push('[');
            for (i, item) in items.iter().enumerate() {
                if i > 0 {
                    out.push_str(if damage == Damage::MissingCommas {
                        " "
                    } else {
                        ", "
                    });
                }
                comment(out);
                render(item, damage, out);
            }
            if damage == Damage::TrailingCommas && !items.is_empty() {
                out.push(',');
            }
            out.push(']');
        }
        Value::Object(map) => {
            out.push('{');
            for (i, (key, item)) in map.iter().enumerate() {
                if i > 0 {
                    out.push_str(if damage == Damage::MissingCommas {
                        "\n"
                    } else {
                        ", "
                    });
                }
                if damage == Damage::Comments {
                    out.push_str("// a key\n");
                }
                let plain = key.chars().next().is_some_and(|c| c.is_ascii_alphabetic())
                    && key.chars().all(|c| c.is_ascii_alphanumeric() || c == '_');
                if damage == Damage::UnquotedKeys && plain {
                    out.push_str(key);
                } else {
                    string(key, damage, out);
                }
                out.push_str(": ");
                render(item, damage, out);
            }
            if damage == Damage::TrailingCommas && !map.is_empty() {
                out.push(',');
            }
            out.push('}');
        }
        other => out.push_str(&other.to_string()),
    }
}

fn string(s: &str, damage: Damage, out: &mut String) {
    match damage {
        Damage::SingleQuotes => {
            out.push('\'');
            for c in s.chars() {
                match c {
                    '\'' => out.push_str("\\'"),
                    '\\' => out.push_str("\\\\"),
                    '\n' => out.push_str("\\n"),
                    c if c < ' ' => out.push_str(&format!("\\u{:04x}", c as u32)),
                    c => out.push(c),
                }
            }
            out.push('\'');
        }
        Damage::RawControlCharacters => {
            out.push('"');
            for c in s.chars() {
                match c {
                    '"' => out.push_str("\\\""),
                    '\\' => out.push_str("\\\\"),
                    '\n' | '\t' => out.push(c),
                    c if c < ' ' => out.push_str(&format!("\\u{:04x}", c as u32)),
                    c => out.push(c),
                }
            }
            out.push('"');
        }
        _ => out.push_str(&Value::from(s).to_string()),
    }
}

fn text() -> impl Strategy<Value = String> {
    prop_oneof![
        "[a-zA-Z0-9 _-]{0,12}",
        any::<String>().prop_map(|s| s.chars().take(12).collect()),
        Just("say \"hi\"\n\tnow \\ done".to_owned()),
    ]
}

fn json() -> impl Strategy<Value = Value> {
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::Bool),
        any::<i64>().prop_map(Value::from),
        (-1.0e6..1.0e6f64).prop_map(|f| Value::from((f * 100.0).round() / 100.0)),
        text().prop_map(Value::String),
    ];
    leaf.prop_recursive(4, 48, 6, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..6).prop_map(Value::Array),
            prop::collection::vec(("[a-z_][a-z0-9_]{0,6}|[a-zA-Z \"']{1,8}", inner), 0..6)
                .prop_map(|members| Value::Object(members.into_iter().collect::<Map<_, _>>())),
        ]
    })
}

fn container() -> impl Strategy<Value = Value> {
    json().prop_filter("a container", |v| v.is_object() || v.is_array())
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    #[test]
    fn damaged_json_repairs_to_the_same_value(value in container(), damage in prop::sample::select(ALL.to_vec())) {
        let mut damaged = String::new();
        render(&value, damage, &mut damaged);
        let repaired = repair_json(&damaged).map_err(|e| TestCaseError::fail(format!("{e}: {damaged}")))?;
        prop_assert_eq!(&repaired.value, &value, "{:?}: {}", damage, damaged);
    }

    #[test]
    fn wrapped_json_is_found(value in container(), fence in any::<bool>()) {
        let json = value.to_string();
        let raw = if fence {
            format!("Here you go:\n```json\n{json}\n```\nAnything else?")
        } else {
            format!("Sure! Here is the JSON: {json} Hope that helps.")
        };
        prop_assert_eq!(repair_json(&raw).map(|p| p.value).ok(), Some(value));
    }

    #[test]
    fn typed_values_survive_damage(order in order(), damage in prop::sample::select(ALL.to_vec())) {
        let mut damaged = String::from("The order:\n");
        render(&serde_json::to_value(&order).unwrap_or_default(), damage, &mut damaged);
        let parsed = Order::parse(&damaged).map_err(|e| TestCaseError::fail(format!("{e}: {damaged}")))?;
        prop_assert_eq!(parsed.value, order);
    }

    #[test]
    fn any_text_parses_or_fails_without_panicking(raw in any::<String>()) {
        let _ = repair_json(&raw);
        let _ = Order::parse(&raw);
        let _ = u32::parse(&raw);
    }

    #[test]
    fn json_like_noise_never_panics(raw in "[\\[\\]{}\"',:/*#\\\\ a-zA-Z0-9\n\u{201c}\u{201d}\u{0}]{0,64}") {
        let _ = repair_json(&raw);
        let _ = Order::parse(&raw);
    }

    #[test]
    fn streaming_in_any_chunks_matches_one_parse(order in order(), cut in 1usize..9) {
        let json = serde_json::to_string(&order).unwrap_or_default();
        let mut parser = StreamParser::<Order>::new();
        let chars: Vec<char> = json.chars().collect();
        for chunk in chars.chunks(cut) {
            let _ = parser.feed(&chunk.iter().collect::<String>());
        }
        prop_assert_eq!(parser.finish().map(|p| p.value).ok(), Some(order));
    }

    #[test]
    fn truncated_replies_never_panic(order in order(), keep in 0usize..400) {
        let json = serde_json::to_string(&order).unwrap_or_default();
        let cut: String = json.chars().take(keep).collect();
        let _ = Order::parse(&cut);
        let mut parser = StreamParser::<Order>::new();
        let _ = parser.feed(&cut);
        let _ = parser.partial();
        let _ = parser.finish();
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema, LlmOutput)]
#[serde(rename_all = "lowercase")]
enum Status {
    Open,
    Shipped,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema, LlmOutput)]
struct Line {
    name: String,
    qty: u32,
    price: Option<f64>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema, LlmOutput)]
struct Order {
    id: String,
    status: Status,
    lines: Vec<Line>,
    paid: bool,
    note: Option<String>,
}

fn order() -> impl Strategy<Value = Order> {
    let line = (
        text(),
        any::<u32>(),
        prop::option::of((-1.0e6..1.0e6f64).prop_map(|f| (f * 100.0).round() / 100.0)),
    )
        .prop_map(|(name, qty, price)| Line { name, qty, price });
    (
        text(),
        prop::bool::ANY,
        prop::collection::vec(line, 0..4),
        any::<bool>(),
        prop::option::of(text()),
    )
        .prop_map(|(id, shipped, lines, paid, note)| Order {
            id,
            status: if shipped {
                Status::Shipped
            } else {
                Status::Open
            },
            lines,
            paid,
            note,
        })
}

#[test]
fn deep_nesting_is_a_typed_error_not_a_stack_overflow() {
    let raw = "[".repeat(100_000);
    let err = repair_json(&raw).unwrap_err();
    assert!(matches!(
        err.kind(),
        llm_core::parse::ParseErrorKind::TooDeep { limit: 128 }
    ));
}

/// A fence's backticks inside a JSON string are text: they neither open a fence in prose nor
/// close the fence around the JSON (cases the property above found).
#[test]
fn backticks_inside_a_string_open_and_close_no_fence() {
    for raw in [
        r#"Sure! Here is the JSON: [["```"]] Hope that helps."#,
        "Here you go:\n```json\n[[\"```\"]]\n```\nAnything else?",
        r#"Sure! {"code": "```rust\nfn main() {}\n```"} Done."#,
        "```json\n{\"code\": \"```\"}\n```",
    ] {
        let json = &raw[raw.find(['{', '[']).unwrap_or(0)..=raw.rfind([']', '}']).unwrap_or(0)];
        let want: Value = serde_json::from_str(json).expect("the JSON in the reply");
        assert_eq!(repair_json(raw).map(|p| p.value).ok(), Some(want), "{raw}");
    }
}

#[derive(Debug, PartialEq, serde::Deserialize, schemars::JsonSchema, LlmOutput)]
struct Pair {
    a: String,
    b: Vec<u32>,
}

/// A damaged reply that is one value, read whole before its candidates are looked for, reads as
/// its candidates do: brackets and fences inside its strings, text after it, a cut-off end,
/// drifted types.
#[test]
fn a_whole_reply_reads_as_its_candidates_read() {
    let schema = Pair::schema().to_value();
    for raw in [
        r#"{'a': 'x}', 'b': [1, 2,],}"#,
        r#"{"a": "```json {\"b\": 1} ```", "b": [1, 2,]}"#,
        "{\"a\": \"```\", \"b\": [3,]}\n```json\n{\"a\": \"y\", \"b\": [4]}\n```",
        r#"{"a": "x", "b": [1, 2,]} and then {"a": "y", "b": []}"#,
        r#"{"a": "x", "b": ["1", 2.0,]}"#,
        r#"{"a": "{[", "b": [1, 2"#,
        r#"{a: "x", b: [1] // done
}"#,
        r#"[{"a": "x", "b": [1,]}]"#,
        r#"{"a": "x" "b": [1]}"#,
        r#"{"a": "x", "b": [1], "a": "y",}"#,
    ] {
        let fast = Pair::parse(raw);
        let slow = llm_core::parse::parse_with_schema::<Pair>(raw, &schema, Default::default());
        match (&fast, &slow) {
            (Ok(fast), Ok(slow)) => {
                assert_eq!(fast.value, slow.value, "{raw}");
                assert_eq!(fast.fixes, slow.fixes, "{raw}");
            }
            (Err(fast), Err(slow)) => assert_eq!(fast.to_string(), slow.to_string(), "{raw}"),
            _ => panic!("{raw}: {fast:?} against {slow:?}"),
        }
    }
    // Without a schema too: the value that comes last is the answer.
    let raw = r#"{"a": 1,} and then {"b": 2}"#;
    let last = repair_json(raw).map(|p| p.value).ok();
    assert_eq!(last, Some(serde_json::json!({"b": 2})));
}
