use llm_core::prelude::*;

#[derive(Debug, Deserialize, JsonSchema, LlmOutput)]
struct Reply {
    #[llm(len(max = 10))]
    done: bool,
}

fn main() {}
