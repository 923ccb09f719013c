//! `#[llm(grounded)]`: an output value must occur in the call's inputs.
//!
//! The cheapest guard against a hallucinated name, email or amount: text must appear in the
//! inputs after case and whitespace are normalised; a number must appear among the numbers
//! written in the inputs (`1,234.50` and `$1234.5` both count as 1234.5).

use std::borrow::Cow;
use std::sync::OnceLock;

use super::{Rule, Validator};

/// The inputs of one call, normalised once for every grounded check.
///
/// Building it only copies the inputs; they are normalised the first time a value is looked up,
/// so a call whose output has no grounded field does not pay for it.
#[derive(Debug, Clone, Default)]
pub struct Sources {
    /// The inputs, one after the other.
    raw: String,
    /// Where each input ends in `raw`.
    ends: Vec<usize>,
    index: OnceLock<Index>,
}

/// The inputs as looked up: normalised text (inputs separated by a newline) and their numbers.
#[derive(Debug, Clone, Default)]
struct Index {
    text: String,
    numbers: Vec<f64>,
}

impl Sources {
    /// Sources made of `inputs`: the text each argument rendered to.
    ///
    /// ```
    /// use llm_core::validate::Sources;
    /// let sources = Sources::new(["Invoice from ACME  Corp,\ntotal $1,234.50"]);
    /// assert!(sources.contains_text("acme corp"));
    /// assert!(sources.contains_number(1234.5));
    /// assert!(!sources.contains_text("Acme Inc"));
    /// ```
    pub fn new<'a>(inputs: impl IntoIterator<Item = &'a str>) -> Self {
        let mut sources = Sources::default();
        for input in inputs {
            sources.raw.push_str(input);
            sources.ends.push(sources.raw.len());
        }
        sources
    }

    /// Whether `needle`, normalised, occurs in the inputs. Empty text always does.
    pub fn contains_text(&self, needle: &str) -> bool {
        let mut normalized = String::with_capacity(needle.len());
        normalize_into(needle, &mut normalized);
        self.index().text.contains(normalized.as_str())
    }

    /// Whether `n` is one of the numbers written in the inputs.
    pub fn contains_number(&self, n: f64) -> bool {
        self.index()
            .numbers
            .iter()
            .any(|m| (m - n).abs() <= 1e-9 * m.abs().max(1.0))
    }

    fn index(&self) -> &Index {
        self.index.get_or_init(|| {
            let mut index = Index::default();
            let mut start = 0;
            for &end in &self.ends {
                let input = &self.raw[start..end];
                start = end;
                if !index.text.is_empty() {
                    index.text.push('\n');
                }
                normalize_into(input, &mut index.text);
                collect_numbers(input, &mut index.numbers);
            }
            index
        })
    }
}

/// Lowercase, with every run of whitespace as one space, trimmed.
fn normalize_into(text: &str, out: &mut String) {
    let mut pending_space = false;
    let start = out.len();
    for c in text.chars() {
        if c.is_whitespace() {
            pending_space = out.len() > start;
            continue;
        }
        if pending_space {
            out.push(' ');
            pending_space = false;
        }
        out.extend(c.to_lowercase());
    }
}

/// Every number written in `text`: digits with `,` thousands separators and one `.` fraction.
fn collect_numbers(text: &str, out: &mut Vec<f64>) {
    let bytes = text.as_bytes();
    let mut i = 0;
    while i < bytes.len() {
        if !bytes[i].is_ascii_digit() {
            i += 1;
            continue;
        }
        let start = i;
        let mut digits = String::new();
        let mut seen_dot = false;
        while i < bytes.len() {
            let b = bytes[i];
            let next_is_digit = bytes.get(i + 1).is_some_and(u8::is_ascii_digit);
            if b.is_ascii_digit() {
                digits.push(char::from(b));
            } else if b == b',' && next_is_digit && !seen_dot {
                // a thousands separator
            } else if b == b'.' && next_is_digit && !seen_dot {
                seen_dot = true;
                digits.push('.');
            } else {
                break;
            }
            i += 1;
        }
        // A minus sign, not a hyphen inside a date or code (`2024-05`, `A-7`).
        let negative = start > 0
            && bytes[start - 1] == b'-'
            && (start < 2 || !bytes[start - 2].is_ascii_alphanumeric());
        if let Ok(n) = digits.parse::<f64>() {
            out.push(if negative { -n } else { n });
        }
    }
}

