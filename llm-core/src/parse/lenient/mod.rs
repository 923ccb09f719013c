//! serde reading damaged JSON directly: a lenient [`Deserializer`](serde::Deserializer) that
//! repairs as it goes, for replies that need small repairs (trailing commas, quotes, unquoted
//! keys, comments, Python literals, a cut-off end) and scalar conversions (`"29"` for 29).
//!
//! It gives exactly what the text path gives (the repairer writes the repaired text, retype
//! converts scalars in it, serde reads it; see [`Typed`](super::Typed)), without writing text
//! or reading it twice: the repairs and their paths are the repairer's, in its order; a scalar
//! goes to serde as serde would read it from the repaired text; the conversions are made by the
//! same code, with the same paths ([`retype`](super::retype)). It works in two passes like the
//! text path: serde on the repaired values first, then, if that fails, with the scalars fitted
//! to the schema.
//!
//! Whatever it is not sure to read exactly as the repair path does, it does not read: the reader
//! stops ([`Stop::Bail`]) and the caller takes the repair path. A failure of serde in the second
//! pass does the same. So this module changes how fast a reply is read, never what it reads to.
//!
//! Written by hand: serde's JSON deserializers refuse damaged text, and the repairs must be the
//! repairer's own, fix for fix, for the result not to depend on which path read a reply.

mod de;
mod lex;

use std::fmt;

use serde::de::{DeserializeOwned, DeserializeSeed};
use serde_json::Value;

use super::coerce::Shapes;
use super::ignored;
use super::repair::Limits;
use super::untyped::Strict;
use super::{Fix, FixKind};
use crate::path::FieldPath;
use lex::Lexer;

/// Why the reader stopped.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Stop {
    /// The text needs the repair path.
    Bail,
    /// serde refused the value (a type error, a missing field).
    Serde,
}

impl fmt::Display for Stop {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Stop::Bail => "the text needs the repair path",
            Stop::Serde => "serde refused the value",
        })
    }
}

impl std::error::Error for Stop {}

impl serde::de::Error for Stop {
    fn custom<T: fmt::Display>(_msg: T) -> Self {
        Stop::Serde
    }
}

impl From<serde_json::Error> for Stop {
    fn from(_: serde_json::Error) -> Self {
        Stop::Serde
    }
}

/// Shortest text [`untyped`] reads: on shorter ones the repairer building the `Value` costs no
/// more than the reader's set-up (measured on the replies of `tests/corpus`).
const MIN_UNTYPED: usize = 256;

/// A value read, with the fixes it needed and how many bytes of the text it took.
pub(super) type Read<T> = (T, Vec<Fix>, usize);

/// `text` (a candidate starting with `{` or `[`) read into `T` as the text path reads it, with
/// `schema` (`T`'s) for the scalar conversions; `None` when the repair path must decide.
/// `misfit`: serde read `text` as JSON up to a value that did not fit `T`. `shapes`: what is
/// known of `schema` already. `how`: the fix that found `text` in the reply, listed first.
pub(super) fn typed<'a, T: DeserializeOwned>(
    text: &str,
    schema: &'a Value,
    shapes: Option<&'a Shapes<'a>>,
    limits: Limits,
    misfit: bool,
    how: Option<FixKind>,
) -> Option<Read<Box<T>>> {
    if text.len() > limits.max_bytes || !text.starts_with(['{', '[']) {
        return None;
    }
    // serde reading the repaired values as they are; not when serde refused a value of the
    // text read as it is (`misfit`): it reads the same values here, up to the same one, unless
    // the reader gives up before, as it does with conversions.
    if !misfit {
        match read(
            &mut Lexer::new(text, limits.max_depth, None, None),
            how,
            typed_seed::<T>,
        ) {
            Ok(read) => return Some(read),
            Err(Stop::Bail) => return None,
            Err(Stop::Serde) => {}
        }
    }
    // serde reading them fitted to the schema: only when a conversion was made.
    let mut lexer = Lexer::new(text, limits.max_depth, Some(schema), shapes);
    lexer.root().ok()?;
    let (value, fixes, consumed, converted) = run(&mut lexer, how, typed_seed::<T>).ok()?;
    converted.then_some((value, fixes, consumed))
}

