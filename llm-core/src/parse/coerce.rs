//! Schema-guided coercion: fitting a repaired JSON value to the target type's schema.
//!
//! Models drift in types: `"5"` for `5`, `5` for `"5"`, `"usd"` for `"USD"`, one object where a
//! list was asked, `"$1,234.56"` for a number, `"yes"` for `true`. Each conversion made here is
//! honest (it cannot change what the model meant) and recorded as a [`Fix`]. What cannot be
//! converted is a [`CoerceError`] with the path, what was expected and what was found; an
//! ambiguous enum value is an error, never a guess.
//!
//! The walk recurses along the value, whose depth the repairer already bounded.

use serde_json::{Map, Number, Value};

use super::{Fix, FixKind};
use crate::output::schema::ALIASES;
use crate::path::{FieldPath, PathSegment, excerpt};

/// Why a value could not be fitted to the schema.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum CoerceError {
    /// A required field is absent.
    MissingField {
        /// The object's path.
        path: FieldPath,
        /// The field's name.
        field: String,
    },
    /// A value of the wrong type that no honest conversion fixes.
    InvalidType {
        /// Where.
        path: FieldPath,
        /// What the schema asks for, e.g. `integer` or `one of "USD", "EUR"`.
        expected: String,
        /// What was there, as a short JSON excerpt.
        found: String,
    },
    /// A string that matches none of the allowed values.
    UnknownVariant {
        /// Where.
        path: FieldPath,
        /// The value found.
        found: String,
        /// The allowed values.
        expected: Vec<String>,
    },
    /// A string that matches several allowed values once case and punctuation are ignored.
    AmbiguousVariant {
        /// Where.
        path: FieldPath,
        /// The value found.
        found: String,
        /// The allowed values it could mean.
        candidates: Vec<String>,
    },
    /// A field the type does not have, under `#[serde(deny_unknown_fields)]`.
    UnknownField {
        /// The object's path.
        path: FieldPath,
        /// The field's name.
        field: String,
    },
}

impl CoerceError {
    /// Where the error is.
    pub fn path(&self) -> &FieldPath {
        match self {
            CoerceError::MissingField { path, .. }
            | CoerceError::InvalidType { path, .. }
            | CoerceError::UnknownVariant { path, .. }
            | CoerceError::AmbiguousVariant { path, .. }
            | CoerceError::UnknownField { path, .. } => path,
        }
    }
}

impl std::fmt::Display for CoerceError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            CoerceError::MissingField { path, field } if path.is_root() => {
                write!(f, "missing required field `{field}`")
            }
            CoerceError::MissingField { path, field } => {
                write!(f, "missing required field `{field}` in {path}")
            }
            CoerceError::InvalidType {
                path,
                expected,
                found,
            } => {
                write!(f, "{path}: expected {expected}, found {found}")
            }
            CoerceError::UnknownVariant {
                path,
                found,
                expected,
            } => {
                write!(
                    f,
                    "{path}: {found:?} is not one of {}",
                    quoted_list(expected)
                )
            }
            CoerceError::AmbiguousVariant {
                path,
                found,
                candidates,
            } => write!(
                f,
                "{path}: {found:?} could mean any of {}",
                quoted_list(candidates)
            ),
            CoerceError::UnknownField { path, field } => {
                write!(f, "{path}: unknown field `{field}`")
            }
        }
    }
}

fn quoted_list(items: &[String]) -> String {
    items
        .iter()
        .map(|i| format!("{i:?}"))
        .collect::<Vec<_>>()
        .join(", ")
}

/// Fits `value` to `schema` (a root schema whose `$defs` hold the definitions it refers to).
pub(crate) fn coerce(
    value: Value,
    root: &Value,
    fixes: &mut Vec<Fix>,
) -> Result<Value, CoerceError> {
    let mut cx = Coercer {
        root,
        defs: root.get("$defs").and_then(Value::as_object),
        path: FieldPath::root(),
        fixes,
    };
    cx.fit(value, root)
}

