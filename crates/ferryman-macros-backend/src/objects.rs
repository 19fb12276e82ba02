//! Which types in a signature may be objects of an exported class. A macro
//! cannot tell `&Counter` (a class) from `&Point` (a serde struct) by its
//! tokens, so these shapes are decoded through `ObjKind`, whose autoref
//! specialisation picks the object path when the type is a `Class` and serde
//! otherwise (ADR 0009).

use proc_macro2::TokenStream;
use quote::quote;
use syn::{Type, TypePath};

use crate::signature::{Decode, Param};
use crate::types::{path_named, peel, type_args};

/// Names that are never classes: no need to go through `ObjKind`.
const NOT_CLASSES: &[&str] = &[
    "String",
    "str",
    "bool",
    "char",
    "i8",
    "i16",
    "i32",
    "i64",
    "i128",
    "isize",
    "u8",
    "u16",
    "u32",
    "u64",
    "u128",
    "usize",
    "f32",
    "f64",
    "Bytes",
    "ByteBuf",
    "Value",
    "PathBuf",
    "Path",
    "Duration",
    "TimeDelta",
    "SystemTime",
    "NaiveDate",
    "NaiveDateTime",
];

/// A plain path without type arguments that is not a well-known type:
/// `Counter`, `Self`, `crate::Point`.
pub(crate) fn could_be_class(ty: &Type) -> bool {
    match peel(ty) {
        Type::Path(TypePath { qself: None, path }) => path.segments.last().is_some_and(|last| {
            last.arguments.is_none() && !NOT_CLASSES.contains(&last.ident.to_string().as_str())
        }),
        _ => false,
    }
}

/// A result type that may hold objects: a possible class, or `Arc`, `Option`
/// or `Vec` of one.
pub(crate) fn may_hold_object(ty: &Type) -> bool {
    if could_be_class(ty) {
        return true;
    }
    ["Arc", "Option", "Vec"].iter().any(|name| {
        path_named(ty, name).is_some_and(|path| match type_args(path).as_slice() {
            [inner] => may_hold_object(inner),
            _ => false,
        })
    })
}

/// How the function is given a parameter decoded through `ObjKind`.
pub(crate) enum Pass {
    /// `&held.value` (`&T`).
    Ref,
    /// `held.value` (`Arc<T>`, `Option<Arc<T>>`, `Vec<Arc<T>>`).
    Value,
    /// `held.value.as_deref()` (`Option<&T>`).
    AsDeref,
}

/// The type `ObjKind` is instantiated with for `param`, and how it is passed;
/// `None` for a parameter that cannot hold an object.
pub(crate) fn param_shape(param: &Param<'_>) -> Option<(TokenStream, Pass)> {
    if let Decode::AsWritten(inner) = &param.decode {
        if param.by_ref && could_be_class(inner) {
            return Some((quote!(#inner), Pass::Ref));
        }
    }
    let ty = peel(param.ty);
    let single = |name: &str| -> Option<&Type> {
        let path = path_named(ty, name)?;
        match type_args(path).as_slice() {
            [inner] => Some(*inner),
            _ => None,
        }
    };
    let arc_of_class = |ty: &Type| {
        path_named(ty, "Arc").is_some_and(
            |path| matches!(type_args(path).as_slice(), [inner] if could_be_class(inner)),
        )
    };
    if arc_of_class(ty) {
        return Some((quote!(#ty), Pass::Value));
    }
    if let Some(inner) = single("Option").or_else(|| single("Vec")) {
        if arc_of_class(inner) {
            return Some((quote!(#ty), Pass::Value));
        }
        if path_named(ty, "Option").is_some() {
            if let Type::Reference(reference) = peel(inner) {
                let elem = &reference.elem;
                if reference.mutability.is_none() && could_be_class(elem) {
                    return Some((quote!(::core::option::Option<#elem>), Pass::AsDeref));
                }
            }
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ty(s: &str) -> Type {
        syn::parse_str(s).unwrap()
    }

    #[test]
    fn classes_are_plain_unknown_paths() {
        assert!(could_be_class(&ty("Counter")));
        assert!(could_be_class(&ty("Self")));
        assert!(could_be_class(&ty("crate::Point")));
        assert!(!could_be_class(&ty("String")));
        assert!(!could_be_class(&ty("Vec<Counter>")));
        assert!(may_hold_object(&ty("Vec<Option<Arc<Counter>>>")));
        assert!(!may_hold_object(&ty("Vec<i64>")));
        assert!(!may_hold_object(&ty("HashMap<String, Counter>")));
    }
}
