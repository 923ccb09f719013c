//! Reading `#[llm(...)]` attributes into typed rules. Every bad attribute is reported; reading
//! goes on with the next attribute after an error.

use proc_macro2::TokenStream;
use quote::ToTokens;
use syn::meta::ParseNestedMeta;
use syn::parse::ParseStream;
use syn::{Attribute, Lit, LitInt, LitStr, Token};

use crate::errors::Errors;

pub(crate) const FIELD_KEYS: &str = "regex, len, range, one_of, non_empty, email, url, deny, filter, confidence, grounded, custom, opaque";

/// A value with the tokens it came from, for errors on the right span.
pub(crate) struct Sp<T> {
    pub(crate) value: T,
    /// The tokens of the value, a minus sign included.
    pub(crate) span: TokenStream,
}

/// A number literal, possibly negative.
#[derive(Clone)]
pub(crate) struct Num {
    pub(crate) value: f64,
}

/// A value of `one_of`.
pub(crate) enum Choice {
    Text(String),
    Number(f64),
}

pub(crate) enum Rule {
    Regex(LitStr),
    Len {
        min: Option<Sp<usize>>,
        max: Option<Sp<usize>>,
    },
    Range {
        min: Option<Sp<Num>>,
        max: Option<Sp<Num>>,
    },
    OneOf(Vec<Sp<Choice>>),
    NonEmpty,
    Email,
    Url,
    Deny(Vec<LitStr>),
    Filter(syn::Path),
    Confidence {
        min: Sp<Num>,
    },
    Grounded,
    Custom(syn::Path),
}

/// The `#[llm]` attributes of a field.
#[derive(Default)]
pub(crate) struct FieldAttrs {
    /// Each rule with the key that introduced it (`len`, `regex`, ...).
    pub(crate) rules: Vec<(syn::Path, Rule)>,
    /// `opaque`: the field's type need not implement `LlmOutput`.
    pub(crate) opaque: Option<syn::Path>,
    /// `context`: a parameter of an `#[llm_fn]` that the prompt need not mention.
    pub(crate) context: Option<syn::Path>,
}

/// The `#[llm]` attributes of the type.
#[derive(Default)]
pub(crate) struct ContainerAttrs {
    pub(crate) validate: Option<syn::Path>,
    pub(crate) krate: Option<syn::Path>,
}

