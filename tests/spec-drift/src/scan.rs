//! Reading the documents: markdown tables, sections and code blocks, C
//! declarations. Plain string scanning, deliberately strict about the few
//! shapes it reads: when a document is reworded so that a scanner can no longer
//! find what it looks for, the test fails and says where it looked.

use std::collections::BTreeSet;
use std::fs;
use std::path::PathBuf;

pub(crate) const ABI_MD: &str = "spec/abi.md";
pub(crate) const WIRE_MD: &str = "spec/wire.md";
pub(crate) const CALLBACKS_MD: &str = "spec/callbacks.md";
pub(crate) const HEADER: &str = "bindings/c/ferryman.h";

/// The repository root (this package is `tests/spec-drift`).
pub(crate) fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../..")
}

pub(crate) fn read(rel: &str) -> String {
    let path = root().join(rel);
    fs::read_to_string(&path).unwrap_or_else(|e| panic!("cannot read {}: {e}", path.display()))
}

// ---- markdown ---------------------------------------------------------------

/// The cells of every table row (`| a | b |`) in `md`, trimmed, backticks removed.
/// Separator rows (`|---|`) are skipped.
pub(crate) fn table_rows(md: &str) -> Vec<Vec<String>> {
    md.lines()
        .map(str::trim)
        .filter(|l| l.starts_with('|') && l.ends_with('|') && !l.contains("---"))
        .map(|l| {
            l.trim_matches('|')
                .split('|')
                .map(|c| c.trim().replace('`', ""))
                .collect()
        })
        .collect()
}

/// The `N` of a first line like `# ferryman ABI, version N (normative)`.
pub(crate) fn title_version(md: &str, file: &str) -> u32 {
    let title = md.lines().next().unwrap_or_default();
    let after = title
        .split_once("version ")
        .unwrap_or_else(|| panic!("{file}: first line {title:?} does not say `version N`"))
        .1;
    leading_int(after)
        .unwrap_or_else(|| panic!("{file}: no number after `version` in {title:?}"))
        .try_into()
        .unwrap_or_else(|_| panic!("{file}: negative version in {title:?}"))
}

/// The value cell of the row of the versions table whose first cell is `name`.
pub(crate) fn versions_table(md: &str, name: &str) -> u32 {
    let row = table_rows(md)
        .into_iter()
        .find(|r| r.first().map(String::as_str) == Some(name))
        .unwrap_or_else(|| panic!("{ABI_MD}: no row `| {name} | ... |` in the versions table"));
    row.get(1)
        .and_then(|c| c.parse().ok())
        .unwrap_or_else(|| panic!("{ABI_MD}: row {row:?} has no version number"))
}

/// The integer after `"key": ` in the handshake example of `wire.md`.
pub(crate) fn handshake_example(wire: &str, key: &str) -> u32 {
    let section = section(wire, "## Handshake", WIRE_MD);
    let needle = format!("\"{key}\": ");
    let at = section
        .find(&needle)
        .unwrap_or_else(|| panic!("{WIRE_MD}: no {needle:?} in the handshake example"));
    leading_int(&section[at + needle.len()..])
        .and_then(|v| v.try_into().ok())
        .unwrap_or_else(|| {
            panic!("{WIRE_MD}: {needle:?} in the handshake example is not a version")
        })
}

/// The text from the heading line `heading` to the next heading of the same level.
pub(crate) fn section<'a>(md: &'a str, heading: &str, file: &str) -> &'a str {
    let start = md
        .find(&format!("\n{heading}\n"))
        .unwrap_or_else(|| panic!("{file}: no heading {heading:?}"))
        + 1;
    let level = heading.split(' ').next().unwrap_or_default();
    let body = &md[start + heading.len()..];
    let end = body.find(&format!("\n{level} ")).unwrap_or(body.len());
    &md[start..start + heading.len() + end]
}

/// The first fenced code block (```` ```c ````) in `text`.
pub(crate) fn c_block<'a>(text: &'a str, file: &str) -> &'a str {
    let start = text
        .find("```c\n")
        .unwrap_or_else(|| panic!("{file}: no ```c block where expected"))
        + "```c\n".len();
    let len = text[start..]
        .find("```")
        .unwrap_or_else(|| panic!("{file}: unterminated ```c block"));
    &text[start..start + len]
}

// ---- C ----------------------------------------------------------------------

/// `src` without `/* */` and `//` comments.
pub(crate) fn strip_comments(src: &str) -> String {
    let mut out = String::with_capacity(src.len());
    let mut rest = src;
    loop {
        let block = rest.find("/*");
        let line = rest.find("//");
        match (block, line) {
            (Some(b), l) if l.is_none_or(|l| b < l) => {
                out.push_str(&rest[..b]);
                let end = rest[b + 2..]
                    .find("*/")
                    .map_or(rest.len(), |e| b + 2 + e + 2);
                out.push(' ');
                rest = &rest[end..];
            }
            (_, Some(l)) => {
                out.push_str(&rest[..l]);
                rest = &rest[l..];
                rest = &rest[rest.find('\n').unwrap_or(rest.len())..];
            }
            (None, None) => {
                out.push_str(rest);
                return out;
            }
            (Some(_), None) => unreachable!(),
        }
    }
}

/// Runs of whitespace collapsed to one space; no space before `;` `,` `)` or after `(`.
pub(crate) fn normalize(c: &str) -> String {
    c.split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
        .replace(" ;", ";")
        .replace(" ,", ",")
        .replace(" )", ")")
        .replace("( ", "(")
}

