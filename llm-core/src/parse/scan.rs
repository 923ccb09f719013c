//! Byte scanning eight bytes at a time, shared by extraction, the repairer, the lenient reader, the
//! stream and the text writer; trimming that skips the scan when there is nothing to trim.

/// The index of the first byte at or after `from` that is one of `stops`, or a control character
/// (below 0x20) when `controls` is set; `bytes.len()` when there is none.
#[inline]
pub(super) fn skip_until(bytes: &[u8], from: usize, stops: &[u8], controls: bool) -> usize {
    const LO: u64 = u64::from_ne_bytes([0x01; 8]);
    const HI: u64 = u64::from_ne_bytes([0x80; 8]);
    let mut i = from;
    while let Some(chunk) = bytes.get(i..i + 8) {
        let mut word = [0u8; 8];
        word.copy_from_slice(chunk);
        let word = u64::from_le_bytes(word);
        // A byte of `word ^ stop` is zero where the byte is `stop`. A borrow can mark bytes
        // above a match, never below: the lowest mark is the first match.
        let mut hit = stops.iter().fold(0, |acc, &stop| {
            let x = word ^ (LO * u64::from(stop));
            acc | (x.wrapping_sub(LO) & !x & HI)
        });
        if controls {
            hit |= word.wrapping_sub(LO * 0x20) & !word & HI;
        }
        if hit != 0 {
            return i + (hit.trailing_zeros() / 8) as usize;
        }
        i += 8;
    }
    while let Some(&b) = bytes.get(i) {
        if (controls && b < 0x20) || stops.contains(&b) {
            return i;
        }
        i += 1;
    }
    bytes.len()
}

/// The index of the first byte at or after `from` that may be a double quote or a bracket:
/// `"`, `{`, `}`, `[` or `]`, or one of `Y`, `_`, `y` and DEL, which are a bracket with two bits
/// of difference ignored (one test finds all four brackets; the caller looks at the byte);
/// `bytes.len()` when there is none.
#[inline]
pub(super) fn skip_to_structure(bytes: &[u8], from: usize) -> usize {
    const LO: u64 = u64::from_ne_bytes([0x01; 8]);
    const HI: u64 = u64::from_ne_bytes([0x80; 8]);
    const MASK: u64 = u64::from_ne_bytes([BRACKET_MASK; 8]);
    let mut i = from;
    while let Some(chunk) = bytes.get(i..i + 8) {
        let mut word = [0u8; 8];
        word.copy_from_slice(chunk);
        let word = u64::from_le_bytes(word);
        // As in `skip_until`: a byte of `quote` or `bracket` is zero where the byte matches.
        let quote = word ^ (LO * u64::from(b'"'));
        let bracket = (word & MASK) ^ (LO * u64::from(BRACKET));
        let hit = ((quote.wrapping_sub(LO) & !quote) | (bracket.wrapping_sub(LO) & !bracket)) & HI;
        if hit != 0 {
            return i + (hit.trailing_zeros() / 8) as usize;
        }
        i += 8;
    }
    while let Some(&b) = bytes.get(i) {
        if b == b'"' || b & BRACKET_MASK == BRACKET {
            return i;
        }
        i += 1;
    }
    bytes.len()
}

/// The bits `{`, `}`, `[` and `]` share: each of them, masked with [`BRACKET_MASK`], is
/// [`BRACKET`].
const BRACKET_MASK: u8 = !0x26;
/// See [`BRACKET_MASK`].
const BRACKET: u8 = b'[' & BRACKET_MASK;

/// Where the run of JSON whitespace at `from` in `bytes` ends; the spaces after each whitespace
/// byte (a newline's indentation) are skipped eight at a time.
#[inline]
pub(super) fn skip_spaces(bytes: &[u8], mut from: usize) -> usize {
    const SPACES: u64 = u64::from_le_bytes([b' '; 8]);
    while bytes.get(from).copied().is_some_and(is_space) {
        from += 1;
        while let Some(chunk) = bytes.get(from..from + 8) {
            let mut word = [0u8; 8];
            word.copy_from_slice(chunk);
            let spaces = (u64::from_le_bytes(word) ^ SPACES).trailing_zeros() / 8;
            from += spaces as usize;
            if spaces < 8 {
                break;
            }
        }
    }
    from
}

/// Whether `b` is JSON whitespace.
#[inline]
pub(super) fn is_space(b: u8) -> bool {
    matches!(b, b' ' | b'\n' | b'\r' | b'\t')
}

/// `text.trim()`, returned at once when `text` starts and ends with a printable ASCII character
/// (as JSON does), which trimming leaves alone.
#[inline]
pub(super) fn trim(text: &str) -> &str {
    let solid = |b: Option<&u8>| b.is_some_and(u8::is_ascii_graphic);
    if solid(text.as_bytes().first()) && solid(text.as_bytes().last()) {
        text
    } else {
        text.trim()
    }
}

#[cfg(test)]
mod tests {
    use super::{BRACKET, BRACKET_MASK, skip_to_structure, skip_until, trim};

    /// The first stop, by the word scan and byte by byte, at every offset.
    #[test]
    fn finds_the_first_stop() {
        let text = b"abc\"de\\fgh{ijklmnop\x01qr}stuvwxyz0123456789\"]";
        for from in 0..text.len() {
            for (stops, controls) in [(&b"\"\\"[..], true), (&b"{}[]\""[..], false)] {
                let expected = (from..text.len())
                    .find(|&i| (controls && text[i] < 0x20) || stops.contains(&text[i]))
                    .unwrap_or(text.len());
                assert_eq!(skip_until(text, from, stops, controls), expected, "{from}");
            }
        }
    }

    /// Every quote and bracket is found, by the word scan and byte by byte, at every offset;
    /// the bytes also stopped at are the four the mask lets through.
    #[test]
    fn finds_quotes_and_brackets() {
        let text: Vec<u8> = (0..=255u8).chain(*b"ab\"cd{ef}gh[ij]kl_yY\x7f").collect();
        let stop = |b: u8| b"\"{}[]Y_y\x7f".contains(&b);
        for b in 0..=255u8 {
            assert_eq!(b & BRACKET_MASK == BRACKET || b == b'"', stop(b), "{b}");
        }
        for from in 0..text.len() {
            let expected = (from..text.len())
                .find(|&i| stop(text[i]))
                .unwrap_or(text.len());
            assert_eq!(skip_to_structure(&text, from), expected, "{from}");
        }
    }

    #[test]
    fn trims_as_str_trim_does() {
        for text in [
            "",
            " ",
            "{}",
            " {} ",
            "\u{feff}{}",
            "a\u{a0}",
            "\u{85}x",
            "x\t",
            "é",
            "1",
        ] {
            assert_eq!(trim(text), text.trim(), "{text:?}");
        }
    }
}
