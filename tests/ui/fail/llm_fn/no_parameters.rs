use llm_core::prelude::*;

#[derive(Debug, Deserialize, JsonSchema, LlmOutput)]
struct Reply {
    text: String,
}

#[llm_fn(prompt = "Say hi")]
async fn ask() -> Result<Reply, LlmError>;

fn main() {}
