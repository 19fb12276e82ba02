//! Default arguments: `#[ferryman::export(defaults(top = 10, sep = ","))]`.
//!
//! A default is a literal (integer, float, string, char, bool) or `None`,
//! checked against the parameter's type here and written as the MessagePack
//! value a host would send for it. The shim decodes a left-out argument from
//! those bytes with the argument decoder, so a default means what the same
//! value sent by a host means. The trailing parameters that have a default or
//! are `Option<T>` may be left out (an `Option` gets `None`).

use proc_macro2::Span;
use syn::spanned::Spanned;
use syn::{Expr, Ident, Lit, Type, UnOp};

use crate::errors::Errors;
use crate::signature::Function;
use crate::text::rust_text;
use crate::types::{is_str, path_named, peel, type_args};

/// `name = literal`, one entry of `defaults(...)`.
pub(crate) struct DefaultArg {
    pub(crate) name: Ident,
    value: Literal,
    span: Span,
}

/// The literals a default may be.
enum Literal {
    None,
    Bool(bool),
    /// An integer literal, with its sign (`-1`).
    Int(i128),
    Float(f64),
    Str(String),
}

impl DefaultArg {
    /// Reads `value`, which must be a literal, a negated number, or `None`.
    pub(crate) fn parse(name: Ident, value: &Expr) -> syn::Result<DefaultArg> {
        let not_literal = || {
            syn::Error::new_spanned(
                value,
                format!(
                    "the default of `{name}` must be a literal (an integer, float, string, \
                     char or bool) or `None`"
                ),
            )
        };
        let (lit, negative) = match value {
            Expr::Lit(lit) => (&lit.lit, false),
            Expr::Unary(unary) if matches!(unary.op, UnOp::Neg(_)) => match &*unary.expr {
                Expr::Lit(lit) if matches!(lit.lit, Lit::Int(_) | Lit::Float(_)) => {
                    (&lit.lit, true)
                }
                _ => return Err(not_literal()),
            },
            Expr::Path(path) if path.qself.is_none() && path.path.is_ident("None") => {
                return Ok(DefaultArg {
                    name,
                    value: Literal::None,
                    span: value.span(),
                })
            }
            Expr::Group(group) => return DefaultArg::parse(name, &group.expr),
            _ => return Err(not_literal()),
        };
        let literal = match lit {
            Lit::Bool(b) => Literal::Bool(b.value),
            Lit::Str(s) => Literal::Str(s.value()),
            Lit::Char(c) => Literal::Str(c.value().to_string()),
            Lit::Int(int) => {
                let magnitude: u128 = int.base10_parse()?;
                let value = i128::try_from(magnitude)
                    .ok()
                    .and_then(|n| if negative { n.checked_neg() } else { Some(n) })
                    .ok_or_else(|| {
                        syn::Error::new_spanned(value, "this default is beyond 127 bits")
                    })?;
                Literal::Int(value)
            }
            Lit::Float(float) => {
                let magnitude: f64 = float.base10_parse()?;
                Literal::Float(if negative { -magnitude } else { magnitude })
            }
            _ => return Err(not_literal()),
        };
        Ok(DefaultArg {
            name,
            value: literal,
            span: value.span(),
        })
    }

    /// What the literal is, for messages.
    fn found(&self) -> String {
        match &self.value {
            Literal::None => "`None`".to_owned(),
            Literal::Bool(b) => format!("the bool `{b}`"),
            Literal::Int(n) => format!("the integer `{n}`"),
            Literal::Float(f) => format!("the float `{f:?}`"),
            Literal::Str(s) => format!("the string {s:?}"),
        }
    }
}

/// Gives each parameter of `function` its default bytes: the ones `defaults`
/// names, and `nil` for the trailing `Option`s. Every problem is reported,
/// each naming the parameter.
pub(crate) fn apply(function: &mut Function, defaults: &[DefaultArg]) -> syn::Result<()> {
    let mut errors = Errors::default();
    let mut explicit: Vec<Option<&DefaultArg>> = vec![None; function.params.len()];
    for default in defaults {
        let name = default.name.to_string();
        match function.params.iter().position(|param| param.name == name) {
            None => errors.spanned(
                &default.name,
                format!(
                    "`{name}` is not a parameter of `{}`; `defaults(...)` names parameters",
                    function.rust_name
                ),
            ),
            Some(index) if explicit[index].is_some() => errors.spanned(
                &default.name,
                format!("parameter `{name}` has two defaults; keep one"),
            ),
            Some(index) => explicit[index] = Some(default),
        }
    }
    // The trailing run of parameters that have a default or are `Option`s.
    let optional = |index: usize| {
        explicit[index].is_some() || path_named(function.params[index].ty, "Option").is_some()
    };
    let first_defaulted = (0..function.params.len())
        .rev()
        .take_while(|&index| optional(index))
        .last()
        .unwrap_or(function.params.len());
    for (index, default) in explicit.iter().enumerate() {
        let Some(default) = default else { continue };
        let param = &function.params[index];
        if index < first_defaulted {
            let required = &function.params[first_defaulted - 1].name;
            errors.spanned(
                &default.name,
                format!(
                    "parameter `{}` has a default but `{required}`, after it, has none; \
                     give `{required}` a default (or make it an `Option`), or move `{}` after it",
                    param.name, param.name
                ),
            );
            continue;
        }
        match encode(param.ty, default) {
            Ok(bytes) => function.params[index].default = Some(bytes),
            Err(expected) => errors.push(syn::Error::new(
                default.span,
                format!(
                    "the default of parameter `{}`: expected {expected}, but found {}",
                    param.name,
                    default.found()
                ),
            )),
        }
    }
    for param in &mut function.params[first_defaulted..] {
        if param.default.is_none() {
            param.default = Some(vec![0xc0]);
        }
    }
    errors.finish()
}

