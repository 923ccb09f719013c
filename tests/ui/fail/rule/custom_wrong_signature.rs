use llm_core::prelude::*;

fn short(text: &str) -> bool {
    text.len() < 10
}

#[derive(Debug, Deserialize, JsonSchema, LlmOutput)]
struct Reply {
    #[llm(custom = short)]
    text: String,
}

fn main() {}
