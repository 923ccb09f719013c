//! The canonical schema turned into a tool's `input_schema` for Anthropic
//! ([`tool_input_schema`]).
//!
//! Anthropic reads a tool's schema as guidance and does not enforce numeric bounds, string
//! lengths, patterns or array sizes beyond one item. Leaving them in would suggest a guarantee
//! that does not exist, so they are taken out of the schema and written into `description`,
//! where the model still reads them; the framework validates every one of them locally.

use serde_json::Value;

use crate::provider::http::schema::{Moved, object_root, subschemas};

/// Constraints Anthropic does not enforce: moved into `description`.
const STRIPPED: &[&str] = &[
    "minimum",
    "maximum",
    "exclusiveMinimum",
    "exclusiveMaximum",
    "multipleOf",
    "minLength",
    "maxLength",
    "pattern",
    "maxItems",
    "uniqueItems",
];

/// The `input_schema` of the tool whose input is the answer.
///
/// The root is an object (a non-object answer is wrapped as `{"value": ...}`, which the parser
/// unwraps); `$schema` and `x-` extensions go; numeric bounds, string lengths, patterns,
/// `maxItems`, `uniqueItems` and a `minItems` above 1 move into `description`. Everything else,
/// `$defs` and `$ref` included, is kept.
///
/// ```
/// use llm_core::provider::anthropic::tool_input_schema;
/// use serde_json::json;
///
/// let canonical = json!({
///     "$schema": "https://json-schema.org/draft/2020-12/schema",
///     "type": "object",
///     "properties": {
///         "score": { "type": "number", "description": "How good.", "minimum": 0, "maximum": 1 }
///     },
///     "required": ["score"]
/// });
/// assert_eq!(tool_input_schema(&canonical), json!({
///     "type": "object",
///     "properties": {
///         "score": { "type": "number", "description": "How good. (minimum: 0; maximum: 1)" }
///     },
///     "required": ["score"]
/// }));
/// ```
pub fn tool_input_schema(schema: &Value) -> Value {
    let mut root = object_root(schema.clone());
    strip(&mut root);
    root
}

fn strip(schema: &mut Value) {
    let Value::Object(obj) = schema else {
        return;
    };
    obj.retain(|k, _| !k.starts_with("x-"));
    let mut moved = Moved::default();
    for key in STRIPPED {
        moved.take(obj, key, true);
    }
    if obj
        .get("minItems")
        .and_then(Value::as_u64)
        .is_some_and(|n| n > 1)
    {
        moved.take(obj, "minItems", true);
    }
    moved.describe(obj);
    for child in subschemas(obj) {
        strip(child);
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn unenforced_constraints_move_into_descriptions_everywhere() {
        let canonical = json!({
            "$schema": "https://json-schema.org/draft/2020-12/schema",
            "description": "An invoice.",
            "type": "object",
            "properties": {
                "vendor": { "type": "string", "pattern": "^[A-Z]" },
                "items": {
                    "type": "array",
                    "items": { "$ref": "#/$defs/Item" },
                    "minItems": 2,
                    "maxItems": 9
                },
                "tags": { "type": "array", "items": { "type": "string" }, "minItems": 1 },
                "note": { "anyOf": [{ "type": "string", "maxLength": 5 }, { "type": "null" }] }
            },
            "required": ["vendor", "items", "tags"],
            "x-llm-aliases": { "seller": "vendor" },
            "$defs": {
                "Item": {
                    "type": "object",
                    "properties": {
                        "qty": { "type": "integer", "format": "uint32", "minimum": 1, "exclusiveMaximum": 100 }
                    },
                    "required": ["qty"]
                }
            }
        });
        assert_eq!(
            tool_input_schema(&canonical),
            json!({
                "description": "An invoice.",
                "type": "object",
                "properties": {
                    "vendor": { "type": "string", "description": "pattern: ^[A-Z]" },
                    "items": {
                        "type": "array",
                        "items": { "$ref": "#/$defs/Item" },
                        "description": "maxItems: 9; minItems: 2"
                    },
                    "tags": { "type": "array", "items": { "type": "string" }, "minItems": 1 },
                    "note": {
                        "anyOf": [
                            { "type": "string", "description": "maxLength: 5" },
                            { "type": "null" }
                        ]
                    }
                },
                "required": ["vendor", "items", "tags"],
                "$defs": {
                    "Item": {
                        "type": "object",
                        "properties": {
                            "qty": {
                                "type": "integer",
                                "format": "uint32",
                                "description": "minimum: 1; exclusiveMaximum: 100"
                            }
                        },
                        "required": ["qty"]
                    }
                }
            })
        );
    }

    #[test]
    fn a_non_object_answer_is_wrapped() {
        let list = json!({ "type": "array", "items": { "type": "integer", "maximum": 3 } });
        assert_eq!(
            tool_input_schema(&list),
            json!({
                "type": "object",
                "properties": {
                    "value": { "type": "array", "items": { "type": "integer", "description": "maximum: 3" } }
                },
                "required": ["value"],
                "additionalProperties": false
            })
        );
    }
}
