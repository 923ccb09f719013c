//! Reading `#[llm(...)]` attributes into typed rules. Every bad attribute is reported; reading
//! goes on with the next attribute after an error.

use proc_macro2::Span;
use quote::ToTokens;
use syn::meta::ParseNestedMeta;
use syn::parse::ParseStream;
use syn::{Attribute, Lit, LitInt, LitStr, Token};

use crate::errors::Errors;

const FIELD_KEYS: &str =
    "regex, len, range, one_of, non_empty, email, url, deny, filter, confidence, custom, opaque";

/// A value with the tokens it came from, for errors on the right span.
pub(crate) struct Sp<T> {
    pub(crate) value: T,
    pub(crate) span: Span,
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
    Custom(syn::Path),
}

/// The `#[llm]` attributes of a field.
#[derive(Default)]
pub(crate) struct FieldAttrs {
    /// Each rule with the key that introduced it (`len`, `regex`, ...).
    pub(crate) rules: Vec<(syn::Path, Rule)>,
    /// `opaque`: the field's type need not implement `LlmOutput`.
    pub(crate) opaque: Option<syn::Path>,
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
            let key = meta.path.to_token_stream().to_string();
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
                    let (min, max) = bounds(meta, "range", |input| {
                        let span = input.span();
                        Ok(Sp {
                            value: number(input)?,
                            span,
                        })
                    })?;
                    Rule::Range { min, max }
                }
                "one_of" => Rule::OneOf(list(meta, "one_of", choice)?),
                "non_empty" => flag(meta, Rule::NonEmpty)?,
                "email" => flag(meta, Rule::Email)?,
                "url" => flag(meta, Rule::Url)?,
                "deny" => Rule::Deny(list(meta, "deny", |input| {
                    input.parse::<LitStr>().map_err(|e| {
                        syn::Error::new(
                            e.span(),
                            "`deny` takes string literals: deny = [\"word\", \"a phrase\"]",
                        )
                    })
                })?),
                "filter" => Rule::Filter(path(meta, "filter", "filter = llm_core::validate::Pii")?),
                "confidence" => {
                    let mut min = None;
                    meta.parse_nested_meta(|inner| {
                        if inner.path.is_ident("min") {
                            let input = inner.value()?;
                            let span = input.span();
                            min = Some(Sp {
                                value: number(input)?,
                                span,
                            });
                            Ok(())
                        } else {
                            Err(inner.error("`confidence` takes `min`: confidence(min = 0.7)"))
                        }
                    })?;
                    let min = min.ok_or_else(|| {
                        meta.error("`confidence` needs a threshold: confidence(min = 0.7)")
                    })?;
                    Rule::Confidence { min }
                }
                "custom" => Rule::Custom(path(meta, "custom", "custom = path::to::check")?),
                "opaque" => {
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

fn alias_error(meta: &ParseNestedMeta<'_>) -> syn::Error {
    meta.error(
        "aliases are serde's: write `#[serde(alias = \"...\")]` so serde and the parser agree",
    )
}

fn flag(meta: &ParseNestedMeta<'_>, rule: Rule) -> syn::Result<Rule> {
    if meta.input.peek(Token![=]) || meta.input.peek(syn::token::Paren) {
        let key = meta.path.to_token_stream();
        return Err(meta.error(format_args!("`{key}` takes no value: write just `{key}`")));
    }
    Ok(rule)
}

fn string(meta: &ParseNestedMeta<'_>, key: &str, example: &str) -> syn::Result<LitStr> {
    let input = meta.value()?;
    match input.parse::<Lit>()? {
        Lit::Str(lit) => Ok(lit),
        other => Err(syn::Error::new(
            other.span(),
            format_args!("`{key}` takes a string literal: {example}"),
        )),
    }
}

fn path(meta: &ParseNestedMeta<'_>, key: &str, example: &str) -> syn::Result<syn::Path> {
    let input = meta.value()?;
    input
        .parse::<syn::Path>()
        .map_err(|e| syn::Error::new(e.span(), format_args!("`{key}` takes a path: {example}")))
}

fn list<T>(
    meta: &ParseNestedMeta<'_>,
    key: &str,
    item: impl Fn(ParseStream<'_>) -> syn::Result<T>,
) -> syn::Result<Vec<T>> {
    let input = meta.value()?;
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
        return Err(meta.error(format_args!("`{key}` needs at least one value")));
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
    if !meta.input.peek(syn::token::Paren) {
        return Err(meta.error(format_args!(
            "`{key}` needs bounds: {key}(min = 1), {key}(max = 10) or {key}(min = 1, max = 10)"
        )));
    }
    let (mut min, mut max) = (None, None);
    meta.parse_nested_meta(|inner| {
        let slot = if inner.path.is_ident("min") {
            &mut min
        } else if inner.path.is_ident("max") {
            &mut max
        } else {
            return Err(inner.error(format_args!("`{key}` takes `min` and `max`")));
        };
        if slot.is_some() {
            return Err(inner.error(format_args!("duplicate `{key}` bound")));
        }
        *slot = Some(value(inner.value()?)?);
        Ok(())
    })?;
    if min.is_none() && max.is_none() {
        return Err(meta.error(format_args!(
            "`{key}` needs bounds: {key}(min = 1), {key}(max = 10) or {key}(min = 1, max = 10)"
        )));
    }
    Ok((min, max))
}

/// A whole, non-negative number (a length).
fn whole(input: ParseStream<'_>) -> syn::Result<Sp<usize>> {
    let span = input.span();
    let err = || {
        syn::Error::new(
            span,
            "`len` bounds are whole numbers of characters or items, such as 0 or 80",
        )
    };
    if input.peek(Token![-]) {
        return Err(err());
    }
    let lit: LitInt = input.parse().map_err(|_| err())?;
    let value = lit.base10_parse::<usize>().map_err(|_| err())?;
    Ok(Sp {
        value,
        span: lit.span(),
    })
}

/// A number literal, possibly negative.
fn number(input: ParseStream<'_>) -> syn::Result<Num> {
    let negative = input.parse::<Option<Token![-]>>()?.is_some();
    let sign = if negative { -1.0 } else { 1.0 };
    let lit: Lit = input.parse()?;
    let value = match &lit {
        Lit::Int(int) => int.base10_parse::<i128>().map(|v| v as f64)?,
        Lit::Float(float) => float.base10_parse::<f64>()?,
        other => {
            return Err(syn::Error::new(
                other.span(),
                "expected a number, such as 0, 10 or 0.5",
            ));
        }
    };
    if !value.is_finite() {
        return Err(syn::Error::new(lit.span(), "expected a finite number"));
    }
    Ok(Num {
        value: sign * value,
    })
}

fn choice(input: ParseStream<'_>) -> syn::Result<Sp<Choice>> {
    let span = input.span();
    if input.peek(LitStr) {
        let lit: LitStr = input.parse()?;
        return Ok(Sp {
            value: Choice::Text(lit.value()),
            span,
        });
    }
    let num = number(input).map_err(|e| {
        syn::Error::new(
            e.span(),
            "`one_of` takes string or number literals: one_of = [\"a\", \"b\"]",
        )
    })?;
    Ok(Sp {
        value: Choice::Number(num.value),
        span,
    })
}
