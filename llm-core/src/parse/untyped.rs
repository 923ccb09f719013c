//! The fast path of [`repair_json`](super::repair_json): clean JSON read by serde into a
//! `Value`, when that gives what the repairer would give with no fix.
//!
//! serde keeps the last of two equal keys without a word, where the repairer records a
//! [`DuplicateKey`](super::FixKind::DuplicateKey) fix: the visitor here refuses them, which sends
//! the text down the repair path.

use std::cell::RefCell;
use std::fmt;

use serde::de::{self, DeserializeSeed, MapAccess, SeqAccess, Visitor};
use serde_json::{Map, Number, Value};

use super::scan;

/// Most members or elements [`OPEN`] keeps room for between replies.
const KEEP: usize = 1024;

/// The members and elements read so far of the arrays and objects open, innermost last. Each
/// container takes its own off the end when it closes and is built at its size at once, instead
/// of growing (and an object rehashing) as they come in.
#[derive(Default)]
struct Open {
    members: Vec<(String, Value)>,
    items: Vec<Value>,
}

thread_local! {
    /// The lists of [`Open`], kept between replies; taken out for the length of one read.
    static OPEN: RefCell<Open> = RefCell::new(Open::default());
}

/// How deep serde's JSON reader lets arrays and objects nest before it fails: its recursion limit.
pub(super) const SERDE_DEPTH: usize = 128;

/// `text` read by serde, if it is one clean JSON value with no duplicate key.
pub(super) fn clean(text: &str) -> Option<Value> {
    if refused_at_once(text) {
        return None;
    }
    let mut de = serde_json::Deserializer::from_str(text);
    let value = Strict::default().deserialize(&mut de).ok()?;
    de.end().ok().map(|()| value)
}

/// Whether serde fails on `text` at the first token inside its opening bracket: an object whose
/// first key is not double-quoted (`{'a': 1}`, `{name: 1}`, `{// note`), an array whose first
/// element starts like no JSON value (`['a']`). Saying so costs less than serde's error.
#[inline]
pub(super) fn refused_at_once(text: &str) -> bool {
    let bytes = text.as_bytes();
    let next = bytes.get(scan::skip_spaces(bytes, 1));
    match bytes.first() {
        Some(b'{') => !matches!(next, Some(b'"' | b'}')),
        Some(b'[') => !matches!(
            next,
            Some(b'"' | b'{' | b'[' | b']' | b'-' | b'0'..=b'9' | b't' | b'f' | b'n')
        ),
        _ => false,
    }
}

/// A `Value` seed that fails on a duplicate key.
#[derive(Clone, Copy, Default)]
pub(super) struct Strict {
    /// Whether a key given twice keeps its last value, as the repairer reads it (the lenient
    /// reader records the fix), instead of failing.
    pub(super) keep_last: bool,
}

impl<'de> DeserializeSeed<'de> for Strict {
    type Value = Value;

    fn deserialize<D: de::Deserializer<'de>>(self, de: D) -> Result<Value, D::Error> {
        // The lists are borrowed once for the whole read rather than for every member; a read
        // inside this one (there is none) would start lists of its own.
        OPEN.with(|open| {
            let (mut borrowed, mut own);
            let open = match open.try_borrow_mut() {
                Ok(open) => {
                    borrowed = open;
                    &mut *borrowed
                }
                Err(_) => {
                    own = Open::default();
                    &mut own
                }
            };
            self.read(de, open)
        })
    }
}

impl Strict {
    /// Reads a value with the lists `open`, and empties them again.
    fn read<'de, D: de::Deserializer<'de>>(
        self,
        de: D,
        open: &mut Open,
    ) -> Result<Value, D::Error> {
        let read = de.deserialize_any(Build {
            keep_last: self.keep_last,
            open,
        });
        // What a failed read left is dropped; a huge container's room is not kept waiting for
        // the next reply.
        if !open.members.is_empty() {
            open.members.clear();
        }
        if !open.items.is_empty() {
            open.items.clear();
        }
        if open.members.capacity() > KEEP {
            open.members = Vec::new();
        }
        if open.items.capacity() > KEEP {
            open.items = Vec::new();
        }
        read
    }
}

/// The visitor of [`Strict`], with the lists of the containers open.
struct Build<'o> {
    keep_last: bool,
    open: &'o mut Open,
}

impl Build<'_> {
    /// The same visitor for a value inside the one being read.
    fn inner(&mut self) -> Build<'_> {
        Build {
            keep_last: self.keep_last,
            open: self.open,
        }
    }
}

