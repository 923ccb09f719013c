use llm_core::prelude::*;

#[derive(Debug, Deserialize, JsonSchema, LlmOutput)]
enum Kind {
    #[llm(crate = "llm_core")]
    A,
}

fn main() {}
