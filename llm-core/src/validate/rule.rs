//! The rules a value can break, and how each is described to a person or a model.

use std::borrow::Cow;
use std::fmt;

/// Whether a length counts characters (strings) or items (collections).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LengthUnit {
    /// Unicode scalar values of a string.
    Chars,
    /// Elements of a list, set or map.
    Items,
}

/// A string format checked by `#[llm(email)]` or `#[llm(url)]`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    /// An address such as `ada@example.com`.
    Email,
    /// An absolute `http` or `https` URL with a host.
    Url,
}

/// A rule a value broke, with the rule's parameters.
///
/// `Display` phrases the rule as a requirement ("must be at least 1"), written to be read by a
/// person in a log and by a model in a re-ask.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub enum Rule {
    /// `#[llm(regex = "...")]`: the text must contain a match of the pattern.
    Regex {
        /// The pattern as written in the attribute.
        pattern: &'static str,
    },
    /// `#[llm(len(min, max))]`: a length bound.
    Length {
        /// Inclusive lower bound.
        min: Option<usize>,
        /// Inclusive upper bound.
        max: Option<usize>,
        /// What is counted.
        unit: LengthUnit,
    },
    /// `#[llm(range(min, max))]`: a numeric bound (inclusive).
    Range {
        /// Inclusive lower bound.
        min: Option<f64>,
        /// Inclusive upper bound.
        max: Option<f64>,
    },
    /// `#[llm(one_of = [...])]`: the value must be one of a fixed set.
    OneOf {
        /// The allowed values, rendered as JSON literals.
        allowed: &'static [&'static str],
    },
    /// `#[llm(non_empty)]`: a string with only whitespace, or an empty collection.
    NonEmpty,
    /// `#[llm(email)]` or `#[llm(url)]`.
    Format(Format),
    /// `#[llm(deny = [...])]`: a denied word or phrase occurs (whole words, any case).
    Denied {
        /// The entry of the deny list that matched.
        word: &'static str,
    },
    /// `#[llm(filter = ...)]`: a [`ContentFilter`](crate::validate::ContentFilter) rejected the text.
    Filter {
        /// The filter's name.
        filter: &'static str,
        /// What the filter found, as a category (never the matched text).
        category: Cow<'static, str>,
    },
    /// `#[llm(confidence(min))]`: the model's self-reported confidence is too low or not in `0..=1`.
    Confidence {
        /// The threshold from the attribute.
        min: f64,
    },
    /// `#[llm(grounded)]`: the value does not occur in the call's inputs.
    Grounded,
    /// `#[llm(custom = f)]` on a field or `#[llm(validate = f)]` on a type: a user rule failed.
    Custom {
        /// The path of the function, as written in the attribute.
        name: &'static str,
        /// The function's message.
        message: String,
    },
}

impl Rule {
    /// A short stable name for the rule, for metrics and logs: `regex`, `len`, `range`, ...
    pub fn name(&self) -> &'static str {
        match self {
            Rule::Regex { .. } => "regex",
            Rule::Length { .. } => "len",
            Rule::Range { .. } => "range",
            Rule::OneOf { .. } => "one_of",
            Rule::NonEmpty => "non_empty",
            Rule::Format(Format::Email) => "email",
            Rule::Format(Format::Url) => "url",
            Rule::Denied { .. } => "deny",
            Rule::Filter { .. } => "filter",
            Rule::Confidence { .. } => "confidence",
            Rule::Grounded => "grounded",
            Rule::Custom { .. } => "custom",
        }
    }
}

impl fmt::Display for Rule {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Rule::Regex { pattern } => write!(f, "must match the pattern {pattern}"),
            Rule::Length { min, max, unit } => {
                let noun = match unit {
                    LengthUnit::Chars => "characters",
                    LengthUnit::Items => "items",
                };
                let verb = match unit {
                    LengthUnit::Chars => "be",
                    LengthUnit::Items => "have",
                };
                match (min, max) {
                    (Some(min), Some(max)) if min == max => {
                        write!(f, "must {verb} exactly {min} {noun}")
                    }
                    (Some(min), Some(max)) => write!(f, "must {verb} {min} to {max} {noun}"),
                    (Some(min), None) => write!(f, "must {verb} at least {min} {noun}"),
                    (None, Some(max)) => write!(f, "must {verb} at most {max} {noun}"),
                    (None, None) => write!(f, "has a length rule"),
                }
            }
            Rule::Range { min, max } => match (min, max) {
                (Some(min), Some(max)) => {
                    write!(f, "must be between {} and {}", Num(*min), Num(*max))
                }
                (Some(min), None) => write!(f, "must be at least {}", Num(*min)),
                (None, Some(max)) => write!(f, "must be at most {}", Num(*max)),
                (None, None) => write!(f, "has a range rule"),
            },
            Rule::OneOf { allowed } => write!(f, "must be one of {}", allowed.join(", ")),
            Rule::NonEmpty => f.write_str("must not be empty"),
            Rule::Format(Format::Email) => f.write_str("must be a valid email address"),
            Rule::Format(Format::Url) => f.write_str("must be an absolute http or https URL"),
            Rule::Denied { word } => write!(f, "must not contain {word:?}"),
            Rule::Filter { filter, category } => {
                write!(
                    f,
                    "must not contain {category} (rejected by the {filter} filter)"
                )
            }
            Rule::Confidence { min } => {
                write!(
                    f,
                    "must be a confidence from 0 to 1, at least {}",
                    Num(*min)
                )
            }
            Rule::Grounded => {
                f.write_str("must be copied from the input, which does not contain it")
            }
            Rule::Custom { message, .. } => f.write_str(message),
        }
    }
}

/// Prints `1.0` as `1` and `0.5` as `0.5`.
struct Num(f64);

impl fmt::Display for Num {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.0.fract() == 0.0 && self.0.abs() < 1e15 {
            write!(f, "{:.0}", self.0)
        } else {
            write!(f, "{}", self.0)
        }
    }
}
