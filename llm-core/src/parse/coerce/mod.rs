//! Schema-guided coercion: fitting a repaired JSON value to the target type's schema.
//!
//! Models drift in types: `"5"` for `5`, `5` for `"5"`, `"usd"` for `"USD"`, one object where a
//! list was asked, `"$1,234.56"` for a number, `"yes"` for `true`. Each conversion made here is
//! honest (it cannot change what the model meant) and recorded as a [`Fix`]. What cannot be
//! converted is a [`CoerceError`] with the path, what was expected and what was found; an
//! ambiguous enum value is an error, never a guess.
//!
//! The walk recurses along the value, whose depth the repairer already bounded.

use serde_json::{Map, Value};

use super::{Fix, FixKind};
use crate::output::schema::ALIASES;
use crate::path::{FieldPath, PathSegment, excerpt};

mod error;
mod fitter;
mod scalar;
#[cfg(test)]
mod tests;
mod union;

pub use error::CoerceError;
pub(super) use fitter::{Fitter, Memo, Shapes};
use scalar::{normalized, truthiness};

/// Fits `value` to `schema` (a root schema whose `$defs` hold the definitions it refers to).
pub(crate) fn coerce(
    value: Value,
    root: &Value,
    fixes: &mut Vec<Fix>,
) -> Result<Value, CoerceError> {
    let mut cx = Coercer {
        root,
        defs: kw(root, "$defs").and_then(Value::as_object),
        path: FieldPath::root(),
        fixes,
        deferred: None,
    };
    cx.fit(value, root)
}

struct Coercer<'a, 'f> {
    root: &'a Value,
    defs: Option<&'a Map<String, Value>>,
    path: FieldPath,
    fixes: &'f mut Vec<Fix>,
    /// When set, the depth of the path given: a fix there is recorded with the root path, for
    /// the caller to give it the path, moved rather than copied (see [`Fitter::fit_with`]).
    deferred: Option<usize>,
}

/// The value as a short JSON excerpt. Only the start is written: a large value costs no more
/// than a small one.
fn found(value: &Value) -> String {
    const MAX: usize = 60;
    let mut out = Bounded(Vec::new());
    // `Bounded` refuses to take more once it holds enough for the excerpt: the error is the
    // expected way to stop.
    let _ = serde_json::to_writer(&mut out, value);
    excerpt(&String::from_utf8_lossy(&out.0), MAX)
}

/// A writer that keeps the first bytes, enough for more than 60 characters.
struct Bounded(Vec<u8>);

impl std::io::Write for Bounded {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        // 4 bytes a character at most, and one more character to know the text was longer.
        const KEEP: usize = 4 * 62;
        let room = KEEP.saturating_sub(self.0.len());
        if room == 0 {
            return Err(std::io::Error::other("enough"));
        }
        let n = buf.len().min(room);
        self.0.extend_from_slice(&buf[..n]);
        Ok(n)
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

/// A keyword of a schema object. Schema objects have a few keys: comparing them costs less than
/// hashing the key.
#[inline]
pub(super) fn kw<'v>(schema: &'v Value, key: &str) -> Option<&'v Value> {
    member(schema.as_object()?, key)
}

/// `map[key]`, by comparing keys when the map is small (schema objects, a type's definitions).
fn member<'v>(map: &'v Map<String, Value>, key: &str) -> Option<&'v Value> {
    if map.len() > 8 {
        return map.get(key);
    }
    map.iter().find_map(|(k, v)| (k == key).then_some(v))
}

/// The JSON types a schema names in `type`, without allocating.
#[derive(Clone, Copy)]
pub(super) enum Types<'a> {
    One(&'a str),
    Many(&'a [Value]),
}

impl<'a> Types<'a> {
    pub(super) fn iter(self) -> impl Iterator<Item = &'a str> {
        let (one, many) = match self {
            Types::One(t) => (Some(t), &[][..]),
            Types::Many(ts) => (None, ts),
        };
        one.into_iter().chain(many.iter().filter_map(Value::as_str))
    }

    fn contains(self, ty: &str) -> bool {
        self.iter().any(|t| t == ty)
    }

    fn is_empty(self) -> bool {
        self.iter().next().is_none()
    }
}

pub(super) fn type_names(schema: &Value) -> Types<'_> {
    types_of(kw(schema, "type"))
}

