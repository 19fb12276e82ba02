//! The wire shape of an error type marked `#[ferryman::error]` (describe's
//! `error.type`, `spec/wire.md`): its variants and fields as its derived
//! `Serialize` writes them, read from the item's tokens with serde's own
//! attribute parser (`serde_derive_internals`), so `#[serde(rename)]`,
//! `rename_all`, `rename_all_fields`, `skip` and `transparent` apply as serde
//! applies them. A type whose form the tokens cannot tell (no derived
//! `Serialize`, a tag, `untagged`, `flatten`, `into`, `serialize_with`, …) has
//! no shape: describe says nil rather than guess.

use proc_macro2::TokenStream;
use quote::quote;
use serde_derive_internals::{ast, attr, Ctxt, Derive};
use syn::ext::IdentExt;

use crate::expand::named_type_probe;
use crate::types::{describe, named_types, Desc};

/// What `#[ferryman::error]` learns from the item: the variants' names (as
/// error values carry them) and, when it can tell, the shape's tokens.
pub(crate) struct ErrorShape {
    pub variants: Vec<String>,
    /// `::ferryman::__private::ErrorShape { … }`, if the form is known.
    pub shape: Option<TokenStream>,
}

/// Reads `input` (a non-generic struct or enum).
pub(crate) fn error_shape(input: &syn::DeriveInput) -> ErrorShape {
    let idents = match &input.data {
        syn::Data::Enum(data) => data
            .variants
            .iter()
            .map(|v| v.ident.unraw().to_string())
            .collect(),
        _ => Vec::new(),
    };
    if !derives_serialize(input) {
        return ErrorShape {
            variants: idents,
            shape: None,
        };
    }
    let cx = Ctxt::new();
    let container = ast::Container::from_ast(&cx, input, Derive::Serialize);
    let read = container.as_ref().map(|container| {
        let variants = match &container.data {
            ast::Data::Enum(variants) => variants
                .iter()
                .map(|v| v.attrs.name().serialize_name().to_owned())
                .collect(),
            ast::Data::Struct(..) => Vec::new(),
        };
        (variants, shape(container))
    });
    // Malformed serde attributes: serde's own derive reports them.
    match (cx.check(), read) {
        (Ok(()), Some((variants, shape))) => ErrorShape { variants, shape },
        _ => ErrorShape {
            variants: idents,
            shape: None,
        },
    }
}

/// Whether the item's own attributes derive `Serialize` (by name, as a macro
/// can tell: a hand-written impl may write anything).
fn derives_serialize(input: &syn::DeriveInput) -> bool {
    input
        .attrs
        .iter()
        .filter(|attr| attr.path().is_ident("derive"))
        .any(|attr| {
            let mut found = false;
            let _ = attr.parse_nested_meta(|meta| {
                found |= meta
                    .path
                    .segments
                    .last()
                    .is_some_and(|s| s.ident == "Serialize");
                Ok(())
            });
            found
        })
}

