//! Reading single tokens: whitespace and comments between them, strings with their escapes,
//! unquoted words (numbers and literals), each as the repairer reads it.

use super::{Expect, Lexer, Tok};
use crate::parse::FixKind;
use crate::parse::lenient::Stop;
use crate::parse::repair::{cut_literal, is_json_number, number};
use crate::parse::scan::{is_space, skip_spaces, skip_until};

impl<'de> Lexer<'de, '_> {
    /// Skips whitespace and comments (recording them); the next byte, if any.
    #[inline(always)]
    pub(super) fn skip(&mut self, expect: Expect) -> Result<Option<u8>, Stop> {
        let gap = |b: u8| matches!(b, b' ' | b'\n' | b'\r' | b'\t' | b'/' | b'#');
        match self.bytes.get(self.pos) {
            Some(&b) if !gap(b) => Ok(Some(b)),
            // One space before the next token, as `": "` and `", "` leave it.
            Some(b' ') => match self.bytes.get(self.pos + 1) {
                Some(&b) if !gap(b) => {
                    self.pos += 1;
                    Ok(Some(b))
                }
                _ => self.skip_gap(expect),
            },
            _ => self.skip_gap(expect),
        }
    }

    /// [`skip`](Self::skip) over whitespace or a comment.
    #[inline(never)]
    pub(super) fn skip_gap(&mut self, expect: Expect) -> Result<Option<u8>, Stop> {
        loop {
            self.pos = skip_spaces(self.bytes, self.pos);
            match self.bytes.get(self.pos) {
                Some(b'/' | b'#') => self.comment(expect)?,
                other => return Ok(other.copied()),
            }
        }
    }

    /// Skips the comment starting with the `/` or `#` at `pos` (recording it); a `/` that starts
    /// no comment, or a `#` where a value may start with one, is left to the repair path.
    #[cold]
    #[inline(never)]
    fn comment(&mut self, expect: Expect) -> Result<(), Stop> {
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
            _ => {
                self.fix(FixKind::Comment);
                self.line_comment(self.pos + 1);
            }
        }
        Ok(())
    }

    /// A line comment whose text starts at `from`: it ends after the next newline.
    pub(super) fn line_comment(&mut self, from: usize) {
        self.pos = match self.bytes.get(from..) {
            Some(rest) => rest
                .iter()
                .position(|&b| b == b'\n')
                .map_or(self.bytes.len(), |i| from + i + 1),
            None => self.bytes.len(),
        };
    }

    /// Reads the token of the value at `pos` (not a container's: that opens later) and keeps it
    /// for serde. It is written where it is kept: a token returned, then copied there, is read
    /// back whole right after its parts were written, which stalls the processor.
    #[inline(always)]
    pub(super) fn peek_token(&mut self) -> Result<(), Stop> {
        self.after_comma = false;
        let first = match self.bytes.get(self.pos) {
            Some(&b) => b,
            None => return Err(self.bail()),
        };
        match first {
            b'{' | b'[' => self.peek(Tok::Open {
                object: first == b'{',
            }),
            b'"' | b'\'' => {
                if first == b'\'' {
                    self.fix(FixKind::SingleQuotes);
                }
                let (text, closed) = self.quoted(first)?;
                if closed {
                    // A closing quote ends a value before a comma, a bracket, a colon or a
                    // comment; anything else may make it text.
                    let mut next = self.pos;
                    while self.bytes.get(next).copied().is_some_and(is_space) {
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
                self.peek(Tok::Str(text));
            }
            b if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'+') => self.word()?,
            _ => return Err(self.bail()),
        }
        Ok(())
    }

    /// An unquoted value that ends at a comma, a bracket, a newline or the end of the text, kept
    /// for serde.
    pub(super) fn word(&mut self) -> Result<(), Stop> {
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
        let tok = match word {
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
        };
        self.peek(tok);
        Ok(())
    }

    /// Where a run of the characters of an unquoted word starting at `from` ends.
    pub(super) fn word_end(&self, from: usize) -> usize {
        let rest = self.bytes.get(from..).unwrap_or_default();
        from + rest
            .iter()
            .position(|&b| !(b.is_ascii_alphanumeric() || matches!(b, b'.' | b'-' | b'+' | b'_')))
            .unwrap_or(rest.len())
    }

    /// Reads the string whose opening `quote` is at `pos`: its text (borrowed, or `None` when
    /// decoded into the scratch buffer) and whether it was closed (not cut off by the end).
    ///
    /// Inlined into its callers, over [`string`](Self::string), which tells where the text ends
    /// in two words that come back in registers: a returned `&str` read back from memory right
    /// after it was written stalls the processor.
    #[inline(always)]
    pub(super) fn quoted(&mut self, quote: u8) -> Result<(Option<&'de str>, bool), Stop> {
        let start = self.pos + 1;
        let read = self.string(quote)?;
        Ok((read.text(self.src, start), read.closed()))
    }

    /// [`quoted`](Self::quoted)'s scan: where the string's text ends, whether it was decoded
    /// into the scratch buffer and whether it was closed.
    fn string(&mut self, quote: u8) -> Result<StrRead, Stop> {
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
                        return Ok(StrRead::new(bytes.len(), StrEnd::ScratchCut));
                    }
                    return Ok(StrRead::new(bytes.len(), StrEnd::Cut));
                }
                Some(&b) if b == quote => {
                    self.pos = i + 1;
                    if owned {
                        self.scratch.push_str(&src[seg..i]);
                        return Ok(StrRead::new(i, StrEnd::Scratch));
                    }
                    return Ok(StrRead::new(i, StrEnd::Closed));
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
    pub(super) fn escape(&mut self, at: usize) -> Result<usize, Stop> {
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
    pub(super) fn hex4(&mut self, at: usize) -> Result<u32, Stop> {
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
}

/// A string [`Lexer::string`] read: its text ends at `end` (in the source, or in the scratch
/// buffer when it was decoded there).
#[derive(Clone, Copy)]
struct StrRead {
    end: usize,
    how: StrEnd,
}

/// How a string ended, and where its text is.
#[derive(Clone, Copy, PartialEq, Eq)]
enum StrEnd {
    /// At its closing quote; its text is in the source.
    Closed,
    /// At its closing quote; its text was decoded into the scratch buffer.
    Scratch,
    /// At the end of the text, before any closing quote; its text is in the source.
    Cut,
    /// At the end of the text; its text was decoded into the scratch buffer.
    ScratchCut,
}

impl StrRead {
    fn new(end: usize, how: StrEnd) -> Self {
        Self { end, how }
    }

    /// Whether the closing quote was found.
    fn closed(self) -> bool {
        matches!(self.how, StrEnd::Closed | StrEnd::Scratch)
    }

    /// Its text in `src`, where it starts at `start`; `None` when it is in the scratch buffer.
    fn text(self, src: &str, start: usize) -> Option<&str> {
        match self.how {
            StrEnd::Closed | StrEnd::Cut => src.get(start..self.end),
            StrEnd::Scratch | StrEnd::ScratchCut => None,
        }
    }
}
