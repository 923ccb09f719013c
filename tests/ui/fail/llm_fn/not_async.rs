use llm_core::prelude::*;

#[derive(Debug, Deserialize, JsonSchema, LlmOutput)]
struct Reply {
    text: String,
}

#[llm_fn(prompt = "Answer: {text}")]
fn ask(llm: &Llm, text: &str) -> Result<Reply, LlmError>;

fn main() {}
