//! Coercion on the repaired JSON text: the scalar conversions of [`coerce`](super::coerce)
//! (`"29"` for 29, `"yes"` for `true`, `"DRAFT"` for `draft`) made in place, so that serde can
//! still read the text straight into the type.
//!
//! The walk follows the schema along the text and hands every scalar that does not already fit
//! to the same [`Fitter`] the tree path uses, with the same path, so the result and the fixes are
//! the ones the tree path gives. Anything the tree path would change beyond a scalar (a key to
//! rename, a `null` to drop, a list around a single object, a union with several shapes) gives
//! up: the caller then takes the tree path.

use std::borrow::Cow;

use serde_json::Value;

use super::Fix;
use super::coerce::{Fitter, Keywords, Memo, Shapes, accepts_null, kw, type_names};
use super::repair::number;
use crate::output::schema::ALIASES;
use crate::path::{CompactString, FieldPath, PathSegment};

/// `json` (clean JSON as the repairer writes it) with its scalars fitted to `schema`, and the
/// fixes that took; `None` when a change is needed that only the tree path makes. `shapes`: what
/// is known of `schema` already.
pub(super) fn coerce_text<'a>(
    json: &str,
    schema: &'a Value,
    shapes: Option<&'a Shapes<'a>>,
) -> Option<(String, Vec<Fix>)> {
    let mut walk = Walk {
        json,
        bytes: json.as_bytes(),
        pos: 0,
        out: String::new(),
        copied: 0,
        fit: Fitter::with_shapes(schema, shapes),
        path: Vec::new(),
        fixes: Vec::new(),
        depth: 0,
    };

    walk.value(Some(schema))?;
    if walk.copied == 0 {
        return Some((json.to_owned(), walk.fixes));
    }
    walk.out.push_str(&json[walk.copied..]);
    Some((walk.out, walk.fixes))
}

enum Seg<'j> {
    Key(Cow<'j, str>),
    Index(usize),
}

struct Walk<'a, 'j> {
    json: &'j str,
    bytes: &'j [u8],
    pos: usize,
    /// The text with the changes, up to `copied` in `json`.
    out: String,
    copied: usize,
    fit: Fitter<'a>,
    path: Vec<Seg<'j>>,
    fixes: Vec<Fix>,
    /// Containers open.
    depth: usize,
}

/// Deepest nesting walked: the walk recurses along the text (serde's own limit is lower).
const MAX_DEPTH: usize = 128;

/// How many `anyOf`/`$ref` levels are followed to find the one shape of a value.
const MAX_UNWRAP: usize = 16;

impl<'a, 'j> Walk<'a, 'j> {
    fn value(&mut self, schema: Option<&'a Value>) -> Option<()> {
        let object = match self.bytes.get(self.pos)? {
            b'{' => true,
            b'[' => false,
            _ => return self.scalar(schema),
        };
        if self.depth >= MAX_DEPTH {
            return None;
        }
        self.depth += 1;
        let read = if object {
            let schema = container(&self.fit, schema, "object")?;
            self.object(schema)
        } else {
            let schema = container(&self.fit, schema, "array")?;
            self.array(schema)
        };
        self.depth -= 1;
        read
    }

    fn object(&mut self, schema: Option<&'a Value>) -> Option<()> {
        self.pos += 1;
        let members = Members::new(schema);
        loop {
            match self.bytes.get(self.pos)? {
                b'}' => {
                    self.pos += 1;
                    return Some(());
                }
                b',' => self.pos += 1,
                _ => {}
            }
            let (start, end) = self.string_token()?;
            let key = decode(self.json, start, end)?;
            self.pos = end;
            if self.bytes.get(self.pos) != Some(&b':') {
                return None;
            }
            self.pos += 1;
            let null = self.bytes.get(self.pos) == Some(&b'n');
            let member = members.member(&self.fit, key.as_ref(), null)?;
            self.path.push(Seg::Key(key));
            self.value(member)?;
            self.path.pop();
        }
    }

    fn array(&mut self, schema: Option<&'a Value>) -> Option<()> {
        self.pos += 1;
        let items = Items::new(schema);
        let mut index = 0;
        loop {
            match self.bytes.get(self.pos)? {
                b']' => {
                    self.pos += 1;
                    return Some(());
                }
                b',' => self.pos += 1,
                _ => {}
            }
            let member = items.item(index);
            self.path.push(Seg::Index(index));
            self.value(member)?;
            self.path.pop();
            index += 1;
        }
    }

