//! Sanity rules: checking a parsed value, collecting every violation, and the re-ask message.
//!
//! Validation never stops at the first problem: a model asked to fix its answer should hear
//! about everything that was wrong at once. The derive expands `#[llm(...)]` rules into calls to
//! the checks in [`check`]; this module owns the [`Validator`] they report to.
//!
//! ```
//! use llm_core::prelude::*;
//!
//! #[derive(Debug, Serialize, Deserialize, JsonSchema, LlmOutput)]
//! struct Item {
//!     #[llm(len(min = 1, max = 20))]
//!     name: String,
//!     #[llm(range(min = 1))]
//!     qty: u32,
//! }
//!
//! let err = Item { name: String::new(), qty: 0 }.validate().unwrap_err();
//! assert_eq!(err.violations().len(), 2);
//! assert_eq!(err.violations()[1].to_string(), "qty: must be at least 1 (found 0)");
//! ```

pub mod check;
mod filter;
mod ground;
mod rule;

use std::fmt;
use std::sync::Arc;

pub use filter::{ContentFilter, FilterMatch, Pii};
pub use ground::{Ground, GroundedValue, Sources};
pub use rule::{Format, LengthUnit, Rule};

use crate::path::{CompactString, FieldPath, PathSegment};

/// Longest excerpt of an offending value kept in a [`Violation`], in characters.
pub const FOUND_EXCERPT_CHARS: usize = 80;

/// One broken rule: where, which rule, and what was found there.
#[derive(Debug, Clone, PartialEq)]
pub struct Violation {
    path: FieldPath,
    rule: Rule,
    found: Option<String>,
}

impl Violation {
    /// A violation of `rule` at `path`; `found` is truncated to [`FOUND_EXCERPT_CHARS`].
    pub fn new(path: FieldPath, rule: Rule, found: Option<String>) -> Self {
        let found = found.map(|f| crate::path::excerpt(&f, FOUND_EXCERPT_CHARS));
        Self { path, rule, found }
    }

    /// Where the rule was broken, e.g. `items[2].qty`.
    pub fn path(&self) -> &FieldPath {
        &self.path
    }

    /// The rule that was broken.
    pub fn rule(&self) -> &Rule {
        &self.rule
    }

    /// The offending value as JSON text, truncated; `None` when it must not be echoed (content
    /// filters) or has no short form.
    pub fn found(&self) -> Option<&str> {
        self.found.as_deref()
    }

    /// Whether this is a self-reported confidence below its threshold, which a policy may treat
    /// differently from a malformed answer (asking again rarely makes a model more certain).
    pub fn is_low_confidence(&self) -> bool {
        matches!(self.rule, Rule::Confidence { .. })
    }
}

impl fmt::Display for Violation {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.path, self.rule)?;
        if let Some(found) = &self.found {
            write!(f, " (found {found})")?;
        }
        Ok(())
    }
}

/// A value broke one or more rules. Holds every violation, in field order.
#[derive(Debug, Clone, PartialEq)]
pub struct ValidationError {
    violations: Vec<Violation>,
}

impl ValidationError {
    /// Builds the error from its violations; `None` when there are none.
    pub fn from_violations(violations: Vec<Violation>) -> Option<Self> {
        (!violations.is_empty()).then_some(Self { violations })
    }

    /// Every violation found, never empty.
    pub fn violations(&self) -> &[Violation] {
        &self.violations
    }

    /// The message sent back to a model to ask for a corrected answer: every violation with its
    /// path, rule and the value found.
    ///
    /// ```
    /// # use llm_core::prelude::*;
    /// # #[derive(Debug, Serialize, Deserialize, JsonSchema, LlmOutput)]
    /// # struct Item { #[llm(range(min = 1))] qty: u32 }
    /// let err = Item { qty: 0 }.validate().unwrap_err();
    /// assert_eq!(
    ///     err.reask_message(),
    ///     "Your answer broke these rules:\n- qty: must be at least 1 (found 0)\n\
    ///      Answer again with corrected JSON only."
    /// );
    /// ```
    pub fn reask_message(&self) -> String {
        let mut out = String::from("Your answer broke these rules:\n");
        for violation in &self.violations {
            out.push_str("- ");
            out.push_str(&violation.to_string());
            out.push('\n');
        }
        out.push_str("Answer again with corrected JSON only.");
        out
    }
}

impl From<Violation> for ValidationError {
    fn from(violation: Violation) -> Self {
        Self {
            violations: vec![violation],
        }
    }
}

impl fmt::Display for ValidationError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let n = self.violations.len();
        write!(f, "{n} rule violation{}: ", if n == 1 { "" } else { "s" })?;
        for (i, violation) in self.violations.iter().enumerate() {
            if i > 0 {
                f.write_str("; ")?;
            }
            write!(f, "{violation}")?;
        }
        Ok(())
    }
}

impl std::error::Error for ValidationError {}

/// Collects violations while a value is walked; tracks the current [`FieldPath`].
///
/// Derived [`LlmOutput::validate_in`](crate::LlmOutput::validate_in) implementations call
/// [`enter`](Self::enter)/[`leave`](Self::leave) around each field and the checks in [`check`]
/// for each rule. A hand-written implementation does the same.
#[derive(Debug, Default)]
pub struct Validator {
    path: FieldPath,
    violations: Vec<Violation>,
    sources: Option<Arc<Sources>>,
}

impl Validator {
    /// An empty validator at the root path.
    pub fn new() -> Self {
        Self::default()
    }

    /// A validator that checks `#[llm(grounded)]` values against `sources`, the inputs of a call.
    pub fn with_sources(sources: Arc<Sources>) -> Self {
        Self {
            sources: Some(sources),
            ..Self::default()
        }
    }

    /// The call's inputs, when this validator checks grounded values.
    pub fn sources(&self) -> Option<&Arc<Sources>> {
        self.sources.as_ref()
    }

    /// Descends into a struct field or variant tag.
    pub fn enter(&mut self, field: &'static str) {
        self.path.push(PathSegment::Field(field));
    }

    /// Descends into a list element.
    pub fn enter_index(&mut self, index: usize) {
        self.path.push(PathSegment::Index(index));
    }

    /// Descends into a map entry.
    pub fn enter_key(&mut self, key: impl Into<CompactString>) {
        self.path.push(PathSegment::Key(key.into()));
    }

    /// Returns to the parent of the current path.
    pub fn leave(&mut self) {
        self.path.pop();
    }

    /// The path currently being checked.
    pub fn path(&self) -> &FieldPath {
        &self.path
    }

    /// Records a violation of `rule` at the current path.
    pub fn report(&mut self, rule: Rule, found: Option<String>) {
        self.violations
            .push(Violation::new(self.path.clone(), rule, found));
    }

    /// The violations recorded so far.
    pub fn violations(&self) -> &[Violation] {
        &self.violations
    }

    /// `Ok` when nothing was reported, else every violation.
    pub fn finish(self) -> Result<(), ValidationError> {
        match ValidationError::from_violations(self.violations) {
            None => Ok(()),
            Some(err) => Err(err),
        }
    }
}
