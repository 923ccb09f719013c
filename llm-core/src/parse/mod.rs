//! From a model's raw reply to a typed value: find the JSON, parse it, fit it to the type.
//!
//! Every step that changes or selects text is recorded as a [`Fix`], so a caller can see (and a
//! policy can refuse) output that needed fixing. Failures are [`ParseError`]s that say what was
//! wrong, where, and quote the reply.

pub mod coerce;
mod error;
mod extract;
mod fix;
mod ignored;
mod lenient;
pub mod repair;
mod retype;
mod scan;
mod stream;
mod text;
mod untyped;

pub use error::{ParseError, ParseErrorKind};
pub use fix::{Fix, FixKind, Parsed};

use std::borrow::Cow;
use std::cell::RefCell;
use std::collections::HashMap;
use std::sync::{LazyLock, PoisonError, RwLock};

use serde::de::DeserializeOwned;
use serde_json::Value;

pub use coerce::CoerceError;
use coerce::Shapes;
pub use repair::{Event, Limits, RepairError, Repairer};
pub use stream::{Member, StreamParser};

/// Checks for the fuzzer, compiled only under cargo-fuzz (`--cfg fuzzing`).
#[doc(hidden)]
pub mod fuzzing {
    /// The lenient reader checked against the repair path on a reply.
    #[cfg(fuzzing)]
    pub use super::lenient::agrees as lenient_agrees;
    /// The stream parser checked against the repairer alone, chunk by chunk.
    #[cfg(fuzzing)]
    pub use super::stream::agrees as stream_agrees;
}

use crate::output::LlmOutput;
use crate::path::{FieldPath, PathSegment};

/// Longest excerpt of a raw reply kept in a [`ParseError`], in characters.
pub const RAW_EXCERPT_CHARS: usize = 200;

/// Parses a reply into `T`: finds the JSON, repairs it, fits it to `T`'s schema, deserializes.
///
/// Clean JSON takes a fast path straight through serde. Otherwise every candidate the reply holds
/// (the whole reply, each code fence, each `{...}`/`[...]` in the prose) is read; the one that
/// becomes a `T` with the fewest fixes wins, the later one on a tie (a model that shows an
/// example first gives its answer last). When none does, the error is the one from the longest
/// candidate. A reply with no candidate is read whole only when `T` is not an object or a list
/// (`"USD"` for an enum, `42` for a number).
///
/// ```
/// use llm_core::parse::FixKind;
/// use llm_core::prelude::*;
///
/// #[derive(Debug, Deserialize, JsonSchema, LlmOutput)]
/// struct Item { name: String, qty: u32 }
///
/// let parsed = Item::parse("Sure! {name: 'bolt', qty: \"3\",}")?;
/// assert_eq!(parsed.value.qty, 3);
/// let kinds: Vec<FixKind> = parsed.fixes.iter().map(|f| f.kind).collect();
/// assert!(kinds.contains(&FixKind::StringToNumber));
/// # Ok::<(), llm_core::ParseError>(())
/// ```
pub fn parse<T: LlmOutput>(raw: &str) -> Result<Parsed<T>, ParseError> {
    let trimmed = scan::trim(raw);
    let tried = trimmed.starts_with(['{', '[']);
    // A reply that does not end with a bracket (one cut off) is no clean JSON: serde would read
    // all of it to fail at the end. Nor is one whose first token serde refuses (`{name: …`).
    let mut misfit = false;
    if tried && trimmed.ends_with(['}', ']']) && !untyped::refused_at_once(trimmed) {
        match read_clean::<T>(trimmed, false) {
            Ok(value) => {
                return Ok(Parsed {
                    value,
                    fixes: Vec::new(),
                });
            }
            Err(data) => misfit = data,
        }
    }
    let schema = schema_of::<T>();
    let mut reader = Typed::of_type(schema, tried.then_some(trimmed));
    reader.misfit = misfit;
    read_reply(raw, schema.value, Limits::default(), &reader).map(Parsed::unboxed)
}