/// Calls `f` for each key of each `#[llm(...)]` in `attrs`; reports malformed attributes and
/// duplicate keys.
fn each_key(
    attrs: &[Attribute],
    errors: &mut Errors,
    mut f: impl FnMut(&str, &ParseNestedMeta<'_>) -> syn::Result<()>,
) {
    let mut seen: Vec<String> = Vec::new();
    for attr in attrs.iter().filter(|a| a.path().is_ident("llm")) {
        if !matches!(attr.meta, syn::Meta::List(_)) {
            errors.at(
                attr,
                "expected `#[llm(...)]` with a list of rules, e.g. `#[llm(len(max = 80))]`",
            );
            continue;
        }
        let result = attr.parse_nested_meta(|meta| {
            let key = key_name(&meta.path);
            if seen.contains(&key) {
                return Err(meta.error(format_args!("duplicate llm attribute `{key}`")));
            }
            seen.push(key.clone());
            f(&key, &meta)
        });
        if let Err(err) = result {
            errors.push(err);
        }
    }
}

impl FieldAttrs {
    pub(crate) fn from_attrs(attrs: &[Attribute], errors: &mut Errors) -> Self {
        let mut out = FieldAttrs::default();
        each_key(attrs, errors, |key, meta| {
            let rule = match key {
                "regex" => Rule::Regex(string(meta, "regex", "regex = \"^[A-Z]+$\"")?),
                "len" => {
                    let (min, max) = bounds(meta, "len", whole)?;
                    Rule::Len { min, max }
                }
                "range" => {
                    let (min, max) = bounds(meta, "range", |input| number(input, "range"))?;
                    Rule::Range { min, max }
                }
                "one_of" => Rule::OneOf(list(
                    meta,
                    "one_of",
                    "one_of = [\"red\", \"green\"]",
                    choice,
                )?),
                "non_empty" => flag(meta, Rule::NonEmpty)?,
                "email" => flag(meta, Rule::Email)?,
                "url" => flag(meta, Rule::Url)?,
                "deny" => Rule::Deny(list(
                    meta,
                    "deny",
                    "deny = [\"word\", \"a phrase\"]",
                    |input| {
                        input.parse::<LitStr>().map_err(|e| {
                            syn::Error::new(
                                e.span(),
                                "`deny` takes string literals: deny = [\"word\", \"a phrase\"]",
                            )
                        })
                    },
                )?),
                "filter" => Rule::Filter(path(meta, "filter", "filter = llm_core::validate::Pii")?),
                "confidence" => {
                    let example = "confidence(min = 0.7)";
                    if !meta.input.peek(syn::token::Paren) || empty_parens(meta) {
                        return Err(
                            meta.error(format_args!("`confidence` needs a threshold: {example}"))
                        );
                    }
                    let mut min = None;
                    meta.parse_nested_meta(|inner| {
                        if inner.path.is_ident("min") {
                            min = Some(number(inner.value()?, "confidence")?);
                            Ok(())
                        } else {
                            Err(inner.error(format_args!(
                                "unknown `confidence` setting `{}`; write {example}",
                                key_name(&inner.path)
                            )))
                        }
                    })?;
                    let min = min.ok_or_else(|| {
                        meta.error(format_args!("`confidence` needs a threshold: {example}"))
                    })?;
                    Rule::Confidence { min }
                }
                "custom" => Rule::Custom(path(meta, "custom", "custom = path::to::check")?),
                "grounded" => flag(meta, Rule::Grounded)?,
                "context" => {
                    flag(meta, ())?;
                    out.context = Some(meta.path.clone());
                    return Ok(());
                }
                "opaque" => {
                    flag(meta, ())?;
                    out.opaque = Some(meta.path.clone());
                    return Ok(());
                }
                "validate" => {
                    return Err(meta.error(
                        "`validate` goes on the type, for rules across fields; on a field, use `custom = path::to::check`",
                    ));
                }
                "crate" => return Err(meta.error("`crate` goes on the type, not on a field")),
                "alias" => return Err(alias_error(meta)),
                _ => {
                    return Err(meta.error(format_args!(
                        "unknown llm attribute `{key}`; field rules are: {FIELD_KEYS}"
                    )));
                }
            };
            out.rules.push((meta.path.clone(), rule));
            Ok(())
        });
        out
    }
}

impl ContainerAttrs {
    pub(crate) fn from_attrs(attrs: &[Attribute], errors: &mut Errors) -> Self {
        let mut out = ContainerAttrs::default();
        each_key(attrs, errors, |key, meta| {
            match key {
                "validate" => {
                    out.validate = Some(path(meta, "validate", "validate = path::to::check")?)
                }
                "crate" => {
                    let lit = string(meta, "crate", "crate = \"my_llm_core\"")?;
                    let parsed = lit.parse::<syn::Path>().map_err(|_| {
                        syn::Error::new(lit.span(), "`crate` must be a path such as \"my_llm_core\" or \"::deps::llm_core\"")
                    })?;
                    out.krate = Some(parsed);
                }
                "alias" => return Err(alias_error(meta)),
                "opaque" => {
                    return Err(meta.error(
                        "`opaque` goes on a field whose type does not implement LlmOutput",
                    ));
                }
                _ if FIELD_KEYS.split(", ").any(|k| k == key) => {
                    return Err(meta.error(format_args!(
                        "`{key}` is a field rule: put it on a field; on the type, use `validate = path::to::check`"
                    )));
                }
                _ => {
                    return Err(meta.error(format_args!(
                        "unknown llm attribute `{key}`; on the type, use `validate` or `crate`"
                    )));
                }
            }
            Ok(())
        });
        out
    }
}

/// Variants take no `#[llm]` attributes; explain where each belongs.
pub(crate) fn check_variant_attrs(attrs: &[Attribute], errors: &mut Errors) {
    each_key(attrs, errors, |key, meta| {
        if key == "alias" {
            return Err(alias_error(meta));
        }
        if key == "validate" || key == "crate" {
            return Err(meta.error(format_args!("`{key}` goes on the enum, not on a variant")));
        }
        if FIELD_KEYS.split(", ").any(|k| k == key) {
            return Err(meta.error(format_args!(
                "`{key}` is a field rule: put it on a field of the variant"
            )));
        }
        Err(meta.error(format_args!(
            "unknown llm attribute `{key}`; variants take no llm attributes"
        )))
    });
}

/// `len`, or `a::b` for a path, without token spacing.
fn key_name(path: &syn::Path) -> String {
    let segments: Vec<String> = path.segments.iter().map(|s| s.ident.to_string()).collect();
    segments.join("::")
}

fn alias_error(meta: &ParseNestedMeta<'_>) -> syn::Error {
    meta.error(
        "aliases are serde's: write `#[serde(alias = \"...\")]` so serde and the parser agree",
    )
}

fn flag<T>(meta: &ParseNestedMeta<'_>, value: T) -> syn::Result<T> {
    if meta.input.peek(Token![=]) || meta.input.peek(syn::token::Paren) {
        let key = key_name(&meta.path);
        return Err(meta.error(format_args!("`{key}` takes no value: write just `{key}`")));
    }
    Ok(value)
}

/// Whether `key()` has nothing between its parentheses.
fn empty_parens(meta: &ParseNestedMeta<'_>) -> bool {
    match meta.input.fork().parse::<proc_macro2::Group>() {
        Ok(group) => group.stream().is_empty(),
        Err(_) => false,
    }
}

/// The `=` of `key = value`, with an error that names the key.
fn value<'a>(
    meta: &'a ParseNestedMeta<'_>,
    key: &str,
    example: &str,
) -> syn::Result<ParseStream<'a>> {
    if !meta.input.peek(Token![=]) {
        return Err(meta.error(format_args!("`{key}` needs a value: {example}")));
    }
    meta.value()
}

