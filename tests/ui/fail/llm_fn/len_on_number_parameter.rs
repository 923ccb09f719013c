use llm_core::prelude::*;

#[derive(Debug, Deserialize, JsonSchema, LlmOutput)]
struct Reply {
    text: String,
}

#[llm_fn(prompt = "Answer {n}")]
async fn ask(llm: &Llm, #[llm(len(max = 3))] n: u32) -> Result<Reply, LlmError>;

fn main() {}
