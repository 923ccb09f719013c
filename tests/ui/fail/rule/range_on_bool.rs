use llm_core::prelude::*;

#[derive(Debug, Deserialize, JsonSchema, LlmOutput)]
struct Reply {
    #[llm(range(min = 0))]
    done: bool,
}

fn main() {}
