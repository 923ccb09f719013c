//! Differential tests: wherever the lenient reader reads a text, it must give what the repair
//! path gives (value, fixes with kinds and paths, bytes taken); where the repair path fails, it
//! must leave the text to it.

use std::collections::BTreeMap;
use std::path::Path;

use schemars::JsonSchema;
use serde::Deserialize;
use serde::de::DeserializeOwned;
use serde_json::{Value, json};

use super::{repair_path, typed, untyped};
use crate::parse::repair::{Limits, repair_span};
use crate::parse::{FixKind, extract};

#[derive(Debug, Default)]
struct Tally {
    read: usize,
    left: usize,
    /// Texts read by the lenient reader that needed a conversion or a repair.
    repaired: usize,
}

fn check_typed<T>(text: &str, tally: &mut Tally)
where
    T: DeserializeOwned + JsonSchema + PartialEq + std::fmt::Debug,
{
    let schema = serde_json::to_value(schemars::schema_for!(T)).unwrap_or_default();
    let read = typed::<T>(text, &schema, None, Limits::default(), false, None);
    // What is found of the schema beforehand changes nothing.
    let shapes = crate::parse::retype::shapes(&schema);
    let found = typed::<T>(text, &schema, Some(&shapes), Limits::default(), false, None);
    assert_eq!(
        found, read,
        "{text:?} read with the shapes found beforehand"
    );
    // Where serde reads the text as JSON up to a value that does not fit, the reader reads it the
    // same without first trying it with no conversions.
    if matches!(crate::parse::read_clean::<T>(text, false), Err(true)) {
        let misfit = typed::<T>(text, &schema, None, Limits::default(), true, None);
        assert_eq!(misfit, read, "{text:?} read as a misfit");
    }
    let Some((value, fixes, len)) = read else {
        tally.left += 1;
        return;
    };
    tally.read += 1;
    if !fixes.is_empty() {
        tally.repaired += 1;
    }
    match repair_path::<T>(text, &schema) {
        Ok((old, old_fixes, old_len)) => {
            assert_eq!(value, old, "value of {text:?}");
            assert_eq!(fixes, old_fixes, "fixes of {text:?}");
            assert_eq!(len, old_len, "length of {text:?}");
        }
        Err(err) => {
            panic!("{text:?}: the repair path fails ({err:?}), the lenient reader gives {value:?}")
        }
    }
}

fn check_untyped(text: &str, tally: &mut Tally) {
    let Some((value, fixes, len)) = untyped(text, Limits::default(), None) else {
        tally.left += 1;
        return;
    };
    tally.read += 1;
    if !fixes.is_empty() {
        tally.repaired += 1;
    }
    match repair_span(text, Limits::default()) {
        Ok((old, old_fixes, old_len)) => {
            assert_eq!(value, old, "value of {text:?}");
            assert_eq!(fixes, old_fixes, "fixes of {text:?}");
            assert_eq!(len, old_len, "length of {text:?}");
        }
        Err(err) => {
            panic!("{text:?}: the repairer fails ({err:?}), the lenient reader gives {value}")
        }
    }
}

#[derive(Debug, PartialEq, Deserialize, JsonSchema)]
struct Order {
    id: u64,
    name: String,
    price: f64,
    paid: bool,
    kind: Kind,
    note: Option<String>,
    tags: Vec<String>,
    lines: Vec<Line>,
    #[serde(default)]
    extra: Option<i32>,
}

#[derive(Debug, PartialEq, Deserialize, JsonSchema)]
#[serde(rename_all = "lowercase")]
enum Kind {
    Draft,
    Sent,
    Paid,
}

#[derive(Debug, PartialEq, Deserialize, JsonSchema)]
struct Line {
    sku: String,
    qty: u32,
    discount: Option<f64>,
}

#[derive(Debug, PartialEq, Deserialize, JsonSchema)]
struct Item {
    name: String,
    qty: u32,
}

#[derive(Debug, PartialEq, Deserialize, JsonSchema)]
#[serde(tag = "type")]
enum Shape {
    Circle { r: f64 },
    Square { side: f64 },
}

/// Every way of reading a text the tests compare.
fn check_all(text: &str, tally: &mut Tally) {
    check_untyped(text, tally);
    check_typed::<Order>(text, tally);
    check_typed::<Item>(text, tally);
    check_typed::<Value>(text, tally);
    check_typed::<Vec<u32>>(text, tally);
    check_typed::<BTreeMap<String, Value>>(text, tally);
    check_typed::<Shape>(text, tally);
    check_typed::<(String, u32)>(text, tally);
}

