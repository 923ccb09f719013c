//! The checks behind each `#[llm(...)]` rule, generic over the shapes a field can have.
//!
//! Each check reads a field through one of three small traits, [`TextValue`], [`SizedValue`]
//! and [`NumberValue`], implemented for the standard types and for `Option` (a `None` passes every
//! rule: absence is the schema's business, not a rule's). The derive calls these functions instead
//! of inlining per-field logic, so the generated code stays small.

use std::borrow::Cow;
use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet, VecDeque};
use std::fmt::Display;
use std::sync::{Arc, LazyLock};

use regex::Regex;

use super::{ContentFilter, Format, LengthUnit, Rule, Validator};

pub use super::ground::grounded;

/// A value a text rule (`regex`, `one_of`, `email`, `url`, `deny`, `filter`) can read.
#[diagnostic::on_unimplemented(
    message = "this `#[llm(...)]` rule needs text, but the field is `{Self}`",
    label = "not a string",
    note = "text rules apply to `String`, `&str`, `Cow<str>`, `Box<str>` and `Option` of those"
)]
pub trait TextValue {
    /// The text, or `None` when absent.
    fn text(&self) -> Option<&str>;
}

/// A value with a length: a string (in characters) or a collection (in items).
#[diagnostic::on_unimplemented(
    message = "`#[llm(len)]` and `#[llm(non_empty)]` need a string or a collection, but the field is `{Self}`",
    label = "has no length",
    note = "lengths apply to strings (characters), and to `Vec`, sets and maps (items)"
)]
pub trait SizedValue {
    /// The length and what it counts, or `None` when absent.
    fn size(&self) -> Option<(usize, LengthUnit)>;
    /// Whether the value is empty for `non_empty`; strings of only whitespace are empty.
    fn is_blank(&self) -> Option<bool> {
        self.size().map(|(n, _)| n == 0)
    }
}

/// A number a `range` or `confidence` rule can read.
#[diagnostic::on_unimplemented(
    message = "this `#[llm(...)]` rule needs a number, but the field is `{Self}`",
    label = "not a number",
    note = "number rules (`range`, `one_of` with numbers, `confidence`) apply to integers, floats and `Option` of those"
)]
pub trait NumberValue {
    /// The number as `f64`, or `None` when absent.
    fn number(&self) -> Option<f64>;
    /// The number as written in JSON (`3`, `0.3`), for messages.
    fn found(&self) -> Option<String>;
    /// `bound` at this type's precision, so that an `f32` holding `0.7` meets `min = 0.7`.
    fn at_precision(&self, bound: f64) -> f64 {
        bound
    }
}

impl TextValue for str {
    fn text(&self) -> Option<&str> {
        Some(self)
    }
}
impl TextValue for String {
    fn text(&self) -> Option<&str> {
        Some(self)
    }
}
impl TextValue for Cow<'_, str> {
    fn text(&self) -> Option<&str> {
        Some(self)
    }
}
impl<T: TextValue + ?Sized> TextValue for &T {
    fn text(&self) -> Option<&str> {
        (**self).text()
    }
}
impl<T: TextValue + ?Sized> TextValue for Box<T> {
    fn text(&self) -> Option<&str> {
        (**self).text()
    }
}
impl<T: TextValue + ?Sized> TextValue for Arc<T> {
    fn text(&self) -> Option<&str> {
        (**self).text()
    }
}
impl<T: TextValue> TextValue for Option<T> {
    fn text(&self) -> Option<&str> {
        self.as_ref().and_then(TextValue::text)
    }
}

impl SizedValue for str {
    fn size(&self) -> Option<(usize, LengthUnit)> {
        Some((self.chars().count(), LengthUnit::Chars))
    }
    fn is_blank(&self) -> Option<bool> {
        Some(self.trim().is_empty())
    }
}
impl SizedValue for String {
    fn size(&self) -> Option<(usize, LengthUnit)> {
        self.as_str().size()
    }
    fn is_blank(&self) -> Option<bool> {
        self.as_str().is_blank()
    }
}
impl SizedValue for Cow<'_, str> {
    fn size(&self) -> Option<(usize, LengthUnit)> {
        (**self).size()
    }
    fn is_blank(&self) -> Option<bool> {
        (**self).is_blank()
    }
}
impl<T: SizedValue + ?Sized> SizedValue for &T {
    fn size(&self) -> Option<(usize, LengthUnit)> {
        (**self).size()
    }
    fn is_blank(&self) -> Option<bool> {
        (**self).is_blank()
    }
}
impl<T: SizedValue + ?Sized> SizedValue for Box<T> {
    fn size(&self) -> Option<(usize, LengthUnit)> {
        (**self).size()
    }
    fn is_blank(&self) -> Option<bool> {
        (**self).is_blank()
    }
}
impl<T: SizedValue> SizedValue for Option<T> {
    fn size(&self) -> Option<(usize, LengthUnit)> {
        self.as_ref().and_then(SizedValue::size)
    }
    fn is_blank(&self) -> Option<bool> {
        self.as_ref().and_then(SizedValue::is_blank)
    }
}

