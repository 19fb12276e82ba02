//! Functions and methods returning `impl Iterator<Item = T> + Send (+ 'a)`:
//! the item type, and the checks the rest of the return-type validation skips.

use syn::{GenericArgument, PathArguments, ReturnType, Type, TypeParamBound};

use crate::errors::Errors;
use crate::types::{path_named, type_args};

/// What an iterator-returning function yields.
pub(crate) struct IterReturn<'a> {
    /// `T` (for `Result<T, E>` items: `T`).
    pub(crate) value: &'a Type,
    /// Whether items are `Result<T, E>`.
    pub(crate) fallible: bool,
    /// `E` of `Result<T, E>` items, when written.
    pub(crate) error: Option<&'a Type>,
    /// Whether the iterator carries a lifetime (borrows `&self`).
    pub(crate) borrows: bool,
}

/// The iterator a signature returns, if it returns `impl Iterator<Item = …>`.
pub(crate) fn of(output: &ReturnType) -> Option<&syn::TypeImplTrait> {
    of_trait(output, "Iterator")
}

/// The stream a signature returns, if it returns `impl Stream<Item = …>`
/// (`ferryman::Stream`, `futures::Stream`: any path ending in `Stream`).
pub(crate) fn stream_of(output: &ReturnType) -> Option<&syn::TypeImplTrait> {
    of_trait(output, "Stream")
}

fn of_trait<'a>(output: &'a ReturnType, name: &str) -> Option<&'a syn::TypeImplTrait> {
    let ReturnType::Type(_, ty) = output else {
        return None;
    };
    match &**ty {
        Type::ImplTrait(impl_trait) if item_type(impl_trait, name).is_some() => Some(impl_trait),
        _ => None,
    }
}

fn item_type<'a>(impl_trait: &'a syn::TypeImplTrait, name: &str) -> Option<&'a Type> {
    impl_trait.bounds.iter().find_map(|bound| match bound {
        TypeParamBound::Trait(bound) => {
            let last = bound.path.segments.last()?;
            if last.ident != name {
                return None;
            }
            let PathArguments::AngleBracketed(args) = &last.arguments else {
                return None;
            };
            args.args.iter().find_map(|arg| match arg {
                GenericArgument::AssocType(assoc) if assoc.ident == "Item" => Some(&assoc.ty),
                _ => None,
            })
        }
        _ => None,
    })
}

/// Reads the iterator's item type and checks the bounds hosts need.
pub(crate) fn check<'a>(
    impl_trait: &'a syn::TypeImplTrait,
    errors: &mut Errors,
) -> Option<IterReturn<'a>> {
    check_trait(impl_trait, "Iterator", errors)
}

/// Reads the stream's item type and checks the bounds hosts need: as an
/// iterator's, and it borrows nothing (it outlives the call).
pub(crate) fn check_stream<'a>(
    impl_trait: &'a syn::TypeImplTrait,
    errors: &mut Errors,
) -> Option<IterReturn<'a>> {
    let stream = check_trait(impl_trait, "Stream", errors)?;
    if stream.borrows {
        errors.spanned(
            impl_trait,
            "an exported stream cannot borrow: it is pulled after the call returned; \
             return `impl Stream<Item = T> + Send` over owned values",
        );
    }
    Some(stream)
}

fn check_trait<'a>(
    impl_trait: &'a syn::TypeImplTrait,
    name: &str,
    errors: &mut Errors,
) -> Option<IterReturn<'a>> {
    let noun = name.to_lowercase();
    let item = item_type(impl_trait, name)?;
    let send = impl_trait.bounds.iter().any(|bound| {
        matches!(bound, TypeParamBound::Trait(t) if t.path.segments.last().is_some_and(|s| s.ident == "Send"))
    });
    if !send {
        errors.spanned(
            impl_trait,
            format!(
                "an exported {noun} must be `Send`: hosts pull items from any thread; \
                 write `impl {name}<Item = T> + Send`"
            ),
        );
    }
    let borrows = impl_trait
        .bounds
        .iter()
        .any(|bound| matches!(bound, TypeParamBound::Lifetime(l) if l.ident != "static"));
    let (value, fallible, error) = match path_named(item, "Result") {
        Some(path) => match type_args(path).as_slice() {
            [ok, rest @ ..] => (*ok, true, rest.first().copied()),
            [] => (item, false, None),
        },
        None => (item, false, None),
    };
    if matches!(value, Type::Reference(_)) {
        errors.spanned(
            value,
            format!(
                "an exported {noun}'s items cannot be references: hosts receive copies; \
                 yield owned values (`String`, not `&str`; `.cloned()` helps)"
            ),
        );
    }
    Some(IterReturn {
        value,
        fallible,
        error,
        borrows,
    })
}
