//! The stream parser must report, chunk by chunk, exactly what the repairer alone reports for the
//! same chunks: the light reader while the text is plain JSON, the repairer from the first byte
//! that is not.

use serde_json::{Value, json};

use super::{Reader, StreamParser, chunks};
use crate::parse::lenient::tests::{Rng, WORDS, cut, damaged, order};
use crate::parse::repair::{Event, Limits, Repairer};

#[derive(Debug, Default)]
struct Tally {
    /// Streams read to the end by the light reader, and handed to the repairer.
    clean: usize,
    handed: usize,
    completes: usize,
}

/// Feeds `text` (which starts with `{` or `[`) in chunks of `size` to the stream parser and to a
/// repairer; every chunk's events must be equal.
fn check(text: &str, size: usize, tally: &mut Tally) {
    let mut parser = StreamParser::<Value>::new();
    let mut repairer = Repairer::with_moved_events(Limits::default());
    for (n, chunk) in chunks(text, size).enumerate() {
        let got = parser.feed(chunk);
        repairer.feed(chunk);
        let want = repairer.take_events();
        assert_eq!(
            got, want,
            "chunk {n} ({chunk:?}) of {text:?} in chunks of {size}"
        );
        tally.completes += got
            .iter()
            .filter(|e| matches!(e, Event::Complete { .. }))
            .count();
    }
    match parser.reader {
        Reader::Clean(_) => tally.clean += 1,
        Reader::Repair(_) => tally.handed += 1,
    }
}

const SIZES: [usize; 8] = [1, 2, 3, 4, 7, 16, 61, usize::MAX];

#[test]
fn plain_json_is_read_by_the_light_reader_with_the_repairers_events() {
    let mut rng = Rng(0x2545_f491_4f6c_dd1d, false);
    let mut tally = Tally::default();
    for i in 0..400 {
        let value = match i % 4 {
            0 => json!([rng.below(9), rng.pick(WORDS), {"r": -1.5e-3, "ok": [true, false, null]}]),
            _ => order(&mut rng),
        };
        let text = match i % 3 {
            0 => serde_json::to_string(&value),
            1 => serde_json::to_string_pretty(&value),
            // Other whitespace, a number followed by spaces, escapes (kept where the text
            // still reads as the same value).
            _ => serde_json::to_string(&value).map(|t| {
                let spaced = t
                    .replace(':', " :\t")
                    .replace(',', " ,\r\n")
                    .replace("\"a", "\"\\u0061");
                match serde_json::from_str::<Value>(&spaced) {
                    Ok(read) if read == value => spaced,
                    _ => t,
                }
            }),
        }
        .unwrap_or_default();
        let text = format!("{text} ");
        for size in SIZES {
            let before = tally.handed;
            check(&text, size, &mut tally);
            // Strings holding `”` are left to the repairer; everything else must be read.
            if !text.contains('”') {
                assert_eq!(tally.handed, before, "handed over: {text:?} in {size}");
            }
        }
    }
    for text in [
        "{}",
        "[]",
        r#"{"a": {}, "b": [], "c": [[]], "d": ""}"#,
        r#"{"n": 12 , "m": -0, "x": 1e5
        }"#,
        r#"[1 , 2,3 ,"x" ]"#,
        r#"{"esc": "\" \\ \/ \b \f \n \r \t \u00e9 \u20ac", "k\"ey": 1}"#,
    ] {
        for size in SIZES {
            check(text, size, &mut tally);
        }
    }
    assert!(tally.clean > 2500 && tally.completes > 20_000, "{tally:?}");
}

#[test]
fn damaged_streams_go_to_the_repairer_with_the_same_events() {
    let mut rng = Rng(0x9e37_79b9_7f4a_7c15, false);
    let mut tally = Tally::default();
    for _ in 0..600 {
        rng.1 = rng.chance(30);
        let value = order(&mut rng);
        let text = damaged(&mut rng, &value);
        let size = [1, 3, 4, 9, 40][rng.below(5) as usize];
        check(&text, size, &mut tally);
        if let Some(cut) = cut(&mut rng, &text) {
            check(cut, size, &mut tally);
        }
        check(&format!("{text}\n\nHope this helps!"), size, &mut tally);
    }
    for text in [
        // Damage in a root string reported in part, in a key, after a number, in a nested value.
        r#"{"title": "Hello wor\u00e9ld, it is "long"", "n": 1}"#,
        r#"{"title": "line one
line two", "n": 1}"#,
        r#"{"a": 1, 'b': 2}"#,
        r#"{"a": 12 3, "b": 2}"#,
        r#"{"a": [1, 2,], "b": True}"#,
        r#"{"a": "x” y", "b": "\ud83d\ude00"}"#,
        r#"{"a": {"b": {"c": [1, 2 // two
        ]}}}"#,
    ] {
        for size in SIZES {
            check(text, size, &mut tally);
        }
    }
    assert!(tally.handed > 1500, "{tally:?}");
}

