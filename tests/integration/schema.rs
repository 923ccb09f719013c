//! The canonical schema with rules, and the format instructions (snapshots).

use std::collections::BTreeMap;

use llm_core::prelude::*;

/// A line item on an invoice.
#[derive(Debug, Serialize, Deserialize, JsonSchema, LlmOutput)]
struct Item {
    /// What was sold, as printed.
    #[llm(len(min = 1, max = 80))]
    name: String,
    #[llm(range(min = 1))]
    qty: u32,
}

#[derive(Debug, Serialize, Deserialize, JsonSchema, LlmOutput)]
#[serde(rename_all = "UPPERCASE")]
enum Currency {
    Usd,
    Eur,
    Gbp,
}

/// A postal address.
#[derive(Debug, Serialize, Deserialize, JsonSchema, LlmOutput)]
struct Address {
    #[llm(non_empty)]
    city: String,
    #[llm(regex = "^[A-Z]{2}$")]
    country: String,
}

/// An invoice extracted from free text.
#[derive(Debug, Serialize, Deserialize, JsonSchema, LlmOutput)]
#[serde(rename_all = "camelCase")]
struct Invoice {
    #[llm(regex = r"^[A-Z][\w .&-]+$")]
    vendor_name: String,
    #[llm(range(min = 0.0))]
    total: f64,
    currency: Currency,
    #[llm(len(min = 1))]
    items: Vec<Item>,
    billing_address: Option<Address>,
    #[llm(email)]
    contact: Option<String>,
    #[serde(default)]
    #[llm(one_of = ["paid", "due"])]
    status: Option<String>,
    #[serde(skip)]
    #[allow(dead_code)]
    internal_id: u64,
    /// How sure you are that this is an invoice.
    #[llm(confidence(min = 0.6))]
    confidence: f32,
}

#[test]
fn invoice_schema() {
    insta::assert_json_snapshot!(Invoice::schema());
}

#[test]
fn invoice_format_instructions() {
    insta::assert_snapshot!(Invoice::format_instructions());
}

/// A comment thread.
#[derive(Debug, Serialize, Deserialize, JsonSchema, LlmOutput)]
struct Comment {
    #[llm(len(max = 280))]
    text: String,
    replies: Vec<Comment>,
}

#[test]
fn recursive_type_instructions_name_the_repeated_shape() {
    insta::assert_snapshot!(Comment::format_instructions());
}

/// What a ticket is about.
#[derive(Debug, Serialize, Deserialize, JsonSchema, LlmOutput)]
#[serde(rename_all = "snake_case")]
enum Topic {
    /// Payments, invoices,
    /// refunds.
    Billing,
    /// Deliveries and returns.
    Shipping,
    Other,
}

#[derive(Debug, Serialize, Deserialize, JsonSchema, LlmOutput)]
struct Ticket {
    topic: Topic,
    also: Vec<Topic>,
}

#[test]
fn documented_enum_values_are_explained_where_they_are_asked() {
    let docs = "// \"billing\": Payments, invoices, refunds.\n  // \"shipping\": Deliveries and returns.\n";
    let instructions = Ticket::format_instructions();
    assert!(
        instructions.contains(&format!("{docs}  \"topic\": ")),
        "{instructions}"
    );
    assert!(
        instructions.contains(&format!("{docs}  \"also\": [")),
        "{instructions}"
    );
    // At the root too; an undocumented value gets no line.
    let root = Topic::format_instructions();
    assert!(
        root.contains("// \"shipping\": Deliveries and returns.\n\""),
        "{root}"
    );
    assert!(!root.contains("// \"other\""), "{root}");
}

#[test]
fn the_format_version_names_what_the_instructions_look_like() {
    // A prompt-mode `PROMPT_HASH` includes `FORMAT_VERSION` instead of the instructions' text,
    // so any change to the instructions must come with a new version. When this fails after a
    // deliberate change: raise `FORMAT_VERSION`, then pin the new version and hash here.
    let text = [
        Invoice::format_instructions(),
        Comment::format_instructions(),
        Drawing::format_instructions(),
        Ticket::format_instructions(),
        Topic::format_instructions(),
    ]
    .concat();
    let hash = llm_core::output::hash::fnv1a(text.as_bytes());
    assert_eq!(
        (llm_core::output::FORMAT_VERSION, format!("{hash:016x}")),
        (2, "9ae66de44d30821b".to_owned())
    );
}

