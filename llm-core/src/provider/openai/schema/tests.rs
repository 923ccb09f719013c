use serde_json::json;

use super::*;

fn strict(schema: Value) -> StrictSchema {
    StrictSchema::from_canonical(&schema)
}

#[test]
fn objects_are_closed_and_optional_properties_become_nullable() {
    let out = strict(json!({
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "title": "Invoice",
        "type": "object",
        "properties": {
            "total": { "type": "number", "format": "double", "minimum": 0 },
            "contact": { "type": ["string", "null"], "format": "email" },
            "status": { "type": "string", "enum": ["paid", "due"], "default": "due" },
            "code": { "const": "X" },
            "address": { "$ref": "#/$defs/Address", "description": "Where to send it." },
            "kind": { "anyOf": [{ "type": "integer" }, { "type": "string" }] }
        },
        "required": ["total"],
        "$defs": {
            "Address": {
                "type": "object",
                "properties": { "city": { "type": "string" } },
                "required": ["city"]
            }
        }
    }));
    assert!(out.strict);
    assert_eq!(
        out.schema,
        json!({
            "type": "object",
            "properties": {
                "total": { "type": "number", "minimum": 0 },
                "contact": { "type": ["string", "null"], "format": "email" },
                "status": {
                    "type": ["string", "null"],
                    "enum": ["paid", "due", null],
                    "description": "default: due"
                },
                "code": { "anyOf": [{ "const": "X" }, { "type": "null" }] },
                "address": {
                    "anyOf": [{ "$ref": "#/$defs/Address" }, { "type": "null" }],
                    "description": "Where to send it."
                },
                "kind": { "anyOf": [{ "type": "integer" }, { "type": "string" }, { "type": "null" }] }
            },
            "required": ["total", "contact", "status", "code", "address", "kind"],
            "additionalProperties": false,
            "$defs": {
                "Address": {
                    "type": "object",
                    "properties": { "city": { "type": "string" } },
                    "required": ["city"],
                    "additionalProperties": false
                }
            }
        })
    );
}

#[test]
fn a_required_ref_with_a_description_is_inlined() {
    let out = strict(json!({
        "type": "object",
        "properties": {
            "item": { "$ref": "#/$defs/Item", "description": "The line." }
        },
        "required": ["item"],
        "$defs": {
            "Item": {
                "description": "A line item.",
                "type": "object",
                "properties": { "qty": { "type": "integer", "minimum": 1 } },
                "required": ["qty"]
            }
        }
    }));
    assert!(out.strict);
    assert_eq!(
        out.schema["properties"]["item"],
        json!({
            "description": "The line.",
            "type": "object",
            "properties": { "qty": { "type": "integer", "minimum": 1 } },
            "required": ["qty"],
            "additionalProperties": false
        })
    );
}

#[test]
fn a_recursive_definition_is_referenced_not_inlined_forever() {
    let out = strict(json!({
        "type": "object",
        "properties": { "root": { "$ref": "#/$defs/Node", "description": "The top." } },
        "required": ["root"],
        "$defs": {
            "Node": {
                "type": "object",
                "properties": {
                    "children": {
                        "type": "array",
                        "items": { "$ref": "#/$defs/Node", "description": "A child." }
                    }
                },
                "required": ["children"]
            }
        }
    }));
    assert_eq!(
        out.schema["properties"]["root"]["properties"]["children"]["items"],
        json!({ "$ref": "#/$defs/Node" })
    );
    assert!(out.strict);
}

