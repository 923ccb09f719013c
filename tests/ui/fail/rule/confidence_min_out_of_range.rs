use llm_core::prelude::*;

#[derive(Debug, Deserialize, JsonSchema, LlmOutput)]
struct Reply {
    #[llm(confidence(min = 2.0))]
    confidence: f32,
}

fn main() {}
