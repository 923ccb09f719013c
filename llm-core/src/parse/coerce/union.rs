//! Unions (`anyOf`/`oneOf`): which branch a value fits, without guessing.

use serde_json::Value;

use super::scalar::normalized;
use super::{CoerceError, Coercer, accepts_null, article, found, kw, type_names};
use crate::output::schema::ALIASES;
use crate::parse::Fix;

impl<'a> Coercer<'a, '_> {
    pub(super) fn fit_union(
        &mut self,
        value: Value,
        schema: &'a Value,
        branches: &'a [Value],
    ) -> Result<Value, CoerceError> {
        if value.is_null() && branches.iter().any(|b| accepts_null(self.resolve(b))) {
            return Ok(value);
        }
        let tagged = branches
            .iter()
            .any(|b| kw(self.resolve(b), "properties").is_some());
        // Branches that cannot take the value whatever the conversion (`null` for an object) are
        // not tried; the last branch that can takes the value itself, the others a copy.
        let last = branches.iter().rposition(|b| self.plausible(b, &value));
        let mut found_text = None;
        let mut value = Some(value);
        // The branch that needs the fewest fixes wins; the first on a tie (schema order).
        let mut best: Option<(usize, Value, Vec<Fix>)> = None;
        let mut first_err = None;
        // The error of the branch whose tag the value carries (`{"action": "reply"}`): it says
        // what that variant is missing, where "one of the allowed shapes" says nothing.
        let mut tag_err = None;
        for (i, branch) in branches.iter().enumerate() {
            let Some(current) = value.as_ref() else {
                break;
            };
            if Some(i) != last && !self.plausible(branch, current) {
                if first_err.is_none() {
                    first_err = Some(self.implausible(branch, current));
                }
                continue;
            }
            // Whether the value carries this branch's tag, asked before the value moves.
            let mut selects = None;
            let input = if Some(i) == last {
                selects = Some(tag_err.is_none() && self.tag_selects(branch, current));
                if tagged && branches.len() > 1 {
                    found_text = Some(found(current));
                }
                value.take().unwrap_or_default()
            } else {
                current.clone()
            };
            let mut fixes = Vec::new();
            let mut cx = Coercer {
                root: self.root,
                defs: self.defs,
                path: self.path.clone(),
                fixes: &mut fixes,
                deferred: None,
            };
            match cx.fit(input, branch) {
                Ok(v) => {
                    if best.as_ref().is_none_or(|(n, _, _)| fixes.len() < *n) {
                        best = Some((fixes.len(), v, fixes));
                    }
                    if best.as_ref().is_some_and(|(n, _, _)| *n == 0) {
                        break;
                    }
                }
                Err(err) => {
                    let selects = selects.unwrap_or_else(|| {
                        tag_err.is_none()
                            && value.as_ref().is_some_and(|v| self.tag_selects(branch, v))
                    });
                    if selects {
                        tag_err = Some(err.clone());
                    }
                    first_err.get_or_insert(err);
                }
            }
        }
        if let Some((_, v, fixes)) = best {
            self.fixes.extend(fixes);
            return Ok(v);
        }
        if let Some(err) = tag_err {
            return Err(err);
        }
        match first_err {
            Some(err) if !tagged || branches.len() == 1 => Err(err),
            _ => Err(CoerceError::InvalidType {
                path: self.path.clone(),
                expected: describe_union(schema),
                found: match (found_text, &value) {
                    (Some(text), _) => text,
                    (None, Some(value)) => found(value),
                    (None, None) => String::new(),
                },
            }),
        }
    }

    /// Whether `branch` may take `value`: false only when its types cannot hold the value's
    /// kind, whatever the conversion (a `null`, a list, an object for a string).
    pub(super) fn plausible(&self, branch: &'a Value, value: &Value) -> bool {
        let branch = self.resolve(branch);
        if self.path.is_root()
            || ["anyOf", "oneOf", "enum", "const", ALIASES]
                .iter()
                .any(|k| branch.get(*k).is_some())
        {
            return true;
        }
        let types = type_names(branch);
        types.is_empty()
            || types.iter().any(|ty| match ty {
                "null" => value.is_null(),
                "object" => value.is_object() || value.is_string(),
                "array" => !value.is_null(),
                "string" => value.is_string() || value.is_number() || value.is_boolean(),
                "integer" | "number" => value.is_number() || value.is_string(),
                "boolean" => value.is_boolean() || value.is_number() || value.is_string(),
                _ => true,
            })
    }

    /// The error [`fit`](Self::fit) gives for a branch that is not [`plausible`](Self::plausible).
    pub(super) fn implausible(&self, branch: &'a Value, value: &Value) -> CoerceError {
        let types = type_names(self.resolve(branch));
        let expected = match types.iter().filter(|t| *t != "null").last() {
            Some("boolean") => "true or false".to_owned(),
            Some(ty) => article(ty),
            None => types.iter().collect::<Vec<_>>().join(" or "),
        };
        self.invalid(expected, value)
    }

    /// Whether `value` carries the tag (a property with a `const`) that picks `branch`.
    pub(super) fn tag_selects(&self, branch: &'a Value, value: &Value) -> bool {
        let branch = self.resolve(branch);
        let Some(props) = kw(branch, "properties").and_then(Value::as_object) else {
            return false;
        };
        props.iter().any(|(key, prop)| {
            let Some(tag) = kw(prop, "const").and_then(Value::as_str) else {
                return false;
            };
            match value.get(key).and_then(Value::as_str) {
                Some(found) => normalized(found).eq(normalized(tag)),
                // Externally tagged: `{"Variant": {...}}`.
                None => false,
            }
        }) || (props.len() == 1
            && props.values().all(|p| kw(p, "const").is_none())
            && kw(branch, "required")
                .and_then(Value::as_array)
                .is_some_and(|r| r.len() == 1)
            && props.keys().all(|k| value.get(k).is_some()))
    }
}

fn describe_union(schema: &Value) -> String {
    kw(schema, "description")
        .and_then(Value::as_str)
        .map_or_else(
            || "one of the allowed shapes".to_owned(),
            |d| format!("one of the allowed shapes ({d})"),
        )
}
