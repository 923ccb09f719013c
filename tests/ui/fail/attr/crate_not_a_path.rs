use llm_core::prelude::*;

#[derive(Debug, Deserialize, JsonSchema, LlmOutput)]
#[llm(crate = "not a path!")]
struct Reply {
    title: String,
}

fn main() {}
