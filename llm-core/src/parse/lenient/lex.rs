//! The lenient reader's tokens: damaged JSON read the way [`Repairer`](crate::parse::Repairer)
//! reads it, one value at a time, as serde asks for it.
//!
//! Each repair is recorded where the repairer records it, with the path the repairer gives it:
//! the path is a stack of borrowed keys and indexes, made into a [`FieldPath`] only when a fix
//! is recorded. Text whose reading is not certain to match the repairer's (a quote that may be
//! text, an unquoted value, a missing value, a mismatched bracket, a lone surrogate...) stops
//! the reader with [`Stop::Bail`]: the caller then takes the repair path.

use std::borrow::Cow;
use std::cell::RefCell;

use serde_json::Value;

use super::Stop;
use crate::parse::coerce::{Fitter, Shapes};
use crate::parse::repair::number;
use crate::parse::retype::{self, Items, Members, Token};
use crate::parse::{Fix, FixKind};
use crate::path::{CompactString, FieldPath, PathSegment};

mod token;

/// Deepest nesting read. Replies are rarely nested more than a few levels; deeper text (most
/// often hostile, or cut off inside a long list of lists) is left to the repair path before
/// serde's visitors recurse far into it.
const MAX_DEPTH: usize = 32;

/// Most keys in one object: the repairer's text output gives up beyond this.
const MAX_KEYS: usize = 256;

/// Most fixes [`FIXES`] keeps room for between replies.
const KEEP_FIXES: usize = 1024;

thread_local! {
    /// The list the reader records its repairs in, kept with its room between replies: a list
    /// grown while a reply is read takes a block from the allocator in the middle of the read,
    /// which costs more than the copy of the fixes into one of their size at the end.
    static FIXES: RefCell<Vec<Fix>> = const { RefCell::new(Vec::new()) };
}

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
    /// A scalar that coercion replaced (or the list it became), read by serde from the value
    /// itself: the same calls to the visitor as from its JSON text.
    Fitted(Fitted),
}

/// A value coercion made of a scalar. The usual ones (a number from a string, a bool from
/// `"yes"`) are kept as they are; others are boxed, to keep tokens small.
#[derive(Debug)]
pub(super) enum Fitted {
    Number(serde_json::Number),
    Bool(bool),
    Other(Box<Value>),
}

impl Fitted {
    fn new(value: Value) -> Self {
        match value {
            Value::Number(number) => Fitted::Number(number),
            Value::Bool(b) => Fitted::Bool(b),
            other => Fitted::Other(Box::new(other)),
        }
    }

