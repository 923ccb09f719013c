//! The repairer's text output: the repaired value written as clean JSON instead of built as a
//! `Value`, for serde to read straight into the target type.
//!
//! Most damaged replies are clean JSON with small damage (a trailing comma, quotes, comments) and
//! need no coercion: for them, writing the repaired text and letting serde read it costs a
//! fraction of building a `Value` tree, fitting it to the schema and deserializing from it. When
//! serde refuses the text (a value needs coercion, a key is unknown), the caller falls back to
//! the `Value` path, which gives the same result it always did.

use std::fmt::Write as _;

use serde_json::Value;

use super::scan::skip_until;

/// Most keys in one object checked for duplicates; a larger object gives up the text output.
const MAX_KEYS: usize = 256;

/// The JSON text written so far, and what is needed to write the rest.
#[derive(Debug, Default)]
pub(super) struct TextOut {
    /// The text.
    pub(super) out: String,
    /// One per open container, innermost last.
    frames: Vec<TextFrame>,
    /// Key hash lists of closed objects, kept for reuse.
    pool: Vec<Vec<u64>>,
    /// Set when the text cannot stand for the value the tree would hold (a key given twice).
    pub(super) failed: bool,
    /// How many members the root object had, once it closed.
    pub(super) root_members: Option<usize>,
}

#[derive(Debug)]
struct TextFrame {
    /// Members or elements begun.
    count: usize,
    /// Hashes of the keys written, for an object.
    keys: Option<Vec<u64>>,
}

impl TextOut {
    /// An output sized for about `len` bytes of input.
    pub(super) fn with_capacity(len: usize) -> Self {
        Self {
            out: String::with_capacity(len + len / 8 + 16),
            ..Self::default()
        }
    }

    /// The index the path of the container at `depth` names: the element being read.
    pub(super) fn index(&self, depth: usize) -> usize {
        let count = self.frames.get(depth).map_or(0, |f| f.count);
        // A container above this one is an element in progress, already counted.
        if depth + 1 < self.frames.len() {
            count.saturating_sub(1)
        } else {
            count
        }
    }

    /// Writes the comma and the key that come before a member.
    fn begin(&mut self, key: Option<&str>) {
        let Some(frame) = self.frames.last_mut() else {
            return;
        };
        if frame.count > 0 {
            self.out.push(',');
        }
        frame.count += 1;
        if let Some(keys) = &mut frame.keys {
            let key = key.unwrap_or_default();
            let hash = hash(key);
            if keys.len() >= MAX_KEYS || keys.contains(&hash) {
                self.failed = true;
            }
            keys.push(hash);
            write_string(&mut self.out, key);
            self.out.push(':');
        }
    }

    /// A container opens, as the member `key` of the enclosing object if there is one.
    pub(super) fn open(&mut self, key: Option<&str>, object: bool) {
        self.begin(key);
        self.out.push(if object { '{' } else { '[' });
        let keys = object.then(|| {
            let mut keys = self.pool.pop().unwrap_or_default();
            keys.clear();
            keys
        });
        self.frames.push(TextFrame { count: 0, keys });
    }

    /// The innermost container closes.
    pub(super) fn close(&mut self) {
        let Some(frame) = self.frames.pop() else {
            return;
        };
        match frame.keys {
            Some(keys) => {
                self.out.push('}');
                if self.frames.is_empty() {
                    self.root_members = Some(frame.count);
                }
                self.pool.push(keys);
            }
            None => self.out.push(']'),
        }
    }

    /// A scalar value, as the member `key` of the enclosing object if there is one.
    pub(super) fn scalar(&mut self, key: Option<&str>, value: &Value) {
        self.begin(key);
        match value {
            Value::String(s) => write_string(&mut self.out, s),
            Value::Number(n) => {
                let _ = write!(self.out, "{n}");
            }
            Value::Bool(true) => self.out.push_str("true"),
            Value::Bool(false) => self.out.push_str("false"),
            // Containers come through `open` and `close`.
            _ => self.out.push_str("null"),
        }
    }

    /// A string value.
    pub(super) fn string(&mut self, key: Option<&str>, text: &str) {
        self.begin(key);
        write_string(&mut self.out, text);
    }

    /// A number written as it was read (already checked to be a JSON number).
    pub(super) fn raw(&mut self, key: Option<&str>, text: &str) {
        self.begin(key);
        self.out.push_str(text);
    }
}

/// FNV-1a of a key: keys are short, and a collision only costs the fast path.
pub(super) fn hash(key: &str) -> u64 {
    key.bytes().fold(0xcbf2_9ce4_8422_2325, |h, b| {
        (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3)
    })
}

/// `text` as a JSON string.
fn write_string(out: &mut String, text: &str) {
    out.push('"');
    let bytes = text.as_bytes();
    let mut start = 0;
    let mut i = 0;
    loop {
        i += skip_until(&bytes[i..], 0, b"\"\\", true);
        let Some(&b) = bytes.get(i) else {
            break;
        };
        out.push_str(&text[start..i]);
        match b {
            b'"' => out.push_str("\\\""),
            b'\\' => out.push_str("\\\\"),
            b'\n' => out.push_str("\\n"),
            b'\r' => out.push_str("\\r"),
            b'\t' => out.push_str("\\t"),
            _ => {
                let _ = write!(out, "\\u{b:04x}");
            }
        }
        i += 1;
        start = i;
    }
    out.push_str(&text[start..]);
    out.push('"');
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn strings_are_escaped() {
        let mut out = String::new();
        write_string(&mut out, "a\"b\\c\nd\u{1}é");
        assert_eq!(
            serde_json::from_str::<String>(&out).ok().as_deref(),
            Some("a\"b\\c\nd\u{1}é")
        );
    }

    #[test]
    fn members_get_commas_keys_and_indexes() {
        let mut t = TextOut::default();
        t.open(None, true);
        t.scalar(Some("a"), &Value::from(1));
        t.open(Some("b"), false);
        t.string(None, "x");
        assert_eq!(t.index(1), 1);
        t.open(None, true);
        assert_eq!(t.index(1), 1);
        t.close();
        t.close();
        t.close();
        assert_eq!(t.out, r#"{"a":1,"b":["x",{}]}"#);
        assert_eq!(t.root_members, Some(2));
        assert!(!t.failed);
        t.open(None, true);
        t.scalar(Some("a"), &Value::Null);
        t.scalar(Some("a"), &Value::Null);
        assert!(t.failed);
    }
}
