//! Functions in a signature written in a way that cannot cross the boundary —
//! a closure type (`impl Fn`, `Box<dyn Fn>`), a `fn` pointer, or a `Callback`
//! whose result is a `Result` — with the `ferryman::Callback` to write instead.

use syn::{GenericArgument, PathArguments, ReturnType, Type, TypeParamBound};

use crate::text::rust_text;
use crate::types::{peel, type_args};

/// Where in the signature the type is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Position {
    Param,
    Return,
}

/// The message for `ty` when it is a function written in a way that cannot
/// cross the boundary, `None` otherwise. Looks at `ty` itself, not inside it.
pub(crate) fn problem(ty: &Type, position: Position) -> Option<String> {
    if let Some(callback) = callback_of_result(ty) {
        return Some(callback);
    }
    let (what, args) = closure_signature(ty)?;
    let callback = format!("ferryman::Callback<{args}>");
    Some(match position {
        Position::Return => format!(
            "{what} cannot be returned across the boundary; wrap the closure in \
             `ferryman::Callback::new(...)` and return `{callback}`"
        ),
        Position::Param => format!(
            "{what} cannot be passed across the boundary; take `{callback}` and call it \
             with `.call((...))`"
        ),
    })
}

/// `Box<dyn Fn(i64) -> i64>` → ("`Box<dyn Fn(i64) -> i64>`", "(i64,), i64").
fn closure_signature(ty: &Type) -> Option<(String, String)> {
    let what = format!("`{}`", rust_text(ty));
    let (inputs, output): (Vec<&Type>, Option<&Type>) = match peel(ty) {
        Type::BareFn(function) => (
            function.inputs.iter().map(|arg| &arg.ty).collect(),
            returned(&function.output),
        ),
        Type::ImplTrait(impl_trait) => fn_bound(impl_trait.bounds.iter())?,
        Type::TraitObject(object) => fn_bound(object.bounds.iter())?,
        Type::Path(path) => {
            let last = path.path.segments.last()?;
            let boxed = matches!(last.ident.to_string().as_str(), "Box" | "Arc" | "Rc");
            match (boxed, type_args(path).as_slice()) {
                (true, [Type::TraitObject(object)]) => fn_bound(object.bounds.iter())?,
                _ => return None,
            }
        }
        _ => return None,
    };
    let args = match inputs.as_slice() {
        [one] => format!("({},)", rust_text(one)),
        many => format!(
            "({})",
            many.iter().map(rust_text).collect::<Vec<_>>().join(", ")
        ),
    };
    let output = output.map_or_else(|| "()".to_owned(), rust_text);
    Some((what, format!("{args}, {output}")))
}

/// The inputs and output of an `Fn`/`FnMut`/`FnOnce` bound among `bounds`.
fn fn_bound<'a>(
    mut bounds: impl Iterator<Item = &'a TypeParamBound>,
) -> Option<(Vec<&'a Type>, Option<&'a Type>)> {
    bounds.find_map(|bound| {
        let TypeParamBound::Trait(bound) = bound else {
            return None;
        };
        let last = bound.path.segments.last()?;
        if !matches!(last.ident.to_string().as_str(), "Fn" | "FnMut" | "FnOnce") {
            return None;
        }
        let PathArguments::Parenthesized(args) = &last.arguments else {
            return None;
        };
        Some((args.inputs.iter().collect(), returned(&args.output)))
    })
}

fn returned(output: &ReturnType) -> Option<&Type> {
    match output {
        ReturnType::Default => None,
        ReturnType::Type(_, ty) => Some(ty),
    }
}

/// The message for `Callback<Args, Result<T, E>>` (or `AsyncCallback`'s):
/// the second type is what the function returns when it succeeds.
fn callback_of_result(ty: &Type) -> Option<String> {
    let Type::Path(path) = peel(ty) else {
        return None;
    };
    let which = path.path.segments.last()?.ident.to_string();
    if which != "Callback" && which != "AsyncCallback" {
        return None;
    }
    let [args, result] = type_args(path)[..] else {
        return None;
    };
    let Type::Path(result_path) = peel(result) else {
        return None;
    };
    if result_path.path.segments.last()?.ident != "Result" {
        return None;
    }
    let ok = match &result_path.path.segments.last()?.arguments {
        PathArguments::AngleBracketed(generics) => generics.args.iter().find_map(|arg| match arg {
            GenericArgument::Type(ty) => Some(rust_text(ty)),
            _ => None,
        }),
        _ => None,
    }
    .unwrap_or_else(|| "T".to_owned());
    if which == "AsyncCallback" {
        return Some(format!(
            "the second type of `AsyncCallback` is what the host function resolves to when it \
             succeeds, not a `Result`: write `AsyncCallback<{}, {ok}>`; awaiting `call` gives \
             the host's failure as an `Err`",
            rust_text(args)
        ));
    }
    Some(format!(
        "the second type of `Callback` is what the function returns when it succeeds, \
         not a `Result`: write `Callback<{}, {ok}>`; a closure given to `Callback::new` may \
         return `Result<{ok}, E>`, and `call` returns the host's failure as an `Err`",
        rust_text(args)
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn problem_of(source: &str, position: Position) -> Option<String> {
        problem(&syn::parse_str(source).unwrap(), position)
    }

    #[test]
    fn closures_returned_say_to_wrap_them_in_a_callback() {
        let wrap = "wrap the closure in `ferryman::Callback::new(...)` and return";
        for (source, callback) in [
            (
                "Box<dyn Fn(i64) -> i64 + Send + Sync>",
                "`ferryman::Callback<(i64,), i64>`",
            ),
            (
                "impl Fn(String, i64) -> String",
                "`ferryman::Callback<(String, i64), String>`",
            ),
            ("Arc<dyn FnMut()>", "`ferryman::Callback<(), ()>`"),
            ("fn(f64) -> f64", "`ferryman::Callback<(f64,), f64>`"),
            (
                "impl Send + Fn(Vec<u8>) -> bool",
                "`ferryman::Callback<(Vec<u8>,), bool>`",
            ),
        ] {
            let message = problem_of(source, Position::Return).expect(source);
            assert!(
                message.contains(wrap) && message.ends_with(callback),
                "{source}: {message}"
            );
        }
    }

    #[test]
    fn closures_taken_say_to_take_a_callback() {
        let message = problem_of("impl Fn(i64) -> i64", Position::Param).unwrap();
        assert!(
            message.contains("take `ferryman::Callback<(i64,), i64>`"),
            "{message}"
        );
    }

    #[test]
    fn other_types_are_no_problem() {
        for source in [
            "impl Display",
            "Box<dyn Error>",
            "Box<i64>",
            "Callback<(i64,), i64>",
            "Vec<Box<dyn Fn()>>",
        ] {
            assert_eq!(problem_of(source, Position::Return), None, "{source}");
        }
    }

    #[test]
    fn a_callback_of_a_result_says_what_to_write() {
        let message =
            problem_of("Callback<(i64,), Result<i64, String>>", Position::Return).unwrap();
        assert!(
            message.contains("write `Callback<(i64,), i64>`"),
            "{message}"
        );
        assert!(problem_of("ferryman::Callback<(), io::Result<()>>", Position::Param).is_some());
        let message = problem_of(
            "AsyncCallback<(i64,), Result<i64, String>>",
            Position::Param,
        )
        .unwrap();
        assert!(
            message.contains("write `AsyncCallback<(i64,), i64>`"),
            "{message}"
        );
    }
}
