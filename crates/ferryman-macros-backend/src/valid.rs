//! What cannot cross the boundary, rejected before anything is generated.
//!
//! Every problem is recorded (not only the first), spanned on the token at
//! fault, with a lowercase message that names the construct and the fix.

use quote::quote;
use syn::visit::{self, Visit};
use syn::{FnArg, GenericParam, Item, ItemFn, Lifetime, Pat, ReturnType, Signature, Type};

use crate::callables::{self, Position};
use crate::errors::Errors;

/// The name of the generated shim; a user function of that name would be
/// shadowed by it.
pub(crate) const SHIM: &str = "__ferryman_shim";

/// The error for `#[export]` on an item that is not a function.
pub(crate) fn not_a_function(item: &Item) -> syn::Error {
    const ONLY_FNS: &str = "`#[ferryman::export]` can only be applied to a free function";
    let data_hint = "; to pass this type across the boundary, derive `serde::Serialize` and \
                     `serde::Deserialize` on it and use it in an exported function's signature";
    match item {
        Item::Struct(item) => {
            let (s, i) = (&item.struct_token, &item.ident);
            syn::Error::new_spanned(quote!(#s #i), format!("{ONLY_FNS}{data_hint}"))
        }
        Item::Enum(item) => {
            let (e, i) = (&item.enum_token, &item.ident);
            syn::Error::new_spanned(quote!(#e #i), format!("{ONLY_FNS}{data_hint}"))
        }
        Item::Impl(item) => syn::Error::new_spanned(
            item.impl_token,
            format!(
                "{ONLY_FNS}, not to an `impl` block; export a free function that takes the \
                 value as a parameter"
            ),
        ),
        Item::Verbatim(tokens) => {
            syn::Error::new_spanned(tokens, format!("{ONLY_FNS} with a body"))
        }
        other => syn::Error::new_spanned(other, ONLY_FNS),
    }
}

/// Records every reason `item` cannot be exported.
pub(crate) fn check(item: &ItemFn, errors: &mut Errors) {
    let sig = &item.sig;
    check_name(sig, errors);
    check_generics(sig, errors);
    check_qualifiers(sig, errors);
    for arg in &sig.inputs {
        match arg {
            FnArg::Receiver(receiver) => errors.spanned(
                receiver,
                "`#[ferryman::export]` on a single method (`self` parameters) is not \
                 supported; put `#[ferryman::export]` on its `impl` block, which exports every \
                 `pub fn` of the block, and on the type",
            ),
            FnArg::Typed(arg) => {
                check_pattern(&arg.pat, errors);
                check_param_type(&arg.ty, errors);
            }
        }
    }
    if let Some(variadic) = &sig.variadic {
        errors.spanned(
            variadic,
            "`#[ferryman::export]` does not support variadic functions; take a `Vec<T>` instead",
        );
    }
    if let ReturnType::Type(_, ty) = &sig.output {
        check_return_type(ty, errors);
    }
}

fn check_name(sig: &Signature, errors: &mut Errors) {
    if sig.ident == SHIM {
        errors.spanned(
            &sig.ident,
            format!("`{SHIM}` is the name of the code `#[ferryman::export]` generates; rename the function"),
        );
    }
}

fn check_generics(sig: &Signature, errors: &mut Errors) {
    for param in &sig.generics.params {
        match param {
            GenericParam::Type(param) => errors.spanned(
                param,
                "`#[ferryman::export]` functions cannot have generic type parameters; \
                 use a concrete type",
            ),
            GenericParam::Const(param) => errors.spanned(
                param,
                "`#[ferryman::export]` functions cannot have const generic parameters; \
                 use a concrete value",
            ),
            GenericParam::Lifetime(_) => {}
        }
    }
}

fn check_qualifiers(sig: &Signature, errors: &mut Errors) {
    if sig.asyncness.is_some() {
        check_async_params(sig, errors);
    }
    if let Some(unsafety) = &sig.unsafety {
        errors.spanned(
            unsafety,
            "`#[ferryman::export]` does not support `unsafe fn`; make the function safe \
             and check its preconditions inside",
        );
    }
    if let Some(abi) = &sig.abi {
        errors.spanned(
            abi,
            "`#[ferryman::export]` does not support `extern` functions; remove the ABI, \
             ferryman generates the C entry points",
        );
    }
}

/// An `async fn`'s future outlives the call: it owns its parameters, and
/// lends the function text, bytes, slices and paths (`signature::Param::owned`).
/// A reference to anything else (possibly an exported class, which the
/// future could not hold) is refused with what to write instead.
fn check_async_params(sig: &Signature, errors: &mut Errors) {
    for arg in &sig.inputs {
        let FnArg::Typed(arg) = arg else { continue };
        let Type::Reference(reference) = crate::types::peel(&arg.ty) else {
            continue;
        };
        if reference.mutability.is_some() {
            continue; // refused for every function
        }
        let elem = crate::types::peel(&reference.elem);
        let lent = crate::types::is_str(elem)
            || crate::types::is_path(elem)
            || matches!(elem, Type::Slice(_))
            || crate::types::path_named(elem, "Vec").is_some()
            || crate::types::path_named(elem, "String").is_some();
        if lent {
            continue;
        }
        let owned = if crate::types::is_bytes(elem) {
            "`Bytes` by value, `Vec<u8>` or `&[u8]`".to_owned()
        } else {
            let text = crate::text::rust_text(elem);
            if crate::objects::could_be_class(elem) {
                format!("`{text}` (an exported class: `Arc<{text}>`)")
            } else {
                format!("`{text}`")
            }
        };
        errors.spanned(
            &arg.ty,
            format!(
                "an exported `async fn` owns its parameters and lends only text, bytes, \
                 slices and paths (`&str`, `&[T]`, `&Path`); take {owned} instead"
            ),
        );
    }
}

fn check_pattern(pat: &Pat, errors: &mut Errors) {
    match pat {
        Pat::Ident(ident) if ident.by_ref.is_none() && ident.subpat.is_none() => {}
        _ => errors.spanned(
            pat,
            "`#[ferryman::export]` arguments must be plain names, hosts pass them by name; \
             bind the argument to a name such as `value: T` and destructure it in the body",
        ),
    }
}

fn check_param_type(ty: &Type, errors: &mut Errors) {
    struct ParamVisitor<'e> {
        errors: &'e mut Errors,
    }
    impl<'ast> Visit<'ast> for ParamVisitor<'_> {
        fn visit_type(&mut self, ty: &'ast Type) {
            if let Some(message) = callables::problem(ty, Position::Param) {
                return self.errors.spanned(ty, message);
            }
            match ty {
                Type::Reference(reference) if reference.mutability.is_some() => {
                    self.errors.spanned(
                        reference,
                        "mutable references cannot cross the boundary; take `T` by value \
                         and return the changed value",
                    );
                }
                Type::Reference(reference)
                    if reference
                        .lifetime
                        .as_ref()
                        .is_some_and(|l| l.ident == "static") =>
                {
                    self.errors.spanned(
                        reference,
                        "arguments live only for the call, so `'static` borrows cannot cross \
                         the boundary; take an owned type such as `String`",
                    );
                }
                Type::ImplTrait(impl_trait) => impl_trait_error(impl_trait, self.errors),
                _ => visit::visit_type(self, ty),
            }
        }
    }
    ParamVisitor { errors }.visit_type(ty);
}

fn check_return_type(ty: &Type, errors: &mut Errors) {
    struct ReturnVisitor<'e> {
        errors: &'e mut Errors,
    }
    const BORROWED: &str = "borrowed return types cannot cross the boundary; \
                            return an owned type such as `String` or `Vec<u8>`";
    impl<'ast> Visit<'ast> for ReturnVisitor<'_> {
        fn visit_type(&mut self, ty: &'ast Type) {
            if let Some(message) = callables::problem(ty, Position::Return) {
                return self.errors.spanned(ty, message);
            }
            match ty {
                Type::Reference(reference) => self.errors.spanned(reference, BORROWED),
                Type::ImplTrait(impl_trait) => impl_trait_error(impl_trait, self.errors),
                Type::Never(never) => self.errors.spanned(
                    never,
                    "`#[ferryman::export]` functions must return; return `()` or a `Result` \
                     instead of `!`",
                ),
                _ => visit::visit_type(self, ty),
            }
        }

        fn visit_lifetime(&mut self, lifetime: &'ast Lifetime) {
            // `'static` borrows nothing from the call: `Cow<'static, str>`,
            // `Box<dyn Error + Send + Sync + 'static>`.
            if lifetime.ident != "static" {
                self.errors.spanned(lifetime, BORROWED);
            }
        }
    }
    ReturnVisitor { errors }.visit_type(ty);
}

