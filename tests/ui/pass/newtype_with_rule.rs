use llm_core::prelude::*;

/// A newtype: the rule applies to the inner value.
#[derive(Debug, Deserialize, JsonSchema, LlmOutput)]
struct Sku(#[llm(regex = "^[A-Z]{2}-[0-9]+$")] String);

fn main() {
    assert!(Sku("AB-12".into()).validate().is_ok());
    assert!(Sku("ab".into()).validate().is_err());
}