    /// The value, for serde to read.
    pub(super) fn into_value(self) -> Value {
        match self {
            Fitted::Number(number) => Value::Number(number),
            Fitted::Bool(b) => Value::Bool(b),
            Fitted::Other(value) => *value,
        }
    }
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
    /// Where its keys start in the reader's stacks of keys (see [`Lexer::keys`]).
    keys_from: usize,
    /// Where its keys decoded from escapes start in [`Lexer::owned_keys`].
    owned_keys_from: usize,
    /// A bit for each of its keys (see [`key_bit`]): a key whose bit is clear is new, and its
    /// keys need not be compared with it.
    key_bits: u64,
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
    /// The keys read in each open object, to notice a repeated one: only the innermost object
    /// reads keys, so they stack, each object's from its frame's `keys_from`. A key is kept as
    /// it is in the text (two words, handed over in registers); one decoded from escapes (rare)
    /// is kept in `owned_keys`.
    keys: Vec<&'de str>,
    /// The keys decoded from escapes, stacked as `keys` are.
    owned_keys: Vec<String>,
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

impl Drop for Lexer<'_, '_> {
    /// Gives the list of fixes back, emptied, for the next reply.
    fn drop(&mut self) {
        if self.fixes.capacity() > KEEP_FIXES {
            return;
        }
        self.fixes.clear();
        let fixes = std::mem::take(&mut self.fixes);
        FIXES.with(|kept| {
            if let Ok(mut kept) = kept.try_borrow_mut()
                && kept.capacity() < fixes.capacity()
            {
                *kept = fixes;
            }
        });
    }
}

impl<'de, 'a> Lexer<'de, 'a> {
    /// A reader of `src` (which starts with `{` or `[`); with `schema` (the root schema),
    /// scalars are fitted to it as the text path fits them.
    ///
    /// The fitter is made in place: it is large, and the reader is not moved once made.
    pub(super) fn new(
        src: &'de str,
        max_depth: usize,
        schema: Option<&'a Value>,
        shapes: Option<&'a Shapes<'a>>,
    ) -> Self {
        Self {
            src,
            bytes: src.as_bytes(),
            pos: 0,
            frames: Vec::new(),
            keys: Vec::new(),
            owned_keys: Vec::new(),
            fixes: FIXES
                .with(|kept| {
                    kept.try_borrow_mut()
                        .map(|mut kept| std::mem::take(&mut *kept))
                })
                .unwrap_or_default(),
            coerced: Vec::new(),
            after_comma: false,
            scratch: String::new(),
            peeked: None,
            open_schema: schema,
            fit: schema.map(|schema| Fitter::with_shapes(schema, shapes)),
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

    /// Records a repair of `kind` at the path of the value being read. The path is written in
    /// place, in the list, rather than made first and then copied in.
    #[inline(never)]
    pub(super) fn fix(&mut self, kind: FixKind) {
        self.fixes.push(Fix {
            kind,
            path: FieldPath::root(),
        });
        if let Some(fix) = self.fixes.last_mut() {
            push_path(&mut fix.path, &self.frames);
        }
    }

    /// The fixes recorded, in a list of their size: `first` (how the text was found), the
    /// repairs, then the conversions, each moved once. The reader's list stays empty, with its
    /// room.
    pub(super) fn take_fixes(&mut self, first: Option<FixKind>) -> Vec<Fix> {
        let mut fixes = Vec::with_capacity(
            usize::from(first.is_some()) + self.fixes.len() + self.coerced.len(),
        );
        fixes.extend(first.map(|kind| Fix {
            kind,
            path: FieldPath::root(),
        }));
        fixes.append(&mut self.fixes);
        fixes.append(&mut self.coerced);
        fixes
    }

    /// The key of the member being read.
    pub(super) fn key(&self) -> Option<&Cow<'de, str>> {
        self.frames.last().and_then(|f| f.key.as_ref())
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

    /// The peeked scalar was read where it is kept (its parts copied out): it is dropped, and
    /// its container moves on.
    #[inline]
    pub(super) fn consume(&mut self) {
        self.peeked = None;
        self.placed();
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
            keys_from: self.keys.len(),
            owned_keys_from: self.owned_keys.len(),
            key_bits: 0,
            repeated: false,
            members,
            items,
        });
        Ok(self.frames.len())
    }

    /// Closes the innermost container.
    fn close(&mut self) {
        if let Some(frame) = self.frames.pop() {
            self.keys.truncate(frame.keys_from);
            self.owned_keys.truncate(frame.owned_keys_from);
        }
        self.placed();
    }

