use llm_core::prelude::*;

#[derive(Debug, Deserialize, JsonSchema, LlmOutput)]
enum Answer {
    #[llm(len(max = 80))]
    Text(String),
    Number(f64),
}

fn main() {}
