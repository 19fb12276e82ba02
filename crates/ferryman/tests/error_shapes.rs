//! describe's `error.type` (`spec/wire.md`, "Describe"): the shape of an error
//! type marked `#[ferryman::error]` that derives `Serialize`, listed in
//! `types` as it serializes, with the named types of its fields; nil when the
//! form is unknown or its name is another type's.

use ferryman_abi::FerryBox;
use ferryman_runtime::entry::{ferryman_box_free, ferryman_describe};
use rmpv::Value;
use serde::{Deserialize, Serialize};

/// Renamed variants and fields, a skipped field, a record in a newtype variant.
#[ferryman::error]
#[derive(Debug, Serialize, thiserror::Error)]
#[serde(rename_all = "snake_case", rename_all_fields = "camelCase")]
pub enum FitError {
    #[error("too wide")]
    TooWide {
        max_width: u32,
        #[serde(skip)]
        scratch: u8,
        #[serde(skip_serializing_if = "Option::is_none")]
        note: Option<String>,
    },
    #[error("bad")]
    Bad(String, usize),
    #[error("limits")]
    Limits(Limits),
}

/// A record only an error's variant holds, renamed by serde.
#[derive(Debug, Serialize, Deserialize)]
#[serde(rename = "Lim")]
pub struct Limits {
    pub low: i32,
}

/// Also `Deserialize`, and a parameter: its traced entry describes it.
#[ferryman::error]
#[derive(Debug, Serialize, Deserialize, thiserror::Error)]
#[error("echoed")]
pub struct EchoError {
    pub code: i64,
}

/// Named like a different parameter type: neither is described.
#[ferryman::error]
#[derive(Debug, Serialize, thiserror::Error)]
#[serde(rename = "Clash")]
#[error("clash")]
pub struct ClashError {
    pub a: i64,
}

#[derive(Debug, Serialize, Deserialize)]
pub struct Clash {
    pub b: String,
}

/// A tag: the form is not the type's shape.
#[ferryman::error]
#[derive(Debug, Serialize, thiserror::Error)]
#[serde(tag = "kind")]
pub enum TaggedError {
    #[error("a")]
    A { x: i64 },
}

/// Not `Serialize`.
#[ferryman::error]
#[derive(Debug, thiserror::Error)]
pub enum PlainError {
    #[error("a")]
    A,
}

#[ferryman::export]
fn fit(width: u32) -> Result<u32, FitError> {
    Ok(width)
}

#[ferryman::export]
fn echo(error: EchoError) -> Result<(), EchoError> {
    Err(error)
}

#[ferryman::export]
fn clash(clash: Clash) -> Result<String, ClashError> {
    Ok(clash.b)
}

#[ferryman::export]
fn tagged() -> Result<(), TaggedError> {
    Ok(())
}

#[ferryman::export]
fn plain() -> Result<(), PlainError> {
    Ok(())
}

fn describe() -> Value {
    let mut out = FerryBox::EMPTY;
    // SAFETY: `out` is the empty box.
    assert_eq!(unsafe { ferryman_describe(&mut out) }, 0);
    // SAFETY: a library box with `len` bytes.
    let value =
        rmpv::decode::read_value(&mut unsafe { std::slice::from_raw_parts(out.ptr, out.len) })
            .unwrap();
    // SAFETY: freed once.
    unsafe { ferryman_box_free(&mut out) };
    value
}

fn get<'v>(map: &'v Value, key: &str) -> &'v Value {
    map.as_map()
        .unwrap()
        .iter()
        .find(|(k, _)| k.as_str() == Some(key))
        .map(|(_, v)| v)
        .unwrap_or_else(|| panic!("no key {key:?} in {map}"))
}

/// The `error` map of function `name`.
fn error_of(name: &str) -> String {
    let described = describe();
    let function = get(&described, "functions")
        .as_array()
        .unwrap()
        .iter()
        .find(|f| get(f, "name").as_str() == Some(name))
        .unwrap()
        .clone();
    get(&function, "error").to_string()
}

fn entry(name: &str) -> Option<String> {
    get(&describe(), "types")
        .as_array()
        .unwrap()
        .iter()
        .find(|t| get(t, "name").as_str() == Some(name))
        .map(Value::to_string)
}

#[test]
fn an_error_enum_is_described_as_it_serializes() {
    assert_eq!(
        error_of("fit"),
        r#"{"name": "FitError", "rust": "error_shapes::FitError", "base": nil, "variants": ["too_wide", "bad", "limits"], "type": {"named": "FitError"}}"#
    );
    assert_eq!(
        entry("FitError").unwrap(),
        r#"{"name": "FitError", "doc": nil, "kind": "enum", "variants": [{"name": "too_wide", "kind": "struct", "fields": [{"name": "maxWidth", "type": "u32", "optional": false}, {"name": "note", "type": {"option": "str"}, "optional": true}]}, {"name": "bad", "kind": "tuple", "items": ["str", "u64"]}, {"name": "limits", "kind": "newtype", "type": {"named": "Lim"}}]}"#
    );
    // The record its variant holds is listed too, by serde's name.
    assert_eq!(
        entry("Lim").unwrap(),
        r#"{"name": "Lim", "doc": nil, "kind": "struct", "fields": [{"name": "low", "type": "i32", "optional": false}]}"#
    );
}

#[test]
fn an_error_that_is_also_a_record_keeps_its_traced_entry() {
    assert!(error_of("echo").ends_with(r#""type": {"named": "EchoError"}}"#));
    assert_eq!(
        entry("EchoError").unwrap(),
        r#"{"name": "EchoError", "doc": nil, "kind": "struct", "fields": [{"name": "code", "type": "i64", "optional": false}]}"#
    );
}

#[test]
fn unknown_forms_and_shared_names_are_nil() {
    for function in ["clash", "tagged", "plain"] {
        assert!(
            error_of(function).ends_with(r#""type": nil}"#),
            "{function}"
        );
    }
    assert_eq!(entry("Clash"), None);
    assert_eq!(entry("TaggedError"), None);
    assert_eq!(entry("PlainError"), None);
}
