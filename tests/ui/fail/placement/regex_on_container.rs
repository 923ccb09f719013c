use llm_core::prelude::*;

#[derive(Debug, Deserialize, JsonSchema, LlmOutput)]
#[llm(regex = "^[A-Z]+$")]
struct Reply {
    code: String,
}

fn main() {}
