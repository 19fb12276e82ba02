//! `#[ferryman::export]` on a struct or enum: an exported class. The type is
//! kept as written; beside it come its `ClassDef` (registered for describe),
//! its `Class` impl, a `Serialize` impl writing an `Arc` of it as the object
//! hosts hold (extension 5), a `Send + Sync` check, and the protocol members
//! opted into (`display`, `debug`, `eq`, `hash`, `ord`, `iter`).

use proc_macro2::{Span, TokenStream};
use quote::{quote, quote_spanned, ToTokens};
use syn::spanned::Spanned;
use syn::{Generics, Ident, LitStr};

use crate::doc::doc_string;
use crate::errors::Errors;
use crate::impl_block;

/// The protocols a class may opt into, in describe's order.
const PROTOCOLS: [&str; 6] = ["display", "debug", "eq", "hash", "ord", "iter"];

/// The parsed arguments of `#[ferryman::export(...)]` on a type.
#[derive(Default)]
pub(crate) struct ClassAttr {
    pub(crate) name: Option<LitStr>,
    pub(crate) protocols: Vec<&'static str>,
}

impl ClassAttr {
    pub(crate) fn parse(tokens: TokenStream) -> syn::Result<Self> {
        let mut attr = ClassAttr::default();
        let parser = syn::meta::parser(|meta| {
            if meta.path.is_ident("name") {
                attr.name = Some(meta.value()?.parse()?);
                return Ok(());
            }
            if let Some(protocol) = PROTOCOLS.iter().find(|p| meta.path.is_ident(p)) {
                if !attr.protocols.contains(protocol) {
                    attr.protocols.push(protocol);
                }
                return Ok(());
            }
            let path = meta.path.to_token_stream().to_string().replace(' ', "");
            Err(syn::Error::new_spanned(
                &meta.path,
                format!(
                    "unknown `#[ferryman::export]` option `{path}` on a type; the options are \
                     `name = \"ExportedName\"` and the protocols `display`, `debug`, `eq`, \
                     `hash`, `ord`, `iter`"
                ),
            ))
        });
        syn::parse::Parser::parse2(parser, tokens)?;
        attr.protocols
            .sort_by_key(|p| PROTOCOLS.iter().position(|q| q == p));
        Ok(attr)
    }
}

/// Expands an exported struct or enum.
pub(crate) fn expand(
    attr: TokenStream,
    item: TokenStream,
    ident: &Ident,
    generics: &Generics,
    attrs: &[syn::Attribute],
    errors: &mut Errors,
) -> Option<TokenStream> {
    let attr = errors.take(ClassAttr::parse(attr));
    for param in &generics.params {
        let message = match param {
            syn::GenericParam::Lifetime(_) => {
                "an exported class cannot borrow (no lifetime parameters): hosts keep objects \
                 for as long as they like; own the data (`String`, `Vec<T>`, `Arc<T>`)"
            }
            _ => {
                "an exported class cannot be generic: hosts need one concrete class; export a \
                 concrete wrapper, e.g. `pub struct IntTokenizer(Tokenizer<i64>)`"
            }
        };
        errors.spanned(param, message);
    }
    let attr = attr?;
    if generics.params.iter().next().is_some() {
        return None;
    }
    let name = attr
        .name
        .as_ref()
        .map_or_else(|| ident.to_string(), LitStr::value);
    let doc = doc_string(attrs);
    let protocols = &attr.protocols;
    let at = ident.span();
    let line = quote_spanned!(at=> ::core::line!());
    let file = quote_spanned!(at=> ::core::file!());
    let rust_name = ident.to_string();
    let def = Ident::new("__FERRYMAN_CLASS", Span::call_site());
    let check = quote_spanned! {ident.span()=>
        const _: fn() = || {
            // Named so that rustc's "required by a bound in …" says what to do.
            fn exported_classes_must_be_send_and_sync_use_mutex_or_atomics_for_state<
                T: ?::core::marker::Sized + ::ferryman::__private::ThreadSafeClass,
            >() {}
            exported_classes_must_be_send_and_sync_use_mutex_or_atomics_for_state::<#ident>();
        };
    };
    let members = protocol_members(ident, &attr.protocols, &name, errors)?;
    Some(quote! {
        #item
        const _: () = {
            static #def: ::ferryman::__private::ClassDef = ::ferryman::__private::ClassDef::new(
                #name,
                ::core::concat!(::core::module_path!(), "::", #rust_name),
                #doc,
                #file,
                #line,
                &[#(#protocols),*],
            );
            ::ferryman::__private::inventory::submit! {
                ::ferryman::__private::ClassEntry(&#def)
            }
            #check
            impl ::ferryman::__private::Class for #ident {
                #[inline]
                fn class_def() -> &'static ::ferryman::__private::ClassDef {
                    &#def
                }
            }
            impl ::ferryman::__private::serde::Serialize for #ident {
                fn serialize<S: ::ferryman::__private::serde::Serializer>(
                    &self,
                    serializer: S,
                ) -> ::core::result::Result<S::Ok, S::Error> {
                    ::ferryman::__private::serialize_object(self, serializer)
                }
            }
        };
        #members
    })
}

