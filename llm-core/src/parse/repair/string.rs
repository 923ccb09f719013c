//! Strings as the repairer reads them: quotes of every style, escapes, surrogate pairs, and the
//! quote that may be text (`"say "hi" now"`) or may close the string, decided by what follows.

use serde_json::Value;

use super::{Event, Expect, Frame, Mode, Repairer, is_literal, number};
use crate::parse::FixKind;

#[derive(Clone, Copy, PartialEq, Eq)]
pub(super) enum Quote {
    Double,
    Single,
    /// `“` closed by `”` (or `"`), and `‘` closed by `’`.
    SmartDouble,
    SmartSingle,
}

impl Quote {
    /// The quote that closes this style when the model is consistent.
    pub(super) fn closer(self) -> char {
        match self {
            Quote::Double => '"',
            Quote::Single => '\'',
            Quote::SmartDouble => '”',
            Quote::SmartSingle => '’',
        }
    }

    pub(super) fn closes(self, c: char) -> bool {
        match self {
            Quote::Double => c == '"' || c == '”',
            Quote::Single => c == '\'',
            Quote::SmartDouble => c == '”' || c == '"' || c == '“',
            Quote::SmartSingle => c == '’' || c == '\'',
        }
    }
}

/// A quote that may end a string, waiting for what follows it to decide.
pub(super) struct Pending {
    pub(super) quote: char,
    /// Whitespace after the quote.
    pub(super) ws: String,
    /// A word after the whitespace: if it is a literal or a number, the quote ended the string
    /// and a comma is missing (`["a" null]`); otherwise the quote was text (`"say "hi" now"`).
    pub(super) word: String,
    /// A second quote right after the first (`"no""`): if the value ends after it, the first was
    /// text and the second closes (`"He said "no""`); otherwise a comma is missing (`"a""b"`).
    pub(super) doubled: Option<char>,
}

/// Longest word read after a pending quote; a longer one is text.
const MAX_PENDING_WORD: usize = 32;

pub(super) struct Str {
    pub(super) quote: Quote,
    pub(super) buf: String,
    pub(super) key: bool,
    pub(super) escape: Escape,
    /// A quote that may close the string, and the whitespace seen after it: it closes only if
    /// the next character fits what follows a string here.
    pub(super) pending: Option<Pending>,
    /// A `\\u` high surrogate waiting for its low half.
    pub(super) high: Option<u32>,
}

impl Str {
    pub(super) fn push_str(&mut self, text: &str) {
        self.flush_surrogate();
        self.buf.push_str(text);
    }

    pub(super) fn push(&mut self, c: char) {
        self.flush_surrogate();
        self.buf.push(c);
    }

    /// A high surrogate not followed by its low half becomes U+FFFD.
    pub(super) fn flush_surrogate(&mut self) {
        if self.high.take().is_some() {
            self.buf.push('\u{fffd}');
        }
    }

    pub(super) fn push_unit(&mut self, unit: u32) {
        match unit {
            0xD800..=0xDBFF => {
                self.flush_surrogate();
                self.high = Some(unit);
            }
            0xDC00..=0xDFFF => match self.high.take() {
                Some(high) => {
                    let code = 0x1_0000 + ((high - 0xD800) << 10) + (unit - 0xDC00);
                    self.buf.push(char::from_u32(code).unwrap_or('\u{fffd}'));
                }
                None => self.buf.push('\u{fffd}'),
            },
            _ => self.push(char::from_u32(unit).unwrap_or('\u{fffd}')),
        }
    }
}

pub(super) enum Escape {
    None,
    Backslash,
    Unicode { digits: u8, value: u32 },
}

impl Repairer {
    pub(super) fn start_string(&mut self, quote: Quote, key: bool) {
        self.reported = 0;
        match quote {
            Quote::Double => {}
            Quote::Single => self.fix(FixKind::SingleQuotes),
            Quote::SmartDouble | Quote::SmartSingle => self.fix(FixKind::SmartQuotes),
        }
        self.mode = Mode::Str(Str {
            quote,
            buf: self.take_buf(),
            key,
            escape: Escape::None,
            pending: None,
            high: None,
        });
    }

