//! Strict JSON read as it streams in: where the root's members start and end, without building
//! their values.
//!
//! [`Clean`] reports the [`Event`]s the [`Repairer`](super::super::Repairer) reports for the same
//! chunks, as long as the text is JSON as `serde_json` writes it: the same events, in the same
//! calls, each completed member carried as its text (a [`Member`] read when asked). At the first
//! byte that is not plain JSON, or that the repairer might read another way (a `”` inside a
//! string, a lone surrogate, nesting at the depth limit), it stops and the stream parser hands
//! the text to the repairer; what it reported up to the chunk before stays valid, because the
//! repairer reads a clean prefix exactly as it reads strict JSON. Below the root's members, where
//! nothing is reported until a member closes, the text is checked by the automaton of `deep.rs`.

use compact_str::CompactString;

use super::Member;
use super::deep::{self, Deep};
use super::keep::closes;
use crate::parse::extract::Balanced;
use crate::parse::repair::Event;
use crate::parse::scan::{is_space, skip_spaces, skip_until};
use crate::path::PathSegment;

/// The text is not plain JSON from the byte this was returned at: the repairer reads it.
#[derive(Debug)]
pub(super) struct Damaged;

/// What the next byte may be.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum State {
    /// A value (`first`: right after `[`, where `]` may close the array).
    Value { first: bool },
    /// A key (`first`: right after `{`, where `}` may close the object).
    Key { first: bool },
    /// The `:` after a key.
    Colon,
    /// After a value: `,` or the end of its container.
    After,
    /// Inside a string.
    Str { key: bool },
    /// After a `\` in a string; `hex` counts the digits of a `\u` escape read so far.
    Escape {
        key: bool,
        hex: Option<u8>,
        unit: u32,
    },
    /// After a string value's closing quote: the repairer ends the string at the next character
    /// that is not whitespace.
    Closed,
    /// Inside a number or literal.
    Bare,
    /// After a number or literal in an object: the repairer ends it at `,`, `}` or a newline.
    BareEnd,
    /// Inside a member of a member of the root: read by the automaton of `deep.rs`, in the
    /// state given.
    Deep(Deep),
    /// The root value is complete.
    Done,
}

/// The reader of a clean stream (see the module docs).
#[derive(Debug)]
pub(super) struct Clean {
    /// Bytes of the text read.
    pos: usize,
    state: State,
    /// Whether each open container is an object.
    stack: Vec<bool>,
    max_depth: usize,
    /// Where the value of the root's member being read starts.
    member_start: usize,
    /// Where the open string's text, or the open number or literal, starts.
    token_start: usize,
    /// Where the open string value's closing quote is (in [`State::Closed`]), or where the
    /// number or literal ended (in [`State::BareEnd`]).
    closed_at: usize,
    /// Where the open escape's `\` is.
    escape_at: usize,
    /// The key of the root object's member being read.
    key: CompactString,
    /// Root members (or elements) completed.
    index: usize,
    /// How far the open root string's text was reported as [`Event::Text`] (an offset in the
    /// text, always at an escape boundary), and whether any of it was.
    reported_to: usize,
    reported_any: bool,
    /// Where the root value ends, once it has.
    end: Option<usize>,
    /// The deepest nesting seen.
    deepest: usize,
}

impl Clean {
    /// A reader at the start of the root value, which the text starts with.
    pub(super) fn new(max_depth: usize) -> Self {
        Self {
            pos: 0,
            state: State::Value { first: false },
            stack: Vec::new(),
            max_depth,
            member_start: 0,
            token_start: 0,
            closed_at: 0,
            escape_at: 0,
            key: CompactString::default(),
            index: 0,
            reported_to: 0,
            reported_any: false,
            end: None,
            deepest: 0,
        }
    }

    /// Whether reading `chunk` (just added to the text) can wait for a later one: inside a
    /// member of a member of the root, nothing is reported until a bracket closes it, and the
    /// repairer reports nothing either before a `}` or `]` (it closes containers on those alone).
    /// The text is read in one go when a bracket arrives, or at the end.
    #[inline]
    pub(super) fn can_wait(&self, chunk: &str) -> bool {
        self.nested() && !closes(chunk)
    }

