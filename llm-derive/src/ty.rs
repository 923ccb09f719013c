//! What a field's type looks like, read from its syntax alone.
//!
//! Macros see names, not types: `type Qty = u32;` reads as unknown. The shape is used only to
//! turn an obvious misuse (`len` on a `u32`) into a clear error on the attribute; unknown shapes
//! are let through and checked by the trait bounds of `llm_core::validate::check`.

use syn::{GenericArgument, PathArguments, Type};

#[derive(Clone, Copy, PartialEq, Eq)]
pub(crate) enum Shape {
    Integer,
    Float,
    Text,
    Collection,
    Bool,
    Unknown,
}

impl Shape {
    pub(crate) fn of(ty: &Type) -> Shape {
        match ty {
            Type::Reference(r) => Shape::of(&r.elem),
            Type::Paren(p) => Shape::of(&p.elem),
            Type::Group(g) => Shape::of(&g.elem),
            Type::Array(_) | Type::Slice(_) => Shape::Collection,
            Type::Path(p) if p.qself.is_none() => {
                let Some(last) = p.path.segments.last() else {
                    return Shape::Unknown;
                };
                let name = last.ident.to_string();
                match name.as_str() {
                    "Option" | "Box" | "Arc" | "Rc" => {
                        first_type_arg(&last.arguments).map_or(Shape::Unknown, Shape::of)
                    }
                    "u8" | "u16" | "u32" | "u64" | "u128" | "usize" | "i8" | "i16" | "i32"
                    | "i64" | "i128" | "isize" => Shape::Integer,
                    "f32" | "f64" => Shape::Float,
                    "String" | "str" | "Cow" => Shape::Text,
                    "Vec" | "VecDeque" | "HashMap" | "BTreeMap" | "HashSet" | "BTreeSet"
                    | "IndexMap" | "IndexSet" => Shape::Collection,
                    "bool" => Shape::Bool,
                    _ => Shape::Unknown,
                }
            }
            _ => Shape::Unknown,
        }
    }

    /// "a number", "text", ... for messages.
    pub(crate) fn noun(self) -> &'static str {
        match self {
            Shape::Integer => "an integer",
            Shape::Float => "a floating-point number",
            Shape::Text => "text",
            Shape::Collection => "a collection",
            Shape::Bool => "a bool",
            Shape::Unknown => "of unknown type",
        }
    }

    pub(crate) fn is_number(self) -> bool {
        matches!(self, Shape::Integer | Shape::Float)
    }
}

/// Whether `ty` is plain data with no rules of its own anywhere inside: scalars, text, and
/// `Option`s, boxes, lists, sets and maps of them (`Vec<String>`, `HashMap<String, f64>`). The
/// derive skips such fields when it walks nested rules, which keeps the expansion small.
pub(crate) fn is_plain(ty: &Type) -> bool {
    match ty {
        Type::Reference(r) => is_plain(&r.elem),
        Type::Paren(p) => is_plain(&p.elem),
        Type::Group(g) => is_plain(&g.elem),
        Type::Array(a) => is_plain(&a.elem),
        Type::Slice(s) => is_plain(&s.elem),
        Type::Path(p) if p.qself.is_none() => {
            let Some(last) = p.path.segments.last() else {
                return false;
            };
            match last.ident.to_string().as_str() {
                "Option" | "Box" | "Vec" | "VecDeque" | "HashSet" | "BTreeSet" => {
                    first_type_arg(&last.arguments).is_some_and(is_plain)
                }
                "HashMap" | "BTreeMap" => last_type_arg(&last.arguments).is_some_and(is_plain),
                _ => matches!(
                    Shape::of(ty),
                    Shape::Integer | Shape::Float | Shape::Text | Shape::Bool
                ),
            }
        }
        _ => false,
    }
}

fn last_type_arg(args: &PathArguments) -> Option<&Type> {
    let PathArguments::AngleBracketed(args) = args else {
        return None;
    };
    args.args
        .iter()
        .filter_map(|arg| match arg {
            GenericArgument::Type(ty) => Some(ty),
            _ => None,
        })
        .last()
}

fn first_type_arg(args: &PathArguments) -> Option<&Type> {
    let PathArguments::AngleBracketed(args) = args else {
        return None;
    };
    args.args.iter().find_map(|arg| match arg {
        GenericArgument::Type(ty) => Some(ty),
        _ => None,
    })
}

/// Whether `ty` mentions `name` (the type being derived) or `Self`: a recursive field, left out
/// of the compile-time hash to avoid a cycle in const evaluation.
pub(crate) fn mentions(ty: &Type, name: &syn::Ident) -> bool {
    fn walk(tokens: proc_macro2::TokenStream, name: &syn::Ident) -> bool {
        tokens.into_iter().any(|tree| match tree {
            proc_macro2::TokenTree::Ident(ident) => ident == *name || ident == "Self",
            proc_macro2::TokenTree::Group(group) => walk(group.stream(), name),
            _ => false,
        })
    }
    walk(quote::quote!(#ty), name)
}
