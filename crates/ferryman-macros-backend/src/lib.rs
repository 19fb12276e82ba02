//! Parsing, validation and code generation behind `#[ferryman::export]`.
//!
//! **Not public API.** This is an ordinary library so that it can be unit-tested;
//! `ferryman-macros` is the proc-macro crate that calls it, and users reach the
//! attribute through the `ferryman` facade.
//!
//! The stages, one module each:
//!
//! | module | stage |
//! |---|---|
//! | `attr` | parse the attribute's arguments (`#[export]`, `#[export(name = "...")]`) |
//! | `valid` | reject what cannot cross the boundary, every error at its token |
//! | `defaults` | `defaults(...)` literals checked against the parameters, as MessagePack bytes |
//! | `callables` | closures and `fn` pointers in a signature: the `Callback` to write instead |
//! | `signature` | the accepted function as the generator sees it, how each parameter is decoded |
//! | `types` | a Rust type as written → type descriptor |
//! | `text` | a type as readable text (`Vec<i64>`, `&str`) |
//! | `doc` | the doc comment as one string |
//! | `expand` | the shim and the `inventory` registration |
//! | `err_sites` | the body's `?`, `return Err(..)` and tail `Err(..)` (an iterator's: its `map` closure's) record where an `Err` was made |
//! | `error_base` | `#[ferryman::error(base = "…")]` on an error type |
//!
//! Generated code reaches only `::ferryman::__private`.

mod attr;
mod callables;
mod class;
mod defaults;
mod doc;
mod err_sites;
mod error_base;
mod error_shape;
mod errors;
mod expand;
mod impl_block;
mod iterator;
mod member;
mod objects;
mod signature;
mod text;
mod types;
mod valid;

use proc_macro2::TokenStream;

/// Expands `#[ferryman::export(attr)] item`: the item unchanged, followed by a
/// `const _: () = { … };` holding the shim and its registration.
///
/// Every problem found is reported, each spanned on the token at fault, combined
/// into one [`syn::Error`].
///
/// # Errors
///
/// When the attribute's arguments are malformed, the item is not a function, or
/// the function's signature cannot cross the boundary.
pub fn expand_export(attr: TokenStream, item: TokenStream) -> syn::Result<TokenStream> {
    let attr_tokens = attr.clone();
    let mut errors = errors::Errors::default();
    let item_fn = match syn::parse2::<syn::Item>(item.clone())? {
        syn::Item::Fn(item_fn) => item_fn,
        syn::Item::Struct(s) => {
            let mut errors = errors::Errors::default();
            let out = class::expand(
                attr_tokens,
                item,
                &s.ident,
                &s.generics,
                &s.attrs,
                &mut errors,
            );
            errors.finish()?;
            return Ok(out.expect("errors are reported above"));
        }
        syn::Item::Enum(e) => {
            let mut errors = errors::Errors::default();
            let out = class::expand(
                attr_tokens,
                item,
                &e.ident,
                &e.generics,
                &e.attrs,
                &mut errors,
            );
            errors.finish()?;
            return Ok(out.expect("errors are reported above"));
        }
        syn::Item::Impl(block) => {
            let mut errors = errors::Errors::default();
            if !attr_tokens.is_empty() {
                errors.spanned(
                    &attr_tokens,
                    "`#[ferryman::export]` on an `impl` block takes no options; put \
                     `#[ferryman::export(name = \"...\")]` on a method instead",
                );
            }
            let out = impl_block::expand(block, None, &mut errors);
            errors.finish()?;
            return Ok(out.expect("errors are reported above"));
        }
        other => {
            errors.push(valid::not_a_function(&other));
            return Err(errors.finish().expect_err("an error was just pushed"));
        }
    };
    let attr = errors.take(attr::ExportAttr::parse(attr));
    // An iterator result is checked on its own; the rest of the checks see `()`.
    let iter_ty = iterator::of(&item_fn.sig.output).cloned();
    let iter = iter_ty
        .as_ref()
        .and_then(|it| iterator::check(it, &mut errors));
    // So is a stream result (`impl Stream<Item = T> + Send`).
    let stream_ty = iterator::stream_of(&item_fn.sig.output).cloned();
    let stream = stream_ty
        .as_ref()
        .and_then(|it| iterator::check_stream(it, &mut errors));
    if let (Some(_), Some(asyncness)) = (&stream, &item_fn.sig.asyncness) {
        errors.spanned(
            asyncness,
            "a function returning a stream is not `async`: it returns the stream at once, \
             and the stream's items are awaited; remove `async`",
        );
    }
    let mut checked = item_fn.clone();
    if iter.is_some() || stream.is_some() {
        checked.sig.output = syn::ReturnType::Default;
    }
    valid::check(&checked, &mut errors);
    errors.finish()?;
    let attr = attr.expect("attribute errors are reported above");
    let mut function = signature::Function::new(&checked, &attr);
    defaults::apply(&mut function, &attr.defaults)?;
    // Its body records where an `Err` is made, when it can.
    let mut located = item_fn;
    let item = if err_sites::locate(
        &mut located.block,
        &function.rust_name,
        &function.output,
        iter.as_ref(),
    ) {
        quote::quote!(#located)
    } else {
        item
    };
    Ok(expand::expand_with(
        item,
        &function,
        None,
        iter.as_ref(),
        stream.as_ref(),
    ))
}

/// Expands `#[ferryman::error(attr)] item` (an error type's base category).
///
/// # Errors
///
/// See `error_base::expand`.
pub fn expand_error(attr: TokenStream, item: TokenStream) -> syn::Result<TokenStream> {
    error_base::expand(attr, item)
}

/// What the attribute emits when [`expand_export`] fails: the original item,
/// untouched, followed by one `compile_error!` per error. Keeping the item keeps
/// the rest of the crate compiling, so the user sees only the real problem.
pub fn fallback(item: TokenStream, error: &syn::Error) -> TokenStream {
    let mut tokens = item;
    tokens.extend(error.to_compile_error());
    tokens
}
