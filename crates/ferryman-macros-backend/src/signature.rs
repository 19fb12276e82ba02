//! An accepted function as the generator sees it: its names, its doc, how each
//! parameter is decoded, and what it returns.

use std::collections::HashSet;

use syn::ext::IdentExt;
use syn::visit_mut::{self, VisitMut};
use syn::{Attribute, FnArg, GenericParam, Ident, ItemFn, Lifetime, Pat, ReturnType, Type};

use crate::attr::ExportAttr;
use crate::doc::doc_string;
use crate::types::{
    describe, is_byte_vec, is_bytes, is_direct, is_named_bytes, is_path, is_slice_item, is_str,
    is_u8, path_named, peel, type_args, Desc,
};

/// A function that passed [`crate::valid::check`].
pub(crate) struct Function<'a> {
    /// The Rust function's identifier, as written (the shim calls it).
    pub(crate) ident: &'a Ident,
    /// The Rust function's name without `r#`.
    pub(crate) rust_name: String,
    /// The name hosts call it by: `rust_name`, or the `name = ".."` override.
    pub(crate) name: String,
    pub(crate) doc: String,
    /// `#[cfg(..)]` attributes, repeated on the generated code so that it goes
    /// away with the function.
    pub(crate) cfgs: Vec<&'a Attribute>,
    pub(crate) params: Vec<Param<'a>>,
    pub(crate) output: Output<'a>,
    /// An `async fn`: the shim runs its future (`ferryman::__private::run_async`).
    pub(crate) is_async: bool,
}

/// One parameter.
pub(crate) struct Param<'a> {
    /// The name hosts pass it by (without `r#`).
    pub(crate) name: String,
    /// The type as written.
    pub(crate) ty: &'a Type,
    pub(crate) decode: Decode,
    /// Whether the function takes a reference to the decoded value (`&p`).
    pub(crate) by_ref: bool,
    /// The MessagePack bytes a call that leaves it out decodes instead
    /// (set by `defaults::apply`).
    pub(crate) default: Option<Vec<u8>>,
}

/// How the shim gets a parameter out of the argument array.
#[derive(Debug, PartialEq, Eq)]
pub(crate) enum Decode {
    /// `call.arg::<T>(i)?` with `T` as written, the function's lifetimes made
    /// `'_`: by-value types, and `&str`, which borrows from the input.
    AsWritten(Type),
    /// `&Bytes` (the type given here): `serde_bytes::Bytes`, borrowed from the
    /// input, or `ferryman::Bytes`, decoded and passed by reference. The macro
    /// cannot tell which; `ferryman::__private::BytesParam` does.
    BytesRef(Type),
    /// `Vec<u8>`: decoded from MessagePack bin through `serde_bytes::ByteBuf`.
    ByteVec,
    /// `&[u8]`: borrowed from MessagePack bin through `&serde_bytes::Bytes`.
    ByteSlice,
    /// `&[T]`: decoded as `Vec<T>` (`T` given here).
    Vec(Type),
    /// `&[T]` of a number type a host may lend (`f64`, `i32`…): decoded as
    /// `ferryman::__private::SliceArg<T>`, the host's memory when lent.
    Slice(Type),
    /// An integer, `f64` or `bool` by value: `call.arg_direct::<T>(i)?`.
    Direct(Type),
    /// A type spelled `Bytes`, by value: directly when it is `ferryman::Bytes`,
    /// through serde otherwise (`ferryman::__private::Kind`).
    Kind(Type),
}

/// What the function returns.
pub(crate) enum Output<'a> {
    /// Nothing, or `()`.
    Unit,
    /// A value handed to `Call::ok` as it is.
    Value(&'a Type),
    /// A type whose last path segment is `Result`: `Ok` goes to `Call::ok`,
    /// `Err` to `Call::err`. `ok` and `err` are its type arguments when written
    /// (`io::Result<T>` has no `err`, `fmt::Result` neither).
    Result {
        ty: &'a Type,
        ok: Option<&'a Type>,
        err: Option<&'a Type>,
    },
}

