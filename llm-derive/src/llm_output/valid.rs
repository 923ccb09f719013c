//! Checks that need more than one attribute, or the field's type: rules that cannot apply.

use quote::ToTokens;

use super::attr::{Choice, Rule};
use super::{Data, Field, Input};
use crate::errors::Errors;
use crate::ty::Shape;

impl Input<'_> {
    pub(crate) fn validate(&mut self) -> syn::Result<()> {
        let mut errors = std::mem::take(&mut self.errors);
        match &self.data {
            Data::Struct(serde_derive_internals::ast::Style::Tuple, _) => {
                let fields = match &self.original.data {
                    syn::Data::Struct(s) => s.fields.to_token_stream(),
                    _ => self.original.ident.to_token_stream(),
                };
                errors.at(
                    fields,
                    "LlmOutput does not support tuple structs with several fields: a model answers \
                     with JSON objects, so name the fields",
                );
            }
            Data::Struct(serde_derive_internals::ast::Style::Unit, _) => errors.at(
                &self.original.ident,
                "LlmOutput needs fields: a unit struct has nothing for a model to return",
            ),
            Data::Struct(_, fields) => fields.iter().for_each(|f| f.validate(&mut errors)),
            Data::Enum(variants) => {
                for variant in variants {
                    for field in &variant.fields {
                        if variant.skipped {
                            if let Some((key, _)) = field.attrs.rules.first() {
                                errors.at(
                                    key,
                                    "this variant is skipped by serde, so this rule would never be checked; remove it or the skip",
                                );
                            }
                        } else {
                            field.validate(&mut errors);
                        }
                    }
                }
            }
        }
        errors.finish()
    }
}

impl Field<'_> {
    fn validate(&self, errors: &mut Errors) {
        let shape = Shape::of(self.ty);
        let field = self
            .original
            .ident
            .as_ref()
            .map_or_else(|| "this field".to_owned(), |i| format!("the field `{i}`"));
        if let Some(context) = &self.attrs.context {
            errors.at(
                context,
                "`context` goes on a parameter of an `#[llm_fn]` function, not on a field",
            );
        }
        for (key, rule) in &self.attrs.rules {
            if self.skipped {
                errors.at(
                    key,
                    format_args!(
                        "{field} is skipped by serde, so this rule would never be checked; remove it or the skip"
                    ),
                );
                continue;
            }
            if self.flatten {
                errors.at(
                    key,
                    "rules on a `#[serde(flatten)]` field are not supported: put them on the fields of its type",
                );
                continue;
            }
            check_rule(key, rule, shape, &field, errors);
        }
    }
}