    pub(super) fn in_string(&mut self, mut s: Str, c: char) {
        if let Some(mut pending) = s.pending.take() {
            if let Some(second) = pending.doubled {
                if c.is_whitespace() || matches!(c, ',' | '}' | ']' | ':') {
                    self.fix(FixKind::UnescapedQuote);
                    s.push(pending.quote);
                    self.end_string(s);
                } else {
                    self.end_string(s);
                    self.step(second);
                }
                self.step(c);
                return;
            }
            if pending.ws.is_empty() && pending.word.is_empty() && s.quote.closes(c) {
                pending.doubled = Some(c);
                s.pending = Some(pending);
                self.mode = Mode::Str(s);
                return;
            }
            let word_char = c.is_alphanumeric() || matches!(c, '.' | '-' | '+');
            if pending.word.is_empty() {
                if c.is_whitespace() {
                    pending.ws.push(c);
                    s.pending = Some(pending);
                    self.mode = Mode::Str(s);
                    return;
                }
                // A quote of another style (`”` in a `"` string) ends the string only before a
                // comma or a bracket: `"”#"` is text, not an empty string and a comment.
                let closes = if pending.quote == s.quote.closer() {
                    matches!(c, ',' | '}' | ']' | ':' | '/' | '#' | '{' | '[')
                        || opening_quote(c).is_some()
                } else {
                    matches!(c, ',' | '}' | ']' | ':')
                };
                if closes {
                    self.end_string(s);
                    self.step(c);
                    return;
                }
                if word_char && !pending.ws.is_empty() {
                    pending.word.push(c);
                    s.pending = Some(pending);
                    self.mode = Mode::Str(s);
                    return;
                }
            } else if word_char && pending.word.len() < MAX_PENDING_WORD {
                pending.word.push(c);
                s.pending = Some(pending);
                self.mode = Mode::Str(s);
                return;
            } else if (c.is_whitespace() || matches!(c, ',' | '}' | ']') || is_quote(c))
                && (is_literal(&pending.word) || number(&pending.word).is_some())
            {
                // `["a" null]`: the quote ended the string; read the word as the next value.
                self.end_string(s);
                for w in pending.word.chars() {
                    self.step(w);
                }
                self.step(c);
                return;
            }
            // The quote was part of the text.
            self.fix(FixKind::UnescapedQuote);
            s.push(pending.quote);
            s.push_str(&pending.ws);
            s.push_str(&pending.word);
        }
        match s.escape {
            Escape::Backslash => {
                s.escape = Escape::None;
                match c {
                    '"' | '\\' | '/' | '\'' => s.push(c),
                    'n' => s.push('\n'),
                    't' => s.push('\t'),
                    'r' => s.push('\r'),
                    'b' => s.push('\u{8}'),
                    'f' => s.push('\u{c}'),
                    'u' => {
                        s.escape = Escape::Unicode {
                            digits: 0,
                            value: 0,
                        }
                    }
                    _ => {
                        self.fix(FixKind::InvalidEscape);
                        s.push('\\');
                        s.push(c);
                    }
                }
            }
            Escape::Unicode { digits, value } => match c.to_digit(16) {
                Some(d) => {
                    let value = value * 16 + d;
                    if digits == 3 {
                        s.escape = Escape::None;
                        s.push_unit(value);
                    } else {
                        s.escape = Escape::Unicode {
                            digits: digits + 1,
                            value,
                        };
                    }
                }
                None => {
                    self.fix(FixKind::InvalidEscape);
                    s.escape = Escape::None;
                    s.push_str("\\u");
                    self.mode = Mode::Str(s);
                    return self.step(c);
                }
            },
            Escape::None => {
                if c == '\\' {
                    s.escape = Escape::Backslash;
                } else if s.quote.closes(c) && s.key {
                    // Keys do not hold quotes: a quote always ends one.
                    self.end_string(s);
                    return;
                } else if s.quote.closes(c) {
                    s.pending = Some(Pending {
                        quote: c,
                        ws: String::new(),
                        word: String::new(),
                        doubled: None,
                    });
                } else {
                    if c < ' ' {
                        self.fix(FixKind::ControlCharacter);
                    }
                    s.push(c);
                }
            }
        }
        self.mode = Mode::Str(s);
    }

    pub(super) fn end_string(&mut self, mut s: Str) {
        s.flush_surrogate();
        let text = s.buf;
        if s.key {
            if let Some(Frame::Object { key, .. }) = self.stack.last_mut() {
                *key = Some(text);
            }
            self.report_key();
            self.mode = Mode::Between(Expect::Colon);
        } else {
            // Finish the text already reported in part, so deltas add up to the value.
            if self.reported > 0
                && text.len() > self.reported
                && let (Some(events), [Frame::Object { key: Some(key), .. }]) =
                    (&mut self.events, self.stack.as_slice())
            {
                events.push(Event::Text {
                    key: key.as_str().into(),
                    delta: text[self.reported..].into(),
                });
            }
            self.reported = 0;
            if let Some(out) = &mut self.text {
                out.string(self.stack.last().and_then(Frame::key), &text);
                self.recycle(text);
                self.placed();
            } else {
                let text = self.exact(text);
                self.complete(Value::String(text));
            }
        }
    }
}

fn is_quote(c: char) -> bool {
    matches!(c, '"' | '\'' | '“' | '”' | '‘' | '’')
}

pub(super) fn opening_quote(c: char) -> Option<Quote> {
    match c {
        '"' => Some(Quote::Double),
        '\'' => Some(Quote::Single),
        '“' | '”' => Some(Quote::SmartDouble),
        '‘' | '’' => Some(Quote::SmartSingle),
        _ => None,
    }
}