/// Each corpus input, its candidates, and each with damage added.
#[test]
fn corpus_inputs_read_as_the_repair_path_reads_them() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../tests/corpus");
    let mut tally = Tally::default();
    let mut files = 0;
    for entry in std::fs::read_dir(&dir).expect("corpus dir") {
        let path = entry.expect("entry").path();
        if path.extension().is_none_or(|e| e != "jsonl") {
            continue;
        }
        files += 1;
        let text = std::fs::read_to_string(&path).expect("corpus file");
        for line in text.lines().filter(|l| !l.trim().is_empty()) {
            let case: Value = serde_json::from_str(line).expect("corpus line");
            let Some(input) = case.get("input").and_then(Value::as_str) else {
                continue;
            };
            for candidate in extract::candidates(input) {
                let text = candidate.text;
                check_all(text, &mut tally);
                check_all(&format!("{text} and some words after"), &mut tally);
                if let Some(cut) = (text.len() / 2..text.len()).find(|&i| text.is_char_boundary(i))
                {
                    check_all(&text[..cut], &mut tally);
                }
            }
        }
    }
    assert!(files >= 5, "corpus files found: {files}");
    assert!(tally.read > 1000 && tally.repaired > 300, "{tally:?}");
}

/// A small deterministic generator; `wild` adds damage the lenient reader leaves to the repair
/// path (smart quotes, missing commas, raw control characters, stray slashes).
pub(in crate::parse) struct Rng(pub(in crate::parse) u64, pub(in crate::parse) bool);

impl Rng {
    pub(in crate::parse) fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }

    pub(in crate::parse) fn below(&mut self, n: u64) -> u64 {
        self.next() % n.max(1)
    }

    pub(in crate::parse) fn chance(&mut self, percent: u64) -> bool {
        self.below(100) < percent
    }

    pub(in crate::parse) fn pick<'t>(&mut self, items: &[&'t str]) -> &'t str {
        items[self.below(items.len() as u64) as usize]
    }
}

pub(in crate::parse) const WORDS: &[&str] = &[
    "bolt",
    "it's",
    "say \"hi\"",
    "a\\b",
    "line\nbreak",
    "tab\there",
    "café",
    "😀",
    "€5",
    "",
    "a,b",
    "x: y",
    "// not a comment",
    "DRAFT",
    "sent",
    "Paid",
    "null",
    "True",
    "12",
    "-3.5",
    "“smart”",
    "a’b",
    "\u{1}",
];

pub(in crate::parse) fn order(rng: &mut Rng) -> Value {
    let lines: Vec<Value> = (0..rng.below(4))
        .map(|_| {
            json!({
                "sku": rng.pick(WORDS),
                "qty": rng.below(100),
                "discount": if rng.chance(50) { json!(null) } else { json!(rng.below(50) as f64 / 4.0) },
            })
        })
        .collect();
    let mut order = json!({
        "id": rng.below(1 << 40),
        "name": rng.pick(WORDS),
        "price": rng.below(100_000) as f64 / 100.0,
        "paid": rng.chance(50),
        "kind": rng.pick(&["draft", "sent", "paid"]),
        "note": if rng.chance(40) { json!(null) } else { json!(rng.pick(WORDS)) },
        "tags": (0..rng.below(4)).map(|_| rng.pick(WORDS)).collect::<Vec<_>>(),
        "lines": lines,
    });
    if rng.chance(20)
        && let Some(map) = order.as_object_mut()
    {
        map.insert("extra".into(), json!(null));
    }
    if rng.chance(10)
        && let Some(map) = order.as_object_mut()
    {
        map.insert("unknown".into(), json!(1));
    }
    order
}

