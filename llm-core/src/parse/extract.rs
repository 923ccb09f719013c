//! Finding the JSON in a reply: the whole text, markdown code fences, values inside prose.
//!
//! Every place a value could start is a candidate; [`parse`](super::parse) reads each and keeps
//! the best fit (see there for the scoring). Scanning is linear in the reply, and the number of
//! candidates is capped at [`MAX_CANDIDATES`].

use smallvec::{SmallVec, smallvec};

use super::FixKind;
use super::scan::{skip_to_structure, skip_until, trim};

/// Most candidates read from one reply.
pub(super) const MAX_CANDIDATES: usize = 8;

/// The candidates of one reply: most replies have one or two, kept without an allocation.
pub(super) type Candidates<'a> = SmallVec<[Candidate<'a>; 4]>;

/// A piece of the reply that may hold the answer.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) struct Candidate<'a> {
    pub(super) text: &'a str,
    /// How it was found; `None` when it is the whole reply.
    pub(super) how: Option<FixKind>,
    /// What [`balanced`] gives for it, when the scan already measured it.
    pub(super) end: Option<Option<Balanced>>,
}

/// A balanced value at the start of a text.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) struct Balanced {
    /// Its length.
    pub(super) len: usize,
    /// How deep its arrays and objects nest (1 for `[1, 2]`).
    pub(super) depth: usize,
}

/// The candidates in `raw`: the whole reply if it starts like JSON (or is one JSON string, which
/// may hold the answer encoded), then each fenced block, then each `{` or `[` in the text (an
/// unbalanced one runs to the end: the reply was cut off). When there are more than
/// [`MAX_CANDIDATES`], the last ones are kept: an answer tends to come after the placeholders and
/// examples a model writes first.
pub(super) fn candidates(raw: &str) -> Candidates<'_> {
    let text = if raw.starts_with('\u{feff}') {
        raw.trim_start_matches('\u{feff}')
    } else {
        raw
    };
    let text = trim(text);
    // The value at the start of the reply, measured once: the scan of the prose starts there.
    let first = text.starts_with(['{', '[']).then(|| balanced(text));
    if let Some(value) = first
        && value.is_none_or(|value| value.len == text.len())
        && find_fence(text).is_none()
    {
        // The usual reply, one value and nothing around it (or cut off inside it): the whole
        // reply is its one candidate, which the scan of the prose would find and measure again.
        return smallvec![Candidate {
            text,
            how: None,
            end: Some(value),
        }];
    }
    let mut out = Candidates::new();
    fn push<'a>(
        text: &'a str,
        how: Option<FixKind>,
        end: Option<Option<Balanced>>,
        out: &mut Candidates<'a>,
    ) {
        let text = trim(text);
        if text.is_empty() {
            return;
        }
        // The same place in the reply holds the same text, found without comparing it.
        match out
            .iter_mut()
            .find(|c| std::ptr::eq(c.text, text) || c.text == text)
        {
            Some(same) => same.end = same.end.or(end),
            None => out.push(Candidate { text, how, end }),
        }
    }
    // A reply that is one JSON string holding JSON (`"{\"a\": 1}"`) is read whole; coercion
    // decodes it.
    let encoded = || {
        serde_json::from_str::<String>(text).is_ok_and(|s| s.trim_start().starts_with(['{', '[']))
    };
    if first.is_some() || (text.starts_with('"') && encoded()) {
        push(text, None, None, &mut out);
    }
    for body in fences(text) {
        push(body, Some(FixKind::ExtractedFromFence), None, &mut out);
    }
    let mut fixed = out.len();
    // A value in prose runs from its opening bracket: the reader decides where it ends (it
    // knows single-quoted strings, comments and other damage a bracket count does not). The
    // bracket count only finds where the next candidate may start.
    let mut from = 0;
    loop {
        let start = skip_until(text.as_bytes(), from, b"{[", false);
        if start >= text.len() {
            break;
        }
        let value = match first {
            Some(value) if start == 0 => value,
            _ => balanced(&text[start..]),
        };
        let end = value.map_or(text.len(), |value| start + value.len);
        push(
            &text[start..],
            Some(FixKind::ExtractedFromProse),
            Some(value),
            &mut out,
        );
        from = end.max(start + 1);
    }
    // A fence body that starts where a value in the text starts holds the same balanced value
    // when that one ends inside the body, and none when it does not (the scan of the body is the
    // scan of the text, cut short): its length is known without scanning again.
    for i in 0..fixed {
        let (start, len) = (out[i].text.as_ptr(), out[i].text.len());
        if out[i].end.is_none()
            && let Some(end) = out[fixed..]
                .iter()
                .find(|c| std::ptr::eq(c.text.as_ptr(), start))
                .and_then(|c| c.end)
        {
            out[i].end = Some(end.filter(|end| end.len <= len));
        }
    }
    // Backticks inside a value in prose (in one of its strings) open no fence: a fence "body"
    // that starts inside a balanced value in prose is dropped.
    let offset = |c: &Candidate<'_>| c.text.as_ptr().addr() - text.as_ptr().addr();
    let mut k = 0;
    while k < fixed {
        let at = offset(&out[k]);
        let inside = out[k].how == Some(FixKind::ExtractedFromFence)
            && out[fixed..].iter().any(|c| {
                let start = offset(c);
                c.end
                    .flatten()
                    .is_some_and(|end| start < at && at < start + end.len)
            });
        if inside {
            out.remove(k);
            fixed -= 1;
        } else {
            k += 1;
        }
    }
    if out.len() > MAX_CANDIDATES {
        let keep_prose = MAX_CANDIDATES.saturating_sub(fixed.min(MAX_CANDIDATES / 2));
        // The first values in prose, then the last fixed candidates, beyond the room for each.
        let prose = out.len() - fixed;
        out.drain(fixed..fixed + prose.saturating_sub(keep_prose));
        out.drain(fixed.min(MAX_CANDIDATES - keep_prose)..fixed);
    }
    out
}

