//! The canonical schema turned into OpenAI's strict subset ([`StrictSchema`]).
//!
//! Strict mode rejects a schema outside its subset instead of ignoring what it does not know,
//! so this transform is conservative: it keeps what strict mode supports, writes the rest into
//! `description` (the model still reads it; the framework validates it locally), and says when
//! no strict equivalent exists ([`StrictSchema::strict`] is then `false`).
//!
//! Patterns: JSON Schema patterns are unanchored, and llama.cpp's server (which turns the schema
//! into a grammar) skips any pattern that is not written `^...$`. A pattern anchored at both ends
//! is kept, so OpenAI and llama.cpp enforce it while decoding; any other pattern moves into the
//! description.

use std::collections::HashSet;

use serde_json::{Map, Value, json};

use crate::provider::http::schema::{Moved, object_root, subschemas};

/// Formats strict mode accepts.
const FORMATS: &[&str] = &[
    "date-time",
    "time",
    "date",
    "duration",
    "email",
    "hostname",
    "ipv4",
    "ipv6",
    "uuid",
];

/// schemars' numeric formats (`uint32`, `double`): they say nothing the type and bounds do not.
const NUMERIC_FORMATS: &[&str] = &[
    "int", "int8", "int16", "int32", "int64", "int128", "uint", "uint8", "uint16", "uint32",
    "uint64", "uint128", "float", "double",
];

/// Keywords strict mode rejects that mean something to the model: moved into `description`.
const DESCRIBED: &[&str] = &[
    "minLength",
    "maxLength",
    "not",
    "if",
    "then",
    "else",
    "patternProperties",
    "propertyNames",
    "dependentRequired",
    "dependentSchemas",
    "unevaluatedProperties",
    "unevaluatedItems",
    "contains",
    "minContains",
    "maxContains",
    "minProperties",
    "maxProperties",
    "uniqueItems",
    "contentEncoding",
    "contentMediaType",
    "examples",
];

/// Keywords dropped without a word: annotations for people and tools, not for the model.
const DROPPED: &[&str] = &[
    "$schema",
    "$id",
    "$comment",
    "$anchor",
    "title",
    "deprecated",
    "readOnly",
    "writeOnly",
];

/// A schema in OpenAI's strict subset, for `response_format` `json_schema` or a strict tool.
///
/// Every object gets `additionalProperties: false` and lists all its properties in `required`;
/// a property that was optional accepts `null` instead; `oneOf` becomes `anyOf`; a `$ref` with
/// other keywords beside it is inlined; `x-` extensions and `default` go; keywords strict mode
/// rejects (`minLength`, `not`, `if`/`then`/`else`, `patternProperties`, `uniqueItems`, unknown
/// formats, unanchored patterns) move into `description`; a root that is not an object is
/// wrapped as `{"value": ...}`, which the parser unwraps.
///
/// ```
/// use llm_core::provider::openai::StrictSchema;
/// use serde_json::json;
///
/// let canonical = json!({
///     "type": "object",
///     "properties": {
///         "name": { "type": "string", "minLength": 1 },
///         "note": { "type": ["string", "null"], "x-llm-aliases": { "notes": "note" } }
///     },
///     "required": ["name"]
/// });
/// let strict = StrictSchema::from_canonical(&canonical);
/// assert!(strict.strict);
/// assert_eq!(strict.schema, json!({
///     "type": "object",
///     "properties": {
///         "name": { "type": "string", "description": "minLength: 1" },
///         "note": { "type": ["string", "null"] }
///     },
///     "required": ["name", "note"],
///     "additionalProperties": false
/// }));
/// ```
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub struct StrictSchema {
    /// The transformed schema.
    pub schema: Value,
    /// Whether it fits the strict subset. `false` when the type needs something strict mode
    /// cannot say (a map with free keys, a tuple, an arbitrary JSON value, `allOf`): the request
    /// is then sent with `strict: false`, and the schema still guides the model.
    pub strict: bool,
}

