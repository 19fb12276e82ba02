//! The ABI is written down three times: the Rust code (`ferryman-abi`'s constants
//! and types, `ferryman-runtime`'s entry points, `ferryman-error`'s encoder),
//! `spec/abi.md` + `spec/wire.md` + `spec/callbacks.md`, and
//! `bindings/c/ferryman.h`. These tests fail when they disagree on a version, a
//! status code (number or name), a symbol name or signature, the layout of
//! `FerryBox` or `FerryHost`, a constant's C name, a MessagePack extension type,
//! or the keys of error values, the handshake and describe.
//!
//! - `lib.rs` (below): versions, status codes, symbol names, extension types;
//! - `signatures`: entry points in Rust against their C declarations;
//! - `layouts`: `FerryBox` and `FerryHost` field by field;
//! - `constants`: the C names in the rustdoc of the constants;
//! - `descriptors`: the scalar type descriptors against `TypeDesc` and `Type`;
//! - `keys`: the key tables of `wire.md` against the encoder and entry points;
//! - `scan`: reading markdown and C.
//!
//! The byte examples of the spec are checked against the fixture library by
//! `tests/python/test_spec_examples.py`.
//!
//! A package of its own, beside the crates: it depends on every layer (the
//! runtime, the error encoder, the facade's `#[export]`), so no crate below the
//! facade has to dev-depend on the ones above it. It holds nothing but tests.
#![cfg(test)]

mod constants;
mod descriptors;
mod keys;
mod layouts;
mod logs;
mod scan;
mod signatures;

use scan::*;

use ferryman_abi::{
    Status, ABI_VERSION, ASYNC_HANDLE_PAYLOAD, EXT_BIG_INT, EXT_FUTURE, EXT_HOST_OBJECT,
    EXT_LENT_BYTES, EXT_LIBRARY_CLOSURE, EXT_OBJECT, EXT_STREAM, LENT_BYTES_PAYLOAD,
    OBJECT_PAYLOAD, SYMBOLS, WIRE_VERSION,
};

fn rust_symbols() -> Vec<String> {
    SYMBOLS.iter().map(|s| (*s).to_owned()).collect()
}

fn rust_statuses() -> Vec<(String, i32)> {
    Status::ALL
        .iter()
        .map(|s| (s.c_name().to_owned(), s.code()))
        .collect()
}

/// The MessagePack extension types, by the name `ferryman.h` gives them.
fn rust_extensions() -> Vec<(String, i64)> {
    [
        ("FERRYMAN_EXT_HOST_OBJECT", EXT_HOST_OBJECT),
        ("FERRYMAN_EXT_LIBRARY_CLOSURE", EXT_LIBRARY_CLOSURE),
        ("FERRYMAN_EXT_LENT_BYTES", EXT_LENT_BYTES),
        ("FERRYMAN_EXT_BIG_INT", EXT_BIG_INT),
        ("FERRYMAN_EXT_OBJECT", EXT_OBJECT),
        ("FERRYMAN_EXT_FUTURE", EXT_FUTURE),
        ("FERRYMAN_EXT_STREAM", EXT_STREAM),
    ]
    .into_iter()
    .map(|(name, value)| (name.to_owned(), i64::from(value)))
    .collect()
}

// ---- tests --------------------------------------------------------------------

#[test]
fn abi_version_is_the_same_everywhere() {
    let abi = read(ABI_MD);
    let wire = read(WIRE_MD);
    let header = strip_comments(&read(HEADER));

    assert_eq!(title_version(&abi, ABI_MD), ABI_VERSION, "{ABI_MD} title");
    assert_eq!(
        versions_table(&abi, "ABI version"),
        ABI_VERSION,
        "{ABI_MD} versions table"
    );
    assert_eq!(
        define(&header, "FERRYMAN_ABI_VERSION"),
        Some(ABI_VERSION.to_string()),
        "{HEADER}: #define FERRYMAN_ABI_VERSION"
    );
    assert_eq!(
        handshake_example(&wire, "abi"),
        ABI_VERSION,
        "{WIRE_MD} handshake example"
    );
}