/// The bodies of the markdown code fences in `text`, with or without a language tag; an
/// unclosed fence runs to the end.
fn fences(text: &str) -> impl Iterator<Item = &str> {
    let mut rest = text;
    std::iter::from_fn(move || {
        let open = find_fence(rest)?;
        let after = &rest[open + 3..];
        // The language tag, if any, runs to the end of the line.
        let body_start = match after.find('\n') {
            Some(n) if !after[..n].trim().starts_with(['{', '[']) => n + 1,
            // "```json" and nothing after it: a language tag, no body.
            None if after.trim().chars().all(char::is_alphanumeric) => after.len(),
            _ => 0,
        };
        let body = &after[body_start..];
        let close = match find_fence(body) {
            // A closing fence follows a line or a value's closing bracket.
            Some(close)
                if body[..close]
                    .trim_end_matches([' ', '\t'])
                    .ends_with(['\n', '}', ']']) =>
            {
                close
            }
            // Anything else may be backticks inside a string of the value the body starts
            // with: the fence closes after that value.
            Some(close) => match body.trim_start() {
                value if value.starts_with(['{', '[']) => {
                    let from = balanced(value).map_or(0, |end| body.len() - value.len() + end.len);
                    find_fence(&body[from..]).map_or(body.len(), |close| from + close)
                }
                _ => close,
            },
            None => body.len(),
        };
        rest = body.get(close + 3..).unwrap_or("");
        Some(&body[..close])
    })
}

/// Where the first "```" in `text` is.
fn find_fence(text: &str) -> Option<usize> {
    let bytes = text.as_bytes();
    let mut i = 0;
    loop {
        // The library's byte search is the quicker on long texts; on short ones (most replies)
        // setting it up costs more than the word scan.
        i = if bytes.len() - i < 64 {
            skip_until(bytes, i, b"`", false)
        } else {
            i + text[i..].find('`')?
        };
        if i >= bytes.len() {
            return None;
        }
        if bytes.get(i..i + 3) == Some(b"```") {
            return Some(i);
        }
        i += 1;
    }
}

