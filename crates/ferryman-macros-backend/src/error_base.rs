//! `#[ferryman::error(base = "value")]` (or bare `#[ferryman::error]`) on an
//! error type: registers the type's base category (`spec/wire.md`, "Error
//! bases"; ADR 0012) so that hosts raise it as a subclass of their matching
//! class (Python: `ValueError`); for an enum, its variants' names, which
//! describe lists (a host can then refuse a misspelt variant); and, when the
//! type derives `Serialize`, its shape (`error_shape`), so that hosts can type
//! its fields. The item is kept as written.

use ferryman_abi::ERROR_BASES;
use proc_macro2::TokenStream;
use quote::quote;
use syn::spanned::Spanned;

use crate::error_shape::{error_shape, ErrorShape};

/// Expands `#[ferryman::error(attr)] item`.
///
/// # Errors
///
/// An argument other than one `base = "…"` naming a known category, an item
/// that is not a struct or enum, or a generic one.
pub fn expand(attr: TokenStream, item: TokenStream) -> syn::Result<TokenStream> {
    let base = match attr.is_empty() {
        true => quote!(::core::option::Option::None),
        false => {
            let base = parse_base(attr)?;
            quote!(::core::option::Option::Some(#base))
        }
    };
    let input = syn::parse2::<syn::DeriveInput>(item.clone()).map_err(|e| {
        syn::Error::new(
            e.span(),
            "#[ferryman::error] goes on the struct or enum of an error type",
        )
    })?;
    if !input.generics.params.is_empty() {
        return Err(syn::Error::new(
            input.generics.span(),
            "#[ferryman::error] does not take a generic error type: its base is found by the \
             type's name; give the base to a non-generic wrapper type",
        ));
    }
    let ident = &input.ident;
    let ErrorShape { variants, shape } = error_shape(&input);
    let shape = match shape {
        Some(shape) => quote!(::core::option::Option::Some(&#shape)),
        None => quote!(::core::option::Option::None),
    };
    Ok(quote! {
        #item
        const _: () = {
            ::ferryman::__private::inventory::submit! {
                ::ferryman::__private::ErrorBase {
                    rust_type: ::ferryman::__private::type_name_of::<#ident>,
                    base: #base,
                    variants: &[#(#variants),*],
                    shape: #shape,
                }
            }
        };
    })
}

/// `base = "value"`, checked against the known categories.
fn parse_base(attr: TokenStream) -> syn::Result<String> {
    let span = attr.span();
    let meta: syn::MetaNameValue = syn::parse2(attr).map_err(|_| {
        syn::Error::new(
            span,
            format!(
                "expected `#[ferryman::error(base = \"…\")]` with one of: {}",
                ERROR_BASES.join(", ")
            ),
        )
    })?;
    if !meta.path.is_ident("base") {
        return Err(syn::Error::new(
            meta.path.span(),
            "#[ferryman::error] takes `base = \"…\"` only",
        ));
    }
    let text = match &meta.value {
        syn::Expr::Lit(syn::ExprLit {
            lit: syn::Lit::Str(text),
            ..
        }) => text,
        other => {
            return Err(syn::Error::new(
                other.span(),
                "`base` is a string: `base = \"value\"`",
            ))
        }
    };
    let base = text.value();
    if !ERROR_BASES.contains(&base.as_str()) {
        return Err(syn::Error::new(
            text.span(),
            format!(
                "unknown error base `{base}`; expected one of: {}",
                ERROR_BASES.join(", ")
            ),
        ));
    }
    Ok(base)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn registers_the_base_and_keeps_the_item() {
        let out = expand(
            quote!(base = "value"),
            quote!(
                #[derive(Debug)]
                pub enum TextError {
                    Bad,
                }
            ),
        )
        .unwrap()
        .to_string();
        assert!(out.contains("pub enum TextError"), "{out}");
        assert!(out.contains("type_name_of :: < TextError >"), "{out}");
        assert!(out.contains("Some (\"value\")"), "{out}");
        assert!(out.contains("variants : & [\"Bad\"]"), "{out}");
        let bare = expand(
            quote!(),
            quote!(
                pub struct E;
            ),
        )
        .unwrap()
        .to_string();
        assert!(
            bare.contains("base : :: core :: option :: Option :: None"),
            "{bare}"
        );
        assert!(bare.contains("variants : & []"), "{bare}");
        assert!(
            bare.contains("shape : :: core :: option :: Option :: None"),
            "{bare}"
        );
        let serialized = expand(
            quote!(),
            quote!(
                #[derive(Serialize)]
                pub struct E(i64);
            ),
        )
        .unwrap()
        .to_string();
        assert!(serialized.contains("shape : :: core :: option :: Option :: Some (& :: ferryman :: __private :: ErrorShape"), "{serialized}");
    }

    #[test]
    fn an_unknown_base_lists_the_known_ones() {
        let error = expand(
            quote!(base = "valeu"),
            quote!(
                struct E;
            ),
        )
        .unwrap_err();
        let message = error.to_string();
        assert!(message.contains("unknown error base `valeu`"), "{message}");
        assert!(message.contains("value, type, key"), "{message}");
    }

    #[test]
    fn generic_types_and_functions_are_refused() {
        let error = expand(
            quote!(base = "key"),
            quote!(
                struct E<T>(T);
            ),
        )
        .unwrap_err();
        assert!(error.to_string().contains("generic"));
        let error = expand(
            quote!(base = "key"),
            quote!(
                fn f() {}
            ),
        )
        .unwrap_err();
        assert!(error.to_string().contains("struct or enum"));
        let error = expand(
            quote!(kind = "key"),
            quote!(
                struct E;
            ),
        )
        .unwrap_err();
        assert!(error.to_string().contains("base"));
    }
}
