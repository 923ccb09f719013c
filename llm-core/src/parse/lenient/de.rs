//! The lenient reader as a serde [`Deserializer`](de::Deserializer): each value is handed to the
//! visitor the way `serde_json` hands over the same value read from the repaired text.
//!
//! Numbers and literals are given to a `serde_json` deserializer over their own text (a slice of
//! the reply, or `true`/`false`/`null`), and a scalar that coercion replaced to one over its JSON
//! text, so serde's own rules decide what they become. Strings and containers are visited here
//! the way `serde_json` visits them. Recursion follows the text's nesting, which the lexer
//! bounds before it opens a container.

use std::borrow::Cow;

use serde::Deserializer as _;
use serde::de::value::{BorrowedStrDeserializer, StrDeserializer};
use serde::de::{self, DeserializeSeed, Visitor};

use super::Stop;
use super::lex::{Lexer, Tok};
use crate::parse::repair::number;

/// `serde_json`'s name for its raw value type, which only it can fill.
const RAW_VALUE: &str = "$serde_json::private::RawValue";

impl<'de> Lexer<'de, '_> {
    /// `result`, noting a failure.
    fn check<T>(&mut self, result: Result<T, Stop>) -> Result<T, Stop> {
        if let Err(stop) = &result {
            self.failed = true;
            if matches!(stop, Stop::Bail) {
                self.bailed = true;
            }
        }
        result
    }

    /// A type error: the text holds another kind of value than the one asked for.
    fn mismatch(&mut self) -> Stop {
        self.failed = true;
        Stop::Serde
    }

    fn peeked_open(&self) -> Option<bool> {
        match self.peeked {
            Some(Tok::Open { object }) => Some(object),
            _ => None,
        }
    }

    /// The peeked container read with `visitor` (a map for `{`, a sequence for `[`).
    fn container<V: Visitor<'de>>(&mut self, visitor: V) -> Result<V::Value, Stop> {
        let object = self.peeked_open() == Some(true);
        let depth = self.open()?;
        let read = if object {
            visitor.visit_map(Access { lx: &mut *self })
        } else {
            visitor.visit_seq(Access { lx: &mut *self })
        };
        self.closed(read, depth)
    }

    /// The peeked object read as an enum: its one key names the variant.
    fn variant<V: Visitor<'de>>(&mut self, visitor: V) -> Result<V::Value, Stop> {
        let depth = self.open()?;
        if !self.next_key()? {
            return Err(self.mismatch());
        }
        let read = visitor.visit_enum(Access { lx: &mut *self });
        let read = self.check(read)?;
        if self.next_key()? {
            return Err(self.mismatch());
        }
        self.closed(Ok(read), depth)
    }

    /// `read` of the container opened at `depth`, which the visitor must have read to its end
    /// (`serde_json` refuses what follows the last member it asked for).
    fn closed<T>(&mut self, read: Result<T, Stop>, depth: usize) -> Result<T, Stop> {
        let read = self.check(read)?;
        if self.depth() >= depth {
            return Err(self.mismatch());
        }
        Ok(read)
    }
}

/// Reads the peeked scalar with `$method` the way `serde_json` reads it from the repaired text.
///
/// A string, number or literal is read where it is kept, its parts copied out: the token moved
/// out whole, right after it was written, would be read back from memory before its parts were
/// stored, which stalls the processor.
macro_rules! leaf {
    ($lx:expr, $method:ident($($arg:expr),*), $visitor:expr) => {{
        let lx = $lx;
        if lx.peeked_open().is_some() {
            return Err(lx.mismatch());
        }
        let read = match lx.peeked {
            Some(Tok::Str(text)) => {
                lx.consume();
                StrDe {
                    borrowed: text,
                    copied: &lx.scratch,
                    key: false,
                }
                .$method($($arg,)* $visitor)
            }
            Some(Tok::Num(text)) if lx.untyped => {
                lx.consume();
                match number(text) {
                    Some(n) => n.$method($($arg,)* $visitor).map_err(Stop::from),
                    None => Err(Stop::Bail),
                }
            }
            Some(Tok::Num(text) | Tok::Lit(text)) => {
                lx.consume();
                serde_json::Deserializer::from_str(text)
                    .$method($($arg,)* $visitor)
                    .map_err(Stop::from)
            }
            _ => match lx.take()? {
                Tok::Fitted(value) => {
                    value.into_value().$method($($arg,)* $visitor).map_err(Stop::from)
                }
                _ => Err(Stop::Serde),
            },
        };
        lx.check(read)
    }};
}

