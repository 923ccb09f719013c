//! Deserializing while noting whether serde ignored anything (a key the type does not have).
//!
//! The same idea as the `serde_ignored` crate, without the path it builds for each value: that
//! crate copies every object key into a `String` for the path it hands to its callback, which
//! costs a third of a clean parse. Here a wrapper around the deserializer only sets a flag when
//! the type asks to skip a value (`deserialize_ignored_any`); keys pass through untouched and
//! nothing is allocated.

use std::cell::Cell;
use std::fmt;

use serde::de::{self, DeserializeSeed, Visitor};

/// Deserializes a `T` from `de`; `ignored` is set if serde skipped any value on the way.
pub(super) fn deserialize<'de, D, T>(de: D, ignored: &Cell<bool>) -> Result<T, D::Error>
where
    D: de::Deserializer<'de>,
    T: de::Deserialize<'de>,
{
    T::deserialize(Flag { de, ignored })
}

/// A deserializer that forwards everything and flags `deserialize_ignored_any`.
struct Flag<'f, D> {
    de: D,
    ignored: &'f Cell<bool>,
}

/// A visitor, seed or access wrapped to keep flagging in what it hands out.
struct Wrap<'f, X> {
    inner: X,
    ignored: &'f Cell<bool>,
}

impl<'f, X> Wrap<'f, X> {
    fn new(inner: X, ignored: &'f Cell<bool>) -> Self {
        Self { inner, ignored }
    }
}

macro_rules! forward_deserialize {
    ($($method:ident),* $(,)?) => {
        $(
            fn $method<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, D::Error> {
                self.de.$method(Wrap::new(visitor, self.ignored))
            }
        )*
    };
}

impl<'de, D: de::Deserializer<'de>> de::Deserializer<'de> for Flag<'_, D> {
    type Error = D::Error;

    forward_deserialize!(
        deserialize_any,
        deserialize_bool,
        deserialize_u8,
        deserialize_u16,
        deserialize_u32,
        deserialize_u64,
        deserialize_u128,
        deserialize_i8,
        deserialize_i16,
        deserialize_i32,
        deserialize_i64,
        deserialize_i128,
        deserialize_f32,
        deserialize_f64,
        deserialize_char,
        deserialize_str,
        deserialize_string,
        deserialize_bytes,
        deserialize_byte_buf,
        deserialize_option,
        deserialize_unit,
        deserialize_seq,
        deserialize_map,
        deserialize_identifier,
    );

    fn deserialize_unit_struct<V: Visitor<'de>>(
        self,
        name: &'static str,
        visitor: V,
    ) -> Result<V::Value, D::Error> {
        self.de
            .deserialize_unit_struct(name, Wrap::new(visitor, self.ignored))
    }

    fn deserialize_newtype_struct<V: Visitor<'de>>(
        self,
        name: &'static str,
        visitor: V,
    ) -> Result<V::Value, D::Error> {
        self.de
            .deserialize_newtype_struct(name, Wrap::new(visitor, self.ignored))
    }

    fn deserialize_tuple<V: Visitor<'de>>(
        self,
        len: usize,
        visitor: V,
    ) -> Result<V::Value, D::Error> {
        self.de
            .deserialize_tuple(len, Wrap::new(visitor, self.ignored))
    }

    fn deserialize_tuple_struct<V: Visitor<'de>>(
        self,
        name: &'static str,
        len: usize,
        visitor: V,
    ) -> Result<V::Value, D::Error> {
        self.de
            .deserialize_tuple_struct(name, len, Wrap::new(visitor, self.ignored))
    }

    fn deserialize_struct<V: Visitor<'de>>(
        self,
        name: &'static str,
        fields: &'static [&'static str],
        visitor: V,
    ) -> Result<V::Value, D::Error> {
        self.de
            .deserialize_struct(name, fields, Wrap::new(visitor, self.ignored))
    }

    fn deserialize_enum<V: Visitor<'de>>(
        self,
        name: &'static str,
        variants: &'static [&'static str],
        visitor: V,
    ) -> Result<V::Value, D::Error> {
        self.de
            .deserialize_enum(name, variants, Wrap::new(visitor, self.ignored))
    }

    fn deserialize_ignored_any<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, D::Error> {
        self.ignored.set(true);
        self.de.deserialize_ignored_any(visitor)
    }

    fn is_human_readable(&self) -> bool {
        self.de.is_human_readable()
    }
}

macro_rules! forward_visit {
    ($($method:ident($ty:ty)),* $(,)?) => {
        $(
            fn $method<E: de::Error>(self, v: $ty) -> Result<Self::Value, E> {
                self.inner.$method(v)
            }
        )*
    };
}

impl<'de, X: Visitor<'de>> Visitor<'de> for Wrap<'_, X> {
    type Value = X::Value;

    fn expecting(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.inner.expecting(formatter)
    }

