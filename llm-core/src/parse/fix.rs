//! What parsing returns besides the value: each fix, its kind and where it was made.

use crate::path::FieldPath;

/// A parsed value with the fixes it needed.
#[derive(Debug, Clone, PartialEq)]
pub struct Parsed<T> {
    /// The value.
    pub value: T,
    /// What was done to the reply to get it, in order; empty for clean JSON.
    pub fixes: Vec<Fix>,
}

impl<T> Parsed<Box<T>> {
    /// The value out of its box.
    pub(super) fn unboxed(self) -> Parsed<T> {
        Parsed {
            value: *self.value,
            fixes: self.fixes,
        }
    }
}

/// One change or choice made while parsing.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Fix {
    /// What was done.
    pub kind: FixKind,
    /// Where in the value; the root for whole-reply fixes.
    pub path: FieldPath,
}

/// The kinds of [`Fix`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum FixKind {
    /// The JSON was taken out of a markdown code fence.
    ExtractedFromFence,
    /// The JSON was taken out of surrounding prose.
    ExtractedFromProse,
    /// Text after the complete value was ignored.
    TrailingText,
    /// Bytes that are not UTF-8 were replaced with U+FFFD (see [`parse_bytes`](super::parse_bytes)).
    InvalidUtf8,
    /// A byte order mark was skipped.
    Bom,
    /// A `//`, `/* */` or `#` comment was skipped.
    Comment,
    /// A comma before `}` or `]` was dropped.
    TrailingComma,
    /// A missing comma between members or elements was assumed.
    MissingComma,
    /// A doubled comma or a stray colon was skipped.
    ExtraPunctuation,
    /// A missing `:` after a key was assumed (or `=` read as `:`).
    MissingColon,
    /// A member with a key and no value (`{"a": }`) got `null`.
    MissingValue,
    /// A `}` closed an array, or a `]` an object.
    MismatchedBracket,
    /// A key without quotes.
    UnquotedKey,
    /// A string value without quotes.
    UnquotedValue,
    /// A string in single quotes.
    SingleQuotes,
    /// A string in typographic quotes (`“...”`).
    SmartQuotes,
    /// A quote inside a string that was not escaped was kept as text.
    UnescapedQuote,
    /// An escape JSON does not have (`\x`) was kept as text.
    InvalidEscape,
    /// A raw control character (a newline, a tab) inside a string was kept.
    ControlCharacter,
    /// Python's `True`, `False` or `None`.
    PythonLiteral,
    /// JavaScript's `undefined`, `NaN` or `Infinity`, read as `null`.
    JsLiteral,
    /// A number written `+1`, `.5` or `5.`.
    NumberFormat,
    /// A key given twice; the last value was kept.
    DuplicateKey,
    /// The reply ended inside a string, which was closed.
    ClosedString,
    /// The reply ended inside `true`, `false` or `null` (`fals`), which was completed.
    CompletedLiteral,
    /// The reply ended inside an array or object, which was closed.
    ClosedContainer,
    /// The reply ended after a key and before its value; the key was dropped.
    DroppedIncompleteMember,
    /// An object sent as a JSON string (`"{\"a\": 1}"`) was decoded.
    DecodedString,
    /// A single value where a list was asked became a one-element list.
    SingleToList,
    /// A number where a string was asked became its text.
    NumberToString,
    /// A bool where a string was asked became `"true"` or `"false"`.
    BoolToString,
    /// `"yes"`, `"no"`, `1`, `0` and the like where a bool was asked.
    ToBool,
    /// A number written as a string (`"5"`, `"$1,234.56"`).
    StringToNumber,
    /// A whole number written with a fraction (`5.0`) where an integer was asked.
    FloatToInteger,
    /// A key that differs from a field only in case or separators was renamed to it.
    KeyRenamed,
    /// A number or bool matched an allowed value written as text.
    EnumMatched,
    /// An allowed value matched ignoring case.
    EnumCase,
    /// An allowed value matched ignoring case and spacing, or case and punctuation.
    EnumFuzzy,
    /// A wrapper object around the answer (`{"invoice": {...}}`, `{"count": 42}`) was removed.
    UnwrappedObject,
    /// A one-element list where a single value was asked was unwrapped.
    ListToSingle,
    /// `null` for a field that has a serde default was dropped, so the default applies.
    NullForDefault,
}

impl FixKind {
    /// Whether the fix completed a reply that ended too early (a string, literal or container
    /// closed, a member without a value dropped): the value may be missing its end.
    pub fn is_truncation(&self) -> bool {
        matches!(
            self,
            FixKind::ClosedString
                | FixKind::CompletedLiteral
                | FixKind::ClosedContainer
                | FixKind::DroppedIncompleteMember
        )
    }
}
