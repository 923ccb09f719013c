use llm_core::prelude::*;

#[derive(Debug, Deserialize, JsonSchema, LlmOutput)]
enum Event {
    Created { by: String },
    #[serde(skip)]
    Internal {
        #[llm(len(max = 10))]
        note: String,
    },
}

fn main() {}
