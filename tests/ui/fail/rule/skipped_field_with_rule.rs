use llm_core::prelude::*;

#[derive(Debug, Deserialize, JsonSchema, LlmOutput)]
struct Reply {
    #[serde(skip)]
    #[llm(len(max = 80))]
    note: String,
}

fn main() {}
