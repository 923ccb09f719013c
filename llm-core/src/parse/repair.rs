//! A tolerant JSON reader: reads what models write, records every repair it makes.
//!
//! Written by hand because no crate does this job in Rust: it is a push parser (text can arrive
//! in chunks, see [`Repairer::feed`]) driven by an explicit stack, so it never recurses and hostile
//! nesting cannot overflow the stack. It accepts, and records as a [`Fix`]:
//!
//! - trailing, missing and doubled commas; missing colons; `=` for `:`;
//! - single quotes, smart quotes, unquoted keys and unquoted string values;
//! - `//`, `/* */` and `#` comments;
//! - Python and JavaScript literals (`True`, `None`, `undefined`, `NaN`);
//! - quotes inside strings that were not escaped, raw control characters, invalid escapes;
//! - output cut off mid-string, mid-array or mid-object (closed, or the incomplete member
//!   dropped and recorded);
//! - a byte order mark.
//!
//! It does not guess types: coercion to a target type is [`coerce`](super::coerce)'s job.

use compact_str::CompactString;
use serde_json::{Map, Number, Value};

use super::stream::Member;
use super::text::TextOut;
use super::{Fix, FixKind};

mod deep;
mod fast;
mod string;

use crate::parse::scan::is_space;
use crate::path::{FieldPath, PathSegment};
pub(super) use deep::too_deep;
pub(super) use fast::is_json_number;
use fast::plain_run;
pub(crate) use fast::repair_text;
use string::{Escape, Quote, Str, opening_quote};

/// Limits that bound the work done on one input.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limits {
    /// Deepest nesting of arrays and objects accepted.
    pub max_depth: usize,
    /// Longest input accepted, in bytes.
    pub max_bytes: usize,
}

impl Default for Limits {
    fn default() -> Self {
        Self {
            max_depth: 128,
            max_bytes: 8 * 1024 * 1024,
        }
    }
}

/// Why the reader gave up.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RepairError {
    /// No value started before the input ended.
    NoValue,
    /// Nesting went deeper than [`Limits::max_depth`].
    TooDeep {
        /// The limit.
        limit: usize,
    },
    /// The input is longer than [`Limits::max_bytes`].
    TooLarge {
        /// The limit.
        limit: usize,
    },
}

/// Members an object has room for when it opens.
const OBJECT_ROOM: usize = 7;

enum Frame {
    Object {
        map: Map<String, Value>,
        key: Option<String>,
    },
    Array(Vec<Value>),
}

impl Frame {
    /// An empty object (`object`) or array. An object whose members are kept (`keeps`) has room
    /// for a few from the start: most have several, and growing its map member by member
    /// rehashes it.
    fn empty(object: bool, keeps: bool) -> Frame {
        if object {
            Frame::Object {
                map: Map::with_capacity(if keeps { OBJECT_ROOM } else { 0 }),
                key: None,
            }
        } else {
            Frame::Array(Vec::new())
        }
    }

    /// The key of the member being read, in an object.
    fn key(&self) -> Option<&str> {
        match self {
            Frame::Object { key, .. } => key.as_deref(),
            Frame::Array(_) => None,
        }
    }
}

/// Where a member completed in `frame`, the root's container, stands: its key, or its index.
fn member_at(frame: &Frame) -> PathSegment {
    match frame {
        Frame::Object { key, .. } => PathSegment::Key(key.as_deref().unwrap_or_default().into()),
        Frame::Array(items) => PathSegment::Index(items.len()),
    }
}

/// What the reader expects next, between tokens.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum Expect {
    Value,
    Key,
    Colon,
    Next,
    Done,
}

/// What the repairer is in the middle of.
enum Mode {
    Between(Expect),
    Str(Str),
    Bare {
        buf: String,
        key: bool,
    },
    /// Saw `/` between tokens.
    Slash(Expect),
    /// Saw `#` where a value was expected.
    Hash(Expect),
    LineComment(Expect),
    BlockComment {
        resume: Expect,
        star: bool,
    },
}

