//! The C names the rustdoc of `ferryman-abi`'s constants gives
//! (`As C: #define NAME value`) against `ferryman.h` and the Rust values.

use crate::scan::*;
use ferryman_abi::{
    ABI_VERSION, EXT_BIG_INT, EXT_HOST_OBJECT, EXT_LENT_BYTES, EXT_LIBRARY_CLOSURE, EXT_OBJECT,
    WIRE_VERSION,
};

/// `(Rust constant, C name, value)` of every constant with a C name.
fn rust_constants() -> Vec<(&'static str, &'static str, i64)> {
    vec![
        ("ABI_VERSION", "FERRYMAN_ABI_VERSION", ABI_VERSION.into()),
        ("WIRE_VERSION", "FERRYMAN_WIRE_VERSION", WIRE_VERSION.into()),
        (
            "EXT_HOST_OBJECT",
            "FERRYMAN_EXT_HOST_OBJECT",
            EXT_HOST_OBJECT.into(),
        ),
        (
            "EXT_LIBRARY_CLOSURE",
            "FERRYMAN_EXT_LIBRARY_CLOSURE",
            EXT_LIBRARY_CLOSURE.into(),
        ),
        (
            "EXT_LENT_BYTES",
            "FERRYMAN_EXT_LENT_BYTES",
            EXT_LENT_BYTES.into(),
        ),
        ("EXT_BIG_INT", "FERRYMAN_EXT_BIG_INT", EXT_BIG_INT.into()),
        ("EXT_OBJECT", "FERRYMAN_EXT_OBJECT", EXT_OBJECT.into()),
    ]
}

/// `(Rust constant, C name, value)` of every `pub const` whose rustdoc says
/// ``As C: `#define NAME value` ``, in `crates/ferryman-abi/src`.
fn documented_constants() -> Vec<(String, String, i64)> {
    let mut found = Vec::new();
    for file in [
        "lib.rs",
        "ferry_host.rs",
        "byte_box.rs",
        "status.rs",
        "big_int.rs",
        "object.rs",
    ] {
        let text = read(&format!("crates/ferryman-abi/src/{file}"));
        let mut pending: Option<(String, i64)> = None;
        for line in text.lines().map(str::trim) {
            if let Some(at) = line.find("As C: `#define ") {
                let mut words = line[at + "As C: `#define ".len()..].split_whitespace();
                let name = words.next().unwrap_or_default().to_owned();
                let value = words
                    .next()
                    .and_then(|v| leading_int(v.trim_end_matches(['`', ',', '.'])))
                    .unwrap_or_else(|| panic!("{file}: no value in {line:?}"));
                pending = Some((name, value));
            } else if let Some(rest) = line.strip_prefix("pub const ") {
                if let Some((c, value)) = pending.take() {
                    let rust = rest.split(':').next().unwrap_or_default().trim().to_owned();
                    found.push((rust, c, value));
                }
            } else if !line.starts_with("///") {
                pending = None;
            }
        }
    }
    found
}

#[test]
fn rustdoc_gives_each_constant_its_c_name_and_value() {
    let rust: Vec<(String, String, i64)> = rust_constants()
        .into_iter()
        .map(|(r, c, v)| (r.to_owned(), c.to_owned(), v))
        .collect();
    assert_same(
        "constants with a C name",
        "the rustdoc of crates/ferryman-abi/src",
        &rust,
        &documented_constants(),
    );
}

#[test]
fn the_header_defines_each_constant_with_its_value() {
    let header = strip_comments(&read(HEADER));
    for (rust, c, value) in rust_constants() {
        assert_eq!(
            define(&header, c).as_deref().and_then(leading_int),
            Some(value),
            "{HEADER}: `#define {c}` should be {value} (ferryman_abi::{rust})"
        );
    }
}
