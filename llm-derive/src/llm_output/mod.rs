//! `#[derive(LlmOutput)]`: read (`attr`, `from_syn`), check (`valid`), write (`expand`).
//!
//! serde's attributes are read through `serde_derive_internals`, so names, skips, defaults and
//! tagging always agree with serde's own derive.

pub(crate) mod attr;
pub(crate) mod expand;
pub(crate) mod valid;

use proc_macro2::{Span, TokenStream};
use serde_derive_internals::{Ctxt, Derive, ast, attr as serde_attr};
use syn::{DeriveInput, Ident};

use crate::errors::Errors;
use attr::{ContainerAttrs, FieldAttrs};

pub(crate) fn derive(input: &DeriveInput) -> TokenStream {
    match Input::from_syn(input).and_then(|mut cont| cont.validate().map(|()| cont).map_err(Some)) {
        Ok(cont) => expand::expand(&cont),
        Err(Some(err)) => expand::stub(input, err),
        // serde reports its own attribute errors; an impl here would only add noise to them.
        Err(None) => TokenStream::new(),
    }
}

pub(crate) struct Input<'a> {
    pub(crate) original: &'a DeriveInput,
    pub(crate) attrs: ContainerAttrs,
    pub(crate) data: Data<'a>,
    pub(crate) tagging: Tagging,
    /// Attribute errors found while reading, reported with the checks of `valid`.
    pub(crate) errors: Errors,
}

pub(crate) enum Data<'a> {
    Struct(ast::Style, Vec<Field<'a>>),
    Enum(Vec<Variant<'a>>),
}

pub(crate) struct Variant<'a> {
    pub(crate) ident: &'a Ident,
    pub(crate) name: String,
    /// serde's `alias`es, besides the name.
    pub(crate) aliases: Vec<String>,
    pub(crate) style: ast::Style,
    pub(crate) fields: Vec<Field<'a>>,
    pub(crate) skipped: bool,
    /// Position among the variants serde can deserialize (the schema lists only those).
    pub(crate) index: usize,
}

pub(crate) struct Field<'a> {
    pub(crate) member: syn::Member,
    pub(crate) name: String,
    /// serde's `alias`es, besides the name.
    pub(crate) aliases: Vec<String>,
    pub(crate) ty: &'a syn::Type,
    pub(crate) attrs: FieldAttrs,
    pub(crate) skipped: bool,
    pub(crate) flatten: bool,
    pub(crate) original: &'a syn::Field,
}

pub(crate) enum Tagging {
    External,
    Internal(String),
    Adjacent(String, String),
    Untagged,
}

impl<'a> Input<'a> {
    fn from_syn(input: &'a DeriveInput) -> Result<Self, Option<syn::Error>> {
        if let syn::Data::Union(data) = &input.data {
            return Err(Some(syn::Error::new_spanned(
                data.union_token,
                "LlmOutput supports structs and enums; a union has no JSON form a model could return",
            )));
        }
        let cx = Ctxt::new();
        let private = Ident::new("__private", Span::call_site());
        let serde = ast::Container::from_ast(&cx, input, Derive::Deserialize, &private);
        // serde's own derive reports errors in serde attributes; repeating them would double them.
        let (Ok(()), Some(serde)) = (cx.check(), serde) else {
            return Err(None);
        };
        let mut errors = Errors::default();
        let attrs = ContainerAttrs::from_attrs(&input.attrs, &mut errors);
        let data = match serde.data {
            ast::Data::Struct(style, fields) => Data::Struct(
                style,
                fields
                    .into_iter()
                    .map(|f| Field::new(f, &mut errors))
                    .collect(),
            ),
            ast::Data::Enum(variants) => {
                let mut index = 0;
                let variants = variants
                    .into_iter()
                    .map(|v| {
                        attr::check_variant_attrs(&v.original.attrs, &mut errors);
                        let skipped = v.attrs.skip_deserializing();
                        let name = v.attrs.name().deserialize_name().value.clone();
                        let variant = Variant {
                            ident: &v.original.ident,
                            aliases: other_names(v.attrs.aliases().iter().map(|a| &a.value), &name),
                            name,
                            style: v.style,
                            fields: v
                                .fields
                                .into_iter()
                                .map(|f| Field::new(f, &mut errors))
                                .collect(),
                            skipped,
                            index,
                        };
                        index += usize::from(!skipped);
                        variant
                    })
                    .collect();
                Data::Enum(variants)
            }
        };
        let tagging = match serde.attrs.tag() {
            serde_attr::TagType::External => Tagging::External,
            serde_attr::TagType::Internal { tag } => Tagging::Internal(tag.clone()),
            serde_attr::TagType::Adjacent { tag, content } => {
                Tagging::Adjacent(tag.clone(), content.clone())
            }
            serde_attr::TagType::None => Tagging::Untagged,
        };
        Ok(Input {
            original: input,
            attrs,
            data,
            tagging,
            errors,
        })
    }
}

impl<'a> Field<'a> {
    fn new(field: ast::Field<'a>, errors: &mut Errors) -> Self {
        let name = field.attrs.name().deserialize_name().value.clone();
        Field {
            member: field.member,
            aliases: other_names(field.attrs.aliases().iter().map(|a| &a.value), &name),
            name,
            ty: field.ty,
            attrs: FieldAttrs::from_attrs(&field.original.attrs, errors),
            skipped: field.attrs.skip_deserializing(),
            flatten: field.attrs.flatten(),
            original: field.original,
        }
    }

    /// Whether the field's type takes part in validation, schema rules and the hash.
    pub(crate) fn is_nested(&self) -> bool {
        !self.skipped && self.attrs.opaque.is_none()
    }
}

/// serde's aliases of `name`, without `name` itself (serde lists it among them).
fn other_names<'n>(aliases: impl Iterator<Item = &'n String>, name: &str) -> Vec<String> {
    aliases.filter(|a| *a != name).cloned().collect()
}
