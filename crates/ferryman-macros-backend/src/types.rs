//! Rust types as written, read syntactically: what hosts are told about them
//! (type descriptors) and how the shim decodes them.
//!
//! A macro sees tokens, not resolved types, so everything here goes by the last
//! path segment's name: `std::vec::Vec<u8>` and `Vec<u8>` are the same, and a
//! user type named `Vec` would be mistaken for the standard one.

use proc_macro2::TokenStream;
use quote::{quote, ToTokens, TokenStreamExt};
use syn::{GenericArgument, PathArguments, Type, TypePath};

use crate::text::rust_text;

/// A type descriptor (`spec/wire.md`, "Type descriptors"); quoted as a constant
/// expression of `::ferryman::__private::TypeDesc`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Desc {
    Unit,
    /// A scalar, by its `TypeDesc` variant name (`"I64"`, `"Str"`, `"Bytes"`…).
    Scalar(&'static str),
    List(Box<Desc>),
    Tuple(Vec<Desc>),
    Map(Box<Desc>, Box<Desc>),
    Option(Box<Desc>),
    Named(String),
    /// `Callback<(A, B), R>`: parameter descriptors and the result's.
    Callback(Vec<Desc>, Box<Desc>),
    /// `AsyncCallback<(A, B), R>`: parameter descriptors and the result's.
    AsyncCallback(Vec<Desc>, Box<Desc>),
    /// `impl Iterator<Item = T>`: the item's descriptor.
    Iter(Box<Desc>),
    /// `impl Stream<Item = T>`: the item's descriptor.
    Stream(Box<Desc>),
}

