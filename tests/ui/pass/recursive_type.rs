use llm_core::prelude::*;

/// A tree of nodes.
#[derive(Debug, Deserialize, JsonSchema, LlmOutput)]
struct Node {
    #[llm(non_empty)]
    label: String,
    children: Vec<Node>,
}

fn main() {
    let tree = Node { label: "root".into(), children: vec![Node { label: String::new(), children: vec![] }] };
    assert!(tree.validate().is_err());
    let _ = Node::SCHEMA_HASH;
}