fn impl_trait_error(impl_trait: &syn::TypeImplTrait, errors: &mut Errors) {
    errors.spanned(
        impl_trait,
        "`impl Trait` cannot cross the boundary; use a concrete type",
    );
}

#[cfg(test)]
mod tests {
    use super::*;
    use proc_macro2::TokenStream;

    /// The messages `check` records for `source`, in order.
    fn errors(source: &str) -> Vec<String> {
        let item: ItemFn = syn::parse_str(source).unwrap();
        let mut errors = Errors::default();
        check(&item, &mut errors);
        match errors.finish() {
            Ok(()) => Vec::new(),
            Err(error) => error.into_iter().map(|e| e.to_string()).collect(),
        }
    }

    fn one_error(source: &str) -> String {
        let mut all = errors(source);
        assert_eq!(all.len(), 1, "{source}: {all:?}");
        all.remove(0)
    }

    #[test]
    fn accepts_plain_signatures() {
        for source in [
            "fn f() {}",
            "pub fn f(a: i64, b: i64) -> i64 { a + b }",
            "fn f<'a>(s: &'a str, b: &[u8], p: &Point, v: Vec<Option<String>>) -> String { todo!() }",
            "fn f(mut a: i64) -> Result<i64, Error> { todo!() }",
            "pub(crate) const fn f(a: u8) -> u8 { a }",
            "fn f(c: Cow<'static, str>) {}",
            "fn f() -> io::Result<()> { todo!() }",
            "fn f() -> () {}",
        ] {
            assert_eq!(errors(source), Vec::<String>::new(), "{source}");
        }
    }

