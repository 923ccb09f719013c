//! Typed, validated, testable LLM calls.
//!
//! A model is not a pure function: its replies come wrapped in prose, cut off, in the wrong
//! shape, or confidently wrong. This crate turns a reply into a typed value only after it has
//! been found, repaired, parsed and checked against the type's rules, and reports everything
//! else as a typed [`LlmError`].
//!
//! ```
//! use llm_core::prelude::*;
//!
//! /// A support ticket, triaged.
//! #[derive(Debug, Serialize, Deserialize, JsonSchema, LlmOutput)]
//! struct Triage {
//!     #[llm(one_of = ["billing", "bug", "other"])]
//!     queue: String,
//!     /// One sentence for the agent.
//!     #[llm(len(max = 200), deny = ["refund guaranteed"])]
//!     summary: String,
//!     #[llm(confidence(min = 0.5))]
//!     confidence: f32,
//! }
//!
//! let reply = r#"Sure! {"queue": "billing", "summary": "Charged twice.", "confidence": 0.9}"#;
//! let triage = Triage::parse_validated(reply)?.value;
//! assert_eq!(triage.queue, "billing");
//!
//! let err = Triage::parse_validated(r#"{"queue": "sales", "summary": "", "confidence": 0.2}"#)
//!     .unwrap_err();
//! assert_eq!(
//!     err.to_string(),
//!     "2 rule violations: queue: must be one of \"billing\", \"bug\", \"other\" (found \"sales\"); \
//!      confidence: must be a confidence from 0 to 1, at least 0.5 (found 0.2)"
//! );
//! # Ok::<(), LlmError>(())
//! ```

#![forbid(unsafe_code)]
#![warn(
    missing_docs,
    missing_debug_implementations,
    unreachable_pub,
    rust_2018_idioms
)]

pub mod call;
pub mod error;
mod llm;
pub mod output;
pub mod parse;
pub mod path;
pub mod prompt;
pub mod provider;
pub mod validate;

pub use call::{Answer, Provenance};
pub use error::{InputError, LlmError};
pub use llm::{Layer, Llm};
pub use output::LlmOutput;
pub use parse::{ParseError, Parsed};
pub use validate::{ValidationError, Violation};

/// Derives [`LlmOutput`]: schema with rules, format instructions, parser, validation and
/// [`SCHEMA_HASH`](LlmOutput::SCHEMA_HASH). See the trait for the attributes.
pub use llm_derive::LlmOutput;

/// Turns an `async fn` signature into a typed, validated, re-asking model call.
///
/// The first parameter is the client handle (`llm: &Llm`); the others fill the template's
/// `{placeholders}`; the return type is `Result<T, LlmError>` with `T: LlmOutput` (or `String` for
/// free text). Options: `prompt` or `prompt_file`, `system`, `model`, `temperature`,
/// `max_tokens`, `retries`, `mode` (`"native"`, `"tool"`, `"prompt"`), `name`, `version`, `crate`.
/// Parameters take the field rules of [`LlmOutput`] (checked before sending) and
/// `#[llm(context)]` for one the prompt does not use.
///
/// Every `#[llm_fn] fn f` also defines a module `f` with `PROMPT`
/// ([`PromptInfo`](prompt::PromptInfo)), the const `PROMPT_HASH`, `with_provenance` (the value
/// with its [`Provenance`]) and `fake()` (a [`Fake`](provider::fake::Fake) test double).
///
/// ```
/// use llm_core::prelude::*;
///
/// #[derive(Debug, Serialize, Deserialize, JsonSchema, LlmOutput)]
/// struct Reply {
///     /// The customer's name, as written in the message.
///     #[llm(grounded)]
///     name: String,
/// }
///
/// #[llm_fn(system = "You read support messages.", prompt = "Who wrote this?\n{message}", retries = 1)]
/// async fn sender(llm: &Llm, #[llm(non_empty)] message: &str) -> Result<Reply, LlmError>;
///
/// #[tokio::main(flavor = "current_thread")]
/// async fn main() -> Result<(), LlmError> {
///     let llm = sender::fake()
///         .returns_raw(r#"{"name": "Bob"}"#)   // not in the message: re-asked
///         .returns_raw(r#"{"name": "alice"}"#);
///     let answer = sender::with_provenance(&llm, "Hi, Alice here.").await?;
///     assert_eq!(answer.value.name, "alice");
///     assert_eq!(answer.provenance.attempt_count(), 2);
///     assert_eq!(answer.provenance.prompt.hash, sender::PROMPT_HASH);
///     Ok(())
/// }
/// ```
pub use llm_derive::llm_fn;

/// Everything a user of the derive needs, including serde's and schemars' derives.
pub mod prelude {
    pub use crate::{
        Answer, Llm, LlmError, LlmOutput, ParseError, Parsed, ValidationError, Violation, llm_fn,
    };
    pub use schemars::JsonSchema;
    pub use serde::{Deserialize, Serialize};
}

/// What generated code names. Not public API: it changes without notice.
#[doc(hidden)]
pub mod __private {
    pub use crate::call::{Answer, json_arg_error, run};
    pub use crate::error::{InputError, LlmError};
    pub use crate::output::hash::combine;
    pub use crate::output::schema;
    pub use crate::output::{FORMAT_VERSION, LlmOutput, SchemaRules};
    pub use crate::prompt::{PromptIdentity, PromptInfo, PromptSettings, Registered, Renderer};
    pub use crate::provider::Mode;
    pub use crate::provider::fake::Fake;
    pub use crate::validate::Validator;
    pub use crate::validate::check;
    pub use inventory;
    pub use serde_json::Value;
    pub use std::sync::LazyLock;
}
