//! Text the repairer is certain to refuse as nested too deep, told without reading it.

use super::Limits;
use crate::parse::scan::is_space;

/// Whether the repairer, given `text` (a candidate), certainly fails with
/// [`TooDeep`](super::RepairError::TooDeep): the text opens more than `limits.max_depth` arrays
/// and objects, one inside the other, before anything else (`[[[[...`, `{"a": {"a": ...`), each
/// object with a double-quoted key of letters, digits and underscores, after at most
/// [`MEMBERS`] members whose values are double-quoted strings of those and spaces
/// (`{"name": "bolt", "qty": [[...`), and
/// only spaces, tabs and line breaks between. The repairer reads all of that without a repair
/// up to the opening it refuses, so the answer needs no building of the levels below.
pub(crate) fn too_deep(text: &str, limits: Limits) -> bool {
    // The repairer refuses a text too large before it reads any of it; each level takes a byte
    // to open.
    if text.len() > limits.max_bytes || text.len() <= limits.max_depth {
        return false;
    }
    let bytes = text.as_bytes();
    let mut i = 0;
    let mut opened = 0;
    loop {
        skip(bytes, &mut i, is_space);
        let object = match bytes.get(i) {
            Some(b'[') => false,
            Some(b'{') => true,
            _ => return false,
        };
        opened += 1;
        if opened > limits.max_depth {
            return true;
        }
        i += 1;
        if object {
            // `"key":`, and the value comes next; or `"key": "text",` and another member.
            for member in 0.. {
                if !(quoted(bytes, &mut i, word) && then(bytes, &mut i, b':')) {
                    return false;
                }
                let value = i;
                if member == MEMBERS
                    || !(quoted(bytes, &mut i, |b| word(b) || b == b' ')
                        && then(bytes, &mut i, b','))
                {
                    i = value;
                    break;
                }
            }
        }
    }
}

/// Most members with a string value read before the one that nests: an ordinary reply of many
/// such members is not read far.
const MEMBERS: usize = 4;

/// Whether `b` may be a byte of a key here.
fn word(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b == b'_'
}

/// Whether a double-quoted string of bytes that are `ok` comes next (after whitespace); moves
/// `i` past it.
fn quoted(bytes: &[u8], i: &mut usize, ok: impl Fn(u8) -> bool) -> bool {
    skip(bytes, i, is_space);
    if bytes.get(*i) != Some(&b'"') {
        return false;
    }
    *i += 1;
    skip(bytes, i, ok);
    if bytes.get(*i) != Some(&b'"') {
        return false;
    }
    *i += 1;
    true
}

/// Whether `punct` comes next (after whitespace); moves `i` past it.
fn then(bytes: &[u8], i: &mut usize, punct: u8) -> bool {
    skip(bytes, i, is_space);
    if bytes.get(*i) != Some(&punct) {
        return false;
    }
    *i += 1;
    true
}

/// Moves `i` past the bytes of `bytes` that are `ok`.
fn skip(bytes: &[u8], i: &mut usize, ok: impl Fn(u8) -> bool) {
    while bytes.get(*i).is_some_and(|&b| ok(b)) {
        *i += 1;
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::parse::repair::{RepairError, repair_span};

    /// The texts it is sure of fail in the repairer, at every limit; the others it leaves.
    #[test]
    fn is_sure_only_of_what_the_repairer_refuses() {
        let nested = |open: &str, depth: usize| open.repeat(depth);
        let refused = |text: &str, limits: Limits| {
            repair_span(text, limits).map(|_| ())
                == Err(RepairError::TooDeep {
                    limit: limits.max_depth,
                })
        };
        // With no level allowed, any opening is refused.
        let flat = Limits {
            max_depth: 0,
            ..Limits::default()
        };
        for text in ["[", "{'a'", " {"] {
            assert!(too_deep(text, flat) && refused(text, flat), "{text:?}");
        }
        assert!(!too_deep("1", flat));
        for max_depth in [1, 2, 5, 128] {
            let limits = Limits {
                max_depth,
                ..Limits::default()
            };
            for (text, sure) in [
                (nested("[", max_depth + 1), true),
                (nested("[ \n", max_depth + 1), true),
                (nested("{\"a_1\" : ", max_depth + 1), true),
                (nested("{\"\":[", max_depth + 1), true),
                (
                    nested(
                        "{\"name\": \"a bolt\", \"n\": \"\",\n\"qty\": [",
                        max_depth + 1,
                    ),
                    true,
                ),
                (
                    nested("{\"name\": \"bolt\" , \"qty\": ", max_depth + 1),
                    true,
                ),
                (
                    nested("{\"name\": \"bolt\" \"qty\": ", max_depth + 1),
                    false,
                ),
                (nested("{\"name\": \"bolt\"}, ", max_depth + 1), false),
                (
                    nested("{\"name\": \"it's\", \"qty\": ", max_depth + 1),
                    false,
                ),
                (nested("{\"name\": 1, \"qty\": ", max_depth + 1), false),
                (format!("{}]", nested("[", max_depth + 1)), true),
                (nested("[", max_depth), false),
                (format!("{}1", nested("[", max_depth)), false),
                (nested("{'a': ", max_depth + 1), false),
                (nested("{a: ", max_depth + 1), false),
                (nested("{\"a\\\"\": ", max_depth + 1), false),
                (nested("[/**/", max_depth + 1), false),
            ] {
                assert_eq!(too_deep(&text, limits), sure, "{max_depth} {text:?}");
                if sure {
                    assert!(refused(&text, limits), "{text:?}");
                }
            }
        }
        let limits = Limits {
            max_bytes: 4,
            ..Limits::default()
        };
        assert!(!too_deep(&"[".repeat(200), limits));
    }
}
