//! Chunks that are only kept: inside a member of a member of the root, a chunk without a closing
//! bracket is appended to the text, to be read when one arrives (see `Clean::can_wait` and
//! `Repairer::nested`).

/// Whether `chunk` holds a `}` or `]`.
#[inline]
pub(super) fn closes(chunk: &str) -> bool {
    // `]` is `}` without bit 5: one comparison per byte.
    chunk.bytes().any(|b| b | 0x20 == b'}')
}

/// Appends `chunk` to `text` unless it holds a `}` or `]`; whether it did. A chunk of up to
/// eight bytes (what a stream of tokens brings) is checked as one word and copied without a call.
#[inline(always)]
pub(super) fn keep(text: &mut String, chunk: &str) -> bool {
    match chunk.len() {
        1 => keep_short::<1>(text, chunk),
        2 => keep_short::<2>(text, chunk),
        3 => keep_short::<3>(text, chunk),
        4 => keep_short::<4>(text, chunk),
        5 => keep_short::<5>(text, chunk),
        6 => keep_short::<6>(text, chunk),
        7 => keep_short::<7>(text, chunk),
        8 => keep_short::<8>(text, chunk),
        _ if closes(chunk) => false,
        _ => {
            text.push_str(chunk);
            true
        }
    }
}

/// [`keep`] for a chunk of `N` bytes (at most 8): the length known, the copy is a few moves.
#[inline(always)]
fn keep_short<const N: usize>(text: &mut String, chunk: &str) -> bool {
    let (Some(bytes), Some(short)) = (chunk.as_bytes().first_chunk::<N>(), chunk.get(..N)) else {
        return false;
    };
    let mut word = [0u8; 8];
    word[..N].copy_from_slice(bytes);
    let word = u64::from_le_bytes(word);
    let closes = if N <= 4 {
        closes_u32(word as u32)
    } else {
        closes_u64(word)
    };
    if closes {
        return false;
    }
    text.push_str(short);
    true
}

/// Whether a word of bytes (the unused ones zero) holds a `}` or `]`: a byte of `x` is zero where
/// it does (`]` is `}` without bit 5), never in the padding. A borrow can mark bytes above a zero,
/// never below one.
#[inline(always)]
fn closes_u64(word: u64) -> bool {
    const LO: u64 = u64::from_le_bytes([0x01; 8]);
    let x = (word | (LO * 0x20)) ^ (LO * 0x7D);
    x.wrapping_sub(LO) & !x & (LO * 0x80) != 0
}

/// [`closes_u64`] for up to four bytes, on 32 bits (shorter constants).
#[inline(always)]
fn closes_u32(word: u32) -> bool {
    const LO: u32 = u32::from_le_bytes([0x01; 4]);
    let x = (word | (LO * 0x20)) ^ (LO * 0x7D);
    x.wrapping_sub(LO) & !x & (LO * 0x80) != 0
}

/// Appends `chunk` to `text`; a chunk of up to eight bytes with fixed-size moves, as [`keep`]
/// does.
#[inline(always)]
pub(super) fn append(text: &mut String, chunk: &str) {
    match chunk.len() {
        1 => push::<1>(text, chunk),
        2 => push::<2>(text, chunk),
        3 => push::<3>(text, chunk),
        4 => push::<4>(text, chunk),
        5 => push::<5>(text, chunk),
        6 => push::<6>(text, chunk),
        7 => push::<7>(text, chunk),
        8 => push::<8>(text, chunk),
        _ => text.push_str(chunk),
    }
}

/// [`append`] for a chunk of `N` bytes: the length known, the copy is a few moves.
#[inline(always)]
fn push<const N: usize>(text: &mut String, chunk: &str) {
    text.push_str(chunk.get(..N).unwrap_or(chunk));
}
