use llm_core::prelude::*;

type Score = f32;

#[derive(Debug, Deserialize, JsonSchema, LlmOutput)]
struct Verdict {
    #[llm(confidence(min = 0.5))]
    score: Score,
}

fn main() {
    assert!(Verdict { score: 0.4 }.validate().is_err());
}