    #[test]
    fn rejects_generic_parameters() {
        assert_eq!(
            one_error("fn f<T: Serialize>(t: T) {}"),
            "`#[ferryman::export]` functions cannot have generic type parameters; use a concrete type"
        );
        assert!(one_error("fn f<const N: usize>() {}").contains("const generic parameters"));
    }

    #[test]
    fn rejects_qualifiers() {
        assert_eq!(
            one_error("async fn f(p: &Point) {}"),
            "an exported `async fn` owns its parameters and lends only text, bytes, \
             slices and paths (`&str`, `&[T]`, `&Path`); take `Point` (an exported class: \
             `Arc<Point>`) instead"
        );
        assert_eq!(
            errors("async fn f(s: &str, b: &[u8], v: &[i64], p: &std::path::Path) {}"),
            Vec::<String>::new()
        );
        assert!(one_error("unsafe fn f() {}").contains("`unsafe fn`"));
        assert!(one_error("extern \"C\" fn f() {}").contains("`extern` functions"));
        assert!(one_error("fn f(a: i32, ...) {}").contains("variadic"));
    }

    #[test]
    fn rejects_receivers_and_patterns() {
        assert!(one_error("fn f(&self) {}").contains("`self` parameters"));
        assert!(one_error("fn f(self: Box<Self>) {}").contains("`self` parameters"));
        for source in [
            "fn f((a, b): (i32, i32)) {}",
            "fn f(_: i32) {}",
            "fn f(Point { x, y }: Point) {}",
            "fn f(ref a: i32) {}",
        ] {
            assert!(
                one_error(source).contains("must be plain names"),
                "{source}"
            );
        }
    }

    #[test]
    fn rejects_mutable_and_static_borrows() {
        assert_eq!(
            one_error("fn f(v: &mut Vec<i64>) {}"),
            "mutable references cannot cross the boundary; take `T` by value and return the changed value"
        );
        assert!(one_error("fn f(v: Option<&mut i64>) {}").starts_with("mutable references"));
        assert!(one_error("fn f(s: &'static str) {}").contains("`'static` borrows"));
    }