/// `text` (a candidate starting with `{` or `[`) read into a `Value` as the repairer reads it;
/// `None` when the repairer must decide. `how`: the fix that found `text` in the reply, listed
/// first.
pub(super) fn untyped(text: &str, limits: Limits, how: Option<FixKind>) -> Option<Read<Value>> {
    if text.len() < MIN_UNTYPED || text.len() > limits.max_bytes || !text.starts_with(['{', '[']) {
        return None;
    }
    let mut lexer = Lexer::new(text, limits.max_depth, None, None);
    lexer.untyped = true;
    lexer.repeats = true;
    read(&mut lexer, how, |lexer| {
        Strict { keep_last: true }.deserialize(lexer)
    })
    .ok()
}

/// `T` read from the lexer, noting what serde lost (a key it skipped, a map key given twice),
/// as the text path checks it.
fn typed_seed<T: DeserializeOwned>(lexer: &mut Lexer<'_, '_>) -> Result<Box<T>, Stop> {
    let watch = ignored::Watch {
        maps: true,
        ..ignored::Watch::default()
    };
    let value = ignored::deserialize(lexer, &watch)?;
    if watch.lost.get() {
        return Err(Stop::Serde);
    }
    // Boxed here: the caller's steps then move a pointer, not the value.
    Ok(Box::new(value))
}

/// One pass without conversions.
fn read<'de, 'a, T>(
    lexer: &mut Lexer<'de, 'a>,
    how: Option<FixKind>,
    seed: impl FnOnce(&mut Lexer<'de, 'a>) -> Result<T, Stop>,
) -> Result<Read<T>, Stop> {
    lexer.root()?;
    let (value, fixes, consumed, _) = run(lexer, how, seed)?;
    Ok((value, fixes, consumed))
}

/// One pass: the value, the fixes (`how` first, the repairs, then the conversions), the bytes
/// taken and whether a value was converted.
fn run<'de, 'a, T>(
    lexer: &mut Lexer<'de, 'a>,
    how: Option<FixKind>,
    seed: impl FnOnce(&mut Lexer<'de, 'a>) -> Result<T, Stop>,
) -> Result<(T, Vec<Fix>, usize, bool), Stop> {
    let value = seed(lexer);
    if lexer.bailed {
        return Err(Stop::Bail);
    }
    let value = value?;
    if lexer.failed {
        return Err(Stop::Serde);
    }
    let Some(consumed) = lexer.consumed else {
        return Err(Stop::Bail);
    };
    if lexer.peeked.is_some() || lexer.depth() > 0 {
        return Err(Stop::Bail);
    }
    if lexer.trailing_text() {
        lexer.fixes.push(Fix {
            kind: FixKind::TrailingText,
            path: FieldPath::root(),
        });
    }
    let converted = !lexer.coerced.is_empty();
    Ok((value, lexer.take_fixes(how), consumed, converted))
}

/// What the repair path reads the candidate `text` into as `T` (the text path, then the tree
/// path): what [`typed`] must agree with.
#[cfg(any(test, fuzzing))]
fn repair_path<T: DeserializeOwned>(
    text: &str,
    schema: &Value,
) -> Result<Read<Box<T>>, super::ParseErrorKind> {
    let reader = super::Typed::<T>::new(schema, true, None);
    let candidate = super::extract::Candidate {
        text,
        how: None,
        end: None,
    };
    if let Some(read) = reader.repaired_text(candidate, Limits::default()) {
        return read.map(|(parsed, len)| (parsed.value, parsed.fixes, len));
    }
    let (value, fixes, len) = super::repair::repair_span(text, Limits::default())?;
    super::fit(value, fixes, schema, || None).map(|parsed| (parsed.value, parsed.fixes, len))
}

/// For the fuzzer: whether, on every candidate of `text`, the lenient reader either leaves it to
/// the repair path or reads what the repair path reads (as a `Value`, and as `T`).
#[cfg(fuzzing)]
pub fn agrees<T: crate::output::LlmOutput + PartialEq>(text: &str) -> bool {
    let schema = T::schema().to_value();
    super::extract::candidates(text).iter().all(|candidate| {
        let text = candidate.text;
        let untyped_agrees = untyped(text, Limits::default(), None).is_none_or(|read| {
            super::repair::repair_span(text, Limits::default()).is_ok_and(|old| old == read)
        });
        let typed_agrees = typed::<T>(text, &schema, None, Limits::default(), false, None)
            .is_none_or(|read| repair_path::<T>(text, &schema).is_ok_and(|old| old == read));
        untyped_agrees && typed_agrees
    })
}

#[cfg(test)]
pub(in crate::parse) mod tests;