macro_rules! sized_collection {
    ($($ty:ident<$($p:ident),*>),* $(,)?) => {$(
        impl<$($p),*> SizedValue for $ty<$($p),*> {
            fn size(&self) -> Option<(usize, LengthUnit)> {
                Some((self.len(), LengthUnit::Items))
            }
        }
    )*};
}
sized_collection!(Vec<T>, VecDeque<T>, BTreeSet<T>, HashSet<T, S>, BTreeMap<K, V>, HashMap<K, V, S>);

impl<T> SizedValue for [T] {
    fn size(&self) -> Option<(usize, LengthUnit)> {
        Some((self.len(), LengthUnit::Items))
    }
}
impl<T, const N: usize> SizedValue for [T; N] {
    fn size(&self) -> Option<(usize, LengthUnit)> {
        Some((N, LengthUnit::Items))
    }
}

macro_rules! number {
    ($($ty:ty),*) => {$(
        impl NumberValue for $ty {
            #[allow(clippy::cast_precision_loss, clippy::cast_lossless)]
            fn number(&self) -> Option<f64> {
                Some(*self as f64)
            }
            fn found(&self) -> Option<String> {
                Some(self.to_string())
            }
        }
    )*};
}
number!(
    u8, u16, u32, u64, u128, usize, i8, i16, i32, i64, i128, isize, f64
);

impl NumberValue for f32 {
    fn number(&self) -> Option<f64> {
        Some(f64::from(*self))
    }
    fn found(&self) -> Option<String> {
        Some(self.to_string())
    }
    #[allow(clippy::cast_possible_truncation)] // rounding to f32 is the point
    fn at_precision(&self, bound: f64) -> f64 {
        f64::from(bound as f32)
    }
}

impl<T: NumberValue + ?Sized> NumberValue for &T {
    fn number(&self) -> Option<f64> {
        (**self).number()
    }
    fn found(&self) -> Option<String> {
        (**self).found()
    }
    fn at_precision(&self, bound: f64) -> f64 {
        (**self).at_precision(bound)
    }
}
impl<T: NumberValue + ?Sized> NumberValue for Box<T> {
    fn number(&self) -> Option<f64> {
        (**self).number()
    }
    fn found(&self) -> Option<String> {
        (**self).found()
    }
    fn at_precision(&self, bound: f64) -> f64 {
        (**self).at_precision(bound)
    }
}
impl<T: NumberValue> NumberValue for Option<T> {
    fn number(&self) -> Option<f64> {
        self.as_ref().and_then(NumberValue::number)
    }
    fn found(&self) -> Option<String> {
        self.as_ref().and_then(NumberValue::found)
    }
    fn at_precision(&self, bound: f64) -> f64 {
        self.as_ref().map_or(bound, |v| v.at_precision(bound))
    }
}

fn quoted(text: &str) -> Option<String> {
    Some(format!(
        "{:?}",
        crate::path::excerpt(text, super::FOUND_EXCERPT_CHARS)
    ))
}

/// A regex compiled once, on first use, for a `#[llm(regex = "...")]` rule.
///
/// The pattern's syntax is checked when the derive expands; a pattern that still fails to build
/// (it exceeds the regex crate's size limit) makes every value fail the rule, never pass it.
pub type LazyRegex = LazyLock<Option<Regex>>;

/// Compiles a pattern for [`LazyRegex`].
pub fn compile(pattern: &str) -> Option<Regex> {
    Regex::new(pattern).ok()
}

/// `regex`: the text must contain a match (JSON Schema `pattern` semantics: anchor with `^...$`).
pub fn regex<T: TextValue + ?Sized>(
    v: &mut Validator,
    value: &T,
    re: &LazyRegex,
    pattern: &'static str,
) {
    let Some(text) = value.text() else { return };
    let ok = re.as_ref().is_some_and(|re| re.is_match(text));
    if !ok {
        v.report(Rule::Regex { pattern }, quoted(text));
    }
}

/// `len(min, max)`: inclusive bounds on characters or items.
pub fn len<T: SizedValue + ?Sized>(
    v: &mut Validator,
    value: &T,
    min: Option<usize>,
    max: Option<usize>,
) {
    let Some((n, unit)) = value.size() else {
        return;
    };
    if min.is_some_and(|min| n < min) || max.is_some_and(|max| n > max) {
        let found = match unit {
            LengthUnit::Chars => format!("{n} characters"),
            LengthUnit::Items => format!("{n} items"),
        };
        v.report(Rule::Length { min, max, unit }, Some(found));
    }
}

/// `range(min, max)`: inclusive numeric bounds; NaN breaks every range.
pub fn range<T: NumberValue + ?Sized>(
    v: &mut Validator,
    value: &T,
    min: Option<f64>,
    max: Option<f64>,
) {
    let Some(n) = value.number() else { return };
    let below = min.is_some_and(|min| n < value.at_precision(min));
    let above = max.is_some_and(|max| n > value.at_precision(max));
    if n.is_nan() || below || above {
        v.report(Rule::Range { min, max }, value.found());
    }
}

