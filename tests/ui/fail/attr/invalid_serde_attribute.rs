use llm_core::prelude::*;

#[derive(Debug, Deserialize, JsonSchema, LlmOutput)]
struct Reply {
    #[serde(rename = 5)]
    title: String,
}

fn main() {}