impl<'a> Function<'a> {
    pub(crate) fn new(item: &'a ItemFn, attr: &ExportAttr) -> Self {
        let sig = &item.sig;
        let rust_name = sig.ident.unraw().to_string();
        let lifetimes: HashSet<&Ident> = sig
            .generics
            .params
            .iter()
            .filter_map(|param| match param {
                GenericParam::Lifetime(param) => Some(&param.lifetime.ident),
                _ => None,
            })
            .collect();
        let params = sig
            .inputs
            .iter()
            .filter_map(|arg| match arg {
                FnArg::Typed(arg) => match &*arg.pat {
                    Pat::Ident(pat) => Some(Param::new(&pat.ident, &arg.ty, &lifetimes)),
                    _ => None,
                },
                FnArg::Receiver(_) => None,
            })
            .collect::<Vec<_>>();
        let is_async = sig.asyncness.is_some();
        let params = if is_async {
            params.into_iter().map(Param::owned).collect()
        } else {
            params
        };
        Function {
            ident: &sig.ident,
            name: attr
                .name
                .as_ref()
                .map_or_else(|| rust_name.clone(), |name| name.value()),
            rust_name,
            doc: doc_string(&item.attrs),
            cfgs: item
                .attrs
                .iter()
                .filter(|attr| attr.path().is_ident("cfg"))
                .collect(),
            params,
            output: Output::new(&sig.output),
            is_async,
        }
    }
}

impl<'a> Param<'a> {
    /// An `async fn`'s parameter: decoded into a value its future owns, and
    /// lent to the function from there (`&str` as `&String`, `&[T]` as
    /// `&Vec<T>`, `&Path` as `&PathBuf`); the future borrows only its own
    /// parameters. `valid::check` refused the references this cannot own.
    fn owned(mut self) -> Self {
        let Type::Reference(reference) = peel(self.ty) else {
            return self;
        };
        let elem = peel(&reference.elem);
        self.decode = match self.decode {
            _ if is_str(elem) => Decode::AsWritten(syn::parse_quote!(::std::string::String)),
            _ if is_path(elem) => Decode::AsWritten(syn::parse_quote!(::std::path::PathBuf)),
            Decode::ByteSlice => Decode::ByteVec,
            Decode::Slice(item) => Decode::Vec(item),
            decode => decode,
        };
        self.by_ref = true;
        self
    }

    fn new(ident: &Ident, ty: &'a Type, lifetimes: &HashSet<&Ident>) -> Self {
        let erase = |ty: &Type| erase_lifetimes(ty, lifetimes);
        let (decode, by_ref) = match peel(ty) {
            Type::Reference(reference) => {
                let elem = peel(&reference.elem);
                match elem {
                    // `&str` and `&Path` borrow the argument's text.
                    _ if is_str(elem) || is_path(elem) => (Decode::AsWritten(erase(ty)), false),
                    _ if is_bytes(elem) => (Decode::BytesRef(erase(elem)), false),
                    Type::Slice(slice) if is_u8(&slice.elem) => (Decode::ByteSlice, false),
                    Type::Slice(slice) if is_slice_item(&slice.elem) => {
                        (Decode::Slice(peel(&slice.elem).clone()), true)
                    }
                    Type::Slice(slice) => (Decode::Vec(erase(&slice.elem)), true),
                    _ if is_byte_vec(elem) => (Decode::ByteVec, true),
                    _ => (Decode::AsWritten(erase(elem)), true),
                }
            }
            _ if is_byte_vec(ty) => (Decode::ByteVec, false),
            _ if is_direct(ty) => (Decode::Direct(peel(ty).clone()), false),
            _ if is_named_bytes(ty) => (Decode::Kind(erase(ty)), false),
            _ => (Decode::AsWritten(erase(ty)), false),
        };
        Param {
            name: ident.unraw().to_string(),
            ty,
            decode,
            by_ref,
            default: None,
        }
    }
}

