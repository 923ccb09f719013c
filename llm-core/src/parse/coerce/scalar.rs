//! Scalars: numbers written as text, enum values matched by case and punctuation, truthy words.

use std::borrow::Cow;

use serde_json::{Map, Number, Value};

use super::error::quoted_list;
use super::{CoerceError, Coercer};
use crate::parse::FixKind;

impl<'a> Coercer<'a, '_> {
    pub(super) fn fit_number(&mut self, value: Value, integer: bool) -> Result<Value, CoerceError> {
        let expected = if integer { "an integer" } else { "a number" };
        let fitted = match &value {
            Value::Number(n) => self.numeric(n.clone(), integer),
            Value::String(s) => self.number_text(s, integer),
            _ => None,
        };
        fitted.ok_or_else(|| self.invalid(expected, &value))
    }

    /// A number written as the text of a string, for a schema of one numeric type: the number,
    /// recorded as converted; `None` when it is none or does not fit.
    pub(super) fn number_text(&mut self, text: &str, integer: bool) -> Option<Value> {
        let number = parse_number(text)?;
        self.fix(FixKind::StringToNumber);
        self.numeric(number, integer)
    }

    /// `number` for a schema of one numeric type: as it is, or a float with no fraction as the
    /// integer asked for (recorded); `None` when it does not fit.
    fn numeric(&mut self, number: Number, integer: bool) -> Option<Value> {
        if !integer || number.is_i64() || number.is_u64() {
            return Some(Value::Number(number));
        }
        match number.as_f64() {
            Some(f) if f.fract() == 0.0 && f.abs() < 9.0e15 => {
                self.fix(FixKind::FloatToInteger);
                #[allow(clippy::cast_possible_truncation)] // integral and in range, checked above
                Some(Value::Number(Number::from(f as i64)))
            }
            _ => None,
        }
    }

    pub(super) fn fit_enum(
        &mut self,
        value: Value,
        allowed: &[Value],
        aliases: Option<&Map<String, Value>>,
    ) -> Result<Value, CoerceError> {
        if allowed.contains(&value) {
            return Ok(value);
        }
        let text: Cow<'_, str> = match &value {
            Value::String(s) => Cow::Borrowed(s.trim()),
            Value::Number(n) => Cow::Owned(n.to_string()),
            Value::Bool(b) => Cow::Owned(b.to_string()),
            _ => {
                let expected = format!("one of {}", quoted_list(&names(allowed)));
                return Err(self.invalid(expected, &value));
            }
        };
        // (label, value): the allowed values, then serde's aliases of them.
        let labels = || {
            allowed
                .iter()
                .filter_map(|a| a.as_str().map(|s| (s, a)))
                .chain(aliases.into_iter().flatten().filter_map(|(alias, name)| {
                    allowed
                        .iter()
                        .find(|a| *a == name)
                        .map(|a| (alias.as_str(), a))
                }))
        };
        if let Some((_, hit)) = labels().find(|(label, _)| *label == text) {
            if value.as_str() != Some(&*text) {
                self.fix(FixKind::EnumMatched);
            }
            return Ok(hit.clone());
        }
        for (fold, kind) in [
            (Fold::Case, FixKind::EnumCase),
            (Fold::Separators, FixKind::EnumFuzzy),
            (Fold::Alphanumeric, FixKind::EnumFuzzy),
        ] {
            if fold.empties(&text) {
                continue;
            }
            let hits = || {
                labels()
                    .filter(|(label, _)| fold.same(label, &text))
                    .map(|(_, v)| v)
            };
            let mut found = hits();
            let Some(first) = found.next() else {
                continue;
            };
            if found.all(|v| v == first) {
                self.fix(kind);
                return Ok(first.clone());
            }
            let mut many: Vec<&Value> = hits().collect();
            many.dedup();
            return Err(CoerceError::AmbiguousVariant {
                path: self.path.clone(),
                found: text.into_owned(),
                candidates: many
                    .iter()
                    .filter_map(|v| v.as_str().map(str::to_owned))
                    .collect(),
            });
        }
        Err(CoerceError::UnknownVariant {
            path: self.path.clone(),
            found: text.into_owned(),
            expected: names(allowed),
        })
    }
}

/// The allowed values that are strings, for an error.
fn names(allowed: &[Value]) -> Vec<String> {
    allowed
        .iter()
        .filter_map(|a| a.as_str().map(str::to_owned))
        .collect()
}

/// How an enum value that is no label is compared with the labels: both sides folded the same
/// way, from the strictest fold to the loosest.
#[derive(Clone, Copy)]
enum Fold {
    /// Lowercase (`str::to_lowercase`).
    Case,
    /// Lowercase, without whitespace, `-` and `_`, other punctuation kept: `A +` is `a+` (not
    /// `A` or `A-`), and `RE SIGN` is both `resign` and `re-sign`, so it stays ambiguous.
    Separators,
    /// Lowercase letters and digits only (see [`normalized`]).
    Alphanumeric,
}

impl Fold {
    /// Whether `text` folds to nothing (and so matches nothing).
    fn empties(self, text: &str) -> bool {
        match self {
            Fold::Case => text.is_empty(),
            Fold::Separators => without_separators(text).next().is_none(),
            Fold::Alphanumeric => normalized(text).next().is_none(),
        }
    }

