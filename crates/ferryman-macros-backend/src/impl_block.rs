//! `#[ferryman::export]` on an `impl T` block: every `pub fn` becomes a class
//! member (`new` the constructor, other associated fns statics, `&self` and
//! `&mut self` fns methods), each with its shim and registration as a
//! function would have. The block itself is kept, with the `#[export(...)]`
//! attributes of its methods removed and the bodies of its members rewritten
//! to record where their `Err`s are made (`err_sites`), as a function's.

use proc_macro2::TokenStream;
use quote::quote;
use syn::visit_mut::{self, VisitMut};
use syn::{FnArg, ImplItem, ImplItemFn, ItemFn, ItemImpl, ReturnType, Type, Visibility};

use crate::attr::ExportAttr;
use crate::errors::Errors;
use crate::expand::expand_with;
use crate::iterator;
use crate::member::{Member, Receiver};
use crate::signature::Function;
use crate::types::{path_named, peel, type_args};
use crate::valid;

/// Expands an exported `impl` block. `class` overrides the class name (the
/// protocol members `#[export]` on a type generates pass it).
pub(crate) fn expand(
    mut item: ItemImpl,
    class: Option<String>,
    errors: &mut Errors,
) -> Option<TokenStream> {
    check_block(&item, errors);
    let self_ty = (*item.self_ty).clone();
    let class = class.unwrap_or_else(|| class_name(&self_ty));
    let mut members = Vec::new();
    for (index, impl_item) in item.items.iter_mut().enumerate() {
        let ImplItem::Fn(method) = impl_item else {
            continue;
        };
        let attrs = take_export_attrs(method, errors);
        if !matches!(method.vis, Visibility::Public(_)) {
            for attr in attrs {
                errors.spanned(
                    attr,
                    "only `pub fn`s of an exported `impl` block are exported; make this one `pub`",
                );
            }
            continue;
        }
        let attr = attrs
            .iter()
            .filter_map(|attr| match &attr.meta {
                syn::Meta::List(list) => errors.take(ExportAttr::parse(list.tokens.clone())),
                _ => Some(ExportAttr::default()),
            })
            .last()
            .unwrap_or_default();
        members.push((index, attr));
    }
    let mut generated = Vec::new();
    for (index, attr) in &members {
        let ImplItem::Fn(method) = &mut item.items[*index] else {
            unreachable!("members are the block's fns");
        };
        if let Some(tokens) = member(method, attr, &self_ty, &class, errors) {
            generated.push(tokens);
        }
    }
    if errors_found(errors) {
        return None;
    }
    Some(quote! {
        #item
        #(#generated)*
    })
}

fn errors_found(errors: &mut Errors) -> bool {
    let taken = std::mem::take(errors);
    match taken.finish() {
        Ok(()) => false,
        Err(error) => {
            errors.push(error);
            true
        }
    }
}

/// The class name of `impl Counter`: the type's last path segment.
fn class_name(ty: &Type) -> String {
    match peel(ty) {
        Type::Path(path) => path
            .path
            .segments
            .last()
            .map_or_else(|| crate::text::rust_text(ty), |s| s.ident.to_string()),
        other => crate::text::rust_text(other),
    }
}

fn check_block(item: &ItemImpl, errors: &mut Errors) {
    if let Some((_, path, _)) = &item.trait_ {
        errors.spanned(
            path,
            "`#[ferryman::export]` cannot export a trait impl (`impl Trait for T`); export the \
             methods from an inherent `impl T` block, and opt into `Display`, `Debug`, \
             `PartialEq`, `Hash` and `PartialOrd` with `#[ferryman::export(display, debug, eq, \
             hash, ord)]` on the type",
        );
    }
    if !item.generics.params.is_empty() {
        errors.spanned(
            &item.generics,
            "`#[ferryman::export]` cannot export a generic `impl` block: hosts need one concrete \
             class; export a concrete wrapper, e.g. `pub struct IntTokenizer(Tokenizer<i64>)`, \
             and an `impl IntTokenizer` block",
        );
    }
    let concrete = match peel(&item.self_ty) {
        Type::Path(path) => {
            path.qself.is_none() && path.path.segments.iter().all(|s| s.arguments.is_none())
        }
        _ => false,
    };
    if !concrete {
        errors.spanned(
            &item.self_ty,
            "`#[ferryman::export]` exports `impl` blocks of a plain type name (`impl Tokenizer`); \
             export a concrete wrapper, e.g. `pub struct IntTokenizer(Tokenizer<i64>)`",
        );
    }
    if item.unsafety.is_some() {
        errors.spanned(
            item.unsafety,
            "`#[ferryman::export]` cannot export an `unsafe impl`",
        );
    }
}

/// Removes `#[ferryman::export(...)]` / `#[export(...)]` from `method`.
fn take_export_attrs(method: &mut ImplItemFn, _errors: &mut Errors) -> Vec<syn::Attribute> {
    let (export, rest): (Vec<_>, Vec<_>) = method.attrs.drain(..).partition(|attr| {
        let path = attr.path();
        path.is_ident("export")
            || (path.segments.len() == 2
                && path.segments[0].ident == "ferryman"
                && path.segments[1].ident == "export")
    });
    method.attrs = rest;
    export
}

