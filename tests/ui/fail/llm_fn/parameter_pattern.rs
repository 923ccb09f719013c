use llm_core::prelude::*;

#[derive(Debug, Deserialize, JsonSchema, LlmOutput)]
struct Reply {
    text: String,
}

#[llm_fn(prompt = "Answer {a}")]
async fn ask(llm: &Llm, (a, b): (u8, u8)) -> Result<Reply, LlmError>;

fn main() {}