/// The fast path: `text` deserialized by serde alone, if that needs nothing to be fixed and
/// loses nothing. A key serde would ignore may be a field written another way (`"Assignee"` for
/// `assignee`), which only the slow path can match, so it sends the reply there.
///
/// With `maps`, a key given twice in a map (which serde keeps quietly and the repair path
/// records as a fix) also sends it there. The whole reply is read without that check, as it
/// always was; a candidate found in the reply is read with it, as the repair path read it.
fn clean<T: DeserializeOwned>(text: &str, maps: bool) -> Option<T> {
    read_clean(text, maps).ok()
}

/// [`clean`], telling apart why serde did not read the text: `Err(true)` when the text was JSON
/// as far as serde read it and a value did not fit `T` (serde's data errors: a string for a
/// number, an unknown enum variant, a missing field).
fn read_clean<T: DeserializeOwned>(text: &str, maps: bool) -> Result<T, bool> {
    let watch = ignored::Watch {
        maps,
        ..ignored::Watch::default()
    };
    let mut de = serde_json::Deserializer::from_str(text);
    let value = ignored::deserialize(&mut de, &watch)
        .map_err(|err| err.classify() == serde_json::error::Category::Data)?;
    if de.end().is_ok() && !watch.lost.get() {
        Ok(value)
    } else {
        Err(false)
    }
}

/// [`parse`] for a reply received as bytes: bytes that are not UTF-8 are replaced with U+FFFD and
/// recorded as [`FixKind::InvalidUtf8`], never an error or a panic.
///
/// ```
/// let parsed = llm_core::parse::parse_bytes::<Vec<String>>(b"[\"caf\xe9\"]")?;
/// assert_eq!(parsed.value, ["caf\u{fffd}"]);
/// assert_eq!(parsed.fixes[0].kind, llm_core::parse::FixKind::InvalidUtf8);
/// # Ok::<(), llm_core::ParseError>(())
/// ```
pub fn parse_bytes<T: LlmOutput>(bytes: &[u8]) -> Result<Parsed<T>, ParseError> {
    match String::from_utf8_lossy(bytes) {
        std::borrow::Cow::Borrowed(text) => parse(text),
        std::borrow::Cow::Owned(text) => {
            let mut parsed = parse::<T>(&text)?;
            parsed.fixes.insert(
                0,
                Fix {
                    kind: FixKind::InvalidUtf8,
                    path: FieldPath::root(),
                },
            );
            Ok(parsed)
        }
    }
}

/// [`parse`] against an explicit JSON Schema (draft 2020-12, definitions in `$defs`), without
/// the fast path.
pub fn parse_with_schema<T: DeserializeOwned>(
    raw: &str,
    schema: &Value,
    limits: Limits,
) -> Result<Parsed<T>, ParseError> {
    let reader = Typed::new(schema, false, None);
    read_reply(raw, schema, limits, &reader).map(Parsed::unboxed)
}

/// A candidate read: the value and how many bytes of the candidate it took, or why not.
type Read<T> = Result<(Parsed<T>, usize), ParseErrorKind>;

/// How a candidate becomes the target: a serde attempt on clean text, and the repair path.
trait Reader {
    /// The target type.
    type Out;

    /// The candidate read by serde alone when it is clean JSON: the value and whether text
    /// follows it. `None` sends it down the repair path.
    fn clean(&self, candidate: extract::Candidate<'_>) -> Option<(Self::Out, usize)>;

    /// The whole reply, trimmed, when it starts like JSON and serde failed on it (or would: it
    /// does not end with a bracket, or nests too deep for serde).
    fn tried(&self) -> Option<&str>;

    /// Whether `text` is [`tried`](Self::tried): the same place in the reply, not equal text.
    fn is_tried(&self, text: &str) -> bool {
        self.tried().is_some_and(|tried| std::ptr::eq(tried, text))
    }

    /// The candidate read by serde through the lenient reader (see [`lenient`]), or repaired as
    /// text and read by serde, when that gives what the repair path would (no key left over, no
    /// change beyond a scalar conversion). `None` sends it down the repair path.
    fn repaired(
        &self,
        _candidate: extract::Candidate<'_>,
        _limits: Limits,
    ) -> Option<Read<Self::Out>> {
        None
    }

    /// A repaired value fitted to the target; `text` is the candidate, read again only to
    /// explain an error.
    fn fit(
        &self,
        value: Value,
        fixes: Vec<Fix>,
        text: &str,
        limits: Limits,
    ) -> Result<Parsed<Self::Out>, ParseErrorKind>;
}

/// Reading into a type with [`Coercer`](coerce) and serde.
struct Typed<'s, T> {
    schema: &'s Value,
    /// Whether serde alone may read a clean candidate (only when `schema` is `T`'s).
    fast: bool,
    /// Text serde already failed on.
    tried: Option<&'s str>,
    /// Whether serde failed on `tried` with a value that did not fit `T`: the lenient reader
    /// without conversions would fail on the same value, and is not tried.
    misfit: bool,
    /// What is known of `schema` already (for `T`'s own).
    shapes: Option<&'s Shapes<'s>>,
    _target: std::marker::PhantomData<fn() -> T>,
}

