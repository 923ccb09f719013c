use llm_core::prelude::*;

#[derive(LlmOutput)]
union Number {
    int: u32,
    float: f32,
}

fn main() {}
