//! The function's doc comment, as hosts show it (`help(lib.divide)`).

use syn::{Attribute, Expr, ExprLit, Lit, Meta};

/// The doc comment of an item: its `#[doc = "..."]` lines (what `///` and `/** */`
/// become) joined with `\n`, one leading space removed from each line, trimmed
/// at both ends. `""` when there is none. Docs that are not string literals
/// (`#[doc = include_str!(..)]`) cannot be read by a macro and are skipped.
pub(crate) fn doc_string(attrs: &[Attribute]) -> String {
    let mut lines = Vec::new();
    for attr in attrs {
        let Meta::NameValue(meta) = &attr.meta else {
            continue;
        };
        if !meta.path.is_ident("doc") {
            continue;
        }
        if let Expr::Lit(ExprLit {
            lit: Lit::Str(text),
            ..
        }) = &meta.value
        {
            let text = text.value();
            lines.extend(
                text.split('\n')
                    .map(|line| line.trim_end_matches('\r'))
                    .map(|line| line.strip_prefix(' ').unwrap_or(line).to_owned()),
            );
        }
    }
    lines.join("\n").trim().to_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn doc(source: &str) -> String {
        let item: syn::ItemFn = syn::parse_str(source).unwrap();
        doc_string(&item.attrs)
    }

    #[test]
    fn no_doc_is_empty() {
        assert_eq!(doc("fn f() {}"), "");
        assert_eq!(doc("#[inline] fn f() {}"), "");
    }

    #[test]
    fn line_comments() {
        let source =
            "/// Divides a by b.\n///\n/// More text.\n///     indented\n#[inline]\nfn f() {}";
        assert_eq!(doc(source), "Divides a by b.\n\nMore text.\n    indented");
    }

    #[test]
    fn trimmed_at_both_ends() {
        assert_eq!(doc("///\n///   Hello  \n///\nfn f() {}"), "Hello");
    }

    #[test]
    fn block_comments_and_attributes() {
        assert_eq!(doc("/** One\n two */ fn f() {}"), "One\ntwo");
        assert_eq!(doc("#[doc = \"Plain.\"] fn f() {}"), "Plain.");
        assert_eq!(
            doc("/// Kept.\n#[doc = include_str!(\"x.md\")] fn f() {}"),
            "Kept."
        );
    }
}