impl<'s, T> Typed<'s, T> {
    fn new(schema: &'s Value, fast: bool, tried: Option<&'s str>) -> Self {
        Self {
            schema,
            fast,
            tried,
            misfit: false,
            shapes: None,
            _target: std::marker::PhantomData,
        }
    }

    /// The reader for `T` itself, with its interned schema (the serde fast path allowed).
    fn of_type(schema: &'s Interned, tried: Option<&'s str>) -> Self {
        Self {
            shapes: Some(&schema.shapes),
            ..Self::new(schema.value, true, tried)
        }
    }
}

// The value is boxed from where a reader makes it: a typed value (an invoice is half a kilobyte)
// is otherwise copied at each step up the candidate's read.
impl<T: DeserializeOwned> Reader for Typed<'_, T> {
    type Out = Box<T>;

    fn clean(&self, candidate: extract::Candidate<'_>) -> Option<(Box<T>, usize)> {
        let text = candidate.text;
        if !self.fast || self.is_tried(text) || untyped::refused_at_once(text) {
            return None;
        }
        let end = candidate
            .end
            .unwrap_or_else(|| extract::balanced(text))?
            .len;
        clean::<T>(&text[..end], true).map(|value| (Box::new(value), end))
    }

    fn tried(&self) -> Option<&str> {
        self.tried
    }

    fn repaired(&self, candidate: extract::Candidate<'_>, limits: Limits) -> Option<Read<Box<T>>> {
        if !self.fast {
            return None;
        }
        let misfit = self.misfit && self.is_tried(candidate.text);
        if let Some((value, fixes, len)) = lenient::typed::<T>(
            candidate.text,
            self.schema,
            self.shapes,
            limits,
            misfit,
            candidate.how,
        ) {
            return Some(Ok((Parsed { value, fixes }, len)));
        }
        self.repaired_text(candidate, limits)
    }

    fn fit(
        &self,
        value: Value,
        fixes: Vec<Fix>,
        text: &str,
        limits: Limits,
    ) -> Result<Parsed<Box<T>>, ParseErrorKind> {
        fit(value, fixes, self.schema, || {
            repair::repair_span(text, limits)
                .ok()
                .map(|(value, ..)| value)
        })
    }
}

impl<T: DeserializeOwned> Typed<'_, T> {
    /// The candidate repaired as text, scalars converted in the text, then read by serde:
    /// [`Reader::repaired`] when the lenient reader leaves the candidate to the repair path.
    fn repaired_text(
        &self,
        candidate: extract::Candidate<'_>,
        limits: Limits,
    ) -> Option<Read<Box<T>>> {
        if repair::too_deep(candidate.text, limits) {
            return Some(Err(too_deep(limits)));
        }
        let (json, mut fixes, len, members) = match repair::repair_text(candidate.text, limits) {
            Ok(repaired) => repaired?,
            Err(err) => return Some(Err(err.into())),
        };
        if let Some(members) = members
            && placeholder(candidate, members, &fixes)
        {
            return Some(Err(ParseErrorKind::NoJson));
        }
        let value = match clean::<T>(&json, true) {
            Some(value) => Box::new(value),
            // Values that need converting (`"29"` for 29) are converted in the text.
            None => {
                let (json, more) = retype::coerce_text(&json, self.schema, self.shapes)?;
                if more.is_empty() {
                    return None;
                }
                let value = clean::<T>(&json, true)?;
                fixes.extend(more);
                Box::new(value)
            }
        };
        if let Some(kind) = candidate.how {
            fixes.insert(
                0,
                Fix {
                    kind,
                    path: FieldPath::root(),
                },
            );
        }
        Some(Ok((Parsed { value, fixes }, len)))
    }
}

