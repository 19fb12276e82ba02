//! The attribute's own arguments: `#[export]`, `#[export(name = "other_name")]`,
//! `#[export(defaults(top = 10))]`.

use proc_macro2::TokenStream;
use quote::ToTokens;
use syn::LitStr;

use crate::defaults::DefaultArg;

/// The parsed arguments of `#[ferryman::export(...)]`.
#[derive(Default)]
pub(crate) struct ExportAttr {
    /// `name = "..."`: the name hosts call the function by, instead of its Rust name.
    pub(crate) name: Option<LitStr>,
    /// `defaults(param = literal, ...)`, in the order written.
    pub(crate) defaults: Vec<DefaultArg>,
}

impl ExportAttr {
    /// Parses the tokens between the attribute's parentheses (empty for `#[export]`).
    pub(crate) fn parse(tokens: TokenStream) -> syn::Result<Self> {
        let mut attr = ExportAttr::default();
        let parser = syn::meta::parser(|meta| {
            if meta.path.is_ident("name") {
                let name: LitStr = meta.value()?.parse()?;
                if attr.name.is_some() {
                    return Err(syn::Error::new_spanned(
                        &meta.path,
                        "duplicate `name` option in `#[ferryman::export]`; keep one",
                    ));
                }
                check_name(&name)?;
                attr.name = Some(name);
                Ok(())
            } else if meta.path.is_ident("defaults") {
                meta.parse_nested_meta(|entry| {
                    let Some(name) = entry.path.get_ident().cloned() else {
                        return Err(entry.error("expected `parameter = literal`"));
                    };
                    let value: syn::Expr = entry.value()?.parse()?;
                    attr.defaults.push(DefaultArg::parse(name, &value)?);
                    Ok(())
                })
            } else {
                let path = meta.path.to_token_stream().to_string().replace(' ', "");
                Err(syn::Error::new_spanned(
                    &meta.path,
                    format!(
                        "unknown `#[ferryman::export]` option `{path}`; \
                         the options are `name = \"exported_name\"` and \
                         `defaults(parameter = literal, ...)`"
                    ),
                ))
            }
        });
        syn::parse::Parser::parse2(parser, tokens)?;
        Ok(attr)
    }
}

/// An exported name must be usable as an identifier in any host language.
fn check_name(name: &LitStr) -> syn::Result<()> {
    let value = name.value();
    let mut chars = value.chars();
    let valid = chars
        .next()
        .is_some_and(|first| first == '_' || first.is_alphabetic())
        && chars.all(|c| c == '_' || c.is_alphanumeric());
    if valid {
        Ok(())
    } else {
        Err(syn::Error::new_spanned(
            name,
            format!(
                "exported name {:?} is not an identifier; use letters, digits and `_`, \
                 not starting with a digit",
                value
            ),
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use quote::quote;

    fn error(tokens: TokenStream) -> String {
        match ExportAttr::parse(tokens) {
            Ok(_) => panic!("expected an error"),
            Err(error) => error.to_string(),
        }
    }

    #[test]
    fn empty_means_no_options() {
        assert!(ExportAttr::parse(quote!()).unwrap().name.is_none());
    }

    #[test]
    fn name_override() {
        let attr = ExportAttr::parse(quote!(name = "other_name")).unwrap();
        assert_eq!(attr.name.unwrap().value(), "other_name");
        let attr = ExportAttr::parse(quote!(name = "trailing_comma",)).unwrap();
        assert_eq!(attr.name.unwrap().value(), "trailing_comma");
    }

    #[test]
    fn unknown_option_names_it_and_the_fix() {
        assert_eq!(
            error(quote!(rename = "x")),
            "unknown `#[ferryman::export]` option `rename`; \
             the options are `name = \"exported_name\"` and `defaults(parameter = literal, ...)`"
        );
        assert!(error(quote!(a::b)).contains("option `a::b`"));
    }

    #[test]
    fn name_must_be_an_identifier() {
        assert!(error(quote!(name = "")).contains("is not an identifier"));
        assert!(error(quote!(name = "1abc")).contains("is not an identifier"));
        assert!(error(quote!(name = "a-b")).contains("is not an identifier"));
        assert!(ExportAttr::parse(quote!(name = "_ünïcode1")).is_ok());
    }

    #[test]
    fn name_needs_a_string() {
        assert!(ExportAttr::parse(quote!(name)).is_err());
        assert!(ExportAttr::parse(quote!(name = other)).is_err());
    }

    #[test]
    fn defaults_are_read_in_order() {
        let attr = ExportAttr::parse(quote!(defaults(top = 10, sep = ","), name = "j")).unwrap();
        let names: Vec<String> = attr.defaults.iter().map(|d| d.name.to_string()).collect();
        assert_eq!(names, ["top", "sep"]);
        assert!(ExportAttr::parse(quote!(defaults(a::b = 1))).is_err());
        assert!(ExportAttr::parse(quote!(defaults(top))).is_err());
    }

    #[test]
    fn duplicate_name() {
        assert!(error(quote!(name = "a", name = "b")).starts_with("duplicate `name`"));
    }
}
