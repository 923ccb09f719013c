use llm_core::prelude::*;

#[derive(Debug, Deserialize, JsonSchema, LlmOutput)]
struct Reply {
    #[llm = "len(max = 80)"]
    title: String,
}

fn main() {}
