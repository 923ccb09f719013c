use llm_core::prelude::*;

#[derive(Debug, Deserialize, JsonSchema, LlmOutput)]
struct Reply {
    #[llm(len(max = 10, max = 20))]
    title: String,
}

fn main() {}
