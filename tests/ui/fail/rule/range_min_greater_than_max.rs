use llm_core::prelude::*;

#[derive(Debug, Deserialize, JsonSchema, LlmOutput)]
struct Reply {
    #[llm(range(min = 10, max = -2.5))]
    delta: i32,
}

fn main() {}
