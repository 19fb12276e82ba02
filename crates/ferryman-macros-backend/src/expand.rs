//! Code generation: the user's function unchanged, then
//!
//! ```text
//! const _: () = {
//!     fn __ferryman_shim(call: &mut Call<'_>) -> Result<(), Reported> { … }
//!     inventory::submit! { Export { … } }
//! };
//! ```
//!
//! Generated code names only `::ferryman::__private`, `::core` and `::std`, so
//! it compiles under `#![no_implicit_prelude]`. Local variables are
//! [`Span::mixed_site`] identifiers and cannot collide with the user's names;
//! the expressions where a missing trait would be reported are located at the
//! user's type, so that rustc points there.

use proc_macro2::{Literal, Span, TokenStream};
use quote::{quote, quote_spanned};
use syn::spanned::Spanned;
use syn::{Ident, Type};

use crate::iterator::IterReturn;
use crate::member::Member;
use crate::objects::{may_hold_object, param_shape, Pass};
use crate::signature::{Decode, Function, Output, Param};
use crate::text::rust_text;
use crate::types::{describe, is_byte_vec, is_direct, is_named_bytes, named_types};
use crate::valid::SHIM;

/// A span that resolves like the generated code's locals (mixed site) and is
/// located at `at` for diagnostics. An expression whose tokens all have this
/// span is reported at `at`; mixing in call-site tokens would make rustc fall
/// back to the attribute.
fn at(at: Span) -> Span {
    Span::mixed_site().located_at(at)
}

/// A local variable of the generated code, invisible to user code, located at
/// `at` for diagnostics.
fn local(name: &str, location: Span) -> Ident {
    Ident::new(name, at(location))
}

/// `item` (the function as written) followed by its shim and registration;
/// `member` for a class member, `iter` for a function returning an iterator,
/// `stream` for one returning a stream.
pub(crate) fn expand_with(
    item: TokenStream,
    function: &Function,
    member: Option<&Member>,
    iter: Option<&IterReturn>,
    stream: Option<&IterReturn>,
) -> TokenStream {
    let shim = match stream {
        Some(stream) => stream_shim(function, member, stream),
        None => shim(function, member, iter),
    };
    let export = export(function, member, iter.or(stream), stream.is_some());
    let cfgs = &function.cfgs;
    quote! {
        #item
        #(#cfgs)*
        const _: () = {
            #shim
            #export
        };
    }
}