    /// Whether the reader is inside a member of a member of the root.
    #[inline]
    pub(super) fn nested(&self) -> bool {
        self.stack.len() >= 2
    }

    /// Whether the reader has read the text (`len` bytes) to its end inside the text of a string
    /// member of the root object, past any escape: a chunk of [`plain_text`] can then be taken
    /// with [`take_plain_text`](Self::take_plain_text) instead of read.
    #[inline]
    pub(super) fn in_root_text(&self, len: usize) -> bool {
        self.pos == len
            && self.state == State::Str { key: false }
            && self.stack.as_slice() == [true]
    }

    /// What [`read`](Self::read) does with `chunk`, plain string text just added to the text,
    /// when [`in_root_text`](Self::in_root_text) held before it: the text is reported as it is.
    #[inline]
    pub(super) fn take_plain_text(&mut self, chunk: &str) -> Event {
        self.pos += chunk.len();
        self.reported_to = self.pos;
        self.reported_any = true;
        Event::Text {
            key: self.key.clone(),
            delta: chunk.into(),
        }
    }

    /// The root value's length and nesting, once it has ended.
    pub(super) fn end(&self) -> Option<Balanced> {
        self.end.map(|len| Balanced {
            len,
            depth: self.deepest,
        })
    }

    /// Reads `text` from where the last call stopped to its end, pushing the events the
    /// repairer would report at this point.
    #[inline]
    pub(super) fn read(&mut self, text: &str, events: &mut Vec<Event>) -> Result<(), Damaged> {
        self.scan(text, events)?;
        if self.stack.len() == 1 {
            self.report_text(text, events);
        }
        Ok(())
    }

