//! Content filters: pluggable checks on text, such as PII or profanity detection.

use std::borrow::Cow;
use std::sync::LazyLock;

use regex::Regex;

/// What a [`ContentFilter`] found: a category such as `"an email address"`, never the text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FilterMatch {
    /// A noun phrase naming what was found; it completes "must not contain ...".
    pub category: Cow<'static, str>,
}

/// A check on text, used with `#[llm(filter = PATH)]` where `PATH` names a value implementing it.
///
/// ```
/// use llm_core::prelude::*;
/// use llm_core::validate::{ContentFilter, FilterMatch};
///
/// /// Rejects shouting.
/// struct NoShouting;
///
/// impl ContentFilter for NoShouting {
///     fn name(&self) -> &'static str { "no-shouting" }
///     fn check(&self, text: &str) -> Option<FilterMatch> {
///         let shouting = text.len() > 3 && text.chars().all(|c| !c.is_lowercase());
///         shouting.then(|| FilterMatch { category: "text in capitals".into() })
///     }
/// }
///
/// #[derive(Debug, Serialize, Deserialize, JsonSchema, LlmOutput)]
/// struct Reply {
///     #[llm(filter = NoShouting)]
///     text: String,
/// }
///
/// assert!(Reply { text: "WHY NOT".into() }.validate().is_err());
/// assert!(Reply { text: "Why not".into() }.validate().is_ok());
/// ```
#[diagnostic::on_unimplemented(
    message = "`{Self}` is not a content filter",
    label = "`filter = ...` needs a value implementing `llm_core::validate::ContentFilter`"
)]
pub trait ContentFilter: Send + Sync {
    /// A short name shown in violations and metrics.
    fn name(&self) -> &'static str;
    /// The first thing found that the filter rejects, or `None` when the text is acceptable.
    fn check(&self, text: &str) -> Option<FilterMatch>;
}

/// Rejects personal data: email addresses, payment card numbers (Luhn-checked), US social
/// security numbers and phone numbers.
///
/// A heuristic, tuned to miss little in model output; pair it with a real DLP service where the
/// law requires one.
///
/// ```
/// use llm_core::validate::{ContentFilter, Pii};
/// assert!(Pii.check("write to ada@example.com").is_some());
/// assert!(Pii.check("card 4111 1111 1111 1111").is_some());
/// assert!(Pii.check("order 12 of 40 shipped").is_none());
/// ```
#[derive(Debug, Clone, Copy, Default)]
pub struct Pii;

struct PiiPatterns {
    email: Regex,
    card: Regex,
    ssn: Regex,
    phone: Regex,
}

static PII: LazyLock<Option<PiiPatterns>> = LazyLock::new(|| {
    Some(PiiPatterns {
        email: Regex::new(r"[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)+").ok()?,
        card: Regex::new(r"\b\d(?:[ -]?\d){12,18}\b").ok()?,
        ssn: Regex::new(r"\b\d{3}-\d{2}-\d{4}\b").ok()?,
        // International numbers with a `+` prefix, and North American `(415) 555-0100` /
        // `415-555-0100`; bare digit groups (order numbers, card-like runs) are left alone.
        phone: Regex::new(
            r"\+\d{1,3}[ .-]?(?:\(\d{1,4}\)[ .-]?)?\d{1,4}(?:[ .-]?\d{2,4}){2,4}\b|(?:\(\d{3}\) ?|\b\d{3}[ .-])\d{3}[ .-]\d{4}\b",
        )
        .ok()?,
    })
});

fn luhn(digits: &str) -> bool {
    let digits: Vec<u32> = digits.chars().filter_map(|c| c.to_digit(10)).collect();
    let sum: u32 = digits
        .iter()
        .rev()
        .enumerate()
        .map(|(i, &d)| match (i % 2 == 1, d * 2) {
            (true, double) if double > 9 => double - 9,
            (true, double) => double,
            (false, _) => d,
        })
        .sum();
    digits.len() >= 13 && sum.is_multiple_of(10)
}

impl ContentFilter for Pii {
    fn name(&self) -> &'static str {
        "pii"
    }

    fn check(&self, text: &str) -> Option<FilterMatch> {
        let found = |category: &'static str| {
            Some(FilterMatch {
                category: Cow::Borrowed(category),
            })
        };
        let Some(p) = PII.as_ref() else {
            // Fail closed: a filter that cannot run rejects.
            return found("unchecked text (the PII filter could not start)");
        };
        if p.email.is_match(text) {
            return found("an email address");
        }
        if p.card.find_iter(text).any(|m| luhn(m.as_str())) {
            return found("a payment card number");
        }
        if p.ssn.is_match(text) {
            return found("a social security number");
        }
        if p.phone.is_match(text) {
            return found("a phone number");
        }
        None
    }
}
