use llm_core::prelude::*;

fn check(_: &str) -> Result<(), String> {
    Ok(())
}

#[derive(Debug, Deserialize, JsonSchema, LlmOutput)]
struct Reply {
    #[llm(validate = check)]
    title: String,
}

fn main() {}
