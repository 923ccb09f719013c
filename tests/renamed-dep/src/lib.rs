//! Derived code compiles warning-free under `deny(warnings)` and clippy's pedantic lints, with
//! generics, with the crate renamed, and with common names shadowed at the use site.

#![deny(warnings, clippy::pedantic)]
#![allow(dead_code)]
#![cfg_attr(test, allow(clippy::unwrap_used))]

use renamed_core::LlmOutput;
use schemars::JsonSchema;
use serde::Deserialize;

// Shadow names the generated code must not rely on.
#[allow(non_camel_case_types)]
type Option = ();
#[allow(non_camel_case_types)]
type Result = ();
#[allow(non_camel_case_types)]
type Value = ();
mod core {}

/// A generic wrapper: the bound `T: LlmOutput` is added by the derive.
#[derive(Debug, Deserialize, JsonSchema, LlmOutput)]
#[llm(crate = "renamed_core")]
struct Page<T> {
    #[llm(len(max = 50))]
    items: Vec<T>,
    #[llm(range(min = 0))]
    total: u64,
}

/// An item with rules of every kind.
#[derive(Debug, Deserialize, JsonSchema, LlmOutput)]
#[llm(crate = "renamed_core", validate = check_entry)]
struct Entry {
    #[llm(regex = "^[a-z]+$", len(min = 1, max = 10))]
    key: String,
    #[llm(one_of = [1, 2, 3])]
    level: u8,
    #[llm(email)]
    owner: ::std::option::Option<String>,
    #[llm(confidence(min = 0.5))]
    confidence: f64,
}

#[allow(clippy::unnecessary_wraps)]
fn check_entry(entry: &Entry) -> ::std::result::Result<(), &'static str> {
    if entry.key.is_empty() {
        Err("key is empty")
    } else {
        Ok(())
    }
}

/// An enum with data, internally tagged.
#[derive(Debug, Deserialize, JsonSchema, LlmOutput)]
#[llm(crate = "renamed_core")]
#[serde(tag = "type")]
enum Event {
    Created {
        #[llm(non_empty)]
        by: String,
    },
    Deleted,
}

#[test]
fn generic_and_renamed_types_validate() {
    let page: Page<Entry> = Page {
        items: vec![Entry {
            key: "ab".into(),
            level: 4,
            owner: None,
            confidence: 0.9,
        }],
        total: 1,
    };
    let err = page.validate().unwrap_err();
    assert_eq!(err.violations()[0].path().to_string(), "items[0].level");
    assert!(Event::Created { by: " ".into() }.validate().is_err());
    assert_ne!(
        <Page<Entry> as LlmOutput>::SCHEMA_HASH,
        <Page<Event> as LlmOutput>::SCHEMA_HASH
    );
}

/// Who a summary is for.
#[derive(Debug)]
pub struct Reader {
    name: String,
}

/// A generated call, with the crate renamed, a path-qualified return type and a field
/// placeholder.
mod calls {
    use renamed_core::{Llm, LlmError};

    /// A summary written for a reader.
    #[derive(
        Debug, serde::Serialize, serde::Deserialize, schemars::JsonSchema, renamed_core::LlmOutput,
    )]
    #[llm(crate = "renamed_core")]
    pub struct Summary {
        #[llm(len(min = 1, max = 200), grounded)]
        pub headline: String,
    }

    /// Summarizes `text` for `reader`.
    #[renamed_core::llm_fn(
        crate = "renamed_core",
        system = "You summarize.",
        prompt = "Summarize for {reader.name}:\n{text}",
        retries = 1,
        temperature = 0.0
    )]
    pub async fn summarize(
        llm: &Llm,
        #[llm(non_empty, len(max = 1000))] text: &str,
        reader: &super::Reader,
    ) -> ::std::result::Result<self::Summary, LlmError>;
}

#[test]
fn a_generated_call_runs_through_its_fake() {
    let reader = Reader { name: "Ada".into() };
    let llm = calls::summarize::fake().returns(calls::Summary {
        headline: "Bolts shipped".into(),
    });
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_time()
        .build()
        .unwrap();
    let summary = runtime
        .block_on(calls::summarize(&llm, "The bolts shipped today.", &reader))
        .unwrap();
    assert_eq!(summary.headline, "Bolts shipped");
    assert_eq!(llm.calls()[0].arg("reader.name"), Some("Ada"));
}
