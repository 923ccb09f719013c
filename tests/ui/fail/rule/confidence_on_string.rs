use llm_core::prelude::*;

#[derive(Debug, Deserialize, JsonSchema, LlmOutput)]
struct Reply {
    #[llm(confidence(min = 0.5))]
    confidence: String,
}

fn main() {}