    forward_visit!(
        visit_bool(bool),
        visit_i8(i8),
        visit_i16(i16),
        visit_i32(i32),
        visit_i64(i64),
        visit_i128(i128),
        visit_u8(u8),
        visit_u16(u16),
        visit_u32(u32),
        visit_u64(u64),
        visit_u128(u128),
        visit_f32(f32),
        visit_f64(f64),
        visit_char(char),
        visit_str(&str),
        visit_borrowed_str(&'de str),
        visit_string(String),
        visit_bytes(&[u8]),
        visit_borrowed_bytes(&'de [u8]),
        visit_byte_buf(Vec<u8>),
    );

    fn visit_unit<E: de::Error>(self) -> Result<Self::Value, E> {
        self.inner.visit_unit()
    }

    fn visit_none<E: de::Error>(self) -> Result<Self::Value, E> {
        self.inner.visit_none()
    }

    fn visit_some<D: de::Deserializer<'de>>(self, de: D) -> Result<Self::Value, D::Error> {
        self.inner.visit_some(Flag {
            de,
            ignored: self.ignored,
        })
    }

    fn visit_newtype_struct<D: de::Deserializer<'de>>(
        self,
        de: D,
    ) -> Result<Self::Value, D::Error> {
        self.inner.visit_newtype_struct(Flag {
            de,
            ignored: self.ignored,
        })
    }

    fn visit_seq<A: de::SeqAccess<'de>>(self, seq: A) -> Result<Self::Value, A::Error> {
        self.inner.visit_seq(Wrap::new(seq, self.ignored))
    }

    fn visit_map<A: de::MapAccess<'de>>(self, map: A) -> Result<Self::Value, A::Error> {
        self.inner.visit_map(Wrap::new(map, self.ignored))
    }

    fn visit_enum<A: de::EnumAccess<'de>>(self, data: A) -> Result<Self::Value, A::Error> {
        self.inner.visit_enum(Wrap::new(data, self.ignored))
    }
}

impl<'de, X: DeserializeSeed<'de>> DeserializeSeed<'de> for Wrap<'_, X> {
    type Value = X::Value;

    fn deserialize<D: de::Deserializer<'de>>(self, de: D) -> Result<Self::Value, D::Error> {
        self.inner.deserialize(Flag {
            de,
            ignored: self.ignored,
        })
    }
}

impl<'de, X: de::SeqAccess<'de>> de::SeqAccess<'de> for Wrap<'_, X> {
    type Error = X::Error;

    fn next_element_seed<T: DeserializeSeed<'de>>(
        &mut self,
        seed: T,
    ) -> Result<Option<T::Value>, X::Error> {
        self.inner.next_element_seed(Wrap::new(seed, self.ignored))
    }

    fn size_hint(&self) -> Option<usize> {
        self.inner.size_hint()
    }
}

impl<'de, X: de::MapAccess<'de>> de::MapAccess<'de> for Wrap<'_, X> {
    type Error = X::Error;

    // Keys are read as they are: a key is never skipped, only the value after it.
    fn next_key_seed<K: DeserializeSeed<'de>>(
        &mut self,
        seed: K,
    ) -> Result<Option<K::Value>, X::Error> {
        self.inner.next_key_seed(seed)
    }

    fn next_value_seed<V: DeserializeSeed<'de>>(&mut self, seed: V) -> Result<V::Value, X::Error> {
        self.inner.next_value_seed(Wrap::new(seed, self.ignored))
    }

    fn size_hint(&self) -> Option<usize> {
        self.inner.size_hint()
    }
}

impl<'de, 'f, X: de::EnumAccess<'de>> de::EnumAccess<'de> for Wrap<'f, X> {
    type Error = X::Error;
    type Variant = Wrap<'f, X::Variant>;

    fn variant_seed<V: DeserializeSeed<'de>>(
        self,
        seed: V,
    ) -> Result<(V::Value, Self::Variant), X::Error> {
        let ignored = self.ignored;
        self.inner
            .variant_seed(seed)
            .map(|(value, variant)| (value, Wrap::new(variant, ignored)))
    }
}

impl<'de, X: de::VariantAccess<'de>> de::VariantAccess<'de> for Wrap<'_, X> {
    type Error = X::Error;

    fn unit_variant(self) -> Result<(), X::Error> {
        self.inner.unit_variant()
    }

    fn newtype_variant_seed<T: DeserializeSeed<'de>>(self, seed: T) -> Result<T::Value, X::Error> {
        self.inner
            .newtype_variant_seed(Wrap::new(seed, self.ignored))
    }

    fn tuple_variant<V: Visitor<'de>>(self, len: usize, visitor: V) -> Result<V::Value, X::Error> {
        self.inner
            .tuple_variant(len, Wrap::new(visitor, self.ignored))
    }

    fn struct_variant<V: Visitor<'de>>(
        self,
        fields: &'static [&'static str],
        visitor: V,
    ) -> Result<V::Value, X::Error> {
        self.inner
            .struct_variant(fields, Wrap::new(visitor, self.ignored))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde::Deserialize;

    #[derive(Debug, Deserialize, PartialEq)]
    struct Inner {
        a: u32,
    }

    #[derive(Debug, Deserialize, PartialEq)]
    struct Outer {
        inner: Option<Inner>,
        list: Vec<Inner>,
    }

    fn read(text: &str) -> (Option<Outer>, bool) {
        let ignored = Cell::new(false);
        let mut de = serde_json::Deserializer::from_str(text);
        let value = deserialize(&mut de, &ignored).ok();
        (value, ignored.get())
    }

    #[test]
    fn flags_keys_the_type_does_not_have_at_any_depth() {
        assert!(!read(r#"{"inner": {"a": 1}, "list": [{"a": 2}]}"#).1);
        assert!(read(r#"{"inner": {"a": 1}, "list": [], "x": 0}"#).1);
        assert!(read(r#"{"inner": {"a": 1, "b": [1]}, "list": []}"#).1);
        assert!(read(r#"{"inner": null, "list": [{"a": 2, "c": {}}]}"#).1);
    }
}
