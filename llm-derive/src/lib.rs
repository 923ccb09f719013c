//! Macros for `llm-core`; documented where `llm-core` re-exports them.

#![forbid(unsafe_code)]

mod errors;
mod hash;
mod llm_fn;
mod llm_output;
mod ty;

use proc_macro::TokenStream;

/// See `llm_core::LlmOutput`.
#[proc_macro_derive(LlmOutput, attributes(llm))]
pub fn derive_llm_output(input: TokenStream) -> TokenStream {
    let input = syn::parse_macro_input!(input as syn::DeriveInput);
    llm_output::derive(&input).into()
}

/// See `llm_core::llm_fn`.
#[proc_macro_attribute]
pub fn llm_fn(args: TokenStream, input: TokenStream) -> TokenStream {
    llm_fn::llm_fn(args.into(), input.into()).into()
}
