//! Deserializing while noting whether serde lost anything: a key the type does not have, or a
//! key given twice in a map (serde keeps the last without a word; the repair path records it).
//!
//! The same idea as the `serde_ignored` crate, without the path it builds for each value: that
//! crate copies every object key into a `String` for the path it hands to its callback, which
//! costs a third of a clean parse. Here a wrapper around the deserializer only sets a flag when
//! the type asks to skip a value (`deserialize_ignored_any`); struct keys pass through untouched
//! and nothing is allocated. Map keys are hashed to notice a repeated one.

use std::cell::Cell;
use std::fmt;

use serde::de::{self, DeserializeSeed, Visitor};

use super::text::hash;

/// What [`deserialize`] watches for, and what it saw.
#[derive(Debug, Default)]
pub(super) struct Watch {
    /// Set when serde skipped a value, or (with `maps`) a map had a key twice.
    pub(super) lost: Cell<bool>,
    /// Whether to check map keys for repeats.
    pub(super) maps: bool,
}

/// Deserializes a `T` from `de`, noting in `ignored` what serde lost on the way.
pub(super) fn deserialize<'de, D, T>(de: D, ignored: &Watch) -> Result<T, D::Error>
where
    D: de::Deserializer<'de>,
    T: de::Deserialize<'de>,
{
    T::deserialize(Flag { de, ignored })
}

/// A deserializer that forwards everything and flags `deserialize_ignored_any`.
struct Flag<'f, D> {
    de: D,
    ignored: &'f Watch,
}

/// A visitor, seed or access wrapped to keep flagging in what it hands out.
struct Wrap<'f, X> {
    inner: X,
    ignored: &'f Watch,
    /// For a visitor: whether a map it visits is a map (keys checked), not a struct.
    map: bool,
}

impl<'f, X> Wrap<'f, X> {
    fn new(inner: X, ignored: &'f Watch) -> Self {
        Self {
            inner,
            ignored,
            map: false,
        }
    }
}

/// Forwards `deserialize_*` methods to `self.de` with the visitor wrapped by `self.wrap`.
macro_rules! forward_deserialize {
    ($($method:ident($($arg:ident: $ty:ty),*)),* $(,)?) => {
        $(
            fn $method<V: Visitor<'de>>(
                self,
                $($arg: $ty,)*
                visitor: V,
            ) -> Result<V::Value, Self::Error> {
                let visitor = self.wrap(visitor, stringify!($method));
                self.de.$method($($arg,)* visitor)
            }
        )*
    };
}

impl<'f, D> Flag<'f, D> {
    fn wrap<V>(&self, visitor: V, method: &str) -> Wrap<'f, V> {
        Wrap {
            inner: visitor,
            ignored: self.ignored,
            map: self.ignored.maps && matches!(method, "deserialize_any" | "deserialize_map"),
        }
    }
}

impl<'de, D: de::Deserializer<'de>> de::Deserializer<'de> for Flag<'_, D> {
    type Error = D::Error;

