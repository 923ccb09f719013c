use llm_core::prelude::*;

struct Profanity;

#[derive(Debug, Deserialize, JsonSchema, LlmOutput)]
struct Reply {
    #[llm(filter = Profanity)]
    text: String,
}

fn main() {}
