//! A function of an exported `impl` block as the generator sees it: its
//! class, its kind, and how the shim gets the object it is called on.

use proc_macro2::TokenStream;
use quote::quote;
use syn::{Ident, Type};

/// How a method takes its object.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Receiver {
    /// An associated function (constructor or static).
    None,
    /// `&self`.
    Ref,
    /// `&mut self`.
    Mut,
}

/// A member of an exported class.
pub(crate) struct Member<'a> {
    /// The type of the `impl` block (the class), as written.
    pub(crate) self_ty: &'a Type,
    /// The class name hosts know (`Counter`).
    pub(crate) class: String,
    /// Describe's `kind`: `constructor`, `static` or `method`.
    pub(crate) kind: &'static str,
    pub(crate) receiver: Receiver,
}

impl Member<'_> {
    /// How many arguments come before the function's own parameters.
    pub(crate) fn offset(&self) -> usize {
        usize::from(self.receiver != Receiver::None)
    }

    /// The end of its `Export::rust_path`, after `module_path!()`:
    /// `Tokenizer::tokenize` (also what its `?` sites record).
    pub(crate) fn rust_path(&self, rust_name: &str) -> String {
        format!("{}::{rust_name}", crate::text::rust_text(self.self_ty))
    }

    /// `let __self = object_ref::<T>(__call, 0)?;` for methods.
    pub(crate) fn receiver_decode(&self, call: &Ident, var: &Ident) -> TokenStream {
        let ty = self.self_ty;
        match self.receiver {
            Receiver::None => quote!(),
            Receiver::Ref => quote! {
                let #var = ::ferryman::__private::object_ref::<#ty>(#call, 0)?;
            },
            Receiver::Mut => quote! {
                let mut #var = ::ferryman::__private::object_mut::<#ty>(#call, 0)?;
            },
        }
    }

    /// The argument the method is given for its receiver.
    pub(crate) fn receiver_arg(&self, var: &Ident) -> Option<TokenStream> {
        match self.receiver {
            Receiver::None => None,
            Receiver::Ref => Some(quote!(&*#var)),
            Receiver::Mut => Some(quote!(&mut *#var)),
        }
    }

    /// The `self` parameter describe lists first.
    pub(crate) fn self_param(&self) -> Option<TokenStream> {
        let class = &self.class;
        let ty_text = crate::text::rust_text(self.self_ty);
        let rust = match self.receiver {
            Receiver::None => return None,
            Receiver::Ref => format!("&{ty_text}"),
            Receiver::Mut => format!("&mut {ty_text}"),
        };
        Some(quote! {
            ::ferryman::__private::Param {
                name: "self",
                ty: &::ferryman::__private::TypeDesc::Object(#class),
                rust: #rust,
                default: ::core::option::Option::None,
            }
        })
    }
}
