//! Reading `#[llm_fn(...)]` options and the function they annotate into a typed model. Every bad
//! option is reported; reading goes on after an error.

use proc_macro2::TokenStream;
use quote::ToTokens;
use syn::meta::ParseNestedMeta;
use syn::parse::{Parse, ParseStream};
use syn::{Attribute, LitFloat, LitInt, LitStr, Token};

use crate::errors::Errors;
use crate::llm_output::attr::FieldAttrs;

const KEYS: &str = "prompt, prompt_file, system, model, temperature, max_tokens, retries, mode, name, version, crate";

/// The options of `#[llm_fn(...)]`, each with the literal it came from.
#[derive(Default)]
pub(crate) struct Options {
    pub(crate) prompt: Option<LitStr>,
    pub(crate) prompt_file: Option<LitStr>,
    pub(crate) system: Option<LitStr>,
    pub(crate) model: Option<LitStr>,
    pub(crate) temperature: Option<(f32, TokenStream)>,
    pub(crate) max_tokens: Option<(u32, LitInt)>,
    pub(crate) retries: Option<(u32, LitInt)>,
    pub(crate) mode: Option<LitStr>,
    pub(crate) name: Option<LitStr>,
    pub(crate) version: Option<LitStr>,
    pub(crate) krate: Option<syn::Path>,
}

impl Options {
    pub(crate) fn parse(args: TokenStream, errors: &mut Errors) -> Self {
        let mut out = Options::default();
        let mut seen: Vec<String> = Vec::new();
        // `syn::meta::parser` stops at its first error: parse option by option so that every
        // bad option is reported.
        for chunk in split_commas(args) {
            let parser = syn::meta::parser(|meta| option(&meta, &mut out, &mut seen));
            if let Err(err) = syn::parse::Parser::parse2(parser, chunk) {
                errors.push(err);
            }
        }
        out
    }
}

/// The comma-separated parts of an attribute's arguments.
fn split_commas(args: TokenStream) -> Vec<TokenStream> {
    let mut chunks = vec![TokenStream::new()];
    for tree in args {
        match &tree {
            proc_macro2::TokenTree::Punct(p) if p.as_char() == ',' => {
                chunks.push(TokenStream::new());
            }
            _ => chunks
                .last_mut()
                .into_iter()
                .for_each(|c| c.extend([tree.clone()])),
        }
    }
    chunks.retain(|c| !c.is_empty());
    chunks
}

fn option(
    meta: &ParseNestedMeta<'_>,
    out: &mut Options,
    seen: &mut Vec<String>,
) -> syn::Result<()> {
    let key = meta.path.get_ident().map_or_else(
        || meta.path.to_token_stream().to_string().replace(' ', ""),
        ToString::to_string,
    );
    if seen.contains(&key) {
        return Err(meta.error(format_args!("duplicate llm_fn option `{key}`")));
    }
    seen.push(key.clone());
    let text = |example: &str| -> syn::Result<LitStr> {
        meta.value()?.parse::<LitStr>().map_err(|e| {
            syn::Error::new(e.span(), format_args!("`{key}` takes a string: {example}"))
        })
    };
    match key.as_str() {
        "prompt" => out.prompt = Some(text("prompt = \"Summarize: {text}\"")?),
        "prompt_file" => out.prompt_file = Some(text("prompt_file = \"prompts/summary.md\"")?),
        "system" => out.system = Some(text("system = \"You are terse.\"")?),
        "model" => out.model = Some(text("model = \"gpt-4o-mini\"")?),
        "mode" => out.mode = Some(text("mode = \"native\"")?),
        "name" => out.name = Some(text("name = \"summarize\"")?),
        "version" => out.version = Some(text("version = \"2\"")?),
        "crate" => {
            let lit = text("crate = \"my_llm_core\"")?;
            out.krate = Some(lit.parse::<syn::Path>().map_err(|_| {
                syn::Error::new(lit.span(), "`crate` must be a path such as \"my_llm_core\"")
            })?);
        }
        "temperature" => out.temperature = Some(float(meta.value()?)?),
        "max_tokens" | "retries" => {
            let lit = meta.value()?.parse::<LitInt>().map_err(|e| {
                syn::Error::new(
                    e.span(),
                    format_args!("`{key}` takes a whole number: {key} = 2"),
                )
            })?;
            let n = lit.base10_parse::<u32>().map_err(|_| {
                syn::Error::new(
                    lit.span(),
                    format_args!("`{key}` must be a whole number from 0 to 4294967295"),
                )
            })?;
            if key == "retries" {
                out.retries = Some((n, lit));
            } else {
                out.max_tokens = Some((n, lit));
            }
        }
        _ => {
            return Err(meta.error(format_args!(
                "unknown llm_fn option `{key}`; options are: {KEYS}"
            )));
        }
    }
    Ok(())
}