/// The push parser. Feed text with [`feed`](Self::feed), then [`finish`](Self::finish).
pub struct Repairer {
    stack: Vec<Frame>,
    mode: Mode,
    after_comma: bool,
    root: Option<Value>,
    fixes: Vec<Fix>,
    limits: Limits,
    bytes: usize,
    started: bool,
    trailing_noted: bool,
    error: Option<RepairError>,
    /// Progress of the root's members, when asked for with [`Repairer::with_events`].
    events: Option<Vec<Event>>,
    /// Bytes of the open top-level string already reported as [`Event::Text`].
    reported: usize,
    /// Bytes read when the root value completed.
    consumed: Option<usize>,
    /// The value written as JSON text instead of built, when asked for (see [`repair_text`]).
    text: Option<TextOut>,
    /// String buffers to reuse.
    spares: Vec<String>,
    /// Whether a root member's value moves into its [`Event::Complete`] instead of being copied
    /// (the tree then holds `null` in its place).
    move_members: bool,
    /// Whether the values below the root's members are not built: a member that is an array or
    /// an object is reported by where its text lies ([`Member::span`]), for a caller that keeps
    /// the text (the stream parser) to read when asked.
    lazy_members: bool,
    /// Where the character or token being read starts, in bytes from the start of the input
    /// (what `lazy_members` reports members by).
    at: usize,
    /// Where the root's member being read opened its array or object (with `lazy_members`).
    member_start: usize,
}

/// Progress of the root value's members while text streams in.
///
/// Keys and text deltas are [`CompactString`]s: one of up to 24 bytes (a key, the text a token
/// adds) is held in place, so an event per chunk costs no allocation for them.
#[derive(Debug, Clone, PartialEq)]
pub enum Event {
    /// A member of the root object got its key; its value is on the way.
    Started {
        /// The key.
        key: CompactString,
    },
    /// More text of a string member of the root object.
    Text {
        /// The key.
        key: CompactString,
        /// The text added since the last event.
        delta: CompactString,
    },
    /// A member of the root object, or an element of the root array, is complete.
    Complete {
        /// Its key or index.
        at: PathSegment,
        /// Its value, as read (repaired, not yet coerced).
        value: Member,
    },
}

impl std::fmt::Debug for Repairer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Repairer")
            .field("depth", &self.stack.len())
            .field("bytes", &self.bytes)
            .field("fixes", &self.fixes.len())
            .finish_non_exhaustive()
    }
}

impl Default for Repairer {
    fn default() -> Self {
        Self::new(Limits::default())
    }
}

impl Repairer {
    /// A reader expecting one JSON value.
    pub fn new(limits: Limits) -> Self {
        Self {
            stack: Vec::new(),
            mode: Mode::Between(Expect::Value),
            after_comma: false,
            root: None,
            fixes: Vec::new(),
            limits,
            bytes: 0,
            started: false,
            trailing_noted: false,
            error: None,
            events: None,
            reported: 0,
            consumed: None,
            text: None,
            spares: Vec::new(),
            move_members: false,
            lazy_members: false,
            at: 0,
            member_start: 0,
        }
    }

    /// A reader that also reports [`Event`]s, taken with [`take_events`](Self::take_events).
    pub fn with_events(limits: Limits) -> Self {
        Self {
            events: Some(Vec::new()),
            ..Self::new(limits)
        }
    }

    /// A reader reporting [`Event`]s whose values move into the events: the tree it builds has
    /// `null` for every member of the root and it records no fixes, so
    /// [`finish`](Self::finish), [`snapshot`](Self::snapshot) and [`fixes`](Self::fixes) are no
    /// use; for a caller that keeps the text and reads it again at the end.
    pub(crate) fn with_moved_events(limits: Limits) -> Self {
        Self {
            move_members: true,
            ..Self::with_events(limits)
        }
    }

    /// [`with_moved_events`](Self::with_moved_events) that builds no value below the root's
    /// members: a member that is an array or an object is reported by where its text lies in the
    /// input ([`Member::span`]), which the caller, who keeps the input, turns into the member's
    /// text. Its value is then the repairer's reading of that text alone, which is the value
    /// this reader would have built: the text starts at the bracket that opened the member, where
    /// a value is expected, and ends at the one that closed it.
    pub(crate) fn with_lazy_members(limits: Limits) -> Self {
        Self {
            lazy_members: true,
            ..Self::with_moved_events(limits)
        }
    }

    /// The error that stopped reading, if one did.
    pub(crate) fn error(&self) -> Option<RepairError> {
        self.error
    }

    /// The events since the last call. Each member's value is reported once, so the total work
    /// stays linear in the text.
    pub fn take_events(&mut self) -> Vec<Event> {
        self.events.as_mut().map(std::mem::take).unwrap_or_default()
    }

    /// Whether the root value is complete; later text is ignored.
    pub fn is_done(&self) -> bool {
        self.root.is_some() || self.error.is_some()
    }

