use llm_core::prelude::*;

#[derive(Debug, Deserialize, JsonSchema, LlmOutput)]
#[llm(strict)]
struct Reply {
    title: String,
}

fn main() {}
