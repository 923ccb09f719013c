//! Pieces both providers' schema transforms use: the slots where a schema holds subschemas, the
//! object root the APIs require, and keywords moved into `description`.
//!
//! The transforms themselves (`openai::StrictSchema`, `anthropic::tool_input_schema`) decide
//! what to keep; nothing here removes a keyword.

use std::borrow::Cow;
use std::sync::{Arc, Mutex, PoisonError};

use serde_json::{Map, Value, json};

/// A provider's form of the schemas it sends, made once per canonical schema: the call hands
/// every request of an output type the same `Arc<Value>`, so the transform (a deep copy and a
/// walk) runs once per type instead of once per request.
pub(crate) struct SchemaCache<T> {
    /// Holding the canonical `Arc` keeps its address from being reused by another schema.
    entries: Mutex<Vec<(Arc<Value>, Arc<T>)>>,
}

/// Distinct schemas kept; a program has one per output type, so this is rarely reached.
const SCHEMA_CACHE_SIZE: usize = 256;

impl<T> SchemaCache<T> {
    /// An empty cache, for a `static`.
    pub(crate) const fn new() -> Self {
        Self {
            entries: Mutex::new(Vec::new()),
        }
    }

    /// The transformed `schema`, made with `make` the first time this schema (the same `Arc`)
    /// is seen.
    pub(crate) fn get(&self, schema: &Arc<Value>, make: impl FnOnce(&Value) -> T) -> Arc<T> {
        let mut entries = self.entries.lock().unwrap_or_else(PoisonError::into_inner);
        if let Some((_, made)) = entries.iter().find(|(c, _)| Arc::ptr_eq(c, schema)) {
            return Arc::clone(made);
        }
        let made = Arc::new(make(schema));
        if entries.len() >= SCHEMA_CACHE_SIZE {
            entries.clear();
        }
        entries.push((Arc::clone(schema), Arc::clone(&made)));
        made
    }
}

/// The property a non-object answer is wrapped in at the root. The parser unwraps a one-member
/// object at the root when the type is not an object, so the reply needs no special handling.
pub(crate) const WRAPPER_PROPERTY: &str = "value";

/// Every subschema directly inside `obj`: properties, items, branches, definitions, conditions.
pub(crate) fn subschemas(obj: &mut Map<String, Value>) -> Vec<&mut Value> {
    let mut out = Vec::new();
    for (key, value) in obj.iter_mut() {
        match (key.as_str(), value) {
            (
                "properties" | "$defs" | "definitions" | "patternProperties" | "dependentSchemas",
                Value::Object(map),
            ) => out.extend(map.values_mut()),
            ("anyOf" | "oneOf" | "allOf" | "prefixItems" | "items", Value::Array(list)) => {
                out.extend(list.iter_mut());
            }
            (
                "items"
                | "additionalProperties"
                | "not"
                | "if"
                | "then"
                | "else"
                | "contains"
                | "propertyNames"
                | "unevaluatedProperties"
                | "unevaluatedItems",
                value @ Value::Object(_),
            ) => out.push(value),
            _ => {}
        }
    }
    out
}

/// Whether `schema` is an object schema (`"type": "object"`), as both APIs require at the root.
pub(crate) fn is_object(schema: &Value) -> bool {
    schema.get("type").and_then(Value::as_str) == Some("object")
}

/// `schema` without `$schema`, with a non-object root wrapped as
/// `{"type": "object", "properties": {"value": <schema>}, "required": ["value"]}`.
///
/// Definitions move up to the wrapper; references to the old root (`"#"`, a recursive enum)
/// are pointed at a definition holding it.
pub(crate) fn object_root(mut schema: Value) -> Value {
    if let Value::Object(obj) = &mut schema {
        obj.remove("$schema");
    }
    if is_object(&schema) {
        return schema;
    }
    let mut defs = match schema.as_object_mut().and_then(|o| o.remove("$defs")) {
        Some(Value::Object(defs)) => defs,
        _ => Map::new(),
    };
    let mut value = schema;
    if refers_to_root(&value) || defs.values().any(refers_to_root) {
        let name = unused_name(&defs, "Root");
        let target = format!("#/$defs/{name}");
        point_root_refs(&mut value, &target);
        for def in defs.values_mut() {
            point_root_refs(def, &target);
        }
        defs.insert(name, value);
        value = json!({ "$ref": target });
    }
    let mut wrapper = json!({
        "type": "object",
        "properties": { WRAPPER_PROPERTY: value },
        "required": [WRAPPER_PROPERTY],
        "additionalProperties": false,
    });
    if !defs.is_empty()
        && let Value::Object(obj) = &mut wrapper
    {
        obj.insert("$defs".to_owned(), Value::Object(defs));
    }
    wrapper
}

fn refers_to_root(schema: &Value) -> bool {
    match schema {
        Value::Object(obj) => {
            obj.get("$ref").and_then(Value::as_str) == Some("#") || obj.values().any(refers_to_root)
        }
        Value::Array(list) => list.iter().any(refers_to_root),
        _ => false,
    }
}

fn point_root_refs(schema: &mut Value, target: &str) {
    match schema {
        Value::Object(obj) => {
            if obj.get("$ref").and_then(Value::as_str) == Some("#") {
                obj.insert("$ref".to_owned(), Value::String(target.to_owned()));
            }
            obj.values_mut().for_each(|v| point_root_refs(v, target));
        }
        Value::Array(list) => list.iter_mut().for_each(|v| point_root_refs(v, target)),
        _ => {}
    }
}