/// The error of a candidate the repairer would refuse as nested too deep (see
/// [`repair::too_deep`]), told without reading it.
fn too_deep(limits: Limits) -> ParseErrorKind {
    RepairError::TooDeep {
        limit: limits.max_depth,
    }
    .into()
}

/// Reading into a `Value` with no schema: the repaired value as it is.
struct Untyped<'s> {
    /// Text serde already failed on.
    tried: Option<&'s str>,
}

impl Reader for Untyped<'_> {
    type Out = Value;

    fn clean(&self, candidate: extract::Candidate<'_>) -> Option<(Value, usize)> {
        let text = candidate.text;
        let value = candidate.end.unwrap_or_else(|| extract::balanced(text))?;
        // Nested that deep, serde refuses it: not worth reading.
        if value.depth >= untyped::SERDE_DEPTH {
            return None;
        }
        let text = &text[..value.len];
        if self.is_tried(text) {
            return None;
        }
        untyped::clean(text).map(|read| (read, value.len))
    }

    fn tried(&self) -> Option<&str> {
        self.tried
    }

    fn repaired(&self, candidate: extract::Candidate<'_>, limits: Limits) -> Option<Read<Value>> {
        // The lenient reader gives up on that much nesting.
        if repair::too_deep(candidate.text, limits) {
            return Some(Err(too_deep(limits)));
        }
        let (value, fixes, len) = lenient::untyped(candidate.text, limits, candidate.how)?;
        Some(Ok((Parsed { value, fixes }, len)))
    }

    fn fit(
        &self,
        value: Value,
        fixes: Vec<Fix>,
        _: &str,
        _: Limits,
    ) -> Result<Parsed<Value>, ParseErrorKind> {
        Ok(Parsed { value, fixes })
    }
}

fn read_reply<R: Reader>(
    raw: &str,
    schema: &Value,
    limits: Limits,
    reader: &R,
) -> Result<Parsed<R::Out>, ParseError> {
    let trimmed = scan::trim(raw);
    if trimmed.is_empty() {
        return Err(ParseError::new(ParseErrorKind::Empty, raw));
    }
    if raw.len() > limits.max_bytes {
        let limit = limits.max_bytes;
        return Err(ParseError::new(ParseErrorKind::TooLarge { limit }, raw));
    }
    // A reply that starts like JSON but is not clean JSON is read whole first, as its first
    // candidate would be read.
    let whole = reader.is_tried(trimmed).then(|| {
        let candidate = extract::Candidate {
            text: trimmed,
            how: None,
            end: None,
        };
        read_candidate(candidate, limits, reader)
    });
    let best = match whole {
        // It took all of the reply: every other candidate starts inside it and loses to it (see
        // `best_of`), so the candidates need not be looked for.
        Some(Ok((value, len))) if len == trimmed.len() => Ok(value),
        kept => read_candidates(raw, trimmed, schema, limits, reader, kept),
    };
    match best {
        Ok(mut value) => {
            // Trimming the end cannot reach a mark at the start.
            if trimmed.starts_with('\u{feff}') {
                value.fixes.insert(
                    0,
                    Fix {
                        kind: FixKind::Bom,
                        path: FieldPath::root(),
                    },
                );
            }
            Ok(value)
        }
        Err(Some(kind)) => Err(ParseError::new(kind, raw)),
        Err(None) => Err(ParseError::new(ParseErrorKind::NoJson, raw)),
    }
}