#[test]
fn unsupported_keywords_move_into_the_description() {
    let out = strict(json!({
        "type": "object",
        "description": "A record.",
        "properties": {
            "name": {
                "type": "string",
                "description": "The name.",
                "minLength": 1,
                "maxLength": 80,
                "pattern": "[A-Z]"
            },
            "sku": { "type": "string", "pattern": "^[A-Z]{2}-[0-9]{3}$" },
            "site": { "type": "string", "format": "uri" },
            "tags": { "type": "array", "items": { "type": "string" }, "uniqueItems": true, "minItems": 1 },
            "level": { "type": "integer", "not": { "const": 3 } },
            "pick": { "oneOf": [{ "type": "integer" }, { "type": "boolean" }] }
        },
        "required": ["name", "sku", "site", "tags", "level", "pick"],
        "x-llm-aliases": { "title": "name" },
        "patternProperties": { "^x_": { "type": "string" } }
    }));
    assert!(out.strict);
    assert_eq!(
        out.schema,
        json!({
            "type": "object",
            "description": "A record. (patternProperties: {\"^x_\":{\"type\":\"string\"}})",
            "properties": {
                "name": {
                    "type": "string",
                    "description": "The name. (minLength: 1; maxLength: 80; pattern: [A-Z])"
                },
                "sku": { "type": "string", "pattern": "^[A-Z]{2}-[0-9]{3}$" },
                "site": { "type": "string", "description": "format: uri" },
                "tags": {
                    "type": "array",
                    "items": { "type": "string" },
                    "minItems": 1,
                    "description": "uniqueItems: true"
                },
                "level": { "type": "integer", "description": "not: {\"const\":3}" },
                "pick": { "anyOf": [{ "type": "integer" }, { "type": "boolean" }] }
            },
            "required": ["name", "sku", "site", "tags", "level", "pick"],
            "additionalProperties": false
        })
    );
}

#[test]
fn non_object_roots_are_wrapped_and_unions_become_any_of() {
    let out = strict(json!({
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "title": "Shape",
        "oneOf": [
            {
                "type": "object",
                "properties": { "kind": { "type": "string", "const": "circle" }, "r": { "type": "number" } },
                "required": ["kind", "r"]
            },
            { "type": "string", "enum": ["none"] }
        ]
    }));
    assert!(out.strict);
    assert_eq!(
        out.schema,
        json!({
            "type": "object",
            "properties": {
                "value": {
                    "anyOf": [
                        {
                            "type": "object",
                            "properties": {
                                "kind": { "type": "string", "const": "circle" },
                                "r": { "type": "number" }
                            },
                            "required": ["kind", "r"],
                            "additionalProperties": false
                        },
                        { "type": "string", "enum": ["none"] }
                    ]
                }
            },
            "required": ["value"],
            "additionalProperties": false
        })
    );
}

#[test]
fn maps_tuples_and_any_values_are_not_strict() {
    let map = json!({ "type": "object", "additionalProperties": { "type": "integer" } });
    let tuple = json!({
        "type": "object",
        "properties": { "pair": { "type": "array", "prefixItems": [{ "type": "string" }, { "type": "integer" }] } },
        "required": ["pair"]
    });
    let any = json!({
        "type": "object",
        "properties": { "extra": {} },
        "required": ["extra"]
    });
    for schema in [map, tuple, any] {
        assert!(!strict(schema.clone()).strict, "{schema}");
    }
    let empty = strict(json!({ "type": "object" }));
    assert!(empty.strict);
    assert_eq!(
        empty.schema,
        json!({ "type": "object", "properties": {}, "required": [], "additionalProperties": false })
    );
}

#[test]
fn a_single_all_of_is_merged() {
    let out = strict(json!({
        "type": "object",
        "properties": {
            "when": { "allOf": [{ "$ref": "#/$defs/Day" }], "description": "The day." }
        },
        "required": ["when"],
        "$defs": { "Day": { "type": "string", "enum": ["mon", "tue"] } }
    }));
    assert!(out.strict);
    assert_eq!(
        out.schema["properties"]["when"],
        json!({ "description": "The day.", "type": "string", "enum": ["mon", "tue"] })
    );
}

#[test]
fn anchored_patterns_are_told_apart() {
    assert!(is_anchored("^[A-Z]{2}$"));
    assert!(!is_anchored("^[A-Z]{2}"));
    assert!(!is_anchored("[A-Z]{2}$"));
    assert!(!is_anchored(r"^a\$"));
    assert!(is_anchored(r"^a\\$"));
}
