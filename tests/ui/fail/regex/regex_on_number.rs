use llm_core::prelude::*;

#[derive(Debug, Deserialize, JsonSchema, LlmOutput)]
struct Reply {
    #[llm(regex = "^[0-9]+$")]
    code: u32,
}

fn main() {}