fn string(meta: &ParseNestedMeta<'_>, key: &str, example: &str) -> syn::Result<LitStr> {
    let input = value(meta, key, example)?;
    let err = |span| {
        syn::Error::new(
            span,
            format_args!("`{key}` takes a string literal: {example}"),
        )
    };
    match input.parse::<Lit>() {
        Ok(Lit::Str(lit)) => Ok(lit),
        Ok(other) => Err(err(other.span())),
        Err(e) => Err(err(e.span())),
    }
}

fn path(meta: &ParseNestedMeta<'_>, key: &str, example: &str) -> syn::Result<syn::Path> {
    let input = value(meta, key, example)?;
    input
        .parse::<syn::Path>()
        .map_err(|e| syn::Error::new(e.span(), format_args!("`{key}` takes a path: {example}")))
}

fn list<T>(
    meta: &ParseNestedMeta<'_>,
    key: &str,
    example: &str,
    item: impl Fn(ParseStream<'_>) -> syn::Result<T>,
) -> syn::Result<Vec<T>> {
    let input = value(meta, key, example)?;
    if !input.peek(syn::token::Bracket) {
        return Err(input.error(format_args!("`{key}` takes a list: {example}")));
    }
    let content;
    syn::bracketed!(content in input);
    let mut items = Vec::new();
    while !content.is_empty() {
        items.push(item(&content)?);
        if content.is_empty() {
            break;
        }
        content.parse::<Token![,]>()?;
    }
    if items.is_empty() {
        return Err(meta.error(format_args!("`{key}` needs at least one value: {example}")));
    }
    Ok(items)
}

type Bounds<T> = (Option<Sp<T>>, Option<Sp<T>>);

/// `key(min = .., max = ..)`, at least one of them.
fn bounds<T>(
    meta: &ParseNestedMeta<'_>,
    key: &str,
    value: impl Fn(ParseStream<'_>) -> syn::Result<Sp<T>>,
) -> syn::Result<Bounds<T>> {
    let example = format!("{key}(min = 1), {key}(max = 10) or {key}(min = 1, max = 10)");
    if !meta.input.peek(syn::token::Paren) || empty_parens(meta) {
        return Err(meta.error(format_args!("`{key}` needs bounds: {example}")));
    }
    let (mut min, mut max) = (None, None);
    meta.parse_nested_meta(|inner| {
        let slot = if inner.path.is_ident("min") {
            &mut min
        } else if inner.path.is_ident("max") {
            &mut max
        } else {
            return Err(inner.error(format_args!(
                "unknown `{key}` bound `{}`; write {example}",
                key_name(&inner.path)
            )));
        };
        if slot.is_some() {
            return Err(inner.error(format_args!(
                "duplicate `{key}` bound `{}`",
                key_name(&inner.path)
            )));
        }
        *slot = Some(value(inner.value()?)?);
        Ok(())
    })?;
    Ok((min, max))
}

/// The tokens of the next value (an optional minus sign and a literal), for error spans.
fn value_tokens(input: ParseStream<'_>) -> TokenStream {
    let fork = input.fork();
    let mut tokens = TokenStream::new();
    if let Ok(Some(minus)) = fork.parse::<Option<Token![-]>>() {
        minus.to_tokens(&mut tokens);
    }
    if let Ok(tree) = fork.parse::<proc_macro2::TokenTree>() {
        tree.to_tokens(&mut tokens);
    }
    tokens
}

/// A whole, non-negative number (a length).
fn whole(input: ParseStream<'_>) -> syn::Result<Sp<usize>> {
    let span = value_tokens(input);
    let err = |msg: &str| syn::Error::new_spanned(&span, msg);
    let lengths = "`len` bounds are whole numbers of characters or items, such as 0 or 80";
    if input.peek(Token![-]) {
        return Err(err(lengths));
    }
    let lit: LitInt = input.parse().map_err(|_| err(lengths))?;
    let value = lit
        .base10_parse::<usize>()
        .map_err(|_| err("this `len` bound is too large"))?;
    Ok(Sp { value, span })
}

/// A number literal, possibly negative, for the rule `key`.
fn number(input: ParseStream<'_>, key: &str) -> syn::Result<Sp<Num>> {
    let span = value_tokens(input);
    let err = |msg: String| syn::Error::new_spanned(&span, msg);
    let negative = input.parse::<Option<Token![-]>>()?.is_some();
    let sign = if negative { -1.0 } else { 1.0 };
    let lit: Lit = input
        .parse()
        .map_err(|_| err(format!("`{key}` takes a number, such as 0, 10 or 0.5")))?;
    let value = match &lit {
        Lit::Int(int) => int
            .base10_parse::<i128>()
            .map(|v| v as f64)
            .map_err(|_| err(format!("this `{key}` bound is too large")))?,
        Lit::Float(float) => float
            .base10_parse::<f64>()
            .map_err(|_| err(format!("`{key}` takes a number, such as 0, 10 or 0.5")))?,
        _ => return Err(err(format!("`{key}` takes a number, such as 0, 10 or 0.5"))),
    };
    if !value.is_finite() {
        return Err(err(format!("`{key}` takes a finite number")));
    }
    Ok(Sp {
        value: Num {
            value: sign * value,
        },
        span,
    })
}

fn choice(input: ParseStream<'_>) -> syn::Result<Sp<Choice>> {
    if input.peek(LitStr) {
        let lit: LitStr = input.parse()?;
        return Ok(Sp {
            value: Choice::Text(lit.value()),
            span: lit.to_token_stream(),
        });
    }
    let num = number(input, "one_of").map_err(|e| {
        syn::Error::new(
            e.span(),
            "`one_of` takes string or number literals: one_of = [\"a\", \"b\"]",
        )
    })?;
    Ok(Sp {
        value: Choice::Number(num.value.value),
        span: num.span,
    })
}
