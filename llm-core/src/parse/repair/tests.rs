//! Tests of the repairer.
use super::*;
use serde_json::json;

fn repair_value(text: &str, limits: Limits) -> Result<(Value, Vec<Fix>), RepairError> {
    repair_span(text, limits).map(|(value, fixes, _)| (value, fixes))
}

fn repair(text: &str) -> (Value, Vec<FixKind>) {
    let (value, fixes) = repair_value(text, Limits::default()).unwrap();
    (value, fixes.into_iter().map(|f| f.kind).collect())
}

#[test]
fn clean_json_needs_no_fix() {
    let text = r#"{"a": [1, -2.5, "x\n\u00e9\ud83d\ude00", true, null], "b": {}}"#;
    assert_eq!(repair(text), (serde_json::from_str(text).unwrap(), vec![]));
}

#[test]
fn repairs_the_usual_damage() {
    use FixKind::*;
    let cases: &[(&str, Value, &[FixKind])] = &[
        (r#"{"a": 1,}"#, json!({"a": 1}), &[TrailingComma]),
        (r#"[1, 2,]"#, json!([1, 2]), &[TrailingComma]),
        (
            r#"{"a": 1 "b": 2}"#,
            json!({"a": 1, "b": 2}),
            &[MissingComma],
        ),
        (
            r#"{'a': 'x'}"#,
            json!({"a": "x"}),
            &[SingleQuotes, SingleQuotes],
        ),
        (
            r#"{a: 1, b_c: "x"}"#,
            json!({"a": 1, "b_c": "x"}),
            &[UnquotedKey, UnquotedKey],
        ),
        (
            r#"{"a": True, "b": None}"#,
            json!({"a": true, "b": null}),
            &[PythonLiteral, PythonLiteral],
        ),
        ("{\"a\": 1 // one\n}", json!({"a": 1}), &[Comment]),
        ("{/* c */ \"a\": 1}", json!({"a": 1}), &[Comment]),
        (
            r#"{"a": "say "hi" now"}"#,
            json!({"a": "say \"hi\" now"}),
            &[UnescapedQuote, UnescapedQuote],
        ),
        (
            "{\"a\": \"line\nbreak\"}",
            json!({"a": "line\nbreak"}),
            &[ControlCharacter],
        ),
        (
            r#"{"a": "x"#,
            json!({"a": "x"}),
            &[ClosedString, ClosedContainer],
        ),
        (
            r#"{"a": [1, 2"#,
            json!({"a": [1, 2]}),
            &[ClosedContainer, ClosedContainer],
        ),
        (
            r#"{"a": 1, "b"#,
            json!({"a": 1}),
            &[ClosedString, DroppedIncompleteMember, ClosedContainer],
        ),
        (
            r#"{"a": 1, "b": "#,
            json!({"a": 1}),
            &[ClosedContainer, DroppedIncompleteMember],
        ),
        ("{“a”: “b”}", json!({"a": "b"}), &[SmartQuotes, SmartQuotes]),
        ("\u{feff}{\"a\": 1}", json!({"a": 1}), &[Bom]),
        (
            r#"{"name": John Smith, "n": +5}"#,
            json!({"name": "John Smith", "n": 5}),
            &[UnquotedValue, NumberFormat],
        ),
        (r#"{"a": NaN}"#, json!({"a": null}), &[JsLiteral]),
        (r#"{"a" 1}"#, json!({"a": 1}), &[MissingColon]),
        (r#"[1, 2}"#, json!([1, 2]), &[MismatchedBracket]),
        (r#"{"a": }"#, json!({"a": null}), &[MissingValue]),
        (r#"{"a": "\x"}"#, json!({"a": "\\x"}), &[InvalidEscape]),
        (r#"{"a": 1, "a": 2}"#, json!({"a": 2}), &[DuplicateKey]),
        (r#"{"zip": 007}"#, json!({"zip": "007"}), &[UnquotedValue]),
    ];
    for (text, value, fixes) in cases {
        assert_eq!(&repair(text), &(value.clone(), fixes.to_vec()), "{text}");
    }
}

#[test]
fn chunked_input_gives_the_same_result() {
    let text = r#"{"a": "say "hi" now", 'b': [1, 2,], c: True // x
    }"#;
    let whole = repair(text);
    for size in 1..8 {
        let mut r = Repairer::default();
        let chars: Vec<char> = text.chars().collect();
        for chunk in chars.chunks(size) {
            r.feed(&chunk.iter().collect::<String>());
        }
        let (value, fixes) = r.finish().unwrap();
        assert_eq!(
            (value, fixes.into_iter().map(|f| f.kind).collect::<Vec<_>>()),
            whole,
            "chunk {size}"
        );
    }
}

#[test]
fn limits_are_typed_errors() {
    let deep = "[".repeat(200);
    assert_eq!(
        repair_value(&deep, Limits::default()),
        Err(RepairError::TooDeep { limit: 128 })
    );
    let limits = Limits {
        max_bytes: 4,
        ..Limits::default()
    };
    assert_eq!(
        repair_value("[1, 2]", limits),
        Err(RepairError::TooLarge { limit: 4 })
    );
    assert_eq!(
        repair_value("  ", Limits::default()),
        Err(RepairError::NoValue)
    );
}

#[test]
fn lone_surrogates_become_replacement_characters() {
    assert_eq!(repair(r#""\ud83d x""#).0, json!("\u{fffd} x"));
}

#[test]
fn events_report_members_as_they_stream() {
    let mut r = Repairer::with_events(Limits::default());
    let mut events = Vec::new();
    for chunk in [
        "{\"title\": \"Hel",
        "lo\", \"n\": [1,",
        " 2], \"x\": {\"y\": \"z\"}}",
    ] {
        r.feed(chunk);
        events.extend(r.take_events());
    }
    let key = CompactString::from;
    assert_eq!(
        events,
        [
            Event::Started { key: key("title") },
            Event::Text {
                key: key("title"),
                delta: key("Hel")
            },
            Event::Text {
                key: key("title"),
                delta: key("lo")
            },
            Event::Complete {
                at: PathSegment::Key("title".into()),
                value: json!("Hello").into()
            },
            Event::Started { key: key("n") },
            Event::Complete {
                at: PathSegment::Key("n".into()),
                value: json!([1, 2]).into()
            },
            Event::Started { key: key("x") },
            Event::Complete {
                at: PathSegment::Key("x".into()),
                value: json!({"y": "z"}).into()
            },
        ]
    );
}

#[test]
fn snapshot_shows_the_partial_value() {
    let mut r = Repairer::default();
    r.feed(r#"{"a": [1, 2], "b": "hel"#);
    assert_eq!(r.snapshot(), Some(json!({"a": [1, 2], "b": "hel"})));
}

/// `number` as first written, with no shortcut: every word is checked, then tried as a `u64`,
/// an `i64` and an `f64` in turn.
fn number_reference(word: &str) -> Option<Number> {
    let digits = word.trim_start_matches(['-', '+']);
    if digits.is_empty()
        || !digits.starts_with(|c: char| c.is_ascii_digit() || c == '.')
        || (digits.len() > 1 && digits.starts_with('0') && digits.as_bytes()[1].is_ascii_digit())
        || !word
            .chars()
            .all(|c| c.is_ascii_digit() || matches!(c, '-' | '+' | '.' | 'e' | 'E'))
    {
        return None;
    }
    let unsigned = word.strip_prefix('+').unwrap_or(word);
    if let Ok(n) = unsigned.parse::<u64>() {
        return Some(Number::from(n));
    }
    if let Ok(n) = unsigned.parse::<i64>() {
        return Some(Number::from(n));
    }
    unsigned.parse::<f64>().ok().and_then(Number::from_f64)
}

#[test]
fn numbers_read_as_every_word_was_read_before_the_shortcuts() {
    const ALPHABET: &[u8] = b"0123456789+-.eEx";
    let mut words: Vec<String> = vec![String::new()];
    let mut last = words.clone();
    for _ in 0..4 {
        last = last
            .iter()
            .flat_map(|w| ALPHABET.iter().map(move |&c| format!("{w}{}", c as char)))
            .collect();
        words.extend(last.iter().cloned());
    }
    for long in [
        "1234567890123456789",
        "9999999999999999999",
        "10000000000000000000",
        "18446744073709551615",
        "18446744073709551616",
        "-9223372036854775808",
        "-9223372036854775809",
        "01234567890123456789",
        "123456789012345678901234567890",
        "1.5e308",
        "1e309",
        "-0.0",
    ] {
        words.push(long.to_owned());
    }
    for word in &words {
        assert_eq!(number(word), number_reference(word), "{word:?}");
    }
}