/// `fn __ferryman_shim(__call: &mut Call<'_>) -> Result<(), Reported>`: decodes
/// each argument, calls the function, hands the result to `Call::ok`/`Call::err`.
fn shim(function: &Function, member: Option<&Member>, iter: Option<&IterReturn>) -> TokenStream {
    let call = local("__call", Span::call_site());
    let ret = local("__ret", Span::call_site());
    let this = local("__self", Span::call_site());
    let shim = Ident::new(SHIM, Span::call_site());
    let prologue = Prologue::new(function, member, &call, &this);
    if function.is_async {
        return async_shim(function, member, &prologue);
    }
    let Prologue {
        decodes,
        receiver,
        callee,
        self_arg,
        args,
    } = prologue;
    let (invoke, finish) = match iter {
        Some(iter) => {
            let item = local("__item", Span::call_site());
            let value_ty = iter.value;
            // Objects among the items become handles, as in results.
            let wire = |value: &Ident| {
                if may_hold_object(value_ty) {
                    quote!((&::ferryman::__private::ObjKind::<#value_ty>::new()).wire(#value))
                } else {
                    quote!(#value)
                }
            };
            let items = if iter.fallible {
                let value = local("__value", Span::call_site());
                let wired = wire(&value);
                let fields = match iter.error {
                    // An `Err` item takes its serde fields along, as a function's `Err`.
                    Some(error) => quote! {{
                        fn __fields(
                            error: &#error,
                        ) -> ::core::option::Option<::ferryman::__private::ErrorFields> {
                            #[allow(unused_imports)]
                            use ::ferryman::__private::{FieldsNone as _, FieldsViaSerialize as _};
                            (&::ferryman::__private::FieldsProbe(error)).ferryman_fields()
                        }
                        __fields
                    }},
                    None => quote!(|_| ::core::option::Option::None),
                };
                quote! {
                    move |#item| ::ferryman::__private::Fallible(
                        ::core::result::Result::map(#item, |#value| #wired),
                        #fields,
                    )
                }
            } else {
                let wired = wire(&item);
                quote!(move |#item| ::ferryman::__private::Plain(#wired))
            };
            let item_text = rust_text(iter.value);
            let finish = quote! {
                ::ferryman::__private::ok_iter(
                    #call,
                    ::core::iter::Iterator::map(#ret, #items),
                    #item_text,
                )
            };
            match (iter.borrows, !self_arg.is_empty()) {
                // SAFETY (generated): the closure passes the `&'static` to a
                // method generic over its receiver's lifetime, which can keep
                // it only in the iterator it returns.
                (true, true) => {
                    let borrowed = local("__this", Span::call_site());
                    (
                        quote! {
                            #[allow(unused_unsafe, clippy::undocumented_unsafe_blocks)]
                            let #ret = unsafe {
                                ::ferryman::__private::borrowing(&#this, move |#borrowed| {
                                    #callee(#borrowed, #(#args),*)
                                })
                            };
                        },
                        finish,
                    )
                }
                _ => (
                    quote!(let #ret = #callee(#(#self_arg,)* #(#args),*);),
                    finish,
                ),
            }
        }
        None => (
            quote!(let #ret = #callee(#(#self_arg,)* #(#args),*);),
            self::finish(&function.output, &call, &ret),
        ),
    };
    quote! {
        #[allow(non_snake_case, deprecated, clippy::all, clippy::pedantic)]
        fn #shim(
            #call: &mut ::ferryman::__private::Call<'_>
        ) -> ::core::result::Result<(), ::ferryman::__private::Reported> {
            #[allow(unused_imports)]
            use ::ferryman::__private::{
                ArgDirect as _, ArgSerde as _, OkDirect as _, OkSerde as _,
                ArgObject as _, ArgPlain as _, OkObject as _, OkPlain as _,
                WireObject as _, WirePlain as _,
            };
            #receiver
            #(#decodes)*
            #invoke
            #finish
        }
    }
}

/// What every shim does before it calls the function: decode the receiver
/// and each argument (argument variables `__argN`, numbered after the
/// receiver), and the call's callee and arguments.
struct Prologue {
    /// `let __argN = …;`, one per parameter.
    decodes: Vec<TokenStream>,
    /// `let __self = …;` for a method.
    receiver: Option<TokenStream>,
    /// `f`, or `<Class>::f` for a member.
    callee: TokenStream,
    /// The receiver argument (`&*__self`), for a method.
    self_arg: Vec<TokenStream>,
    /// The arguments: decoded values, objects by reference or value as the
    /// parameter takes them.
    args: Vec<TokenStream>,
}

impl Prologue {
    fn new(function: &Function, member: Option<&Member>, call: &Ident, this: &Ident) -> Self {
        let offset = member.map_or(0, Member::offset);
        let vars: Vec<Ident> = (0..function.params.len())
            .map(|index| local(&format!("__arg{}", index + offset), Span::call_site()))
            .collect();
        let decodes = function
            .params
            .iter()
            .zip(&vars)
            .enumerate()
            .map(|(index, (param, var))| decode(param, index + offset, var, call))
            .collect();
        let args = function
            .params
            .iter()
            .zip(&vars)
            .map(|(param, var)| match param_shape(param) {
                Some((_, Pass::Ref)) => quote!(&#var.value),
                Some((_, Pass::Value)) => quote!(#var.value),
                Some((_, Pass::AsDeref)) => quote!(#var.value.as_deref()),
                None if param.by_ref => quote!(&#var),
                None => quote!(#var),
            })
            .collect();
        let user_fn = function.ident;
        let callee = match member {
            Some(m) => {
                let ty = m.self_ty;
                quote!(<#ty>::#user_fn)
            }
            None => quote!(#user_fn),
        };
        Prologue {
            decodes,
            receiver: member.map(|m| m.receiver_decode(call, this)),
            callee,
            self_arg: member
                .and_then(|m| m.receiver_arg(this))
                .into_iter()
                .collect(),
            args,
        }
    }
}

/// The uses the shims' generated code makes of `__private`'s traits.
fn shim_imports() -> TokenStream {
    quote! {
        #[allow(unused_imports)]
        use ::ferryman::__private::{
            ArgDirect as _, ArgSerde as _, OkDirect as _, OkSerde as _,
            ArgObject as _, ArgPlain as _, OkObject as _, OkPlain as _,
            WireObject as _, WirePlain as _,
        };
    }
}

/// The shim of an `async fn`: decodes the arguments (owned values), makes
/// the future — which, once the function returned, writes its result as a
/// sync shim would — and hands it to `run_async` (ADR 0014). A method's
/// future holds an `Arc` of its object.
fn async_shim(function: &Function, member: Option<&Member>, prologue: &Prologue) -> TokenStream {
    let call = local("__call", Span::call_site());
    let ret = local("__ret", Span::call_site());
    let this = local("__self", Span::call_site());
    let owned = local("__this", Span::call_site());
    let future = local("__future", Span::call_site());
    let shim = Ident::new(SHIM, Span::call_site());
    let imports = shim_imports();
    let Prologue {
        decodes,
        receiver,
        callee,
        args,
        ..
    } = prologue;
    let (keep, self_arg) = match member.and_then(|m| m.receiver_arg(&this)) {
        Some(_) => (quote!(let #owned = #this.arc();), vec![quote!(&*#owned)]),
        None => (quote!(), Vec::new()),
    };
    let finish = self::finish(&function.output, &call, &ret);
    let at = at(function.ident.span());
    let wrap = quote_spanned!(at=> ::ferryman::__private::export_future);
    quote! {
        #[allow(non_snake_case, deprecated, clippy::all, clippy::pedantic)]
        fn #shim(
            #call: &mut ::ferryman::__private::Call<'_>
        ) -> ::core::result::Result<(), ::ferryman::__private::Reported> {
            #imports
            #receiver
            #(#decodes)*
            #keep
            let #future = #wrap(async move {
                let #ret = #callee(#(#self_arg,)* #(#args),*).await;
                ::ferryman::__private::writer(
                    move |#call: &mut ::ferryman::__private::Call<'_>| {
                        #finish
                    }
                )
            });
            ::ferryman::__private::run_async(#call, #future)
        }
    }
}

/// The shim of a function returning `impl Stream<Item = T>`: calls it and
/// answers with a stream handle whose items are written as results are.
fn stream_shim(function: &Function, member: Option<&Member>, stream: &IterReturn) -> TokenStream {
    let call = local("__call", Span::call_site());
    let ret = local("__ret", Span::call_site());
    let this = local("__self", Span::call_site());
    let shim = Ident::new(SHIM, Span::call_site());
    let imports = shim_imports();
    let Prologue {
        decodes,
        receiver,
        callee,
        self_arg,
        args,
    } = Prologue::new(function, member, &call, &this);
    let item_output = if stream.fallible {
        Output::Result {
            ty: stream.value,
            ok: Some(stream.value),
            err: stream.error,
        }
    } else {
        Output::Value(stream.value)
    };
    let finish = self::finish(&item_output, &call, &ret);
    quote! {
        #[allow(non_snake_case, deprecated, clippy::all, clippy::pedantic)]
        fn #shim(
            #call: &mut ::ferryman::__private::Call<'_>
        ) -> ::core::result::Result<(), ::ferryman::__private::Reported> {
            #imports
            #receiver
            #(#decodes)*
            let #ret = #callee(#(#self_arg,)* #(#args),*);
            ::ferryman::__private::ok_stream(
                #call,
                #ret,
                move |#ret, #call: &mut ::ferryman::__private::Call<'_>| { #finish },
            )
        }
    }
}

/// `let __argN = __call.arg::<T>(N)?;`, located at the parameter's type so that
/// a type that is not `Deserialize` is reported there.
fn decode(param: &Param, index: usize, var: &Ident, call: &Ident) -> TokenStream {
    let at = at(param.ty.span());
    let index = Literal::usize_unsuffixed(index);
    if let Some((kind, _)) = param_shape(param) {
        // A class (`ObjectRef`/`Arc`, entered for the call) or a serde value.
        return quote_spanned! {at=>
            let #var = (&::ferryman::__private::ObjKind::<#kind>::new()).arg(#call, #index)?;
        };
    }
    if let Decode::BytesRef(ty) = &param.decode {
        // The decoded value lives in `held`; the function gets a reference.
        let held = Ident::new(&format!("{var}_held"), var.span());
        let bytes = quote_spanned!(at=> ::ferryman::__private::BytesParam<'_>);
        return quote_spanned! {at=>
            let #held = #call.arg::<<#ty as #bytes>::Decoded>(#index)?;
            let #var = <#ty as #bytes>::by_ref(&#held);
        };
    }
    let value = match &param.decode {
        Decode::AsWritten(ty) => quote_spanned!(at=> #call.arg::<#ty>(#index)?),
        Decode::BytesRef(_) => unreachable!("handled above"),
        Decode::ByteVec => quote_spanned! {at=>
            #call.arg::<::ferryman::__private::serde_bytes::ByteBuf>(#index)?.into_vec()
        },
        Decode::ByteSlice => quote_spanned! {at=>
            #call.arg::<&::ferryman::__private::serde_bytes::Bytes>(#index)?
        },
        Decode::Vec(item) => quote_spanned! {at=>
            #call.arg::<::std::vec::Vec<#item>>(#index)?
        },
        // Passed as `&arg`, which derefs to `&[T]`.
        Decode::Slice(item) => quote_spanned! {at=>
            #call.arg::<::ferryman::__private::SliceArg<'_, #item>>(#index)?
        },
        Decode::Direct(ty) => quote_spanned!(at=> #call.arg_direct::<#ty>(#index)?),
        Decode::Kind(ty) => quote_spanned! {at=>
            (&::ferryman::__private::Kind::<#ty>::new()).arg(#call, #index)?
        },
    };
    quote!(let #var = #value;)
}

/// Hands the function's result to the runtime.
fn finish(output: &Output, call: &Ident, ret: &Ident) -> TokenStream {
    match output {
        // `()` is written straight into the output.
        Output::Unit => quote!(#call.ok_direct(&#ret)),
        // The same variable as `ret` (same hygiene), located at the return type.
        Output::Value(ty) => ok(call, &local("__ret", ty.span()), Some(ty)),
        Output::Result { ty, ok: ok_ty, err } => {
            let value = local("__value", ok_ty.map_or(ty.span(), |t| t.span()));
            let error = local("__error", err.map_or(ty.span(), |t| t.span()));
            let fields = local("__fields", Span::call_site());
            let ok = ok(call, &value, *ok_ty);
            let err_at = error.span();
            let err = quote_spanned!(err_at=> #call.err(#error, #fields));
            quote! {
                match #ret {
                    ::core::result::Result::Ok(#value) => #ok,
                    ::core::result::Result::Err(#error) => {
                        #[allow(unused_imports)]
                        use ::ferryman::__private::{FieldsNone as _, FieldsViaSerialize as _};
                        let #fields = (&::ferryman::__private::FieldsProbe(&#error)).ferryman_fields();
                        #err
                    }
                }
            }
        }
    }
}

/// `__call.ok(&value)`, located where `value` is (at its type, when written) so
/// that a type that is not `Serialize` is reported there; `Vec<u8>` goes out as
/// MessagePack bin. Primitives and `Bytes` go through `Kind`, which writes
/// them straight into the output when the type has a direct path.
fn ok(call: &Ident, value: &Ident, ty: Option<&Type>) -> TokenStream {
    let at = value.span();
    if let Some(ty) = ty.filter(|ty| may_hold_object(ty)) {
        quote_spanned!(at=> (&::ferryman::__private::ObjKind::<#ty>::new()).ok(#call, #value))
    } else if ty.is_some_and(is_byte_vec) {
        quote_spanned!(at=> #call.ok(::ferryman::__private::serde_bytes::Bytes::new(&#value)))
    } else if let Some(ty) = ty.filter(|ty| is_named_bytes(ty) || is_direct(ty)) {
        quote_spanned!(at=> (&::ferryman::__private::Kind::<#ty>::new()).ok(#call, &#value))
    } else {
        quote_spanned!(at=> #call.ok(&#value))
    }
}

/// `inventory::submit! { Export { … } }`: what `describe` reports, and the shim.
fn export(
    function: &Function,
    member: Option<&Member>,
    iter: Option<&IterReturn>,
    stream: bool,
) -> TokenStream {
    let name = &function.name;
    let rust_name = &function.rust_name;
    let doc = &function.doc;
    let self_param = member.and_then(Member::self_param);
    let params = self_param
        .into_iter()
        .chain(function.params.iter().map(|param| {
            let name = &param.name;
            let desc = describe(param.ty);
            let rust = rust_text(param.ty);
            let default = match &param.default {
                Some(bytes) => {
                    let bytes = Literal::byte_string(bytes);
                    quote!(::core::option::Option::Some(#bytes))
                }
                None => quote!(::core::option::Option::None),
            };
            quote! {
                ::ferryman::__private::Param {
                    name: #name, ty: &#desc, rust: #rust, default: #default
                }
            }
        }));
    let (returns, returns_rust) = match iter {
        Some(iter) if stream => (
            crate::types::Desc::Stream(Box::new(describe(iter.value))),
            format!("impl Stream<Item = {}>", crate::text::rust_text(iter.value)),
        ),
        Some(iter) => (
            crate::types::Desc::Iter(Box::new(describe(iter.value))),
            format!(
                "impl Iterator<Item = {}>",
                crate::text::rust_text(iter.value)
            ),
        ),
        None => function.output.describe(),
    };
    let member_tokens = match member {
        Some(member) => {
            let class = &member.class;
            let kind = member.kind;
            quote! {
                ::ferryman::__private::Member {
                    class: ::core::option::Option::Some(#class),
                    kind: #kind,
                }
            }
        }
        None => quote!(::ferryman::__private::Member::FUNCTION),
    };
    let rust_path = match member {
        Some(member) => member.rust_path(rust_name),
        None => rust_name.clone(),
    };
    let error = match (&function.output, iter.and_then(|iter| iter.error)) {
        // An iterator of `Result<T, E>` items: describe names `E`, as for a
        // function returning `Result<T, E>`.
        (_, Some(err)) => quote! {
            ::core::option::Option::Some(::ferryman::__private::type_name_of::<#err>)
        },
        (Output::Result { ty, .. }, None) => quote! {
            ::core::option::Option::Some(
                ::ferryman::__private::type_name_of::<
                    <#ty as ::ferryman::__private::ResultParts>::Err
                >
            )
        },
        (Output::Unit | Output::Value(_), None) => quote!(::core::option::Option::None),
    };
    // `line!()` and `file!()` report where their invocation is; located at the
    // function's name, they give the line of the definition.
    let at = function.ident.span();
    let line = quote_spanned!(at=> ::core::line!());
    let file = quote_spanned!(at=> ::core::file!());
    let shim = Ident::new(SHIM, Span::call_site());
    let types = types(function, iter);
    let flavor = match (function.is_async, stream) {
        (_, true) => quote!(::ferryman::__private::Flavor::Stream),
        (true, false) => quote!(::ferryman::__private::Flavor::Async),
        (false, false) => quote!(::ferryman::__private::Flavor::Sync),
    };
    quote! {
        ::ferryman::__private::inventory::submit! {
            ::ferryman::__private::Export {
                name: #name,
                rust_path: ::core::concat!(::core::module_path!(), "::", #rust_path),
                doc: #doc,
                params: &[#(#params),*],
                returns: &#returns,
                returns_rust: #returns_rust,
                error: #error,
                file: #file,
                line: #line,
                crate_name: ::core::env!("CARGO_PKG_NAME"),
                crate_version: ::core::env!("CARGO_PKG_VERSION"),
                shim: #shim,
                types: &[#(#types),*],
                member: #member_tokens,
                flavor: #flavor,
            }
        }
    }
}

/// One `NamedType` per named type of the signature (parameters and result,
/// callbacks' included), each once. Its `trace` picks, by autoref
/// specialisation, tracing for a `DeserializeOwned` type and nothing otherwise.
fn types(function: &Function, iter: Option<&IterReturn>) -> Vec<TokenStream> {
    let mut found = Vec::new();
    for param in &function.params {
        named_types(param.ty, &mut found);
    }
    if let Some(ty) = iter.map(|iter| iter.value).or(function.output.value_type()) {
        named_types(ty, &mut found);
    }
    let mut seen = std::collections::HashSet::new();
    found
        .into_iter()
        .filter_map(|(name, ty)| Some((name, ty?)))
        .filter(|(name, _)| seen.insert(name.clone()))
        .map(|(name, ty)| named_type_probe(&name, &ty))
        .collect()
}

/// The `NamedType` of `ty`, written `name` in descriptors.
pub(crate) fn named_type_probe(name: &str, ty: &syn::Type) -> TokenStream {
    quote! {
        ::ferryman::__private::NamedType {
            written: #name,
            trace: || {
                #[allow(unused_imports)]
                use ::ferryman::__private::{TraceDeserialize as _, TraceNothing as _};
                (&&::ferryman::__private::TypeProbe::<#ty>::NEW).trace()
            },
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::expand_export;
    use proc_macro2::TokenStream;
    use quote::quote;

    /// The expansion as text without whitespace.
    fn expand(attr: TokenStream, item: TokenStream) -> String {
        let tokens = expand_export(attr, item).unwrap();
        // The whole expansion is valid Rust syntax.
        syn::parse2::<syn::File>(tokens.clone()).unwrap();
        text(tokens)
    }

    /// `tokens` as text without whitespace, so that `>>` and `> >` compare equal.
    fn text(tokens: TokenStream) -> String {
        tokens.to_string().split_whitespace().collect()
    }

    #[test]
    fn keeps_the_function_as_written() {
        let item = quote! {
            /// Adds.
            #[inline]
            #[must_use]
            pub fn add(a: i64, b: i64) -> i64 { a + b }
        };
        let out = expand(quote!(), item.clone());
        assert!(out.starts_with(&text(item)), "{out}");
        assert!(out.contains("const_:()={"));
    }

    #[test]
    fn shim_decodes_every_parameter_in_order() {
        let out = expand(
            quote!(),
            quote! {
                fn f<'a>(a: i64, s: &'a str, b: Vec<u8>, d: &[u8], p: &Point, q: &[T2], o: Option<String>, y: &Bytes) {}
            },
        );
        for expected in [
            quote!(fn __ferryman_shim(__call: &mut ::ferryman::__private::Call<'_>)
                -> ::core::result::Result<(), ::ferryman::__private::Reported>),
            quote!(let __arg0 = __call.arg_direct::<i64>(0)?;),
            quote!(let __arg1 = __call.arg::<&'_ str>(1)?;),
            quote!(let __arg2 = __call.arg::<::ferryman::__private::serde_bytes::ByteBuf>(2)?.into_vec();),
            quote!(let __arg3 = __call.arg::<&::ferryman::__private::serde_bytes::Bytes>(3)?;),
            // `&Point` may be a class: `ObjKind` picks the object path or serde.
            quote!(let __arg4 = (&::ferryman::__private::ObjKind::<Point>::new()).arg(__call, 4)?;),
            quote!(let __arg5 = __call.arg::<::std::vec::Vec<T2> >(5)?;),
            quote!(let __arg6 = __call.arg::<Option<String> >(6)?;),
            quote!(let __arg7_held = __call.arg::<<Bytes as ::ferryman::__private::BytesParam<'_>>::Decoded>(7)?;),
            quote!(let __arg7 = <Bytes as ::ferryman::__private::BytesParam<'_>>::by_ref(&__arg7_held);),
            quote!(let __ret = f(__arg0, __arg1, __arg2, __arg3, &__arg4.value, &__arg5, __arg6, __arg7);),
            quote!(__call.ok_direct(&__ret)),
        ] {
            assert!(
                out.contains(&text(expected.clone())),
                "missing {expected}\nin {out}"
            );
        }
    }

    #[test]
    fn byte_vectors_are_returned_as_bin() {
        let out = expand(
            quote!(),
            quote!(
                fn f() -> Vec<u8> {
                    Vec::new()
                }
            ),
        );
        let expected = quote!(__call.ok(::ferryman::__private::serde_bytes::Bytes::new(&__ret)));
        assert!(out.contains(&text(expected)), "{out}");
        let out = expand(
            quote!(),
            quote!(
                fn f() -> Result<Vec<u8>, E> {
                    todo!()
                }
            ),
        );
        let expected = quote!(__call.ok(::ferryman::__private::serde_bytes::Bytes::new(&__value)));
        assert!(out.contains(&text(expected)), "{out}");
    }

    #[test]
    fn results_split_into_ok_and_err() {
        let out = expand(
            quote!(),
            quote!(
                fn divide(a: f64, b: f64) -> Result<f64, MathError> {
                    todo!()
                }
            ),
        );
        let expected = quote! {
            match __ret {
                ::core::result::Result::Ok(__value) => (&::ferryman::__private::Kind::<f64>::new()).ok(__call, &__value),
                ::core::result::Result::Err(__error) => {
                    #[allow(unused_imports)]
                    use ::ferryman::__private::{FieldsNone as _, FieldsViaSerialize as _};
                    let __fields = (&::ferryman::__private::FieldsProbe(&__error)).ferryman_fields();
                    __call.err(__error, __fields)
                }
            }
        };
        assert!(out.contains(&text(expected)), "{out}");
        let error = quote! {
            error: ::core::option::Option::Some(
                ::ferryman::__private::type_name_of::<
                    <Result<f64, MathError> as ::ferryman::__private::ResultParts>::Err
                >
            ),
        };
        assert!(out.contains(&text(error)), "{out}");
        assert!(out.contains(&text(
            quote!(returns: &::ferryman::__private::TypeDesc::F64,)
        )));
        assert!(out.contains(&text(quote!(returns_rust: "f64",))));
    }

    #[test]
    fn result_aliases_are_results() {
        let out = expand(
            quote!(),
            quote!(
                fn f() -> io::Result<()> {
                    Ok(())
                }
            ),
        );
        assert!(out.contains(&text(quote!(
            <io::Result<()> as ::ferryman::__private::ResultParts>::Err
        ))));
        assert!(out.contains(&text(
            quote!(returns: &::ferryman::__private::TypeDesc::Unit,)
        )));
        assert!(out.contains(&text(quote!(returns_rust: "()",)),));
    }

    #[test]
    fn registration() {
        let out = expand(
            quote!(name = "div"),
            quote! {
                /// Divides a by b.
                ///
                /// More text.
                pub fn divide(a: i64, values: &[f64], p: Option<Point>) -> i64 { 0 }
            },
        );
        let expected = quote! {
            ::ferryman::__private::inventory::submit! {
                ::ferryman::__private::Export {
                    name: "div",
                    rust_path: ::core::concat!(::core::module_path!(), "::", "divide"),
                    doc: "Divides a by b.\n\nMore text.",
                    params: &[
                        ::ferryman::__private::Param { name: "a", ty: &::ferryman::__private::TypeDesc::I64, rust: "i64", default: ::core::option::Option::None },
                        ::ferryman::__private::Param { name: "values", ty: &::ferryman::__private::TypeDesc::List(&::ferryman::__private::TypeDesc::F64), rust: "&[f64]", default: ::core::option::Option::None },
                        ::ferryman::__private::Param { name: "p", ty: &::ferryman::__private::TypeDesc::Option(&::ferryman::__private::TypeDesc::Named("Point")), rust: "Option<Point>", default: ::core::option::Option::Some(b"\xC0") }
                    ],
                    returns: &::ferryman::__private::TypeDesc::I64,
                    returns_rust: "i64",
                    error: ::core::option::Option::None,
                    file: ::core::file!(),
                    line: ::core::line!(),
                    crate_name: ::core::env!("CARGO_PKG_NAME"),
                    crate_version: ::core::env!("CARGO_PKG_VERSION"),
                    shim: __ferryman_shim,
                    types: &[::ferryman::__private::NamedType {
                        written: "Point",
                        trace: || {
                            #[allow(unused_imports)]
                            use ::ferryman::__private::{TraceDeserialize as _, TraceNothing as _};
                            (&&::ferryman::__private::TypeProbe::<Point>::NEW).trace()
                        },
                    }],
                    member: ::ferryman::__private::Member::FUNCTION,
                    flavor: ::ferryman::__private::Flavor::Sync,
                }
            }
        };
        assert!(
            out.contains(&text(expected.clone())),
            "missing {expected}\nin {out}"
        );
    }

    #[test]
    fn unit_and_zero_parameters() {
        let out = expand(
            quote!(),
            quote!(
                fn ping() {}
            ),
        );
        assert!(
            out.contains(&text(quote!(let __ret = ping(); __call.ok_direct(&__ret)))),
            "{out}"
        );
        assert!(out.contains(&text(quote!(params: &[],))));
        assert!(out.contains(&text(
            quote!(returns: &::ferryman::__private::TypeDesc::Unit,)
        )));
        assert!(out.contains(&text(quote!(doc: "",))));
    }

    #[test]
    fn cfg_attributes_follow_the_function() {
        let out = expand(
            quote!(),
            quote!(
                #[cfg(feature = "x")]
                fn f() {}
            ),
        );
        assert!(
            out.contains(&text(quote!(#[cfg(feature = "x")] const _: () =))),
            "{out}"
        );
    }

    #[test]
    fn errors_are_all_reported() {
        let error = expand_export(
            quote!(bogus),
            quote!(
                async fn f<T>(x: &mut T) -> &str {
                    todo!()
                }
            ),
        )
        .unwrap_err();
        // `&mut T` once, though the function is also `async`.
        assert_eq!(error.into_iter().count(), 4);
    }

    #[test]
    fn non_functions_are_rejected() {
        let error = expand_export(
            quote!(),
            quote!(
                const POINT: u8 = 1;
            ),
        )
        .unwrap_err();
        assert!(error
            .to_string()
            .starts_with("`#[ferryman::export]` can only be applied"));
    }

    #[test]
    fn an_async_fn_runs_its_future_and_is_marked_async() {
        let out = expand(
            quote!(),
            quote! {
                pub async fn wait(ms: u64) -> Result<u64, E> { Ok(ms) }
            },
        );
        for piece in [
            "let__future=::ferryman::__private::export_future(asyncmove{let__ret=wait(__arg0).await;",
            "::ferryman::__private::run_async(__call,__future)",
            "flavor:::ferryman::__private::Flavor::Async,",
        ] {
            assert!(out.contains(piece), "missing {piece}\nin {out}");
        }
    }

    #[test]
    fn a_stream_result_is_a_stream_handle_marked_stream() {
        let out = expand(
            quote!(),
            quote! {
                pub fn ticks(n: u64) -> impl ferryman::Stream<Item = Result<u64, E>> + Send { todo!() }
            },
        );
        for piece in [
            quote!(returns: &::ferryman::__private::TypeDesc::Stream(&::ferryman::__private::TypeDesc::U64),),
            quote!(returns_rust: "impl Stream<Item = u64>",),
            quote!(flavor: ::ferryman::__private::Flavor::Stream,),
        ] {
            let piece = text(piece);
            assert!(out.contains(&piece), "missing {piece}\nin {out}");
        }
        assert!(
            out.contains("::ferryman::__private::ok_stream(__call,__ret,"),
            "{out}"
        );
    }

    #[test]
    fn a_stream_must_be_send_and_not_async() {
        let error = expand_export(
            quote!(),
            quote! { pub async fn f() -> impl Stream<Item = u8> { todo!() } },
        )
        .unwrap_err()
        .to_string();
        assert!(
            error.contains("an exported stream must be `Send`"),
            "{error}"
        );
    }

    #[test]
    fn fallback_keeps_the_item() {
        let item = quote!(
            unsafe fn f() {}
        );
        let error = expand_export(quote!(), item.clone()).unwrap_err();
        let out = text(crate::fallback(item.clone(), &error));
        assert!(out.starts_with(&text(item)));
        assert!(out.contains("compile_error"));
        assert!(!out.contains("__ferryman_shim"));
    }
}