/// The MessagePack bytes of `default` for a parameter of type `ty`, or what a
/// default of that type must be.
fn encode(ty: &Type, default: &DefaultArg) -> Result<Vec<u8>, String> {
    let ty = match peel(ty) {
        Type::Reference(reference) => peel(&reference.elem),
        other => other,
    };
    let mut out = Vec::new();
    if let Some(path) = path_named(ty, "Option") {
        if matches!(default.value, Literal::None) {
            return Ok(vec![0xc0]);
        }
        return match type_args(path).first() {
            Some(inner) => encode(inner, default),
            None => Err(format!("`None` or a literal for {}", rust_text(ty))),
        };
    }
    let name = match peel(ty) {
        Type::Path(path) if path.qself.is_none() && type_args(path).is_empty() => {
            path.path.segments.last().map(|s| s.ident.to_string())
        }
        _ => None,
    };
    let written = rust_text(ty);
    match (name.as_deref(), &default.value) {
        (Some(int), value) if int_range(int).is_some() => {
            let (min, max) = int_range(int).expect("checked");
            match value {
                Literal::Int(n) if (min..=max).contains(n) => write_int(&mut out, *n),
                Literal::Int(_) => return Err(format!("an integer in range for {written}")),
                _ => return Err(format!("an integer literal for {written}")),
            }
        }
        (Some(float @ ("f32" | "f64")), value) => {
            let value = match value {
                Literal::Float(f) => *f,
                // An integer literal is a fine float default (`scale = 2`).
                Literal::Int(n) => *n as f64,
                _ => return Err(format!("a number literal for {written}")),
            };
            if float == "f32" && value.is_finite() && value.abs() > f64::from(f32::MAX) {
                return Err("a number in range for f32".to_owned());
            }
            rmp::encode::write_f64(&mut out, value).expect("writing to a Vec");
        }
        (Some("bool"), Literal::Bool(b)) => {
            rmp::encode::write_bool(&mut out, *b).expect("writing to a Vec");
        }
        (Some("char"), Literal::Str(s)) if s.chars().count() == 1 => {
            rmp::encode::write_str(&mut out, s).expect("writing to a Vec");
        }
        (Some("String"), Literal::Str(s)) => {
            rmp::encode::write_str(&mut out, s).expect("writing to a Vec");
        }
        (_, Literal::Str(s)) if is_str(ty) || is_cow_str(ty) => {
            rmp::encode::write_str(&mut out, s).expect("writing to a Vec");
        }
        (Some("bool"), _) => return Err("`true` or `false`".to_owned()),
        (Some("char"), _) => return Err("a char literal".to_owned()),
        (Some("String"), _) => return Err("a string literal".to_owned()),
        _ if is_str(ty) || is_cow_str(ty) => return Err("a string literal".to_owned()),
        (_, Literal::None) => {
            return Err(format!(
                "a literal for {written} (`None` is for `Option` parameters)"
            ))
        }
        _ => {
            return Err(format!(
                "a parameter of an integer, float, bool, char, string or `Option` type \
                 (defaults are literals), not {written}"
            ))
        }
    }
    Ok(out)
}

/// `Cow<str>`.
fn is_cow_str(ty: &Type) -> bool {
    path_named(ty, "Cow").is_some_and(|path| type_args(path).last().is_some_and(|t| is_str(t)))
}

/// The values an integer type holds, for the ones a default may fill (beyond
/// 64 bits, only what MessagePack ints carry).
fn int_range(name: &str) -> Option<(i128, i128)> {
    Some(match name {
        "i8" => (i8::MIN.into(), i8::MAX.into()),
        "i16" => (i16::MIN.into(), i16::MAX.into()),
        "i32" => (i32::MIN.into(), i32::MAX.into()),
        "i64" | "isize" | "i128" => (i64::MIN.into(), i64::MAX.into()),
        "u8" => (0, u8::MAX.into()),
        "u16" => (0, u16::MAX.into()),
        "u32" => (0, u32::MAX.into()),
        "u64" | "usize" | "u128" => (0, u64::MAX.into()),
        _ => return None,
    })
}

