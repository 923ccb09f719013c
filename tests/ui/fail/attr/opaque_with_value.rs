use llm_core::prelude::*;

#[derive(Debug, Deserialize, JsonSchema, LlmOutput)]
struct Reply {
    #[llm(opaque = true)]
    title: String,
}

fn main() {}
