use llm_core::prelude::*;

#[derive(Debug, Deserialize, JsonSchema, LlmOutput)]
struct Reply {
    #[llm(len(min = -1))]
    title: String,
}

fn main() {}
