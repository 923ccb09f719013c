//! The canonical schema: schemars' schema for a type, with the type's `#[llm]` rules added as
//! JSON Schema keywords.
//!
//! Rules are applied by walking the schema alongside the type ([`LlmOutput::apply_rules`]):
//! each type finds its own object schema (following `$ref` into `$defs` and through nullable
//! unions) and adds keywords to its properties, then hands each property to the field's type.
//! A definition is taken out of `$defs` while it is being worked on, which is what stops the walk
//! on recursive types.
//!
//! A rule whose target is a shared definition (a `$ref` to a newtype) is not written into the
//! definition, which other fields may use; it is still enforced by validation.

use schemars::Schema;
use schemars::generate::SchemaSettings;
use serde_json::{Map, Value};

use super::LlmOutput;

/// The `$defs` of the schema being annotated, lent to [`LlmOutput::apply_rules`].
#[derive(Debug, Default)]
pub struct SchemaRules {
    defs: Map<String, Value>,
}

impl SchemaRules {
    /// Runs `f` on the schema that `schema` stands for: itself, the definition its `$ref` points
    /// to, or the non-null branch of a nullable union. Does nothing for a definition already being
    /// worked on further up (a recursive type).
    ///
    /// `f` is a `dyn` closure so that each derived type does not compile its own copy of this
    /// function.
    pub fn with_target(&mut self, schema: &mut Value, f: &mut dyn FnMut(&mut Value, &mut Self)) {
        if let Some(name) = ref_name(schema) {
            let Some(mut def) = self.defs.remove(&name) else {
                return;
            };
            f(&mut def, self);
            self.defs.insert(name, def);
            return;
        }
        if let Some(inner) = non_null_branch(schema) {
            return self.with_target(inner, f);
        }
        f(schema, self);
    }
}

/// The definition name of a `{"$ref": "#/$defs/Name"}` schema.
fn ref_name(schema: &Value) -> Option<String> {
    let reference = schema.get("$ref")?.as_str()?;
    let name = reference.strip_prefix("#/$defs/")?;
    Some(name.replace("~1", "/").replace("~0", "~"))
}

/// The `X` of `{"anyOf": [X, {"type": "null"}]}` (either order; also `oneOf`).
fn non_null_branch(schema: &mut Value) -> Option<&mut Value> {
    let obj = schema.as_object_mut()?;
    let key = ["anyOf", "oneOf"]
        .into_iter()
        .find(|k| obj.contains_key(*k))?;
    let branches = obj.get_mut(key)?.as_array_mut()?;
    if branches.len() != 2 {
        return None;
    }
    let is_null = |v: &Value| v.get("type").and_then(Value::as_str) == Some("null");
    let null_at = branches.iter().position(is_null)?;
    branches.get_mut(1 - null_at)
}

/// Builds [`LlmOutput::schema`]: schemars' draft 2020-12 schema, as deserialized, plus rules.
pub fn schema_for<T: LlmOutput>() -> Schema {
    let generator = SchemaSettings::draft2020_12()
        .for_deserialize()
        .into_generator();
    let mut root = generator.into_root_schema_for::<T>().to_value();
    let defs = match root.as_object_mut().and_then(|o| o.remove("$defs")) {
        Some(Value::Object(defs)) => defs,
        _ => Map::new(),
    };
    let mut rules = SchemaRules { defs };
    T::apply_rules(&mut root, &mut rules);
    if let Value::Object(obj) = &mut root {
        if !rules.defs.is_empty() {
            obj.insert("$defs".to_owned(), Value::Object(rules.defs));
        }
        Schema::from(std::mem::take(obj))
    } else {
        Schema::from(root.as_bool().unwrap_or(true))
    }
}

/// The object schema of property `name` of the object schema `schema`.
pub fn property<'a>(schema: &'a mut Value, name: &str) -> Option<&'a mut Value> {
    schema.get_mut("properties")?.get_mut(name)
}

/// How an enum's variants are told apart in JSON, following serde's `tag`/`content`/`untagged`.
#[derive(Debug, Clone, Copy)]
pub enum Tagging {
    /// `{"Variant": {...}}`, serde's default.
    External,
    /// `{"tag": "Variant", ...}`.
    Internal {
        /// The tag field.
        tag: &'static str,
    },
    /// `{"tag": "Variant", "content": {...}}`.
    Adjacent {
        /// The tag field.
        tag: &'static str,
        /// The content field.
        content: &'static str,
    },
    /// No tag: the variant is whichever shape fits.
    Untagged,
}

/// The schema of variant `name` (the `index`-th variant that can be deserialized) inside the enum
/// schema `schema`: the value under the tag for externally tagged enums, the object holding the
/// tag for internally tagged ones, the content for adjacently tagged ones.
pub fn variant<'a>(
    schema: &'a mut Value,
    tagging: Tagging,
    name: &str,
    index: usize,
) -> Option<&'a mut Value> {
    let key = ["oneOf", "anyOf"]
        .into_iter()
        .find(|k| schema.get(*k).is_some())?;
    let branches = schema.get_mut(key)?.as_array_mut()?;
    if let Tagging::Untagged = tagging {
        return branches.get_mut(index);
    }
    let tag_is = |branch: &Value, tag: &str| {
        let t = branch.get("properties").and_then(|p| p.get(tag));
        t.and_then(|t| t.get("const")).and_then(Value::as_str) == Some(name)
            || t.and_then(|t| t.get("enum"))
                .and_then(Value::as_array)
                .is_some_and(|e| e.len() == 1 && e[0].as_str() == Some(name))
    };
    let branch = branches.iter_mut().find(|b| match tagging {
        Tagging::External => b.get("properties").is_some_and(|p| p.get(name).is_some()),
        Tagging::Internal { tag } | Tagging::Adjacent { tag, .. } => tag_is(b, tag),
        Tagging::Untagged => false,
    })?;
    match tagging {
        Tagging::External => property(branch, name),
        Tagging::Adjacent { content, .. } => property(branch, content),
        Tagging::Internal { .. } | Tagging::Untagged => Some(branch),
    }
}