/// Reports a rule that cannot apply to a value of `shape`; `field` names the value in messages.
pub(crate) fn check_rule(
    key: &syn::Path,
    rule: &Rule,
    shape: Shape,
    field: &str,
    errors: &mut Errors,
) {
    let name = key.to_token_stream().to_string();
    let text_only = |errors: &mut Errors| {
        if shape != Shape::Unknown && shape != Shape::Text {
            errors.at(
                key,
                format_args!("`{name}` applies to text, but {field} is {}", shape.noun()),
            );
        }
    };
    match rule {
        Rule::Regex(lit) => {
            text_only(errors);
            if let Err(err) = regex_syntax::Parser::new().parse(&lit.value()) {
                errors.at(
                    lit,
                    format_args!("invalid regex: {}", regex_message(&err, &lit.value())),
                );
            }
        }
        Rule::Email | Rule::Url | Rule::Deny(_) | Rule::Filter(_) => text_only(errors),
        Rule::Len { min, max } => {
            if shape.is_number() || shape == Shape::Bool {
                let hint = if shape.is_number() {
                    "; use `range(min = .., max = ..)` for numbers"
                } else {
                    ""
                };
                errors.at(
                    key,
                    format_args!(
                        "`len` applies to text and collections, but {field} is {}{hint}",
                        shape.noun()
                    ),
                );
            }
            if let (Some(min), Some(max)) = (min, max)
                && min.value > max.value
            {
                errors.push(syn::Error::new_spanned(
                    &max.span,
                    format_args!("`len` max ({}) is less than min ({})", max.value, min.value),
                ));
            }
        }
        Rule::NonEmpty => {
            if shape.is_number() || shape == Shape::Bool {
                errors.at(
                    key,
                    format_args!(
                        "`non_empty` applies to text and collections, but {field} is {}",
                        shape.noun()
                    ),
                );
            }
        }
        Rule::Range { min, max } => {
            if !shape.is_number() && shape != Shape::Unknown {
                let hint = if shape == Shape::Text || shape == Shape::Collection {
                    "; use `len(min = .., max = ..)` to bound a length"
                } else {
                    ""
                };
                errors.at(
                    key,
                    format_args!(
                        "`range` applies to numbers, but {field} is {}{hint}",
                        shape.noun()
                    ),
                );
            }
            if let (Some(min), Some(max)) = (min, max)
                && min.value.value > max.value.value
            {
                errors.push(syn::Error::new_spanned(
                    &max.span,
                    format_args!(
                        "`range` max ({}) is less than min ({})",
                        max.value.value, min.value.value
                    ),
                ));
            }
        }
        Rule::OneOf(choices) => {
            let texts = choices
                .iter()
                .filter(|c| matches!(c.value, Choice::Text(_)))
                .count();
            if texts != 0 && texts != choices.len() {
                if let Some(odd) = choices
                    .iter()
                    .find(|c| matches!(c.value, Choice::Number(_)))
                {
                    errors.push(syn::Error::new_spanned(
                        &odd.span,
                        "`one_of` values must all be strings or all be numbers",
                    ));
                }
            } else if texts > 0 && shape != Shape::Unknown && shape != Shape::Text {
                errors.at(
                    key,
                    format_args!(
                        "`one_of` with strings applies to text, but {field} is {}",
                        shape.noun()
                    ),
                );
            } else if texts == 0 && shape != Shape::Unknown && !shape.is_number() {
                errors.at(
                    key,
                    format_args!(
                        "`one_of` with numbers applies to numbers, but {field} is {}",
                        shape.noun()
                    ),
                );
            }
        }
        Rule::Confidence { min } => {
            // Unknown names (a `type Score = f32;` alias) are left to the trait bound.
            if shape != Shape::Float && shape != Shape::Unknown {
                errors.at(
                    key,
                    format_args!(
                        "`confidence` needs an `f32` or `f64` field holding a number from 0 to 1, but {field} is {}",
                        shape.noun()
                    ),
                );
            }
            if !(0.0..=1.0).contains(&min.value.value) {
                errors.push(syn::Error::new_spanned(
                    &min.span,
                    "`confidence` min is a number from 0 to 1, such as 0.7",
                ));
            }
        }
        Rule::Grounded => {
            if shape == Shape::Bool {
                errors.at(
                    key,
                    format_args!("`grounded` applies to text and numbers, but {field} is a bool"),
                );
            }
        }
        Rule::Custom(_) => {}
    }
}

/// regex-syntax's error in one line: what is wrong and the part of the pattern it is about.
fn regex_message(err: &regex_syntax::Error, pattern: &str) -> String {
    let (kind, span) = match err {
        regex_syntax::Error::Parse(e) => (e.kind().to_string(), *e.span()),
        regex_syntax::Error::Translate(e) => (e.kind().to_string(), *e.span()),
        other => return other.to_string(),
    };
    let fragment = pattern.get(span.start.offset..span.end.offset.max(span.start.offset + 1));
    let at = fragment.map_or_else(String::new, |f| format!(" at `{f}`"));
    let mut message = format!("{kind}{at}");
    if kind.contains("look-around") {
        message.push_str(
            "; the regex crate has no look-around: check this with `custom = path::to::check`",
        );
    }
    message
}
