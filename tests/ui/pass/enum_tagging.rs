use llm_core::prelude::*;

/// Externally tagged (serde's default).
#[derive(Debug, Deserialize, JsonSchema, LlmOutput)]
enum External {
    Text(#[llm(len(max = 80))] String),
    Pair(#[llm(range(min = 0))] i32, #[llm(non_empty)] String),
    Named {
        #[llm(regex = "^[a-z]+$")]
        name: String,
    },
    Nothing,
}

/// Internally tagged.
#[derive(Debug, Deserialize, JsonSchema, LlmOutput)]
#[serde(tag = "kind")]
enum Internal {
    Refund {
        #[llm(range(min = 0.01))]
        amount: f64,
    },
    Escalate {
        #[llm(one_of = ["low", "high"])]
        priority: String,
    },
    Close,
}

/// Adjacently tagged.
#[derive(Debug, Deserialize, JsonSchema, LlmOutput)]
#[serde(tag = "t", content = "c")]
enum Adjacent {
    Text(#[llm(len(min = 1))] String),
    Score {
        #[llm(confidence(min = 0.5))]
        confidence: f32,
    },
    Nothing,
}

/// Untagged.
#[derive(Debug, Deserialize, JsonSchema, LlmOutput)]
#[serde(untagged)]
enum Untagged {
    Email {
        #[llm(email)]
        email: String,
    },
    Phone {
        #[llm(regex = r"^\+[0-9 ]+$")]
        phone: String,
    },
}

fn main() {
    assert!(External::Text("x".repeat(81)).validate().is_err());
    assert!(Internal::Refund { amount: 0.0 }.validate().is_err());
    assert!(Adjacent::Text(String::new()).validate().is_err());
    assert!(Untagged::Email { email: "nope".into() }.validate().is_err());
    assert!(External::Nothing.validate().is_ok());
}
