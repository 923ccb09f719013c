use llm_core::prelude::*;

#[derive(Debug, Deserialize, JsonSchema, LlmOutput)]
struct Reply {
    text: String,
}

#[llm_fn(prompt = 5)]
async fn ask(llm: &Llm, text: &str) -> Result<Reply, LlmError>;

fn main() {}
