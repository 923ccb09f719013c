use llm_core::prelude::*;

#[derive(Debug, Deserialize, JsonSchema, LlmOutput)]
struct Reply {
    text: String,
}

struct Bot;

impl Bot {
    #[llm_fn(prompt = "Answer: {text}")]
    async fn ask(&self, text: &str) -> Result<Reply, LlmError>;
}

fn main() {}
