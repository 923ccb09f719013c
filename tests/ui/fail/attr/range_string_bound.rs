use llm_core::prelude::*;

#[derive(Debug, Deserialize, JsonSchema, LlmOutput)]
struct Reply {
    #[llm(range(max = "10"))]
    qty: u32,
}

fn main() {}
