//! Parsing a reply while it streams in.
//!
//! [`StreamParser`] reads each chunk as it arrives: nothing is read twice, so the total work is
//! linear in the reply, not a re-parse of the whole buffer per chunk. It reports [`Event`]s (a
//! member started, more of its text, a member complete) and can show the partial value at any
//! time; [`finish`](StreamParser::finish) fits the whole to the type.
//!
//! While the reply is plain JSON, a light reader (`clean.rs`) only finds where the root's members
//! start and end: a completed member is reported by its text, read into a value when the caller
//! asks ([`Member`]). At the first byte that needs repair, the text so far goes to one
//! [`Repairer`], which reads the rest and reports the same events it would have reported from the
//! start; the members it completes carry the values it read, or, for arrays and objects, their
//! text, repaired when read (it builds nothing below the root's members). Either reader, inside
//! a member of a member of the root, reports nothing before a `}` or `]`: a chunk without one is
//! only kept, and read with the next chunk that has one (a token costs a copy, whatever the
//! reader). The parser keeps the text it was fed (from the first `{` or `[`); `finish` reads it
//! the way [`parse`](super::parse) reads a candidate: serde alone when it is clean JSON, repaired
//! text when serde can read that, the repair path otherwise.

mod clean;
mod deep;
mod keep;
mod member;
#[cfg(test)]
mod tests;

use std::marker::PhantomData;

use serde_json::Value;

use super::repair::{Event, Limits, Repairer};
use super::{ParseError, ParseErrorKind, Parsed};
use crate::output::LlmOutput;
use clean::Clean;
pub use member::Member;

/// How much of the reply's start is kept for error excerpts.
const HEAD_BYTES: usize = super::RAW_EXCERPT_CHARS * 4;

/// An incremental parser for a reply that arrives in chunks.
///
/// ```
/// use llm_core::parse::{Event, StreamParser};
/// use llm_core::prelude::*;
///
/// #[derive(Debug, Deserialize, JsonSchema, LlmOutput)]
/// struct Answer { title: String, score: u8 }
///
/// let mut parser = StreamParser::<Answer>::new();
/// let mut seen = Vec::new();
/// for chunk in ["Sure! {\"title\": \"Ru", "st\", \"score\": \"9\"", "}"] {
///     for event in parser.feed(chunk) {
///         if let Event::Complete { at, value } = event {
///             seen.push(format!("{at}={}", value.to_value()));
///         }
///     }
/// }
/// assert_eq!(seen, ["title=\"Rust\"", "score=\"9\""]);
/// let answer = parser.finish()?.value;
/// assert_eq!((answer.title.as_str(), answer.score), ("Rust", 9));
/// # Ok::<(), llm_core::ParseError>(())
/// ```
#[derive(Debug)]
pub struct StreamParser<T> {
    reader: Reader,
    /// Whether the value has started (text before the first `{` or `[` is skipped).
    started: bool,
    /// How long the text may grow by chunks without a closing bracket that are only kept (see
    /// `Clean::can_wait` and `Repairer::nested`): while the reader is inside a member of a member
    /// of the root, the byte limit or the text's capacity, whichever is less (the text grows in
    /// `feed_slow`); 0 otherwise.
    keep_limit: usize,
    /// How long the text may grow by chunks of plain string text that are appended and reported
    /// as they are (see `Clean::in_root_text`): while the light reader is inside the text of a
    /// string member of the root object, the byte limit or the text's capacity, whichever is
    /// less; 0 otherwise.
    text_limit: usize,
    /// The start of the reply, kept for error excerpts: while it is shorter than `HEAD_BYTES`,
    /// the chunks only kept since are `text[synced..]`.
    head: String,
    /// The text's length after the last chunk that was read rather than only kept: the repairer,
    /// once it reads the stream, has read the text up to here.
    synced: usize,
    /// The reply from the first `{` or `[` on.
    text: String,
    limits: Limits,
    _target: PhantomData<fn() -> T>,
}

/// Who reads the stream: the light reader while the text is plain JSON, then the repairer.
#[derive(Debug)]
enum Reader {
    Clean(Clean),
    Repair(Box<Repairer>),
}

impl<T: LlmOutput> Default for StreamParser<T> {
    fn default() -> Self {
        Self::new()
    }
}

impl<T: LlmOutput> StreamParser<T> {
    /// A parser with the default [`Limits`].
    pub fn new() -> Self {
        Self::with_limits(Limits::default())
    }

    /// A parser with the given limits.
    pub fn with_limits(limits: Limits) -> Self {
        Self {
            reader: Reader::Clean(Clean::new(limits.max_depth)),
            started: false,
            keep_limit: 0,
            text_limit: 0,
            head: String::new(),
            synced: 0,
            text: String::new(),
            limits,
            _target: PhantomData,
        }
    }

