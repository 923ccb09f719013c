//! Finding the JSON in a reply: the whole text, a fenced block, or a value inside prose.

use super::{FixKind, ParseErrorKind};

/// The JSON text inside `raw`, and how it was found (`None` when `raw` is JSON already).
pub(super) fn extract(raw: &str) -> Result<(&str, Option<FixKind>), ParseErrorKind> {
    let trimmed = raw.trim_start_matches('\u{feff}').trim();
    if trimmed.is_empty() {
        return Err(ParseErrorKind::Empty);
    }
    if trimmed.starts_with(['{', '[', '"'])
        || serde_json::from_str::<serde_json::Value>(trimmed).is_ok()
    {
        return Ok((trimmed, None));
    }
    if let Some(fenced) = fenced(trimmed) {
        return Ok((fenced, Some(FixKind::ExtractedFromFence)));
    }
    let start = trimmed.find(['{', '[']).ok_or(ParseErrorKind::NoJson)?;
    let close = if trimmed[start..].starts_with('{') {
        '}'
    } else {
        ']'
    };
    let end = trimmed
        .rfind(close)
        .filter(|end| *end > start)
        .ok_or(ParseErrorKind::NoJson)?;
    Ok((&trimmed[start..=end], Some(FixKind::ExtractedFromProse)))
}

/// The body of the first markdown code fence, with or without a language tag.
fn fenced(text: &str) -> Option<&str> {
    let open = text.find("```")?;
    let after = &text[open + 3..];
    let body_start = after.find('\n').map_or(0, |n| n + 1);
    let body = &after[body_start..];
    let close = body.find("```").unwrap_or(body.len());
    let body = body[..close].trim();
    (!body.is_empty()).then_some(body)
}
