use llm_core::prelude::*;

#[derive(Debug, Deserialize, JsonSchema, LlmOutput)]
struct Reply {
    text: String,
}

#[llm_fn(prompt = "Answer: {text}")]
async fn ask(llm: &Llm, #[llm(maxlen = 3)] text: &str) -> Result<Reply, LlmError>;

fn main() {}