    /// Reads the next chunk; returns what progressed.
    #[inline(always)]
    pub fn feed(&mut self, chunk: &str) -> Vec<Event> {
        // The common case first: a stream inside a nested value, where the chunk is only kept
        // (see `keep_limit`). It is all the caller inlines.
        if self.text.len() + chunk.len() <= self.keep_limit {
            if keep::keep(&mut self.text, chunk) {
                return Vec::new();
            }
            return self.feed_closing(chunk);
        }
        if self.text.len() + chunk.len() <= self.text_limit {
            return self.feed_text(chunk);
        }
        self.feed_slow(chunk)
    }

    /// [`feed`](Self::feed) inside the text of a string member of the root object, within the
    /// text's capacity and the byte limit: a chunk of plain text (what most tokens there are) is
    /// appended and reported as it is, without a read.
    #[inline(never)]
    fn feed_text(&mut self, chunk: &str) -> Vec<Event> {
        // An empty chunk adds no text, and reports none.
        if let Reader::Clean(clean) = &mut self.reader
            && !chunk.is_empty()
            && clean::plain_text(chunk)
        {
            keep::append(&mut self.text, chunk);
            return vec![clean.take_plain_text(chunk)];
        }
        self.feed_slow(chunk)
    }

    /// [`feed`](Self::feed) for a chunk with a closing bracket inside a nested value, within the
    /// text's capacity and the byte limit: appended and read, without the checks of other chunks.
    #[inline(never)]
    fn feed_closing(&mut self, chunk: &str) -> Vec<Event> {
        self.sync_head();
        if self.head.len() < HEAD_BYTES {
            self.head.push_str(chunk);
        }
        let before = self.text.len();
        keep::append(&mut self.text, chunk);
        let events = match &mut self.reader {
            Reader::Clean(clean) => {
                let mut events = Vec::new();
                if clean.read(&self.text, &mut events).is_ok() {
                    if !clean.nested() {
                        self.set_limits();
                    }
                    self.synced = self.text.len();
                    return events;
                }
                self.hand_over(before, chunk)
            }
            // The chunks only kept since the repairer last read, and this one, in one call.
            Reader::Repair(repairer) => {
                repairer.feed(self.text.get(self.synced..).unwrap_or_default());
                with_text(repairer.take_events(), &self.text)
            }
        };
        self.set_limits();
        self.synced = self.text.len();
        events
    }

    /// [`feed`](Self::feed) for every chunk that must be read now: kept apart so the common
    /// case stays a few instructions.
    #[inline(never)]
    fn feed_slow(&mut self, chunk: &str) -> Vec<Event> {
        self.sync_head();
        let events = self.read_chunk(chunk);
        self.set_limits();
        self.synced = self.text.len();
        events
    }

    /// Sets how far the text may grow by chunks only kept (`keep_limit`) or taken as plain text
    /// (`text_limit`), after a chunk was read.
    fn set_limits(&mut self) {
        let limit = self.limits.max_bytes.min(self.text.capacity());
        (self.keep_limit, self.text_limit) = match &self.reader {
            Reader::Clean(clean) if clean.nested() => (limit, 0),
            Reader::Clean(clean) if clean.in_root_text(self.text.len()) => (0, limit),
            Reader::Repair(repairer) if repairer.nested() => (limit, 0),
            _ => (0, 0),
        };
    }

    /// Adds the chunks only kept since the last chunk that was read to the head, if it is still
    /// short.
    fn sync_head(&mut self) {
        if self.head.len() < HEAD_BYTES
            && let Some(kept) = self.text.get(self.synced..)
        {
            self.head.push_str(kept);
        }
    }

    /// Reads a chunk that [`feed`](Self::feed) could not only keep.
    #[inline(always)]
    fn read_chunk(&mut self, chunk: &str) -> Vec<Event> {
        if self.head.len() < HEAD_BYTES {
            self.head.push_str(chunk);
        }
        let chunk = if self.started {
            chunk
        } else {
            match chunk.find(['{', '[']) {
                Some(start) => {
                    self.started = true;
                    &chunk[start..]
                }
                None => return Vec::new(),
            }
        };
        let before = self.text.len();
        // Past the limit the repairer stops with an error; the text need not grow further.
        if before <= self.limits.max_bytes {
            grow(&mut self.text, chunk.len());
            keep::append(&mut self.text, chunk);
        }
        let clean = match &mut self.reader {
            Reader::Repair(repairer) => {
                // The chunks only kept since it last read come first.
                if let Some(kept) = self.text.get(self.synced..before)
                    && !kept.is_empty()
                {
                    repairer.feed(kept);
                }
                repairer.feed(chunk);
                return with_text(repairer.take_events(), &self.text);
            }
            Reader::Clean(clean) => clean,
        };
        let mut events = Vec::new();
        if self.text.len() <= self.limits.max_bytes
            && (clean.can_wait(chunk) || clean.read(&self.text, &mut events).is_ok())
        {
            return events;
        }
        self.hand_over(before, chunk)
    }

