//! Byte scanning eight bytes at a time, shared by extraction, the repairer and the text writer.

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
        let word = u64::from_ne_bytes(word);
        // A byte of `word ^ stop` is zero where the byte is `stop`.
        let mut hit = stops.iter().fold(0, |acc, &stop| {
            let x = word ^ (LO * u64::from(stop));
            acc | (x.wrapping_sub(LO) & !x & HI)
        });
        if controls {
            hit |= word.wrapping_sub(LO * 0x20) & !word & HI;
        }
        if hit != 0 {
            break;
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
