use llm_core::prelude::*;

#[derive(Debug, Deserialize, JsonSchema, LlmOutput)]
struct Meta {
    author: String,
}

#[derive(Debug, Deserialize, JsonSchema, LlmOutput)]
struct Reply {
    #[serde(flatten)]
    #[llm(non_empty)]
    meta: Meta,
}

fn main() {}
