use llm_core::prelude::*;

#[derive(Debug, Deserialize, JsonSchema, LlmOutput)]
struct Reply {
    #[llm(filter = llm_core::validate::Pii)]
    flag: bool,
}

fn main() {}
