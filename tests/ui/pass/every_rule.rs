use llm_core::prelude::*;
use llm_core::validate::Pii;

fn no_spaces(text: &str) -> Result<(), &'static str> {
    if text.contains(' ') { Err("must not contain spaces") } else { Ok(()) }
}

fn consistent(reply: &Reply) -> Result<(), String> {
    if reply.tags.len() <= 5 { Ok(()) } else { Err("at most five tags".to_owned()) }
}

/// Every field rule, and the container rule.
#[derive(Debug, Serialize, Deserialize, JsonSchema, LlmOutput)]
#[llm(validate = consistent)]
struct Reply {
    #[llm(regex = "^[A-Z]{3}$")]
    code: String,
    #[llm(len(min = 1, max = 80))]
    title: String,
    #[llm(len(max = 5), non_empty)]
    tags: Vec<String>,
    #[llm(range(min = 1, max = 100))]
    qty: u32,
    #[llm(range(min = -1.5))]
    delta: f64,
    #[llm(one_of = ["low", "high"])]
    level: String,
    #[llm(one_of = [1, 2, 3])]
    stars: u8,
    #[llm(non_empty)]
    summary: String,
    #[llm(email)]
    email: String,
    #[llm(url)]
    site: Option<String>,
    #[llm(deny = ["guaranteed", "act now"])]
    pitch: String,
    #[llm(filter = Pii)]
    notes: String,
    #[llm(custom = no_spaces)]
    sku: String,
    #[llm(confidence(min = 0.7))]
    confidence: f32,
}

fn main() {
    let reply = Reply {
        code: "ABC".into(),
        title: "A title".into(),
        tags: vec!["x".into()],
        qty: 3,
        delta: 0.0,
        level: "low".into(),
        stars: 2,
        summary: "Fine.".into(),
        email: "ada@example.com".into(),
        site: None,
        pitch: "A fair offer.".into(),
        notes: "Nothing personal.".into(),
        sku: "A-1".into(),
        confidence: 0.9,
    };
    assert!(reply.validate().is_ok());
}
