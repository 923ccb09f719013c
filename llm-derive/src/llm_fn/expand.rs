//! Writing the function, and the module of the same name that holds its prompt identity,
//! `with_provenance` and `fake()`. Generated code stays thin: rendering and the call loop live
//! in `llm_core::prompt` and `llm_core::call`.

use proc_macro2::{Span, TokenStream};
use quote::{format_ident, quote, quote_spanned};
use syn::spanned::Spanned;
use syn::visit_mut::{self, VisitMut};

use super::LlmFn;
use super::template::{Format, Piece};
use crate::hash::fnv1a;
use crate::llm_output::expand::checks;

pub(crate) fn expand(input: &LlmFn) -> TokenStream {
    let krate = input
        .options
        .krate
        .clone()
        .unwrap_or_else(|| syn::parse_quote!(::llm_core));
    let p = quote!(#krate::__private);
    let decl = &input.decl;
    let attrs = &decl.attrs;
    let vis = &decl.vis;
    let sig = clean_signature(&decl.sig);
    let name = &sig.ident;
    let Some(output) = &input.output else {
        return TokenStream::new();
    };
    // The module's items see the function's types one level down.
    let mut output = output.clone();
    OneLevelDown.visit_type_mut(&mut output);
    let output = &output;
    let client = input
        .client()
        .cloned()
        .unwrap_or_else(|| format_ident!("llm"));
    let params: Vec<&syn::Ident> = input.params.iter().map(|p| &p.ident).collect();

    let mut provenance_sig = sig.clone();
    provenance_sig.ident = format_ident!("with_provenance");
    OneLevelDown.visit_signature_mut(&mut provenance_sig);
    provenance_sig.output = syn::parse_quote!(
        -> ::core::result::Result<#p::Answer<#output>, #p::LlmError>
    );

    // Errors about the output type point at the type, not at the attribute.
    let span = output.span();
    let p_at_output = respan(p.clone(), span);
    let schema_hash = quote_spanned!(span=> <#output as #p_at_output::LlmOutput>::SCHEMA_HASH);
    let (hash, prompt_consts) = prompt_info(input, &schema_hash, &p);
    let run =
        quote_spanned!(span=> #p_at_output::run::<#output>(#client, &PROMPT, __rendered).await);
    let body = quote!({
        #name::with_provenance(#client #(, #params)*)
            .await
            .map(|__answer| __answer.value)
    });
    let input_checks = input_checks(input, &p);
    let render = render(input, &p);
    let provenance_body = quote_spanned!(span=> {
        #input_checks
        #render
        #run
    });
    let track = input.template_path.as_ref().map(|path| {
        quote!(
            const _: &str = ::core::include_str!(#path);
        )
    });
    let fn_doc = format!(
        "The prompt identity, provenance call and test double of [`{name}`](fn@super::{name})."
    );
    let output_name = quote!(#output).to_string().replace(' ', "");

    quote! {
        #(#attrs)*
        #vis #sig #body

        #[doc = #fn_doc]
        #vis mod #name {
            #[allow(unused_imports)]
            use super::*;

            #track

            /// A hash of the system prompt, the template, the model settings and the output
            /// type's `SCHEMA_HASH` (in prompt mode, also the version of the format
            /// instructions): changes whenever what the model is asked changes.
            pub const PROMPT_HASH: u64 = #hash;

            #prompt_consts

            /// The prompt's identity, registered for `llm_core::prompt::all()`.
            pub static PROMPT: #p::PromptInfo = #p::PromptInfo::generated(
                #p::PromptIdentity {
                    name: PROMPT_NAME,
                    hash: PROMPT_HASH,
                    output_type: #output_name,
                    fn_path: ::core::module_path!(),
                },
                PROMPT_SETTINGS,
            );

            #p::inventory::submit! { #p::Registered(&PROMPT) }

            /// Calls the model like the function does, and returns the value with its
            /// provenance: attempts, fixes, usage, latency.
            ///
            /// # Errors
            ///
            /// As the function: invalid arguments, provider failures, and answers that stayed
            /// invalid after every re-ask.
            pub #provenance_sig #provenance_body

            /// A test double: script outcomes, pass `&fake` where the `&Llm` goes, then assert
            /// on the calls it received.
            #[must_use]
            pub fn fake() -> #p::Fake<#output> {
                #p::Fake::new(&PROMPT)
            }
        }
    }
}

/// `tokens` with every span set to `span`, so that an error in code that uses them points there.
fn respan(tokens: TokenStream, span: Span) -> TokenStream {
    tokens
        .into_iter()
        .map(|mut tree| {
            if let proc_macro2::TokenTree::Group(group) = &tree {
                let mut inner =
                    proc_macro2::Group::new(group.delimiter(), respan(group.stream(), span));
                inner.set_span(span);
                tree = proc_macro2::TokenTree::Group(inner);
            } else {
                tree.set_span(span);
            }
            tree
        })
        .collect()
}

/// The expression of `PROMPT_HASH` (with `schema_hash`, the output type's), and the consts
/// `PROMPT_NAME` and `PROMPT_SETTINGS`.
fn prompt_info(
    input: &LlmFn,
    schema_hash: &TokenStream,
    p: &TokenStream,
) -> (TokenStream, TokenStream) {
    let o = &input.options;
    let name = input.prompt_name();
    let template = input.template.clone().unwrap_or_default();
    let system = o.system.as_ref().map(syn::LitStr::value);
    let model = o.model.as_ref().map(syn::LitStr::value);
    let temperature = o.temperature.as_ref().map(|(t, _)| *t);
    let max_tokens = o.max_tokens.as_ref().map(|(n, _)| *n);
    let retries = o.retries.as_ref().map_or(0, |(n, _)| *n);
    let mode = o
        .mode
        .as_ref()
        .map_or_else(|| "native".to_owned(), syn::LitStr::value);
    let version = o.version.as_ref().map(syn::LitStr::value);

    // What shapes the answer, in a fixed order with separators: not the name, the version label
    // or the number of re-asks.
    let mut canonical = String::new();
    for part in [
        Some(template.as_str()),
        system.as_deref(),
        model.as_deref(),
        temperature.map(|t| t.to_bits().to_string()).as_deref(),
        max_tokens.map(|n| n.to_string()).as_deref(),
        Some(mode.as_str()),
    ] {
        canonical.push_str(part.unwrap_or("\u{0}none"));
        canonical.push('\u{1}');
    }
    let local = fnv1a(canonical.as_bytes());

    let opt_str = |v: &Option<String>| match v {
        Some(s) => quote!(::core::option::Option::Some(#s)),
        None => quote!(::core::option::Option::None),
    };
    let (system, model, version) = (opt_str(&system), opt_str(&model), opt_str(&version));
    let temperature = match temperature {
        Some(t) => quote!(::core::option::Option::Some(#t)),
        None => quote!(::core::option::Option::None),
    };
    let max_tokens = match max_tokens {
        Some(n) => quote!(::core::option::Option::Some(#n)),
        None => quote!(::core::option::Option::None),
    };
    // In prompt mode the format instructions go with the prompt: their version counts too.
    let format_version = (mode == "prompt").then(|| quote!(, #p::FORMAT_VERSION));
    let mode = format_ident!("{}", capitalize(&mode));
    let hash = quote!(#p::combine(#local, &[#schema_hash #format_version]));
    let consts = quote! {
        const PROMPT_NAME: &str = #name;

        const PROMPT_SETTINGS: #p::PromptSettings = #p::PromptSettings {
            template: #template,
            system: #system,
            model: #model,
            temperature: #temperature,
            max_tokens: #max_tokens,
            retries: #retries,
            mode: #p::Mode::#mode,
            version: #version,
        };
    };
    (hash, consts)
}

fn capitalize(s: &str) -> String {
    let mut chars = s.chars();
    chars
        .next()
        .map_or_else(String::new, |c| c.to_uppercase().chain(chars).collect())
}

/// The parameters' rules, checked before anything is rendered or sent.
fn input_checks(input: &LlmFn, p: &TokenStream) -> TokenStream {
    let per_param: Vec<TokenStream> = input
        .params
        .iter()
        .filter(|param| !param.attrs.rules.is_empty())
        .map(|param| {
            let ident = &param.ident;
            let name = ident.to_string();
            let rules = checks(&param.attrs.rules, &quote!(&#ident), p);
            quote!(__v.enter(#name); #rules __v.leave();)
        })
        .collect();
    if per_param.is_empty() {
        return TokenStream::new();
    }
    quote! {
        {
            let mut __v = #p::Validator::new();
            let __v = &mut __v;
            #(#per_param)*
            if let ::core::result::Result::Err(__e) = ::core::mem::take(__v).finish() {
                return ::core::result::Result::Err(
                    #p::InputError::new(PROMPT.name, __e).into(),
                );
            }
        }
    }
}

/// Renders the template into `__rendered`.
fn render(input: &LlmFn, p: &TokenStream) -> TokenStream {
    let span = input
        .template_lit
        .as_ref()
        .map_or_else(Span::call_site, syn::LitStr::span);
    let capacity = input.template.as_ref().map_or(0, |t| t.len() + 64);
    let steps = input.pieces.iter().map(|piece| match piece {
        Piece::Text(text) => quote!(__r.text(#text);),
        Piece::Placeholder(placeholder) => {
            let name = placeholder.name();
            let root = syn::Ident::new(&placeholder.path[0], span);
            let fields = placeholder.path[1..].iter().map(|f| {
                let member: syn::Member = match f.parse::<u32>() {
                    Ok(index) => syn::Member::Unnamed(syn::Index { index, span }),
                    Err(_) => syn::Member::Named(syn::Ident::new(f, span)),
                };
                quote_spanned!(span=> .#member)
            });
            let expr = quote_spanned!(span=> #root #(#fields)*);
            match placeholder.format {
                Format::Plain => quote_spanned!(span=> __r.arg(#name, &#expr);),
                Format::Inline => quote_spanned!(span=> __r.arg_inline(#name, (#expr).iter());),
                Format::Debug => quote_spanned!(span=> __r.arg_debug(#name, &#expr);),
                Format::Json | Format::Pretty => {
                    let pretty = placeholder.format == Format::Pretty;
                    quote_spanned!(span=>
                        __r.arg_json(#name, &#expr, #pretty)
                            .map_err(|__e| #p::json_arg_error(PROMPT.name, #name, &__e))?;
                    )
                }
            }
        }
    });
    quote! {
        let __rendered = {
            let mut __r = #p::Renderer::new(#capacity);
            #(#steps)*
            __r.finish()
        };
    }
}

/// Rewrites relative paths for code one module further down: `super::X` becomes
/// `super::super::X` and `self::X` becomes `super::X` (plain names reach the module through its
/// `use super::*`).
struct OneLevelDown;

impl VisitMut for OneLevelDown {
    fn visit_path_mut(&mut self, path: &mut syn::Path) {
        if path.leading_colon.is_none()
            && let Some(first) = path.segments.first_mut()
        {
            if first.ident == "self" {
                first.ident = syn::Ident::new("super", first.ident.span());
            } else if first.ident == "super" {
                let span = first.ident.span();
                path.segments
                    .insert(0, syn::PathSegment::from(syn::Ident::new("super", span)));
            }
        }
        visit_mut::visit_path_mut(self, path);
    }
}

/// The signature without the `#[llm(...)]` attributes on its parameters.
fn clean_signature(sig: &syn::Signature) -> syn::Signature {
    let mut sig = sig.clone();
    for input in &mut sig.inputs {
        if let syn::FnArg::Typed(arg) = input {
            arg.attrs.retain(|a| !a.path().is_ident("llm"));
        }
    }
    sig
}

/// On error: the errors, and the function with a body that never runs, so the rest of the
/// crate still type-checks against its signature.
pub(crate) fn stub(input: &LlmFn, err: syn::Error) -> TokenStream {
    let errors = err.to_compile_error();
    let decl = &input.decl;
    let attrs = &decl.attrs;
    let vis = &decl.vis;
    let sig = clean_signature(&decl.sig);
    let span = sig.span();
    quote_spanned! {span=>
        #errors
        #(#attrs)*
        #[allow(unused_variables)]
        #vis #sig {
            ::core::unreachable!()
        }
    }
}
