use llm_core::prelude::*;

#[derive(Debug, Deserialize, JsonSchema, LlmOutput)]
struct Reply {
    #[llm(one_of = ["low", 2, "high"])]
    level: String,
}

fn main() {}
