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