impl StrictSchema {
    /// Transforms the canonical schema (as `LlmOutput::schema` produces it).
    pub fn from_canonical(schema: &Value) -> Self {
        let mut root = object_root(schema.clone());
        let defs = match root.get("$defs") {
            Some(Value::Object(defs)) => defs.clone(),
            _ => Map::new(),
        };
        let mut walk = Walk {
            defs,
            inlining: HashSet::new(),
            strict: true,
        };
        walk.node(&mut root);
        Self {
            schema: root,
            strict: walk.strict,
        }
    }
}

struct Walk {
    /// The original definitions, for inlining a `$ref` that has keywords beside it.
    defs: Map<String, Value>,
    /// Definitions being inlined further up: a recursive one is referenced, not inlined again.
    inlining: HashSet<String>,
    strict: bool,
}

impl Walk {
    fn node(&mut self, schema: &mut Value) {
        let Value::Object(obj) = schema else {
            // `true`/`false` schemas have no strict form.
            self.strict = false;
            return;
        };
        let mut moved = Moved::default();
        obj.retain(|k, _| !k.starts_with("x-") && !DROPPED.contains(&k.as_str()));
        if let Some(default) = obj.remove("default")
            && !default.is_null()
        {
            moved.note("default", &default);
        }
        self.merge_single_all_of(obj);
        let inlined = self.inline_ref(obj);
        if let Some(Value::Array(branches)) = obj.remove("oneOf") {
            match obj.get_mut("anyOf") {
                Some(Value::Array(any)) => any.extend(branches),
                _ => {
                    obj.insert("anyOf".to_owned(), Value::Array(branches));
                }
            }
        }
        if obj.contains_key("allOf") || obj.contains_key("prefixItems") {
            self.strict = false;
        }
        for key in DESCRIBED {
            moved.take(obj, key, true);
        }
        if let Some(pattern) = obj.get("pattern").and_then(Value::as_str)
            && !is_anchored(pattern)
        {
            moved.take(obj, "pattern", true);
        }
        if let Some(format) = obj.get("format").and_then(Value::as_str)
            && !FORMATS.contains(&format)
        {
            let describe = !NUMERIC_FORMATS.contains(&format);
            moved.take(obj, "format", describe);
        }
        self.object(obj);
        if ["type", "$ref", "anyOf", "enum", "const"]
            .iter()
            .all(|k| !obj.contains_key(*k))
        {
            // `{}`: any JSON value, which strict mode cannot express.
            self.strict = false;
        }
        moved.describe(obj);
        for child in subschemas(obj) {
            self.node(child);
        }
        if let Some(name) = inlined {
            self.inlining.remove(&name);
        }
    }

    /// `allOf: [X]` is `X`: its keywords join the node's.
    fn merge_single_all_of(&mut self, obj: &mut Map<String, Value>) {
        let single = matches!(obj.get("allOf"), Some(Value::Array(list)) if list.len() == 1);
        if !single {
            return;
        }
        if let Some(Value::Array(mut list)) = obj.remove("allOf")
            && let Some(Value::Object(inner)) = list.pop()
        {
            for (k, v) in inner {
                obj.entry(k).or_insert(v);
            }
        }
    }

    /// Strict mode takes a `$ref` only on its own: beside other keywords (a field's doc comment
    /// next to the reference), the definition is inlined, the node's own keywords winning.
    /// Returns the definition inlined, which stays marked until the node's children are done.
    fn inline_ref(&mut self, obj: &mut Map<String, Value>) -> Option<String> {
        if obj.len() < 2 {
            return None;
        }
        let name = obj
            .get("$ref")?
            .as_str()?
            .strip_prefix("#/$defs/")?
            .replace("~1", "/")
            .replace("~0", "~");
        if self.inlining.contains(&name) {
            // A recursive definition: keep the reference, lose the keywords beside it.
            obj.retain(|k, _| k == "$ref");
            return None;
        }
        let Some(Value::Object(def)) = self.defs.get(&name).cloned() else {
            return None;
        };
        obj.remove("$ref");
        for (k, v) in def {
            obj.entry(k).or_insert(v);
        }
        obj.retain(|k, _| !k.starts_with("x-") && !DROPPED.contains(&k.as_str()));
        self.inlining.insert(name.clone());
        Some(name)
    }