struct Coercer<'a, 'f> {
    root: &'a Value,
    defs: Option<&'a Map<String, Value>>,
    path: FieldPath,
    fixes: &'f mut Vec<Fix>,
}

fn found(value: &Value) -> String {
    excerpt(&value.to_string(), 60)
}

fn type_names(schema: &Value) -> Vec<&str> {
    match schema.get("type") {
        Some(Value::String(t)) => vec![t.as_str()],
        Some(Value::Array(ts)) => ts.iter().filter_map(Value::as_str).collect(),
        _ => Vec::new(),
    }
}

impl<'a> Coercer<'a, '_> {
    fn fix(&mut self, kind: FixKind) {
        self.fixes.push(Fix {
            kind,
            path: self.path.clone(),
        });
    }

    fn invalid(&self, expected: impl Into<String>, value: &Value) -> CoerceError {
        CoerceError::InvalidType {
            path: self.path.clone(),
            expected: expected.into(),
            found: found(value),
        }
    }

    fn resolve(&self, schema: &'a Value) -> &'a Value {
        let mut schema = schema;
        // Bounded: a chain of refs longer than the number of definitions is a cycle.
        for _ in 0..=self.defs.map_or(0, Map::len) {
            let Some(reference) = schema.get("$ref").and_then(Value::as_str) else {
                break;
            };
            let next = if reference == "#" {
                Some(self.root)
            } else {
                reference
                    .strip_prefix("#/$defs/")
                    .and_then(|name| self.defs?.get(name))
            };
            match next {
                Some(next) => schema = next,
                None => break,
            }
        }
        schema
    }

    fn fit(&mut self, value: Value, schema: &'a Value) -> Result<Value, CoerceError> {
        let schema = self.resolve(schema);
        if let Some(Value::Array(branches)) = schema.get("anyOf").or_else(|| schema.get("oneOf")) {
            return self.fit_union(value, schema, branches);
        }
        let aliases = schema.get(ALIASES).and_then(Value::as_object);
        if let Some(allowed) = schema.get("enum").and_then(Value::as_array) {
            return self.fit_enum(value, allowed, aliases);
        }
        if let Some(constant) = schema.get("const") {
            return self.fit_enum(value, std::slice::from_ref(constant), aliases);
        }
        let types = type_names(schema);
        if types.is_empty() {
            return Ok(value);
        }
        if value.is_null() && types.contains(&"null") {
            return Ok(value);
        }
        let mut last_err = None;
        for ty in types.iter().filter(|t| **t != "null") {
            match self.fit_type(value.clone(), schema, ty) {
                Ok(v) => return Ok(v),
                Err(err) => last_err = Some(err),
            }
        }
        Err(last_err.unwrap_or_else(|| self.invalid(types.join(" or "), &value)))
    }

    fn fit_type(
        &mut self,
        value: Value,
        schema: &'a Value,
        ty: &str,
    ) -> Result<Value, CoerceError> {
        match (ty, value) {
            ("object", Value::Object(map)) => self.fit_object(map, schema),
            ("object", Value::String(s)) if s.trim_start().starts_with('{') => {
                match serde_json::from_str::<Value>(&s) {
                    Ok(inner @ Value::Object(_)) => {
                        self.fix(FixKind::DecodedString);
                        self.fit(inner, schema)
                    }
                    _ => Err(self.invalid("an object", &Value::String(s))),
                }
            }
            ("array", Value::Array(items)) => self.fit_array(items, schema),
            ("array", Value::Null) => Err(self.invalid("an array", &Value::Null)),
            ("array", single) => {
                self.fix(FixKind::SingleToList);
                self.fit_array(vec![single], schema)
            }
            ("string", Value::String(s)) => Ok(Value::String(s)),
            ("string", Value::Number(n)) => {
                self.fix(FixKind::NumberToString);
                Ok(Value::String(n.to_string()))
            }
            ("string", Value::Bool(b)) => {
                self.fix(FixKind::BoolToString);
                Ok(Value::String(b.to_string()))
            }
            ("integer", value) => self.fit_number(value, true),
            ("number", value) => self.fit_number(value, false),
            ("boolean", Value::Bool(b)) => Ok(Value::Bool(b)),
            ("boolean", value) => match truthiness(&value) {
                Some(b) => {
                    self.fix(FixKind::ToBool);
                    Ok(Value::Bool(b))
                }
                None => Err(self.invalid("true or false", &value)),
            },
            ("null", Value::Null) => Ok(Value::Null),
            (ty, value) => Err(self.invalid(article(ty), &value)),
        }
    }

    fn fit_number(&mut self, value: Value, integer: bool) -> Result<Value, CoerceError> {
        let expected = if integer { "an integer" } else { "a number" };
        let number = match &value {
            Value::Number(n) => n.clone(),
            Value::String(s) => match parse_number(s) {
                Some(n) => {
                    self.fix(FixKind::StringToNumber);
                    n
                }
                None => return Err(self.invalid(expected, &value)),
            },
            _ => return Err(self.invalid(expected, &value)),
        };
        if !integer || number.is_i64() || number.is_u64() {
            return Ok(Value::Number(number));
        }
        match number.as_f64() {
            Some(f) if f.fract() == 0.0 && f.abs() < 9.0e15 => {
                self.fix(FixKind::FloatToInteger);
                #[allow(clippy::cast_possible_truncation)] // integral and in range, checked above
                Ok(Value::Number(Number::from(f as i64)))
            }
            _ => Err(self.invalid(expected, &value)),
        }
    }

    fn fit_array(&mut self, items: Vec<Value>, schema: &'a Value) -> Result<Value, CoerceError> {
        let item_schema = schema.get("items");
        let prefix = schema.get("prefixItems").and_then(Value::as_array);
        let mut out = Vec::with_capacity(items.len());
        for (i, item) in items.into_iter().enumerate() {
            let item_schema = prefix.and_then(|p| p.get(i)).or(item_schema);
            self.path.push(PathSegment::Index(i));
            let fitted = match item_schema {
                Some(s) => self.fit(item, s),
                None => Ok(item),
            };
            self.path.pop();
            out.push(fitted?);
        }
        Ok(Value::Array(out))
    }

    fn fit_object(
        &mut self,
        mut map: Map<String, Value>,
        schema: &'a Value,
    ) -> Result<Value, CoerceError> {
        static EMPTY: std::sync::LazyLock<Map<String, Value>> = std::sync::LazyLock::new(Map::new);
        let props: &'a Map<String, Value> = schema
            .get("properties")
            .and_then(Value::as_object)
            .unwrap_or(&EMPTY);
        // Keys that differ from a property only in case or separators (`Vendor`, `vendor_name`
        // for `vendorName`) are renamed when exactly one property matches.
        let renames: Vec<(String, String)> = map
            .keys()
            .filter(|k| !props.contains_key(k.as_str()))
            .filter_map(|k| {
                let key = normalize(k);
                let mut matches = props
                    .keys()
                    .filter(|p| normalize(p) == key && !map.contains_key(p.as_str()));
                match (matches.next(), matches.next()) {
                    (Some(p), None) => Some((k.clone(), p.clone())),
                    _ => None,
                }
            })
            .collect();
        if !renames.is_empty() {
            map = map
                .into_iter()
                .map(
                    |(key, value)| match renames.iter().find(|(from, _)| *from == key) {
                        Some((_, to)) => {
                            self.path.push(PathSegment::Key(to.clone()));
                            self.fix(FixKind::KeyRenamed);
                            self.path.pop();
                            (to.clone(), value)
                        }
                        None => (key, value),
                    },
                )
                .collect();
        }
        // serde's own aliases: renamed without a fix, since serde would accept them too.
        if let Some(aliases) = schema.get(ALIASES).and_then(Value::as_object)
            && map.keys().any(|k| aliases.contains_key(k))
        {
            map = map
                .into_iter()
                .map(
                    |(key, value)| match aliases.get(&key).and_then(Value::as_str) {
                        Some(name) if !props.contains_key(&key) => (name.to_owned(), value),
                        _ => (key, value),
                    },
                )
                .collect();
        }
        let mut out = Map::with_capacity(map.len());
        for (key, value) in map {
            match props.get(&key) {
                Some(prop) => {
                    self.path.push(PathSegment::Key(key.clone()));
                    let fitted = self.fit(value, prop);
                    self.path.pop();
                    out.insert(key, fitted?);
                }
                None if schema.get("additionalProperties") == Some(&Value::Bool(false)) => {
                    return Err(CoerceError::UnknownField {
                        path: self.path.clone(),
                        field: key,
                    });
                }
                None => {
                    let fitted = match schema.get("additionalProperties").filter(|s| s.is_object())
                    {
                        Some(values) => {
                            self.path.push(PathSegment::Key(key.clone()));
                            let fitted = self.fit(value, values);
                            self.path.pop();
                            fitted?
                        }
                        None => value,
                    };
                    out.insert(key, fitted);
                }
            }
        }
        for required in schema
            .get("required")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
        {
            let Some(name) = required.as_str() else {
                continue;
            };
            if out.contains_key(name) {
                continue;
            }
            let prop = props.get(name).map(|p| self.resolve(p));
            if prop.is_some_and(accepts_null) {
                // An optional field left out: serde reads the absence as `None`.
                continue;
            }
            return Err(CoerceError::MissingField {
                path: self.path.clone(),
                field: name.to_owned(),
            });
        }
        Ok(Value::Object(out))
    }

    fn fit_union(
        &mut self,
        value: Value,
        schema: &'a Value,
        branches: &'a [Value],
    ) -> Result<Value, CoerceError> {
        if value.is_null() && branches.iter().any(|b| accepts_null(self.resolve(b))) {
            return Ok(value);
        }
        // The branch that needs the fewest fixes wins; the first on a tie (schema order).
        let mut best: Option<(usize, Value, Vec<Fix>)> = None;
        let mut first_err = None;
        for branch in branches {
            let mut fixes = Vec::new();
            let mut cx = Coercer {
                root: self.root,
                defs: self.defs,
                path: self.path.clone(),
                fixes: &mut fixes,
            };
            match cx.fit(value.clone(), branch) {
                Ok(v) => {
                    if best.as_ref().is_none_or(|(n, _, _)| fixes.len() < *n) {
                        best = Some((fixes.len(), v, fixes));
                    }
                    if best.as_ref().is_some_and(|(n, _, _)| *n == 0) {
                        break;
                    }
                }
                Err(err) => {
                    first_err.get_or_insert(err);
                }
            }
        }
        match best {
            Some((_, v, fixes)) => {
                self.fixes.extend(fixes);
                Ok(v)
            }
            None => {
                let tagged = branches
                    .iter()
                    .any(|b| self.resolve(b).get("properties").is_some());
                match first_err {
                    Some(err) if !tagged || branches.len() == 1 => Err(err),
                    _ => Err(self.invalid(describe_union(schema), &value)),
                }
            }
        }
    }

    fn fit_enum(
        &mut self,
        value: Value,
        allowed: &[Value],
        aliases: Option<&Map<String, Value>>,
    ) -> Result<Value, CoerceError> {
        if allowed.contains(&value) {
            return Ok(value);
        }
        let names: Vec<String> = allowed
            .iter()
            .filter_map(|a| a.as_str().map(str::to_owned))
            .collect();
        let text = match &value {
            Value::String(s) => s.trim().to_owned(),
            Value::Number(n) => n.to_string(),
            Value::Bool(b) => b.to_string(),
            _ => return Err(self.invalid(format!("one of {}", quoted_list(&names)), &value)),
        };
        // (label, value): the allowed values, then serde's aliases of them.
        let labels: Vec<(&str, &Value)> = allowed
            .iter()
            .filter_map(|a| a.as_str().map(|s| (s, a)))
            .chain(aliases.into_iter().flatten().filter_map(|(alias, name)| {
                allowed
                    .iter()
                    .find(|a| *a == name)
                    .map(|a| (alias.as_str(), a))
            }))
            .collect();
        if let Some((label, hit)) = labels.iter().find(|(label, _)| *label == text) {
            if !value.is_string() || *label != text.as_str() || value.as_str() != Some(&text) {
                self.fix(FixKind::EnumMatched);
            }
            return Ok((*hit).clone());
        }
        for (matcher, kind) in [
            (str::to_lowercase as fn(&str) -> String, FixKind::EnumCase),
            (normalize as fn(&str) -> String, FixKind::EnumFuzzy),
        ] {
            let want = matcher(&text);
            let mut hits: Vec<&Value> = labels
                .iter()
                .filter(|(l, _)| matcher(l) == want)
                .map(|(_, v)| *v)
                .collect();
            hits.dedup();
            match hits.as_slice() {
                [one] => {
                    self.fix(kind);
                    return Ok((*one).clone());
                }
                [] => {}
                many => {
                    return Err(CoerceError::AmbiguousVariant {
                        path: self.path.clone(),
                        found: text,
                        candidates: many
                            .iter()
                            .filter_map(|v| v.as_str().map(str::to_owned))
                            .collect(),
                    });
                }
            }
        }
        Err(CoerceError::UnknownVariant {
            path: self.path.clone(),
            found: text,
            expected: names,
        })
    }
}

