use llm_core::prelude::*;

#[derive(Debug, Deserialize, JsonSchema, LlmOutput)]
struct Reply {
    #[llm(crate = "llm_core")]
    title: String,
}

fn main() {}