    /// Closes objects: no extra keys, every property required, optional ones nullable.
    fn object(&mut self, obj: &mut Map<String, Value>) {
        let typed_object = match obj.get("type") {
            Some(Value::String(ty)) => ty == "object",
            Some(Value::Array(types)) => types.iter().any(|t| t.as_str() == Some("object")),
            _ => false,
        };
        if !typed_object && !obj.contains_key("properties") {
            return;
        }
        match obj.get("additionalProperties") {
            None | Some(Value::Bool(false)) => {}
            // A map with free keys (`HashMap<String, T>`, a flattened map).
            Some(_) => {
                self.strict = false;
                return;
            }
        }
        let required: HashSet<String> = match obj.get("required") {
            Some(Value::Array(list)) => list
                .iter()
                .filter_map(Value::as_str)
                .map(str::to_owned)
                .collect(),
            _ => HashSet::new(),
        };
        let mut names = Vec::new();
        if let Some(Value::Object(props)) = obj.get_mut("properties") {
            for (name, prop) in props.iter_mut() {
                if !required.contains(name) {
                    nullable(prop);
                }
                names.push(Value::String(name.clone()));
            }
        } else {
            obj.insert("properties".to_owned(), Value::Object(Map::new()));
        }
        obj.insert("required".to_owned(), Value::Array(names));
        obj.insert("additionalProperties".to_owned(), Value::Bool(false));
    }
}

/// Whether a pattern is anchored at both ends (`^...$`, the final `$` not escaped).
fn is_anchored(pattern: &str) -> bool {
    let Some(body) = pattern
        .strip_prefix('^')
        .and_then(|rest| rest.strip_suffix('$'))
    else {
        return false;
    };
    let escapes = body.chars().rev().take_while(|c| *c == '\\').count();
    escapes % 2 == 0
}

/// Makes `schema` accept `null` too: a type union, `null` added to `enum`, or an `anyOf` branch.
fn nullable(schema: &mut Value) {
    if accepts_null(schema) {
        return;
    }
    let Value::Object(obj) = schema else {
        return;
    };
    let null = Value::String("null".to_owned());
    match obj.get_mut("type") {
        Some(Value::String(ty)) => {
            let ty = Value::String(std::mem::take(ty));
            obj.insert("type".to_owned(), Value::Array(vec![ty, null]));
        }
        Some(Value::Array(types)) => types.push(null),
        _ => {
            if let Some(Value::Array(branches)) = obj.get_mut("anyOf") {
                branches.push(json!({ "type": "null" }));
                return;
            }
            // A bare `$ref` (or anything else): a union with null, the description outside.
            let description = obj.remove("description");
            let inner = Value::Object(std::mem::take(obj));
            obj.insert(
                "anyOf".to_owned(),
                Value::Array(vec![inner, json!({ "type": "null" })]),
            );
            if let Some(description) = description {
                obj.insert("description".to_owned(), description);
            }
            return;
        }
    }
    if let Some(Value::Array(values)) = obj.get_mut("enum") {
        values.push(Value::Null);
    }
    if let Some(value) = obj.remove("const") {
        obj.insert("enum".to_owned(), Value::Array(vec![value, Value::Null]));
    }
}

fn accepts_null(schema: &Value) -> bool {
    let is_null = |v: &Value| v.as_str() == Some("null");
    match schema.get("type") {
        Some(Value::String(ty)) => return ty == "null",
        Some(Value::Array(types)) => return types.iter().any(is_null),
        _ => {}
    }
    if let Some(Value::Array(branches)) = schema.get("anyOf").or_else(|| schema.get("oneOf")) {
        return branches.iter().any(accepts_null);
    }
    // `{}` and `true` accept anything.
    schema.as_object().is_some_and(Map::is_empty) || schema == &Value::Bool(true)
}

#[cfg(test)]
mod tests;
