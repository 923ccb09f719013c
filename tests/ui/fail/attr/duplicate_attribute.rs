use llm_core::prelude::*;

#[derive(Debug, Deserialize, JsonSchema, LlmOutput)]
struct Reply {
    #[llm(regex = "^[a-z]+$", regex = "^[A-Z]+$")]
    code: String,
}

fn main() {}
