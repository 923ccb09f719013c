use llm_core::prelude::*;

#[derive(Debug, Deserialize, JsonSchema, LlmOutput)]
struct Reply {
    text: String,
}

#[llm_fn(prompt = "Answer: {text}")]
async fn ask(text: &str, llm: &Llm) -> Result<Reply, LlmError>;

fn main() {}