    /// Whether the text fed so far leaves the reader inside a member of a member of the root,
    /// still reading. Every event is about the root's members, and only a `}` or `]` closes a
    /// container (a bracket is never held back waiting for what follows it), so text without
    /// one reports nothing here: it can be fed later, with the chunk that brings a bracket.
    pub(crate) fn nested(&self) -> bool {
        self.stack.len() >= 2 && !self.is_done()
    }

    /// Reads more text. Work is linear in the text fed: nothing is read twice.
    pub fn feed(&mut self, text: &str) {
        if self.is_done() {
            self.note_trailing(text);
            return;
        }
        self.bytes += text.len();
        if self.bytes > self.limits.max_bytes {
            self.error = Some(RepairError::TooLarge {
                limit: self.limits.max_bytes,
            });
            return;
        }
        let mut rest = text;
        if !self.started
            && let Some(stripped) = rest.strip_prefix('\u{feff}')
        {
            self.fix(FixKind::Bom);
            rest = stripped;
        }
        // Where `rest` starts in the whole input.
        let base = self.bytes - rest.len();
        let mut i = 0;
        let bytes = rest.as_bytes();
        while i < rest.len() && !self.is_done() {
            match &mut self.mode {
                // Fast path inside strings: copy a run of plain characters at once.
                Mode::Str(s) if s.pending.is_none() && matches!(s.escape, Escape::None) => {
                    let end = plain_run(&bytes[i..]);
                    if end > 0 {
                        s.push_str(&rest[i..i + end]);
                        i += end;
                        continue;
                    }
                }
                // Letters and digits inside an unquoted word end nothing.
                Mode::Bare { buf, .. } => {
                    let end = bytes[i..]
                        .iter()
                        .position(|b| {
                            !(b.is_ascii_alphanumeric() || matches!(b, b'.' | b'-' | b'+' | b'_'))
                        })
                        .unwrap_or(bytes.len() - i);
                    if end > 0 {
                        buf.push_str(&rest[i..i + end]);
                        i += end;
                        continue;
                    }
                }
                // Inside a comment, only its end matters.
                Mode::LineComment(_) | Mode::BlockComment { star: false, .. } => {
                    let stop = if matches!(self.mode, Mode::LineComment(_)) {
                        b'\n'
                    } else {
                        b'*'
                    };
                    let end = bytes[i..]
                        .iter()
                        .position(|&b| b == stop)
                        .unwrap_or(bytes.len() - i);
                    if end > 0 {
                        i += end;
                        continue;
                    }
                }
                Mode::Between(expect) => {
                    let expect = *expect;
                    // Whitespace between tokens changes nothing.
                    if is_space(bytes[i]) {
                        self.started = true;
                        i += 1;
                        while bytes.get(i).copied().is_some_and(is_space) {
                            i += 1;
                        }
                        continue;
                    }
                    self.at = base + i;
                    if let Some(next) = self.plain_token(expect, rest, i) {
                        self.started = true;
                        i = next;
                        continue;
                    }
                }
                _ => {}
            }
            let c = match bytes[i] {
                b if b.is_ascii() => char::from(b),
                _ => match rest[i..].chars().next() {
                    Some(c) => c,
                    None => break,
                },
            };
            self.at = base + i;
            i += c.len_utf8();
            self.started = true;
            self.step(c);
            if self.root.is_some() && self.consumed.is_none() {
                self.consumed = Some(self.bytes - rest.len() + i);
            }
        }
        if self.root.is_some() {
            self.note_trailing(&rest[i..]);
        }
        self.report_text();
    }

    /// Reports the new text of a string member of the root object that is still open.
    fn report_text(&mut self) {
        let (Some(events), Mode::Str(s), [Frame::Object { key: Some(key), .. }]) =
            (&mut self.events, &self.mode, self.stack.as_slice())
        else {
            return;
        };
        if s.key || s.buf.len() <= self.reported {
            return;
        }
        events.push(Event::Text {
            key: key.as_str().into(),
            delta: s.buf[self.reported..].into(),
        });
        self.reported = s.buf.len();
    }

    /// Records, once, that text followed the complete value (and was not read).
    fn note_trailing(&mut self, text: &str) {
        if !self.trailing_noted && self.error.is_none() && !text.trim().is_empty() {
            self.trailing_noted = true;
            self.fixes.push(Fix {
                kind: FixKind::TrailingText,
                path: FieldPath::root(),
            });
        }
    }

