use llm_core::prelude::*;

/// Deserializable and with a schema, but not `LlmOutput`.
#[derive(Debug, Deserialize, JsonSchema)]
struct Money {
    cents: u64,
}

#[derive(Debug, Deserialize, JsonSchema, LlmOutput)]
struct Reply {
    #[llm(opaque)]
    price: Money,
}

fn main() {
    assert!(Reply { price: Money { cents: 5 } }.validate().is_ok());
}