/// The types named by a schema's `type` keyword (`None` when it has none).
fn types_of(ty: Option<&Value>) -> Types<'_> {
    match ty {
        Some(Value::String(t)) => Types::One(t.as_str()),
        Some(Value::Array(ts)) => Types::Many(ts),
        _ => Types::Many(&[]),
    }
}

/// The keywords that decide what a value becomes under a schema object, found in one pass over
/// its keys (what [`kw`] finds for each, without a pass per keyword).
#[derive(Clone, Copy, Default)]
pub(super) struct Keywords<'v> {
    reference: Option<&'v Value>,
    any_of: Option<&'v Value>,
    one_of: Option<&'v Value>,
    pub(super) enumeration: Option<&'v Value>,
    pub(super) constant: Option<&'v Value>,
    ty: Option<&'v Value>,
    aliases: Option<&'v Value>,
}

impl<'v> Keywords<'v> {
    /// The keywords of `schema` (none when it is not an object).
    pub(super) fn of(schema: &'v Value) -> Self {
        let mut keys = Self::default();
        for (key, value) in schema.as_object().into_iter().flatten() {
            let slot = match key.as_str() {
                "$ref" => &mut keys.reference,
                "anyOf" => &mut keys.any_of,
                "oneOf" => &mut keys.one_of,
                "enum" => &mut keys.enumeration,
                "const" => &mut keys.constant,
                "type" => &mut keys.ty,
                ALIASES => &mut keys.aliases,
                _ => continue,
            };
            *slot = Some(value);
        }
        keys
    }

    /// Whether the schema has a `$ref` that [`resolve`] follows.
    fn refers(self) -> bool {
        self.reference.and_then(Value::as_str).is_some()
    }

    /// The branches of an `anyOf` (or, without one, a `oneOf`).
    pub(super) fn union(self) -> Option<&'v [Value]> {
        self.any_of
            .or(self.one_of)
            .and_then(Value::as_array)
            .map(Vec::as_slice)
    }

    /// The JSON types named in `type`.
    pub(super) fn types(self) -> Types<'v> {
        types_of(self.ty)
    }

    /// Whether the schema takes one numeric type (`Some(true)` for `integer`) and `null` at
    /// most, with no `$ref`, union, enumeration or constant: a string is then fitted to it as a
    /// number written as text, and nothing else (see [`Fitter::number_text`]).
    pub(in crate::parse) fn lone_number(self) -> Option<bool> {
        if self.refers()
            || self.union().is_some()
            || self.enumeration.is_some()
            || self.constant.is_some()
        {
            return None;
        }
        let mut types = self.types().iter().filter(|t| *t != "null");
        let integer = match types.next()? {
            "integer" => true,
            "number" => false,
            _ => return None,
        };
        types.next().is_none().then_some(integer)
    }
}