/// A float literal (or an integer one, `temperature = 1`), with its tokens.
fn float(input: ParseStream<'_>) -> syn::Result<(f32, TokenStream)> {
    let example = "`temperature` takes a number from 0 to 2: temperature = 0.2";
    if input.peek(LitFloat) {
        let lit: LitFloat = input.parse()?;
        let value = lit
            .base10_parse::<f32>()
            .map_err(|_| syn::Error::new(lit.span(), example))?;
        return Ok((value, quote::quote!(#lit)));
    }
    if input.peek(LitInt) {
        let lit: LitInt = input.parse()?;
        let value = lit
            .base10_parse::<f32>()
            .map_err(|_| syn::Error::new(lit.span(), example))?;
        return Ok((value, quote::quote!(#lit)));
    }
    if input.peek(Token![-]) {
        let minus: Token![-] = input.parse()?;
        let rest: TokenStream = input.parse()?;
        return Err(syn::Error::new_spanned(
            quote::quote!(#minus #rest),
            example,
        ));
    }
    Err(input.error(example))
}

/// The annotated function: a signature with no body (or an empty one).
pub(crate) struct FnDecl {
    pub(crate) attrs: Vec<Attribute>,
    pub(crate) vis: syn::Visibility,
    pub(crate) sig: syn::Signature,
    /// A non-empty body, which is an error.
    pub(crate) body: Option<syn::Block>,
}

impl Parse for FnDecl {
    fn parse(input: ParseStream<'_>) -> syn::Result<Self> {
        let attrs = input.call(Attribute::parse_outer)?;
        let vis = input.parse()?;
        let sig = input.parse()?;
        let body = if input.peek(Token![;]) {
            input.parse::<Token![;]>()?;
            None
        } else {
            let block: syn::Block = input.parse()?;
            (!block.stmts.is_empty()).then_some(block)
        };
        Ok(FnDecl {
            attrs,
            vis,
            sig,
            body,
        })
    }
}

/// One parameter after the client handle.
pub(crate) struct Param {
    pub(crate) ident: syn::Ident,
    pub(crate) ty: syn::Type,
    pub(crate) attrs: FieldAttrs,
}

/// Reads the `#[llm(...)]` rules of each parameter (all but the first); reports patterns that
/// are not plain names.
pub(crate) fn params(sig: &syn::Signature, errors: &mut Errors) -> Vec<Param> {
    let mut out = Vec::new();
    for input in sig.inputs.iter().skip(1) {
        let syn::FnArg::Typed(arg) = input else {
            continue;
        };
        let attrs = FieldAttrs::from_attrs(&arg.attrs, errors);
        match &*arg.pat {
            syn::Pat::Ident(pat) if pat.by_ref.is_none() && pat.subpat.is_none() => {
                out.push(Param {
                    ident: pat.ident.clone(),
                    ty: (*arg.ty).clone(),
                    attrs,
                });
            }
            other => errors.at(
                other,
                "`#[llm_fn]` parameters must be plain names, so the prompt can refer to them",
            ),
        }
    }
    out
}
