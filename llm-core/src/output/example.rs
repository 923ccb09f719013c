//! [`LlmOutput::example`](super::LlmOutput::example): a value that fits the schema and passes the
//! rules, built from the schema itself, for tests that need data.
//!
//! Strings honour `enum`, `format`, `pattern` (a matching string is built from the regex's
//! syntax tree) and length bounds; numbers their range (the upper bound when there is one, so a
//! confidence passes any threshold); lists have their minimum length, at least one item;
//! objects get every property. Recursive types stop at a fixed depth with empty lists and `null`.

use std::fmt;

use regex_syntax::hir::{Class, Hir, HirKind};
use serde_json::{Map, Value};

use crate::validate::ValidationError;

/// How deep `$ref`s are followed before lists are left empty and options `null`.
const MAX_DEPTH: usize = 6;

/// No example could be built: the schema asks for something the generator cannot produce, or a
/// rule the schema does not describe (a `custom` check, a deny list) rejected the value.
#[derive(Debug)]
pub struct ExampleError {
    type_name: &'static str,
    value: Value,
    kind: ExampleErrorKind,
}

#[derive(Debug)]
enum ExampleErrorKind {
    Deserialize(serde_json::Error),
    Rules(ValidationError),
}

impl ExampleError {
    /// The JSON that was generated.
    pub fn value(&self) -> &Value {
        &self.value
    }
}

impl fmt::Display for ExampleError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.kind {
            ExampleErrorKind::Deserialize(_) => write!(
                f,
                "the example generated for `{}` does not deserialize",
                self.type_name
            ),
            ExampleErrorKind::Rules(_) => write!(
                f,
                "the example generated for `{}` breaks a rule the schema does not describe",
                self.type_name
            ),
        }
    }
}

impl std::error::Error for ExampleError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match &self.kind {
            ExampleErrorKind::Deserialize(err) => Some(err),
            ExampleErrorKind::Rules(err) => Some(err),
        }
    }
}

/// Builds, deserializes and validates an example of `T`.
pub(crate) fn example<T: super::LlmOutput>() -> Result<T, ExampleError> {
    let schema = T::schema().to_value();
    let value = Generator { root: &schema }.value(&schema, 0);
    let type_name = std::any::type_name::<T>();
    let typed: T = match serde_json::from_value(value.clone()) {
        Ok(typed) => typed,
        Err(err) => {
            return Err(ExampleError {
                type_name,
                value,
                kind: ExampleErrorKind::Deserialize(err),
            });
        }
    };
    match typed.validate() {
        Ok(()) => Ok(typed),
        Err(err) => Err(ExampleError {
            type_name,
            value,
            kind: ExampleErrorKind::Rules(err),
        }),
    }
}

struct Generator<'a> {
    root: &'a Value,
}

impl Generator<'_> {
    fn value(&self, schema: &Value, depth: usize) -> Value {
        let Some(obj) = schema.as_object() else {
            return Value::Null;
        };
        if let Some(reference) = obj.get("$ref").and_then(Value::as_str) {
            if depth >= MAX_DEPTH {
                return Value::Null;
            }
            let target = reference
                .strip_prefix('#')
                .and_then(|pointer| self.root.pointer(pointer));
            return target.map_or(Value::Null, |s| self.value(s, depth + 1));
        }
        if let Some(value) = obj.get("const") {
            return value.clone();
        }
        if let Some(first) = obj
            .get("enum")
            .and_then(Value::as_array)
            .and_then(|v| v.first())
        {
            return first.clone();
        }
        for key in ["anyOf", "oneOf", "allOf"] {
            if let Some(branches) = obj.get(key).and_then(Value::as_array) {
                // The first branch that is not `null`: an example shows data.
                let branch = branches
                    .iter()
                    .find(|b| b.get("type").and_then(Value::as_str) != Some("null"))
                    .or_else(|| branches.first());
                return branch.map_or(Value::Null, |b| self.value(b, depth));
            }
        }
        match primary_type(obj) {
            Some("string") => string(obj),
            Some("integer") => number(obj, true),
            Some("number") => number(obj, false),
            Some("boolean") => Value::Bool(true),
            Some("array") => self.array(obj, depth),
            Some("object") => self.object(obj, depth),
            _ => Value::Null,
        }
    }

    fn array(&self, obj: &Map<String, Value>, depth: usize) -> Value {
        let min = obj.get("minItems").and_then(Value::as_u64).unwrap_or(0);
        let max = obj
            .get("maxItems")
            .and_then(Value::as_u64)
            .unwrap_or(u64::MAX);
        let wanted = if depth >= MAX_DEPTH { min } else { min.max(1) }.min(max);
        if let Some(prefix) = obj.get("prefixItems").and_then(Value::as_array) {
            return Value::Array(prefix.iter().map(|s| self.value(s, depth)).collect());
        }
        let item = obj.get("items").cloned().unwrap_or(Value::Bool(true));
        Value::Array((0..wanted).map(|_| self.value(&item, depth)).collect())
    }

    fn object(&self, obj: &Map<String, Value>, depth: usize) -> Value {
        let mut out = Map::new();
        if let Some(properties) = obj.get("properties").and_then(Value::as_object) {
            for (name, schema) in properties {
                out.insert(name.clone(), self.value(schema, depth));
            }
        }
        if out.is_empty()
            && let Some(values) = obj.get("additionalProperties").filter(|v| v.is_object())
            && depth < MAX_DEPTH
        {
            out.insert("key".to_owned(), self.value(values, depth));
        }
        Value::Object(out)
    }
}