    /// Ends the input: closes what the text left open, recording each closing.
    #[inline]
    pub fn finish(mut self) -> Result<(Value, Vec<Fix>), RepairError> {
        if let Some(err) = self.error {
            return Err(err);
        }
        if self.root.is_none() {
            self.close_open_token();
            self.close_open_containers();
        }
        match self.root {
            Some(value) => Ok((value, self.fixes)),
            None => Err(RepairError::NoValue),
        }
    }

    /// The value read so far, with open strings, arrays and objects closed where they stand.
    /// Costs a copy of what was read; [`feed`](Self::feed) stays linear whether or not this is
    /// called.
    pub fn snapshot(&self) -> Option<Value> {
        if let Some(root) = &self.root {
            return Some(root.clone());
        }
        let mut open: Option<Value> = match &self.mode {
            Mode::Str(s) if !s.key => Some(Value::String(s.buf.clone())),
            _ => None,
        };
        for frame in self.stack.iter().rev() {
            let mut value = match frame {
                Frame::Object { map, .. } => Value::Object(map.clone()),
                Frame::Array(items) => Value::Array(items.clone()),
            };
            if let Some(child) = open.take() {
                match (&mut value, frame) {
                    (Value::Object(map), Frame::Object { key: Some(key), .. }) => {
                        map.insert(key.clone(), child);
                    }
                    (Value::Array(items), _) => items.push(child),
                    _ => {}
                }
            }
            open = Some(value);
        }
        open
    }

    /// How many bytes of input were read when the value completed (`None` while it is open).
    pub fn consumed(&self) -> Option<usize> {
        self.consumed
    }

    /// The fixes recorded so far.
    pub fn fixes(&self) -> &[Fix] {
        &self.fixes
    }

    fn path(&self) -> FieldPath {
        let mut segments = FieldPath::root();
        for (depth, frame) in self.stack.iter().enumerate() {
            match frame {
                Frame::Object { key: Some(key), .. } => {
                    segments.push(PathSegment::Key(key.as_str().into()));
                }
                Frame::Object { key: None, .. } => {}
                Frame::Array(items) => segments.push(PathSegment::Index(
                    self.text.as_ref().map_or(items.len(), |t| t.index(depth)),
                )),
            }
        }
        segments
    }

    fn fix(&mut self, kind: FixKind) {
        // The stream parser reads its text again to finish, and never asks for these.
        if self.move_members {
            return;
        }
        let path = self.path();
        self.fixes.push(Fix { kind, path });
    }

    fn step(&mut self, c: char) {
        // The modes without buffers change in place: moving the whole mode out and back costs
        // more than the step itself.
        match &mut self.mode {
            Mode::Between(expect) => {
                let expect = *expect;
                return self.between(expect, c);
            }
            Mode::LineComment(resume) => {
                if c == '\n' {
                    self.mode = Mode::Between(*resume);
                }
                return;
            }
            Mode::BlockComment { resume, star } => {
                if *star && c == '/' {
                    self.mode = Mode::Between(*resume);
                } else {
                    *star = c == '*';
                }
                return;
            }
            _ => {}
        }
        match std::mem::replace(&mut self.mode, Mode::Between(Expect::Done)) {
            Mode::Between(expect) => self.between(expect, c),
            Mode::Str(s) => self.in_string(s, c),
            Mode::Bare { buf, key } => self.in_bare(buf, key, c),
            Mode::Slash(resume) => match c {
                '/' => self.mode = Mode::LineComment(resume),
                '*' => {
                    self.mode = Mode::BlockComment {
                        resume,
                        star: false,
                    }
                }
                _ => {
                    // A lone slash starts an unquoted value.
                    self.mode = Mode::Bare {
                        buf: self.bare_buf('/'),
                        key: resume == Expect::Key,
                    };
                    self.step(c);
                }
            },
            Mode::Hash(resume) => {
                if c.is_whitespace() {
                    self.fix(FixKind::Comment);
                    self.mode = Mode::LineComment(resume);
                } else {
                    self.mode = Mode::Bare {
                        buf: self.bare_buf('#'),
                        key: false,
                    };
                    self.step(c);
                }
            }
            Mode::LineComment(resume) => {
                self.mode = if c == '\n' {
                    Mode::Between(resume)
                } else {
                    Mode::LineComment(resume)
                };
            }
            Mode::BlockComment { resume, star } => {
                self.mode = if star && c == '/' {
                    Mode::Between(resume)
                } else {
                    Mode::BlockComment {
                        resume,
                        star: c == '*',
                    }
                };
            }
        }
    }