impl ToTokens for Desc {
    fn to_tokens(&self, tokens: &mut TokenStream) {
        let desc = quote!(::ferryman::__private::TypeDesc);
        tokens.append_all(match self {
            Desc::Unit => quote!(#desc::Unit),
            Desc::Scalar(variant) => {
                let variant = syn::Ident::new(variant, proc_macro2::Span::call_site());
                quote!(#desc::#variant)
            }
            Desc::List(item) => quote!(#desc::List(&#item)),
            Desc::Tuple(items) => quote!(#desc::Tuple(&[#(#items),*])),
            Desc::Map(key, value) => quote!(#desc::Map(&#key, &#value)),
            Desc::Option(inner) => quote!(#desc::Option(&#inner)),
            Desc::Named(name) => quote!(#desc::Named(#name)),
            Desc::Callback(params, returns) => quote!(#desc::Callback(&[#(#params),*], &#returns)),
            Desc::AsyncCallback(params, returns) => {
                quote!(#desc::AsyncCallback(&[#(#params),*], &#returns))
            }
            Desc::Iter(item) => quote!(#desc::Iter(&#item)),
            Desc::Stream(item) => quote!(#desc::Stream(&#item)),
        });
    }
}

/// The descriptor of `ty` as a parameter or result, or inside one.
///
/// A sequence of `u8` is `"bytes"` wherever it is (`spec/wire.md`, "Byte
/// sequences at any depth"): the encoder writes it as bin and the reader takes
/// bin for it. Fixed-size arrays are tuples to serde and stay lists of ints.
pub(crate) fn describe(ty: &Type) -> Desc {
    match ty {
        Type::Group(group) => describe(&group.elem),
        Type::Paren(paren) => describe(&paren.elem),
        Type::Reference(reference) => describe(&reference.elem),
        Type::Slice(slice) if is_u8(&slice.elem) => Desc::Scalar("Bytes"),
        Type::Slice(slice) => Desc::List(Box::new(describe(&slice.elem))),
        Type::Array(array) => Desc::List(Box::new(describe(&array.elem))),
        Type::Tuple(tuple) if tuple.elems.is_empty() => Desc::Unit,
        Type::Tuple(tuple) => Desc::Tuple(tuple.elems.iter().map(describe).collect()),
        Type::Path(path) if path.qself.is_none() => describe_path(path),
        other => Desc::Named(rust_text(other)),
    }
}

fn describe_path(path: &TypePath) -> Desc {
    let Some(last) = path.path.segments.last() else {
        return Desc::Named(rust_text(path));
    };
    let name = last.ident.to_string();
    let args = type_args(path);
    if let (Some(variant), []) = (scalar(&name), args.as_slice()) {
        return Desc::Scalar(variant);
    }
    let nested = |ty: &Type| Box::new(describe(ty));
    match (name.as_str(), args.as_slice()) {
        ("String" | "str", []) => Desc::Scalar("Str"),
        ("ByteBuf" | "Bytes", []) => Desc::Scalar("Bytes"),
        // `spec/wire.md`, "Paths" and "Times": by name, as everything here.
        ("PathBuf" | "Path", []) => Desc::Scalar("Path"),
        // std, chrono, time and jiff; chrono's `DateTime<Tz>` (an instant)
        // and jiff's `civil::DateTime` (no offset) differ by their arguments.
        ("Duration" | "TimeDelta" | "SignedDuration", []) => Desc::Scalar("Duration"),
        ("SystemTime" | "OffsetDateTime" | "Timestamp", []) | ("DateTime", [_]) => {
            Desc::Scalar("Timestamp")
        }
        ("NaiveDate" | "Date", []) => Desc::Scalar("Date"),
        ("NaiveDateTime" | "PrimitiveDateTime" | "DateTime", []) => Desc::Scalar("DateTime"),
        ("Vec" | "VecDeque" | "HashSet" | "BTreeSet", [item, ..]) if is_u8(item) => {
            Desc::Scalar("Bytes")
        }
        ("Vec" | "VecDeque" | "HashSet" | "BTreeSet", [item, ..]) => Desc::List(nested(item)),
        ("HashMap" | "BTreeMap", [key, value, ..]) => Desc::Map(nested(key), nested(value)),
        ("Option", [inner]) => Desc::Option(nested(inner)),
        ("Box" | "Arc" | "Rc" | "Cow", [inner, ..]) => describe(inner),
        ("Callback", [Type::Tuple(params), returns]) => {
            Desc::Callback(params.elems.iter().map(describe).collect(), nested(returns))
        }
        ("AsyncCallback", [Type::Tuple(params), returns]) => {
            Desc::AsyncCallback(params.elems.iter().map(describe).collect(), nested(returns))
        }
        _ => Desc::Named(rust_text(last)),
    }
}

/// The named types of `ty`'s descriptor (each `{"named": …}`), with the type
/// describe traces for its schema: `None` for one that is not a plain path or
/// has a lifetime (a borrowing type cannot be traced from `'static` code).
pub(crate) fn named_types(ty: &Type, out: &mut Vec<(String, Option<Type>)>) {
    match ty {
        Type::Group(group) => named_types(&group.elem, out),
        Type::Paren(paren) => named_types(&paren.elem, out),
        Type::Reference(reference) => named_types(&reference.elem, out),
        Type::Slice(slice) => named_types(&slice.elem, out),
        Type::Array(array) => named_types(&array.elem, out),
        Type::Tuple(tuple) => tuple.elems.iter().for_each(|elem| named_types(elem, out)),
        Type::Path(path) if path.qself.is_none() => match describe_path(path) {
            Desc::Named(name) => out.push((name, (!has_lifetime(ty)).then(|| ty.clone()))),
            // `DateTime<Utc>`: the time zone is no named type of the signature.
            Desc::Scalar(_) => {}
            _ => type_args(path)
                .into_iter()
                .for_each(|arg| named_types(arg, out)),
        },
        other => {
            if let Desc::Named(name) = describe(other) {
                out.push((name, None));
            }
        }
    }
}

fn has_lifetime(ty: &Type) -> bool {
    struct Finder(bool);
    impl<'ast> syn::visit::Visit<'ast> for Finder {
        fn visit_lifetime(&mut self, _: &'ast syn::Lifetime) {
            self.0 = true;
        }
    }
    let mut finder = Finder(false);
    syn::visit::Visit::visit_type(&mut finder, ty);
    finder.0
}

/// The `TypeDesc` variant of a primitive type's name.
fn scalar(name: &str) -> Option<&'static str> {
    Some(match name {
        "bool" => "Bool",
        "i8" => "I8",
        "i16" => "I16",
        "i32" => "I32",
        "i64" => "I64",
        "i128" => "I128",
        "isize" => "Isize",
        "u8" => "U8",
        "u16" => "U16",
        "u32" => "U32",
        "u64" => "U64",
        "u128" => "U128",
        "usize" => "Usize",
        "f32" => "F32",
        "f64" => "F64",
        "char" => "Char",
        _ => return None,
    })
}

/// The type arguments of a path's last segment (lifetimes and bindings skipped):
/// `[K, V]` for `HashMap<K, V>`, `[str]` for `Cow<'a, str>`.
pub(crate) fn type_args(path: &TypePath) -> Vec<&Type> {
    let Some(last) = path.path.segments.last() else {
        return Vec::new();
    };
    match &last.arguments {
        PathArguments::AngleBracketed(args) => args
            .args
            .iter()
            .filter_map(|arg| match arg {
                GenericArgument::Type(ty) => Some(ty),
                _ => None,
            })
            .collect(),
        _ => Vec::new(),
    }
}

/// `ty` without invisible groups and parentheses.
pub(crate) fn peel(ty: &Type) -> &Type {
    match ty {
        Type::Group(group) => peel(&group.elem),
        Type::Paren(paren) => peel(&paren.elem),
        other => other,
    }
}

/// The path of `ty` when it is a plain path (no `<T as Trait>::` prefix) whose
/// last segment is named `name`.
pub(crate) fn path_named<'a>(ty: &'a Type, name: &str) -> Option<&'a TypePath> {
    match peel(ty) {
        Type::Path(path)
            if path.qself.is_none()
                && path.path.segments.last().is_some_and(|s| s.ident == name) =>
        {
            Some(path)
        }
        _ => None,
    }
}

/// `u8`.
pub(crate) fn is_u8(ty: &Type) -> bool {
    path_named(ty, "u8").is_some_and(|path| type_args(path).is_empty())
}

/// A number type a host may lend as a slice (`spec/wire.md`, "Lent
/// slices"), written as the bare name: `&[f64]` borrows the host's memory.
pub(crate) fn is_slice_item(ty: &Type) -> bool {
    match peel(ty) {
        Type::Path(path) if path.qself.is_none() && path.path.segments.len() == 1 => {
            let segment = &path.path.segments[0];
            segment.arguments.is_empty()
                && matches!(
                    segment.ident.to_string().as_str(),
                    "f64" | "f32" | "i64" | "i32" | "u64" | "u32" | "i16" | "u16" | "i8"
                )
        }
        _ => false,
    }
}

/// A primitive the runtime decodes without serde (`ferryman_wire::Direct`):
/// the integers up to 64 bits, `f64` and `bool`, written as the bare name.
pub(crate) fn is_direct(ty: &Type) -> bool {
    match peel(ty) {
        Type::Path(path) if path.qself.is_none() && path.path.segments.len() == 1 => {
            let segment = &path.path.segments[0];
            segment.arguments.is_empty()
                && matches!(
                    segment.ident.to_string().as_str(),
                    "i8" | "i16" | "i32" | "i64" | "u8" | "u16" | "u32" | "u64" | "f64" | "bool"
                )
        }
        _ => false,
    }
}

/// A by-value type spelled `Bytes` (`ferryman::Bytes`, or another crate's):
/// the shim lets the type itself say whether it has a direct path
/// (`ferryman::__private::Kind`).
pub(crate) fn is_named_bytes(ty: &Type) -> bool {
    matches!(peel(ty), Type::Path(_))
        && path_named(ty, "Bytes").is_some_and(|path| type_args(path).is_empty())
}

/// `Vec<u8>`, which travels as MessagePack bin rather than an array of ints.
pub(crate) fn is_byte_vec(ty: &Type) -> bool {
    path_named(ty, "Vec").is_some_and(|path| type_args(path).first().is_some_and(|t| is_u8(t)))
}

/// `str`.
pub(crate) fn is_str(ty: &Type) -> bool {
    path_named(ty, "str").is_some_and(|path| type_args(path).is_empty())
}

/// `Path` (`std::path::Path`, unsized: only ever borrowed).
pub(crate) fn is_path(ty: &Type) -> bool {
    path_named(ty, "Path").is_some_and(|path| type_args(path).is_empty())
}

/// A type named `Bytes`: `serde_bytes::Bytes` (unsized, so only ever
/// borrowed) or `ferryman::Bytes`.
pub(crate) fn is_bytes(ty: &Type) -> bool {
    path_named(ty, "Bytes").is_some_and(|path| type_args(path).is_empty())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn desc(source: &str) -> Desc {
        describe(&syn::parse_str(source).unwrap())
    }

    fn scalar(variant: &'static str) -> Desc {
        Desc::Scalar(variant)
    }

    fn list(item: Desc) -> Desc {
        Desc::List(Box::new(item))
    }

    #[test]
    fn primitives() {
        for (source, variant) in [
            ("bool", "Bool"),
            ("i8", "I8"),
            ("i16", "I16"),
            ("i32", "I32"),
            ("i64", "I64"),
            ("i128", "I128"),
            ("isize", "Isize"),
            ("u8", "U8"),
            ("u16", "U16"),
            ("u32", "U32"),
            ("u64", "U64"),
            ("u128", "U128"),
            ("usize", "Usize"),
            ("f32", "F32"),
            ("f64", "F64"),
            ("char", "Char"),
            ("std::primitive::u32", "U32"),
        ] {
            assert_eq!(desc(source), scalar(variant), "{source}");
        }
        assert_eq!(desc("()"), Desc::Unit);
    }

    #[test]
    fn strings_and_bytes() {
        for source in [
            "String",
            "str",
            "&str",
            "&'a str",
            "Cow<'a, str>",
            "Box<str>",
            "std::string::String",
        ] {
            assert_eq!(desc(source), scalar("Str"), "{source}");
        }
        for source in [
            "Vec<u8>",
            "::std::vec::Vec<u8>",
            "&[u8]",
            "&'a [u8]",
            "ByteBuf",
            "serde_bytes::ByteBuf",
            "&Bytes",
            "&'a serde_bytes::Bytes",
            "ferryman::Bytes",
            "&ferryman::Bytes",
        ] {
            assert_eq!(desc(source), scalar("Bytes"), "{source}");
        }
        // Sequences of u8 are bytes at any depth, however they are held.
        for source in [
            "Box<[u8]>",
            "Arc<[u8]>",
            "Cow<'a, [u8]>",
            "VecDeque<u8>",
            "BTreeSet<u8>",
            "HashSet<u8>",
        ] {
            assert_eq!(desc(source), scalar("Bytes"), "{source}");
        }
        // Fixed-size arrays are tuples to serde: lists of ints.
        assert_eq!(desc("[u8; 4]"), list(scalar("U8")));
    }

    #[test]
    fn paths_and_times() {
        for source in [
            "PathBuf",
            "std::path::PathBuf",
            "&Path",
            "&std::path::Path",
            "Box<Path>",
        ] {
            assert_eq!(desc(source), scalar("Path"), "{source}");
        }
        for source in [
            "Duration",
            "std::time::Duration",
            "chrono::Duration",
            "chrono::TimeDelta",
            "time::Duration",
            "jiff::SignedDuration",
        ] {
            assert_eq!(desc(source), scalar("Duration"), "{source}");
        }
        for source in [
            "SystemTime",
            "std::time::SystemTime",
            "DateTime<Utc>",
            "chrono::DateTime<chrono::FixedOffset>",
            "time::OffsetDateTime",
            "jiff::Timestamp",
        ] {
            assert_eq!(desc(source), scalar("Timestamp"), "{source}");
        }
        for source in ["chrono::NaiveDate", "time::Date", "jiff::civil::Date"] {
            assert_eq!(desc(source), scalar("Date"), "{source}");
        }
        for source in [
            "NaiveDateTime",
            "time::PrimitiveDateTime",
            "civil::DateTime",
        ] {
            assert_eq!(desc(source), scalar("DateTime"), "{source}");
        }
        // jiff's `Zoned` and `Span` cross as their serde forms (text).
        assert!(matches!(desc("jiff::Zoned"), Desc::Named(_)));
        assert_eq!(
            desc("Vec<Option<SystemTime>>"),
            list(Desc::Option(Box::new(scalar("Timestamp"))))
        );
        let mut named = Vec::new();
        named_types(&syn::parse_str("Vec<DateTime<Utc>>").unwrap(), &mut named);
        assert!(named.is_empty(), "{named:?}");
    }

    #[test]
    fn collections() {
        for source in [
            "Vec<i64>",
            "&[i64]",
            "VecDeque<i64>",
            "HashSet<i64>",
            "BTreeSet<i64>",
            "[i64; 3]",
        ] {
            assert_eq!(desc(source), list(scalar("I64")), "{source}");
        }
        assert_eq!(desc("Vec<Vec<u8>>"), list(scalar("Bytes")));
        assert_eq!(
            desc("Option<Vec<u8>>"),
            Desc::Option(Box::new(scalar("Bytes")))
        );
        assert_eq!(
            desc("HashMap<String, Vec<u8>>"),
            Desc::Map(Box::new(scalar("Str")), Box::new(scalar("Bytes")))
        );
        assert_eq!(
            desc("(Vec<u8>, &[u8], u8)"),
            Desc::Tuple(vec![scalar("Bytes"), scalar("Bytes"), scalar("U8")])
        );
        assert_eq!(
            desc("Vec<Option<u8>>"),
            list(Desc::Option(Box::new(scalar("U8"))))
        );
        assert_eq!(
            desc("Callback<(i64, String), bool>"),
            Desc::Callback(vec![scalar("I64"), scalar("Str")], Box::new(scalar("Bool")))
        );
        assert_eq!(
            desc("ferryman::AsyncCallback<(i64,), ()>"),
            Desc::AsyncCallback(vec![scalar("I64")], Box::new(Desc::Unit))
        );
        assert_eq!(
            desc("HashMap<String, Vec<f64>>"),
            Desc::Map(Box::new(scalar("Str")), Box::new(list(scalar("F64"))))
        );
        assert_eq!(
            desc("BTreeMap<u32, bool>"),
            Desc::Map(Box::new(scalar("U32")), Box::new(scalar("Bool")))
        );
        assert_eq!(
            desc("Option<String>"),
            Desc::Option(Box::new(scalar("Str")))
        );
        assert_eq!(
            desc("(i32, String, (bool,))"),
            Desc::Tuple(vec![
                scalar("I32"),
                scalar("Str"),
                Desc::Tuple(vec![scalar("Bool")])
            ])
        );
    }

    #[test]
    fn smart_pointers_are_transparent() {
        for source in [
            "Box<i32>",
            "Arc<i32>",
            "Rc<i32>",
            "&i32",
            "std::sync::Arc<i32>",
        ] {
            assert_eq!(desc(source), scalar("I32"), "{source}");
        }
    }

    #[test]
    fn everything_else_is_named_by_its_last_segment() {
        assert_eq!(desc("Point"), Desc::Named("Point".into()));
        assert_eq!(desc("geometry::Point"), Desc::Named("Point".into()));
        assert_eq!(desc("&Point"), Desc::Named("Point".into()));
        assert_eq!(
            desc("shapes::Wrapper<i32>"),
            Desc::Named("Wrapper<i32>".into())
        );
        assert_eq!(
            desc("<T as Trait>::Assoc"),
            Desc::Named("<T as Trait>::Assoc".into())
        );
    }

    #[test]
    fn quotes_as_a_constant_expression() {
        let tokens = desc("HashMap<String, Option<Point>>").into_token_stream();
        let expected = quote!(::ferryman::__private::TypeDesc::Map(
            &::ferryman::__private::TypeDesc::Str,
            &::ferryman::__private::TypeDesc::Option(&::ferryman::__private::TypeDesc::Named(
                "Point"
            ))
        ));
        assert_eq!(tokens.to_string(), expected.to_string());
        let tokens = desc("(u8, ())").into_token_stream();
        let expected = quote!(::ferryman::__private::TypeDesc::Tuple(&[
            ::ferryman::__private::TypeDesc::U8,
            ::ferryman::__private::TypeDesc::Unit
        ]));
        assert_eq!(tokens.to_string(), expected.to_string());
    }

    #[test]
    fn shapes() {
        let ty = |s: &str| syn::parse_str::<Type>(s).unwrap();
        assert!(is_byte_vec(&ty("Vec<u8>")));
        assert!(is_byte_vec(&ty("std::vec::Vec<u8>")));
        assert!(!is_byte_vec(&ty("Vec<u16>")));
        assert!(!is_byte_vec(&ty("Vec<Vec<u8>>")));
        assert!(is_str(&ty("str")));
        assert!(!is_str(&ty("String")));
        assert!(is_bytes(&ty("serde_bytes::Bytes")));
        assert!(is_u8(&ty("(u8)")));
    }
}
