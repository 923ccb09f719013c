use llm_core::prelude::*;

#[derive(Debug, Deserialize, JsonSchema, LlmOutput)]
struct Reply {
    #[llm(email)]
    contact: u64,
}

fn main() {}