    /// [`read`](Self::read)'s loop; the position is kept in a local and stored at the end.
    fn scan(&mut self, text: &str, events: &mut Vec<Event>) -> Result<(), Damaged> {
        let bytes = text.as_bytes();
        let mut i = self.pos;
        let result = loop {
            let Some(&b) = bytes.get(i) else { break Ok(()) };
            match self.state {
                State::Deep(state) => match self.deep(bytes, i, state) {
                    // The member's container closed just before `at`.
                    Ok(Some(at)) => {
                        i = at;
                        self.complete(text, at, events);
                        self.state = State::After;
                    }
                    Ok(None) => i = bytes.len(),
                    Err(damaged) => break Err(damaged),
                },
                State::Str { key } => {
                    let stop = string_run(bytes, i);
                    i = stop;
                    match bytes.get(stop) {
                        None => break Ok(()),
                        Some(b'"') => self.end_quote(text, i, key, events),
                        Some(b'\\') => {
                            self.escape_at = stop;
                            self.state = State::Escape {
                                key,
                                hex: None,
                                unit: 0,
                            };
                        }
                        // `”` closes a string for the repairer; other characters starting
                        // with this byte are text.
                        Some(0xE2) if bytes.get(stop + 1..stop + 3) == Some(&[0x80, 0x9D]) => {
                            break Err(Damaged);
                        }
                        Some(0xE2) => {}
                        Some(_) => break Err(Damaged),
                    }
                    i += 1;
                }
                State::Escape { key, hex, unit } => {
                    self.state = match (hex, b) {
                        (None, b'"' | b'\\' | b'/' | b'b' | b'f' | b'n' | b'r' | b't') => {
                            State::Str { key }
                        }
                        (None, b'u') => State::Escape {
                            key,
                            hex: Some(0),
                            unit: 0,
                        },
                        (Some(n), _) if b.is_ascii_hexdigit() => {
                            let unit = unit * 16 + char::from(b).to_digit(16).unwrap_or(0);
                            if n < 3 {
                                State::Escape {
                                    key,
                                    hex: Some(n + 1),
                                    unit,
                                }
                            } else if (0xD800..0xE000).contains(&unit) {
                                // Surrogates are paired (or not) by the repairer.
                                break Err(Damaged);
                            } else {
                                State::Str { key }
                            }
                        }
                        _ => break Err(Damaged),
                    };
                    i += 1;
                }
                State::Bare => {
                    let end = i + bytes[i..]
                        .iter()
                        .position(|b| {
                            !(b.is_ascii_alphanumeric() || matches!(b, b'.' | b'-' | b'+'))
                        })
                        .unwrap_or(bytes.len() - i);
                    i = end;
                    let Some(&next) = bytes.get(end) else {
                        break Ok(());
                    };
                    if !is_json_scalar(&text[self.token_start..end]) {
                        break Err(Damaged);
                    }
                    match next {
                        b',' | b'}' | b']' => {
                            self.complete(text, end, events);
                            self.state = State::After;
                        }
                        b' ' | b'\n' | b'\r' | b'\t' => {
                            self.state = State::BareEnd;
                            self.closed_at = end;
                        }
                        _ => break Err(Damaged),
                    }
                }
                State::BareEnd if is_space(b) => {
                    self.space_after_bare(text, b, events);
                    i += 1;
                }
                _ if is_space(b) => i = skip_spaces(bytes, i),
                State::Value { first } => {
                    match b {
                        b'{' | b'[' => {
                            if self.open(i, b == b'{').is_err() {
                                break Err(Damaged);
                            }
                        }
                        b'"' => {
                            self.begin_member(i);
                            self.token_start = i + 1;
                            self.reported_to = self.token_start;
                            self.reported_any = false;
                            self.state = State::Str { key: false };
                        }
                        b']' if first => {
                            if self.close(text, i, false, events).is_err() {
                                break Err(Damaged);
                            }
                        }
                        b'-' | b'0'..=b'9' | b't' | b'f' | b'n' => {
                            self.begin_member(i);
                            self.token_start = i;
                            self.state = State::Bare;
                        }
                        _ => break Err(Damaged),
                    }
                    i += 1;
                }
                State::Key { first } => {
                    match b {
                        b'"' => {
                            self.token_start = i + 1;
                            self.state = State::Str { key: true };
                        }
                        b'}' if first => {
                            if self.close(text, i, true, events).is_err() {
                                break Err(Damaged);
                            }
                        }
                        _ => break Err(Damaged),
                    }
                    i += 1;
                }
                State::Colon => {
                    if b != b':' {
                        break Err(Damaged);
                    }
                    self.state = State::Value { first: false };
                    i += 1;
                }
                State::After => {
                    match (b, self.stack.last()) {
                        (b',', Some(&object)) => {
                            self.state = if object {
                                State::Key { first: false }
                            } else {
                                State::Value { first: false }
                            }
                        }
                        (b'}', Some(true)) | (b']', Some(false)) => {
                            if self.close(text, i, b == b'}', events).is_err() {
                                break Err(Damaged);
                            }
                        }
                        _ => break Err(Damaged),
                    }
                    i += 1;
                }
                State::Closed => {
                    // What may follow a string value: the repairer ends the string here too.
                    if !matches!(b, b',' | b'}' | b']') {
                        break Err(Damaged);
                    }
                    self.end_string_value(text, events);
                    self.state = State::After;
                }
                State::BareEnd => {
                    if !matches!(b, b',' | b'}' | b']') {
                        break Err(Damaged);
                    }
                    self.complete(text, self.closed_at, events);
                    self.state = State::After;
                }
                State::Done => i = bytes.len(),
            }
        };
        self.pos = i;
        result
    }

    /// Whitespace after a number or literal: it ends one in an array, and a newline ends one in
    /// an object, for the repairer.
    fn space_after_bare(&mut self, text: &str, b: u8, events: &mut Vec<Event>) {
        if b == b'\n' || self.stack.last() == Some(&false) {
            self.complete(text, self.closed_at, events);
            self.state = State::After;
        }
    }