fn article(ty: &str) -> String {
    match ty {
        "object" => "an object".to_owned(),
        "array" => "an array".to_owned(),
        "integer" => "an integer".to_owned(),
        other => format!("a {other}"),
    }
}

fn describe_union(schema: &Value) -> String {
    schema
        .get("description")
        .and_then(Value::as_str)
        .map_or_else(
            || "one of the allowed shapes".to_owned(),
            |d| format!("one of the allowed shapes ({d})"),
        )
}

fn accepts_null(schema: &Value) -> bool {
    type_names(schema).contains(&"null")
        || schema
            .get("enum")
            .and_then(Value::as_array)
            .is_some_and(|e| e.contains(&Value::Null))
        || ["anyOf", "oneOf"].iter().any(|k| {
            schema.get(*k).and_then(Value::as_array).is_some_and(|bs| {
                bs.iter()
                    .any(|b| b.get("type").and_then(Value::as_str) == Some("null"))
            })
        })
}

/// Lowercase letters and digits only: `Vendor_Name`, `vendor-name` and `vendorName` agree.
fn normalize(text: &str) -> String {
    text.chars()
        .filter(|c| c.is_alphanumeric())
        .flat_map(char::to_lowercase)
        .collect()
}

fn truthiness(value: &Value) -> Option<bool> {
    match value {
        Value::Number(n) if n.as_f64() == Some(1.0) => Some(true),
        Value::Number(n) if n.as_f64() == Some(0.0) => Some(false),
        Value::String(s) => match s.trim().to_lowercase().as_str() {
            "true" | "yes" | "y" | "on" | "1" => Some(true),
            "false" | "no" | "n" | "off" | "0" => Some(false),
            _ => None,
        },
        _ => None,
    }
}

