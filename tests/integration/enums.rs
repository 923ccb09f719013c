//! Enums in each serde tagging, serde renames, and the paths of their violations.

use llm_core::prelude::*;

#[derive(Debug, Serialize, Deserialize, JsonSchema, LlmOutput, PartialEq)]
#[serde(rename_all = "UPPERCASE")]
enum Currency {
    Usd,
    #[serde(alias = "€")]
    Eur,
}

#[test]
fn unit_enums_parse_by_serde_names_and_aliases() {
    assert_eq!(Currency::parse("\"USD\"").unwrap().value, Currency::Usd);
    assert_eq!(Currency::parse("\"€\"").unwrap().value, Currency::Eur);
    let lenient = Currency::parse("usd").unwrap();
    assert_eq!(lenient.value, Currency::Usd);
    let kinds: Vec<_> = lenient.fixes.iter().map(|f| f.kind).collect();
    assert_eq!(
        kinds,
        [
            llm_core::parse::FixKind::UnquotedValue,
            llm_core::parse::FixKind::EnumCase
        ]
    );
    assert!(Currency::parse("\"yen\"").is_err());
    let schema = Currency::schema();
    assert_eq!(
        schema.get("enum").unwrap(),
        &serde_json::json!(["USD", "EUR"])
    );
}

#[derive(Debug, Serialize, Deserialize, JsonSchema, LlmOutput)]
#[serde(rename_all = "snake_case")]
enum External {
    Note {
        #[llm(len(max = 5))]
        text: String,
    },
    Pair(#[llm(range(max = 9))] u8, #[llm(non_empty)] String),
    Wrapped(Inner),
    Nothing,
}

#[derive(Debug, Serialize, Deserialize, JsonSchema, LlmOutput)]
struct Inner {
    #[serde(rename = "Qty")]
    #[llm(range(min = 1))]
    qty: u32,
}

#[derive(Debug, Serialize, Deserialize, JsonSchema, LlmOutput)]
#[serde(tag = "type", rename_all = "camelCase")]
enum Internal {
    LongNote {
        #[llm(len(max = 5))]
        text: String,
    },
    Wrapped(Inner),
}

#[derive(Debug, Serialize, Deserialize, JsonSchema, LlmOutput)]
#[serde(tag = "t", content = "c")]
enum Adjacent {
    Note {
        #[llm(len(max = 5))]
        text: String,
    },
}

#[derive(Debug, Serialize, Deserialize, JsonSchema, LlmOutput)]
#[serde(untagged)]
enum Untagged {
    Note {
        #[llm(len(max = 5))]
        text: String,
    },
    Number(#[llm(range(min = 0))] i32),
}

fn first_path<T: LlmOutput>(value: &T) -> String {
    value.validate().unwrap_err().violations()[0]
        .path()
        .to_string()
}

#[test]
fn violation_paths_follow_serde_tagging_and_renames() {
    assert_eq!(
        first_path(&External::Note {
            text: "toolong".into()
        }),
        "note.text"
    );
    assert_eq!(first_path(&External::Pair(10, "x".into())), "pair[0]");
    assert_eq!(first_path(&External::Pair(1, " ".into())), "pair[1]");
    assert_eq!(
        first_path(&External::Wrapped(Inner { qty: 0 })),
        "wrapped.Qty"
    );
    assert!(External::Nothing.validate().is_ok());
    assert_eq!(
        first_path(&Internal::LongNote {
            text: "toolong".into()
        }),
        "text"
    );
    assert_eq!(first_path(&Internal::Wrapped(Inner { qty: 0 })), "Qty");
    assert_eq!(
        first_path(&Adjacent::Note {
            text: "toolong".into()
        }),
        "c.text"
    );
    assert_eq!(
        first_path(&Untagged::Note {
            text: "toolong".into()
        }),
        "text"
    );
    assert_eq!(first_path(&Untagged::Number(-1)), "$");
}

#[test]
fn data_enums_parse_in_each_tagging() {
    let parsed = Internal::parse(r#"{"type": "longNote", "text": "hi"}"#)
        .unwrap()
        .value;
    assert!(matches!(parsed, Internal::LongNote { ref text } if text == "hi"));
    let parsed = Adjacent::parse(r#"{"t": "Note", "c": {"text": "hi"}}"#)
        .unwrap()
        .value;
    assert!(matches!(parsed, Adjacent::Note { .. }));
    let parsed = External::parse(r#"{"pair": [1, "a"]}"#).unwrap().value;
    assert!(matches!(parsed, External::Pair(1, _)));
    let parsed = Untagged::parse("7").unwrap().value;
    assert!(matches!(parsed, Untagged::Number(7)));
}

#[test]
fn rules_inside_variants_reach_the_schema() {
    let schema = serde_json::to_value(Internal::schema()).unwrap();
    let branch = &schema["oneOf"][0];
    assert_eq!(branch["properties"]["type"]["const"], "longNote");
    assert_eq!(branch["properties"]["text"]["maxLength"], 5);
    let schema = serde_json::to_value(Adjacent::schema()).unwrap();
    assert_eq!(
        schema["oneOf"][0]["properties"]["c"]["properties"]["text"]["maxLength"],
        5
    );
    let schema = serde_json::to_value(External::schema()).unwrap();
    let pair = schema["oneOf"]
        .as_array()
        .unwrap()
        .iter()
        .find(|b| b["properties"].get("pair").is_some())
        .unwrap();
    assert_eq!(pair["properties"]["pair"]["prefixItems"][0]["maximum"], 9);
    assert_eq!(pair["properties"]["pair"]["prefixItems"][1]["minLength"], 1);
    assert_eq!(schema["$defs"]["Inner"]["properties"]["Qty"]["minimum"], 1);
    let schema = serde_json::to_value(Untagged::schema()).unwrap();
    assert_eq!(schema["anyOf"][1]["minimum"], 0);
}
