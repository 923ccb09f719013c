use llm_core::prelude::*;

#[derive(Debug, Deserialize, JsonSchema, LlmOutput)]
struct Qty(#[llm(len(max = 10))] u32);

fn main() {}
