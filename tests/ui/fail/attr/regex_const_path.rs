use llm_core::prelude::*;

const PATTERN: &str = "^[A-Z]+$";

#[derive(Debug, Deserialize, JsonSchema, LlmOutput)]
struct Reply {
    #[llm(regex = PATTERN)]
    code: String,
}

fn main() {}