#[test]
fn a_damaged_stream_keeps_nested_chunks_for_the_repairer_as_its_text_grows() {
    // Damaged from its start, nested for most of its length, and longer than the text's first
    // capacities: chunks are only kept between brackets, before and after the text grows.
    let items: Vec<String> = (0..400)
        .map(|i| format!("{{'name': 'item {i}', qty: {i}, 'tags': ['a', \"b\"]}}"))
        .collect();
    let text = format!(
        "{{'title': 'Order', \"items\": [{}], \"note\": \"done\", 'deep': {{'a': [[1, 2]]}}}}",
        items.join(",\n  ")
    );
    assert!(text.len() > 16 * 1024);
    let mut tally = Tally::default();
    for size in SIZES {
        check(&text, size, &mut tally);
        let cut = &text[..text.len() / 2];
        check(cut, size, &mut tally);
    }
    assert_eq!(tally.handed, 2 * SIZES.len(), "{tally:?}");
    assert!(tally.completes >= 4 * SIZES.len(), "{tally:?}");
}

#[test]
fn a_stream_at_the_depth_or_size_limit_is_left_to_the_repairer() {
    let deep = format!("{}1{}", "[".repeat(200), "]".repeat(200));
    let mut parser = StreamParser::<Value>::new();
    for chunk in chunks(&deep, 4) {
        parser.feed(chunk);
    }
    assert!(matches!(parser.reader, Reader::Repair(_)));
    assert!(parser.finish().is_err());

    let limits = Limits {
        max_bytes: 64,
        ..Limits::default()
    };
    let mut parser = StreamParser::<Value>::with_limits(limits);
    let text = format!(r#"{{"a": "{}"}}"#, "x".repeat(100));
    for chunk in chunks(&text, 8) {
        parser.feed(chunk);
    }
    assert!(matches!(parser.reader, Reader::Repair(_)));
    let err = parser.finish().err().map(|e| e.to_string());
    assert_eq!(err.as_deref(), Some("the reply is longer than 64 bytes"));
}

#[test]
fn members_of_a_plain_stream_carry_their_text_and_read_as_the_repairer_reads_them() {
    let mut parser = StreamParser::<Value>::new();
    let mut events = parser.feed(r#"{"n": -0, "big": 18446744073709551616, "s": "a\u00e9"}"#);
    let values: Vec<(Option<String>, Value)> = events
        .drain(..)
        .filter_map(|e| match e {
            Event::Complete { value, .. } => {
                Some((value.as_json().map(str::to_owned), value.into_value()))
            }
            _ => None,
        })
        .collect();
    assert_eq!(
        values,
        [
            (Some("-0".to_owned()), json!(0)),
            (
                Some("18446744073709551616".to_owned()),
                json!(18_446_744_073_709_551_616.0)
            ),
            (Some(r#""a\u00e9""#.to_owned()), json!("aé")),
        ]
    );
}

/// Every token shape below the root's members (where the light reader runs an automaton): plain
/// JSON stays with the light reader, anything else goes to the repairer, and both report the
/// repairer's events at every chunk size.
#[test]
fn values_below_the_roots_members_stay_with_the_light_reader_only_when_plain() {
    let plain = [
        "0",
        "-0",
        "12",
        "-1.5e-3",
        "1E+2",
        "0.5",
        "true",
        "false",
        "null",
        r#""x""#,
        r#""a\"b\\c\/d\b\f\n\r\t""#,
        r#""\u00e9\uABCD\uD7FF\ue000""#,
        // `€` and `–` start with the byte `”` starts with.
        r#""€ – ok""#,
        "{}",
        "[]",
        r#"{"k": [1, {"m": null}], "e": {}}"#,
        "[ 1 ,\t2\r\n , 3 ]",
        "{\n  \"k\" :\n    1\n}",
    ];
    let damaged = [
        "01",
        "-",
        "1.",
        ".5",
        "1e",
        "1e+",
        "+1",
        "1-2",
        "tru",
        "truex",
        "nul",
        "True",
        "NaN",
        "\"line\nbreak\"",
        "\"tab\there\"",
        r#""\x""#,
        r#""\u12""#,
        r#""\uD800""#,
        r#""\udc00x""#,
        r#""x”y""#,
        "[1 2]",
        "[1,]",
        r#"{"k" 1}"#,
        r#"{"k": 1,}"#,
        "{'k': 1}",
        "{k: 1}",
        "[1}",
        r#"{"k": 1]"#,
        r#""a" "b""#,
        "// c\n1",
    ];
    let mut tally = Tally::default();
    for (snippets, clean) in [(&plain[..], true), (&damaged[..], false)] {
        for snippet in snippets {
            for text in [
                format!(r#"{{"a": {{"b": [{snippet}]}}, "z": 1}}"#),
                format!("[[{snippet}], 2]"),
            ] {
                for size in SIZES {
                    check(&text, size, &mut tally);
                }
                let mut parser = StreamParser::<Value>::new();
                parser.feed(&text);
                assert_eq!(matches!(parser.reader, Reader::Clean(_)), clean, "{text:?}");
            }
        }
    }
}

#[test]
fn a_failed_streams_excerpt_is_the_start_of_the_reply_chunks_only_kept_included() {
    // Nested from its first bytes: most chunks are only kept, before and after the head is full.
    let items: Vec<String> = (0..60)
        .map(|i| format!(r#"{{"n": [{i}, "item {i}"]}}"#))
        .collect();
    let long = format!(r#"Here it is: {{"a": {{"b": [{}]}}}}"#, items.join(", "));
    // The same, damaged from its first key: the repairer's chunks are only kept too.
    let damaged = long.replacen(r#""a""#, "'a'", 1);
    // Cut inside a nested value: the last chunks are only kept when the stream ends.
    let short = r#"Sure: {"a": {"b": "xyz"#;
    // Plain text of a root string: its chunks are taken as they are, not read, before and after
    // the head is full, and when the stream ends inside it.
    let words = "lorem ipsum dolor sit amet ".repeat(12);
    let text = format!(r#"Note: {{"a": "{words}", "b": "{words}"#);
    for text in [long.as_str(), damaged.as_str(), short, text.as_str()] {
        let want = crate::path::excerpt(text, crate::parse::RAW_EXCERPT_CHARS);
        for size in SIZES {
            let mut parser = StreamParser::<u8>::new();
            for chunk in chunks(text, size) {
                parser.feed(chunk);
            }
            let got = parser.finish().err().map(|e| e.raw_excerpt().to_owned());
            assert_eq!(got.as_deref(), Some(want.as_str()), "{text:?} in {size}");
        }
    }
}

#[test]
fn a_damaged_streams_arrays_and_objects_are_kept_as_their_text_and_read_when_asked() {
    let text = "{'a': [1, 2,], 'b': {c: True, 'd': [{}]}, 'e': 'x', 'f': 3}";
    for size in SIZES {
        let mut parser = StreamParser::<Value>::new();
        let mut completes = Vec::new();
        for chunk in chunks(text, size) {
            for event in parser.feed(chunk) {
                if let Event::Complete { at, value } = event {
                    completes.push((at.to_string(), format!("{value:?}"), value.into_value()));
                }
            }
        }
        let want = [
            ("a", r#"Member("[1, 2,]")"#, json!([1, 2])),
            (
                "b",
                r#"Member("{c: True, 'd': [{}]}")"#,
                json!({"c": true, "d": [{}]}),
            ),
            ("e", r#"Member(String("x"))"#, json!("x")),
            ("f", "Member(Number(3))", json!(3)),
        ];
        let want: Vec<_> = want
            .into_iter()
            .map(|(at, debug, value)| (at.to_owned(), debug.to_owned(), value))
            .collect();
        assert_eq!(completes, want, "in chunks of {size}");
    }
}

#[test]
fn empty_chunks_report_nothing() {
    for text in [
        r#"{"title": "a long title of plain words", "n": [1, {"a": "b"}], "t": "x"}"#,
        r#"{'title': 'a long title of plain words', "n": [1, {a: 'b'}], "t": "x"}"#,
    ] {
        for size in [1, 4, 9] {
            let mut parser = StreamParser::<Value>::new();
            let mut repairer = Repairer::with_moved_events(Limits::default());
            for (n, chunk) in chunks(text, size).enumerate() {
                for part in ["", chunk, ""] {
                    let got = parser.feed(part);
                    repairer.feed(part);
                    assert_eq!(
                        got,
                        repairer.take_events(),
                        "chunk {n} ({part:?}) in {size}"
                    );
                }
            }
        }
    }
}
