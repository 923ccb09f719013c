//! [`LlmOutput`] for the standard types a field can have.
//!
//! Scalars have no rules of their own; containers pass validation and schema rules down to their
//! elements with the element's path (`items[2]`, `tags["a"]`).

use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet, VecDeque};
use std::fmt::Display;
use std::hash::Hash;

use schemars::JsonSchema;
use serde::de::DeserializeOwned;
use serde_json::Value;

use super::LlmOutput;
use super::hash::{combine, fnv1a};
use super::schema::SchemaRules;
use crate::parse::{ParseError, Parsed};
use crate::validate::Validator;

macro_rules! scalar {
    ($($ty:ty => $name:literal),* $(,)?) => {$(
        impl LlmOutput for $ty {
            const SCHEMA_HASH: u64 = fnv1a($name.as_bytes());
        }
    )*};
}

scalar! {
    bool => "bool", char => "char",
    u8 => "u8", u16 => "u16", u32 => "u32", u64 => "u64", u128 => "u128", usize => "usize",
    i8 => "i8", i16 => "i16", i32 => "i32", i64 => "i64", i128 => "i128", isize => "isize",
    f32 => "f32", f64 => "f64", () => "unit", Value => "json",
}

/// A `String` output is free text: the whole reply, trimmed, with no JSON parsing.
impl LlmOutput for String {
    const SCHEMA_HASH: u64 = fnv1a(b"string");

    fn parse(raw: &str) -> Result<Parsed<Self>, ParseError> {
        Ok(Parsed {
            value: raw.trim().to_owned(),
            fixes: Vec::new(),
        })
    }
}

impl<T: LlmOutput> LlmOutput for Option<T> {
    const SCHEMA_HASH: u64 = combine(fnv1a(b"option"), &[T::SCHEMA_HASH]);

    fn validate_in(&self, v: &mut Validator) {
        if let Some(value) = self {
            value.validate_in(v);
        }
    }

    fn apply_rules(schema: &mut Value, rules: &mut SchemaRules) {
        T::apply_rules(schema, rules);
    }
}

impl<T: LlmOutput> LlmOutput for Box<T> {
    const SCHEMA_HASH: u64 = T::SCHEMA_HASH;

    fn validate_in(&self, v: &mut Validator) {
        (**self).validate_in(v);
    }

    fn apply_rules(schema: &mut Value, rules: &mut SchemaRules) {
        T::apply_rules(schema, rules);
    }
}

macro_rules! sequence {
    ($($ty:ident [$($bound:tt)*]),* $(,)?) => {$(
        impl<T: LlmOutput $($bound)*> LlmOutput for $ty<T> {
            const SCHEMA_HASH: u64 = combine(fnv1a(b"array"), &[T::SCHEMA_HASH]);

            fn validate_in(&self, v: &mut Validator) {
                for (i, item) in self.iter().enumerate() {
                    v.enter_index(i);
                    item.validate_in(v);
                    v.leave();
                }
            }

            fn apply_rules(schema: &mut Value, rules: &mut SchemaRules) {
                rules.with_target(schema, &mut |schema, rules| {
                    if let Some(items) = schema.get_mut("items") {
                        T::apply_rules(items, rules);
                    }
                });
            }
        }
    )*};
}

sequence!(Vec[], VecDeque[], BTreeSet[+ Ord], HashSet[+ Eq + Hash]);

macro_rules! map {
    ($($ty:ident [$($bound:tt)*]),* $(,)?) => {$(
        impl<K, V> LlmOutput for $ty<K, V>
        where
            K: Display + DeserializeOwned + JsonSchema $($bound)*,
            V: LlmOutput,
        {
            const SCHEMA_HASH: u64 = combine(fnv1a(b"map"), &[V::SCHEMA_HASH]);

            fn validate_in(&self, v: &mut Validator) {
                for (key, value) in self {
                    v.enter_key(compact_str::ToCompactString::to_compact_string(key));
                    value.validate_in(v);
                    v.leave();
                }
            }

            fn apply_rules(schema: &mut Value, rules: &mut SchemaRules) {
                rules.with_target(schema, &mut |schema, rules| {
                    if let Some(values) = schema.get_mut("additionalProperties") {
                        V::apply_rules(values, rules);
                    }
                });
            }
        }
    )*};
}

map!(BTreeMap[+ Ord], HashMap[+ Eq + Hash]);
