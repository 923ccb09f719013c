use llm_core::prelude::*;

#[derive(Debug, Deserialize, JsonSchema)]
struct Money {
    cents: u64,
}

#[derive(Debug, Deserialize, JsonSchema, LlmOutput)]
struct Reply {
    price: Money,
}

fn main() {}