    #[test]
    fn rejects_impl_trait() {
        let message = "`impl Trait` cannot cross the boundary; use a concrete type";
        assert_eq!(one_error("fn f(x: impl Display) {}"), message);
        assert_eq!(one_error("fn f(x: Vec<impl Display>) {}"), message);
        assert_eq!(one_error("fn f() -> impl Display { 1 }"), message);
    }

    #[test]
    fn rejects_closures_with_the_callback_to_use() {
        assert!(
            one_error("fn f() -> Box<dyn Fn(i64) -> i64 + Send + Sync> { todo!() }")
                .contains("wrap the closure in `ferryman::Callback::new(...)`")
        );
        assert!(
            one_error("fn f() -> Option<impl Fn(i64) -> i64> { todo!() }")
                .contains("return `ferryman::Callback<(i64,), i64>`")
        );
        assert!(one_error("fn f(g: impl Fn(i64) -> i64) {}")
            .contains("take `ferryman::Callback<(i64,), i64>`"));
        assert!(one_error("fn f(g: Callback<(i64,), Result<i64, E>>) {}")
            .contains("write `Callback<(i64,), i64>`"));
    }

    #[test]
    fn rejects_borrowed_returns() {
        let message = "borrowed return types cannot cross the boundary; \
                       return an owned type such as `String` or `Vec<u8>`";
        assert_eq!(one_error("fn f<'a>(s: &'a str) -> &'a str { s }"), message);
        assert_eq!(one_error("fn f() -> &'static str { \"\" }"), message);
        assert_eq!(one_error("fn f() -> Option<&[u8]> { None }"), message);
        assert_eq!(one_error("fn f<'a>() -> Cow<'a, str> { todo!() }"), message);
        assert_eq!(errors("fn f() -> (&str, &str) { todo!() }").len(), 2);
        assert!(one_error("fn f() -> ! { loop {} }").contains("instead of `!`"));
    }

    #[test]
    fn static_lifetimes_in_returns_borrow_nothing() {
        for source in [
            "fn f() -> Result<u8, Box<dyn Error + Send + Sync + 'static>> { todo!() }",
            "fn f() -> Cow<'static, str> { todo!() }",
        ] {
            assert_eq!(errors(source), Vec::<String>::new(), "{source}");
        }
    }

    #[test]
    fn rejects_the_shim_name() {
        assert!(one_error("fn __ferryman_shim() {}").contains("rename the function"));
    }

    #[test]
    fn collects_every_error_in_source_order() {
        let all = errors(
            "async unsafe fn f<T>(&self, (a, b): (i32, i32), m: &mut T) -> &str { todo!() }",
        );
        let expected = [
            "generic type parameters",
            "`unsafe fn`",
            "`self` parameters",
            "must be plain names",
            "mutable references",
            "borrowed return types",
        ];
        assert_eq!(all.len(), expected.len(), "{all:?}");
        for (message, expected) in all.iter().zip(expected) {
            assert!(
                message.contains(expected),
                "{message:?} should mention {expected:?}"
            );
        }
    }

    #[test]
    fn errors_are_spanned_on_the_offending_tokens() {
        let item: ItemFn = syn::parse_str("fn f(a: i64, m: &mut i64) {}").unwrap();
        let mut errors = Errors::default();
        check(&item, &mut errors);
        let tokens: TokenStream = errors.finish().unwrap_err().to_compile_error();
        // `new_spanned` keeps the tokens' text reachable through the error's span;
        // outside a compiler every span is the same, so check the message only.
        assert!(tokens.to_string().contains("mutable references"));
    }

    #[test]
    fn non_functions() {
        let message = |source: &str| not_a_function(&syn::parse_str(source).unwrap()).to_string();
        assert!(message("struct Point { x: f64 }").contains("derive `serde::Serialize`"));
        assert!(message("enum Shape { A }").contains("derive `serde::Serialize`"));
        assert!(message("impl Point {}").contains("not to an `impl` block"));
        assert!(message("const X: i32 = 1;")
            .starts_with("`#[ferryman::export]` can only be applied to a free function"));
    }
}