fn shape(container: &ast::Container<'_>) -> Option<TokenStream> {
    let attrs = &container.attrs;
    if !matches!(attrs.tag(), attr::TagType::External)
        || attrs.type_into().is_some()
        || attrs.remote().is_some()
        || attrs.has_flatten()
    {
        return None;
    }
    let private = quote!(::ferryman::__private);
    let mut probes = Vec::new();
    let body = match &container.data {
        ast::Data::Struct(_, fields) if attrs.transparent() => {
            let inner = fields.iter().find(|f| f.attrs.transparent())?;
            fields_known(fields)?;
            let desc = field_desc(inner.ty, &mut probes);
            quote!(#private::ShapeBody::Newtype(&#desc))
        }
        ast::Data::Struct(style, fields) => body(*style, fields, &mut probes)?,
        ast::Data::Enum(variants) => {
            let mut shapes = Vec::new();
            for variant in variants {
                if variant.attrs.skip_serializing() {
                    continue;
                }
                if variant.attrs.serialize_with().is_some() || variant.attrs.untagged() {
                    return None;
                }
                let name = variant.attrs.name().serialize_name();
                let body = body(variant.style, &variant.fields, &mut probes)?;
                shapes.push(quote!(#private::ShapeVariant { name: #name, body: #body }));
            }
            quote!(#private::ShapeBody::Enum(&[#(#shapes),*]))
        }
    };
    let name = attrs.name().serialize_name();
    let ident = &container.ident;
    let itself = named_type_probe(&ident.unraw().to_string(), &syn::parse_quote!(#ident));
    let mut seen = std::collections::HashSet::new();
    let probes: Vec<TokenStream> = probes
        .into_iter()
        .filter(|(written, _)| seen.insert(written.clone()))
        .map(|(written, ty)| named_type_probe(&written, &ty))
        .collect();
    Some(quote! {
        #private::ErrorShape {
            name: #name,
            body: #body,
            itself: #itself,
            types: &[#(#probes),*],
        }
    })
}

/// The content of a struct or variant of `style`; `None` when a field's form
/// is not its type's.
fn body(
    style: ast::Style,
    fields: &[ast::Field<'_>],
    probes: &mut Vec<(String, syn::Type)>,
) -> Option<TokenStream> {
    let private = quote!(::ferryman::__private);
    fields_known(fields)?;
    let kept: Vec<&ast::Field<'_>> = fields
        .iter()
        .filter(|f| !f.attrs.skip_serializing())
        .collect();
    Some(match style {
        ast::Style::Unit => quote!(#private::ShapeBody::Unit),
        ast::Style::Newtype => {
            let desc = field_desc(kept.first()?.ty, probes);
            quote!(#private::ShapeBody::Newtype(&#desc))
        }
        ast::Style::Tuple => {
            let items = kept.iter().map(|f| field_desc(f.ty, probes));
            quote!(#private::ShapeBody::Tuple(&[#(#items),*]))
        }
        ast::Style::Struct => {
            let fields = kept.iter().map(|f| {
                let name = f.attrs.name().serialize_name();
                let desc = field_desc(f.ty, probes);
                // A field serde may leave out is one the error value may lack.
                let optional = f.attrs.skip_serializing_if().is_some();
                quote!(#private::ShapeField { name: #name, ty: #desc, optional: #optional })
            });
            quote!(#private::ShapeBody::Struct(&[#(#fields),*]))
        }
    })
}

/// `Some(())` when every field is written as its type says.
fn fields_known(fields: &[ast::Field<'_>]) -> Option<()> {
    fields
        .iter()
        .all(|f| f.attrs.serialize_with().is_none() && f.attrs.getter().is_none())
        .then_some(())
}

/// A field's descriptor as serde writes it, and the named types it holds (for
/// describe's `types`).
fn field_desc(ty: &syn::Type, probes: &mut Vec<(String, syn::Type)>) -> Desc {
    let mut found = Vec::new();
    named_types(ty, &mut found);
    probes.extend(found.into_iter().filter_map(|(name, ty)| Some((name, ty?))));
    serde_form(describe(ty))
}

/// A signature's descriptor as serde shows it inside a value: paths are str,
/// `usize`/`isize` are `u64`/`i64`, and the time types, whose serde forms vary
/// by crate, are "any value" (`{"named": "?"}`, a name no type has).
fn serde_form(desc: Desc) -> Desc {
    let nested = |desc: Box<Desc>| Box::new(serde_form(*desc));
    match desc {
        Desc::Scalar("Path") => Desc::Scalar("Str"),
        Desc::Scalar("Usize") => Desc::Scalar("U64"),
        Desc::Scalar("Isize") => Desc::Scalar("I64"),
        Desc::Scalar("Duration" | "Timestamp" | "Date" | "DateTime") => Desc::Named("?".into()),
        Desc::List(item) => Desc::List(nested(item)),
        Desc::Option(inner) => Desc::Option(nested(inner)),
        Desc::Map(key, value) => Desc::Map(nested(key), nested(value)),
        Desc::Tuple(items) => Desc::Tuple(items.into_iter().map(serde_form).collect()),
        other => other,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn read(item: TokenStream) -> (Vec<String>, Option<String>) {
        let shape = error_shape(&syn::parse2(item).unwrap());
        let text = shape
            .shape
            .map(|tokens| tokens.to_string().replace(' ', ""));
        (shape.variants, text)
    }

    #[test]
    fn an_enum_with_serde_renames() {
        let (variants, shape) = read(quote! {
            #[derive(Debug, serde::Serialize)]
            #[serde(rename = "MathFailure", rename_all = "snake_case")]
            enum MathError {
                DivisionByZero,
                #[serde(rename_all = "camelCase")]
                Overflow { left_side: i64, #[serde(skip)] hidden: u8, limit: usize },
                #[serde(rename = "bad")]
                Bad(String, std::path::PathBuf),
                Wrapped(Point),
                #[serde(skip_serializing)]
                Secret,
            }
        });
        assert_eq!(
            variants,
            ["division_by_zero", "overflow", "bad", "wrapped", "secret"]
        );
        let shape = shape.unwrap();
        assert!(
            shape.starts_with("::ferryman::__private::ErrorShape{name:\"MathFailure\""),
            "{shape}"
        );
        assert!(shape.contains("ShapeVariant{name:\"division_by_zero\",body:::ferryman::__private::ShapeBody::Unit}"), "{shape}");
        assert!(shape.contains("ShapeField{name:\"leftSide\",ty:::ferryman::__private::TypeDesc::I64,optional:false}"), "{shape}");
        assert!(!shape.contains("hidden"), "{shape}");
        assert!(
            shape.contains("ShapeField{name:\"limit\",ty:::ferryman::__private::TypeDesc::U64"),
            "{shape}"
        );
        assert!(shape.contains("ShapeBody::Tuple(&[::ferryman::__private::TypeDesc::Str,::ferryman::__private::TypeDesc::Str])"), "{shape}");
        assert!(
            shape
                .contains("ShapeBody::Newtype(&::ferryman::__private::TypeDesc::Named(\"Point\"))"),
            "{shape}"
        );
        assert!(!shape.contains("\"secret\""), "{shape}");
        assert!(shape.contains("written:\"MathError\""), "{shape}");
        assert!(shape.contains("TypeProbe::<Point>"), "{shape}");
    }

    #[test]
    fn structs_and_optional_fields() {
        let (variants, shape) = read(quote! {
            #[derive(Serialize)]
            struct Limit {
                #[serde(skip_serializing_if = "Option::is_none")]
                hint: Option<String>,
                when: std::time::SystemTime,
            }
        });
        assert!(variants.is_empty());
        let shape = shape.unwrap();
        assert!(shape.contains("ShapeField{name:\"hint\",ty:::ferryman::__private::TypeDesc::Option(&::ferryman::__private::TypeDesc::Str),optional:true}"), "{shape}");
        assert!(shape.contains("ShapeField{name:\"when\",ty:::ferryman::__private::TypeDesc::Named(\"?\"),optional:false}"), "{shape}");
        let (_, shape) = read(quote! {
            #[derive(Serialize)]
            #[serde(transparent)]
            struct Wrapper { inner: f64 }
        });
        assert!(shape
            .unwrap()
            .contains("ShapeBody::Newtype(&::ferryman::__private::TypeDesc::F64)"));
        let (_, shape) = read(quote! { #[derive(Serialize)] struct Unit; });
        assert!(shape.unwrap().contains("ShapeBody::Unit"));
    }

    #[test]
    fn forms_the_tokens_cannot_tell_have_no_shape() {
        for item in [
            quote! { #[derive(Debug)] enum NotSerialize { A(i64) } },
            quote! { #[derive(Serialize)] #[serde(tag = "kind")] enum Tagged { A { x: i64 } } },
            quote! { #[derive(Serialize)] #[serde(untagged)] enum Untagged { A(i64) } },
            quote! { #[derive(Serialize)] #[serde(into = "String")] struct Into { x: i64 } },
            quote! { #[derive(Serialize)] struct Flat { #[serde(flatten)] rest: Other } },
            quote! { #[derive(Serialize)] struct With { #[serde(serialize_with = "f")] x: i64 } },
            quote! { #[derive(Serialize)] #[serde(rename_all = "nonsense")] enum Bad { A } },
        ] {
            let (_, shape) = read(item.clone());
            assert!(shape.is_none(), "{item}");
        }
        let (variants, _) = read(quote! { #[derive(Debug)] enum E { r#Type, B } });
        assert_eq!(variants, ["Type", "B"]);
    }
}