/// A number in a string: `"5"`, `" 5 "`, `"$1,234.56"`, `"1 234,5"` is not accepted (ambiguous
/// separators are refused), `"12%"` is `12`.
fn parse_number(text: &str) -> Option<Number> {
    let t = text.trim();
    let t = t
        .trim_start_matches(['$', '€', '£', '¥'])
        .trim_end_matches(['%', '$', '€', '£', '¥'])
        .trim();
    let t = t
        .strip_suffix(" USD")
        .or_else(|| t.strip_suffix(" EUR"))
        .or_else(|| t.strip_suffix(" GBP"))
        .unwrap_or(t);
    // Thousands separators: commas only in groups of three before any decimal point.
    let (int_part, frac_part) = match t.split_once('.') {
        Some((i, f)) => (i, Some(f)),
        None => (t, None),
    };
    let unsigned = int_part.trim_start_matches(['-', '+']);
    let groups: Vec<&str> = unsigned.split(',').collect();
    if groups.len() > 1
        && (groups[0].is_empty() || groups[0].len() > 3 || groups[1..].iter().any(|g| g.len() != 3))
    {
        return None;
    }
    let digits: String = int_part.chars().filter(|c| *c != ',').collect();
    let joined = match frac_part {
        Some(f) => format!("{digits}.{f}"),
        None => digits,
    };
    if joined.is_empty()
        || !joined
            .chars()
            .all(|c| c.is_ascii_digit() || matches!(c, '-' | '+' | '.' | 'e' | 'E'))
    {
        return None;
    }
    let joined = joined.strip_prefix('+').unwrap_or(&joined);
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

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn fit(value: Value, schema: Value) -> Result<(Value, Vec<FixKind>), CoerceError> {
        let mut fixes = Vec::new();
        let v = coerce(value, &schema, &mut fixes)?;
        Ok((v, fixes.into_iter().map(|f| f.kind).collect()))
    }

    #[test]
    fn numbers_in_strings() {
        assert_eq!(parse_number("$1,234.56"), Number::from_f64(1234.56));
        assert_eq!(parse_number(" 5 "), Some(Number::from(5)));
        assert_eq!(parse_number("12%"), Some(Number::from(12)));
        assert_eq!(parse_number("1,23"), None);
        assert_eq!(parse_number("five"), None);
        assert_eq!(parse_number("-3"), Some(Number::from(-3)));
    }

    #[test]
    fn scalars_drift_back_to_their_types() {
        let int = json!({"type": "integer"});
        assert_eq!(
            fit(json!("5"), int.clone()).unwrap(),
            (json!(5), vec![FixKind::StringToNumber])
        );
        assert_eq!(
            fit(json!(5.0), int.clone()).unwrap(),
            (json!(5), vec![FixKind::FloatToInteger])
        );
        assert!(fit(json!(5.5), int).is_err());
        let s = json!({"type": "string"});
        assert_eq!(
            fit(json!(5), s).unwrap(),
            (json!("5"), vec![FixKind::NumberToString])
        );
        let b = json!({"type": "boolean"});
        assert_eq!(
            fit(json!("yes"), b.clone()).unwrap(),
            (json!(true), vec![FixKind::ToBool])
        );
        assert!(fit(json!("maybe"), b).is_err());
    }

    #[test]
    fn enums_match_case_and_punctuation_but_never_guess() {
        let e = json!({"type": "string", "enum": ["USD", "EUR", "in-progress", "In Progress"]});
        assert_eq!(
            fit(json!("usd"), e.clone()).unwrap(),
            (json!("USD"), vec![FixKind::EnumCase])
        );
        assert!(matches!(
            fit(json!("inprogress"), e.clone()),
            Err(CoerceError::AmbiguousVariant { .. })
        ));
        assert!(matches!(
            fit(json!("yen"), e),
            Err(CoerceError::UnknownVariant { .. })
        ));
    }

    #[test]
    fn objects_lists_and_missing_fields() {
        let schema = json!({
            "type": "object",
            "properties": {"tags": {"type": "array", "items": {"type": "string"}}, "note": {"type": ["string", "null"]}, "qty": {"type": "integer"}},
            "required": ["tags", "note", "qty"]
        });
        let (v, fixes) = fit(json!({"Tags": "a", "qty": "2"}), schema.clone()).unwrap();
        assert_eq!(v, json!({"tags": ["a"], "qty": 2}));
        assert_eq!(
            fixes,
            [
                FixKind::KeyRenamed,
                FixKind::SingleToList,
                FixKind::StringToNumber
            ]
        );
        let err = fit(json!({"tags": []}), schema).unwrap_err();
        assert_eq!(err.to_string(), "missing required field `qty`");
    }
}
