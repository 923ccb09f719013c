use llm_core::prelude::*;

#[derive(Debug, Deserialize, JsonSchema, LlmOutput)]
struct Reply {
    #[llm(one_of = [1, 2])]
    stars: String,
}

fn main() {}