    fn between(&mut self, expect: Expect, c: char) {
        if !matches!(self.mode, Mode::Between(e) if e == expect) {
            self.mode = Mode::Between(expect);
        }
        if c.is_whitespace() || expect == Expect::Done {
            return;
        }
        if c == '/' {
            self.fix(FixKind::Comment);
            self.mode = Mode::Slash(expect);
            return;
        }
        if c == '#' && expect != Expect::Value {
            self.fix(FixKind::Comment);
            self.mode = Mode::LineComment(expect);
            return;
        }
        if c == '#' {
            // `# note` is a comment; `#fff` is a value.
            self.mode = Mode::Hash(expect);
            return;
        }
        match expect {
            Expect::Value => self.expect_value(c),
            Expect::Key => self.expect_key(c),
            Expect::Colon => {
                if c == ':' {
                    self.mode = Mode::Between(Expect::Value);
                } else if c == '=' {
                    self.fix(FixKind::MissingColon);
                    self.mode = Mode::Between(Expect::Value);
                } else {
                    self.fix(FixKind::MissingColon);
                    self.mode = Mode::Between(Expect::Value);
                    self.step(c);
                }
            }
            Expect::Next => self.expect_next(c),
            Expect::Done => {}
        }
    }

    fn expect_value(&mut self, c: char) {
        let after_comma = std::mem::take(&mut self.after_comma);
        match c {
            '{' | '[' => self.open(c == '{'),
            ']' if matches!(self.stack.last(), Some(Frame::Array(_))) => {
                if after_comma {
                    self.fix(FixKind::TrailingComma);
                }
                self.close(c);
            }
            '}' | ']' | ',' if matches!(self.stack.last(), Some(Frame::Object { .. })) => {
                // A member with no value: `{"a": }`.
                self.fix(FixKind::MissingValue);
                self.complete(Value::Null);
                self.step(c);
            }
            ',' if !self.stack.is_empty() => {
                // `[1, , 2]`
                self.fix(FixKind::ExtraPunctuation);
                self.after_comma = true;
            }
            '}' if !self.stack.is_empty() => self.close(c),
            ':' => self.fix(FixKind::ExtraPunctuation),
            _ => {
                if let Some(quote) = opening_quote(c) {
                    self.start_string(quote, false);
                } else {
                    self.mode = Mode::Bare {
                        buf: self.bare_buf(c),
                        key: false,
                    };
                }
            }
        }
    }

    fn expect_key(&mut self, c: char) {
        let after_comma = std::mem::take(&mut self.after_comma);
        match c {
            '}' => {
                if after_comma {
                    self.fix(FixKind::TrailingComma);
                }
                self.close(c);
            }
            ']' => {
                self.fix(FixKind::MismatchedBracket);
                self.close(c);
            }
            ',' => self.fix(FixKind::ExtraPunctuation),
            _ => {
                if let Some(quote) = opening_quote(c) {
                    self.start_string(quote, true);
                } else {
                    self.fix(FixKind::UnquotedKey);
                    self.mode = Mode::Bare {
                        buf: self.bare_buf(c),
                        key: true,
                    };
                }
            }
        }
    }

    fn expect_next(&mut self, c: char) {
        match (c, self.stack.last()) {
            (',', Some(Frame::Object { .. })) => {
                self.after_comma = true;
                self.mode = Mode::Between(Expect::Key);
            }
            (',', Some(Frame::Array(_))) => {
                self.after_comma = true;
                self.mode = Mode::Between(Expect::Value);
            }
            ('}' | ']', Some(_)) => self.close(c),
            (_, Some(frame)) => {
                let expect = match frame {
                    Frame::Object { .. } => Expect::Key,
                    Frame::Array(_) => Expect::Value,
                };
                self.fix(FixKind::MissingComma);
                self.mode = Mode::Between(expect);
                self.step(c);
            }
            (_, None) => {}
        }
    }

    /// Opens an object or an array.
    fn open(&mut self, object: bool) {
        // Below the root, with `lazy_members`, its members are not kept: no room for them.
        let frame = Frame::empty(object, !self.lazy_members || self.stack.is_empty());
        if self.stack.len() >= self.limits.max_depth {
            self.error = Some(RepairError::TooDeep {
                limit: self.limits.max_depth,
            });
            return;
        }
        let expect = match frame {
            Frame::Object { .. } => Expect::Key,
            Frame::Array(_) => Expect::Value,
        };
        if self.lazy_members && self.stack.len() == 1 {
            self.member_start = self.at;
        }
        if let Some(text) = &mut self.text {
            text.open(
                self.stack.last().and_then(Frame::key),
                expect == Expect::Key,
            );
        }
        self.stack.push(frame);
        self.mode = Mode::Between(expect);
    }