fn write_int(out: &mut Vec<u8>, n: i128) {
    match u64::try_from(n) {
        Ok(n) => rmp::encode::write_uint(out, n).map(drop),
        Err(_) => rmp::encode::write_sint(out, n as i64).map(drop),
    }
    .expect("writing to a Vec");
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::attr::ExportAttr;
    use quote::quote;

    /// The default bytes of each parameter, or the error messages.
    fn defaults(
        attr: proc_macro2::TokenStream,
        source: &str,
    ) -> Result<Vec<Option<Vec<u8>>>, Vec<String>> {
        let attr = ExportAttr::parse(attr).map_err(|e| vec![e.to_string()])?;
        let item: syn::ItemFn = syn::parse_str(source).unwrap();
        let mut function = Function::new(&item, &attr);
        apply(&mut function, &attr.defaults)
            .map(|()| function.params.iter().map(|p| p.default.clone()).collect())
            .map_err(|e| e.into_iter().map(|e| e.to_string()).collect())
    }

    #[test]
    fn literals_are_written_as_messagepack() {
        let got = defaults(
            quote!(defaults(top = 10, sep = ",", scale = -1.5, strict = true, n = -3, c = 'x')),
            "fn f(words: Vec<String>, top: usize, sep: &str, scale: f64, strict: bool, n: i8, c: char) {}",
        )
        .unwrap();
        assert_eq!(
            got,
            [
                None,
                Some(vec![0x0a]),
                Some(vec![0xa1, b',']),
                Some({
                    let mut v = vec![0xcb];
                    v.extend_from_slice(&(-1.5f64).to_be_bytes());
                    v
                }),
                Some(vec![0xc3]),
                Some(vec![0xfd]),
                Some(vec![0xa1, b'x']),
            ]
        );
    }

    #[test]
    fn trailing_options_default_to_nil_and_others_stay_required() {
        let got = defaults(
            quote!(),
            "fn f(a: Option<i64>, b: i64, c: Option<String>, d: Option<u8>) {}",
        )
        .unwrap();
        assert_eq!(got, [None, None, Some(vec![0xc0]), Some(vec![0xc0])]);
        let got = defaults(
            quote!(defaults(b = 2)),
            "fn f(a: i64, b: i64, c: Option<String>) {}",
        )
        .unwrap();
        assert_eq!(got, [None, Some(vec![0x02]), Some(vec![0xc0])]);
        let got = defaults(
            quote!(defaults(c = 5, d = None)),
            "fn f(c: Option<u8>, d: Option<u8>) {}",
        )
        .unwrap();
        assert_eq!(got, [Some(vec![0x05]), Some(vec![0xc0])]);
        let got = defaults(quote!(defaults(x = 2)), "fn f(x: f32) {}").unwrap();
        assert_eq!(got[0].as_deref().map(|b| b[0]), Some(0xcb));
    }

    #[test]
    fn each_mistake_names_the_parameter() {
        let errors = |attr, source| defaults(attr, source).unwrap_err();
        assert_eq!(
            errors(quote!(defaults(topp = 1)), "fn join(top: usize) {}"),
            ["`topp` is not a parameter of `join`; `defaults(...)` names parameters"]
        );
        assert_eq!(
            errors(quote!(defaults(top = "x")), "fn join(top: usize) {}"),
            ["the default of parameter `top`: expected an integer literal for usize, but found the string \"x\""]
        );
        assert_eq!(
            errors(quote!(defaults(top = -1)), "fn join(top: usize) {}"),
            ["the default of parameter `top`: expected an integer in range for usize, but found the integer `-1`"]
        );
        assert_eq!(
            errors(quote!(defaults(top = 1)), "fn join(top: usize, sep: String) {}"),
            ["parameter `top` has a default but `sep`, after it, has none; give `sep` a default \
              (or make it an `Option`), or move `top` after it"]
        );
        assert_eq!(
            errors(quote!(defaults(p = 1)), "fn f(p: Point) {}"),
            ["the default of parameter `p`: expected a parameter of an integer, float, bool, char, \
              string or `Option` type (defaults are literals), not Point, but found the integer `1`"]
        );
        assert!(errors(quote!(defaults(s = None)), "fn f(s: String) {}")[0]
            .contains("expected a string literal"));
        assert!(
            errors(quote!(defaults(a = 1, a = 2)), "fn f(a: u8) {}")[0].contains("two defaults")
        );
        assert!(
            errors(quote!(defaults(a = 1 + 1)), "fn f(a: u8) {}")[0].contains("must be a literal")
        );
        assert_eq!(
            errors(
                quote!(defaults(a = 1, b = 2)),
                "fn f(a: String, b: bool) {}"
            )
            .len(),
            2
        );
    }
}
