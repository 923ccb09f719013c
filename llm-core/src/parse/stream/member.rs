//! [`Member`]: the value of a completed member, as [`Event::Complete`](super::Event) reports it.

use std::fmt;

use serde_json::Value;

use crate::parse::repair::{Limits, repair_span};

/// The value of a member of the root value that a stream completed.
///
/// A stream reports each member by its text, read into a value only when asked for, so
/// streaming costs little more than one parse: as the reply wrote it while it is plain JSON;
/// once the stream needed repair, a member that is an array or an object is kept as its text too
/// (repaired when read), and any other carries the value the repairer read. Either way
/// [`to_value`](Self::to_value) gives the value as the repairer reads it (repaired, not yet
/// fitted to the target type).
///
/// ```
/// use llm_core::parse::{Event, StreamParser};
/// use llm_core::prelude::*;
///
/// #[derive(Debug, Deserialize, JsonSchema, LlmOutput)]
/// struct Answer { tags: Vec<String> }
///
/// let mut parser = StreamParser::<Answer>::new();
/// let events = parser.feed(r#"{"tags": ["a", "b"], "#);
/// let Some(Event::Complete { value, .. }) = events.last() else { panic!("no member") };
/// assert_eq!(value.as_json(), Some(r#"["a", "b"]"#));
/// assert_eq!(value.to_value(), serde_json::json!(["a", "b"]));
/// ```
#[derive(Clone)]
pub struct Member(Repr);

#[derive(Clone)]
enum Repr {
    /// Built by the repairer.
    Value(Value),
    /// Plain JSON, as the reply wrote it.
    Json(String),
    /// An array or object that needed repair, as the reply wrote it: from its opening bracket
    /// to the one that closed it.
    Damaged(String),
    /// Where the text of a [`Repr::Damaged`] member lies in the repairer's input, for the stream
    /// parser (which keeps the input) to replace (see `Repairer::with_lazy_members`).
    Span { start: usize, end: usize },
}

impl Member {
    /// A member given by its text, which is plain JSON.
    pub(super) fn json(text: String) -> Self {
        Self(Repr::Json(text))
    }

    /// A member that lies at `start..end` in the repairer's input, not yet given its text.
    pub(crate) fn span(start: usize, end: usize) -> Self {
        Self(Repr::Span { start, end })
    }

    /// Gives a member made by [`span`](Self::span) its text, taken from `input`, the repairer's
    /// input; false when `input` does not hold it (any other member is left as it is).
    pub(super) fn resolve(&mut self, input: &str) -> bool {
        if let Repr::Span { start, end } = self.0 {
            let Some(text) = input.get(start..end) else {
                return false;
            };
            self.0 = Repr::Damaged(text.to_owned());
        }
        true
    }

    /// The member's text as the reply wrote it, when it is plain JSON; `None` once the stream
    /// needed repair (the member is then a value, or text that needs repair).
    pub fn as_json(&self) -> Option<&str> {
        match &self.0 {
            Repr::Json(text) => Some(text),
            Repr::Value(_) | Repr::Damaged(_) | Repr::Span { .. } => None,
        }
    }

    /// The member's value (read from its text if it has not been).
    pub fn to_value(&self) -> Value {
        match &self.0 {
            Repr::Value(value) => value.clone(),
            Repr::Json(text) | Repr::Damaged(text) => read(text),
            Repr::Span { .. } => Value::Null,
        }
    }

    /// The member's value, reading its text if needed.
    pub fn into_value(self) -> Value {
        match self.0 {
            Repr::Value(value) => value,
            Repr::Json(text) | Repr::Damaged(text) => read(&text),
            Repr::Span { .. } => Value::Null,
        }
    }
}

/// A member's text read as the repairer reads it (numbers by its rules), so a member reads the
/// same whichever way the stream went.
fn read(text: &str) -> Value {
    let limits = Limits {
        max_depth: usize::MAX,
        max_bytes: usize::MAX,
    };
    // The text is one value the stream read to its closing bracket within its limits (plain
    // JSON, or a member the repairer closed): the repairer reads it whole, with no limit to hit.
    repair_span(text, limits).map_or(Value::Null, |(value, ..)| value)
}

impl From<Value> for Member {
    fn from(value: Value) -> Self {
        Self(Repr::Value(value))
    }
}

impl PartialEq for Member {
    fn eq(&self, other: &Self) -> bool {
        match (&self.0, &other.0) {
            (Repr::Value(a), Repr::Value(b)) => a == b,
            _ => self.to_value() == other.to_value(),
        }
    }
}

impl PartialEq<Value> for Member {
    fn eq(&self, other: &Value) -> bool {
        match &self.0 {
            Repr::Value(value) => value == other,
            _ => self.to_value() == *other,
        }
    }
}

impl fmt::Debug for Member {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.0 {
            Repr::Value(value) => f.debug_tuple("Member").field(value).finish(),
            Repr::Json(text) | Repr::Damaged(text) => f.debug_tuple("Member").field(text).finish(),
            Repr::Span { start, end } => f.debug_tuple("Member").field(&(start..end)).finish(),
        }
    }
}