impl<'a> Output<'a> {
    fn new(output: &'a ReturnType) -> Self {
        let ReturnType::Type(_, ty) = output else {
            return Output::Unit;
        };
        Output::of_type(ty)
    }

    /// What a value of type `ty` is handed to (a stream's item, say).
    pub(crate) fn of_type(ty: &'a Type) -> Self {
        if matches!(peel(ty), Type::Tuple(tuple) if tuple.elems.is_empty()) {
            return Output::Unit;
        }
        match path_named(ty, "Result") {
            Some(path) => {
                let args = type_args(path);
                Output::Result {
                    ty,
                    ok: args.first().copied(),
                    err: args.get(1).copied(),
                }
            }
            None => Output::Value(ty),
        }
    }

    /// The type of the successful value, when it is written out.
    pub(crate) fn value_type(&self) -> Option<&'a Type> {
        match self {
            Output::Unit => None,
            Output::Value(ty) => Some(ty),
            Output::Result { ok, .. } => *ok,
        }
    }

    /// The descriptor and text of the successful value (`T` of `Result<T, E>`).
    pub(crate) fn describe(&self) -> (Desc, String) {
        use crate::text::rust_text;
        match (self, self.value_type()) {
            (Output::Unit, _) => (Desc::Unit, "()".to_owned()),
            (_, Some(ty)) => (describe(ty), rust_text(ty)),
            // A `Result` alias without arguments, such as `fmt::Result`: its `Ok`
            // type cannot be read from the tokens.
            (Output::Result { ty, .. } | Output::Value(ty), None) => {
                (Desc::Named(rust_text(ty)), rust_text(ty))
            }
        }
    }
}

/// `ty` with the function's own lifetime parameters replaced by `'_`, so that
/// it can be written inside the shim, where they are not declared.
fn erase_lifetimes(ty: &Type, lifetimes: &HashSet<&Ident>) -> Type {
    struct Eraser<'l, 'i>(&'l HashSet<&'i Ident>);
    impl VisitMut for Eraser<'_, '_> {
        fn visit_lifetime_mut(&mut self, lifetime: &mut Lifetime) {
            if self.0.contains(&lifetime.ident) {
                lifetime.ident = Ident::new("_", lifetime.ident.span());
            }
            visit_mut::visit_lifetime_mut(self, lifetime);
        }
    }
    let mut ty = ty.clone();
    Eraser(lifetimes).visit_type_mut(&mut ty);
    ty
}

#[cfg(test)]
mod tests {
    use super::*;
    use quote::ToTokens;

    fn function(source: &str, attr: proc_macro2::TokenStream) -> (ItemFn, ExportAttr) {
        (
            syn::parse_str(source).unwrap(),
            ExportAttr::parse(attr).unwrap(),
        )
    }

    fn decodes(source: &str) -> Vec<(String, bool)> {
        let (item, attr) = function(source, quote::quote!());
        let function = Function::new(&item, &attr);
        function
            .params
            .iter()
            .map(|param| {
                let decode = match &param.decode {
                    Decode::AsWritten(ty) => ty.to_token_stream().to_string(),
                    Decode::BytesRef(ty) => format!("BytesParam<{}>", ty.to_token_stream()),
                    Decode::ByteVec => "ByteBuf".to_owned(),
                    Decode::ByteSlice => "&Bytes".to_owned(),
                    Decode::Vec(item) => format!("Vec<{}>", item.to_token_stream()),
                    Decode::Slice(item) => format!("SliceArg<{}>", item.to_token_stream()),
                    Decode::Direct(ty) => format!("direct {}", ty.to_token_stream()),
                    Decode::Kind(ty) => format!("kind {}", ty.to_token_stream()),
                };
                (decode, param.by_ref)
            })
            .collect()
    }