/// The schema's type, the first that is not `null` when it lists several.
fn primary_type(obj: &Map<String, Value>) -> Option<&str> {
    match obj.get("type")? {
        Value::String(t) => Some(t),
        Value::Array(types) => types
            .iter()
            .filter_map(Value::as_str)
            .find(|t| *t != "null")
            .or(Some("null")),
        _ => None,
    }
}

fn number(obj: &Map<String, Value>, integer: bool) -> Value {
    let min = obj.get("minimum").and_then(Value::as_f64);
    let max = obj.get("maximum").and_then(Value::as_f64);
    let x_min = obj.get("exclusiveMinimum").and_then(Value::as_f64);
    let x_max = obj.get("exclusiveMaximum").and_then(Value::as_f64);
    let step = if integer { 1.0 } else { 0.5 };
    let value = match (max, x_max, min, x_min) {
        (Some(max), ..) => max,
        (None, Some(x_max), ..) => x_max - step,
        (None, None, Some(min), _) => min,
        (None, None, None, Some(x_min)) => x_min + step,
        (None, None, None, None) => 1.0,
    };
    if integer {
        #[allow(clippy::cast_possible_truncation)]
        let n = value.floor() as i64;
        Value::from(n)
    } else {
        serde_json::Number::from_f64(value).map_or(Value::Null, Value::Number)
    }
}

fn string(obj: &Map<String, Value>) -> Value {
    let min = obj
        .get("minLength")
        .and_then(Value::as_u64)
        .map_or(0, |n| usize::try_from(n).unwrap_or(usize::MAX));
    let max = obj
        .get("maxLength")
        .and_then(Value::as_u64)
        .map_or(usize::MAX, |n| usize::try_from(n).unwrap_or(usize::MAX));
    let fits = |s: &str| (min..=max).contains(&s.chars().count());
    match obj.get("format").and_then(Value::as_str) {
        Some("email") => return Value::from("ada@example.com"),
        Some("uri" | "url") => return Value::from("https://example.com/"),
        Some("date") => return Value::from("2024-01-31"),
        Some("date-time") => return Value::from("2024-01-31T12:00:00Z"),
        Some("uuid") => return Value::from("00000000-0000-4000-8000-000000000000"),
        _ => {}
    }
    if let Some(pattern) = obj.get("pattern").and_then(Value::as_str)
        && let Ok(hir) = regex_syntax::Parser::new().parse(pattern)
        && let Ok(re) = regex::Regex::new(pattern)
    {
        // More repetitions until the length bounds are met.
        for extra in 0..64 {
            let mut out = String::new();
            build(&hir, extra, &mut out);
            if fits(&out) && re.is_match(&out) {
                return Value::from(out);
            }
        }
    }
    let mut text: String = "example".chars().take(max).collect();
    while text.chars().count() < min {
        text.push('x');
    }
    Value::from(text)
}

/// A string matching `hir`, each repetition taken `extra` more times than its minimum.
fn build(hir: &Hir, extra: u32, out: &mut String) {
    match hir.kind() {
        HirKind::Empty | HirKind::Look(_) => {}
        HirKind::Literal(lit) => out.push_str(&String::from_utf8_lossy(&lit.0)),
        HirKind::Class(Class::Unicode(class)) => {
            let preferred = ['a', 'A', '0', ' ', '-'];
            let chosen = preferred
                .into_iter()
                .find(|c| class.iter().any(|r| (r.start()..=r.end()).contains(c)))
                .or_else(|| class.iter().next().map(|r| r.start()));
            out.extend(chosen);
        }
        HirKind::Class(Class::Bytes(class)) => {
            let chosen = class
                .iter()
                .find_map(|r| (r.start()..=r.end()).find(u8::is_ascii_alphanumeric))
                .or_else(|| class.iter().next().map(|r| r.start()));
            if let Some(b) = chosen {
                out.push(char::from(b));
            }
        }
        HirKind::Repetition(rep) => {
            let times = rep
                .min
                .saturating_add(extra)
                .min(rep.max.unwrap_or(u32::MAX))
                .max(rep.min);
            for _ in 0..times {
                build(&rep.sub, extra, out);
            }
        }
        HirKind::Capture(cap) => build(&cap.sub, extra, out),
        HirKind::Concat(parts) => parts.iter().for_each(|p| build(p, extra, out)),
        HirKind::Alternation(branches) => {
            if let Some(first) = branches.first() {
                build(first, extra, out);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn matching(pattern: &str) -> String {
        let schema = serde_json::json!({"type": "string", "pattern": pattern, "minLength": 3});
        string(schema.as_object().unwrap())
            .as_str()
            .unwrap()
            .to_owned()
    }

    #[test]
    fn strings_are_built_to_match_their_pattern() {
        for pattern in [
            r"^[A-Z][\w .&-]+$",
            r"^INV-\d{4,6}$",
            r"^(USD|EUR)$",
            r"^[a-z]+@[a-z]+\.(com|org)$",
        ] {
            let s = matching(pattern);
            assert!(
                regex::Regex::new(pattern).unwrap().is_match(&s),
                "{pattern}: {s}"
            );
        }
    }
}