    /// The text is not plain JSON (or too long) from `chunk` on: the repairer takes over. It
    /// reads the text before the chunk (the first `before` bytes), whose events were reported,
    /// then the chunk, whose events it reports instead.
    #[cold]
    #[inline(never)]
    fn hand_over(&mut self, before: usize, chunk: &str) -> Vec<Event> {
        let mut repairer = Box::new(Repairer::with_lazy_members(self.limits));
        repairer.feed(self.text.get(..before).unwrap_or_default());
        drop(repairer.take_events());
        repairer.feed(chunk);
        let events = with_text(repairer.take_events(), &self.text);
        self.reader = Reader::Repair(repairer);
        events
    }

    /// The value read so far, open strings and containers closed where they stand (`None`
    /// before the value starts). Costs a copy of the value; call it when a view is needed, not
    /// per chunk.
    pub fn partial(&self) -> Option<Value> {
        // The parser's own tree gave its members away to the events: read the text again.
        let mut repairer = Repairer::new(self.limits);
        repairer.feed(&self.text);
        repairer.snapshot()
    }

    /// Ends the reply: repairs what was cut off, fits the value to `T`, deserializes it.
    pub fn finish(mut self) -> Result<Parsed<T>, ParseError> {
        // Text the light reader left for later is read now (it can only complete nothing; if it
        // is not plain JSON, the repairer's verdict on the limits is needed).
        match &mut self.reader {
            Reader::Clean(clean) => {
                if clean.read(&self.text, &mut Vec::new()).is_err() {
                    let mut repairer = Box::new(Repairer::with_lazy_members(self.limits));
                    repairer.feed(&self.text);
                    self.reader = Reader::Repair(repairer);
                }
            }
            // So are the chunks only kept since the repairer last read.
            Reader::Repair(repairer) => {
                repairer.feed(self.text.get(self.synced..).unwrap_or_default());
            }
        }
        self.sync_head();
        let head = self.head;
        if !self.started {
            let kind = if head.trim().is_empty() {
                ParseErrorKind::Empty
            } else {
                ParseErrorKind::NoJson
            };
            return Err(ParseError::new(kind, &head));
        }
        if let Reader::Repair(repairer) = &self.reader
            && let Some(err) = repairer.error()
        {
            return Err(ParseError::new(err.into(), &head));
        }
        // A stream read to its end as plain JSON says where the value ends: not searched again.
        let end = match &self.reader {
            Reader::Clean(clean) => clean.end(),
            Reader::Repair(_) => None,
        };
        super::read_text::<T>(&self.text, end, self.limits)
            .map_err(|kind| ParseError::new(kind, &head))
    }
}

/// The repairer's `events`, each member it reported by where its text lies given that text, from
/// `input`, what the repairer read.
fn with_text(mut events: Vec<Event>, input: &str) -> Vec<Event> {
    for event in &mut events {
        if let Event::Complete { value, .. } = event {
            // The repairer read nothing the text does not hold.
            let resolved = value.resolve(input);
            debug_assert!(resolved, "a member's text lies outside the stream's text");
        }
    }
    events
}

/// The text's first capacity, and up to which length it grows fourfold (then twofold).
const FIRST_CAPACITY: usize = 1024;
const FOURFOLD_BELOW: usize = 64 * 1024;

/// Makes room for `more` bytes in `text`: a reply of a few kilobytes is copied little as it grows,
/// a long one does not take more than twice its length.
#[inline]
fn grow(text: &mut String, more: usize) {
    let len = text.len();
    if text.capacity() - len < more {
        let by = if len < FOURFOLD_BELOW { 3 * len } else { len };
        text.reserve_exact(more.max(by).max(FIRST_CAPACITY));
    }
}

/// For the fuzzer: whether the stream parser reports, chunk by chunk, what the repairer alone
/// reports for `text` (from its first `{` or `[`) cut into chunks of `size` bytes, with an empty
/// chunk after each.
#[cfg(fuzzing)]
pub fn agrees(text: &str, size: usize) -> bool {
    let Some(start) = text.find(['{', '[']) else {
        return true;
    };
    let text = &text[start..];
    let mut parser = StreamParser::<Value>::new();
    let mut repairer = Repairer::with_moved_events(Limits::default());
    chunks(text, size).all(|chunk| {
        [chunk, ""].into_iter().all(|part| {
            repairer.feed(part);
            parser.feed(part) == repairer.take_events()
        })
    })
}

/// `text` cut into chunks of `size` bytes (at least one), each end moved to the next character
/// boundary.
#[cfg(any(test, fuzzing))]
fn chunks(text: &str, size: usize) -> impl Iterator<Item = &str> {
    let mut start = 0;
    std::iter::from_fn(move || {
        if start >= text.len() {
            return None;
        }
        let mut end = (start + size.max(1)).min(text.len());
        while !text.is_char_boundary(end) {
            end += 1;
        }
        let chunk = &text[start..end];
        start = end;
        Some(chunk)
    })
}