/// The candidates of `raw` (`trimmed`, trimmed), each read, and the one that wins. `kept` is what
/// [`read_candidate`] gave for the whole reply, if it was read already.
fn read_candidates<R: Reader>(
    raw: &str,
    trimmed: &str,
    schema: &Value,
    limits: Limits,
    reader: &R,
    kept: Option<Read<R::Out>>,
) -> Result<Parsed<R::Out>, Option<ParseErrorKind>> {
    let mut found = extract::candidates(raw);
    let structured = ["object", "array"]
        .iter()
        .any(|t| schema.get("type").and_then(Value::as_str) == Some(t));
    if found.is_empty() && !structured {
        found.push(extract::Candidate {
            text: trimmed,
            how: None,
            end: None,
        });
    }
    // serde's depth limit is below the default one; a lower limit needs the repairer's check.
    let fast = limits.max_depth >= Limits::default().max_depth;
    let kept = RefCell::new(kept);
    let read = |candidate: extract::Candidate<'_>| {
        if let Some((value, len)) = fast.then(|| reader.clean(candidate)).flatten() {
            return Ok((clean_parsed(value, candidate, len), len));
        }
        // The whole reply, read already.
        let kept = kept
            .borrow_mut()
            .take_if(|_| reader.is_tried(candidate.text));
        kept.unwrap_or_else(|| read_candidate(candidate, limits, reader))
    };
    match found[..] {
        // Nothing to choose from.
        [candidate] => read(candidate).map(|(value, _)| value).map_err(Some),
        _ => best_of(raw, found, read),
    }
}

/// The candidate of `found` (in `raw`) that wins when `read`: see [`parse`]. Otherwise the error
/// from the longest candidate, if any was read.
fn best_of<'a, T>(
    raw: &str,
    found: extract::Candidates<'a>,
    read: impl Fn(extract::Candidate<'a>) -> Read<T>,
) -> Result<Parsed<T>, Option<ParseErrorKind>> {
    // (start, end) of each candidate that parsed, in the reply, and its text if it parsed to an
    // object or array closed before its text ended: a longer candidate from the same start reads
    // the same value with the same fixes, then more text.
    let mut parsed: Vec<(usize, usize, Option<&str>, Parsed<T>)> = Vec::new();
    let mut error: Option<(usize, ParseErrorKind)> = None;
    for candidate in found {
        let start = (candidate.text.as_ptr() as usize).saturating_sub(raw.as_ptr() as usize);
        // A candidate can only beat one that starts at the same place with fewer fixes, and one
        // found in the text has at least one.
        if candidate.how.is_some()
            && parsed.iter().any(|(s, _, closed, p)| {
                *s == start
                    && (p.fixes.len() <= 1
                        || closed.is_some_and(|text| candidate.text.starts_with(text)))
            })
        {
            continue;
        }
        match read(candidate) {
            Ok((value, len)) => {
                let closed = (candidate.text.starts_with(['{', '['])
                    && !value.fixes.iter().any(|f| f.kind.is_truncation()))
                .then_some(candidate.text);
                parsed.push((start, start + len, closed, value));
            }
            Err(kind) => {
                if error
                    .as_ref()
                    .is_none_or(|(len, _)| candidate.text.len() > *len)
                {
                    error = Some((candidate.text.len(), kind));
                }
            }
        }
    }
    // A candidate that starts inside another that parsed is a part of it (an inner object), not
    // an answer. Of the rest, the one that starts last wins: a model shows examples first and
    // answers last. Candidates that start at the same place (a fence body, the same text in
    // prose) are readings of one value: the one that needed fewer fixes wins.
    let mut best: Option<usize> = None;
    for (i, (s, e, _, value)) in parsed.iter().enumerate() {
        if parsed.iter().any(|(os, oe, ..)| os < s && e <= oe) {
            continue;
        }
        let better = match best.map(|b| &parsed[b]) {
            None => true,
            Some((bs, _, _, b)) if bs == s => value.fixes.len() < b.fixes.len(),
            Some((bs, ..)) => s > bs,
        };
        if better {
            best = Some(i);
        }
    }
    match best {
        Some(i) => Ok(parsed.swap_remove(i).3),
        None => Err(error.map(|(_, kind)| kind)),
    }
}

/// Reads `text` (which starts with `{` or `[`) whole, the way a candidate of [`parse`] is read:
/// for [`StreamParser::finish`], which passes where the root value ends when it knows.
fn read_text<T: LlmOutput>(
    text: &str,
    end: Option<extract::Balanced>,
    limits: Limits,
) -> Result<Parsed<T>, ParseErrorKind> {
    let reader = Typed::<T>::of_type(schema_of::<T>(), None);
    let candidate = extract::Candidate {
        text,
        how: None,
        end: end.map(Some),
    };
    if limits.max_depth >= Limits::default().max_depth
        && let Some((value, len)) = reader.clean(candidate)
    {
        return Ok(clean_parsed(*value, candidate, len));
    }
    read_candidate(candidate, limits, &reader).map(|(parsed, _)| parsed.unboxed())
}