    /// Closes the innermost container with `c`, recording a mismatch.
    fn close(&mut self, c: char) {
        let matches = matches!(
            (c, self.stack.last()),
            ('}', Some(Frame::Object { .. })) | (']', Some(Frame::Array(_)))
        );
        if !matches {
            self.fix(FixKind::MismatchedBracket);
        }
        self.pop_and_complete();
    }

    fn pop_and_complete(&mut self) {
        if let Some(Frame::Object { key: Some(_), .. }) = self.stack.last() {
            // `{"a": 1, "b"}`: a key that never got a value.
            self.fix(FixKind::DroppedIncompleteMember);
        }
        if let Some(text) = &mut self.text {
            if self.stack.pop().is_some() {
                text.close();
                self.placed();
            }
            return;
        }
        let popped = self.stack.pop();
        if self.lazy_members && self.stack.len() == 1 {
            // A member of the root closed at the bracket being read: reported by its text.
            return self.complete_member(Member::span(self.member_start, self.at + 1));
        }
        match popped {
            Some(Frame::Object { map, .. }) => self.complete(Value::Object(map)),
            Some(Frame::Array(items)) => self.complete(Value::Array(items)),
            None => {}
        }
    }

    /// A value was written as text, or (below the root's members, with `lazy_members`) not
    /// kept: the enclosing container moves on.
    fn placed(&mut self) {
        match self.stack.last_mut() {
            None => {
                self.root = Some(Value::Null);
                self.mode = Mode::Between(Expect::Done);
                return;
            }
            Some(Frame::Object { key, .. }) => {
                if let Some(key) = key.take() {
                    self.recycle(key);
                }
            }
            Some(Frame::Array(_)) => {}
        }
        self.mode = Mode::Between(Expect::Next);
    }

    /// Keeps a string's buffer for a later string.
    fn recycle(&mut self, mut buf: String) {
        if self.spares.len() < 8 && buf.capacity() > 0 {
            buf.clear();
            self.spares.push(buf);
        }
    }

    /// An empty string buffer, reused if one is spare.
    fn take_buf(&mut self) -> String {
        self.spares.pop().unwrap_or_default()
    }

    /// A buffer holding `text`: a spare when the text output writes it and lets it go, one of
    /// the exact size when the tree keeps it (so [`exact`](Self::exact) need not copy it).
    fn owned(&mut self, text: &str) -> String {
        if self.text.is_none() {
            return text.to_owned();
        }
        let mut buf = self.take_buf();
        buf.push_str(text);
        buf
    }

    /// A buffer for an unquoted word starting with `c`.
    fn bare_buf(&mut self, c: char) -> String {
        let mut buf = self.take_buf();
        buf.push(c);
        buf
    }

    /// A value is complete: put it where it belongs.
    fn complete(&mut self, value: Value) {
        if let Some(text) = &mut self.text {
            text.scalar(self.stack.last().and_then(Frame::key), &value);
            return self.placed();
        }
        if self.lazy_members && self.stack.len() >= 2 {
            // Below a member of the root, nothing is kept.
            if let Value::String(buf) = value {
                self.recycle(buf);
            }
            return self.placed();
        }
        if self.move_members {
            return self.complete_member(value.into());
        }
        if let (Some(events), [frame]) = (&mut self.events, self.stack.as_slice()) {
            events.push(Event::Complete {
                at: member_at(frame),
                value: value.clone().into(),
            });
        }
        self.complete_in_place(value);
    }

    /// A member of the root (or the root itself) is complete, its value moved into its event
    /// (`null` in its place in the tree).
    fn complete_member(&mut self, value: Member) {
        if let (Some(events), [frame]) = (&mut self.events, self.stack.as_slice()) {
            events.push(Event::Complete {
                at: member_at(frame),
                value,
            });
            return self.complete_in_place(Value::Null);
        }
        self.complete_in_place(value.into_value());
    }

    /// Puts a completed value in its container (or makes it the root).
    fn complete_in_place(&mut self, value: Value) {
        match self.stack.last_mut() {
            None => {
                self.root = Some(value);
                self.mode = Mode::Between(Expect::Done);
                return;
            }
            Some(Frame::Array(items)) => items.push(value),
            Some(Frame::Object { key, .. }) => {
                let key = key.take().unwrap_or_default();
                let key = self.exact(key);
                if let Some(Frame::Object { map, .. }) = self.stack.last_mut()
                    && map.insert(key, value).is_some()
                {
                    self.fix(FixKind::DuplicateKey);
                }
            }
        }
        self.mode = Mode::Between(Expect::Next);
    }

