use llm_core::prelude::*;

#[derive(Debug, Deserialize, JsonSchema, LlmOutput)]
struct Reply {
    text: String,
}

#[llm_fn(prompt = "Answer: {text}")]
async fn ask<T: AsRef<str>>(llm: &Llm, text: T) -> Result<Reply, LlmError>;

fn main() {}
