use llm_core::prelude::*;

#[derive(Debug, Deserialize, JsonSchema, LlmOutput)]
struct Reply {
    #[llm(filter = "Pii")]
    text: String,
}

fn main() {}
