//! The lenient reader's tokens: damaged JSON read the way [`Repairer`](crate::parse::Repairer)
//! reads it, one value at a time, as serde asks for it.
//!
//! Each repair is recorded where the repairer records it, with the path the repairer gives it:
//! the path is a stack of borrowed keys and indexes, made into a [`FieldPath`] only when a fix
//! is recorded. Text whose reading is not certain to match the repairer's (a quote that may be
//! text, an unquoted value, a missing value, a mismatched bracket, a lone surrogate...) stops
//! the reader with [`Stop::Bail`]: the caller then takes the repair path.

use std::borrow::Cow;

use serde_json::Value;

use super::Stop;
use crate::parse::coerce::Fitter;
use crate::parse::repair::{cut_literal, is_json_number, number};
use crate::parse::retype::{self, Items, Members, Token};
use crate::parse::scan::skip_until;
use crate::parse::{Fix, FixKind};
use crate::path::{FieldPath, PathSegment};

/// Deepest nesting read. Replies are rarely nested more than a few levels; deeper text (most
/// often hostile, or cut off inside a long list of lists) is left to the repair path before
/// serde's visitors recurse far into it.
const MAX_DEPTH: usize = 32;

/// Most keys in one object: the repairer's text output gives up beyond this.
const MAX_KEYS: usize = 256;

/// What comes next between tokens (decides what `#` means).
#[derive(Clone, Copy, PartialEq, Eq)]
enum Expect {
    Value,
    Other,
}

