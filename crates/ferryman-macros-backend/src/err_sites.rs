//! Rewrites an exported function's body so that a returned `Err` knows where
//! it was made (`spec/wire.md`, "Error values": the function's frame): each
//! `expr?`, each `return expr` and the body's value (the tail expression; in
//! an `if`, `match` or block there, each branch's) becomes
//! `::ferryman::__private::located(expr, site)`, with `file!()`, `line!()`
//! and `column!()` spanned at the `?`, the `return` or the expression.
//! `located` records the place only for an `Err`. An `Ok(..)`, a macro call
//! (`todo!()`), a `loop` and a nested `return` are left as they are.
//!
//! Closures, async blocks and nested items have their own `?` and `return`:
//! they are left alone, as are macro bodies (which syn does not parse).

use proc_macro2::{Span, TokenStream};
use quote::quote_spanned;
use syn::spanned::Spanned;
use syn::visit_mut::{self, VisitMut};
use syn::{Expr, ExprCall, Item, Stmt};

/// Rewrites `block`, the body of the function whose `Export::rust_path` ends
/// in `rust_name` (`concat!(module_path!(), "::", rust_name)`).
pub(crate) fn rewrite(block: &mut syn::Block, rust_name: &str) {
    let mut sites = Sites { rust_name };
    sites.visit_block_mut(block);
    sites.tail_of(block);
}

struct Sites<'a> {
    rust_name: &'a str,
}

impl Sites<'_> {
    /// Locates the value of `block`, when it has one.
    fn tail_of(&self, block: &mut syn::Block) {
        if let Some(Stmt::Expr(tail, None)) = block.stmts.last_mut() {
            self.tail(tail);
        }
    }

    /// Locates `expr`, the value the function returns, or each branch of it.
    fn tail(&self, expr: &mut Expr) {
        match expr {
            Expr::If(if_expr) => {
                self.tail_of(&mut if_expr.then_branch);
                if let Some((_, other)) = &mut if_expr.else_branch {
                    self.tail(other);
                }
            }
            Expr::Match(match_expr) => {
                for arm in &mut match_expr.arms {
                    self.tail(&mut arm.body);
                }
            }
            Expr::Block(block) if block.label.is_none() => self.tail_of(&mut block.block),
            Expr::Paren(inner) => self.tail(&mut inner.expr),
            // Already located, diverging, or never an `Err`.
            Expr::Macro(_) | Expr::Loop(_) | Expr::Return(_) | Expr::Try(_) => {}
            _ if is_call_of(expr, "Ok") || is_located(expr) => {}
            _ => {
                let at = expr.span();
                *expr = self.located(at, expr);
            }
        }
    }

    /// `located(expr, ErrSite { .. })`, the place being `at`.
    fn located(&self, at: Span, expr: &Expr) -> Expr {
        let name = self.rust_name;
        let tokens: TokenStream = quote_spanned! {at=>
            ::ferryman::__private::located(
                #expr,
                ::ferryman::__private::ErrSite {
                    function: ::core::concat!(::core::module_path!(), "::", #name),
                    file: ::core::file!(),
                    line: ::core::line!(),
                    column: ::core::column!(),
                },
            )
        };
        syn::parse2(tokens).expect("a call expression")
    }
}

/// `Ok(..)` (also `Result::Ok(..)`, …) for `name` `Ok`.
fn is_call_of(expr: &Expr, name: &str) -> bool {
    let Expr::Call(ExprCall { func, args, .. }) = expr else {
        return false;
    };
    let Expr::Path(path) = &**func else {
        return false;
    };
    args.len() == 1 && path.path.segments.last().is_some_and(|s| s.ident == name)
}

/// A call this module made (a `return` already wrapped).
fn is_located(expr: &Expr) -> bool {
    let Expr::Call(ExprCall { func, .. }) = expr else {
        return false;
    };
    let Expr::Path(path) = &**func else {
        return false;
    };
    let segments = &path.path.segments;
    segments.len() == 3 && segments[0].ident == "ferryman" && segments[2].ident == "located"
}

impl VisitMut for Sites<'_> {
    fn visit_expr_mut(&mut self, expr: &mut Expr) {
        match expr {
            // Their own `?` and `return`.
            Expr::Closure(_) | Expr::Async(_) => {}
            Expr::Try(try_expr) => {
                self.visit_expr_mut(&mut try_expr.expr);
                let at = try_expr.question_token.span();
                let inner = self.located(at, &try_expr.expr);
                *try_expr.expr = inner;
            }
            Expr::Return(ret) => {
                if let Some(value) = ret.expr.as_deref_mut() {
                    self.visit_expr_mut(value);
                    if !is_call_of(value, "Ok") && !matches!(value, Expr::Macro(_)) {
                        let at = ret.return_token.span();
                        *value = self.located(at, value);
                    }
                }
            }
            _ => visit_mut::visit_expr_mut(self, expr),
        }
    }

    fn visit_item_mut(&mut self, _: &mut Item) {
        // A nested fn, impl or mod: its own body.
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use quote::quote;

    fn rewritten(body: TokenStream) -> String {
        let mut block: syn::Block = syn::parse2(quote!({ #body })).unwrap();
        rewrite(&mut block, "f");
        quote!(#block).to_string()
    }

    #[test]
    fn question_marks_returns_and_the_tail_err_are_located() {
        let out = rewritten(quote! {
            let x = parse(a)?;
            if x == 0 { return Err(E::Zero); }
            Err(E::Other)
        });
        assert_eq!(
            out.matches(":: ferryman :: __private :: located").count(),
            3,
            "{out}"
        );
        assert!(out.contains("located (parse (a) ,"), "{out}");
        assert!(
            out.contains("return :: ferryman :: __private :: located (Err (E :: Zero) ,"),
            "{out}"
        );
    }

    #[test]
    fn closures_async_blocks_nested_fns_and_ok_returns_are_left_alone() {
        let out = rewritten(quote! {
            let f = |a: &str| -> Result<i64, E> { Ok(a.parse()?) };
            let g = async { h()? };
            fn nested() -> Result<(), E> { inner()?; Err(E::X) }
            return Ok(f("1")?);
        });
        // Only the last `?` (in the body itself).
        assert_eq!(out.matches("located").count(), 1, "{out}");
        assert!(
            out.contains("Ok (:: ferryman :: __private :: located (f (\"1\") ,"),
            "{out}"
        );
    }

    #[test]
    fn each_branch_of_the_tail_is_located_but_ok_and_macros_are_not() {
        let out = rewritten(quote! {
            match n {
                0 => Err(E::Zero),
                1 => Ok(1),
                2 => todo!(),
                _ => if n > 9 { std::fs::read(p).map(|_| 1) } else { other(n) },
            }
        });
        assert_eq!(out.matches("located").count(), 3, "{out}");
        assert!(!out.contains("located (Ok"), "{out}");
        assert!(!out.contains("located (todo"), "{out}");
    }

    #[test]
    fn nested_question_marks_are_each_located() {
        let out = rewritten(quote! { Ok(a(b()?)?) });
        assert_eq!(out.matches("located").count(), 2, "{out}");
    }
}
