use llm_core::prelude::*;

#[derive(Debug, Deserialize, JsonSchema, LlmOutput)]
struct Reply {
    text: String,
}

#[llm_fn(prompt = "Answer {score}")]
async fn ask(llm: &Llm, #[llm(confidence(min = 0.5))] score: f32) -> Result<Reply, LlmError>;

fn main() {}
