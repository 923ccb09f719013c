use llm_core::prelude::*;

#[derive(Debug, Deserialize, JsonSchema, LlmOutput)]
struct Reply {
    text: String,
}

#[llm_fn(prompt = "Answer: {text}", prompt_file = "prompts/x.md")]
async fn ask(llm: &Llm, text: &str) -> Result<Reply, LlmError>;

fn main() {}
