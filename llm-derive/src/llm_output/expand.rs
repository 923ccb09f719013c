//! Writing the `impl LlmOutput`. Cannot fail: everything was checked in `valid`.
//!
//! Generated code calls the shared helpers in `llm_core::__private` (the checks, the schema
//! keyword writers) instead of inlining per-field logic, and skips fields whose type is a plain
//! scalar with no rules, so a large type expands to little code.

use proc_macro2::{Literal, TokenStream};
use quote::{ToTokens, quote, quote_spanned};
use serde_derive_internals::ast::Style;
use syn::spanned::Spanned;
use syn::{DeriveInput, parse_quote};

use super::attr::{Choice, Num, Rule};
use super::{Data, Field, Input, Tagging, Variant};
use crate::hash::{canonical, fnv1a};
use crate::ty::{is_plain, mentions};

pub(crate) fn expand(cont: &Input<'_>) -> TokenStream {
    let krate = cont
        .attrs
        .krate
        .clone()
        .unwrap_or_else(|| parse_quote!(::llm_core));
    let p = quote!(#krate::__private);
    let body = [validate_fn(cont, &p), apply_rules_fn(cont, &p)];
    let hash = schema_hash(cont, &krate, &p);
    imp(
        cont.original,
        &krate,
        &quote!(const SCHEMA_HASH: u64 = #hash; #(#body)*),
    )
}

/// On error: the errors, and an impl with no rules so that uses of the type do not add errors of
/// their own.
pub(crate) fn stub(input: &DeriveInput, err: syn::Error) -> TokenStream {
    let err = err.to_compile_error();
    if matches!(input.data, syn::Data::Union(_)) {
        return quote!(#err);
    }
    let krate: syn::Path = parse_quote!(::llm_core);
    let body = imp(
        input,
        &krate,
        &quote!(
            const SCHEMA_HASH: u64 = 0;
        ),
    );
    quote!(#err #body)
}

fn imp(input: &DeriveInput, krate: &syn::Path, body: &TokenStream) -> TokenStream {
    let ident = &input.ident;
    let mut generics = input.generics.clone();
    let params: Vec<_> = generics.type_params().map(|t| t.ident.clone()).collect();
    let where_clause = generics.make_where_clause();
    for param in params {
        where_clause
            .predicates
            .push(parse_quote!(#param: #krate::LlmOutput));
    }
    let (impl_generics, ty_generics, where_clause) = generics.split_for_impl();
    quote! {
        const _: () = {
            #[automatically_derived]
            impl #impl_generics #krate::LlmOutput for #ident #ty_generics #where_clause {
                #body
            }
        };
    }
}

/// Whether the field's type can hold rules of its own (not a plain scalar).
fn has_nested(field: &Field<'_>) -> bool {
    field.is_nested() && !is_plain(field.ty)
}

fn opt<T: ToTokens>(value: Option<T>) -> TokenStream {
    match value {
        Some(v) => quote!(::core::option::Option::Some(#v)),
        None => quote!(::core::option::Option::None),
    }
}

fn float(num: &Num) -> TokenStream {
    let lit = Literal::f64_suffixed(num.value.abs());
    if num.value < 0.0 {
        quote!(-#lit)
    } else {
        quote!(#lit)
    }
}

fn json_literal(choice: &Choice) -> String {
    match choice {
        Choice::Text(s) => format!("{s:?}"),
        Choice::Number(n) if n.fract() == 0.0 => format!("{n:.0}"),
        Choice::Number(n) => n.to_string(),
    }
}

fn path_name(path: &syn::Path) -> String {
    let segments: Vec<String> = path.segments.iter().map(|s| s.ident.to_string()).collect();
    segments.join("::")
}

/// The checks of `rules` on the value `value` (an expression of reference type).
pub(crate) fn checks(
    rules: &[(syn::Path, Rule)],
    field: &TokenStream,
    p: &TokenStream,
) -> TokenStream {
    let calls = rules.iter().map(|(key, rule)| {
        // The checked value is named by a token with the rule's span, so a type error (a rule on a
        // field it cannot check) points at the rule, not at the derive.
        let value = &quote_spanned!(key.span()=> __x);
        let call = match rule {
            Rule::Regex(lit) => quote! {{
                static __RE: #p::check::LazyRegex = #p::LazyLock::new(|| #p::check::compile(#lit));
                #p::check::regex(__v, #value, &__RE, #lit);
            }},
            Rule::Len { min, max } => {
                let (min, max) = (
                    opt(min.as_ref().map(|m| m.value)),
                    opt(max.as_ref().map(|m| m.value)),
                );
                quote!(#p::check::len(__v, #value, #min, #max);)
            }
            Rule::Range { min, max } => {
                let min = opt(min.as_ref().map(|m| float(&m.value)));
                let max = opt(max.as_ref().map(|m| float(&m.value)));
                quote!(#p::check::range(__v, #value, #min, #max);)
            }
            Rule::OneOf(choices) => {
                let json: Vec<String> = choices.iter().map(|c| json_literal(&c.value)).collect();
                if let Some(Choice::Text(_)) = choices.first().map(|c| &c.value) {
                    let texts = choices.iter().filter_map(|c| match &c.value {
                        Choice::Text(s) => Some(s),
                        Choice::Number(_) => None,
                    });
                    quote!(#p::check::one_of_text(__v, #value, &[#(#texts),*], &[#(#json),*]);)
                } else {
                    let nums = choices.iter().filter_map(|c| match &c.value {
                        Choice::Number(n) => Some(float(&Num { value: *n })),
                        Choice::Text(_) => None,
                    });
                    quote!(#p::check::one_of_number(__v, #value, &[#(#nums),*], &[#(#json),*]);)
                }
            }
            Rule::NonEmpty => quote!(#p::check::non_empty(__v, #value);),
            Rule::Email => quote!(#p::check::email(__v, #value);),
            Rule::Url => quote!(#p::check::url(__v, #value);),
            Rule::Deny(words) => {
                // Lowercased here, once, rather than on every check.
                let words = words.iter().map(|w| w.value().to_lowercase());
                quote!(#p::check::deny(__v, #value, &[#(#words),*]);)
            }
            Rule::Filter(filter) => {
                let filter = quote_spanned!(filter.span()=> &#filter);
                quote!(#p::check::filter(__v, #value, #filter);)
            }
            Rule::Confidence { min } => {
                let min = float(&min.value);
                quote!(#p::check::confidence(__v, #value, #min);)
            }
            Rule::Grounded => quote!(#p::check::grounded(__v, #value);),
            Rule::Custom(f) => {
                let name = path_name(f);
                // Called in a closure so that deref coercion applies: `fn(&str)` checks a `String`.
                let call = quote_spanned!(f.span()=> #f(__y));
                quote!(#p::check::custom(__v, #value, #name, |__y| #call);)
            }
        };
        quote_spanned!(key.span()=> { let __x = #field; #call })
    });
    quote!(#(#calls)*)
}

/// Checks one field: its rules, then its type's own rules, inside `enter` if it has a segment.
fn field_checks(
    field: &Field<'_>,
    value: &TokenStream,
    segment: Option<TokenStream>,
    p: &TokenStream,
) -> Option<TokenStream> {
    let ty = field.ty;
    let nested = has_nested(field)
        .then(|| quote_spanned!(ty.span()=> <#ty as #p::LlmOutput>::validate_in(#value, __v);));
    if field.skipped || (field.attrs.rules.is_empty() && nested.is_none()) {
        return None;
    }
    let rules = checks(&field.attrs.rules, value, p);
    Some(match segment {
        Some(enter) if !field.flatten => quote!(#enter #rules #nested __v.leave();),
        _ => quote!(#rules #nested),
    })
}

fn validate_fn(cont: &Input<'_>, p: &TokenStream) -> TokenStream {
    let body = match &cont.data {
        Data::Struct(style, fields) => {
            let checks = fields.iter().filter_map(|f| {
                let member = &f.member;
                let segment = match style {
                    Style::Newtype => None,
                    _ => {
                        let name = &f.name;
                        Some(quote!(__v.enter(#name);))
                    }
                };
                field_checks(f, &quote!(&self.#member), segment, p)
            });
            quote!(#(#checks)*)
        }
        Data::Enum(variants) => enum_checks(cont, variants, p),
    };
    let container = cont.attrs.validate.as_ref().map(|f| {
        let name = path_name(f);
        let call = quote_spanned!(f.span()=> #f(__y));
        quote!(#p::check::custom(__v, self, #name, |__y| #call);)
    });
    if body.is_empty() && container.is_none() {
        return TokenStream::new();
    }
    quote! {
        fn validate_in(&self, __v: &mut #p::Validator) {
            #body
            #container
        }
    }
}

fn enum_checks(cont: &Input<'_>, variants: &[Variant<'_>], p: &TokenStream) -> TokenStream {
    let mut arms = Vec::new();
    for variant in variants.iter().filter(|v| !v.skipped) {
        let mut bindings = Vec::new();
        let mut body = Vec::new();
        for (i, field) in variant.fields.iter().enumerate() {
            let binding = quote::format_ident!("__f{}", i);
            let segment = match variant.style {
                Style::Struct => {
                    let name = &field.name;
                    Some(quote!(__v.enter(#name);))
                }
                Style::Tuple => Some(quote!(__v.enter_index(#i);)),
                Style::Newtype | Style::Unit => None,
            };
            if let Some(checks) = field_checks(field, &binding.to_token_stream(), segment, p) {
                let member = &field.member;
                bindings.push(quote!(#member: #binding));
                body.push(checks);
            }
        }
        if body.is_empty() {
            continue;
        }
        let (enter, leave) = match &cont.tagging {
            Tagging::External => {
                let name = &variant.name;
                (quote!(__v.enter(#name);), quote!(__v.leave();))
            }
            Tagging::Adjacent(_, content) if !matches!(variant.style, Style::Unit) => {
                (quote!(__v.enter(#content);), quote!(__v.leave();))
            }
            _ => (TokenStream::new(), TokenStream::new()),
        };
        let ident = variant.ident;
        arms.push(quote!(Self::#ident { #(#bindings,)* .. } => { #enter #(#body)* #leave }));
    }
    if arms.is_empty() {
        return TokenStream::new();
    }
    let rest = (arms.len() < variants.len()).then(|| quote!(_ => {}));
    quote!(match self { #(#arms)* #rest })
}

/// The schema keywords of `rules`, written into the schema `target`.
fn keywords(rules: &[(syn::Path, Rule)], target: &TokenStream, p: &TokenStream) -> TokenStream {
    let calls = rules.iter().filter_map(|(_, rule)| match rule {
        Rule::Regex(lit) => Some(quote!(#p::schema::pattern(#target, #lit);)),
        Rule::Len { min, max } => {
            let (min, max) = (
                opt(min.as_ref().map(|m| m.value)),
                opt(max.as_ref().map(|m| m.value)),
            );
            Some(quote!(#p::schema::len(#target, #min, #max);))
        }
        Rule::Range { min, max } => {
            let min = opt(min.as_ref().map(|m| float(&m.value)));
            let max = opt(max.as_ref().map(|m| float(&m.value)));
            Some(quote!(#p::schema::range(#target, #min, #max);))
        }
        Rule::OneOf(choices) => {
            let json = choices.iter().map(|c| json_literal(&c.value));
            Some(quote!(#p::schema::one_of(#target, &[#(#json),*]);))
        }
        Rule::NonEmpty => Some(quote!(#p::schema::non_empty(#target);)),
        Rule::Email => Some(quote!(#p::schema::format(#target, "email");)),
        Rule::Url => Some(quote!(#p::schema::format(#target, "uri");)),
        Rule::Confidence { .. } => Some(quote!(#p::schema::confidence(#target);)),
        Rule::Deny(_) | Rule::Filter(_) | Rule::Grounded | Rule::Custom(_) => None,
    });
    quote!(#(#calls)*)
}

/// Schema rules for the fields of an object schema `__schema`.
fn property_rules(fields: &[Field<'_>], p: &TokenStream) -> TokenStream {
    let blocks = fields.iter().filter(|f| !f.skipped).filter_map(|f| {
        let ty = f.ty;
        let nested = has_nested(f);
        if f.flatten {
            return nested.then(|| quote!(<#ty as #p::LlmOutput>::apply_rules(__schema, __rules);));
        }
        let kw = keywords(&f.attrs.rules, &quote!(__p), p);
        let name = &f.name;
        let aliases = aliases(name, &f.aliases, p);
        if kw.is_empty() && !nested {
            return (!aliases.is_empty()).then_some(aliases);
        }
        let nested = nested.then(|| quote!(<#ty as #p::LlmOutput>::apply_rules(__p, __rules);));
        Some(quote! {
            #aliases
            if let ::core::option::Option::Some(__p) = #p::schema::property(__schema, #name) {
                #kw #nested
            }
        })
    });
    quote!(#(#blocks)*)
}

/// serde's aliases of `name`, recorded in the schema for the parser (serde accepts them).
fn aliases(name: &str, aliases: &[String], p: &TokenStream) -> TokenStream {
    if aliases.is_empty() {
        return TokenStream::new();
    }
    quote!(#p::schema::aliases(__schema, #name, &[#(#aliases),*]);)
}

/// Schema rules for the single value `target` (a newtype's inner field).
fn value_rules(field: &Field<'_>, target: &TokenStream, p: &TokenStream) -> TokenStream {
    let kw = keywords(&field.attrs.rules, target, p);
    let ty = field.ty;
    let nested =
        has_nested(field).then(|| quote!(<#ty as #p::LlmOutput>::apply_rules(#target, __rules);));
    quote!(#kw #nested)
}

fn apply_rules_fn(cont: &Input<'_>, p: &TokenStream) -> TokenStream {
    let body = match &cont.data {
        Data::Struct(Style::Newtype, fields) => fields
            .iter()
            .map(|f| value_rules(f, &quote!(__schema), p))
            .collect(),
        Data::Struct(_, fields) => property_rules(fields, p),
        Data::Enum(variants) => {
            let tagging = match &cont.tagging {
                Tagging::External => quote!(#p::schema::Tagging::External),
                Tagging::Internal(tag) => quote!(#p::schema::Tagging::Internal { tag: #tag }),
                Tagging::Adjacent(tag, content) => {
                    quote!(#p::schema::Tagging::Adjacent { tag: #tag, content: #content })
                }
                Tagging::Untagged => quote!(#p::schema::Tagging::Untagged),
            };
            let unit_aliases = variants
                .iter()
                .filter(|v| !v.skipped && matches!(v.style, Style::Unit))
                .map(|v| aliases(&v.name, &v.aliases, p));
            let unit_aliases = quote!(#(#unit_aliases)*);
            let blocks = variants.iter().filter(|v| !v.skipped).filter_map(|v| {
                let inner: TokenStream = match v.style {
                    Style::Struct => {
                        let rules = property_rules(&v.fields, p);
                        if rules.is_empty() { rules } else { quote!(let __schema = __vs; #rules) }
                    }
                    Style::Newtype => v.fields.iter().map(|f| value_rules(f, &quote!(__vs), p)).collect(),
                    Style::Tuple => v
                        .fields
                        .iter()
                        .enumerate()
                        .filter_map(|(i, f)| {
                            let rules = value_rules(f, &quote!(__p), p);
                            (!rules.is_empty()).then(|| quote! {
                                if let ::core::option::Option::Some(__p) = #p::schema::tuple_item(__vs, #i) { #rules }
                            })
                        })
                        .collect(),
                    Style::Unit => TokenStream::new(),
                };
                if inner.is_empty() {
                    return None;
                }
                let (name, index) = (&v.name, v.index);
                Some(quote! {
                    if let ::core::option::Option::Some(__vs) = #p::schema::variant(__schema, #tagging, #name, #index) {
                        #inner
                    }
                })
            });
            quote!(#unit_aliases #(#blocks)*)
        }
    };
    if body.is_empty() {
        return TokenStream::new();
    }
    quote! {
        fn apply_rules(__schema: &mut #p::Value, __rules: &mut #p::SchemaRules) {
            __rules.with_target(__schema, &mut |__schema, __rules| { #body });
        }
    }
}

/// `SCHEMA_HASH`: the canonical text of the type (only the attributes that shape the schema),
/// combined with the hashes of the field types that can hold rules of their own.
fn schema_hash(cont: &Input<'_>, krate: &syn::Path, p: &TokenStream) -> TokenStream {
    let mut input = cont.original.clone();
    let keep = |attrs: &mut Vec<syn::Attribute>| {
        attrs.retain(|a| {
            ["doc", "serde", "llm", "schemars"]
                .iter()
                .any(|k| a.path().is_ident(k))
        });
    };
    keep(&mut input.attrs);
    input.vis = syn::Visibility::Inherited;
    let fields: Vec<&mut syn::Field> = match &mut input.data {
        syn::Data::Struct(s) => s.fields.iter_mut().collect(),
        syn::Data::Enum(e) => e
            .variants
            .iter_mut()
            .flat_map(|v| {
                keep(&mut v.attrs);
                v.fields.iter_mut()
            })
            .collect(),
        syn::Data::Union(u) => u.fields.named.iter_mut().collect(),
    };
    for field in fields {
        keep(&mut field.attrs);
        field.vis = syn::Visibility::Inherited;
    }
    let mut text = String::new();
    canonical(input.to_token_stream(), &mut text);
    let local = Literal::u64_suffixed(fnv1a(text.as_bytes()));
    let all: Vec<&Field<'_>> = match &cont.data {
        Data::Struct(_, fields) => fields.iter().collect(),
        Data::Enum(variants) => variants.iter().flat_map(|v| &v.fields).collect(),
    };
    let nested: Vec<&syn::Type> = all
        .into_iter()
        .filter(|f| has_nested(f) && !mentions(f.ty, &cont.original.ident))
        .map(|f| f.ty)
        .collect();
    if nested.is_empty() {
        return local.into_token_stream();
    }
    let parts = nested
        .iter()
        .map(|ty| quote_spanned!(ty.span()=> <#ty as #krate::LlmOutput>::SCHEMA_HASH));
    quote!(#p::combine(#local, &[#(#parts),*]))
}