    fn scalar(&mut self, schema: Option<&'a Value>) -> Option<()> {
        let start = self.pos;
        let end = match self.bytes.get(start)? {
            b'"' => self.string_token()?.1,
            _ => {
                let len = self.bytes[start..]
                    .iter()
                    .position(|b| matches!(b, b',' | b'}' | b']'))
                    .unwrap_or(self.bytes.len() - start);
                start + len
            }
        };
        self.pos = end;
        let token = &self.json[start..end];
        let token = match token.strip_prefix('"') {
            Some(inner) => Token::Str {
                text: inner.strip_suffix('"').unwrap_or(inner),
                escaped: true,
            },
            None => Token::Raw(token),
        };
        let (json, path) = (self.json, &self.path);
        let fitted = scalar(
            &self.fit,
            schema,
            token,
            || token_value(json, start, end),
            || field_path(path),
            &mut self.fixes,
        )?;
        if let Some(fitted) = fitted {
            self.out.push_str(&self.json[self.copied..start]);
            self.out.push_str(&serde_json::to_string(&fitted).ok()?);
            self.copied = end;
        }
        Some(())
    }

    /// The string token at `pos`: its start and end (after the closing quote).
    fn string_token(&self) -> Option<(usize, usize)> {
        let start = self.pos;
        if self.bytes.get(start) != Some(&b'"') {
            return None;
        }
        let mut i = start + 1;
        loop {
            match self.bytes.get(i)? {
                b'\\' => i += 2,
                b'"' => return Some((start, i + 1)),
                _ => i += 1,
            }
        }
    }
}

/// The text of the string token `start..end` of `json`.
fn decode(json: &str, start: usize, end: usize) -> Option<Cow<'_, str>> {
    let inner = json.get(start + 1..end - 1)?;
    if inner.contains('\\') {
        serde_json::from_str(&json[start..end]).ok().map(Cow::Owned)
    } else {
        Some(Cow::Borrowed(inner))
    }
}

/// The token `start..end` of `json` as the repairer's tree holds it.
fn token_value(json: &str, start: usize, end: usize) -> Option<Value> {
    let token = &json[start..end];
    Some(match token {
        "true" => Value::Bool(true),
        "false" => Value::Bool(false),
        "null" => Value::Null,
        _ if token.starts_with('"') => Value::String(decode(json, start, end)?.into_owned()),
        _ => Value::Number(number(token)?),
    })
}

fn field_path(path: &[Seg<'_>]) -> FieldPath {
    let mut out = FieldPath::root();
    for seg in path {
        out.push(match seg {
            Seg::Key(key) => PathSegment::Key(CompactString::new(key)),
            Seg::Index(i) => PathSegment::Index(*i),
        });
    }
    out
}

/// The schema an object or array is read with: `None` when the schema takes it as it is, no
/// answer when the tree path would convert it.
pub(super) fn container<'a>(
    fit: &Fitter<'a>,
    schema: Option<&'a Value>,
    kind: &str,
) -> Option<Option<&'a Value>> {
    let Some(schema) = schema else {
        return Some(None);
    };
    match kind {
        "object" | "array" => {
            fit.remembered_layout(schema, kind == "object", || layout(fit, schema, kind))
        }
        _ => layout(fit, schema, kind),
    }
}

/// [`coerce_text`] without and with the [`shapes`] of `schema` found beforehand, which must
/// agree: for tests.
#[cfg(test)]
pub(super) fn coerce_text_twice(json: &str, schema: &Value) -> Option<(String, Vec<Fix>)> {
    let found = shapes(schema);
    let fresh = coerce_text(json, schema, None);
    assert_eq!(fresh, coerce_text(json, schema, Some(&found)), "{json}");
    fresh
}

/// What the walk and the lenient reader ask a fitter about each schema inside `root`, found
/// once (see [`Shapes`]): a scalar's shape, an object's layout, an array's.
pub(super) fn shapes(root: &Value) -> Shapes<'_> {
    Shapes::of(root, |fit, schema| {
        [
            Memo::Scalar(fitted_to(fit, schema, false).ok()),
            Memo::Container(layout(fit, schema, "object")),
            Memo::Container(layout(fit, schema, "array")),
        ]
    })
}