pub(crate) fn is_ident(c: char) -> bool {
    c.is_ascii_alphanumeric() || c == '_'
}

/// Every identifier starting with `prefix` (at an identifier boundary), with the
/// text that follows it.
pub(crate) fn idents_with_prefix<'a>(src: &'a str, prefix: &str) -> Vec<(&'a str, &'a str)> {
    let mut found = Vec::new();
    let mut from = 0;
    while let Some(at) = src[from..].find(prefix).map(|i| from + i) {
        let boundary = src[..at].chars().next_back().is_none_or(|c| !is_ident(c));
        let end = src[at..]
            .find(|c| !is_ident(c))
            .map_or(src.len(), |e| at + e);
        if boundary {
            found.push((&src[at..end], &src[end..]));
        }
        from = end.max(at + 1);
    }
    found
}

/// Names of the functions declared in C source (comments already stripped):
/// `ferryman_x` directly followed by `(`.
pub(crate) fn declared_functions(c: &str) -> Vec<String> {
    idents_with_prefix(c, "ferryman_")
        .into_iter()
        .filter(|(_, after)| after.trim_start().starts_with('('))
        .map(|(name, _)| name.to_owned())
        .collect()
}

/// The declaration statement (`...;`) of function `name` in C source (comments
/// stripped), normalized: from the end of the previous statement or brace, without
/// preprocessor lines, to the `;`.
pub(crate) fn declaration(c: &str, name: &str) -> Option<String> {
    let at = c.find(&format!("{name}("))?;
    let start = c[..at].rfind([';', '}', '{']).map_or(0, |s| s + 1);
    let end = at + c[at..].find(';')? + 1;
    let text: Vec<&str> = c[start..end]
        .lines()
        .filter(|l| !l.trim_start().starts_with('#'))
        .collect();
    Some(normalize(&text.join("\n")))
}

/// `(NAME, value)` for every `FERRY_NAME = value` in C source (comments stripped).
pub(crate) fn enum_values(c: &str) -> Vec<(String, i32)> {
    idents_with_prefix(c, "FERRY_")
        .into_iter()
        .filter_map(|(name, after)| {
            let value = after.trim_start().strip_prefix('=')?;
            Some((name.to_owned(), leading_int(value)?.try_into().ok()?))
        })
        .collect()
}

/// The value of `#define NAME value`.
pub(crate) fn define(c: &str, name: &str) -> Option<String> {
    c.lines().find_map(|l| {
        let mut words = l.split_whitespace();
        (words.next() == Some("#define") && words.next() == Some(name))
            .then(|| words.next().map(str::to_owned))
            .flatten()
    })
}

/// The integer (optionally negative) at the start of `s`, after whitespace.
pub(crate) fn leading_int(s: &str) -> Option<i64> {
    let s = s.trim_start();
    let (neg, digits) = match s.strip_prefix('-') {
        Some(rest) => (true, rest.trim_start()),
        None => (false, s),
    };
    let end = digits
        .find(|c: char| !c.is_ascii_digit())
        .unwrap_or(digits.len());
    let v: i64 = digits[..end].parse().ok()?;
    Some(if neg { -v } else { v })
}

// ---- comparisons --------------------------------------------------------------

/// Fails with the differences between what the Rust side says and what `file` says.
pub(crate) fn assert_same<T: Ord + std::fmt::Debug + Clone>(
    what: &str,
    file: &str,
    rust: &[T],
    doc: &[T],
) {
    let rust_set: BTreeSet<T> = rust.iter().cloned().collect();
    let doc_set: BTreeSet<T> = doc.iter().cloned().collect();
    let missing: Vec<_> = rust_set.difference(&doc_set).collect();
    let extra: Vec<_> = doc_set.difference(&rust_set).collect();
    assert!(
        missing.is_empty() && extra.is_empty(),
        "{what}: {file} disagrees with ferryman_abi\n  in Rust, not in {file}: {missing:?}\n  in {file}, not in Rust: {extra:?}"
    );
    assert_eq!(
        doc.len(),
        doc_set.len(),
        "{what}: {file} lists an entry twice: {doc:?}"
    );
}

mod tests {
    use super::*;

    #[test]
    fn scanners_read_what_they_should() {
        let c = "/* ferryman_gone(void); */ int32_t\nferryman_x(FerryBox *out); // ferryman_y(\n\
             typedef void (*FerrymanZ)(void);\nenum { FERRY_A = 0, FERRY_B = -1 };\n#define V 7\n";
        let c = strip_comments(c);
        assert_eq!(declared_functions(&c), ["ferryman_x"]);
        assert_eq!(
            declaration(&c, "ferryman_x").as_deref(),
            Some("int32_t ferryman_x(FerryBox *out);")
        );
        assert_eq!(
            enum_values(&c),
            [("FERRY_A".to_owned(), 0), ("FERRY_B".to_owned(), -1)]
        );
        assert_eq!(define(&c, "V").as_deref(), Some("7"));
        assert_eq!(
            table_rows("| 0 | `FERRY_OK` |\n|---:|---|\n"),
            [vec!["0".to_owned(), "FERRY_OK".to_owned()]]
        );
        assert_eq!(title_version("# x, version 12 (normative)\n", "x"), 12);
    }
}