impl<'a> Coercer<'a, '_> {
    fn fix(&mut self, kind: FixKind) {
        let path = if self.deferred == Some(self.path.segments().len()) {
            FieldPath::root()
        } else {
            self.path.clone()
        };
        self.fixes.push(Fix { kind, path });
    }

    fn invalid(&self, expected: impl Into<String>, value: &Value) -> CoerceError {
        CoerceError::InvalidType {
            path: self.path.clone(),
            expected: expected.into(),
            found: found(value),
        }
    }

    fn resolve(&self, schema: &'a Value) -> &'a Value {
        resolve(self.root, self.defs, schema)
    }

    fn fit(&mut self, value: Value, schema: &'a Value) -> Result<Value, CoerceError> {
        let schema = self.resolve(schema);
        self.fit_resolved(value, schema, Keywords::of(schema))
    }

    /// [`fit`](Self::fit) past `schema`'s `$ref`s: `schema` is resolved and `keys` are its
    /// keywords.
    fn fit_resolved(
        &mut self,
        value: Value,
        schema: &'a Value,
        keys: Keywords<'a>,
    ) -> Result<Value, CoerceError> {
        if let Some(branches) = keys.union() {
            return self.fit_union(value, schema, branches);
        }
        let value = match value {
            // `{"count": 42}` for a number, `["EUR"]` for an enum: the wrapper goes.
            // Only the reply itself: inside, a one-member object is a different answer.
            Value::Object(map)
                if self.path.is_root() && map.len() == 1 && !self.accepts(schema, "object") =>
            {
                self.fix(FixKind::UnwrappedObject);
                return self.fit(
                    map.into_iter().next().map(|(_, v)| v).unwrap_or_default(),
                    schema,
                );
            }
            Value::Array(mut items)
                if self.path.is_root() && items.len() == 1 && !self.accepts(schema, "array") =>
            {
                self.fix(FixKind::ListToSingle);
                return self.fit(items.pop().unwrap_or_default(), schema);
            }
            other => other,
        };
        let aliases = keys.aliases.and_then(Value::as_object);
        if let Some(allowed) = keys.enumeration.and_then(Value::as_array) {
            return self.fit_enum(value, allowed, aliases);
        }
        if let Some(constant) = keys.constant {
            return self.fit_enum(value, std::slice::from_ref(constant), aliases);
        }
        let types = keys.types();
        if types.is_empty() {
            return Ok(value);
        }
        if value.is_null() && types.contains("null") {
            return Ok(value);
        }
        let mut candidates = types.iter().filter(|t| *t != "null");
        let Some(first) = candidates.next() else {
            let names: Vec<&str> = types.iter().collect();
            return Err(self.invalid(names.join(" or "), &value));
        };
        // One type to try (the usual case): the value moves, it is not copied.
        let Some(second) = candidates.next() else {
            return self.fit_type(value, schema, first);
        };
        let mut last_err = None;
        for ty in [first, second].into_iter().chain(candidates) {
            match self.fit_type(value.clone(), schema, ty) {
                Ok(v) => return Ok(v),
                Err(err) => last_err = Some(err),
            }
        }
        Err(last_err.unwrap_or_else(|| self.invalid("a value", &value)))
    }

    /// Whether `schema` can hold a value of JSON type `ty` (or any value).
    fn accepts(&self, schema: &'a Value, ty: &str) -> bool {
        let schema = self.resolve(schema);
        if let Some(Value::Array(branches)) = kw(schema, "anyOf").or_else(|| kw(schema, "oneOf")) {
            return branches.iter().any(|b| self.accepts(b, ty));
        }
        if kw(schema, "enum").is_some() || kw(schema, "const").is_some() {
            return false;
        }
        let types = type_names(schema);
        types.is_empty() && kw(schema, "properties").is_none() || types.contains(ty)
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
            ("array", Value::String(s)) if s.trim_start().starts_with('[') => {
                match serde_json::from_str::<Value>(&s) {
                    Ok(Value::Array(items)) => {
                        self.fix(FixKind::DecodedString);
                        self.fit_array(items, schema)
                    }
                    _ => {
                        self.fix(FixKind::SingleToList);
                        self.fit_array(vec![Value::String(s)], schema)
                    }
                }
            }
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

    fn fit_array(&mut self, items: Vec<Value>, schema: &'a Value) -> Result<Value, CoerceError> {
        let item_schema = kw(schema, "items");
        let prefix = kw(schema, "prefixItems").and_then(Value::as_array);
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
        let props: &'a Map<String, Value> = kw(schema, "properties")
            .and_then(Value::as_object)
            .unwrap_or(&EMPTY);
        let aliases = kw(schema, ALIASES).and_then(Value::as_object);
        // A wrapper around the answer (`{"invoice": {...}}`): one member, not a field, holding
        // an object, where the type has required fields.
        if self.path.is_root()
            && map.len() == 1
            && kw(schema, "required")
                .and_then(Value::as_array)
                .is_some_and(|r| !r.is_empty())
            && let Some((key, inner)) = map.iter().next()
            && inner.is_object()
            && self.field_for(key, props, aliases).is_none()
        {
            self.fix(FixKind::UnwrappedObject);
            let inner = map.into_iter().next().map(|(_, v)| v).unwrap_or_default();
            return self.fit(inner, schema);
        }
        // serde's aliases are renamed without a fix (serde accepts them too); keys that differ
        // from a field or an alias only in case or separators (`Vendor`, `vendor_name` for
        // `vendorName`) are renamed when exactly one field matches, with a fix.
        if map.keys().any(|k| !props.contains_key(k)) {
            let present: Vec<String> = map.keys().cloned().collect();
            map = map
                .into_iter()
                .map(|(key, value)| match self.field_for(&key, props, aliases) {
                    // The reply's own `name` wins over a `Name` that would be renamed onto it.
                    Some((name, exact)) if name != key && !present.contains(&name) => {
                        if !exact {
                            self.path.push(PathSegment::Key(name.as_str().into()));
                            self.fix(FixKind::KeyRenamed);
                            self.path.pop();
                        }
                        (name, value)
                    }
                    _ => (key, value),
                })
                .collect();
        }
        // `null` for a field that has a serde default and cannot be null: the default applies.
        let required = kw(schema, "required").and_then(Value::as_array);
        let is_required = |k: &str| required.is_some_and(|r| r.iter().any(|n| n == k));
        let nulls: Vec<String> = map
            .iter()
            .filter(|(k, v)| {
                v.is_null()
                    && !is_required(k)
                    && props
                        .get(k.as_str())
                        .is_some_and(|p| !accepts_null(self.resolve(p)))
            })
            .map(|(k, _)| k.clone())
            .collect();
        for key in nulls {
            map.remove(&key);
            self.path.push(PathSegment::Key(key.into()));
            self.fix(FixKind::NullForDefault);
            self.path.pop();
        }
        let mut out = Map::with_capacity(map.len());
        for (key, value) in map {
            match props.get(&key) {
                Some(prop) => {
                    // A key of up to 24 bytes is copied into the path without an allocation.
                    self.path.push(PathSegment::Key(key.as_str().into()));
                    let fitted = self.fit(value, prop);
                    self.path.pop();
                    out.insert(key, fitted?);
                }
                None if kw(schema, "additionalProperties") == Some(&Value::Bool(false)) => {
                    return Err(CoerceError::UnknownField {
                        path: self.path.clone(),
                        field: key,
                    });
                }
                None => {
                    let fitted = match kw(schema, "additionalProperties").filter(|s| s.is_object())
                    {
                        Some(values) => {
                            self.path.push(PathSegment::Key(key.as_str().into()));
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
        for required in kw(schema, "required")
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

    /// The field a key stands for: itself, a serde alias (exact, `true`), or the one field or
    /// alias equal to it ignoring case and separators (`false`).
    fn field_for(
        &self,
        key: &str,
        props: &Map<String, Value>,
        aliases: Option<&Map<String, Value>>,
    ) -> Option<(String, bool)> {
        if props.contains_key(key) {
            return Some((key.to_owned(), true));
        }
        if let Some(name) = aliases.and_then(|a| a.get(key)).and_then(Value::as_str) {
            return Some((name.to_owned(), true));
        }
        // A key of punctuation only stands for no field.
        normalized(key).next()?;
        let labels = props.keys().map(|p| (p.as_str(), p.as_str())).chain(
            aliases
                .into_iter()
                .flatten()
                .filter_map(|(alias, name)| name.as_str().map(|n| (alias.as_str(), n))),
        );
        let mut hits: Vec<&str> = labels
            .filter(|(l, _)| normalized(l).eq(normalized(key)))
            .map(|(_, n)| n)
            .collect();
        hits.sort_unstable();
        hits.dedup();
        match hits.as_slice() {
            [one] => Some(((*one).to_owned(), false)),
            _ => None,
        }
    }
}

/// `schema` with its `$ref`s followed, to `root` (`#`) or to one of its definitions `defs`.
fn resolve<'a>(
    root: &'a Value,
    defs: Option<&'a Map<String, Value>>,
    schema: &'a Value,
) -> &'a Value {
    let mut schema = schema;
    // Bounded: a chain of refs longer than the number of definitions is a cycle.
    for _ in 0..=defs.map_or(0, Map::len) {
        let Some(reference) = kw(schema, "$ref").and_then(Value::as_str) else {
            break;
        };
        let next = if reference == "#" {
            Some(root)
        } else {
            reference
                .strip_prefix("#/$defs/")
                .and_then(|name| member(defs?, name))
        };
        match next {
            Some(next) => schema = next,
            None => break,
        }
    }
    schema
}

fn article(ty: &str) -> String {
    match ty {
        "object" => "an object".to_owned(),
        "array" => "an array".to_owned(),
        "integer" => "an integer".to_owned(),
        other => format!("a {other}"),
    }
}

pub(super) fn accepts_null(schema: &Value) -> bool {
    type_names(schema).contains("null")
        || kw(schema, "enum")
            .and_then(Value::as_array)
            .is_some_and(|e| e.contains(&Value::Null))
        || ["anyOf", "oneOf"].iter().any(|k| {
            schema.get(*k).and_then(Value::as_array).is_some_and(|bs| {
                bs.iter()
                    .any(|b| kw(b, "type").and_then(Value::as_str) == Some("null"))
            })
        })
}