    /// The bracket at `pos` closes the innermost container; a comma just before it is dropped
    /// with a fix, as the repairer drops it.
    #[inline]
    fn close_bracket(&mut self) {
        self.pos += 1;
        if std::mem::take(&mut self.after_comma) {
            self.fix(FixKind::TrailingComma);
        }
        self.close();
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

    /// After a member or element of the innermost container, reads the comma (or assumes a missing
    /// one): true when another may follow, false at the container's end (`close`, or the end of
    /// the text); the other bracket needs the repair path.
    #[inline(always)]
    fn past_separator(&mut self, close: u8) -> Result<bool, Stop> {
        if !self.frames.last().is_some_and(|f| f.after_value) {
            return Ok(true);
        }
        match self.skip(Expect::Other)? {
            Some(b',') => {
                self.pos += 1;
                self.after_comma = true;
            }
            Some(b) if b == close => {
                self.pos += 1;
                self.close();
                return Ok(false);
            }
            None => {
                self.close_at_end();
                return Ok(false);
            }
            Some(b'}' | b']') => return Err(self.bail()),
            Some(_) => self.fix(FixKind::MissingComma),
        }
        if let Some(frame) = self.frames.last_mut() {
            frame.after_value = false;
        }
        Ok(true)
    }

    /// Moves to the next member of the innermost object and peeks its value; false at its end.
    pub(super) fn next_key(&mut self) -> Result<bool, Stop> {
        if self.peeked.is_some() || !self.frames.last().is_some_and(|f| f.object) {
            return Err(self.bail());
        }
        if !self.past_separator(b'}')? {
            return Ok(false);
        }
        let first = match self.skip(Expect::Other)? {
            None => {
                self.close_at_end();
                return Ok(false);
            }
            Some(b'}') => {
                self.close_bracket();
                return Ok(false);
            }
            Some(b) => b,
        };
        self.after_comma = false;
        // The key's text when it is in the reply, `None` when it was decoded into the scratch
        // buffer. Its pointer and length stay in registers: a `Cow` made once and copied into
        // the list of keys and the frame is read back from memory right after it was written,
        // which stalls the processor.
        let key: Option<&'de str> = match first {
            b'"' | b'\'' => {
                if first == b'\'' {
                    self.fix(FixKind::SingleQuotes);
                }
                match self.quoted(first)? {
                    (text, true) => text,
                    (_, false) => {
                        // The text ended inside the key: the member is dropped.
                        self.fix(FixKind::ClosedString);
                        self.fix(FixKind::DroppedIncompleteMember);
                        self.close_at_end();
                        return Ok(false);
                    }
                }
            }
            b if b.is_ascii_alphabetic() || b == b'_' => {
                let end = self.word_end(self.pos);
                // The key ends at a colon, an `=` or a newline; spaces before it are trimmed.
                let mut after = end;
                while matches!(self.bytes.get(after), Some(b' ' | b'\r' | b'\t')) {
                    after += 1;
                }
                if after == self.bytes.len() {
                    // The text ended inside the key: the member is dropped.
                    self.fix(FixKind::UnquotedKey);
                    self.fix(FixKind::DroppedIncompleteMember);
                    self.pos = after;
                    self.close_at_end();
                    return Ok(false);
                }
                if !matches!(self.bytes.get(after), Some(b':' | b'=' | b'\n')) {
                    return Err(self.bail());
                }
                self.fix(FixKind::UnquotedKey);
                let key = &self.src[self.pos..end];
                self.pos = end;
                Some(key)
            }
            _ => return Err(self.bail()),
        };
        let repeats = self.repeats;
        let Some(frame) = self.frames.last_mut() else {
            return Err(self.bail());
        };
        let keys = self.keys.get(frame.keys_from..).unwrap_or_default();
        let owned = self
            .owned_keys
            .get(frame.owned_keys_from..)
            .unwrap_or_default();
        let text = key.unwrap_or(self.scratch.as_str());
        let bit = key_bit(text);
        let repeated =
            frame.key_bits & bit != 0 && (keys.contains(&text) || owned.iter().any(|k| k == text));
        frame.key_bits |= bit;
        if keys.len() + owned.len() >= MAX_KEYS || (repeated && !repeats) {
            return Err(self.bail());
        }
        if !repeated {
            match key {
                Some(key) => {
                    if self.keys.capacity() == 0 {
                        // Room for a reply's usual objects and the ones they nest in, at once.
                        self.keys.reserve(32);
                    }
                    self.keys.push(key);
                }
                None => self.owned_keys.push(self.scratch.clone()),
            }
        }
        frame.repeated = repeated;
        frame.key = Some(match key {
            Some(key) => Cow::Borrowed(key),
            None => Cow::Owned(self.scratch.clone()),
        });
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
        self.peek_token()?;
        let schema = match &self.fit {
            None => return Ok(true),
            Some(fit) => {
                let null = matches!(self.peeked, Some(Tok::Lit("null")));
                let frame = self.frames.last();
                let key = frame.and_then(|f| f.key.as_deref()).unwrap_or_default();
                match frame.and_then(|f| f.members.member(fit, key, null)) {
                    Some(schema) => schema,
                    None => return Err(self.bail()),
                }
            }
        };
        self.fit_token(schema)?;
        Ok(true)
    }

