use llm_core::prelude::*;

#[derive(Debug, Deserialize, JsonSchema, LlmOutput)]
struct Reply {
    #[llm(one_of = ["1", "2"])]
    stars: u8,
}

fn main() {}