/// [`container`] for a schema.
fn layout<'a>(fit: &Fitter<'a>, mut schema: &'a Value, kind: &str) -> Option<Option<&'a Value>> {
    for _ in 0..MAX_UNWRAP {
        schema = fit.resolve(schema);
        if kw(schema, "enum").is_some() || kw(schema, "const").is_some() {
            return None;
        }
        if let Some(branches) = union(schema) {
            schema = only_shape(fit, branches)?;
            continue;
        }
        let types = type_names(schema);
        let mut candidates = types.iter().filter(|t| *t != "null");
        return match (candidates.next(), candidates.next()) {
            (None, _) if types.iter().next().is_none() => Some(None),
            (Some(ty), None) if ty == kind => Some(Some(schema)),
            _ => None,
        };
    }
    None
}

/// The one branch of a union that is not `null`.
fn only_shape<'a>(fit: &Fitter<'a>, branches: &'a [Value]) -> Option<&'a Value> {
    let mut shapes = branches.iter().filter(|b| !null_only(fit.resolve(b)));
    match (shapes.next(), shapes.next()) {
        (Some(one), None) => Some(one),
        _ => None,
    }
}

/// The members of an object read with a schema: where each key's value is fitted.
pub(super) struct Members<'a> {
    schema: Option<&'a Value>,
    props: Option<&'a serde_json::Map<String, Value>>,
    aliases: Option<&'a serde_json::Map<String, Value>>,
    additional: Option<&'a Value>,
    required: Option<&'a Vec<Value>>,
    /// Where the last key was found among the properties: members tend to come in the
    /// schema's order, so the next is looked for after it.
    next: std::cell::Cell<usize>,
}

impl<'a> Members<'a> {
    /// The members of an object whose schema (from [`container`]) is `schema`.
    pub(super) fn new(schema: Option<&'a Value>) -> Self {
        Self {
            schema,
            props: schema
                .and_then(|s| kw(s, "properties"))
                .and_then(Value::as_object),
            aliases: schema
                .and_then(|s| kw(s, ALIASES))
                .and_then(Value::as_object),
            additional: schema.and_then(|s| kw(s, "additionalProperties")),
            required: schema
                .and_then(|s| kw(s, "required"))
                .and_then(Value::as_array),
            next: std::cell::Cell::new(0),
        }
    }

    /// The property named `key`: a short scan from where the last one was found costs less
    /// than hashing the key.
    fn property(&self, key: &str) -> Option<&'a Value> {
        let props = self.props?;
        let start = self.next.get();
        // The usual case: the member after the last one found.
        if let Some((name, prop)) = props.iter().nth(start)
            && name == key
        {
            self.next.set(start + 1);
            return Some(prop);
        }
        let found = props
            .iter()
            .enumerate()
            .skip(start)
            .chain(props.iter().enumerate().take(start))
            .find(|(_, (name, _))| name.as_str() == key);
        let (at, (_, prop)) = found?;
        self.next.set(at + 1);
        Some(prop)
    }

    /// The schema of the member `key` (whose value is `null` when `null`); no answer when the
    /// tree path would change the member (rename it, drop it).
    pub(super) fn member(
        &self,
        fit: &Fitter<'a>,
        key: &str,
        null: bool,
    ) -> Option<Option<&'a Value>> {
        if self.schema.is_none() {
            return Some(None);
        }
        let props = self.props;
        let (name, prop) = match self.property(key) {
            Some(prop) => (Some(key), Some(prop)),
            None => {
                let name = self
                    .aliases
                    .and_then(|a| a.get(key))
                    .and_then(Value::as_str);
                (name, name.and_then(|n| props?.get(n)))
            }
        };
        match (prop, self.additional) {
            (Some(prop), _) => {
                // `null` for a field with a default: the tree path drops it.
                let name = name.unwrap_or_default();
                if null
                    && !self.required.is_some_and(|r| r.iter().any(|n| n == name))
                    && !accepts_null(fit.resolve(prop))
                {
                    return None;
                }
                Some(Some(prop))
            }
            // A key that is no field may be one written another way: renaming is the tree
            // path's job.
            _ if props.is_some_and(|p| !p.is_empty()) => None,
            (None, Some(Value::Bool(false))) => None,
            (None, Some(values)) if values.is_object() => Some(Some(values)),
            (None, _) => Some(None),
        }
    }
}

