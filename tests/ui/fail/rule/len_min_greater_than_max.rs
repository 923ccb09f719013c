use llm_core::prelude::*;

#[derive(Debug, Deserialize, JsonSchema, LlmOutput)]
struct Reply {
    #[llm(len(min = 10, max = 2))]
    title: String,
}

fn main() {}
