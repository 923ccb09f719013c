//! Every field rule, on the value it accepts and the value it rejects, with full paths.

use llm_core::prelude::*;
use llm_core::validate::{ContentFilter, FilterMatch, LengthUnit, Pii, Rule};

/// Runs validation and returns `(path, rule name, found)` for each violation.
fn violations<T: LlmOutput>(value: &T) -> Vec<(String, &'static str, Option<String>)> {
    match value.validate() {
        Ok(()) => Vec::new(),
        Err(err) => err
            .violations()
            .iter()
            .map(|v| {
                (
                    v.path().to_string(),
                    v.rule().name(),
                    v.found().map(str::to_owned),
                )
            })
            .collect(),
    }
}

#[derive(Debug, Serialize, Deserialize, JsonSchema, LlmOutput)]
struct Text {
    #[llm(regex = "^[A-Z]{3}$")]
    code: String,
    #[llm(len(min = 2, max = 4))]
    word: String,
    #[llm(one_of = ["red", "green"])]
    color: String,
    #[llm(non_empty)]
    title: String,
    #[llm(email)]
    email: String,
    #[llm(url)]
    site: String,
    #[llm(deny = ["guaranteed", "act now"])]
    pitch: String,
}

fn good_text() -> Text {
    Text {
        code: "ABC".into(),
        word: "héé".into(),
        color: "red".into(),
        title: "T".into(),
        email: "ada@example.com".into(),
        site: "https://example.com/x".into(),
        pitch: "A fair offer.".into(),
    }
}

#[test]
fn text_rules_accept_valid_values() {
    assert_eq!(violations(&good_text()), []);
}

#[test]
fn text_rules_reject_each_bad_value_with_path_rule_and_found() {
    let bad = Text {
        code: "abc".into(),
        word: "a".into(),
        color: "Red".into(),
        title: " \n".into(),
        email: "ada@localhost".into(),
        site: "ftp://example.com".into(),
        pitch: "Results GUARANTEED, act  now... or Act Now!".into(),
    };
    let got = violations(&bad);
    let names: Vec<_> = got.iter().map(|(p, r, _)| (p.as_str(), *r)).collect();
    assert_eq!(
        names,
        [
            ("code", "regex"),
            ("word", "len"),
            ("color", "one_of"),
            ("title", "non_empty"),
            ("email", "email"),
            ("site", "url"),
            ("pitch", "deny"),
            ("pitch", "deny"),
        ]
    );
    assert_eq!(got[0].2.as_deref(), Some("\"abc\""));
    assert_eq!(got[1].2.as_deref(), Some("1 characters"));
}

#[test]
fn length_counts_characters_not_bytes() {
    let mut text = good_text();
    text.word = "ééééé".into(); // 5 chars, 10 bytes
    let err = text.validate().unwrap_err();
    assert_eq!(
        err.violations()[0].rule(),
        &Rule::Length {
            min: Some(2),
            max: Some(4),
            unit: LengthUnit::Chars
        }
    );
    assert_eq!(
        err.violations()[0].to_string(),
        "word: must be 2 to 4 characters (found 5 characters)"
    );
}

#[test]
fn deny_matches_whole_words_in_any_case() {
    let mut text = good_text();
    text.pitch = "Unguaranteed but honest".into();
    assert_eq!(violations(&text), []);
    text.pitch = "It is Guaranteed.".into();
    assert_eq!(violations(&text)[0].1, "deny");
}

#[derive(Debug, Serialize, Deserialize, JsonSchema, LlmOutput)]
struct Numbers {
    #[llm(range(min = 1, max = 10))]
    qty: u32,
    #[llm(range(min = -1.5))]
    delta: f64,
    #[llm(one_of = [1, 2, 4])]
    size: i64,
    #[llm(confidence(min = 0.7))]
    confidence: f32,
}

#[test]
fn number_rules() {
    let ok = Numbers {
        qty: 10,
        delta: -1.5,
        size: 4,
        confidence: 0.7,
    };
    assert_eq!(violations(&ok), []);
    let bad = Numbers {
        qty: 0,
        delta: -2.0,
        size: 3,
        confidence: 0.3,
    };
    assert_eq!(
        violations(&bad),
        [
            ("qty".into(), "range", Some("0".into())),
            ("delta".into(), "range", Some("-2".into())),
            ("size".into(), "one_of", Some("3".into())),
            ("confidence".into(), "confidence", Some("0.3".into())),
        ]
    );
}

#[test]
fn confidence_outside_zero_to_one_is_rejected_even_above_min() {
    let bad = Numbers {
        qty: 1,
        delta: 0.0,
        size: 1,
        confidence: 7.0,
    };
    let err = bad.validate().unwrap_err();
    assert!(err.violations()[0].is_low_confidence());
    let nan = Numbers {
        qty: 1,
        delta: f64::NAN,
        size: 1,
        confidence: 0.9,
    };
    assert_eq!(violations(&nan)[0].0, "delta");
}

#[derive(Debug, Serialize, Deserialize, JsonSchema, LlmOutput)]
struct Collections {
    #[llm(len(min = 1, max = 2))]
    tags: Vec<String>,
    #[llm(non_empty)]
    scores: std::collections::BTreeMap<String, u8>,
    #[llm(len(max = 3))]
    nickname: Option<String>,
}

