//! The local part of `SCHEMA_HASH`: a canonical rendering of the input, hashed with FNV-1a.
//!
//! Tokens are re-printed one by one with single spaces, so the text (and the hash) depends only
//! on the tokens, not on how a compiler version spaces `TokenStream::to_string`.

use proc_macro2::{Delimiter, TokenStream, TokenTree};

/// Appends the canonical text of `tokens` to `out`.
pub(crate) fn canonical(tokens: TokenStream, out: &mut String) {
    for tree in tokens {
        match tree {
            TokenTree::Group(group) => {
                let (open, close) = match group.delimiter() {
                    Delimiter::Parenthesis => ("(", ")"),
                    Delimiter::Brace => ("{", "}"),
                    Delimiter::Bracket => ("[", "]"),
                    Delimiter::None => ("", ""),
                };
                out.push_str(open);
                out.push(' ');
                canonical(group.stream(), out);
                out.push_str(close);
            }
            TokenTree::Ident(ident) => out.push_str(&ident.to_string()),
            TokenTree::Punct(punct) => out.push(punct.as_char()),
            TokenTree::Literal(lit) => out.push_str(&lit.to_string()),
        }
        out.push(' ');
    }
}

/// 64-bit FNV-1a; must match `llm_core::output::hash::fnv1a`.
pub(crate) fn fnv1a(bytes: &[u8]) -> u64 {
    bytes.iter().fold(0xcbf2_9ce4_8422_2325, |hash, byte| {
        (hash ^ u64::from(*byte)).wrapping_mul(0x0000_0100_0000_01b3)
    })
}