    /// A value of the root's member starts here (a no-op deeper down).
    fn begin_member(&mut self, at: usize) {
        if self.stack.len() == 1 {
            self.member_start = at;
        }
    }

    /// A container opens at `at` (the root, or a member of it).
    fn open(&mut self, at: usize, object: bool) -> Result<(), Damaged> {
        self.begin_member(at);
        self.push(object)?;
        let first = if object { deep::K1 } else { deep::V1 };
        self.state = match (self.stack.len(), object) {
            (2.., _) => State::Deep(first),
            (_, true) => State::Key { first: true },
            (_, false) => State::Value { first: true },
        };
        Ok(())
    }

    /// Pushes a container on the stack, if the depth limit allows.
    fn push(&mut self, object: bool) -> Result<(), Damaged> {
        if self.stack.len() + 1 >= self.max_depth {
            return Err(Damaged);
        }
        self.stack.push(object);
        self.deepest = self.deepest.max(self.stack.len());
        Ok(())
    }

    /// [`scan`](Self::scan) inside a member of a member of the root, from `i` in `state`: where
    /// the member's container closed (the byte after its bracket), or `None` at the end of the
    /// text (the state kept for the next chunk).
    fn deep(
        &mut self,
        bytes: &[u8],
        mut i: usize,
        mut state: Deep,
    ) -> Result<Option<usize>, Damaged> {
        while let Some(&b) = bytes.get(i) {
            let next = deep::next(state, b);
            i += 1;
            if next < deep::ACTION {
                state = next;
                continue;
            }
            state = match next {
                deep::OPEN_OBJECT | deep::OPEN_ARRAY => {
                    let object = next == deep::OPEN_OBJECT;
                    self.push(object)?;
                    i = skip_line(bytes, i);
                    if object { deep::K1 } else { deep::V1 }
                }
                deep::CLOSE_OBJECT | deep::CLOSE_ARRAY => {
                    if self.stack.pop() != Some(next == deep::CLOSE_OBJECT) {
                        return Err(Damaged);
                    }
                    if self.stack.len() == 1 {
                        return Ok(Some(i));
                    }
                    deep::AFTER_VALUE
                }
                deep::COMMA => {
                    i = skip_line(bytes, i);
                    deep::after_comma(self.stack.last() == Some(&true))
                }
                deep::NEWLINE => {
                    i = skip_spaces(bytes, i - 1);
                    // Between tokens the state stays; a newline ends a number or literal.
                    if state <= deep::AFTER_VALUE {
                        state
                    } else {
                        deep::AFTER_VALUE
                    }
                }
                deep::KEY | deep::STRING_VALUE => {
                    let key = next == deep::KEY;
                    i = string_run(bytes, i);
                    if bytes.get(i) != Some(&b'"') {
                        deep::string_state(key)
                    } else if !key {
                        i += 1;
                        deep::AFTER_VALUE
                    } else if bytes.get(i + 1) != Some(&b':') {
                        i += 1;
                        deep::AFTER_KEY
                    } else {
                        // `": "` as serde_json writes it, read at once.
                        i += if bytes.get(i + 2) == Some(&b' ') {
                            3
                        } else {
                            2
                        };
                        deep::VALUE
                    }
                }
                _ => return Err(Damaged),
            };
        }
        self.state = State::Deep(state);
        Ok(None)
    }

    /// The `}` or `]` at `at` closes the innermost container.
    fn close(
        &mut self,
        text: &str,
        at: usize,
        object: bool,
        events: &mut Vec<Event>,
    ) -> Result<(), Damaged> {
        if self.stack.pop() != Some(object) {
            return Err(Damaged);
        }
        if self.stack.is_empty() {
            self.state = State::Done;
            self.end = Some(at + 1);
        } else {
            self.complete(text, at + 1, events);
            self.state = State::After;
        }
        Ok(())
    }