/// The elements of an array read with a schema.
pub(super) struct Items<'a> {
    items: Option<&'a Value>,
    prefix: Option<&'a Vec<Value>>,
}

impl<'a> Items<'a> {
    /// The elements of an array whose schema (from [`container`]) is `schema`.
    pub(super) fn new(schema: Option<&'a Value>) -> Self {
        Self {
            items: schema.and_then(|s| kw(s, "items")),
            prefix: schema
                .and_then(|s| kw(s, "prefixItems"))
                .and_then(Value::as_array),
        }
    }

    /// The schema of the element at `index`.
    pub(super) fn item(&self, index: usize) -> Option<&'a Value> {
        self.prefix.and_then(|p| p.get(index)).or(self.items)
    }
}

/// A scalar as clean JSON writes it.
#[derive(Debug, Clone, Copy)]
pub(super) enum Token<'t> {
    /// A string: its text between the quotes, as written (with JSON's escapes) when `escaped`,
    /// decoded otherwise.
    Str { text: &'t str, escaped: bool },
    /// A number, `true`, `false` or `null`.
    Raw(&'t str),
}

impl<'t> Token<'t> {
    /// A string's text when JSON writes it with no escape.
    fn plain(self) -> Option<&'t str> {
        match self {
            Token::Str {
                text,
                escaped: true,
            } => (!text.contains('\\')).then_some(text),
            Token::Str {
                text,
                escaped: false,
            } => (!text.bytes().any(|b| b == b'"' || b == b'\\' || b < 0x20)).then_some(text),
            Token::Raw(_) => None,
        }
    }
}

/// What the walk does with the scalar `token` (as clean JSON writes it) read with `schema`:
/// `Some(None)` keeps it, `Some(Some(value))` replaces it with `value` (the fixes that took are
/// added to `fixes`), no answer when the tree path would do something else. `value` gives the
/// token as the repairer's tree holds it, `path` where it is; both are asked for only when the
/// token does not fit.
#[inline]
pub(super) fn scalar<'a>(
    fit: &Fitter<'a>,
    schema: Option<&'a Value>,
    token: Token<'_>,
    value: impl FnOnce() -> Option<Value>,
    path: impl FnOnce() -> FieldPath,
    fixes: &mut Vec<Fix>,
) -> Option<Option<Value>> {
    let Some(schema) = schema else {
        return Some(None);
    };
    let shape = if matches!(token, Token::Raw("null")) {
        fitted_to(fit, schema, true)
    } else {
        // Only a `null` can be decided by a union: for any other scalar the shape is the
        // schema's own.
        fit.remembered(schema, || fitted_to(fit, schema, false).ok())
            .ok_or(None)
    };
    let (schema, keys) = match shape {
        Ok(shape) => shape,
        Err(answer) => return answer,
    };
    if fits(keys, token) {
        return Some(None);
    }
    // A number written as a string (`"29"`), the usual drift: read from the text itself.
    if let Token::Str { text, escaped } = token
        && !(escaped && text.contains('\\'))
        && let Some(integer) = keys.lone_number()
    {
        return fit.number_text(text, integer, path(), fixes).map(Some);
    }
    fit.fit_with(value()?, schema, keys, path(), fixes)
        .ok()
        .map(Some)
}

/// What a scalar (a `null` when `null`) read with `schema` is fitted to: the schema past its
/// `$ref`s and past the `null` branches of its unions, with its keywords. `Err` holds the
/// answer of [`scalar`] when it is decided before: `Some(None)` for a `null` that a union
/// takes, `None` when the tree path would choose between shapes.
fn fitted_to<'a>(
    fit: &Fitter<'a>,
    mut schema: &'a Value,
    null: bool,
) -> Result<(&'a Value, Keywords<'a>), Option<Option<Value>>> {
    // The keywords of the schema the scalar is fitted to, once it is no union.
    let mut keys = None;
    for _ in 0..MAX_UNWRAP {
        schema = fit.resolve(schema);
        let found = Keywords::of(schema);
        let Some(branches) = found.union() else {
            keys = Some(found);
            break;
        };
        if null && branches.iter().any(|b| accepts_null(fit.resolve(b))) {
            return Err(Some(None));
        }
        match only_shape(fit, branches) {
            Some(shape) => schema = shape,
            None => return Err(None),
        }
    }
    let keys = keys.unwrap_or_else(|| Keywords::of(schema));
    if keys.union().is_some() {
        return Err(None);
    }
    Ok((schema, keys))
}