/// Writes `value` as JSON with damage drawn from `rng` at every token.
fn write(rng: &mut Rng, value: &Value, out: &mut String) {
    gap(rng, out);
    match value {
        Value::Null => out.push_str(rng.pick(&["null", "null", "None", "NaN", "undefined"])),
        Value::Bool(b) if rng.chance(15) => string(rng, if *b { "yes" } else { "no" }, out),
        Value::Bool(true) => out.push_str(rng.pick(&["true", "true", "True"])),
        Value::Bool(false) => out.push_str(rng.pick(&["false", "false", "False"])),
        Value::Number(n) if rng.chance(15) => string(rng, &n.to_string(), out),
        Value::Number(n) => out.push_str(&n.to_string()),
        Value::String(s) if rng.chance(10) => string(rng, &s.to_uppercase(), out),
        Value::String(s) => string(rng, s, out),
        Value::Array(items) => {
            out.push('[');
            for (i, item) in items.iter().enumerate() {
                write(rng, item, out);
                if i + 1 < items.len() {
                    comma(rng, out);
                } else if rng.chance(25) {
                    out.push(',');
                }
            }
            gap(rng, out);
            out.push(']');
        }
        Value::Object(map) => {
            out.push('{');
            for (i, (key, item)) in map.iter().enumerate() {
                gap(rng, out);
                match rng.below(10) {
                    0..=2 => out.push_str(key),
                    3 | 4 => {
                        out.push('\'');
                        out.push_str(key);
                        out.push('\'');
                    }
                    _ => string(rng, key, out),
                }
                gap(rng, out);
                out.push(if rng.1 && rng.chance(3) { '=' } else { ':' });
                write(rng, item, out);
                if i + 1 < map.len() {
                    comma(rng, out);
                } else if rng.chance(25) {
                    out.push(',');
                }
            }
            if rng.chance(5)
                && let Some((key, item)) = map.iter().next()
            {
                // The first key again.
                out.push_str(", ");
                string(rng, key, out);
                out.push(':');
                write(rng, item, out);
            }
            gap(rng, out);
            out.push('}');
        }
    }
}

fn comma(rng: &mut Rng, out: &mut String) {
    gap(rng, out);
    if !(rng.1 && rng.chance(5)) {
        out.push(',');
    }
}

/// Whitespace and comments; the tame ones (the first seven) only, unless the text is wild.
const GAPS: [&str; 10] = [
    " ",
    "\n  ",
    "\t",
    "\r\n",
    "// note\n",
    "/* note */",
    "/**/",
    "# note\n",
    "#\n",
    " /",
];

fn gap(rng: &mut Rng, out: &mut String) {
    let tame: u64 = if rng.1 { 10 } else { 7 };
    for _ in 0..rng.below(3) {
        let pick = rng.below(tame) as usize;
        if !rng.1 {
            // A comment right after an unquoted value would be part of it.
            out.push(' ');
        }
        out.push_str(GAPS[pick]);
    }
}

fn string(rng: &mut Rng, text: &str, out: &mut String) {
    let json = serde_json::to_string(text).unwrap_or_default();
    let text = if rng.1 {
        text
    } else {
        text.trim_matches(|c: char| c.is_control() || "“”’".contains(c))
    };
    match rng.below(if rng.1 { 10 } else { 8 }) {
        0..=2 => {
            out.push('\'');
            out.push_str(
                &json[1..json.len() - 1]
                    .replace("\\\"", "\"")
                    .replace('\'', "\\'"),
            );
            out.push('\'');
        }
        3 => {
            // Escapes JSON does not need.
            out.push('"');
            for c in text.chars() {
                match c {
                    '"' => out.push_str("\\\""),
                    '\\' => out.push_str("\\\\"),
                    c if c.is_ascii_alphanumeric() || c == ' ' => out.push(c),
                    c => {
                        let mut units = [0u16; 2];
                        for unit in c.encode_utf16(&mut units) {
                            out.push_str(&format!("\\u{unit:04x}"));
                        }
                    }
                }
            }
            out.push('"');
        }
        8 => {
            // Written raw: control characters and quotes left as they are.
            out.push('"');
            out.push_str(text);
            out.push('"');
        }
        _ => out.push_str(&json),
    }
}

/// `value` written with damage drawn from `rng`, from its first `{` or `[` on.
pub(in crate::parse) fn damaged(rng: &mut Rng, value: &Value) -> String {
    let mut text = String::new();
    write(rng, value, &mut text);
    text[text.find(['{', '[']).unwrap_or_default()..].to_owned()
}

/// `text` cut off at a random character boundary after its start, when there is one.
pub(in crate::parse) fn cut<'t>(rng: &mut Rng, text: &'t str) -> Option<&'t str> {
    let at = rng.below(text.len() as u64) as usize;
    (at..text.len())
        .find(|&i| text.is_char_boundary(i) && i > 0)
        .map(|i| &text[..i])
}

