use llm_core::prelude::*;

#[derive(Debug, Deserialize, JsonSchema, LlmOutput)]
struct Reply {
    #[llm(range(min = 1, max = 10))]
    title: String,
}

fn main() {}
