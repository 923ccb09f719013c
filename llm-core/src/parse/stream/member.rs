//! [`Member`]: the value of a completed member, as [`Event::Complete`](super::Event) reports it.

use std::fmt;

use serde_json::Value;

use crate::parse::repair::{Limits, repair_span};

/// The value of a member of the root value that a stream completed.
///
/// A stream of plain JSON reports each member by its text, read into a value only when asked
/// for, so streaming costs little more than one parse; once the stream needed repair, members
/// carry the value the repairer built. Either way [`to_value`](Self::to_value) gives the value as
/// the repairer reads it (repaired, not yet fitted to the target type).
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
}

impl Member {
    /// A member given by its text, which is plain JSON.
    pub(super) fn json(text: String) -> Self {
        Self(Repr::Json(text))
    }

    /// The member's text as the reply wrote it, when it is plain JSON; `None` when the stream
    /// needed repair and the member was read into a value.
    pub fn as_json(&self) -> Option<&str> {
        match &self.0 {
            Repr::Json(text) => Some(text),
            Repr::Value(_) => None,
        }
    }

    /// The member's value (read from its text if it has not been).
    pub fn to_value(&self) -> Value {
        match &self.0 {
            Repr::Value(value) => value.clone(),
            Repr::Json(text) => read(text),
        }
    }

    /// The member's value, reading its text if needed.
    pub fn into_value(self) -> Value {
        match self.0 {
            Repr::Value(value) => value,
            Repr::Json(text) => read(&text),
        }
    }
}

/// Plain JSON text read as the repairer reads it (numbers by its rules), so a member reads the
/// same whichever way the stream went.
fn read(text: &str) -> Value {
    let limits = Limits {
        max_depth: usize::MAX,
        max_bytes: usize::MAX,
    };
    // The stream's reader checked the text is one plain JSON value: the repairer reads every
    // such text, with no limit to hit.
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
            Repr::Json(text) => read(text) == *other,
        }
    }
}

impl fmt::Debug for Member {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.0 {
            Repr::Value(value) => f.debug_tuple("Member").field(value).finish(),
            Repr::Json(text) => f.debug_tuple("Member").field(text).finish(),
        }
    }
}
