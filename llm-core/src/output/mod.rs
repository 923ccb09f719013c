//! The [`LlmOutput`] trait: what a type must provide to be returned by a model.
//!
//! A type that implements it has a JSON schema with its rules in it ([`LlmOutput::schema`]),
//! instructions that tell a model what to return ([`LlmOutput::format_instructions`]), a lenient
//! parser ([`LlmOutput::parse`]), its sanity rules ([`LlmOutput::validate`]) and a fingerprint of
//! all of that ([`LlmOutput::SCHEMA_HASH`]). `#[derive(LlmOutput)]` writes the implementation;
//! this module implements it for the standard types a field can have.

mod example;
pub mod hash;
mod impls;
mod instructions;
pub mod schema;

use schemars::{JsonSchema, Schema};
use serde::de::DeserializeOwned;

pub use example::ExampleError;
pub use instructions::{FORMAT_VERSION, format_instructions};
pub use schema::SchemaRules;

use crate::error::LlmError;
use crate::parse::{ParseError, Parsed};
use crate::validate::{ValidationError, Validator};

/// A type a model can be asked to return.
///
/// Derive it with `#[derive(LlmOutput)]` beside serde's `Deserialize` and schemars'
/// `JsonSchema`; rules go in `#[llm(...)]` attributes, and serde's attributes are honoured.
///
/// ```
/// use llm_core::prelude::*;
///
/// /// A line item on an invoice.
/// #[derive(Debug, Serialize, Deserialize, JsonSchema, LlmOutput)]
/// struct Item {
///     /// What was sold.
///     #[llm(len(min = 1, max = 80))]
///     name: String,
///     #[llm(range(min = 1))]
///     qty: u32,
/// }
///
/// let parsed = Item::parse_validated("Sure! ```json\n{\"name\": \"Bolt\", \"qty\": 3}\n```")?;
/// assert_eq!(parsed.value.qty, 3);
/// assert!(Item::format_instructions().contains("\"qty\": integer"));
/// # Ok::<(), LlmError>(())
/// ```
///
/// ## Derive attributes
///
/// On a field: `regex = "..."`, `len(min = .., max = ..)`, `range(min = .., max = ..)`,
/// `one_of = [..]`, `non_empty`, `email`, `url`, `deny = ["..", ..]`, `filter = PATH`,
/// `confidence(min = ..)`, `custom = PATH`. On the type: `validate = PATH` for cross-field rules
/// (`fn(&Self) -> Result<(), impl Display>`), and `crate = "path"` when `llm_core` is renamed.
#[diagnostic::on_unimplemented(
    message = "`{Self}` does not implement `LlmOutput`",
    label = "a model returns this type, so it needs `LlmOutput`",
    note = "derive it with `#[derive(LlmOutput)]` (next to `Deserialize` and `JsonSchema`)",
    note = "a field of this type inside an `LlmOutput` struct can instead be marked `#[llm(opaque)]`, to be checked only with its own field rules"
)]
pub trait LlmOutput: DeserializeOwned + JsonSchema {
    /// A fingerprint of the type's shape, rules and docs, combined with those of the types it
    /// contains. Stable across builds and machines; changes when anything a model sees changes.
    const SCHEMA_HASH: u64;

    /// Checks this value's rules and those of everything it contains, reporting to `v`.
    ///
    /// Implementations report at `v.path()`, entering fields and elements as they descend.
    fn validate_in(&self, v: &mut Validator) {
        let _ = v;
    }

    /// Adds this type's rules as JSON Schema keywords (`minLength`, `pattern`, ...) to `schema`,
    /// a schema describing `Self` inside a document whose definitions `rules` holds.
    fn apply_rules(schema: &mut serde_json::Value, rules: &mut SchemaRules) {
        let _ = (schema, rules);
    }

    /// Checks every rule; returns all violations at once.
    fn validate(&self) -> Result<(), ValidationError> {
        let mut v = Validator::new();
        self.validate_in(&mut v);
        v.finish()
    }

    /// The JSON Schema (draft 2020-12) of `Self` as a model should produce it, rules included.
    fn schema() -> Schema {
        schema::schema_for::<Self>()
    }

    /// The text that tells a model exactly what to return, generated from [`Self::schema`].
    fn format_instructions() -> String {
        format_instructions(&Self::schema())
    }

    /// Parses a model's raw reply into `Self`, recording every fix applied on the way.
    fn parse(raw: &str) -> Result<Parsed<Self>, ParseError> {
        crate::parse::parse(raw)
    }

    /// A value that fits [`Self::schema`] and passes every rule, built from the schema, for tests
    /// that need data (`my_fn::fake().returns(Invoice::example()?)`).
    ///
    /// ```
    /// use llm_core::prelude::*;
    ///
    /// #[derive(Debug, Serialize, Deserialize, JsonSchema, LlmOutput)]
    /// struct Item {
    ///     #[llm(regex = r"^SKU-\d{4}$")]
    ///     sku: String,
    ///     #[llm(range(min = 1, max = 99))]
    ///     qty: u32,
    /// }
    ///
    /// let item = Item::example()?;
    /// assert!(item.sku.starts_with("SKU-") && item.sku.len() == 8);
    /// assert!((1..=99).contains(&item.qty));
    /// # Ok::<(), llm_core::output::ExampleError>(())
    /// ```
    ///
    /// # Errors
    ///
    /// When a rule the schema does not describe (`custom`, `deny`, `filter`, a type's `validate`)
    /// rejects the generated value, or a custom `Deserialize` refuses it.
    fn example() -> Result<Self, ExampleError> {
        example::example()
    }

    /// [`parse`](Self::parse), then [`validate`](Self::validate).
    fn parse_validated(raw: &str) -> Result<Parsed<Self>, LlmError> {
        let parsed = Self::parse(raw)?;
        parsed.value.validate()?;
        Ok(parsed)
    }
}
