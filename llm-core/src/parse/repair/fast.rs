//! The repairer's fast lanes: tokens that need no repair read in one step, and the text output
//! (see [`repair_text`]).

use super::{Escape, Expect, Frame, Limits, Mode, Quote, RepairError, Repairer, Str};
use crate::parse::scan::{is_space, skip_until};
use crate::parse::text::TextOut;
use crate::parse::{Fix, FixKind};

impl Repairer {
    /// A key or value that needs no repair, read at once: a double-quoted key, a double-quoted
    /// string followed by what ends it, a number or literal followed by what ends it; or the
    /// colon after a key, the comma after a member or element, a bracket that opens a value or
    /// closes a nested one. Returns
    /// where reading goes on, or `None` to read `rest[i..]` a character at a time (which does
    /// the same for these tokens, more slowly).
    pub(super) fn plain_token(&mut self, expect: Expect, rest: &str, i: usize) -> Option<usize> {
        let bytes = rest.as_bytes();
        // At the root, where the value ends decides how much of the input it took.
        if self.stack.is_empty() {
            return None;
        }
        let first = *bytes.get(i)?;
        match (expect, first) {
            (Expect::Colon, b':') => {
                self.mode = Mode::Between(Expect::Value);
                return Some(i + 1);
            }
            (Expect::Next, b',') => {
                self.after_comma = true;
                self.mode = Mode::Between(match self.stack.last() {
                    Some(Frame::Object { .. }) => Expect::Key,
                    _ => Expect::Value,
                });
                return Some(i + 1);
            }
            (Expect::Value, b'{' | b'[') => {
                self.after_comma = false;
                self.open(first == b'{');
                return Some(i + 1);
            }
            // Closing the root decides how much of the input it took.
            (Expect::Next, b'}' | b']') if self.stack.len() > 1 => {
                self.close(char::from(first));
                return Some(i + 1);
            }
            (Expect::Key | Expect::Value, _) => {}
            _ => return None,
        }
        if first == b'"' || first == b'\'' {
            let close = i + 1 + plain_run(&bytes[i + 1..]);
            if bytes.get(close) != Some(&first) {
                return None;
            }
            let text = &rest[i + 1..close];
            let quote = if first == b'"' {
                Quote::Double
            } else {
                Quote::Single
            };
            if expect == Expect::Key {
                // A quote always ends a key.
                if !matches!(self.stack.last(), Some(Frame::Object { .. })) {
                    return None;
                }
                self.after_comma = false;
                self.reported = 0;
                if quote == Quote::Single {
                    self.fix(FixKind::SingleQuotes);
                }
                let buf = self.owned(text);
                if let Some(Frame::Object { key, .. }) = self.stack.last_mut() {
                    *key = Some(buf);
                }
                self.report_key();
                self.mode = Mode::Between(Expect::Colon);
                return Some(close + 1);
            }
            // A closing quote ends a value when a comma, a bracket or a colon follows it.
            let mut next = close + 1;
            while bytes.get(next).copied().is_some_and(is_space) {
                next += 1;
            }
            if !matches!(bytes.get(next), Some(b',' | b'}' | b']' | b':')) {
                return None;
            }
            self.after_comma = false;
            self.reported = 0;
            if quote == Quote::Single {
                self.fix(FixKind::SingleQuotes);
            }
            let buf = self.owned(text);
            self.end_string(Str {
                quote,
                buf,
                key: false,
                escape: Escape::None,
                pending: None,
                high: None,
            });
            return Some(next);
        }
        let word = |b: &u8| b.is_ascii_alphanumeric() || matches!(b, b'.' | b'-' | b'+' | b'_');
        let end = i + bytes[i..]
            .iter()
            .position(|b| !word(b))
            .unwrap_or(bytes.len() - i);
        if expect == Expect::Key {
            // An unquoted key, right before its colon.
            if !(first.is_ascii_alphabetic() || first == b'_') || bytes.get(end) != Some(&b':') {
                return None;
            }
            self.after_comma = false;
            self.fix(FixKind::UnquotedKey);
            let mut buf = self.take_buf();
            buf.push_str(&rest[i..end]);
            self.end_bare(buf, true);
            return Some(end);
        }
        if !(first.is_ascii_alphanumeric() || matches!(first, b'-' | b'.' | b'+')) {
            return None;
        }
        if !matches!(bytes.get(end), Some(b',' | b'}' | b']' | b'\n')) {
            return None;
        }
        self.after_comma = false;
        self.end_word(&rest[i..end]);
        Some(end)
    }
}

/// How many bytes at the start of `bytes` a string copies as they are: up to a backslash, a
/// quote (the typographic ones start with 0xE2), or a control character.
pub(super) fn plain_run(bytes: &[u8]) -> usize {
    skip_until(bytes, 0, b"\\\"'\xE2", true)
}

/// Whether `word` is a number as JSON writes it.
pub(in crate::parse) fn is_json_number(word: &str) -> bool {
    let b = word.as_bytes();
    let mut i = usize::from(b.first() == Some(&b'-'));
    let digits = |i: &mut usize| {
        let start = *i;
        while b.get(*i).is_some_and(u8::is_ascii_digit) {
            *i += 1;
        }
        *i - start
    };
    let int_start = i;
    let n = digits(&mut i);
    if n == 0 || (n > 1 && b[int_start] == b'0') {
        return false;
    }
    if b.get(i) == Some(&b'.') {
        i += 1;
        if digits(&mut i) == 0 {
            return false;
        }
    }
    if matches!(b.get(i), Some(b'e' | b'E')) {
        i += 1;
        if matches!(b.get(i), Some(b'+' | b'-')) {
            i += 1;
        }
        if digits(&mut i) == 0 {
            return false;
        }
    }
    i == b.len()
}

/// A value read by [`repair_text`]: the repaired JSON, the fixes, how many bytes of the input
/// it took, and how many members the root had if it is an object.
pub(crate) type Repaired = (String, Vec<Fix>, usize, Option<usize>);

/// [`repair_span`](super::repair_span) writing the repaired value as JSON text instead of building it; `None` when
/// the text would not stand for the same value (a key given twice).
pub(crate) fn repair_text(text: &str, limits: Limits) -> Result<Option<Repaired>, RepairError> {
    let mut repairer = Repairer::new(limits);
    repairer.text = Some(TextOut::with_capacity(text.len()));
    repairer.feed(text);
    let consumed = repairer.consumed().unwrap_or(text.len());
    if let Some(err) = repairer.error {
        return Err(err);
    }
    if repairer.root.is_none() {
        repairer.close_open_token();
        repairer.close_open_containers();
    }
    match (repairer.root, repairer.text) {
        (Some(_), Some(out)) if !out.failed => {
            Ok(Some((out.out, repairer.fixes, consumed, out.root_members)))
        }
        (Some(_), _) => Ok(None),
        (None, _) => Err(RepairError::NoValue),
    }
}
