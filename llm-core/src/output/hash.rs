//! The arithmetic behind [`LlmOutput::SCHEMA_HASH`](crate::LlmOutput::SCHEMA_HASH).
//!
//! The derive hashes a canonical rendering of the type (names, types, serde and llm attributes,
//! docs) with [`fnv1a`] when it expands, then combines the result with the hashes of the field
//! types in a `const` with [`combine`]. Both are `const fn` and fixed: changing them changes every
//! prompt hash, so they are written out here rather than taken from a hasher crate whose output
//! may change between versions.

const OFFSET: u64 = 0xcbf2_9ce4_8422_2325;
const PRIME: u64 = 0x0000_0100_0000_01b3;

/// 64-bit FNV-1a of `bytes`.
///
/// ```
/// assert_eq!(llm_core::output::hash::fnv1a(b""), 0xcbf2_9ce4_8422_2325);
/// ```
pub const fn fnv1a(bytes: &[u8]) -> u64 {
    let mut hash = OFFSET;
    let mut i = 0;
    while i < bytes.len() {
        hash ^= bytes[i] as u64;
        hash = hash.wrapping_mul(PRIME);
        i += 1;
    }
    hash
}

/// Folds `parts` into `seed`, order-sensitively.
///
/// ```
/// use llm_core::output::hash::combine;
/// assert_ne!(combine(1, &[2, 3]), combine(1, &[3, 2]));
/// ```
pub const fn combine(seed: u64, parts: &[u64]) -> u64 {
    let mut hash = seed;
    let mut i = 0;
    while i < parts.len() {
        let bytes = parts[i].to_le_bytes();
        let mut j = 0;
        while j < 8 {
            hash ^= bytes[j] as u64;
            hash = hash.wrapping_mul(PRIME);
            j += 1;
        }
        i += 1;
    }
    hash
}
