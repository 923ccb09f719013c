use llm_core::prelude::*;

#[derive(Debug, Deserialize, JsonSchema, LlmOutput)]
struct Reply {
    #[llm(alias = "name")]
    title: String,
}

fn main() {}
