//! Collecting every compile error before reporting, so the user sees them all at once.

use std::fmt::Display;

use quote::ToTokens;

/// Errors gathered while reading and checking one macro input.
#[derive(Default)]
pub(crate) struct Errors(Option<syn::Error>);

impl Errors {
    pub(crate) fn push(&mut self, err: syn::Error) {
        match &mut self.0 {
            Some(all) => all.combine(err),
            None => self.0 = Some(err),
        }
    }

    /// An error on the tokens of `at`.
    pub(crate) fn at(&mut self, at: impl ToTokens, msg: impl Display) {
        self.push(syn::Error::new_spanned(at, msg));
    }

    pub(crate) fn is_empty(&self) -> bool {
        self.0.is_none()
    }

    pub(crate) fn finish(self) -> syn::Result<()> {
        self.0.map_or(Ok(()), Err)
    }
}