/// The first token of a value, read and classified, not yet given to serde.
#[derive(Debug)]
pub(super) enum Tok<'de> {
    /// `{` (`object`) or `[`, not consumed yet.
    Open { object: bool },
    /// A string: borrowed from the text, or (`None`) decoded into the scratch buffer.
    Str(Option<&'de str>),
    /// A number as JSON writes it.
    Num(&'de str),
    /// `true`, `false` or `null`, or what the repairer reads as one (`True`, `None`, `NaN`).
    Lit(&'static str),
    /// A scalar that coercion replaced, as JSON text.
    Json(String),
}

/// An open object or array.
struct Frame<'de, 'a> {
    object: bool,
    /// The key of the member being read (from its key to the end of its value).
    key: Option<Cow<'de, str>>,
    /// Elements read, in an array: the index of the one being read.
    index: usize,
    /// Whether a member or element was just read (a comma or the end comes next).
    after_value: bool,
    /// The keys read, to notice a repeated one.
    keys: Vec<Cow<'de, str>>,
    /// Whether the member being read repeats a key: the repairer records it once its value is
    /// in place.
    repeated: bool,
    members: Members<'a>,
    items: Items<'a>,
}

/// The reader's state.
pub(super) struct Lexer<'de, 'a> {
    src: &'de str,
    bytes: &'de [u8],
    pos: usize,
    frames: Vec<Frame<'de, 'a>>,
    /// Key lists of closed objects, kept for reuse.
    pool: Vec<Vec<Cow<'de, str>>>,
    /// The repairs, in the order the repairer records them.
    pub(super) fixes: Vec<Fix>,
    /// The conversions coercion made (only with a fitter).
    pub(super) coerced: Vec<Fix>,
    after_comma: bool,
    /// A string with escapes, decoded.
    pub(super) scratch: String,
    pub(super) peeked: Option<Tok<'de>>,
    /// The schema of the container about to open (from coercion).
    open_schema: Option<&'a Value>,
    /// Set to fit scalars to a schema as the text path does (see [`retype`]).
    fit: Option<Fitter<'a>>,
    /// Whether numbers are read as the repairer's tree holds them (for a `Value`) rather than
    /// by serde from their text.
    pub(super) untyped: bool,
    /// Whether a key given twice is read as the repairer reads it (the last value kept, the fix
    /// recorded) rather than left to the repair path.
    pub(super) repeats: bool,
    max_depth: usize,
    /// Bytes of the text the root value took, once it is complete.
    pub(super) consumed: Option<usize>,
    /// Set by any error: a visitor that swallowed one leaves a state nobody checked.
    pub(super) failed: bool,
    /// Set when the text needs the repair path.
    pub(super) bailed: bool,
}

impl<'de, 'a> Lexer<'de, 'a> {
    /// A reader of `src` (which starts with `{` or `[`); with `fit`, scalars are fitted to the
    /// schema as the text path fits them, starting from `schema`.
    pub(super) fn new(
        src: &'de str,
        max_depth: usize,
        fit: Option<(Fitter<'a>, &'a Value)>,
    ) -> Self {
        let (fit, schema) = match fit {
            Some((fit, schema)) => (Some(fit), Some(schema)),
            None => (None, None),
        };
        Self {
            src,
            bytes: src.as_bytes(),
            pos: 0,
            frames: Vec::new(),
            pool: Vec::new(),
            // Damaged replies need a fix every few dozen bytes: growing the list is costly.
            fixes: Vec::with_capacity(src.len() / 64),
            coerced: Vec::new(),
            after_comma: false,
            scratch: String::new(),
            peeked: None,
            open_schema: schema,
            fit,
            untyped: false,
            repeats: false,
            max_depth: max_depth.min(MAX_DEPTH),
            consumed: None,
            failed: false,
            bailed: false,
        }
    }

    /// Stops reading: the repair path decides.
    pub(super) fn bail(&mut self) -> Stop {
        self.failed = true;
        self.bailed = true;
        Stop::Bail
    }

    /// Whether any container is open.
    pub(super) fn depth(&self) -> usize {
        self.frames.len()
    }

    /// The root value's token: the text starts with `{` or `[`.
    pub(super) fn root(&mut self) -> Result<(), Stop> {
        let object = match self.bytes.first() {
            Some(b'{') => true,
            Some(b'[') => false,
            _ => return Err(self.bail()),
        };
        if let Some(fit) = &self.fit {
            let kind = if object { "object" } else { "array" };
            self.open_schema = match retype::container(fit, self.open_schema, kind) {
                Some(schema) => schema,
                None => return Err(self.bail()),
            };
        }
        self.peeked = Some(Tok::Open { object });
        Ok(())
    }

    /// Whether text other than whitespace follows the root value.
    pub(super) fn trailing_text(&self) -> bool {
        self.consumed
            .is_some_and(|end| !self.src[end..].trim().is_empty())
    }

    /// The path of the value being read, as the repairer names it.
    fn path(&self) -> FieldPath {
        path_of(&self.frames)
    }

    pub(super) fn fix(&mut self, kind: FixKind) {
        let path = self.path();
        self.fixes.push(Fix { kind, path });
    }

    /// The key of the member being read.
    pub(super) fn key(&self) -> Option<Cow<'de, str>> {
        self.frames.last().and_then(|f| f.key.clone())
    }

    /// The peeked token, taken: the value is read, and its container moves on.
    #[inline]
    pub(super) fn take(&mut self) -> Result<Tok<'de>, Stop> {
        match self.peeked.take() {
            Some(tok) => {
                if !matches!(tok, Tok::Open { .. }) {
                    self.placed();
                }
                Ok(tok)
            }
            None => Err(self.bail()),
        }
    }

    /// Skips whitespace and comments (recording them); the next byte, if any.
    #[inline]
    fn skip(&mut self, expect: Expect) -> Result<Option<u8>, Stop> {
        match self.bytes.get(self.pos) {
            Some(&b) if !matches!(b, b' ' | b'\n' | b'\r' | b'\t' | b'/' | b'#') => Ok(Some(b)),
            _ => self.skip_gap(expect),
        }
    }

    /// [`skip`](Self::skip) over whitespace or a comment.
    #[inline(never)]
    fn skip_gap(&mut self, expect: Expect) -> Result<Option<u8>, Stop> {
        const SPACES: u64 = u64::from_le_bytes([b' '; 8]);
        loop {
            while matches!(self.bytes.get(self.pos), Some(b' ' | b'\n' | b'\r' | b'\t')) {
                self.pos += 1;
                // The spaces that follow (indentation), up to eight at once.
                if let Some(chunk) = self.bytes.get(self.pos..self.pos + 8) {
                    let mut word = [0u8; 8];
                    word.copy_from_slice(chunk);
                    let spaces = (u64::from_le_bytes(word) ^ SPACES).trailing_zeros() / 8;
                    self.pos += spaces as usize;
                }
            }
            match self.bytes.get(self.pos) {
                Some(b'/') => {
                    self.fix(FixKind::Comment);
                    match self.bytes.get(self.pos + 1) {
                        Some(b'/') => self.line_comment(self.pos + 2),
                        Some(b'*') => {
                            let from = self.pos + 2;
                            self.pos = self.src[from..]
                                .find("*/")
                                .map_or(self.bytes.len(), |i| from + i + 2);
                        }
                        _ => return Err(self.bail()),
                    }
                }
                Some(b'#') if expect == Expect::Value => {
                    // `# note` is a comment (the character after `#` belongs to it, even a
                    // newline); `#fff` is a value.
                    match self.bytes.get(self.pos + 1) {
                        Some(b' ' | b'\n' | b'\r' | b'\t') => {
                            self.fix(FixKind::Comment);
                            self.line_comment(self.pos + 2);
                        }
                        _ => return Err(self.bail()),
                    }
                }
                Some(b'#') => {
                    self.fix(FixKind::Comment);
                    self.line_comment(self.pos + 1);
                }
                other => return Ok(other.copied()),
            }
        }
    }

    /// A line comment whose text starts at `from`: it ends after the next newline.
    fn line_comment(&mut self, from: usize) {
        self.pos = match self.bytes.get(from..) {
            Some(rest) => rest
                .iter()
                .position(|&b| b == b'\n')
                .map_or(self.bytes.len(), |i| from + i + 1),
            None => self.bytes.len(),
        };
    }

    /// Consumes the `{` or `[` of the peeked container and opens it; the depth it opened at.
    pub(super) fn open(&mut self) -> Result<usize, Stop> {
        let object = match self.peeked.take() {
            Some(Tok::Open { object }) => object,
            _ => return Err(self.bail()),
        };
        if self.frames.len() >= self.max_depth {
            return Err(self.bail());
        }
        self.pos += 1;
        let schema = self.open_schema.take();
        let mut keys = self.pool.pop().unwrap_or_default();
        keys.clear();
        let (members, items) = match (object, schema) {
            (true, Some(_)) => (Members::new(schema), Items::new(None)),
            (false, Some(_)) => (Members::new(None), Items::new(schema)),
            (_, None) => (Members::new(None), Items::new(None)),
        };
        self.frames.push(Frame {
            object,
            key: None,
            index: 0,
            after_value: false,
            keys,
            repeated: false,
            members,
            items,
        });
        Ok(self.frames.len())
    }

    /// Closes the innermost container.
    fn close(&mut self) {
        if let Some(frame) = self.frames.pop() {
            self.pool.push(frame.keys);
        }
        self.placed();
    }

    /// The text ended inside the innermost container: closes it as the repairer does.
    fn close_at_end(&mut self) {
        self.fix(FixKind::ClosedContainer);
        if self.frames.last().is_some_and(|f| f.key.is_some()) {
            self.fix(FixKind::DroppedIncompleteMember);
        }
        self.close();
    }

    /// A value was read: its container moves on.
    #[inline]
    fn placed(&mut self) {
        match self.frames.last_mut() {
            None => self.consumed = Some(self.pos),
            Some(frame) => {
                frame.key = None;
                if !frame.object {
                    frame.index += 1;
                }
                frame.after_value = true;
                if std::mem::take(&mut frame.repeated) {
                    self.fix(FixKind::DuplicateKey);
                }
            }
        }
    }

    /// Moves to the next member of the innermost object and peeks its value; false at its end.
    pub(super) fn next_key(&mut self) -> Result<bool, Stop> {
        if self.peeked.is_some() || !self.frames.last().is_some_and(|f| f.object) {
            return Err(self.bail());
        }
        if self.frames.last().is_some_and(|f| f.after_value) {
            match self.skip(Expect::Other)? {
                Some(b',') => {
                    self.pos += 1;
                    self.after_comma = true;
                }
                Some(b'}') => {
                    self.pos += 1;
                    self.close();
                    return Ok(false);
                }
                None => {
                    self.close_at_end();
                    return Ok(false);
                }
                Some(b']') => return Err(self.bail()),
                Some(_) => self.fix(FixKind::MissingComma),
            }
            if let Some(frame) = self.frames.last_mut() {
                frame.after_value = false;
            }
        }
        let first = match self.skip(Expect::Other)? {
            None => {
                self.close_at_end();
                return Ok(false);
            }
            Some(b'}') => {
                self.pos += 1;
                if std::mem::take(&mut self.after_comma) {
                    self.fix(FixKind::TrailingComma);
                }
                self.close();
                return Ok(false);
            }
            Some(b) => b,
        };
        self.after_comma = false;
        let key = match first {
            b'"' | b'\'' => {
                if first == b'\'' {
                    self.fix(FixKind::SingleQuotes);
                }
                match self.string(first)? {
                    (Some(text), true) => Cow::Borrowed(text),
                    (None, true) => Cow::Owned(self.scratch.clone()),
                    (_, false) => return Err(self.bail()),
                }
            }
            b if b.is_ascii_alphabetic() || b == b'_' => {
                let end = self.word_end(self.pos);
                // The key ends at a colon, an `=` or a newline; spaces before it are trimmed.
                let mut after = end;
                while matches!(self.bytes.get(after), Some(b' ' | b'\r' | b'\t')) {
                    after += 1;
                }
                if !matches!(self.bytes.get(after), Some(b':' | b'=' | b'\n')) {
                    return Err(self.bail());
                }
                self.fix(FixKind::UnquotedKey);
                let key = &self.src[self.pos..end];
                self.pos = end;
                Cow::Borrowed(key)
            }
            _ => return Err(self.bail()),
        };
        let repeats = self.repeats;
        let Some(frame) = self.frames.last_mut() else {
            return Err(self.bail());
        };
        let repeated = frame.keys.contains(&key);
        if frame.keys.len() >= MAX_KEYS || (repeated && !repeats) {
            return Err(self.bail());
        }
        if !repeated {
            frame.keys.push(key.clone());
        }
        frame.repeated = repeated;
        frame.key = Some(key);
        match self.skip(Expect::Other)? {
            Some(b':') => self.pos += 1,
            Some(b'=') => {
                self.fix(FixKind::MissingColon);
                self.pos += 1;
            }
            None => {
                self.close_at_end();
                return Ok(false);
            }
            Some(_) => return Err(self.bail()),
        }
        match self.skip(Expect::Value)? {
            None => {
                self.close_at_end();
                return Ok(false);
            }
            Some(b'}' | b']' | b',' | b':') => return Err(self.bail()),
            Some(_) => {}
        }
        let tok = self.token()?;
        let schema = match &self.fit {
            None => None,
            Some(fit) => {
                let null = matches!(tok, Tok::Lit("null"));
                let frame = self.frames.last();
                let key = frame.and_then(|f| f.key.as_deref()).unwrap_or_default();
                match frame.and_then(|f| f.members.member(fit, key, null)) {
                    Some(schema) => schema,
                    None => return Err(self.bail()),
                }
            }
        };
        self.settle(tok, schema)?;
        Ok(true)
    }

    /// Moves to the next element of the innermost array and peeks it; false at its end.
    pub(super) fn next_element(&mut self) -> Result<bool, Stop> {
        if self.peeked.is_some() || self.frames.last().is_none_or(|f| f.object) {
            return Err(self.bail());
        }
        if self.frames.last().is_some_and(|f| f.after_value) {
            match self.skip(Expect::Other)? {
                Some(b',') => {
                    self.pos += 1;
                    self.after_comma = true;
                }
                Some(b']') => {
                    self.pos += 1;
                    self.close();
                    return Ok(false);
                }
                None => {
                    self.close_at_end();
                    return Ok(false);
                }
                Some(b'}') => return Err(self.bail()),
                Some(_) => self.fix(FixKind::MissingComma),
            }
            if let Some(frame) = self.frames.last_mut() {
                frame.after_value = false;
            }
        }
        match self.skip(Expect::Value)? {
            None => {
                self.close_at_end();
                return Ok(false);
            }
            Some(b']') => {
                self.pos += 1;
                if std::mem::take(&mut self.after_comma) {
                    self.fix(FixKind::TrailingComma);
                }
                self.close();
                return Ok(false);
            }
            Some(b'}' | b',' | b':') => return Err(self.bail()),
            Some(_) => {}
        }
        let tok = self.token()?;
        let schema = self
            .frames
            .last()
            .and_then(|f| f.items.item(f.index))
            .filter(|_| self.fit.is_some());
        self.settle(tok, schema)?;
        Ok(true)
    }

    /// Reads the token of the value at `pos` (not a container's: that opens later).
    fn token(&mut self) -> Result<Tok<'de>, Stop> {
        self.after_comma = false;
        let first = match self.bytes.get(self.pos) {
            Some(&b) => b,
            None => return Err(self.bail()),
        };
        match first {
            b'{' | b'[' => Ok(Tok::Open {
                object: first == b'{',
            }),
            b'"' | b'\'' => {
                if first == b'\'' {
                    self.fix(FixKind::SingleQuotes);
                }
                let (text, closed) = self.string(first)?;
                if closed {
                    // A closing quote ends a value before a comma, a bracket, a colon or a
                    // comment; anything else may make it text.
                    let mut next = self.pos;
                    while matches!(self.bytes.get(next), Some(b' ' | b'\n' | b'\r' | b'\t')) {
                        next += 1;
                    }
                    if !matches!(
                        self.bytes.get(next),
                        None | Some(b',' | b'}' | b']' | b':' | b'/' | b'#')
                    ) {
                        return Err(self.bail());
                    }
                } else {
                    self.fix(FixKind::ClosedString);
                }
                Ok(Tok::Str(text))
            }
            b if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'+') => self.word(),
            _ => Err(self.bail()),
        }
    }

    /// An unquoted value that ends at a comma, a bracket, a newline or the end of the text.
    fn word(&mut self) -> Result<Tok<'de>, Stop> {
        let start = self.pos;
        let end = self.word_end(start);
        let mut after = end;
        while matches!(self.bytes.get(after), Some(b' ' | b'\r' | b'\t')) {
            after += 1;
        }
        // ` //` or ` /*` after the word starts a comment; `#` or a lone `/` would be part of it.
        let comment = after > end
            && self.bytes.get(after) == Some(&b'/')
            && matches!(self.bytes.get(after + 1), Some(b'/' | b'*'));
        if !comment
            && !matches!(
                self.bytes.get(after),
                None | Some(b',' | b'}' | b']' | b'\n')
            )
        {
            return Err(self.bail());
        }
        self.pos = end;
        let mut word = &self.src[start..end];
        if after == self.bytes.len()
            && let Some(literal) = cut_literal(word)
        {
            self.fix(FixKind::CompletedLiteral);
            word = literal;
        }
        Ok(match word {
            "true" => Tok::Lit("true"),
            "false" => Tok::Lit("false"),
            "null" => Tok::Lit("null"),
            "True" | "False" | "None" => {
                self.fix(FixKind::PythonLiteral);
                Tok::Lit(match word {
                    "True" => "true",
                    "False" => "false",
                    _ => "null",
                })
            }
            "undefined" | "NaN" | "Infinity" | "-Infinity" | "+Infinity" => {
                self.fix(FixKind::JsLiteral);
                Tok::Lit("null")
            }
            // A number the repairer writes as it was read (a very long one may not be one).
            _ if is_json_number(word)
                && word != "-0"
                && ((word.len() < 300 && !word.contains(['e', 'E'])) || number(word).is_some()) =>
            {
                Tok::Num(&self.src[start..end])
            }
            _ => return Err(self.bail()),
        })
    }

    /// Where a run of the characters of an unquoted word starting at `from` ends.
    fn word_end(&self, from: usize) -> usize {
        let rest = self.bytes.get(from..).unwrap_or_default();
        from + rest
            .iter()
            .position(|&b| !(b.is_ascii_alphanumeric() || matches!(b, b'.' | b'-' | b'+' | b'_')))
            .unwrap_or(rest.len())
    }

    /// Reads the string whose opening `quote` is at `pos`: its text (borrowed, or `None` when
    /// decoded into the scratch buffer) and whether it was closed (not cut off by the end).
    fn string(&mut self, quote: u8) -> Result<(Option<&'de str>, bool), Stop> {
        let start = self.pos + 1;
        // `”` also closes a double-quoted string; a single-quoted one ends only at `'`.
        let (src, bytes) = (self.src, self.bytes);
        let mut owned = false;
        let mut seg = start;
        let mut i = start;
        loop {
            // Each quote's stops written out, so the scan is unrolled for them.
            i = if quote == b'"' {
                skip_until(bytes, i, b"\"\\\xE2", true)
            } else {
                skip_until(bytes, i, b"'\\", true)
            };
            match bytes.get(i) {
                None => {
                    self.pos = bytes.len();
                    if owned {
                        self.scratch.push_str(&src[seg..]);
                        return Ok((None, false));
                    }
                    return Ok((Some(&src[start..]), false));
                }
                Some(&b) if b == quote => {
                    self.pos = i + 1;
                    if owned {
                        self.scratch.push_str(&src[seg..i]);
                        return Ok((None, true));
                    }
                    return Ok((Some(&src[start..i]), true));
                }
                Some(0xE2) => {
                    if bytes.get(i + 1..i + 3) == Some(&[0x80, 0x9D]) {
                        return Err(self.bail());
                    }
                    i += 1;
                }
                Some(b'\\') => {
                    if !owned {
                        self.scratch.clear();
                        owned = true;
                    }
                    self.scratch.push_str(&src[seg..i]);
                    i = self.escape(i + 1)?;
                    seg = i;
                }
                // A raw control character.
                Some(_) => return Err(self.bail()),
            }
        }
    }

    /// Decodes the escape whose letter is at `at` into the scratch buffer; where text goes on.
    fn escape(&mut self, at: usize) -> Result<usize, Stop> {
        let c = match self.bytes.get(at) {
            Some(b'"') => '"',
            Some(b'\\') => '\\',
            Some(b'/') => '/',
            Some(b'\'') => '\'',
            Some(b'n') => '\n',
            Some(b't') => '\t',
            Some(b'r') => '\r',
            Some(b'b') => '\u{8}',
            Some(b'f') => '\u{c}',
            Some(b'u') => {
                let high = self.hex4(at + 1)?;
                let (code, next) = match high {
                    0xD800..=0xDBFF => {
                        if self.bytes.get(at + 5..at + 7) != Some(b"\\u") {
                            return Err(self.bail());
                        }
                        let low = self.hex4(at + 7)?;
                        if !(0xDC00..=0xDFFF).contains(&low) {
                            return Err(self.bail());
                        }
                        (0x1_0000 + ((high - 0xD800) << 10) + (low - 0xDC00), at + 11)
                    }
                    0xDC00..=0xDFFF => return Err(self.bail()),
                    _ => (high, at + 5),
                };
                match char::from_u32(code) {
                    Some(c) => self.scratch.push(c),
                    None => return Err(self.bail()),
                }
                return Ok(next);
            }
            _ => return Err(self.bail()),
        };
        self.scratch.push(c);
        Ok(at + 1)
    }

    /// The four hex digits at `at`.
    fn hex4(&mut self, at: usize) -> Result<u32, Stop> {
        let digits = self.bytes.get(at..at + 4).unwrap_or_default();
        if digits.len() != 4 {
            return Err(self.bail());
        }
        let mut value = 0;
        for &d in digits {
            match char::from(d).to_digit(16) {
                Some(d) => value = value * 16 + d,
                None => return Err(self.bail()),
            }
        }
        Ok(value)
    }

    /// Keeps `tok` for serde, fitted to `schema` first when there is a fitter.
    #[inline]
    fn settle(&mut self, tok: Tok<'de>, schema: Option<&'a Value>) -> Result<(), Stop> {
        let Some(fit) = &self.fit else {
            self.peeked = Some(tok);
            return Ok(());
        };
        if let Tok::Open { object } = tok {
            let kind = if object { "object" } else { "array" };
            match retype::container(fit, schema, kind) {
                Some(schema) => self.open_schema = schema,
                None => return Err(self.bail()),
            }
            self.peeked = Some(tok);
            return Ok(());
        }
        let token = match &tok {
            Tok::Str(text) => Token::Str {
                text: text.unwrap_or(self.scratch.as_str()),
                escaped: false,
            },
            Tok::Num(text) => Token::Raw(text),
            Tok::Lit(text) => Token::Raw(text),
            Tok::Open { .. } | Tok::Json(_) => Token::Raw(""),
        };
        let (frames, scratch) = (&self.frames, self.scratch.as_str());
        let value = || {
            Some(match &tok {
                Tok::Str(text) => Value::String(text.unwrap_or(scratch).to_owned()),
                Tok::Num(text) => Value::Number(number(text)?),
                Tok::Lit("true") => Value::Bool(true),
                Tok::Lit("false") => Value::Bool(false),
                _ => Value::Null,
            })
        };
        let fitted = retype::scalar(
            fit,
            schema,
            token,
            value,
            || path_of(frames),
            &mut self.coerced,
        );
        let tok = match fitted {
            Some(None) => tok,
            Some(Some(value)) => match serde_json::to_string(&value) {
                Ok(json) => Tok::Json(json),
                Err(_) => return Err(self.bail()),
            },
            None => return Err(self.bail()),
        };
        self.peeked = Some(tok);
        Ok(())
    }
}

/// The path of the value being read in `frames`: an object's key while its member is read, an
/// array's index.
fn path_of(frames: &[Frame<'_, '_>]) -> FieldPath {
    let mut segments = Vec::with_capacity(frames.len());
    for frame in frames {
        if frame.object {
            if let Some(key) = &frame.key {
                segments.push(PathSegment::Key(key.as_ref().to_owned()));
            }
        } else {
            segments.push(PathSegment::Index(frame.index));
        }
    }
    FieldPath::from(segments)
}