/// A candidate serde read whole: the fixes the repair path would have recorded (how it was
/// found, and text after the value).
fn clean_parsed<T>(value: T, candidate: extract::Candidate<'_>, len: usize) -> Parsed<T> {
    let mut fixes = Vec::new();
    if let Some(kind) = candidate.how {
        fixes.push(Fix {
            kind,
            path: FieldPath::root(),
        });
    }
    if !scan::trim(&candidate.text[len..]).is_empty() {
        fixes.push(Fix {
            kind: FixKind::TrailingText,
            path: FieldPath::root(),
        });
    }
    Parsed { value, fixes }
}

/// Reads one candidate; also returns how many bytes of it the value took.
fn read_candidate<R: Reader>(
    candidate: extract::Candidate<'_>,
    limits: Limits,
    reader: &R,
) -> Result<(Parsed<R::Out>, usize), ParseErrorKind> {
    if let Some(read) = reader.repaired(candidate, limits) {
        return read;
    }
    let (value, mut fixes, len) = repair::repair_span(candidate.text, limits)?;
    if let Value::Object(map) = &value
        && placeholder(candidate, map.len(), &fixes)
    {
        return Err(ParseErrorKind::NoJson);
    }
    if let Some(kind) = candidate.how {
        fixes.insert(
            0,
            Fix {
                kind,
                path: FieldPath::root(),
            },
        );
    }
    reader
        .fit(value, fixes, candidate.text, limits)
        .map(|parsed| (parsed, len))
}

/// `{name}` in a sentence is a placeholder, not JSON: every member of the object (of `members`)
/// lacked both its colon and its value.
fn placeholder(candidate: extract::Candidate<'_>, members: usize, fixes: &[Fix]) -> bool {
    members > 0
        && candidate.how == Some(FixKind::ExtractedFromProse)
        && fixes
            .iter()
            .filter(|f| f.kind == FixKind::MissingValue)
            .count()
            >= members
}

/// Fits a repaired value to the schema, then deserializes it. On failure, `again` gives the
/// repaired value once more to find where serde failed (tracking the path costs a copy of every
/// key, so a success does not pay for it).
fn fit<T: DeserializeOwned>(
    value: Value,
    mut fixes: Vec<Fix>,
    schema: &Value,
    again: impl FnOnce() -> Option<Value>,
) -> Result<Parsed<Box<T>>, ParseErrorKind> {
    let value = coerce::coerce(value, schema, &mut fixes).map_err(ParseErrorKind::Coerce)?;
    match serde_json::from_value(value) {
        Ok(value) => Ok(Parsed {
            value: Box::new(value),
            fixes,
        }),
        Err(source) => {
            let traced = again()
                .and_then(|value| coerce::coerce(value, schema, &mut Vec::new()).ok())
                .map(serde_path_to_error::deserialize::<_, T>);
            Err(match traced {
                Some(Err(err)) => ParseErrorKind::Shape {
                    path: to_field_path(err.path()),
                    source: err.into_inner(),
                },
                _ => ParseErrorKind::Shape {
                    path: FieldPath::root(),
                    source,
                },
            })
        }
    }
}

