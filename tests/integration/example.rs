//! `T::example()`: a schema-valid value that passes every rule, for tests that need data.

use std::collections::BTreeMap;

use llm_core::prelude::*;

#[derive(Debug, Serialize, Deserialize, JsonSchema, LlmOutput)]
#[serde(rename_all = "snake_case")]
enum Priority {
    Low,
    Urgent,
}

#[derive(Debug, Serialize, Deserialize, JsonSchema, LlmOutput)]
#[serde(tag = "kind", rename_all = "snake_case")]
enum Contact {
    Email {
        #[llm(email)]
        address: String,
    },
    Phone {
        #[llm(regex = r"^\+\d{6,12}$")]
        number: String,
    },
}

#[derive(Debug, Serialize, Deserialize, JsonSchema, LlmOutput)]
struct Ticket {
    #[llm(regex = r"^[A-Z]{3}-\d{4}$")]
    id: String,
    #[llm(len(min = 10, max = 40))]
    summary: String,
    priority: Priority,
    contact: Contact,
    #[llm(url)]
    link: Option<String>,
    #[llm(len(min = 2), one_of = ["billing", "bug", "other"])]
    queue: String,
    #[llm(range(min = 1, max = 5))]
    severity: u8,
    #[llm(confidence(min = 0.8))]
    confidence: f32,
    #[llm(len(min = 2, max = 3))]
    tags: Vec<String>,
    scores: BTreeMap<String, f64>,
}

#[derive(Debug, Serialize, Deserialize, JsonSchema, LlmOutput)]
struct Node {
    #[llm(non_empty)]
    name: String,
    children: Vec<Node>,
}

fn not_example(text: &str) -> Result<(), &'static str> {
    if text == "example" {
        Err("must not be the placeholder")
    } else {
        Ok(())
    }
}

#[derive(Debug, Serialize, Deserialize, JsonSchema, LlmOutput)]
struct Picky {
    #[llm(custom = not_example)]
    name: String,
}

#[test]
fn an_example_fits_the_schema_and_passes_every_rule() {
    let ticket = Ticket::example().unwrap();
    ticket.validate().unwrap();
    assert_eq!(ticket.id.len(), 8);
    assert!((10..=40).contains(&ticket.summary.len()));
    assert_eq!(ticket.queue, "billing");
    assert!(ticket.confidence >= 0.8, "a hidden threshold is met too");
    assert_eq!(ticket.tags.len(), 2);
    assert!(matches!(ticket.contact, Contact::Email { .. }));
    // The JSON of the example parses back through the lenient parser unchanged.
    let json = serde_json::to_string(&ticket).unwrap();
    let parsed = Ticket::parse_validated(&json).unwrap();
    assert!(parsed.fixes.is_empty(), "{:?}", parsed.fixes);
}

#[test]
fn recursive_types_stop_at_a_fixed_depth() {
    let node = Node::example().unwrap();
    let mut depth = 0;
    let mut current = &node;
    while let Some(child) = current.children.first() {
        depth += 1;
        current = child;
    }
    assert!((1..=6).contains(&depth), "{depth}");
}

#[test]
fn a_rule_the_schema_cannot_describe_is_reported_with_the_value() {
    let err = Picky::example().unwrap_err();
    assert!(
        err.to_string()
            .ends_with("breaks a rule the schema does not describe"),
        "{err}"
    );
    assert_eq!(err.value(), &serde_json::json!({"name": "example"}));
    let source = std::error::Error::source(&err).unwrap().to_string();
    assert_eq!(
        source,
        "1 rule violation: name: must not be the placeholder"
    );
}
