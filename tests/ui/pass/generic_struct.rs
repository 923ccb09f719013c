use llm_core::prelude::*;

/// A generic page: the derive adds `T: LlmOutput`.
#[derive(Debug, Deserialize, JsonSchema, LlmOutput)]
struct Page<T> {
    #[llm(len(max = 2))]
    items: Vec<T>,
    #[llm(range(min = 0))]
    total: i64,
}

#[derive(Debug, Deserialize, JsonSchema, LlmOutput)]
struct Item {
    #[llm(non_empty)]
    name: String,
}

fn main() {
    let page = Page { items: vec![Item { name: " ".into() }], total: 1 };
    assert!(page.validate().is_err());
}
