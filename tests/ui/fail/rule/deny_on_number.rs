use llm_core::prelude::*;

#[derive(Debug, Deserialize, JsonSchema, LlmOutput)]
struct Reply {
    #[llm(deny = ["spam"])]
    score: i64,
}

fn main() {}