#[test]
fn collection_rules_count_items_and_none_passes() {
    let ok = Collections {
        tags: vec!["a".into()],
        scores: [("x".to_owned(), 1)].into(),
        nickname: None,
    };
    assert_eq!(violations(&ok), []);
    let bad = Collections {
        tags: vec!["a".into(), "b".into(), "c".into()],
        scores: Default::default(),
        nickname: Some("long".into()),
    };
    assert_eq!(
        violations(&bad),
        [
            ("tags".into(), "len", Some("3 items".into())),
            ("scores".into(), "non_empty", None),
            ("nickname".into(), "len", Some("4 characters".into())),
        ]
    );
}

fn no_spaces(value: &str) -> Result<(), String> {
    if value.contains(' ') {
        Err(format!(
            "must not contain spaces ({} found)",
            value.matches(' ').count()
        ))
    } else {
        Ok(())
    }
}

fn total_matches(order: &Order) -> Result<(), &'static str> {
    let sum: u32 = order.lines.iter().map(|l| l.qty).sum();
    if sum == order.total {
        Ok(())
    } else {
        Err("total must equal the sum of line quantities")
    }
}

#[derive(Debug, Serialize, Deserialize, JsonSchema, LlmOutput)]
struct Line {
    #[llm(custom = no_spaces)]
    sku: String,
    #[llm(range(min = 1))]
    qty: u32,
}

#[derive(Debug, Serialize, Deserialize, JsonSchema, LlmOutput)]
#[llm(validate = total_matches)]
struct Order {
    lines: Vec<Line>,
    total: u32,
    by_region: std::collections::HashMap<String, Vec<Line>>,
}

#[test]
fn custom_and_cross_field_rules_report_their_message() {
    let order = Order {
        lines: vec![Line {
            sku: "A 1 2".into(),
            qty: 1,
        }],
        total: 5,
        by_region: Default::default(),
    };
    let err = order.validate().unwrap_err();
    let messages: Vec<String> = err.violations().iter().map(ToString::to_string).collect();
    assert_eq!(
        messages,
        [
            "lines[0].sku: must not contain spaces (2 found)",
            "$: total must equal the sum of line quantities",
        ]
    );
    assert_eq!(
        err.violations()[0].rule(),
        &Rule::Custom {
            name: "no_spaces",
            message: "must not contain spaces (2 found)".into()
        }
    );
}

#[test]
fn nested_rules_apply_to_every_element_with_full_paths() {
    let order = Order {
        lines: vec![
            Line {
                sku: "a".into(),
                qty: 1,
            },
            Line {
                sku: "b".into(),
                qty: 0,
            },
        ],
        total: 1,
        by_region: [(
            "eu west".to_owned(),
            vec![Line {
                sku: "c".into(),
                qty: 0,
            }],
        )]
        .into(),
    };
    let paths: Vec<String> = order
        .validate()
        .unwrap_err()
        .violations()
        .iter()
        .map(|v| v.path().to_string())
        .collect();
    assert_eq!(paths, ["lines[1].qty", r#"by_region["eu west"][0].qty"#]);
}

#[derive(Debug, Serialize, Deserialize, JsonSchema, LlmOutput)]
struct Reply {
    #[llm(filter = Pii)]
    text: String,
}

#[test]
fn content_filter_names_the_category_and_never_echoes_the_text() {
    let canary = "canary-4111111111111111";
    let reply = Reply {
        text: format!("card {}", &canary[7..]),
    };
    let err = reply.validate().unwrap_err();
    let shown = format!("{err} {err:?} {}", err.reask_message());
    assert!(!shown.contains("4111111111111111"), "{shown}");
    assert_eq!(
        err.violations()[0].to_string(),
        "text: must not contain a payment card number (rejected by the pii filter)"
    );
}

struct Shouting;
impl ContentFilter for Shouting {
    fn name(&self) -> &'static str {
        "shouting"
    }
    fn check(&self, text: &str) -> Option<FilterMatch> {
        (text.len() > 2 && !text.chars().any(char::is_lowercase)).then(|| FilterMatch {
            category: "capitals only".into(),
        })
    }
}

#[derive(Debug, Serialize, Deserialize, JsonSchema, LlmOutput)]
struct Loud {
    #[llm(filter = Shouting)]
    text: Option<String>,
}

#[test]
fn custom_filters_plug_in() {
    assert!(Loud { text: None }.validate().is_ok());
    assert!(
        Loud {
            text: Some("Hi there".into())
        }
        .validate()
        .is_ok()
    );
    let err = Loud {
        text: Some("HI THERE".into()),
    }
    .validate()
    .unwrap_err();
    assert_eq!(
        err.violations()[0].rule(),
        &Rule::Filter {
            filter: "shouting",
            category: "capitals only".into()
        }
    );
}

#[test]
fn pii_filter_catches_common_personal_data() {
    for text in [
        "mail ada@example.com",
        "SSN 123-45-6789",
        "call +1 415 555 0100",
        "4111-1111-1111-1111",
    ] {
        assert!(Pii.check(text).is_some(), "{text}");
    }
    for text in ["order 1234 shipped", "version 1.2.3", "4111 1111 1111 1112"] {
        assert!(Pii.check(text).is_none(), "{text}");
    }
}

#[test]
fn every_violation_is_reported_at_once_and_reask_lists_them() {
    let bad = Numbers {
        qty: 0,
        delta: -9.0,
        size: 1,
        confidence: 0.9,
    };
    let err = bad.validate().unwrap_err();
    assert_eq!(
        err.reask_message(),
        "Your answer broke these rules:\n\
         - qty: must be between 1 and 10 (found 0)\n\
         - delta: must be at least -1.5 (found -9)\n\
         Answer again with corrected JSON only."
    );
}