/// Deserializer methods that only take a scalar.
macro_rules! leaves {
    ($($method:ident($($arg:ident: $ty:ty),*)),* $(,)?) => {
        $(
            fn $method<V: Visitor<'de>>(self, $($arg: $ty,)* visitor: V) -> Result<V::Value, Stop> {
                leaf!(self, $method($($arg),*), visitor)
            }
        )*
    };
}

impl<'de> de::Deserializer<'de> for &mut Lexer<'de, '_> {
    type Error = Stop;

    fn deserialize_any<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Stop> {
        if self.peeked_open().is_some() {
            return self.container(visitor);
        }
        leaf!(self, deserialize_any(), visitor)
    }

    leaves!(
        deserialize_bool(),
        deserialize_i8(),
        deserialize_i16(),
        deserialize_i32(),
        deserialize_i64(),
        deserialize_i128(),
        deserialize_u8(),
        deserialize_u16(),
        deserialize_u32(),
        deserialize_u64(),
        deserialize_u128(),
        deserialize_f32(),
        deserialize_f64(),
        deserialize_char(),
        deserialize_str(),
        deserialize_string(),
        deserialize_unit(),
        deserialize_identifier(),
        deserialize_unit_struct(name: &'static str),
    );

    // `serde_json` reads bytes from a string's raw text or from an array of numbers, which is
    // left to it.
    fn deserialize_bytes<V: Visitor<'de>>(self, _visitor: V) -> Result<V::Value, Stop> {
        Err(self.bail())
    }

    fn deserialize_byte_buf<V: Visitor<'de>>(self, _visitor: V) -> Result<V::Value, Stop> {
        Err(self.bail())
    }

    fn deserialize_option<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Stop> {
        match &self.peeked {
            Some(Tok::Lit("null")) => {
                self.take()?;
                let read = visitor.visit_none();
                self.check(read)
            }
            Some(Tok::Fitted(_)) => leaf!(self, deserialize_option(), visitor),
            _ => {
                let read = visitor.visit_some(&mut *self);
                self.check(read)
            }
        }
    }

    fn deserialize_newtype_struct<V: Visitor<'de>>(
        self,
        name: &'static str,
        visitor: V,
    ) -> Result<V::Value, Stop> {
        if name == RAW_VALUE {
            return Err(self.bail());
        }
        if matches!(self.peeked, Some(Tok::Fitted(_))) {
            return leaf!(self, deserialize_newtype_struct(name), visitor);
        }
        let read = visitor.visit_newtype_struct(&mut *self);
        self.check(read)
    }

    fn deserialize_seq<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Stop> {
        match self.peeked_open() {
            Some(false) => self.container(visitor),
            _ => leaf!(self, deserialize_seq(), visitor),
        }
    }

    fn deserialize_tuple<V: Visitor<'de>>(self, len: usize, visitor: V) -> Result<V::Value, Stop> {
        match self.peeked_open() {
            Some(false) => self.container(visitor),
            _ => leaf!(self, deserialize_tuple(len), visitor),
        }
    }

    fn deserialize_tuple_struct<V: Visitor<'de>>(
        self,
        name: &'static str,
        len: usize,
        visitor: V,
    ) -> Result<V::Value, Stop> {
        match self.peeked_open() {
            Some(false) => self.container(visitor),
            _ => leaf!(self, deserialize_tuple_struct(name, len), visitor),
        }
    }

    fn deserialize_map<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Stop> {
        match self.peeked_open() {
            Some(true) => self.container(visitor),
            _ => leaf!(self, deserialize_map(), visitor),
        }
    }

    fn deserialize_struct<V: Visitor<'de>>(
        self,
        name: &'static str,
        fields: &'static [&'static str],
        visitor: V,
    ) -> Result<V::Value, Stop> {
        match self.peeked_open() {
            Some(_) => self.container(visitor),
            None => leaf!(self, deserialize_struct(name, fields), visitor),
        }
    }

    fn deserialize_enum<V: Visitor<'de>>(
        self,
        name: &'static str,
        variants: &'static [&'static str],
        visitor: V,
    ) -> Result<V::Value, Stop> {
        match self.peeked_open() {
            Some(true) => self.variant(visitor),
            _ => leaf!(self, deserialize_enum(name, variants), visitor),
        }
    }

    fn deserialize_ignored_any<V: Visitor<'de>>(self, _visitor: V) -> Result<V::Value, Stop> {
        // A skipped value is lost to the type: the repair path decides what that means.
        Err(self.bail())
    }
}