    #[test]
    fn names() {
        let (item, attr) = function("fn r#match(r#type: i32) {}", quote::quote!());
        let f = Function::new(&item, &attr);
        assert_eq!((f.rust_name.as_str(), f.name.as_str()), ("match", "match"));
        assert_eq!(f.params[0].name, "type");
        let (item, attr) = function("fn divide() {}", quote::quote!(name = "div"));
        let f = Function::new(&item, &attr);
        assert_eq!((f.rust_name.as_str(), f.name.as_str()), ("divide", "div"));
    }

    #[test]
    fn how_parameters_are_decoded() {
        let got = decodes(
            "fn f<'a>(a: i64, s: &'a str, b: Vec<u8>, d: &[u8], p: &Point, q: &'a [Point], \
             c: Cow<'a, str>, r: &Vec<u8>, y: &'a serde_bytes::Bytes, t: &String, \
             z: ferryman::Bytes, w: &ferryman::Bytes, x: &'a [f64], v: &[i32], u: &[u128]) {}",
        );
        let expected = [
            ("direct i64", false),
            ("& '_ str", false),
            ("ByteBuf", false),
            ("&Bytes", false),
            ("Point", true),
            ("Vec<Point>", true),
            ("Cow < '_ , str >", false),
            ("ByteBuf", true),
            ("BytesParam<serde_bytes :: Bytes>", false),
            ("String", true),
            ("kind ferryman :: Bytes", false),
            ("BytesParam<ferryman :: Bytes>", false),
            ("SliceArg<f64>", true),
            ("SliceArg<i32>", true),
            ("Vec<u128>", true),
        ];
        let expected: Vec<(String, bool)> = expected
            .iter()
            .map(|(d, r)| ((*d).to_owned(), *r))
            .collect();
        assert_eq!(got, expected);
    }

    #[test]
    fn only_the_functions_lifetimes_are_erased() {
        assert_eq!(
            decodes("fn f(c: Cow<'static, str>) {}"),
            [("Cow < 'static , str >".to_owned(), false)]
        );
    }

    #[test]
    fn outputs() {
        let output = |source: &str| {
            let (item, attr) = function(source, quote::quote!());
            let f = Function::new(&item, &attr);
            let (desc, text) = f.output.describe();
            let kind = match f.output {
                Output::Unit => "unit",
                Output::Value(_) => "value",
                Output::Result { err: Some(_), .. } => "result",
                Output::Result { err: None, .. } => "result alias",
            };
            (kind, desc, text)
        };
        assert_eq!(output("fn f() {}"), ("unit", Desc::Unit, "()".into()));
        assert_eq!(output("fn f() -> () {}"), ("unit", Desc::Unit, "()".into()));
        assert_eq!(
            output("fn f() -> i64 {}"),
            ("value", Desc::Scalar("I64"), "i64".into())
        );
        assert_eq!(
            output("fn f() -> Result<Vec<u8>, MathError> {}"),
            ("result", Desc::Scalar("Bytes"), "Vec<u8>".into())
        );
        assert_eq!(
            output("fn f() -> std::result::Result<(), E> {}"),
            ("result", Desc::Unit, "()".into())
        );
        assert_eq!(
            output("fn f() -> io::Result<String> {}"),
            ("result alias", Desc::Scalar("Str"), "String".into())
        );
        assert_eq!(
            output("fn f() -> fmt::Result {}"),
            (
                "result alias",
                Desc::Named("fmt::Result".into()),
                "fmt::Result".into()
            )
        );
    }

    #[test]
    fn cfgs_are_kept() {
        let (item, attr) = function("#[cfg(unix)] #[inline] /// doc\nfn f() {}", quote::quote!());
        let f = Function::new(&item, &attr);
        assert_eq!(f.cfgs.len(), 1);
        assert_eq!(f.doc, "doc");
    }
}
