use llm_core::prelude::*;

#[derive(Debug, Deserialize, JsonSchema, LlmOutput)]
enum Mood {
    #[llm(alias = "happy")]
    Glad,
    Sad,
}

fn main() {}