/// The object to add keywords to: the schema itself, or the non-null branch of a nullable
/// union; `None` for a `$ref` (shared definitions are left alone).
fn keyword_target(schema: &mut Value) -> Option<&mut Map<String, Value>> {
    if non_null_branch(schema).is_some() {
        return non_null_branch(schema).and_then(keyword_target);
    }
    if schema.get("$ref").is_some() {
        return None;
    }
    schema.as_object_mut()
}

fn has_type(target: &Map<String, Value>, ty: &str) -> bool {
    match target.get("type") {
        Some(Value::String(t)) => t == ty,
        Some(Value::Array(ts)) => ts.iter().any(|t| t.as_str() == Some(ty)),
        _ => false,
    }
}

fn number(n: f64) -> Value {
    if n.fract() == 0.0 && n.abs() < 9.0e15 {
        #[allow(clippy::cast_possible_truncation)] // integral and in range, checked above
        return Value::from(n as i64);
    }
    serde_json::Number::from_f64(n).map_or(Value::Null, Value::Number)
}

/// `len(min, max)`: `minLength`/`maxLength` on strings, `minItems`/`maxItems` on arrays,
/// `minProperties`/`maxProperties` on maps.
pub fn len(schema: &mut Value, min: Option<usize>, max: Option<usize>) {
    let Some(target) = keyword_target(schema) else {
        return;
    };
    let (lo, hi) = if has_type(target, "string") {
        ("minLength", "maxLength")
    } else if has_type(target, "array") {
        ("minItems", "maxItems")
    } else if has_type(target, "object") {
        ("minProperties", "maxProperties")
    } else {
        return;
    };
    if let Some(min) = min {
        target.insert(lo.to_owned(), Value::from(min));
    }
    if let Some(max) = max {
        target.insert(hi.to_owned(), Value::from(max));
    }
}

/// `non_empty`: a length of at least one.
pub fn non_empty(schema: &mut Value) {
    len(schema, Some(1), None);
}

/// `range(min, max)`: `minimum`/`maximum`.
pub fn range(schema: &mut Value, min: Option<f64>, max: Option<f64>) {
    let Some(target) = keyword_target(schema) else {
        return;
    };
    if let Some(min) = min {
        target.insert("minimum".to_owned(), number(min));
    }
    if let Some(max) = max {
        target.insert("maximum".to_owned(), number(max));
    }
}

/// `confidence`: a number from 0 to 1. The threshold itself is not shown to the model.
pub fn confidence(schema: &mut Value) {
    range(schema, Some(0.0), Some(1.0));
}

/// `regex`: `pattern`.
pub fn pattern(schema: &mut Value, pattern: &str) {
    if let Some(target) = keyword_target(schema) {
        target.insert("pattern".to_owned(), Value::from(pattern));
    }
}

/// `email` and `url`: `format`.
pub fn format(schema: &mut Value, format: &str) {
    if let Some(target) = keyword_target(schema) {
        target.insert("format".to_owned(), Value::from(format));
    }
}

/// `one_of`: `enum`, with `null` kept allowed on optional fields.
pub fn one_of(schema: &mut Value, allowed: &[&str]) {
    let Some(target) = keyword_target(schema) else {
        return;
    };
    let mut values: Vec<Value> = allowed
        .iter()
        .filter_map(|json| serde_json::from_str(json).ok())
        .collect();
    if has_type(target, "null") {
        values.push(Value::Null);
    }
    target.insert("enum".to_owned(), Value::Array(values));
}

/// Item `index` of a tuple schema (`prefixItems`).
pub fn tuple_item(schema: &mut Value, index: usize) -> Option<&mut Value> {
    schema.get_mut("prefixItems")?.get_mut(index)
}

/// The keyword under which serde's aliases are recorded: an object from alias to name, on the
/// object schema (field aliases) or on the schema listing the enum values (variant aliases).
/// Provider transforms remove it; the parser reads it.
pub const ALIASES: &str = "x-llm-aliases";

/// Records `aliases` of `name` (a property of the object schema `schema`, or a value of its
/// `enum`, or of one of its `oneOf`/`anyOf` branches).
pub fn aliases(schema: &mut Value, name: &str, aliases: &[&str]) {
    let holds = |s: &Value| {
        s.get("properties").is_some_and(|p| p.get(name).is_some())
            || s.get("const").and_then(Value::as_str) == Some(name)
            || s.get("enum")
                .and_then(Value::as_array)
                .is_some_and(|e| e.iter().any(|v| v.as_str() == Some(name)))
    };
    let target = if holds(schema) {
        Some(schema)
    } else {
        ["oneOf", "anyOf"]
            .into_iter()
            .find(|k| schema.get(*k).is_some())
            .and_then(|k| schema.get_mut(k))
            .and_then(Value::as_array_mut)
            .and_then(|branches| branches.iter_mut().find(|b| holds(b)))
    };
    let Some(Value::Object(target)) = target else {
        return;
    };
    let entry = target
        .entry(ALIASES)
        .or_insert_with(|| Value::Object(Map::new()));
    if let Value::Object(map) = entry {
        for alias in aliases {
            map.insert((*alias).to_owned(), Value::from(name));
        }
    }
}
