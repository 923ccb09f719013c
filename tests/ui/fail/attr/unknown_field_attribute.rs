use llm_core::prelude::*;

#[derive(Debug, Deserialize, JsonSchema, LlmOutput)]
struct Reply {
    #[llm(maxlen = 80)]
    title: String,
}

fn main() {}