/// Damaged renderings of generated values, cut off at random places and followed by text.
#[test]
fn generated_damage_reads_as_the_repair_path_reads_it() {
    let mut rng = Rng(0x9e37_79b9_7f4a_7c15, false);
    let mut tally = Tally::default();
    for _ in 0..3000 {
        rng.1 = rng.chance(30);
        let value = if rng.chance(80) {
            order(&mut rng)
        } else {
            json!([rng.below(9), rng.pick(WORDS), {"type": "circle", "r": 1.5}])
        };
        let text = damaged(&mut rng, &value);
        check_all(&text, &mut tally);
        if let Some(cut) = cut(&mut rng, &text) {
            check_all(cut, &mut tally);
        }
        if rng.chance(30) {
            check_all(&format!("{text}\n\nHope this helps!"), &mut tally);
        }
    }
    assert!(tally.read > 3000 && tally.repaired > 1000, "{tally:?}");
}

/// The reader's own limits: deep nesting goes to the repair path; a repeated key too, unless the
/// reply is read for a `Value`, where it is read as the repairer reads it.
#[test]
fn deep_nesting_and_repeated_keys_are_left_to_the_repair_path() {
    let deep = format!("{}1{}", "[".repeat(500), "]".repeat(500));
    assert!(untyped(&deep, Limits::default(), None).is_none());
    let shallow = Limits {
        max_depth: 2,
        ..Limits::default()
    };
    assert!(untyped("[[[1]]]", shallow, None).is_none());
    // A key given twice: as the repairer reads it for a `Value`, left to the repair path for a
    // type.
    // (Followed by spaces: shorter replies go straight to the repairer.)
    let text = format!(
        "{{'a': 1, a: [2], \"b\": 3, a: {{\"c\": 4}}}}{}",
        " ".repeat(256)
    );
    let text = text.as_str();
    let read = untyped(text, Limits::default(), None);
    assert_eq!(read, repair_span(text, Limits::default()).ok());
    let kinds: Vec<FixKind> = read
        .iter()
        .flat_map(|(_, f, _)| f)
        .map(|f| f.kind)
        .collect();
    assert_eq!(
        kinds
            .iter()
            .filter(|k| **k == FixKind::DuplicateKey)
            .count(),
        2
    );
    let schema =
        serde_json::to_value(schemars::schema_for!(BTreeMap<String, Value>)).unwrap_or_default();
    assert!(
        typed::<BTreeMap<String, Value>>(text, &schema, None, Limits::default(), false, None)
            .is_none()
    );
    let text = format!("{{'a': [1, 2,], // done\n}}{}", " ".repeat(256));
    let read = untyped(&text, Limits::default(), None);
    let (value, fixes, _) = read.expect("read");
    assert_eq!(value, json!({"a": [1, 2]}));
    let fixes: Vec<String> = fixes
        .iter()
        .map(|f| format!("{:?} at {}", f.kind, f.path))
        .collect();
    assert_eq!(
        fixes,
        [
            "SingleQuotes at $",
            "TrailingComma at a[2]",
            "Comment at $",
            "TrailingComma at $"
        ]
    );
}

/// Each object notices a key it repeats, and only its own: the same key in the objects around
/// it or beside it is no repeat. A key decoded from escapes is compared with the others too.
#[test]
fn each_object_notices_only_its_own_repeated_keys() {
    let pad = " ".repeat(256);
    for (text, repeats) in [
        (r#"{"a": 1, "b": {"a": 2, "b": 3}, "c": {"a": 4}}"#, 0),
        (r#"{"a": {"x": 1, "x": 2}, "x": 3}"#, 1),
        (r#"{"a": [{"k": 1}, {"k": 2, "k": 3}], "k": 4}"#, 1),
        (r#"{"k": 1, "a": {"k": 2}, "k": 3}"#, 1),
        // A key written with an escape is the same key as one written without.
        (r#"{"ab": 1, "a\u0062": 2}"#, 1),
        (r#"{"a\u0062": 1, "ab": 2}"#, 1),
        (r#"{"a\u0062": 1, "x": {"a\u0062": 2}, "a\u0062": 3}"#, 1),
        (r#"{"x": {"a\u0062": 1}, "ab": 2, "y": {"ab": 3}}"#, 0),
        // `ct` has the bit of `ab` (see `key_bit`): the keys are compared.
        (r#"{"x": {"a\u0062": 1}, "ct": 2, "ab": 3}"#, 0),
    ] {
        let text = format!("{text}{pad}");
        let (value, fixes, _) =
            untyped(&text, Limits::default(), None).expect("the lenient reader reads it");
        let (old, old_fixes, _) =
            repair_span(&text, Limits::default()).expect("the repair path reads it");
        assert_eq!((&value, &fixes), (&old, &old_fixes), "{text}");
        let found = fixes
            .iter()
            .filter(|f| f.kind == FixKind::DuplicateKey)
            .count();
        assert_eq!(found, repeats, "{text}");
    }
}