/// The protocol members, as an exported `impl` block of hidden methods named
/// `__str__`, `__repr__`, `__eq__`, `__hash__`, `__cmp__` and `__iter__`.
fn protocol_members(
    ident: &Ident,
    protocols: &[&'static str],
    class: &str,
    errors: &mut Errors,
) -> Option<TokenStream> {
    if protocols.is_empty() {
        return Some(TokenStream::new());
    }
    let methods = protocols.iter().map(|protocol| {
        let at = ident.span();
        match *protocol {
            "display" => quote_spanned! {at=>
                #[ferryman::export(name = "__str__")]
                pub fn __ferryman_display(&self) -> ::std::string::String {
                    ::std::string::ToString::to_string(self)
                }
            },
            "debug" => quote_spanned! {at=>
                #[ferryman::export(name = "__repr__")]
                pub fn __ferryman_debug(&self) -> ::std::string::String {
                    ::std::format!("{:?}", self)
                }
            },
            "eq" => quote_spanned! {at=>
                #[ferryman::export(name = "__eq__")]
                pub fn __ferryman_eq(&self, other: &#ident) -> bool {
                    ::core::cmp::PartialEq::eq(self, other)
                }
            },
            "hash" => quote_spanned! {at=>
                #[ferryman::export(name = "__hash__")]
                pub fn __ferryman_hash(&self) -> u64 {
                    let mut hasher = ::std::collections::hash_map::DefaultHasher::new();
                    ::core::hash::Hash::hash(self, &mut hasher);
                    ::core::hash::Hasher::finish(&hasher)
                }
            },
            "ord" => quote_spanned! {at=>
                #[ferryman::export(name = "__cmp__")]
                pub fn __ferryman_cmp(&self, other: &#ident) -> ::core::option::Option<i8> {
                    ::core::cmp::PartialOrd::partial_cmp(self, other).map(|o| o as i8)
                }
            },
            _ => quote_spanned! {at=>
                #[ferryman::export(name = "__iter__")]
                pub fn __ferryman_iter<'a>(&'a self)
                    -> impl Iterator<Item = <&'a #ident as ::core::iter::IntoIterator>::Item> + Send + 'a
                {
                    ::core::iter::IntoIterator::into_iter(self)
                }
            },
        }
    });
    let block: syn::ItemImpl = syn::parse2(quote! {
        #[doc(hidden)]
        #[allow(non_snake_case, clippy::all)]
        impl #ident {
            #(#methods)*
        }
    })
    .map_err(|e| errors.push(e))
    .ok()?;
    let span = block.span();
    let _ = span;
    impl_block::expand(block, Some(class.to_owned()), errors)
}