#[test]
fn wire_version_is_the_same_everywhere() {
    let abi = read(ABI_MD);
    let wire = read(WIRE_MD);
    let header = strip_comments(&read(HEADER));

    assert_eq!(
        title_version(&wire, WIRE_MD),
        WIRE_VERSION,
        "{WIRE_MD} title"
    );
    assert_eq!(
        versions_table(&abi, "wire version"),
        WIRE_VERSION,
        "{ABI_MD} versions table"
    );
    assert_eq!(
        define(&header, "FERRYMAN_WIRE_VERSION"),
        Some(WIRE_VERSION.to_string()),
        "{HEADER}: #define FERRYMAN_WIRE_VERSION"
    );
    assert_eq!(
        handshake_example(&wire, "wire"),
        WIRE_VERSION,
        "{WIRE_MD} handshake example"
    );
}

#[test]
fn status_codes_in_abi_md_match_rust() {
    let abi = read(ABI_MD);
    let table: Vec<(String, i32)> = table_rows(section(&abi, "## Status codes", ABI_MD))
        .into_iter()
        .filter(|r| r.get(1).is_some_and(|n| n.starts_with("FERRY_")))
        .map(|r| {
            let code = r[0]
                .parse()
                .unwrap_or_else(|_| panic!("{ABI_MD}: status row {r:?} has no code"));
            (r[1].clone(), code)
        })
        .collect();
    assert_same("status codes", ABI_MD, &rust_statuses(), &table);
}

#[test]
fn status_codes_in_header_match_rust() {
    let header = strip_comments(&read(HEADER));
    assert_same(
        "status codes",
        HEADER,
        &rust_statuses(),
        &enum_values(&header),
    );
}

#[test]
fn symbols_in_abi_md_match_rust() {
    let abi = read(ABI_MD);
    let symbols = section(&abi, "## Symbols", ABI_MD);
    let declared = declared_functions(&strip_comments(c_block(symbols, ABI_MD)));
    assert_same("symbols", ABI_MD, &rust_symbols(), &declared);
    assert_eq!(
        declared, SYMBOLS,
        "{ABI_MD}: symbols listed in another order than SYMBOLS"
    );
    for name in SYMBOLS {
        assert!(
            symbols.contains(&format!("\n- `{name}` ")),
            "{ABI_MD}: symbol `{name}` has no bullet `- `{name}` — …` saying what it does"
        );
    }
}

#[test]
fn symbols_in_header_match_rust() {
    let header = strip_comments(&read(HEADER));
    assert_same(
        "symbols",
        HEADER,
        &rust_symbols(),
        &declared_functions(&header),
    );
}

#[test]
fn signatures_in_header_match_abi_md() {
    let abi = read(ABI_MD);
    let block = strip_comments(c_block(section(&abi, "## Symbols", ABI_MD), ABI_MD));
    let header = strip_comments(&read(HEADER));
    for name in SYMBOLS {
        let spec = declaration(&block, name)
            .unwrap_or_else(|| panic!("{ABI_MD}: no declaration of `{name}`"));
        let c = declaration(&header, name)
            .unwrap_or_else(|| panic!("{HEADER}: no declaration of `{name}`"));
        assert_eq!(c, spec, "signature of `{name}`: {HEADER} vs {ABI_MD}");
    }
}

#[test]
fn ferry_box_layout_in_header_matches_abi_md() {
    let abi = read(ABI_MD);
    let spec = normalize(&strip_comments(c_block(
        section(&abi, "## The byte box", ABI_MD),
        ABI_MD,
    )));
    let header = normalize(&strip_comments(&read(HEADER)));
    assert!(
        spec.starts_with("typedef struct FerryBox {"),
        "{ABI_MD}: the byte box block is not a `typedef struct FerryBox`: {spec}"
    );
    assert!(
        header.contains(&spec),
        "{HEADER}: FerryBox differs from {ABI_MD}\n  spec:   {spec}"
    );
}

#[test]
fn extension_types_in_header_match_rust() {
    let header = strip_comments(&read(HEADER));
    let defined: Vec<(String, i64)> = header
        .lines()
        .filter_map(|l| {
            let mut words = l.split_whitespace();
            (words.next() == Some("#define")).then_some(())?;
            let name = words.next()?.strip_prefix("FERRYMAN_EXT_")?;
            Some((format!("FERRYMAN_EXT_{name}"), leading_int(words.next()?)?))
        })
        .collect();
    assert_same("extension types", HEADER, &rust_extensions(), &defined);
}