/// The members of an object or the elements of an array, or an object read as an enum.
struct Access<'l, 'de, 'a> {
    lx: &'l mut Lexer<'de, 'a>,
}

impl<'de> Access<'_, 'de, '_> {
    /// The key just read, given to `seed`.
    fn key<K: DeserializeSeed<'de>>(&mut self, seed: K) -> Result<K::Value, Stop> {
        let read = match self.lx.key() {
            Some(Cow::Borrowed(key)) => seed.deserialize(StrDe {
                borrowed: Some(key),
                copied: "",
                key: true,
            }),
            Some(Cow::Owned(key)) => seed.deserialize(StrDe {
                borrowed: None,
                copied: key,
                key: true,
            }),
            None => Err(Stop::Bail),
        };
        self.lx.check(read)
    }
}

impl<'de> de::MapAccess<'de> for Access<'_, 'de, '_> {
    type Error = Stop;

    fn next_key_seed<K: DeserializeSeed<'de>>(
        &mut self,
        seed: K,
    ) -> Result<Option<K::Value>, Stop> {
        if !self.lx.next_key()? {
            return Ok(None);
        }
        self.key(seed).map(Some)
    }

    fn next_value_seed<V: DeserializeSeed<'de>>(&mut self, seed: V) -> Result<V::Value, Stop> {
        seed.deserialize(&mut *self.lx)
    }
}

impl<'de> de::SeqAccess<'de> for Access<'_, 'de, '_> {
    type Error = Stop;

    fn next_element_seed<T: DeserializeSeed<'de>>(
        &mut self,
        seed: T,
    ) -> Result<Option<T::Value>, Stop> {
        if !self.lx.next_element()? {
            return Ok(None);
        }
        seed.deserialize(&mut *self.lx).map(Some)
    }
}

impl<'de> de::EnumAccess<'de> for Access<'_, 'de, '_> {
    type Error = Stop;
    type Variant = Self;

    fn variant_seed<V: DeserializeSeed<'de>>(mut self, seed: V) -> Result<(V::Value, Self), Stop> {
        let variant = self.key(seed)?;
        Ok((variant, self))
    }
}

impl<'de> de::VariantAccess<'de> for Access<'_, 'de, '_> {
    type Error = Stop;

    fn unit_variant(self) -> Result<(), Stop> {
        de::Deserialize::deserialize(&mut *self.lx)
    }

    fn newtype_variant_seed<T: DeserializeSeed<'de>>(self, seed: T) -> Result<T::Value, Stop> {
        seed.deserialize(&mut *self.lx)
    }

    fn tuple_variant<V: Visitor<'de>>(self, _len: usize, visitor: V) -> Result<V::Value, Stop> {
        self.lx.deserialize_seq(visitor)
    }

    fn struct_variant<V: Visitor<'de>>(
        self,
        fields: &'static [&'static str],
        visitor: V,
    ) -> Result<V::Value, Stop> {
        self.lx.deserialize_struct("", fields, visitor)
    }
}

