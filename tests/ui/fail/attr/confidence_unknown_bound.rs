use llm_core::prelude::*;

#[derive(Debug, Deserialize, JsonSchema, LlmOutput)]
struct Reply {
    #[llm(confidence(max = 0.9))]
    confidence: f32,
}

fn main() {}