#[test]
fn extension_types_in_callbacks_md_match_rust() {
    let md = read(CALLBACKS_MD);
    let types: Vec<i64> = table_rows(&md)
        .iter()
        .filter_map(|r| {
            r.get(2)?
                .strip_prefix("extension type **")
                .and_then(leading_int)
        })
        .collect();
    // Big integers, futures and streams are values, not callables: wire.md has them.
    let values = [EXT_BIG_INT, EXT_FUTURE, EXT_STREAM].map(i64::from);
    let rust: Vec<i64> = rust_extensions()
        .into_iter()
        .map(|(_, v)| v)
        .filter(|v| !values.contains(v))
        .collect();
    assert_same(
        "extension types (the table of kinds)",
        CALLBACKS_MD,
        &rust,
        &types,
    );
}

#[test]
fn future_and_stream_examples_in_wire_md_match_rust() {
    let wire = read(WIRE_MD);
    let heading = format!("## Futures and streams (extensions {EXT_FUTURE} and {EXT_STREAM})");
    let section = section(&wire, &heading, WIRE_MD);
    assert_eq!(ASYNC_HANDLE_PAYLOAD, 8, "fixext 8 (d7) carries the handle");
    for ext in [EXT_FUTURE, EXT_STREAM] {
        let header = format!("d7 {ext:02x}  ");
        assert!(
            section.contains(&header),
            "{WIRE_MD}: no example starting `{header}` (fixext 8 of type {ext})"
        );
    }
}

#[test]
fn lent_bytes_example_in_wire_md_matches_rust() {
    let wire = read(WIRE_MD);
    let heading = format!("## Lent bytes (extension {EXT_LENT_BYTES})");
    let section = section(&wire, &heading, WIRE_MD);
    let header = format!("c7 {LENT_BYTES_PAYLOAD:02x} {EXT_LENT_BYTES:02x}");
    assert!(
        section.contains(&header),
        "{WIRE_MD}: the lent bytes example does not start with `{header}` (ext 8, {LENT_BYTES_PAYLOAD} bytes, type {EXT_LENT_BYTES})"
    );
    let callbacks = read(CALLBACKS_MD);
    assert!(
        callbacks.contains(&header),
        "{CALLBACKS_MD}: does not show lent bytes as `{header}`"
    );
}

#[test]
fn lent_slices_section_in_wire_md_matches_rust() {
    use ferryman_abi::LENT_SLICE_PAYLOAD;
    use ferryman_wire::ItemType;
    let wire = read(WIRE_MD);
    let heading = format!("## Lent slices (extension {EXT_LENT_BYTES} with an item type)");
    let section = section(&wire, &heading, WIRE_MD);
    let header = format!("c7 {LENT_SLICE_PAYLOAD:02x} {EXT_LENT_BYTES:02x}");
    assert!(
        section.contains(&header),
        "{WIRE_MD}: the lent slice example does not start with `{header}`"
    );
    assert!(
        section.contains(&format!("**{LENT_SLICE_PAYLOAD}-byte**")),
        "{WIRE_MD}: the lent slice payload is not said to be {LENT_SLICE_PAYLOAD} bytes"
    );
    let rows = section.matches("| `0x").count();
    assert_eq!(
        rows,
        ItemType::ALL.len(),
        "{WIRE_MD}: item codes in the table"
    );
    for item in ItemType::ALL {
        let code = item.code();
        let row = format!(
            "| `{code:#04x}` `{}` | `{}` | {} |",
            code as char,
            item.name(),
            item.size()
        );
        assert!(
            section.contains(&row),
            "{WIRE_MD}: no item type row `{row}`"
        );
    }
    let example_code = format!("{:02x}                          item type d: f64", b'd');
    assert!(
        section.contains(&example_code),
        "{WIRE_MD}: the example's item code"
    );
}

#[test]
fn object_example_in_wire_md_matches_rust() {
    let wire = read(WIRE_MD);
    let heading = format!("## Objects (extension {EXT_OBJECT})");
    let section = section(&wire, &heading, WIRE_MD);
    let header = format!("c7 {OBJECT_PAYLOAD:02x} {EXT_OBJECT:02x}");
    assert!(
        section.contains(&header),
        "{WIRE_MD}: the object example does not start with `{header}` (ext 8, {OBJECT_PAYLOAD} bytes, type {EXT_OBJECT})"
    );
}