/// `one_of = ["a", "b"]` on text: exact match against the allowed strings.
///
/// `allowed_json` holds the same values rendered as JSON literals, for the message.
pub fn one_of_text<T: TextValue + ?Sized>(
    v: &mut Validator,
    value: &T,
    allowed: &'static [&'static str],
    allowed_json: &'static [&'static str],
) {
    let Some(text) = value.text() else { return };
    if !allowed.contains(&text) {
        v.report(
            Rule::OneOf {
                allowed: allowed_json,
            },
            quoted(text),
        );
    }
}

/// `one_of = [1, 2]` on a number.
pub fn one_of_number<T: NumberValue + ?Sized>(
    v: &mut Validator,
    value: &T,
    allowed: &'static [f64],
    allowed_json: &'static [&'static str],
) {
    let Some(n) = value.number() else { return };
    if !allowed.contains(&n) {
        v.report(
            Rule::OneOf {
                allowed: allowed_json,
            },
            value.found(),
        );
    }
}

/// `non_empty`: at least one non-whitespace character, or at least one item.
pub fn non_empty<T: SizedValue + ?Sized>(v: &mut Validator, value: &T) {
    if value.is_blank() == Some(true) {
        v.report(Rule::NonEmpty, None);
    }
}

static EMAIL: LazyLock<Option<Regex>> = LazyLock::new(|| {
    compile(
        r"^[A-Za-z0-9.!#$%&'*+/=?^_`{|}~-]+@[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?)+$",
    )
});

/// `email`: a plausible single address (the WHATWG `input type=email` grammar, with a dot in the
/// domain).
pub fn email<T: TextValue + ?Sized>(v: &mut Validator, value: &T) {
    let Some(text) = value.text() else { return };
    if !EMAIL.as_ref().is_some_and(|re| re.is_match(text)) {
        v.report(Rule::Format(Format::Email), quoted(text));
    }
}

/// `url`: an absolute `http`/`https` URL with a host, as parsed by the `url` crate.
pub fn url<T: TextValue + ?Sized>(v: &mut Validator, value: &T) {
    let Some(text) = value.text() else { return };
    let ok = url::Url::parse(text)
        .is_ok_and(|u| matches!(u.scheme(), "http" | "https") && u.host().is_some());
    if !ok {
        v.report(Rule::Format(Format::Url), quoted(text));
    }
}

/// `deny = ["word", ...]`: no entry may occur as a whole word or phrase, ignoring case.
/// `words` are lowercase (the derive lowercases them when it expands).
pub fn deny<T: TextValue + ?Sized>(v: &mut Validator, value: &T, words: &'static [&'static str]) {
    let Some(text) = value.text() else { return };
    let haystack = text.to_lowercase();
    for word in words {
        if contains_word(&haystack, word) {
            v.report(Rule::Denied { word }, quoted(text));
        }
    }
}

/// Whether `needle` occurs in `haystack` with no letter or digit directly on either side.
fn contains_word(haystack: &str, needle: &str) -> bool {
    if needle.is_empty() {
        return false;
    }
    haystack.match_indices(needle).any(|(start, m)| {
        let before = haystack[..start].chars().next_back();
        let after = haystack[start + m.len()..].chars().next();
        !before.is_some_and(char::is_alphanumeric) && !after.is_some_and(char::is_alphanumeric)
    })
}

/// `filter = F`: the [`ContentFilter`] must accept the text. The violation names the category
/// found, never the matched text, so a PII hit does not leak into logs.
pub fn filter<T: TextValue + ?Sized, F: ContentFilter + ?Sized>(
    v: &mut Validator,
    value: &T,
    filter: &F,
) {
    let Some(text) = value.text() else { return };
    if let Some(hit) = filter.check(text) {
        v.report(
            Rule::Filter {
                filter: filter.name(),
                category: hit.category,
            },
            None,
        );
    }
}

/// `confidence(min)`: a self-reported confidence in `0..=1` and at least `min`.
pub fn confidence<T: NumberValue + ?Sized>(v: &mut Validator, value: &T, min: f64) {
    let Some(n) = value.number() else { return };
    if n.is_nan() || !(0.0..=1.0).contains(&n) || n < value.at_precision(min) {
        v.report(Rule::Confidence { min }, value.found());
    }
}

/// `custom = f`: `f` returns `Err(message)` to reject the value; the message reaches the model.
pub fn custom<T: ?Sized, E: Display>(
    v: &mut Validator,
    value: &T,
    name: &'static str,
    f: impl FnOnce(&T) -> Result<(), E>,
) {
    if let Err(message) = f(value) {
        v.report(
            Rule::Custom {
                name,
                message: message.to_string(),
            },
            None,
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn words_match_whole_words_only() {
        assert!(contains_word("call the manager now", "manager"));
        assert!(!contains_word("management", "manage"));
        assert!(contains_word("x: scam!", "scam"));
        assert!(contains_word("a b", "a b"));
    }

    #[test]
    fn nan_breaks_every_range() {
        let mut v = Validator::new();
        range(&mut v, &f64::NAN, None, None);
        assert_eq!(v.violations().len(), 1);
    }
}
