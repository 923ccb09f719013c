use llm_core::prelude::*;

#[derive(Debug, Deserialize, JsonSchema, LlmOutput)]
struct Reply {
    #[llm(range(max = 1e999))]
    amount: f64,
}

fn main() {}