/// Repairs arbitrary text into a JSON value with no target type: finds the JSON in the text
/// (fences, prose), reads it tolerantly, and lists every fix. A reply with no `{` or `[` is
/// read whole (`True` is `true`, `hello` is `"hello"`).
///
/// ```
/// use llm_core::parse::{repair_json, FixKind};
///
/// let repaired = repair_json("Sure! ```json\n{'name': 'Ada', tags: ['x',], ok: True\n```")?;
/// assert_eq!(repaired.value, serde_json::json!({"name": "Ada", "tags": ["x"], "ok": true}));
/// assert_eq!(repaired.fixes[0].kind, FixKind::ExtractedFromFence);
/// # Ok::<(), llm_core::ParseError>(())
/// ```
pub fn repair_json(text: &str) -> Result<Parsed<Value>, ParseError> {
    let limits = Limits::default();
    let trimmed = scan::trim(text);
    // A reply that does not end with a bracket (one cut off) is no clean JSON: serde would read
    // all of it to fail at the end. Nor is one nested too deep, which serde is slow to refuse.
    let tried = text.len() <= limits.max_bytes
        && trimmed.starts_with(['{', '['])
        && trimmed.ends_with(['}', ']'])
        && !repair::too_deep(trimmed, limits);
    // Clean JSON with nothing around it is what its candidate as a whole reads as, with no fix;
    // every other candidate lies inside it, and loses to it.
    if tried && let Some(value) = untyped::clean(trimmed) {
        return Ok(Parsed {
            value,
            fixes: Vec::new(),
        });
    }
    let reader = Untyped {
        tried: tried.then_some(trimmed),
    };
    read_reply(text, &Value::Bool(true), limits, &reader)
}

/// How many schemas each thread keeps at hand (see [`schema_of`]).
const SCHEMAS_AT_HAND: usize = 8;

/// A type's schema, built once and kept for the life of the process, with what fitters find
/// about the schemas inside it.
struct Interned {
    value: &'static Value,
    shapes: Shapes<'static>,
}

thread_local! {
    /// The schemas this thread used last, by id, newest last: a thread mostly parses the same few
    /// types, and finding one here takes no lock and no hash.
    static AT_HAND: RefCell<Vec<(Cow<'static, str>, &'static Interned)>> = const { RefCell::new(Vec::new()) };
}

/// `T`'s schema, built once per type and shared.
fn schema_of<T: LlmOutput>() -> &'static Interned {
    let id = T::schema_id();
    let at_hand = AT_HAND.with(|kept| {
        let kept = kept.try_borrow().ok()?;
        kept.iter()
            .rev()
            .find(|(kept, _)| *kept == id)
            .map(|(_, schema)| *schema)
    });
    if let Some(schema) = at_hand {
        return schema;
    }
    let schema = shared_schema::<T>(&id);
    AT_HAND.with(|kept| {
        if let Ok(mut kept) = kept.try_borrow_mut() {
            if kept.len() == SCHEMAS_AT_HAND {
                kept.remove(0);
            }
            kept.push((id, schema));
        }
    });
    schema
}

/// `T`'s schema (whose id is `id`) from the map all threads share, built there the first time.
///
/// A schema is made once per type and never dropped, like a `static`: that is what lets what is
/// found about it ([`Shapes`]) point into it.
fn shared_schema<T: LlmOutput>(id: &str) -> &'static Interned {
    static SCHEMAS: LazyLock<RwLock<HashMap<String, &'static Interned>>> =
        LazyLock::new(Default::default);
    let known = SCHEMAS
        .read()
        .unwrap_or_else(PoisonError::into_inner)
        .get(id)
        .copied();
    if let Some(schema) = known {
        return schema;
    }
    // Built under the lock: two threads asking at once build it once.
    let mut map = SCHEMAS.write().unwrap_or_else(PoisonError::into_inner);
    map.entry(id.to_owned()).or_insert_with(|| {
        let value: &'static Value = Box::leak(Box::new(T::schema().to_value()));
        Box::leak(Box::new(Interned {
            value,
            shapes: retype::shapes(value),
        }))
    })
}

fn to_field_path(path: &serde_path_to_error::Path) -> FieldPath {
    use serde_path_to_error::Segment;
    let segments = path
        .iter()
        .filter_map(|segment| match segment {
            Segment::Seq { index } => Some(PathSegment::Index(*index)),
            Segment::Map { key } => Some(PathSegment::Key(key.as_str().into())),
            Segment::Enum { variant } => Some(PathSegment::Key(variant.as_str().into())),
            Segment::Unknown => None,
        })
        .collect::<Vec<_>>();
    FieldPath::from(segments)
}

impl From<RepairError> for ParseErrorKind {
    fn from(err: RepairError) -> Self {
        match err {
            RepairError::NoValue => ParseErrorKind::NoJson,
            RepairError::TooDeep { limit } => ParseErrorKind::TooDeep { limit },
            RepairError::TooLarge { limit } => ParseErrorKind::TooLarge { limit },
        }
    }
}
