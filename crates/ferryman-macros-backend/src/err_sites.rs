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
//!
//! A function or method returning an iterator of `Result` items makes its
//! `Err`s when the host pulls them, not in its body. The one closure whose
//! value is each item for sure is the `f` of a body whose value is
//! `iter.map(|..| ..)` (`Iterator::map` yields `f`'s value and nothing else,
//! at once): that closure's body is rewritten as a function's would be, and
//! the runtime takes the place when it writes the `Err` item. Any other shape
//! (`.filter(..)`, `.chain(..)` or `.peekable()` after the `map`, a named
//! function, `from_fn`) could drop, reorder or hold back items, so a recorded
//! place could be another item's: it is left alone.

use proc_macro2::{Span, TokenStream};
use quote::quote_spanned;
use syn::spanned::Spanned;
use syn::visit_mut::{self, VisitMut};
use syn::{Expr, ExprCall, Item, Stmt};

use crate::iterator::IterReturn;
use crate::signature::Output;

/// Rewrites the body of an exported function or method when its `Err`s can
/// be located: it returns `Result`, or an iterator of `Result` items.
/// `rust_path` is the end of its `Export::rust_path`, after
/// `module_path!()` (`parse` or `Tokenizer::parse`). Returns whether it did.
pub(crate) fn locate(
    block: &mut syn::Block,
    rust_path: &str,
    output: &Output,
    iter: Option<&IterReturn>,
) -> bool {
    match (output, iter) {
        (_, Some(iter)) if iter.fallible => rewrite_items(block, rust_path),
        (Output::Result { .. }, None) => rewrite(block, rust_path),
        _ => return false,
    }
    true
}

/// Rewrites `block`, the body of a function returning `Result`.
fn rewrite(block: &mut syn::Block, rust_path: &str) {
    let mut sites = Sites { rust_path };
    sites.visit_block_mut(block);
    sites.tail_of(block);
}

/// Rewrites the closure of `iter.map(|..| ..)` when that is the value of
/// `block`, the body of a function returning an iterator of `Result` items.
fn rewrite_items(block: &mut syn::Block, rust_path: &str) {
    let Some(Stmt::Expr(tail, None)) = block.stmts.last_mut() else {
        return;
    };
    let Expr::MethodCall(call) = peel_parens(tail) else {
        return;
    };
    if call.method != "map" || call.args.len() != 1 {
        return;
    }
    let Some(Expr::Closure(closure)) = call.args.first_mut().map(peel_parens) else {
        return;
    };
    if closure.asyncness.is_some() {
        return;
    }
    let mut sites = Sites { rust_path };
    sites.visit_expr_mut(&mut closure.body);
    sites.tail(&mut closure.body);
}

fn peel_parens(mut expr: &mut Expr) -> &mut Expr {
    while let Expr::Paren(inner) = expr {
        expr = &mut inner.expr;
    }
    expr
}

struct Sites<'a> {
    rust_path: &'a str,
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
        let name = self.rust_path;
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

    fn exported(item: TokenStream) -> String {
        crate::expand_export(quote!(), item).unwrap().to_string()
    }

    #[test]
    fn class_members_returning_result_are_located_under_the_class_path() {
        let out = exported(quote! {
            impl Ledger {
                pub fn new(text: &str) -> Result<Self, E> {
                    let n = parse(text)?;
                    if n < 0 { return Err(E::Negative); }
                    Ok(Self { n })
                }
                pub fn get(&self, i: usize) -> Result<i64, E> {
                    let check = |i: usize| -> Result<usize, E> { Ok(lookup(i)?) };
                    self.at(check(i)?)
                }
                pub fn total(&self) -> i64 { self.n }
                fn private(&self) -> Result<(), E> { Err(E::Private) }
            }
        });
        // `new`: the `?` and the `return`; `get`: its own `?` and its value.
        assert_eq!(
            out.matches(":: ferryman :: __private :: located").count(),
            4,
            "{out}"
        );
        for name in ["Ledger::new", "Ledger::get"] {
            let site = format!("function : :: core :: concat ! (:: core :: module_path ! () , \"::\" , \"{name}\")");
            assert!(out.contains(&site), "{name}: {out}");
        }
        assert!(
            out.contains("Err (E :: Private)") && !out.contains("located (Err (E :: Private)"),
            "{out}"
        );
        assert!(
            out.contains("Ok (lookup (i) ?)"),
            "the closure's own `?`: {out}"
        );
        assert!(out.contains("located (self . at ("), "{out}");
    }

    #[test]
    fn an_iterator_of_results_locates_the_closure_of_its_map() {
        let out = exported(quote! {
            pub fn f(v: Vec<String>) -> impl Iterator<Item = Result<i64, E>> + Send {
                v.into_iter().map(|t| {
                    if t.is_empty() { return Err(E::Empty); }
                    let n = t.parse()?;
                    let g = |x: i64| -> Result<i64, E> { Err(E::Inner(x)) };
                    g(n)
                })
            }
        });
        assert_eq!(
            out.matches(":: ferryman :: __private :: located").count(),
            3,
            "{out}"
        );
        assert!(out.contains("located (g (n) ,"), "{out}");
        assert!(
            !out.contains("located (Err (E :: Inner"),
            "the inner closure's own: {out}"
        );
    }

    #[test]
    fn an_iterator_is_left_alone_when_its_items_may_not_be_the_closures() {
        for item in [
            // Items dropped after the `map`: a recorded place could be a dropped item's.
            quote! {
                pub fn f(v: Vec<String>) -> impl Iterator<Item = Result<i64, E>> + Send {
                    v.into_iter().map(|t| t.parse()).filter(|r| r.is_ok())
                }
            },
            // A named function: its body is not here.
            quote! {
                pub fn f(v: Vec<String>) -> impl Iterator<Item = Result<i64, E>> + Send {
                    v.into_iter().map(parse)
                }
            },
            // Plain items: no `Err`.
            quote! {
                pub fn f(v: Vec<String>) -> impl Iterator<Item = i64> + Send {
                    v.into_iter().map(|t| t.len() as i64)
                }
            },
        ] {
            let out = exported(item);
            assert!(!out.contains("located"), "{out}");
        }
    }
}
