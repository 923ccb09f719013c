use llm_core::prelude::*;

#[derive(Debug, Deserialize, JsonSchema, LlmOutput)]
struct Reply {
    text: String,
}

#[llm_fn(prompt = "Answer: {text}")]
async fn ask(llm: &Llm, text: &str) -> Result<Reply, LlmError> {
    todo!()
}

fn main() {}
