use llm_core::prelude::*;

fn check(_: &Answer) -> Result<(), String> {
    Ok(())
}

#[derive(Debug, Deserialize, JsonSchema, LlmOutput)]
enum Answer {
    #[llm(validate = check)]
    Text { body: String },
}

fn main() {}