fn union(schema: &Value) -> Option<&[Value]> {
    kw(schema, "anyOf")
        .or_else(|| kw(schema, "oneOf"))
        .and_then(Value::as_array)
        .map(Vec::as_slice)
}

/// A schema that only takes `null`.
fn null_only(schema: &Value) -> bool {
    let types = type_names(schema);
    types.iter().next().is_some()
        && types.iter().all(|t| t == "null")
        && union(schema).is_none()
        && kw(schema, "enum").is_none()
}

/// Whether the scalar `token` fits the schema whose keywords are `keys` as it is: what the tree
/// path would keep unchanged without a fix. False when unsure; the fitter then decides.
#[inline]
fn fits(keys: Keywords<'_>, token: Token<'_>) -> bool {
    if let Some(allowed) = keys.enumeration.and_then(Value::as_array) {
        return token
            .plain()
            .is_some_and(|t| allowed.iter().any(|a| a.as_str() == Some(t)));
    }
    if keys.constant.is_some() {
        return false;
    }
    let types = keys.types();
    if matches!(token, Token::Raw("null")) {
        return types.iter().any(|t| t == "null") || types.iter().next().is_none();
    }
    // The tree path tries the types in order and keeps the first that takes the value.
    let Some(first) = types.iter().find(|t| *t != "null") else {
        return types.iter().next().is_none();
    };
    let token = match token {
        Token::Str { .. } => return first == "string",
        Token::Raw(token) => token,
    };
    match token.as_bytes().first() {
        Some(b't' | b'f') => first == "boolean",
        _ => match first {
            "number" => true,
            "integer" => {
                !token.contains(['.', 'e', 'E'])
                    && (token.parse::<i64>().is_ok() || token.parse::<u64>().is_ok())
            }
            _ => false,
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::parse::FixKind;
    use serde_json::json;

    #[test]
    fn scalars_are_converted_in_place_with_their_paths() {
        let schema = json!({
            "type": "object",
            "properties": {
                "qty": {"type": "integer"},
                "paid": {"type": "boolean"},
                "status": {"type": "string", "enum": ["draft", "sent"]},
                "lines": {"type": "array", "items": {"type": "number"}},
                "note": {"anyOf": [{"type": "string"}, {"type": "null"}]}
            },
            "required": ["qty"]
        });
        let (text, fixes) = coerce_text_twice(
            r#"{"qty":"29","paid":"yes","status":"DRAFT","lines":[1,"2.5"],"note":null}"#,
            &schema,
        )
        .unwrap();
        assert_eq!(
            text,
            r#"{"qty":29,"paid":true,"status":"draft","lines":[1,2.5],"note":null}"#
        );
        let fixes: Vec<(FixKind, String)> = fixes
            .into_iter()
            .map(|f| (f.kind, f.path.to_string()))
            .collect();
        assert_eq!(
            fixes,
            [
                (FixKind::StringToNumber, "qty".to_owned()),
                (FixKind::ToBool, "paid".to_owned()),
                (FixKind::EnumCase, "status".to_owned()),
                (FixKind::StringToNumber, "lines[1]".to_owned()),
            ]
        );
    }

    #[test]
    fn what_only_the_tree_path_does_gives_up() {
        let schema = json!({
            "type": "object",
            "properties": {"tags": {"type": "array", "items": {"type": "string"}}}
        });
        // A key to rename, a single value for a list.
        assert!(coerce_text_twice(r#"{"Tags":["a"]}"#, &schema).is_none());
        assert_eq!(
            coerce_text_twice(r#"{"tags":"a"}"#, &schema).map(|(t, _)| t),
            Some(r#"{"tags":["a"]}"#.to_owned())
        );
        let deep = format!("{}{}", "[".repeat(200), "]".repeat(200));
        assert!(
            coerce_text_twice(&deep, &json!({"type": "array", "items": {"$ref": "#"}})).is_none()
        );
    }
}
