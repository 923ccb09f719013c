use llm_core::prelude::*;

#[derive(Debug, Deserialize, JsonSchema, LlmOutput)]
#[llm(crate = llm_core)]
struct Reply {
    title: String,
}

fn main() {}
