use llm_core::prelude::*;

#[derive(Debug, Deserialize, JsonSchema, LlmOutput)]
#[llm(opaque)]
struct Reply {
    code: String,
}

fn main() {}
