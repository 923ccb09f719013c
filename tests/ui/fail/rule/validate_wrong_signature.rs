use llm_core::prelude::*;

fn check(title: &str) -> Result<(), String> {
    if title.is_empty() { Err("empty".into()) } else { Ok(()) }
}

#[derive(Debug, Deserialize, JsonSchema, LlmOutput)]
#[llm(validate = check)]
struct Reply {
    title: String,
}

fn main() {}
