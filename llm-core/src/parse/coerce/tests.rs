//! Coercion cases, one concern per test.

use super::scalar::parse_number;
use super::*;
use serde_json::Number;
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

/// Each fold of enum matching, in order, with aliases, text beyond ASCII and the errors'
/// contents.
#[test]
fn enum_values_match_by_the_strictest_fold_that_finds_one() {
    let e = |labels: Value| json!({"type": "string", "enum": labels, "x-llm-aliases": {"Canceled": "cancelled"}});
    let ok = |labels: Value, found: Value, want: &str, kind: Option<FixKind>| {
        assert_eq!(
            fit(found.clone(), e(labels)).unwrap(),
            (json!(want), kind.into_iter().collect::<Vec<_>>()),
            "{found}"
        );
    };
    ok(json!(["USD"]), json!("USD"), "USD", None);
    ok(
        json!(["USD"]),
        json!(" USD "),
        "USD",
        Some(FixKind::EnumMatched),
    );
    ok(json!(["1", "2"]), json!(2), "2", Some(FixKind::EnumMatched));
    ok(
        json!(["true"]),
        json!(true),
        "true",
        Some(FixKind::EnumMatched),
    );
    // A serde alias is a name of the value, not a repair.
    ok(json!(["cancelled"]), json!("Canceled"), "cancelled", None);
    ok(
        json!(["cancelled"]),
        json!("CANCELED"),
        "cancelled",
        Some(FixKind::EnumCase),
    );
    // Lowercased as a whole text: a final capital sigma is a final small sigma.
    ok(
        json!(["ΟΔΟΣ"]),
        json!("οδος"),
        "ΟΔΟΣ",
        Some(FixKind::EnumCase),
    );
    ok(
        json!(["Straße"]),
        json!("STRAßE"),
        "Straße",
        Some(FixKind::EnumCase),
    );
    ok(
        json!(["in_progress", "done"]),
        json!("In Progress"),
        "in_progress",
        Some(FixKind::EnumFuzzy),
    );
    ok(
        json!(["a.b", "c"]),
        json!("A B"),
        "a.b",
        Some(FixKind::EnumFuzzy),
    );
    // Two labels of one value are one match.
    ok(
        json!(["cancelled", "canceled"]),
        json!("cancelled "),
        "cancelled",
        Some(FixKind::EnumMatched),
    );
    let err = |labels: Value, found: Value| fit(found, e(labels)).unwrap_err();
    match err(
        json!(["in-progress", "done", "In Progress"]),
        json!("INPROGRESS"),
    ) {
        CoerceError::AmbiguousVariant {
            found, candidates, ..
        } => {
            assert_eq!(found, "INPROGRESS");
            assert_eq!(candidates, ["in-progress", "In Progress"]);
        }
        other => panic!("{other:?}"),
    }
    for found in [json!("--"), json!("yen"), json!({"a": 1, "b": 2})] {
        match err(json!(["USD", "EUR"]), found.clone()) {
            CoerceError::UnknownVariant {
                found: text,
                expected,
                ..
            } => {
                assert_eq!(json!(text), found);
                assert_eq!(expected, ["USD", "EUR"]);
            }
            CoerceError::InvalidType { expected, .. } if found.is_object() => {
                assert_eq!(expected, "one of \"USD\", \"EUR\"");
            }
            other => panic!("{found}: {other:?}"),
        }
    }
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

/// The text path fits each scalar as the tree path does, with more schemas than the fitter
/// remembers shapes of, each met again in every row: through `$ref`s (a cycle too), unions with
/// `null`, enums, strings and numbers.
#[test]
fn the_text_path_fits_scalars_as_the_tree_path_past_the_remembered_shapes() {
    let kinds = [
        (json!({"type": "integer"}), json!("5")),
        (json!({"type": "number"}), json!("2.5")),
        (json!({"type": "boolean"}), json!("yes")),
        (
            json!({"type": "string", "enum": ["up", "down"]}),
            json!("UP"),
        ),
        (json!({"type": "string"}), json!(7)),
        (
            json!({"anyOf": [{"type": "integer"}, {"type": "null"}]}),
            json!("8"),
        ),
        (
            json!({"anyOf": [{"type": "integer"}, {"type": "null"}]}),
            json!(null),
        ),
        (json!({"$ref": "#/$defs/Qty"}), json!("9")),
        (json!({"$ref": "#/$defs/Loop"}), json!("3")),
        (json!({"type": ["number", "null"]}), json!("1,234.5")),
        (json!({"type": "integer"}), json!("x")),
    ];
    let mut props = Map::new();
    let mut row = Map::new();
    for i in 0..40 {
        let (schema, value) = &kinds[i % kinds.len()];
        props.insert(format!("f{i}"), schema.clone());
        row.insert(format!("f{i}"), value.clone());
    }
    let schema = json!({
        "type": "array",
        "items": {"$ref": "#/$defs/Row"},
        "$defs": {
            "Row": {"type": "object", "properties": props},
            "Qty": {"type": "integer"},
            "Loop": {"$ref": "#/$defs/Loop", "type": "integer"},
        },
    });
    let rows = Value::Array(vec![Value::Object(row); 3]);
    let mut tree_fixes = Vec::new();
    let tree = coerce(rows.clone(), &schema, &mut tree_fixes);
    let text = crate::parse::retype::coerce_text_twice(&rows.to_string(), &schema);
    match (tree, text) {
        (Ok(tree), Some((text, fixes))) => {
            assert_eq!(serde_json::from_str::<Value>(&text).ok(), Some(tree));
            assert_eq!(fixes, tree_fixes);
        }
        (Err(_), None) => {}
        (tree, text) => panic!("the tree path gives {tree:?}, the text path {text:?}"),
    }
    // Without the field no conversion takes, both read the rows.
    let mut row = rows[0].as_object().cloned().unwrap_or_default();
    row.retain(|_, v| v != "x");
    let rows = Value::Array(vec![Value::Object(row); 3]);
    let mut tree_fixes = Vec::new();
    let tree = coerce(rows.clone(), &schema, &mut tree_fixes).expect("the tree path fits");
    let (text, fixes) =
        crate::parse::retype::coerce_text_twice(&rows.to_string(), &schema).expect("the text path");
    assert_eq!(serde_json::from_str::<Value>(&text).ok(), Some(tree));
    assert_eq!(fixes, tree_fixes);
    assert!(fixes.len() > 80, "{}", fixes.len());
}

/// A number written as a string, read from the text by the text path, fits as the tree path
/// fits the string: the same value, the same fixes, the same refusals.
#[test]
fn numbers_in_strings_fit_on_both_paths_alike() {
    let integer = json!({"type": "integer"});
    let number = json!({"type": "number"});
    let cases = [
        (&integer, r#""5""#),
        (&integer, r#""5.0""#),
        (&integer, r#""5.5""#),
        (&integer, r#""-3""#),
        (&integer, r#"" 7 ""#),
        (&integer, r#""$1,234""#),
        (&integer, r#""1e3""#),
        (&integer, r#""12345678901234567890123""#),
        (&integer, r#""abc""#),
        (&integer, r#""""#),
        (&integer, r#""\u0035""#),
        (&number, r#""2.5""#),
        (&number, r#""12.50 usd""#),
        (&number, r#""1,23""#),
        (&json!({"type": ["integer", "null"]}), r#""4""#),
        (&json!({"type": ["null", "number"]}), r#""4.5""#),
        (&json!({"type": ["integer", "string"]}), r#""4""#),
        (&json!({"type": "integer", "enum": [1, 2]}), r#""1""#),
    ];
    for (field, value) in cases {
        let schema = json!({"type": "object", "properties": {"n": field}});
        // Compact, as the repairer writes it for the text path.
        let text = format!(r#"{{"n":{value}}}"#);
        let mut tree_fixes = Vec::new();
        let tree = coerce(
            serde_json::from_str(&text).expect("JSON"),
            &schema,
            &mut tree_fixes,
        );
        let retyped = crate::parse::retype::coerce_text_twice(&text, &schema);
        match (tree, retyped) {
            (Ok(tree), Some((retyped, fixes))) => {
                assert_eq!(
                    serde_json::from_str::<Value>(&retyped).ok(),
                    Some(tree),
                    "{text}"
                );
                assert_eq!(fixes, tree_fixes, "{text}");
            }
            (Err(_), None) => {}
            (tree, retyped) => {
                panic!("{text}: the tree path gives {tree:?}, the text path {retyped:?}")
            }
        }
    }
    let fixes = |value: &str| {
        let mut fixes = Vec::new();
        coerce(json!(value), &integer, &mut fixes)
            .map(|v| (v, fixes.iter().map(|f| f.kind).collect::<Vec<_>>()))
    };
    assert_eq!(
        fixes("5.0").unwrap(),
        (
            json!(5),
            vec![FixKind::StringToNumber, FixKind::FloatToInteger]
        )
    );
    assert_eq!(
        fixes("$1,234").unwrap(),
        (json!(1234), vec![FixKind::StringToNumber])
    );
    assert!(fixes("5.5").is_err());
}

/// What the text path remembers of a list's schema does not make it read an object in its
/// place (the tree path wraps the object in a list), in either order.
#[test]
fn the_text_path_tells_a_list_from_an_object_under_one_schema() {
    let schema = json!({
        "type": "array",
        "items": {
            "type": "object",
            "properties": {"list": {"type": "array", "items": {"type": "integer"}}}
        }
    });
    let retype = |json: &str| crate::parse::retype::coerce_text_twice(json, &schema);
    assert!(retype(r#"[{"list":["1"]},{"list":["2"]}]"#).is_some());
    assert!(retype(r#"[{"list":["1"]},{"list":{"a":1}}]"#).is_none());
    assert!(retype(r#"[{"list":{"a":1}},{"list":["1"]}]"#).is_none());
}