    forward_deserialize!(
        deserialize_any(),
        deserialize_bool(),
        deserialize_u8(),
        deserialize_u16(),
        deserialize_u32(),
        deserialize_u64(),
        deserialize_u128(),
        deserialize_i8(),
        deserialize_i16(),
        deserialize_i32(),
        deserialize_i64(),
        deserialize_i128(),
        deserialize_f32(),
        deserialize_f64(),
        deserialize_char(),
        deserialize_str(),
        deserialize_string(),
        deserialize_bytes(),
        deserialize_byte_buf(),
        deserialize_option(),
        deserialize_unit(),
        deserialize_seq(),
        deserialize_map(),
        deserialize_identifier(),
        deserialize_unit_struct(name: &'static str),
        deserialize_newtype_struct(name: &'static str),
        deserialize_tuple(len: usize),
        deserialize_tuple_struct(name: &'static str, len: usize),
        deserialize_struct(name: &'static str, fields: &'static [&'static str]),
        deserialize_enum(name: &'static str, variants: &'static [&'static str]),
    );

    fn deserialize_ignored_any<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, D::Error> {
        self.ignored.lost.set(true);
        self.de.deserialize_ignored_any(visitor)
    }

    fn is_human_readable(&self) -> bool {
        self.de.is_human_readable()
    }
}

/// A value the type refused, without the message serde would write about it: whoever reads
/// through the wrapper only asks whether it failed, and a message (an unknown variant lists
/// every known one) costs more than reading the value.
#[derive(Debug)]
struct Refused;

impl fmt::Display for Refused {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("the value does not fit the type")
    }
}

impl std::error::Error for Refused {}

impl de::Error for Refused {
    fn custom<T: fmt::Display>(_: T) -> Self {
        Refused
    }
}

/// Forwards `visit_*` methods of scalars to `self.inner`, which refuses with [`Refused`]; the
/// refusal becomes the deserializer's own error (of serde's data kind, as the message would).
macro_rules! forward_visit {
    ($($method:ident($ty:ty)),* $(,)?) => {
        $(
            fn $method<E: de::Error>(self, v: $ty) -> Result<Self::Value, E> {
                self.inner.$method::<Refused>(v).map_err(|refused| E::custom(refused))
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
        if self.map {
            return self.inner.visit_map(Keys {
                map,
                ignored: self.ignored,
                seen: Vec::new(),
                many: None,
            });
        }
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
        // The variant's name is read through the wrapper too: a name the type does not know is
        // refused without its message.
        self.inner
            .variant_seed(Wrap::new(seed, ignored))
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

/// A map's access that flags a key seen before.
struct Keys<'f, A> {
    map: A,
    ignored: &'f Watch,
    /// Hashes of the keys so far: a list, a set for a large map.
    seen: Vec<u64>,
    many: Option<std::collections::HashSet<u64>>,
}

impl<'de, A: de::MapAccess<'de>> de::MapAccess<'de> for Keys<'_, A> {
    type Error = A::Error;

    fn next_key_seed<K: DeserializeSeed<'de>>(
        &mut self,
        seed: K,
    ) -> Result<Option<K::Value>, A::Error> {
        let mut hash = None;
        let key = self.map.next_key_seed(KeySeed {
            seed,
            hash: &mut hash,
        })?;
        if let Some(hash) = hash {
            // A collision only sends the text down the repair path, which decides.
            let repeated = match &mut self.many {
                Some(many) => !many.insert(hash),
                None if self.seen.len() >= 64 => {
                    let mut many: std::collections::HashSet<u64> = self.seen.drain(..).collect();
                    let repeated = !many.insert(hash);
                    self.many = Some(many);
                    repeated
                }
                None => {
                    let repeated = self.seen.contains(&hash);
                    self.seen.push(hash);
                    repeated
                }
            };
            if repeated {
                self.ignored.lost.set(true);
            }
        }
        Ok(key)
    }

    fn next_value_seed<V: DeserializeSeed<'de>>(&mut self, seed: V) -> Result<V::Value, A::Error> {
        self.map.next_value_seed(Wrap::new(seed, self.ignored))
    }

    fn size_hint(&self) -> Option<usize> {
        self.map.size_hint()
    }
}

/// A key's seed that notes the hash of the key's text.
struct KeySeed<'h, S> {
    seed: S,
    hash: &'h mut Option<u64>,
}

impl<'de, S: DeserializeSeed<'de>> DeserializeSeed<'de> for KeySeed<'_, S> {
    type Value = S::Value;

    fn deserialize<D: de::Deserializer<'de>>(self, de: D) -> Result<S::Value, D::Error> {
        self.seed.deserialize(KeyDe {
            de,
            hash: self.hash,
        })
    }
}

/// A key's deserializer that hands out [`KeyVisitor`]s.
struct KeyDe<'h, D> {
    de: D,
    hash: &'h mut Option<u64>,
}

impl<'h, D> KeyDe<'h, D> {
    fn wrap<V>(self, visitor: V, _: &str) -> (D, KeyVisitor<'h, V>) {
        (
            self.de,
            KeyVisitor {
                inner: visitor,
                hash: self.hash,
            },
        )
    }
}

/// Forwards `deserialize_*` methods of [`KeyDe`].
macro_rules! forward_key {
    ($($method:ident($($arg:ident: $ty:ty),*)),* $(,)?) => {
        $(
            fn $method<V: Visitor<'de>>(
                self,
                $($arg: $ty,)*
                visitor: V,
            ) -> Result<V::Value, Self::Error> {
                let (de, visitor) = self.wrap(visitor, stringify!($method));
                de.$method($($arg,)* visitor)
            }
        )*
    };
}

impl<'de, D: de::Deserializer<'de>> de::Deserializer<'de> for KeyDe<'_, D> {
    type Error = D::Error;

    forward_key!(
        deserialize_any(),
        deserialize_bool(),
        deserialize_u8(),
        deserialize_u16(),
        deserialize_u32(),
        deserialize_u64(),
        deserialize_u128(),
        deserialize_i8(),
        deserialize_i16(),
        deserialize_i32(),
        deserialize_i64(),
        deserialize_i128(),
        deserialize_f32(),
        deserialize_f64(),
        deserialize_char(),
        deserialize_str(),
        deserialize_string(),
        deserialize_bytes(),
        deserialize_byte_buf(),
        deserialize_option(),
        deserialize_unit(),
        deserialize_seq(),
        deserialize_map(),
        deserialize_identifier(),
        deserialize_ignored_any(),
        deserialize_unit_struct(name: &'static str),
        deserialize_newtype_struct(name: &'static str),
        deserialize_tuple(len: usize),
        deserialize_tuple_struct(name: &'static str, len: usize),
        deserialize_struct(name: &'static str, fields: &'static [&'static str]),
        deserialize_enum(name: &'static str, variants: &'static [&'static str]),
    );

    fn is_human_readable(&self) -> bool {
        self.de.is_human_readable()
    }
}

/// A key's visitor: hashes the key's text on the way.
struct KeyVisitor<'h, V> {
    inner: V,
    hash: &'h mut Option<u64>,
}

impl<'de, V: Visitor<'de>> Visitor<'de> for KeyVisitor<'_, V> {
    type Value = V::Value;

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
        visit_bytes(&[u8]),
        visit_borrowed_bytes(&'de [u8]),
        visit_byte_buf(Vec<u8>),
    );

    fn visit_str<E: de::Error>(self, v: &str) -> Result<Self::Value, E> {
        *self.hash = Some(hash(v));
        self.inner.visit_str(v)
    }

    fn visit_borrowed_str<E: de::Error>(self, v: &'de str) -> Result<Self::Value, E> {
        *self.hash = Some(hash(v));
        self.inner.visit_borrowed_str(v)
    }

    fn visit_string<E: de::Error>(self, v: String) -> Result<Self::Value, E> {
        *self.hash = Some(hash(&v));
        self.inner.visit_string(v)
    }

    fn visit_unit<E: de::Error>(self) -> Result<Self::Value, E> {
        self.inner.visit_unit()
    }

    fn visit_none<E: de::Error>(self) -> Result<Self::Value, E> {
        self.inner.visit_none()
    }

    fn visit_some<D: de::Deserializer<'de>>(self, de: D) -> Result<Self::Value, D::Error> {
        self.inner.visit_some(de)
    }

    fn visit_newtype_struct<D: de::Deserializer<'de>>(
        self,
        de: D,
    ) -> Result<Self::Value, D::Error> {
        self.inner.visit_newtype_struct(de)
    }

    fn visit_seq<A: de::SeqAccess<'de>>(self, seq: A) -> Result<Self::Value, A::Error> {
        self.inner.visit_seq(seq)
    }

    fn visit_map<A: de::MapAccess<'de>>(self, map: A) -> Result<Self::Value, A::Error> {
        self.inner.visit_map(map)
    }

    fn visit_enum<A: de::EnumAccess<'de>>(self, data: A) -> Result<Self::Value, A::Error> {
        self.inner.visit_enum(data)
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
        let ignored = Watch::default();
        let mut de = serde_json::Deserializer::from_str(text);
        let value = deserialize(&mut de, &ignored).ok();
        (value, ignored.lost.get())
    }

    #[test]
    fn flags_keys_given_twice_in_maps_only() {
        let twice = |text: &str| {
            let ignored = Watch {
                maps: true,
                ..Watch::default()
            };
            let mut de = serde_json::Deserializer::from_str(text);
            let _: Option<serde_json::Value> = deserialize(&mut de, &ignored).ok();
            ignored.lost.get()
        };
        assert!(twice(r#"{"a": {"b": 1, "b": 2}}"#));
        assert!(!twice(r#"{"a": {"b": 1, "c": 2}, "b": 3}"#));
    }

    #[derive(Debug, Deserialize, PartialEq)]
    enum Level {
        Low,
        High,
    }

    #[derive(Debug, Deserialize, PartialEq)]
    struct Reading {
        level: Level,
        count: u8,
    }

    /// A value the type refuses (a variant it does not know, a number out of its range) is
    /// serde's data error, as with its message, but without it.
    #[test]
    fn refused_values_are_data_errors_without_a_message() {
        for text in [
            r#"{"level": "Medium", "count": 1}"#,
            r#"{"level": "Low", "count": 300}"#,
        ] {
            let mut de = serde_json::Deserializer::from_str(text);
            let err = deserialize::<_, Reading>(&mut de, &Watch::default()).expect_err("refused");
            assert_eq!(err.classify(), serde_json::error::Category::Data, "{text}");
            let message = err.to_string();
            assert!(
                message.starts_with("the value does not fit the type"),
                "{message}"
            );
        }
        // A reading that fits is read.
        let mut de = serde_json::Deserializer::from_str(r#"{"level": "High", "count": 2}"#);
        let reading: Reading = deserialize(&mut de, &Watch::default()).expect("fits");
        assert_eq!(reading.level, Level::High);
    }

    #[test]
    fn flags_keys_the_type_does_not_have_at_any_depth() {
        assert!(!read(r#"{"inner": {"a": 1}, "list": [{"a": 2}]}"#).1);
        assert!(read(r#"{"inner": {"a": 1}, "list": [], "x": 0}"#).1);
        assert!(read(r#"{"inner": {"a": 1, "b": [1]}, "list": []}"#).1);
        assert!(read(r#"{"inner": null, "list": [{"a": 2, "c": {}}]}"#).1);
    }
}