    /// Moves to the next element of the innermost array and peeks it; false at its end.
    pub(super) fn next_element(&mut self) -> Result<bool, Stop> {
        if self.peeked.is_some() || self.frames.last().is_none_or(|f| f.object) {
            return Err(self.bail());
        }
        if !self.past_separator(b']')? {
            return Ok(false);
        }
        match self.skip(Expect::Value)? {
            None => {
                self.close_at_end();
                return Ok(false);
            }
            Some(b']') => {
                self.close_bracket();
                return Ok(false);
            }
            Some(b'}' | b',' | b':') => return Err(self.bail()),
            Some(_) => {}
        }
        self.peek_token()?;
        if self.fit.is_some() {
            let schema = self.frames.last().and_then(|f| f.items.item(f.index));
            self.fit_token(schema)?;
        }
        Ok(true)
    }

    /// Keeps `tok` for serde. The token kept before was taken (a reader peeks only when none
    /// is kept): the check is made here, which costs less than the call that drops it.
    #[inline(always)]
    pub(super) fn peek(&mut self, tok: Tok<'de>) {
        if let Some(before) = self.peeked.replace(tok) {
            drop(before);
        }
    }

    /// The peeked token fitted to `schema`, with the fitter. It is looked at where it is kept,
    /// and replaced only when coercion changed it: taken out whole, right after it was written,
    /// it would be read back from memory before its parts were stored, which stalls the
    /// processor.
    #[inline(never)]
    fn fit_token(&mut self, schema: Option<&'a Value>) -> Result<(), Stop> {
        let Some(fit) = &self.fit else {
            return Ok(());
        };
        let Some(tok) = &self.peeked else {
            return Err(self.bail());
        };
        if let Tok::Open { object } = *tok {
            let kind = if object { "object" } else { "array" };
            match retype::container(fit, schema, kind) {
                Some(schema) => self.open_schema = schema,
                None => return Err(self.bail()),
            }
            return Ok(());
        }
        let scratch = self.scratch.as_str();
        let token = match tok {
            Tok::Str(text) => Token::Str {
                text: text.unwrap_or(scratch),
                escaped: false,
            },
            Tok::Num(text) => Token::Raw(text),
            Tok::Lit(text) => Token::Raw(text),
            Tok::Open { .. } | Tok::Fitted(_) => Token::Raw(""),
        };
        let frames = &self.frames;
        let value = || {
            Some(match tok {
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
        match fitted {
            Some(None) => Ok(()),
            Some(Some(value)) => {
                self.peeked = Some(Tok::Fitted(Fitted::new(value)));
                Ok(())
            }
            None => Err(self.bail()),
        }
    }
}

/// A key's bit among 64, from its length and its first and last bytes: keys that differ there
/// (most of an object's) get different bits.
fn key_bit(key: &str) -> u64 {
    let bytes = key.as_bytes();
    let (first, last) = (bytes.first().copied(), bytes.last().copied());
    let mix = (bytes.len() as u64)
        ^ (u64::from(first.unwrap_or(0)) << 8)
        ^ (u64::from(last.unwrap_or(0)) << 16);
    1 << (mix.wrapping_mul(0x9E37_79B9_7F4A_7C15) >> 58)
}

/// The path of the value being read in `frames`: an object's key while its member is read, an
/// array's index.
fn path_of(frames: &[Frame<'_, '_>]) -> FieldPath {
    let mut path = FieldPath::root();
    push_path(&mut path, frames);
    path
}

/// Appends to `path` the segments of [`path_of`]`(frames)`.
fn push_path(path: &mut FieldPath, frames: &[Frame<'_, '_>]) {
    for frame in frames {
        if !frame.object {
            path.push(PathSegment::Index(frame.index));
        } else if let Some(key) = &frame.key {
            path.push(PathSegment::Key(CompactString::new(key)));
        }
    }
}