/// A value a `grounded` rule can check: text, a number, or a list of those.
#[diagnostic::on_unimplemented(
    message = "`#[llm(grounded)]` needs text or a number, but the field is `{Self}`",
    label = "cannot be looked up in the inputs",
    note = "grounded applies to strings, numbers, and `Option` or `Vec` of those"
)]
pub trait GroundedValue {
    /// Calls `f` with each value to look for; not at all when absent.
    fn each_ground(&self, f: &mut dyn FnMut(Ground<'_>));
}

/// What a [`GroundedValue`] looks for in the inputs.
#[derive(Debug, Clone, PartialEq)]
pub enum Ground<'a> {
    /// Text, found after normalising case and whitespace.
    Text(&'a str),
    /// A number, found among the numbers written in the inputs.
    Number(f64),
}

macro_rules! grounded_text {
    ($($ty:ty),*) => {$(
        impl GroundedValue for $ty {
            fn each_ground(&self, f: &mut dyn FnMut(Ground<'_>)) {
                f(Ground::Text(self));
            }
        }
    )*};
}

grounded_text!(str, String, Box<str>, Cow<'_, str>);

macro_rules! grounded_number {
    ($($ty:ty),*) => {$(
        impl GroundedValue for $ty {
            #[allow(clippy::cast_precision_loss, clippy::cast_lossless)]
            fn each_ground(&self, f: &mut dyn FnMut(Ground<'_>)) {
                f(Ground::Number(*self as f64));
            }
        }
    )*};
}

grounded_number!(u8, u16, u32, u64, usize, i8, i16, i32, i64, isize, f32, f64);

impl<T: GroundedValue + ?Sized> GroundedValue for &T {
    fn each_ground(&self, f: &mut dyn FnMut(Ground<'_>)) {
        (**self).each_ground(f);
    }
}

impl<T: GroundedValue> GroundedValue for Option<T> {
    fn each_ground(&self, f: &mut dyn FnMut(Ground<'_>)) {
        if let Some(value) = self {
            value.each_ground(f);
        }
    }
}

impl<T: GroundedValue> GroundedValue for [T] {
    fn each_ground(&self, f: &mut dyn FnMut(Ground<'_>)) {
        for value in self {
            value.each_ground(f);
        }
    }
}

impl<T: GroundedValue> GroundedValue for Vec<T> {
    fn each_ground(&self, f: &mut dyn FnMut(Ground<'_>)) {
        self.as_slice().each_ground(f);
    }
}

/// `grounded`: the value (each value, for a list) must occur in the call's inputs. Skipped when
/// the validator has no sources (a reply parsed outside a call); empty text is left to
/// `non_empty`.
pub fn grounded<T: GroundedValue + ?Sized>(v: &mut Validator, value: &T) {
    let Some(sources) = v.sources().cloned() else {
        return;
    };
    value.each_ground(&mut |ground| {
        let found = match ground {
            Ground::Text(text) if text.trim().is_empty() || sources.contains_text(text) => return,
            Ground::Number(n) if sources.contains_number(n) => return,
            Ground::Text(text) => format!("{:?}", crate::path::excerpt(text, 80)),
            Ground::Number(n) => n.to_string(),
        };
        v.report(Rule::Grounded, Some(found));
    });
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_are_read_with_separators_and_signs() {
        let mut numbers = Vec::new();
        collect_numbers(
            "pay $1,234.56 by 2024-05-01, -3 items, v1.2.3.",
            &mut numbers,
        );
        assert_eq!(numbers, vec![1234.56, 2024.0, 5.0, 1.0, -3.0, 1.2, 3.0]);
    }

    #[test]
    fn inputs_stay_apart_when_looked_up() {
        let sources = Sources::new(["Total 12", "5 boxes from acme", "  corp  "]);
        assert!(sources.contains_text("acme"));
        assert!(sources.contains_text("corp"));
        // Text and numbers do not run across the end of one input into the next.
        assert!(!sources.contains_text("acme corp"));
        assert!(!sources.contains_number(125.0));
        assert!(sources.contains_number(12.0) && sources.contains_number(5.0));
        assert!(!Sources::new([]).contains_text("x"));
    }
}