#[derive(Debug, Serialize, Deserialize, JsonSchema, LlmOutput)]
#[serde(tag = "kind", rename_all = "snake_case")]
enum Shape {
    Circle {
        #[llm(range(min = 0.0))]
        radius: f64,
    },
    Square {
        #[llm(range(min = 0.0))]
        side: f64,
    },
}

#[derive(Debug, Serialize, Deserialize, JsonSchema, LlmOutput)]
struct Drawing {
    #[llm(len(max = 3))]
    shapes: Vec<Shape>,
    labels: BTreeMap<String, Item>,
}

#[test]
fn tagged_enum_and_map_instructions() {
    insta::assert_snapshot!(Drawing::format_instructions());
}

/// A sku such as `AB-123`.
#[derive(Debug, Serialize, Deserialize, JsonSchema, LlmOutput)]
struct Sku(#[llm(regex = "^[A-Z]{2}-[0-9]{3}$")] String);

#[derive(Debug, Serialize, Deserialize, JsonSchema, LlmOutput)]
struct Meta {
    #[llm(len(max = 20))]
    source: String,
}

#[derive(Debug, Serialize, Deserialize, JsonSchema, LlmOutput)]
struct Product {
    sku: Sku,
    #[serde(flatten)]
    meta: Meta,
}

#[test]
fn newtype_and_flattened_rules_reach_the_schema_and_validation() {
    let schema = serde_json::to_value(Product::schema()).unwrap();
    assert_eq!(schema["$defs"]["Sku"]["pattern"], "^[A-Z]{2}-[0-9]{3}$");
    assert_eq!(schema["properties"]["source"]["maxLength"], 20);
    let bad = Product {
        sku: Sku("ab-1".into()),
        meta: Meta {
            source: "x".repeat(21),
        },
    };
    let paths: Vec<String> = bad
        .validate()
        .unwrap_err()
        .violations()
        .iter()
        .map(|v| v.path().to_string())
        .collect();
    assert_eq!(paths, ["sku", "source"]);
}

#[test]
fn rules_on_optional_and_nested_fields_reach_the_schema() {
    let schema = serde_json::to_value(Invoice::schema()).unwrap();
    assert_eq!(
        schema["$defs"]["Address"]["properties"]["country"]["pattern"],
        "^[A-Z]{2}$"
    );
    assert_eq!(
        schema["properties"]["status"]["enum"],
        serde_json::json!(["paid", "due", null])
    );
    assert_eq!(schema["properties"]["items"]["minItems"], 1);
    assert!(schema["properties"].get("internalId").is_none());
    let required = schema["required"].as_array().unwrap();
    assert!(
        !required.contains(&"status".into()),
        "a serde default is not required"
    );
}

#[test]
fn the_confidence_threshold_is_not_shown_to_the_model() {
    let text = Invoice::format_instructions();
    assert!(text.contains("\"confidence\": number // 0 to 1"), "{text}");
    assert!(!text.contains("0.6"));
}

/// Replies that need the schema (a number written as a string, a fenced list with a trailing
/// comma), read into more types than a thread keeps schemas for at hand, twice round: each is
/// fitted to its own type's schema every time.
#[test]
fn each_type_is_read_with_its_own_schema_however_many_a_thread_reads() {
    fn check<T: LlmOutput + PartialEq + std::fmt::Debug>(raw: &str, want: T) {
        let got = T::parse(raw).map(|parsed| parsed.value);
        assert_eq!(
            got.as_ref().ok(),
            Some(&want),
            "{raw:?} as {}",
            T::schema_name()
        );
    }
    for _ in 0..2 {
        check::<i64>("\"42\"", 42);
        check::<u8>("\"7\"", 7);
        check::<f64>("\"2.5\"", 2.5);
        check::<bool>("\"yes\"", true);
        check::<String>("Sure! 42", "Sure! 42".to_owned());
        check::<Vec<i64>>("```json\n[1, \"2\",]\n```", vec![1, 2]);
        check::<Vec<String>>("```json\n['a', 'b',]\n```", vec!["a".into(), "b".into()]);
        check::<Vec<bool>>("```json\n[True, \"no\",]\n```", vec![true, false]);
        check::<Vec<f64>>("```json\n[\"1.5\", 2,]\n```", vec![1.5, 2.0]);
        check::<Option<i64>>("\"9\"", Some(9));
        check::<Vec<u8>>("```json\n[\"3\",]\n```", vec![3]);
        check::<BTreeMap<String, i64>>("{'a': \"1\",}", BTreeMap::from([("a".into(), 1)]));
    }
}