    /// The closing quote of a string at `at`.
    fn end_quote(&mut self, text: &str, at: usize, key: bool, events: &mut Vec<Event>) {
        if !key {
            self.closed_at = at;
            self.state = State::Closed;
            return;
        }
        if self.stack.len() == 1 {
            self.key = decode(&text[self.token_start..at]);
            events.push(Event::Started {
                key: self.key.clone(),
            });
        }
        self.state = State::Colon;
    }

    /// A string value ends (its closing quote at `self.closed_at`).
    fn end_string_value(&mut self, text: &str, events: &mut Vec<Event>) {
        if self.stack.len() == 1 && self.reported_any {
            // The rest of a text reported in part, so the deltas add up to the value.
            let delta = decode(&text[self.reported_to..self.closed_at]);
            if !delta.is_empty() {
                events.push(Event::Text {
                    key: self.key.clone(),
                    delta,
                });
            }
        }
        self.complete(text, self.closed_at + 1, events);
    }

    /// A value ending at `end` is complete: reported when it is one of the root's members.
    fn complete(&mut self, text: &str, end: usize, events: &mut Vec<Event>) {
        if self.stack.len() == 1 {
            let value = Member::json(text[self.member_start..end].to_owned());
            self.push_complete(value, events);
        }
    }

    fn push_complete(&mut self, value: Member, events: &mut Vec<Event>) {
        let at = match self.stack.first() {
            Some(true) => PathSegment::Key(self.key.clone()),
            _ => PathSegment::Index(self.index),
        };
        self.index += 1;
        events.push(Event::Complete { at, value });
    }

    /// At the end of a chunk: the new text of a string member of the root object still open.
    fn report_text(&mut self, text: &str, events: &mut Vec<Event>) {
        if self.stack.as_slice() != [true] {
            return;
        }
        let end = match self.state {
            State::Str { key: false } => self.pos,
            State::Escape { key: false, .. } => self.escape_at,
            State::Closed => self.closed_at,
            _ => return,
        };
        if end <= self.reported_to {
            return;
        }
        events.push(Event::Text {
            key: self.key.clone(),
            delta: decode(&text[self.reported_to..end]),
        });
        self.reported_to = end;
        self.reported_any = true;
    }
}

/// Where the indentation after a newline at `from` ends (`from` itself when there is no newline):
/// what pretty-printed JSON has after `{`, `[` and `,`.
#[inline(always)]
fn skip_line(bytes: &[u8], from: usize) -> usize {
    if bytes.get(from) == Some(&b'\n') {
        skip_spaces(bytes, from)
    } else {
        from
    }
}

/// Where the run of plain string text from `from` ends: at a quote, a backslash, a control
/// character or a byte that may start `”`. Short runs (what a chunk of a few bytes adds) are
/// scanned byte by byte, long ones a word at a time.
#[inline]
fn string_run(bytes: &[u8], from: usize) -> usize {
    if bytes.len() - from >= 16 {
        return skip_until(bytes, from, b"\"\\\xE2", true);
    }
    let mut i = from;
    while let Some(&b) = bytes.get(i) {
        if b == b'"' || b == b'\\' || b < 0x20 || b == 0xE2 {
            break;
        }
        i += 1;
    }
    i
}

/// Whether `chunk` is plain string text, which [`Clean::scan`] reads to its end without a stop:
/// no quote, backslash, control character or byte that may start `”`.
#[inline]
pub(super) fn plain_text(chunk: &str) -> bool {
    string_run(chunk.as_bytes(), 0) == chunk.len()
}

/// Whether `word` is `true`, `false`, `null` or a number as JSON writes it.
fn is_json_scalar(word: &str) -> bool {
    matches!(word, "true" | "false" | "null") || crate::parse::repair::is_json_number(word)
}

/// The text of a JSON string's contents (between its quotes), its escapes checked.
fn decode(raw: &str) -> CompactString {
    if !raw.contains('\\') {
        return raw.into();
    }
    let quoted = format!("\"{raw}\"");
    serde_json::from_str::<String>(&quoted).map_or_else(|_| raw.into(), CompactString::from)
}
