//! Finding the JSON in a reply: the whole text, markdown code fences, values inside prose.
//!
//! Every place a value could start is a candidate; [`parse`](super::parse) reads each and keeps
//! the best fit (see there for the scoring). Scanning is linear in the reply, and the number of
//! candidates is capped at [`MAX_CANDIDATES`].

use super::FixKind;

/// Most candidates read from one reply.
pub(super) const MAX_CANDIDATES: usize = 8;

/// A piece of the reply that may hold the answer.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) struct Candidate<'a> {
    pub(super) text: &'a str,
    /// How it was found; `None` when it is the whole reply.
    pub(super) how: Option<FixKind>,
}

/// The candidates in `raw`: the whole reply if it starts like JSON, then each fenced block, then
/// each balanced `{...}` or `[...]` in the text (an unbalanced one runs to the end: the reply
/// was cut off).
pub(super) fn candidates(raw: &str) -> Vec<Candidate<'_>> {
    let text = raw.trim_start_matches('\u{feff}').trim();
    let mut out: Vec<Candidate<'_>> = Vec::new();
    fn add<'a>(candidate: Candidate<'a>, out: &mut Vec<Candidate<'a>>) {
        let candidate = Candidate {
            text: candidate.text.trim(),
            ..candidate
        };
        if !candidate.text.is_empty()
            && out.len() < MAX_CANDIDATES
            && !out.iter().any(|c| c.text == candidate.text)
        {
            out.push(candidate);
        }
    }
    if text.starts_with(['{', '[']) {
        add(Candidate { text, how: None }, &mut out);
    }
    for body in fences(text) {
        add(
            Candidate {
                text: body,
                how: Some(FixKind::ExtractedFromFence),
            },
            &mut out,
        );
    }
    // A value in prose runs from its opening bracket: the reader decides where it ends (it
    // knows single-quoted strings, comments and other damage a bracket count does not). The
    // bracket count only finds where the next candidate may start.
    let mut from = 0;
    while let Some(offset) = text[from..].find(['{', '[']) {
        let start = from + offset;
        let end = balanced_end(&text[start..]).map_or(text.len(), |len| start + len);
        add(
            Candidate {
                text: &text[start..],
                how: Some(FixKind::ExtractedFromProse),
            },
            &mut out,
        );
        from = end.max(start + 1);
    }
    out
}

/// The bodies of the markdown code fences in `text`, with or without a language tag; an
/// unclosed fence runs to the end.
fn fences(text: &str) -> Vec<&str> {
    let mut out = Vec::new();
    let mut rest = text;
    while let Some(open) = rest.find("```") {
        let after = &rest[open + 3..];
        // The language tag, if any, runs to the end of the line.
        let body_start = match after.find('\n') {
            Some(n) if !after[..n].trim().starts_with(['{', '[']) => n + 1,
            _ => 0,
        };
        let body = &after[body_start..];
        let close = body.find("```").unwrap_or(body.len());
        out.push(&body[..close]);
        rest = body.get(close + 3..).unwrap_or("");
    }
    out
}

/// The length of the balanced value at the start of `text` (which starts with `{` or `[`), or
/// `None` if the text ends first. Quoted strings are skipped.
fn balanced_end(text: &str) -> Option<usize> {
    let mut depth = 0usize;
    let mut in_string = false;
    let mut escaped = false;
    for (i, b) in text.bytes().enumerate() {
        if in_string {
            match b {
                _ if escaped => escaped = false,
                b'\\' => escaped = true,
                b'"' => in_string = false,
                _ => {}
            }
            continue;
        }
        match b {
            b'"' => in_string = true,
            b'{' | b'[' => depth += 1,
            b'}' | b']' => {
                depth = depth.saturating_sub(1);
                if depth == 0 {
                    return Some(i + 1);
                }
            }
            _ => {}
        }
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
}