impl<'de> DeserializeSeed<'de> for Build<'_> {
    type Value = Value;

    fn deserialize<D: de::Deserializer<'de>>(self, de: D) -> Result<Value, D::Error> {
        de.deserialize_any(self)
    }
}

impl<'de> Visitor<'de> for Build<'_> {
    type Value = Value;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a JSON value")
    }

    fn visit_bool<E>(self, v: bool) -> Result<Value, E> {
        Ok(Value::Bool(v))
    }

    fn visit_i64<E>(self, v: i64) -> Result<Value, E> {
        Ok(Value::Number(v.into()))
    }

    fn visit_u64<E>(self, v: u64) -> Result<Value, E> {
        Ok(Value::Number(v.into()))
    }

    fn visit_f64<E: de::Error>(self, v: f64) -> Result<Value, E> {
        // `-0` is the integer 0 to the repairer.
        if v == 0.0 && v.is_sign_negative() {
            return Err(E::custom("negative zero"));
        }
        Number::from_f64(v)
            .map(Value::Number)
            .ok_or_else(|| E::custom("not a finite number"))
    }

    fn visit_str<E>(self, v: &str) -> Result<Value, E> {
        Ok(Value::String(v.to_owned()))
    }

    fn visit_string<E>(self, v: String) -> Result<Value, E> {
        Ok(Value::String(v))
    }

    fn visit_unit<E>(self) -> Result<Value, E> {
        Ok(Value::Null)
    }

    fn visit_none<E>(self) -> Result<Value, E> {
        Ok(Value::Null)
    }

    fn visit_seq<A: SeqAccess<'de>>(mut self, mut seq: A) -> Result<Value, A::Error> {
        let start = self.open.items.len();
        loop {
            match seq.next_element_seed(self.inner()) {
                Ok(Some(item)) => self.open.items.push(item),
                Ok(None) => break,
                Err(err) => {
                    // A reader that goes on after an error finds no element of this array left.
                    self.open.items.truncate(start);
                    return Err(err);
                }
            }
        }
        Ok(Value::Array(self.open.items.drain(start..).collect()))
    }

    fn visit_map<A: MapAccess<'de>>(mut self, mut map: A) -> Result<Value, A::Error> {
        let start = self.open.members.len();
        let read = (|| {
            while let Some(key) = map.next_key::<String>()? {
                let value = map.next_value_seed(self.inner())?;
                self.open.members.push((key, value));
            }
            Ok(())
        })();
        if let Err(err) = read {
            // A reader that goes on after an error finds no member of this object left.
            self.open.members.truncate(start);
            return Err(err);
        }
        let mut out = Map::with_capacity(self.open.members.len() - start);
        for (key, value) in self.open.members.drain(start..) {
            if out.insert(key, value).is_some() && !self.keep_last {
                return Err(de::Error::custom("duplicate key"));
            }
        }
        Ok(Value::Object(out))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_clean_json_and_refuses_what_the_repairer_would_fix() {
        assert_eq!(
            clean(r#"{"a": [1, -2, 2.5, "x\n", null, true]}"#),
            serde_json::from_str(r#"{"a": [1, -2, 2.5, "x\n", null, true]}"#).ok()
        );
        assert_eq!(clean(r#"{"a": 1, "a": 2}"#), None);
        assert_eq!(clean(r#"{"a": 1,}"#), None);
        assert_eq!(clean("[1] x"), None);
        for damaged in [
            "{'a': 1}",
            "{a: 1}",
            "{ // x\n}",
            "{",
            "['a']",
            "[ True]",
            "[",
            "[,1]",
        ] {
            assert!(refused_at_once(damaged), "{damaged}");
            assert_eq!(clean(damaged), None, "{damaged}");
        }
        for text in [
            "{}",
            "{ \"a\": 1}",
            "[]",
            "[\n-1]",
            "[\"a\"]",
            "[{}]",
            "[[]]",
            "[null]",
            "1",
        ] {
            assert!(!refused_at_once(text), "{text}");
        }
    }

    #[test]
    fn serde_refuses_values_nested_serde_depth_deep() {
        let nested = |depth: usize| format!("{}{}", "[".repeat(depth), "]".repeat(depth));
        assert!(clean(&nested(SERDE_DEPTH - 1)).is_some());
        assert_eq!(clean(&nested(SERDE_DEPTH)), None);
        let objects = |depth: usize| format!("{}1{}", r#"{"a": "#.repeat(depth), "}".repeat(depth));
        assert!(clean(&objects(SERDE_DEPTH - 1)).is_some());
        assert_eq!(clean(&objects(SERDE_DEPTH)), None);
    }
}