/// The balanced value at the start of `text` (which starts with `{` or `[`), or `None` if the
/// text ends first. Quoted strings are skipped.
pub(super) fn balanced(text: &str) -> Option<Balanced> {
    let bytes = text.as_bytes();
    let mut depth = 0usize;
    let mut deepest = 0;
    let mut i = 0;
    // Brackets often come in runs (`[[`, `}]}`): the byte at hand is looked at before a scan.
    while let Some(&b) = bytes.get(i) {
        match b {
            b'"' => {
                // To the closing quote: the first one after an even run of backslashes (an odd
                // run escapes it). Escapes are rare: the scan looks for quotes alone.
                i += 1;
                loop {
                    i = skip_until(bytes, i, b"\"", false);
                    if i >= bytes.len() {
                        return None;
                    }
                    let escapes = bytes[..i].iter().rev().take_while(|&&b| b == b'\\');
                    if escapes.count() % 2 == 0 {
                        break;
                    }
                    i += 1;
                }
            }
            b'{' | b'[' => {
                depth += 1;
                deepest = deepest.max(depth);
            }
            b'}' | b']' => {
                depth = depth.saturating_sub(1);
                if depth == 0 {
                    return Some(Balanced {
                        len: i + 1,
                        depth: deepest,
                    });
                }
            }
            // Not every byte the scan stops at is a quote or a bracket.
            _ => {
                i = skip_to_structure(bytes, i + 1);
                continue;
            }
        }
        i += 1;
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    fn texts(raw: &str) -> Vec<&str> {
        candidates(raw).into_iter().map(|c| c.text).collect()
    }

    #[test]
    fn finds_fences_and_values_in_prose() {
        assert_eq!(
            texts("Sure:\n```json\n{\"a\": 1}\n```\nDone."),
            ["{\"a\": 1}", "{\"a\": 1}\n```\nDone."]
        );
        assert_eq!(texts("```{\"a\": 1}```"), ["{\"a\": 1}", "{\"a\": 1}```"]);
        assert_eq!(
            texts("A: {\"a\": \"}\"} and B: [1, 2] end"),
            ["{\"a\": \"}\"} and B: [1, 2] end", "[1, 2] end"]
        );
        assert_eq!(texts("cut off: {\"a\": [1, 2"), ["{\"a\": [1, 2"]);
        assert_eq!(texts("no json here"), Vec::<&str>::new());
    }

    #[test]
    fn a_quote_after_an_odd_run_of_backslashes_is_escaped() {
        let len = |text: &str| balanced(text).map(|b| b.len);
        assert_eq!(len(r#"["\\"] x"#), Some(6));
        assert_eq!(len(r#"["\"]"] x"#), Some(7));
        assert_eq!(len(r#"["\\\"]"#), None);
        assert_eq!(len(r#"["a\\\\", "]"] x"#), Some(14));
        assert_eq!(len(r#"["\"#), None);
    }

    #[test]
    fn a_fence_body_gets_the_length_of_the_value_it_starts_with() {
        for raw in [
            "Sure:\n```json\n{\"a\": [1, \"]\"]} trailing\n```\nDone {x}.",
            "```\n[1, {\"b\": 2}]\n```",
            "```json\n{\"a\": 1\n```\n}",
            "text {\"a\": 1} ```json\n{\"b\": 2}\n``` more",
            "```json\n{\"a\": [1, 2\n```",
            "```json\n{\"a\": \"}\n```\n\"}",
            "{\"a\": \"cut",
        ] {
            for candidate in candidates(raw) {
                let expected = balanced(candidate.text);
                assert!(
                    candidate.end.is_none_or(|end| end == expected),
                    "{raw:?}: {candidate:?}"
                );
                if candidate.how == Some(FixKind::ExtractedFromFence)
                    && candidate.text.starts_with('{')
                    && raw.starts_with("Sure")
                {
                    assert_eq!(candidate.end, Some(expected));
                }
            }
        }
    }
}