    /// Whether `a` and `b` fold to the same text; without allocating unless a lowercase
    /// comparison meets text beyond ASCII.
    fn same(self, a: &str, b: &str) -> bool {
        match self {
            Fold::Case if a.is_ascii() && b.is_ascii() => a.eq_ignore_ascii_case(b),
            // `str::to_lowercase`, not per `char`: a final `Σ` lowercases to `ς`.
            Fold::Case => a.to_lowercase() == b.to_lowercase(),
            Fold::Separators => without_separators(a).eq(without_separators(b)),
            Fold::Alphanumeric => normalized(a).eq(normalized(b)),
        }
    }
}

/// `text` as [`Fold::Separators`] folds it.
fn without_separators(text: &str) -> impl Iterator<Item = char> + '_ {
    text.chars()
        .filter(|c| !c.is_whitespace() && !matches!(c, '-' | '_'))
        .flat_map(char::to_lowercase)
}

/// Lowercase letters and digits only: `Vendor_Name`, `vendor-name` and `vendorName` agree.
pub(super) fn normalized(text: &str) -> impl Iterator<Item = char> + '_ {
    text.chars()
        .filter(|c| c.is_alphanumeric())
        .flat_map(char::to_lowercase)
}

pub(super) fn truthiness(value: &Value) -> Option<bool> {
    match value {
        Value::Number(n) if n.as_f64() == Some(1.0) => Some(true),
        Value::Number(n) if n.as_f64() == Some(0.0) => Some(false),
        Value::String(s) => match s
            .trim()
            .trim_end_matches(['.', '!'])
            .to_lowercase()
            .as_str()
        {
            "true" | "yes" | "y" | "on" | "1" => Some(true),
            "false" | "no" | "n" | "off" | "0" => Some(false),
            _ => None,
        },
        _ => None,
    }
}

/// A number in a string: `"5"`, `" 5 "`, `"$1,234.56"`, `"-$5"`, `"12.50 usd"`, `"USD 12.50"`,
/// `"12%"`. Ambiguous separators (`"1,23"`, `"1 234,5"`) are refused.
pub(super) fn parse_number(text: &str) -> Option<Number> {
    // Digits with an optional sign and fraction (`"29"`, `"-4.50"`): read as the general case
    // below would, without its copies.
    let b = text.as_bytes();
    let digits = b.strip_prefix(b"-").unwrap_or(b);
    let dot = digits.iter().position(|&c| c == b'.');
    let plain = !digits.is_empty()
        && digits
            .iter()
            .enumerate()
            .all(|(i, c)| c.is_ascii_digit() || Some(i) == dot)
        && dot.is_none_or(|d| d > 0 && d + 1 < digits.len());
    if plain {
        // With a fraction it is no integer.
        if dot.is_none() {
            if let Ok(n) = text.parse::<i64>() {
                return Some(Number::from(n));
            }
            if let Ok(n) = text.parse::<u64>() {
                return Some(Number::from(n));
            }
        }
        return text
            .parse::<f64>()
            .ok()
            .filter(|f| f.is_finite())
            .and_then(Number::from_f64);
    }
    let t = text.trim();
    let (negative, t) = match t.strip_prefix('-') {
        Some(rest) => (true, rest.trim_start()),
        None => (false, t.strip_prefix('+').unwrap_or(t)),
    };
    let t = strip_currency(t);
    let t = t.strip_suffix('%').unwrap_or(t).trim();
    let (negative, t) = match t.strip_prefix('-') {
        Some(rest) if !negative => (true, rest),
        _ => (negative, t),
    };
    // Thousands separators: commas only in groups of three before any decimal point.
    let (int_part, frac_part) = match t.split_once('.') {
        Some((i, f)) => (i, Some(f)),
        None => (t, None),
    };
    let groups: Vec<&str> = int_part.split(',').collect();
    if groups.len() > 1
        && (groups[0].is_empty() || groups[0].len() > 3 || groups[1..].iter().any(|g| g.len() != 3))
    {
        return None;
    }
    let digits: String = int_part.chars().filter(|c| *c != ',').collect();
    let mut joined = String::with_capacity(t.len() + 1);
    if negative {
        joined.push('-');
    }
    joined.push_str(&digits);
    if let Some(f) = frac_part {
        joined.push('.');
        joined.push_str(f);
    }
    let unsigned = joined.trim_start_matches('-');
    if unsigned.is_empty()
        || !unsigned.starts_with(|c: char| c.is_ascii_digit() || c == '.')
        || !unsigned
            .chars()
            .all(|c| c.is_ascii_digit() || matches!(c, '.' | 'e' | 'E' | '-' | '+'))
    {
        return None;
    }
    if let Ok(n) = joined.parse::<i64>() {
        return Some(Number::from(n));
    }
    if let Ok(n) = joined.parse::<u64>() {
        return Some(Number::from(n));
    }
    joined
        .parse::<f64>()
        .ok()
        .filter(|f| f.is_finite())
        .and_then(Number::from_f64)
}

/// `text` without a currency symbol or a three-letter code before or after the amount.
fn strip_currency(text: &str) -> &str {
    let t = text
        .trim_start_matches(['$', '€', '£', '¥'])
        .trim_end_matches(['$', '€', '£', '¥'])
        .trim();
    let is_code = |w: &str| w.len() == 3 && w.chars().all(|c| c.is_ascii_alphabetic());
    if let Some((code, rest)) = t.split_once(' ')
        && is_code(code)
    {
        return rest.trim();
    }
    if let Some((rest, code)) = t.rsplit_once(' ')
        && is_code(code)
    {
        return rest.trim();
    }
    t
}
