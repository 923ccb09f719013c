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
        defs: kw(root, "$defs").and_then(Value::as_object),
        path: FieldPath::root(),
        fixes,
    };
    cx.fit(value, root)
}

/// Fitting single values, for the text path: what [`coerce`] does to a value, given its path.
pub(super) struct Fitter<'a> {
    root: &'a Value,
    defs: Option<&'a Map<String, Value>>,
}

impl<'a> Fitter<'a> {
    /// A fitter for the root schema `root`.
    pub(super) fn new(root: &'a Value) -> Self {
        Self {
            root,
            defs: kw(root, "$defs").and_then(Value::as_object),
        }
    }

    /// `schema` with its `$ref`s followed.
    pub(super) fn resolve(&self, schema: &'a Value) -> &'a Value {
        self.coercer(FieldPath::root(), &mut Vec::new())
            .resolve(schema)
    }

    /// `value`, found at `path`, fitted to `schema`; fixes are added to `fixes`.
    pub(super) fn fit(
        &self,
        value: Value,
        schema: &'a Value,
        path: FieldPath,
        fixes: &mut Vec<Fix>,
    ) -> Result<Value, CoerceError> {
        self.coercer(path, fixes).fit(value, schema)
    }

    fn coercer<'f>(&self, path: FieldPath, fixes: &'f mut Vec<Fix>) -> Coercer<'a, 'f> {
        Coercer {
            root: self.root,
            defs: self.defs,
            path,
            fixes,
        }
    }
}

struct Coercer<'a, 'f> {
    root: &'a Value,
    defs: Option<&'a Map<String, Value>>,
    path: FieldPath,
    fixes: &'f mut Vec<Fix>,
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
pub(super) fn kw<'v>(schema: &'v Value, key: &str) -> Option<&'v Value> {
    let map = schema.as_object()?;
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
    match kw(schema, "type") {
        Some(Value::String(t)) => Types::One(t.as_str()),
        Some(Value::Array(ts)) => Types::Many(ts),
        _ => Types::Many(&[]),
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
            let Some(reference) = kw(schema, "$ref").and_then(Value::as_str) else {
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
        if let Some(Value::Array(branches)) = kw(schema, "anyOf").or_else(|| kw(schema, "oneOf")) {
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
        let aliases = schema.get(ALIASES).and_then(Value::as_object);
        if let Some(allowed) = kw(schema, "enum").and_then(Value::as_array) {
            return self.fit_enum(value, allowed, aliases);
        }
        if let Some(constant) = kw(schema, "const") {
            return self.fit_enum(value, std::slice::from_ref(constant), aliases);
        }
        let types = type_names(schema);
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
        let aliases = schema.get(ALIASES).and_then(Value::as_object);
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
        let want = normalize(key);
        if want.is_empty() {
            return None;
        }
        let labels = props.keys().map(|p| (p.as_str(), p.as_str())).chain(
            aliases
                .into_iter()
                .flatten()
                .filter_map(|(alias, name)| name.as_str().map(|n| (alias.as_str(), n))),
        );
        let mut hits: Vec<&str> = labels
            .filter(|(l, _)| normalize(l) == want)
            .map(|(_, n)| n)
            .collect();
        hits.sort_unstable();
        hits.dedup();
        match hits.as_slice() {
            [one] => Some(((*one).to_owned(), false)),
            _ => None,
        }
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
    fn plausible(&self, branch: &'a Value, value: &Value) -> bool {
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
    fn implausible(&self, branch: &'a Value, value: &Value) -> CoerceError {
        let types = type_names(self.resolve(branch));
        let expected = match types.iter().filter(|t| *t != "null").last() {
            Some("boolean") => "true or false".to_owned(),
            Some(ty) => article(ty),
            None => types.iter().collect::<Vec<_>>().join(" or "),
        };
        self.invalid(expected, value)
    }

    /// Whether `value` carries the tag (a property with a `const`) that picks `branch`.
    fn tag_selects(&self, branch: &'a Value, value: &Value) -> bool {
        let branch = self.resolve(branch);
        let Some(props) = kw(branch, "properties").and_then(Value::as_object) else {
            return false;
        };
        props.iter().any(|(key, prop)| {
            let Some(tag) = kw(prop, "const").and_then(Value::as_str) else {
                return false;
            };
            match value.get(key).and_then(Value::as_str) {
                Some(found) => normalize(found) == normalize(tag),
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
            (without_separators as fn(&str) -> String, FixKind::EnumFuzzy),
            (normalize as fn(&str) -> String, FixKind::EnumFuzzy),
        ] {
            let want = matcher(&text);
            if want.is_empty() {
                continue;
            }
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
    kw(schema, "description")
        .and_then(Value::as_str)
        .map_or_else(
            || "one of the allowed shapes".to_owned(),
            |d| format!("one of the allowed shapes ({d})"),
        )
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

/// Lowercase, without whitespace, `-` and `_`, other punctuation kept: `A +` is `a+` (not `A`
/// or `A-`), and `RE SIGN` is both `resign` and `re-sign`, so it stays ambiguous.
fn without_separators(text: &str) -> String {
    text.chars()
        .filter(|c| !c.is_whitespace() && !matches!(c, '-' | '_'))
        .flat_map(char::to_lowercase)
        .collect()
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
fn parse_number(text: &str) -> Option<Number> {
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
        if let Ok(n) = text.parse::<i64>() {
            return Some(Number::from(n));
        }
        if let Ok(n) = text.parse::<u64>() {
            return Some(Number::from(n));
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
        assert_eq!(parse_number("-$5.00"), Number::from_f64(-5.0));
        assert_eq!(parse_number("12.50 usd"), Number::from_f64(12.5));
        assert_eq!(parse_number("USD 12.50"), Number::from_f64(12.5));
        assert_eq!(parse_number("1 234,5"), None);
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
