//! Re-asking: a rule the grammar does not enforce and the model's first answer very likely
//! breaks (a title of at most 24 characters for a long text) gets re-asked with the exact error.

use llm_core::prelude::*;

use crate::support::Live;

/// A title.
#[derive(Debug, Serialize, Deserialize, JsonSchema, LlmOutput)]
struct Title {
    /// The title: at most four words.
    #[llm(len(min = 3, max = 24))]
    title: String,
}

#[llm_fn(
    system = "You write titles.",
    prompt = "Write a title for this text:\n{text}",
    mode = "native",
    retries = 1,
    temperature = 0.0,
    max_tokens = 120
)]
async fn title(llm: &Llm, text: &str) -> Result<Title, LlmError>;

const TEXTS: [&str; 3] = [
    "After months of negotiations, the regional transport authority and the rail workers' \
     union agreed on a new contract that raises wages by four percent and ends the strikes.",
    "Researchers at the university observed a colony of emperor penguins that had moved its \
     breeding ground thirty kilometres inland after the sea ice broke up early.",
    "The museum reopens its renovated east wing with an exhibition of medieval maps, \
     including a world map drawn on goatskin around the year 1300.",
];

#[tokio::test]
#[ignore = "needs a live model: scripts/test-live.sh"]
async fn a_strict_rule_gets_reasked() {
    let live = Live::new();
    let mut reasked = 0;
    for (i, text) in TEXTS.iter().enumerate() {
        let label = format!("title {i}");
        let result = title::with_provenance(&live.llm, text).await;
        let outcome = live.check(&label, result);
        if outcome.attempts().len() > 1 {
            reasked += 1;
        }
    }
    // `check` verified that each re-ask carried the model's answer and the exact error.
    assert!(reasked > 0, "none of {} calls was re-asked", TEXTS.len());
}
