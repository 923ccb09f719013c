use llm_core::prelude::*;

type Stars = String;

#[derive(Debug, Deserialize, JsonSchema, LlmOutput)]
struct Reply {
    #[llm(one_of = [1, 2, 3])]
    stars: Stars,
}

fn main() {}
