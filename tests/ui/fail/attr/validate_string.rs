use llm_core::prelude::*;

#[derive(Debug, Deserialize, JsonSchema, LlmOutput)]
#[llm(validate = "check")]
struct Reply {
    title: String,
}

fn main() {}