/// `ty` with `Self` written as the class's type.
fn without_self(ty: &Type, self_ty: &Type) -> Type {
    struct Replace<'a>(&'a Type);
    impl VisitMut for Replace<'_> {
        fn visit_type_mut(&mut self, ty: &mut Type) {
            if let Type::Path(path) = ty {
                if path.qself.is_none() && path.path.is_ident("Self") {
                    *ty = self.0.clone();
                    return;
                }
            }
            visit_mut::visit_type_mut(self, ty);
        }
    }
    let mut ty = ty.clone();
    Replace(self_ty).visit_type_mut(&mut ty);
    ty
}

/// The shim and registration of `method`, whose body (kept in the block) is
/// rewritten to record where its `Err`s are made (`err_sites`).
fn member(
    method: &mut ImplItemFn,
    attr: &ExportAttr,
    self_ty: &Type,
    class: &str,
    errors: &mut Errors,
) -> Option<TokenStream> {
    let mut sig = method.sig.clone();
    // The receiver.
    let mut receiver = Receiver::None;
    if let Some(FnArg::Receiver(r)) = sig.inputs.first() {
        let by_ref = r.reference.is_some() && r.colon_token.is_none();
        receiver = match (by_ref, r.mutability.is_some()) {
            (true, false) => Receiver::Ref,
            (true, true) => Receiver::Mut,
            (false, _) => {
                errors.spanned(
                    r,
                    "exported methods cannot take `self` by value: the object stays with the \
                     host, which may call it again; take `&self` (and clone what you need) or \
                     `&mut self`",
                );
                return None;
            }
        };
        sig.inputs = sig.inputs.into_iter().skip(1).collect();
    }
    // `Self` as the class's name, in every parameter and the result.
    for input in &mut sig.inputs {
        if let FnArg::Typed(arg) = input {
            *arg.ty = without_self(&arg.ty, self_ty);
        }
    }
    if let ReturnType::Type(_, ty) = &mut sig.output {
        **ty = without_self(ty, self_ty);
    }
    if let (Some(asyncness), Receiver::Mut) = (&sig.asyncness, receiver) {
        errors.spanned(
            asyncness,
            "an exported `async fn` method takes `&self`: its future keeps the object \
             shared until it ends; use interior mutability (a `Mutex`) for its state",
        );
        return None;
    }
    let is_new = sig.ident == "new";
    let kind = match (receiver, is_new) {
        (Receiver::None, true) => "constructor",
        (Receiver::None, false) => "static",
        _ => "method",
    };
    if kind == "constructor" && !returns_class(&sig.output, self_ty) {
        errors.spanned(
            &sig.ident,
            "`new` is the constructor of an exported class: it returns `Self`, `Arc<Self>`, \
             `Result<Self, E>` or `Result<Arc<Self>, E>`; give other functions another name",
        );
        return None;
    }
    // An iterator result is checked here; the rest of the validation sees `()`.
    let iter_ty = iterator::of(&sig.output).cloned();
    let iter = iter_ty.as_ref().and_then(|it| iterator::check(it, errors));
    if iter.as_ref().is_some_and(|it| it.borrows) && receiver == Receiver::Mut {
        errors.spanned(
            &sig.output,
            "an iterator that borrows the object needs `&self`, not `&mut self`",
        );
    }
    // So is a stream result; a stream owns what it needs (`check_stream`).
    let stream_ty = iterator::stream_of(&sig.output).cloned();
    let stream = stream_ty
        .as_ref()
        .and_then(|it| iterator::check_stream(it, errors));
    if let (Some(_), Some(asyncness)) = (&stream, &sig.asyncness) {
        errors.spanned(
            asyncness,
            "a method returning a stream is not `async`: it returns the stream at once, \
             and the stream's items are awaited; remove `async`",
        );
    }
    let mut checked = sig.clone();
    if iter.is_some() || stream.is_some() {
        checked.output = ReturnType::Default;
    }
    let item_fn = ItemFn {
        attrs: method.attrs.clone(),
        vis: method.vis.clone(),
        sig: checked,
        block: Box::new(method.block.clone()),
    };
    let before = errors_found(errors);
    valid::check(&item_fn, errors);
    if before || errors_found(errors) {
        return None;
    }
    let mut function = Function::new(&item_fn, attr);
    if let Err(e) = crate::defaults::apply(&mut function, &attr.defaults) {
        errors.push(e);
        return None;
    }
    function.name = format!("{class}.{}", function.name);
    let member = Member {
        self_ty,
        class: class.to_owned(),
        kind,
        receiver,
    };
    crate::err_sites::locate(
        &mut method.block,
        &member.rust_path(&function.rust_name),
        &function.output,
        iter.as_ref(),
    );
    Some(expand_with(
        quote!(),
        &function,
        Some(&member),
        iter.as_ref(),
        stream.as_ref(),
    ))
}

/// Whether a constructor's result is the class: `T`, `Arc<T>`, or a `Result` of those.
fn returns_class(output: &ReturnType, self_ty: &Type) -> bool {
    let ReturnType::Type(_, ty) = output else {
        return false;
    };
    let is_class = |ty: &Type| {
        let ty = peel(ty);
        ty == peel(self_ty)
            || path_named(ty, "Arc").is_some_and(
                |p| matches!(type_args(p).as_slice(), [inner] if peel(inner) == peel(self_ty)),
            )
    };
    is_class(ty)
        || path_named(ty, "Result")
            .is_some_and(|p| type_args(p).first().is_some_and(|ok| is_class(ok)))
}