/// A string value or key, visited as `serde_json` visits a string: borrowed from the reply
/// when it had no escape.
struct StrDe<'s, 'de> {
    borrowed: Option<&'de str>,
    /// The decoded text, when it is not borrowed.
    copied: &'s str,
    /// A key: `serde_json` reads numbers and bools out of keys, which is left to it.
    key: bool,
}

impl<'de> StrDe<'_, 'de> {
    fn visit<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Stop> {
        match self.borrowed {
            Some(text) => visitor.visit_borrowed_str(text),
            None => visitor.visit_str(self.copied),
        }
    }

    /// What serde does not take from a string: an error, or for a key the repair path.
    fn refuse<T>(&self) -> Result<T, Stop> {
        Err(if self.key { Stop::Bail } else { Stop::Serde })
    }
}

/// String methods that visit the text.
macro_rules! visits {
    ($($method:ident),* $(,)?) => {
        $(
            fn $method<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Stop> {
                self.visit(visitor)
            }
        )*
    };
}

/// String methods that refuse it.
macro_rules! refuses {
    ($($method:ident($($arg:ident: $ty:ty),*)),* $(,)?) => {
        $(
            fn $method<V: Visitor<'de>>(self, $($arg: $ty,)* _visitor: V) -> Result<V::Value, Stop> {
                let _ = ($($arg,)*);
                self.refuse()
            }
        )*
    };
}

impl<'de> de::Deserializer<'de> for StrDe<'_, 'de> {
    type Error = Stop;

    visits!(
        deserialize_any,
        deserialize_str,
        deserialize_string,
        deserialize_identifier,
        deserialize_char,
    );

    refuses!(
        deserialize_bool(),
        deserialize_i8(),
        deserialize_i16(),
        deserialize_i32(),
        deserialize_i64(),
        deserialize_i128(),
        deserialize_u8(),
        deserialize_u16(),
        deserialize_u32(),
        deserialize_u64(),
        deserialize_u128(),
        deserialize_f32(),
        deserialize_f64(),
        deserialize_unit(),
        deserialize_seq(),
        deserialize_map(),
        deserialize_unit_struct(name: &'static str),
        deserialize_tuple(len: usize),
        deserialize_tuple_struct(name: &'static str, len: usize),
        deserialize_struct(name: &'static str, fields: &'static [&'static str]),
    );

    fn deserialize_bytes<V: Visitor<'de>>(self, _visitor: V) -> Result<V::Value, Stop> {
        Err(Stop::Bail)
    }

    fn deserialize_byte_buf<V: Visitor<'de>>(self, _visitor: V) -> Result<V::Value, Stop> {
        Err(Stop::Bail)
    }

    fn deserialize_ignored_any<V: Visitor<'de>>(self, _visitor: V) -> Result<V::Value, Stop> {
        Err(Stop::Bail)
    }

    fn deserialize_option<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Stop> {
        visitor.visit_some(self)
    }

    fn deserialize_newtype_struct<V: Visitor<'de>>(
        self,
        name: &'static str,
        visitor: V,
    ) -> Result<V::Value, Stop> {
        if name == RAW_VALUE {
            return Err(Stop::Bail);
        }
        visitor.visit_newtype_struct(self)
    }

    fn deserialize_enum<V: Visitor<'de>>(
        self,
        _name: &'static str,
        _variants: &'static [&'static str],
        visitor: V,
    ) -> Result<V::Value, Stop> {
        match self.borrowed {
            Some(text) => visitor.visit_enum(BorrowedStrDeserializer::<Stop>::new(text)),
            None => visitor.visit_enum(StrDeserializer::<Stop>::new(self.copied)),
        }
    }
}
