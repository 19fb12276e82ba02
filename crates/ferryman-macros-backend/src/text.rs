//! Tokens as a person would write them: `Vec<i64>`, `&'a str`, `HashMap<K, V>`.
//!
//! `TokenStream::to_string` spaces every token (`Vec < i64 >`); `describe` shows
//! these strings to users, so they are printed here the way rustfmt would.

use proc_macro2::{Delimiter, Spacing, TokenStream, TokenTree};
use quote::ToTokens;

/// `tokens` as readable Rust source text.
pub(crate) fn rust_text(tokens: impl ToTokens) -> String {
    let mut out = String::new();
    write_stream(&mut out, tokens.into_token_stream());
    out.trim().to_owned()
}

fn write_stream(out: &mut String, stream: TokenStream) {
    // Whether the last token written was a word (identifier or literal): two
    // words in a row need a space between them (`dyn Trait`, `'a str`).
    let mut after_word = false;
    // Whether the last token was a joint `-`, so that `>` completes `->`.
    let mut after_minus = false;
    for tree in stream {
        match tree {
            TokenTree::Ident(ident) => {
                if after_word {
                    out.push(' ');
                }
                out.push_str(&ident.to_string());
                after_word = true;
                after_minus = false;
            }
            TokenTree::Literal(literal) => {
                if after_word {
                    out.push(' ');
                }
                out.push_str(&literal.to_string());
                after_word = true;
                after_minus = false;
            }
            TokenTree::Punct(punct) => {
                let c = punct.as_char();
                match c {
                    ',' | ';' => {
                        out.push(c);
                        out.push(' ');
                    }
                    '+' | '=' => {
                        push_spaced(out, c);
                    }
                    '-' if punct.spacing() == Spacing::Joint => {
                        push_space_unless_open(out);
                        out.push('-');
                    }
                    '>' if after_minus => {
                        out.push_str("> ");
                    }
                    _ => out.push(c),
                }
                after_minus = c == '-' && punct.spacing() == Spacing::Joint;
                after_word = false;
            }
            TokenTree::Group(group) => {
                let (open, close) = match group.delimiter() {
                    Delimiter::Parenthesis => ("(", ")"),
                    Delimiter::Bracket => ("[", "]"),
                    Delimiter::Brace => ("{ ", " }"),
                    Delimiter::None => ("", ""),
                };
                // `'a [u8]`, but `Fn(i32)`.
                if after_word && matches!(group.delimiter(), Delimiter::Bracket | Delimiter::None) {
                    out.push(' ');
                }
                out.push_str(open);
                let mut inner = String::new();
                write_stream(&mut inner, group.stream());
                out.push_str(inner.trim());
                out.push_str(close);
                after_word = group.delimiter() == Delimiter::None;
                after_minus = false;
            }
        }
    }
}

fn push_spaced(out: &mut String, c: char) {
    push_space_unless_open(out);
    out.push(c);
    out.push(' ');
}

fn push_space_unless_open(out: &mut String) {
    if !out.is_empty() && !out.ends_with(' ') {
        out.push(' ');
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn text(source: &str) -> String {
        let ty: syn::Type = syn::parse_str(source).unwrap();
        rust_text(&ty)
    }

    #[test]
    fn prints_types_as_written() {
        for source in [
            "i64",
            "&str",
            "&'a str",
            "&'static [u8]",
            "Vec<i64>",
            "Vec<Vec<u8>>",
            "Option<String>",
            "::std::vec::Vec<u8>",
            "HashMap<String, Vec<(i32, f64)>>",
            "[u8; 4]",
            "(i32, String)",
            "(i32,)",
            "()",
            "Box<dyn Error + Send + Sync>",
            "Cow<'a, str>",
            "<T as Trait>::Assoc",
            "Box<dyn Iterator<Item = u8>>",
            "fn(i32) -> i32",
            "&mut T",
        ] {
            assert_eq!(text(source), source);
        }
    }

    #[test]
    fn normalises_spacing() {
        assert_eq!(text("Vec < i64 >"), "Vec<i64>");
        assert_eq!(text("& 'a  str"), "&'a str");
        assert_eq!(text("HashMap<K,V>"), "HashMap<K, V>");
    }
}
