use llm_core::prelude::*;

type Amount = String;

#[derive(Debug, Deserialize, JsonSchema, LlmOutput)]
struct Reply {
    #[llm(range(min = 0))]
    amount: Amount,
}

fn main() {}
