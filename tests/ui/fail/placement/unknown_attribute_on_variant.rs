use llm_core::prelude::*;

#[derive(Debug, Deserialize, JsonSchema, LlmOutput)]
enum Answer {
    #[llm(default)]
    Unknown,
    Text { body: String },
}

fn main() {}
