use llm_core::prelude::*;

#[derive(Debug, Deserialize, JsonSchema, LlmOutput)]
struct Reply {
    #[llm(non_empty)]
    qty: Option<u32>,
}

fn main() {}