    /// A string the tree keeps: copied to its exact size when its buffer grew larger (text fed in
    /// small chunks grows it several times), the buffer kept for the next string.
    fn exact(&mut self, buf: String) -> String {
        if buf.capacity() == buf.len() {
            return buf;
        }
        let exact = String::from(buf.as_str());
        self.recycle(buf);
        exact
    }

    /// A key of the root object was read.
    fn report_key(&mut self) {
        if let (Some(events), [Frame::Object { key: Some(key), .. }]) =
            (&mut self.events, self.stack.as_slice())
        {
            events.push(Event::Started {
                key: key.as_str().into(),
            });
        }
    }

    fn in_bare(&mut self, mut buf: String, key: bool, c: char) {
        // ` //` or ` /*` after an unquoted value starts a comment (a URL's `://` has no space
        // before it).
        if !key
            && matches!(c, '/' | '*')
            && buf.ends_with('/')
            && buf[..buf.len() - 1].ends_with(char::is_whitespace)
        {
            buf.pop();
            self.end_bare(buf, false);
            self.fix(FixKind::Comment);
            let resume = match &self.mode {
                Mode::Between(expect) => *expect,
                _ => Expect::Next,
            };
            self.mode = if c == '/' {
                Mode::LineComment(resume)
            } else {
                Mode::BlockComment {
                    resume,
                    star: false,
                }
            };
            return;
        }
        let in_array = matches!(self.stack.last(), Some(Frame::Array(_)));
        let ends = if key {
            matches!(c, ':' | '=' | '}' | ',' | '\n')
        } else {
            // A double quote starts the next member (an apostrophe is text: `Bob's`). In an
            // array, whitespace ends a number or literal (`[1 2]`); in an object a run of words
            // goes on (`John Smith`, `3 inch bolt`).
            matches!(c, ',' | '}' | ']' | '\n' | '"' | '“' | '”')
                || (in_array && c.is_whitespace() && (number(&buf).is_some() || is_literal(&buf)))
        };
        if !ends {
            buf.push(c);
            self.mode = Mode::Bare { buf, key };
            return;
        }
        self.end_bare(buf, key);
        self.step(c);
    }

    fn end_bare(&mut self, buf: String, key: bool) {
        let word = buf.trim();
        if key {
            let name = word.trim_matches(|c| c == '"' || c == '\'');
            let name = if name.len() == buf.len() {
                buf
            } else {
                let name = name.to_owned();
                self.recycle(buf);
                name
            };
            if let Some(Frame::Object { key, .. }) = self.stack.last_mut() {
                *key = Some(name);
            }
            self.report_key();
            self.mode = Mode::Between(Expect::Colon);
            return;
        }
        self.end_word(word);
        self.recycle(buf);
    }

    /// An unquoted value (trimmed) is complete: put it where it belongs.
    fn end_word(&mut self, word: &str) {
        let value = self.classify(word);
        if value.is_number()
            && let Some(text) = &mut self.text
            && is_json_number(word)
            && word != "-0"
        {
            text.raw(self.stack.last().and_then(Frame::key), word);
            return self.placed();
        }
        self.complete(value);
    }

    /// An unquoted value: a number, a literal, or a string.
    fn classify(&mut self, word: &str) -> Value {
        match word {
            "true" => return Value::Bool(true),
            "false" => return Value::Bool(false),
            "null" => return Value::Null,
            "True" | "False" | "None" => {
                self.fix(FixKind::PythonLiteral);
                return match word {
                    "True" => Value::Bool(true),
                    "False" => Value::Bool(false),
                    _ => Value::Null,
                };
            }
            "undefined" | "NaN" | "Infinity" | "-Infinity" | "+Infinity" => {
                self.fix(FixKind::JsLiteral);
                return Value::Null;
            }
            _ => {}
        }
        if let Some(number) = number(word) {
            if word.starts_with('+') || word.starts_with('.') || word.ends_with('.') {
                self.fix(FixKind::NumberFormat);
            }
            return Value::Number(number);
        }
        self.fix(FixKind::UnquotedValue);
        Value::String(word.to_owned())
    }