fn unused_name(defs: &Map<String, Value>, base: &str) -> String {
    let mut name = base.to_owned();
    let mut n = 1;
    while defs.contains_key(&name) {
        n += 1;
        name = format!("{base}{n}");
    }
    name
}

/// Keywords taken out of a schema, to be written into its `description` so the model still
/// reads them (the framework enforces them locally).
#[derive(Debug, Default)]
pub(crate) struct Moved(Vec<String>);

impl Moved {
    /// Removes `key` from `obj`; records it unless `describe` is false.
    pub(crate) fn take(&mut self, obj: &mut Map<String, Value>, key: &str, describe: bool) {
        if let Some(value) = obj.remove(key)
            && describe
        {
            self.note(key, &value);
        }
    }

    /// Records `key: value` (strings unquoted, anything else as compact JSON).
    pub(crate) fn note(&mut self, key: &str, value: &Value) {
        let shown = match value {
            Value::String(s) => s.clone(),
            other => other.to_string(),
        };
        self.0.push(format!("{key}: {shown}"));
    }

    /// Appends what was taken to `obj`'s description: `"Name. (minLength: 1; pattern: ^a$)"`.
    pub(crate) fn describe(self, obj: &mut Map<String, Value>) {
        if self.0.is_empty() {
            return;
        }
        let notes = self.0.join("; ");
        let description = match obj.get("description").and_then(Value::as_str) {
            Some(text) if !text.trim().is_empty() => format!("{} ({notes})", text.trim_end()),
            _ => notes,
        };
        obj.insert("description".to_owned(), Value::String(description));
    }
}

/// A name the APIs accept for a tool or schema: `[a-zA-Z0-9_-]`, at most 64 characters.
pub(crate) fn tool_name(name: &str) -> Cow<'_, str> {
    let allowed = |c: char| c.is_ascii_alphanumeric() || c == '_' || c == '-';
    if !name.is_empty() && name.len() <= 64 && name.chars().all(allowed) {
        return Cow::Borrowed(name);
    }
    let cleaned: String = name
        .chars()
        .map(|c| if allowed(c) { c } else { '_' })
        .take(64)
        .collect();
    if cleaned.is_empty() {
        Cow::Borrowed("answer")
    } else {
        Cow::Owned(cleaned)
    }
}

/// The root description of a schema, to describe the tool with.
pub(crate) fn description(schema: &Value) -> Option<&str> {
    schema
        .get("description")
        .and_then(Value::as_str)
        .filter(|d| !d.trim().is_empty())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_schema_is_transformed_once_per_canonical_arc() {
        let cache = SchemaCache::new();
        let made = std::cell::Cell::new(0);
        let make = |v: &Value| {
            made.set(made.get() + 1);
            v.to_string()
        };
        let schema = Arc::new(json!({ "type": "string" }));
        let first = cache.get(&schema, make);
        let again = cache.get(&schema, make);
        assert!(Arc::ptr_eq(&first, &again));
        assert_eq!(made.get(), 1);
        // An equal schema in another `Arc` is another type's: made again.
        let other = cache.get(&Arc::new(json!({ "type": "string" })), make);
        assert_eq!((*other).clone(), *first);
        assert_eq!(made.get(), 2);
    }

    #[test]
    fn a_non_object_root_is_wrapped_and_keeps_its_definitions() {
        let list = json!({
            "$schema": "https://json-schema.org/draft/2020-12/schema",
            "type": "array",
            "items": { "$ref": "#/$defs/Item" },
            "$defs": { "Item": { "type": "object" } }
        });
        assert_eq!(
            object_root(list),
            json!({
                "type": "object",
                "properties": { "value": { "type": "array", "items": { "$ref": "#/$defs/Item" } } },
                "required": ["value"],
                "additionalProperties": false,
                "$defs": { "Item": { "type": "object" } }
            })
        );
    }

    #[test]
    fn references_to_a_wrapped_root_point_at_a_definition() {
        let expr = json!({
            "oneOf": [
                { "type": "integer" },
                { "type": "array", "items": { "$ref": "#" } }
            ]
        });
        let wrapped = object_root(expr);
        assert_eq!(
            wrapped["properties"]["value"],
            json!({ "$ref": "#/$defs/Root" })
        );
        assert_eq!(
            wrapped["$defs"]["Root"]["oneOf"][1]["items"]["$ref"],
            "#/$defs/Root"
        );
    }

    #[test]
    fn object_roots_are_kept_and_names_are_cleaned() {
        let object = json!({ "type": "object", "properties": {} });
        assert_eq!(object_root(object.clone()), object);
        assert_eq!(tool_name("extract invoice!"), "extract_invoice_");
        assert_eq!(tool_name(""), "answer");
    }

    #[test]
    fn moved_keywords_are_appended_to_the_description() {
        let mut obj = json!({ "description": "A name.", "minLength": 1, "pattern": "^a" });
        let Value::Object(obj) = &mut obj else {
            unreachable!()
        };
        let mut moved = Moved::default();
        moved.take(obj, "minLength", true);
        moved.take(obj, "pattern", true);
        moved.take(obj, "absent", true);
        moved.describe(obj);
        assert_eq!(
            Value::Object(obj.clone()),
            json!({ "description": "A name. (minLength: 1; pattern: ^a)" })
        );
    }
}
