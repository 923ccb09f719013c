use llm_core::prelude::*;

type Code = u32;

#[derive(Debug, Deserialize, JsonSchema, LlmOutput)]
struct Reply {
    #[llm(regex = "^[0-9]+$")]
    code: Code,
}

fn main() {}