    /// At the end of input: ends the token in progress.
    fn close_open_token(&mut self) {
        match std::mem::replace(&mut self.mode, Mode::Between(Expect::Done)) {
            Mode::Str(mut s) => {
                match s.pending.take() {
                    None => self.fix(FixKind::ClosedString),
                    Some(p) if p.doubled.is_some() => {
                        // `"He said "no""` then the end.
                        self.fix(FixKind::UnescapedQuote);
                        s.push(p.quote);
                    }
                    Some(p) if is_literal(&p.word) || number(&p.word).is_some() => {
                        // `["a" null` then the end: the word is the next value.
                        self.end_string(s);
                        for w in p.word.chars() {
                            self.step(w);
                        }
                        return self.close_open_token();
                    }
                    Some(p) if !p.word.is_empty() => {
                        // `"say "hi` then the end: the quote was text, the string is cut off.
                        self.fix(FixKind::UnescapedQuote);
                        self.fix(FixKind::ClosedString);
                        s.push(p.quote);
                        s.push_str(&p.ws);
                        s.push_str(&p.word);
                    }
                    Some(_) => {}
                }
                if s.key {
                    self.fix(FixKind::DroppedIncompleteMember);
                    self.mode = Mode::Between(Expect::Next);
                } else {
                    self.end_string(s);
                }
            }
            Mode::Bare { buf, key } => {
                if key {
                    self.fix(FixKind::DroppedIncompleteMember);
                    self.mode = Mode::Between(Expect::Next);
                } else if let Some(literal) = cut_literal(buf.trim()) {
                    // `{"done": fals` then the end: the literal was cut off.
                    self.fix(FixKind::CompletedLiteral);
                    self.end_bare(literal.to_owned(), false);
                } else {
                    self.end_bare(buf, false);
                }
            }
            other => self.mode = other,
        }
    }

    fn close_open_containers(&mut self) {
        while !self.stack.is_empty() {
            self.fix(FixKind::ClosedContainer);
            self.pop_and_complete();
        }
    }
}

/// The literal that `word` is the start of (`fals`, `nu`), when it is at least two letters.
pub(super) fn cut_literal(word: &str) -> Option<&'static str> {
    ["true", "false", "null"]
        .into_iter()
        .find(|lit| word.len() >= 2 && word.len() < lit.len() && lit.starts_with(word))
}

fn is_literal(word: &str) -> bool {
    matches!(
        word,
        "true" | "false" | "null" | "True" | "False" | "None" | "undefined" | "NaN" | "Infinity"
    )
}

/// A JSON number, also with a leading `+`, a leading or trailing `.`; not with leading zeros
/// (`007` is more likely an identifier than seven).
pub(super) fn number(word: &str) -> Option<Number> {
    let bytes = word.as_bytes();
    // Digits alone, fewer than 20 of them: always a `u64`.
    if let [first, ..] = bytes
        && bytes.len() < 20
        && (*first != b'0' || bytes.len() == 1)
        && bytes.iter().all(u8::is_ascii_digit)
    {
        let n = bytes
            .iter()
            .fold(0, |n: u64, digit| n * 10 + u64::from(digit - b'0'));
        return Some(Number::from(n));
    }
    let digits = word.trim_start_matches(['-', '+']);
    if digits.is_empty()
        || !digits.starts_with(|c: char| c.is_ascii_digit() || c == '.')
        || (digits.len() > 1 && digits.starts_with('0') && digits.as_bytes()[1].is_ascii_digit())
        || !bytes
            .iter()
            .all(|b| b.is_ascii_digit() || matches!(b, b'-' | b'+' | b'.' | b'e' | b'E'))
    {
        return None;
    }
    let unsigned = word.strip_prefix('+').unwrap_or(word);
    // A fraction or an exponent makes a float; only integers are tried as integers.
    if !unsigned.contains(['.', 'e', 'E']) {
        if let Ok(n) = unsigned.parse::<u64>() {
            return Some(Number::from(n));
        }
        if let Ok(n) = unsigned.parse::<i64>() {
            return Some(Number::from(n));
        }
    }
    unsigned.parse::<f64>().ok().and_then(Number::from_f64)
}

/// Reads one JSON value from `text` the way [`Repairer`] does, in one call; also returns how many
/// bytes of `text` the value took.
pub(crate) fn repair_span(
    text: &str,
    limits: Limits,
) -> Result<(Value, Vec<Fix>, usize), RepairError> {
    let mut repairer = Repairer::new(limits);
    repairer.feed(text);
    let consumed = repairer.consumed().unwrap_or(text.len());
    repairer
        .finish()
        .map(|(value, fixes)| (value, fixes, consumed))
}

#[cfg(test)]
mod tests;
