//! `#[llm_fn]`: read (`attr`, `template`, `from_syn`), check (`valid`), write (`expand`).

mod attr;
mod expand;
mod template;
mod valid;

use proc_macro2::TokenStream;

use crate::errors::Errors;
use attr::{FnDecl, Options, Param};
use template::Piece;

pub(crate) fn llm_fn(args: TokenStream, item: TokenStream) -> TokenStream {
    let decl = match syn::parse2::<FnDecl>(item.clone()) {
        Ok(decl) => decl,
        Err(err) => {
            let mut out = err.to_compile_error();
            out.extend(item);
            return out;
        }
    };
    let mut input = LlmFn::from_syn(args, decl);
    match input.validate() {
        Ok(()) => expand::expand(&input),
        Err(err) => expand::stub(&input, err),
    }
}

/// The annotated function and its options, read but not yet checked.
pub(crate) struct LlmFn {
    pub(crate) options: Options,
    pub(crate) decl: FnDecl,
    pub(crate) params: Vec<Param>,
    /// `T` of `Result<T, LlmError>`, when the return type has that shape.
    pub(crate) output: Option<syn::Type>,
    /// The template text (the `prompt`, or the contents of the `prompt_file`).
    pub(crate) template: Option<String>,
    /// The literal the template came from, where its errors are reported.
    pub(crate) template_lit: Option<syn::LitStr>,
    /// The absolute path of the `prompt_file`, tracked for rebuilds.
    pub(crate) template_path: Option<String>,
    pub(crate) pieces: Vec<Piece>,
    /// Whether the options and the template were read without error; checks that depend on
    /// them are skipped otherwise, so one mistake gives one error.
    pub(crate) read_ok: bool,
    /// Errors found while reading, reported with the checks of `valid`.
    pub(crate) errors: Errors,
}

impl LlmFn {
    fn from_syn(args: TokenStream, decl: FnDecl) -> Self {
        let mut errors = Errors::default();
        let options = Options::parse(args, &mut errors);
        let options_ok = errors.is_empty();
        let params = attr::params(&decl.sig, &mut errors);
        let output = result_ok_type(&decl.sig.output);
        let mut out = LlmFn {
            options,
            decl,
            params,
            output,
            template: None,
            template_lit: None,
            template_path: None,
            pieces: Vec::new(),
            read_ok: false,
            errors,
        };
        let template_ok = out.read_template();
        out.read_ok = options_ok && template_ok;
        out
    }

    /// Reads and parses the template; `false` when that failed.
    fn read_template(&mut self) -> bool {
        let (text, lit) = match (&self.options.prompt, &self.options.prompt_file) {
            (Some(prompt), None) => (prompt.value(), prompt.clone()),
            (None, Some(file)) => {
                let dir = std::env::var("CARGO_MANIFEST_DIR").unwrap_or_default();
                let path = std::path::Path::new(&dir).join(file.value());
                match std::fs::read_to_string(&path) {
                    Ok(text) => {
                        self.template_path = Some(path.to_string_lossy().into_owned());
                        (text, file.clone())
                    }
                    Err(err) => {
                        self.errors.at(
                            file,
                            format_args!(
                                "cannot read the prompt file `{}`: {err}; the path is relative to the crate's Cargo.toml",
                                path.display()
                            ),
                        );
                        return false;
                    }
                }
            }
            // Both or neither: reported by `valid`.
            _ => return true,
        };
        let ok = match template::parse(&text) {
            Ok(pieces) => {
                self.pieces = pieces;
                true
            }
            Err(messages) => {
                for message in messages {
                    self.errors.at(&lit, message);
                }
                false
            }
        };
        self.template = Some(text);
        self.template_lit = Some(lit);
        ok
    }

    /// The name of the first parameter, the client handle.
    pub(crate) fn client(&self) -> Option<&syn::Ident> {
        match self.decl.sig.inputs.first()? {
            syn::FnArg::Typed(arg) => match &*arg.pat {
                syn::Pat::Ident(pat) => Some(&pat.ident),
                _ => None,
            },
            syn::FnArg::Receiver(_) => None,
        }
    }

    /// The prompt's name: the `name` option or the function's name.
    pub(crate) fn prompt_name(&self) -> String {
        self.options
            .name
            .as_ref()
            .map_or_else(|| self.decl.sig.ident.to_string(), syn::LitStr::value)
    }
}

/// `T` when `output` is `-> Result<T, E>` (any `Result` path, any `E`: `valid` checks `E`).
fn result_ok_type(output: &syn::ReturnType) -> Option<syn::Type> {
    let syn::ReturnType::Type(_, ty) = output else {
        return None;
    };
    let syn::Type::Path(path) = &**ty else {
        return None;
    };
    let last = path.path.segments.last()?;
    if last.ident != "Result" {
        return None;
    }
    let syn::PathArguments::AngleBracketed(args) = &last.arguments else {
        return None;
    };
    let mut types = args.args.iter().filter_map(|a| match a {
        syn::GenericArgument::Type(t) => Some(t),
        _ => None,
    });
    let ok = types.next()?.clone();
    let err = types.next()?;
    let is_llm_error = match err {
        syn::Type::Path(p) => p
            .path
            .segments
            .last()
            .is_some_and(|s| s.ident == "LlmError"),
        _ => false,
    };
    is_llm_error.then_some(ok)
}
