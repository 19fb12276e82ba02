//! The keys `spec/wire.md` lists for error values, the handshake and describe
//! against what the code writes: the error value encoder (`ErrorView`), the
//! `ErrorValue`/`Cause`/`Frame` serde types, and the real `ferryman_handshake`
//! and `ferryman_describe` of this test binary, which exports three functions.

use crate::scan::*;
use ferryman_abi::FerryBox;
use ferryman_error::{Cause, ErrorValue, ErrorView, Frame, FrameView, Message};
use ferryman_runtime::entry::{ferryman_box_free, ferryman_describe, ferryman_handshake};
use rmpv::Value;
use std::collections::BTreeSet;

/// Adds (exported so that describe has something to describe).
#[ferryman::export]
pub fn drift_add(a: i64, b: i64) -> i64 {
    a + b
}

/// Fails (exported so that describe has an `error`).
#[ferryman::export]
pub fn drift_fail() -> std::io::Result<()> {
    Err(std::io::Error::other("drift"))
}

/// Has defaults (exported so that describe has `default` keys).
#[ferryman::export(defaults(top = 10))]
pub fn drift_join(words: Vec<String>, top: usize, sep: Option<String>) -> String {
    let sep = sep.unwrap_or_default();
    words.into_iter().take(top).collect::<Vec<_>>().join(&sep)
}

/// A class (exported so that describe has `classes`).
#[ferryman::export]
pub struct DriftThing;

#[ferryman::export]
impl DriftThing {
    /// Makes one.
    pub fn new() -> Self {
        DriftThing
    }
}

/// The keys of MessagePack map `value`, in order.
fn keys(value: &Value) -> Vec<String> {
    value
        .as_map()
        .unwrap_or_else(|| panic!("not a map: {value}"))
        .iter()
        .map(|(k, _)| k.as_str().expect("a string key").to_owned())
        .collect()
}

fn get<'v>(value: &'v Value, key: &str) -> &'v Value {
    value
        .as_map()
        .and_then(|m| m.iter().find(|(k, _)| k.as_str() == Some(key)))
        .map(|(_, v)| v)
        .unwrap_or_else(|| panic!("no key {key} in {value}"))
}

fn set(keys: impl IntoIterator<Item = impl Into<String>>) -> BTreeSet<String> {
    keys.into_iter().map(Into::into).collect()
}

/// `"key":` occurrences in `text`, in order.
fn quoted_keys(text: &str) -> Vec<String> {
    let parts: Vec<&str> = text.split('"').collect();
    (1..parts.len())
        .step_by(2)
        .filter(|&i| {
            parts
                .get(i + 1)
                .is_some_and(|next| next.trim_start().starts_with(':'))
        })
        .map(|i| parts[i].to_owned())
        .collect()
}

/// The rows of the table of `## Error values` in wire.md: (key, type, meaning).
fn error_value_table() -> Vec<Vec<String>> {
    let wire = read(WIRE_MD);
    let text = section(&wire, "## Error values", WIRE_MD);
    // The table of keys, not the one of `### Error bases` below it.
    let text = text.split("\n### ").next().unwrap_or(text);
    table_rows(text)
        .into_iter()
        .filter(|row| row.first().is_some_and(|key| key != "key"))
        .collect()
}

fn error_value_row(key: &str) -> Vec<String> {
    error_value_table()
        .into_iter()
        .find(|row| row[0] == key)
        .unwrap_or_else(|| panic!("{WIRE_MD}: no row `{key}` in the error value table"))
}

/// An error value as the encoder writes it, with a cause and a frame.
fn written_error_value() -> Value {
    let causes = [Cause::default()];
    let frames = [Frame::default()];
    let mut view = ErrorView::new("error", "T", Message::Text("m"));
    view.causes = &causes;
    view.first_frame = Some(FrameView {
        function: "f",
        file: "f.rs",
        line: 1,
        column: 1,
        language: "rust",
    });
    view.frames = &frames;
    let mut bytes = Vec::new();
    view.write(&mut bytes);
    rmpv::decode::read_value(&mut &bytes[..]).expect("one value")
}

fn serialized<T: serde::Serialize>(value: &T) -> Value {
    let bytes = rmp_serde::to_vec_named(value).expect("serializes");
    rmpv::decode::read_value(&mut &bytes[..]).expect("one value")
}

#[test]
fn error_value_keys_in_wire_md_are_what_the_encoder_writes_in_order() {
    let table: Vec<String> = error_value_table()
        .into_iter()
        .map(|r| r[0].clone())
        .collect();
    assert_eq!(
        keys(&written_error_value()),
        table,
        "{WIRE_MD}: the error value table and ErrorView::write (keys, in order)"
    );
    assert_eq!(
        set(keys(&serialized(&ErrorValue::default()))),
        set(table),
        "{WIRE_MD}: the error value table and ferryman_error::ErrorValue"
    );
}

#[test]
fn cause_and_frame_keys_in_wire_md_are_what_the_code_writes() {
    let value = written_error_value();
    for (key, rust) in [
        ("causes", serialized(&Cause::default())),
        ("frames", serialized(&Frame::default())),
    ] {
        let row = error_value_row(key);
        let spec = set(quoted_keys(&row[2]));
        let written = &get(&value, key).as_array().expect("an array")[0];
        assert_eq!(
            set(keys(written)),
            spec,
            "{WIRE_MD}: `{key}` entries and ErrorView::write"
        );
        assert_eq!(
            set(keys(&rust)),
            spec,
            "{WIRE_MD}: `{key}` entries and the serde type"
        );
    }
}

/// A map the entry point `write` returns, decoded.
fn read_map(write: unsafe extern "C" fn(*mut FerryBox) -> i32) -> Value {
    let mut out = FerryBox::EMPTY;
    // SAFETY: `out` is the empty box; the library box is read, then freed once.
    unsafe {
        assert_eq!(write(&mut out), 0);
        let value = rmpv::decode::read_value(&mut std::slice::from_raw_parts(out.ptr, out.len))
            .expect("one value");
        ferryman_box_free(&mut out);
        value
    }
}

/// The first ```` ``` ```` block after `heading` in wire.md, as JSON: the spec
/// writes nil for null and `N` for a count.
fn wire_example(heading: &str) -> serde_json::Value {
    let wire = read(WIRE_MD);
    let text = section(&wire, heading, WIRE_MD);
    let start = text
        .find("```\n")
        .unwrap_or_else(|| panic!("{WIRE_MD}: no example block under {heading:?}"))
        + 4;
    let block = &text[start..start + text[start..].find("```").expect("a closed block")];
    let json = block
        .replace("nil", "null")
        .replace(": N,", ": 0,")
        .replace(": N}", ": 0}");
    let json = if json.trim_start().starts_with('{') {
        json
    } else {
        format!("{{{json}}}")
    };
    serde_json::from_str(&json).unwrap_or_else(|e| {
        panic!("{WIRE_MD}: the example under {heading:?} does not read: {e}\n{json}")
    })
}

fn json_keys(value: &serde_json::Value) -> BTreeSet<String> {
    value
        .as_object()
        .unwrap_or_else(|| panic!("not an object: {value}"))
        .keys()
        .cloned()
        .collect()
}

#[test]
fn handshake_keys_in_wire_md_are_what_the_library_writes() {
    let handshake = read_map(ferryman_handshake);
    let example = wire_example("## Handshake");
    assert_eq!(
        set(keys(&handshake)),
        json_keys(&example),
        "{WIRE_MD}: handshake example"
    );
    // `drift_add`, `drift_fail`, `drift_join` and `DriftThing.new`.
    assert_eq!(get(&handshake, "functions").as_u64(), Some(4));
}

#[test]
fn describe_keys_in_wire_md_are_what_the_library_writes() {
    let describe = read_map(ferryman_describe);
    let handshake = read_map(ferryman_handshake);
    let mut handshake_and_types = set(keys(&handshake));
    handshake_and_types.insert("types".to_owned());
    handshake_and_types.insert("classes".to_owned());
    assert_eq!(
        set(keys(&describe)),
        handshake_and_types,
        "describe is the handshake map with `functions` an array, plus `types` and `classes`"
    );
    let example = wire_example("## Describe");
    // The function keys `wire.md` lists in its table are those of the example.
    let table: BTreeSet<String> = section(&read(WIRE_MD), "## Describe", WIRE_MD)
        .split("### Named types")
        .next()
        .unwrap()
        .lines()
        .filter_map(|line| line.strip_prefix("| `"))
        .filter_map(|rest| rest.split('`').next())
        .map(str::to_owned)
        .collect();
    assert_eq!(
        table,
        json_keys(&example["functions"][0]),
        "{WIRE_MD}: describe's function table"
    );
    let function = &example["functions"][0];
    let functions = get(&describe, "functions").as_array().expect("an array");
    let named = |name: &str| {
        functions
            .iter()
            .find(|f| get(f, "name").as_str() == Some(name))
            .unwrap_or_else(|| panic!("no function {name}"))
    };
    let add = named("drift_add");
    assert_eq!(
        set(keys(add)),
        json_keys(function),
        "{WIRE_MD}: a function description"
    );
    assert_eq!(
        set(keys(&get(add, "params").as_array().unwrap()[0])),
        json_keys(&function["params"][0]),
        "{WIRE_MD}: a parameter"
    );
    assert_eq!(
        set(keys(get(add, "returns"))),
        json_keys(&function["returns"]),
        "{WIRE_MD}: `returns`"
    );
    // `error`, shown in the prose after the example.
    let wire = read(WIRE_MD);
    let prose = section(&wire, "## Describe", WIRE_MD);
    let at = prose
        .find("`error`\nis `{")
        .or_else(|| prose.find("`error` is `{"));
    let error_example = at
        .map(|at| &prose[at..])
        .and_then(|text| text.find('{').map(|open| &text[open..]))
        .and_then(|text| text.find('}').map(|close| &text[..=close]))
        .unwrap_or_else(|| panic!("{WIRE_MD}: no `error` is `{{...}}` after the describe example"));
    let fail = named("drift_fail");
    assert_eq!(
        set(keys(get(fail, "error"))),
        set(quoted_keys(error_example))
    );
    assert_eq!(
        get(get(fail, "error"), "rust").as_str(),
        Some("std::io::error::Error")
    );
}

#[test]
fn default_key_in_wire_md_is_what_the_library_writes() {
    let describe = read_map(ferryman_describe);
    let functions = get(&describe, "functions").as_array().expect("an array");
    let join = functions
        .iter()
        .find(|f| get(f, "name").as_str() == Some("drift_join"))
        .expect("drift_join");
    assert_eq!(get(join, "name").as_str(), Some("drift_join"));
    let params = get(join, "params").as_array().expect("an array");
    let example = wire_example("### Defaults");
    assert_eq!(
        set(keys(&params[1])),
        json_keys(&example),
        "{WIRE_MD}: a parameter with a default"
    );
    assert_eq!(get(&params[1], "default").as_u64(), Some(10));
    // Absent for a required parameter; nil for a trailing `Option`.
    assert!(!keys(&params[0]).contains(&"default".to_owned()));
    assert!(get(&params[2], "default").is_nil());
}

#[test]
fn class_keys_in_wire_md_are_what_the_library_writes() {
    let describe = read_map(ferryman_describe);
    let classes = get(&describe, "classes").as_array().expect("an array");
    assert_eq!(classes.len(), 1);
    let class = &classes[0];
    let example = wire_example("### Classes in describe");
    assert_eq!(
        set(keys(class)),
        json_keys(&example),
        "{WIRE_MD}: the class example"
    );
    // The table lists the same keys (`file`, `line` share a row).
    let wire = read(WIRE_MD);
    let table: BTreeSet<String> = table_rows(section(&wire, "### Classes in describe", WIRE_MD))
        .into_iter()
        .filter_map(|row| row.first().cloned())
        .filter(|key| key != "key" && key != "protocol")
        .flat_map(|key| {
            key.split(',')
                .map(|k| k.trim().trim_matches('`').to_owned())
                .collect::<Vec<_>>()
        })
        .filter(|key| json_keys(&example).contains(key))
        .collect();
    assert_eq!(table, json_keys(&example), "{WIRE_MD}: the class table");
    // Its constructor is a function of kind `constructor` naming the class.
    let functions = get(&describe, "functions").as_array().unwrap();
    let id = get(class, "constructor").as_u64().expect("a constructor") as usize;
    assert_eq!(get(&functions[id], "name").as_str(), Some("DriftThing.new"));
    assert_eq!(get(&functions[id], "class").as_str(), Some("DriftThing"));
    assert_eq!(get(&functions[id], "kind").as_str(), Some("constructor"));
    assert_eq!(
        get(get(&functions[id], "returns"), "type").to_string(),
        r#"{"object": "DriftThing"}"#
    );
}

#[test]
fn quoted_keys_reads_what_it_should() {
    assert_eq!(
        quoted_keys(r#"{"type": str or nil, "message": str, "a": {"b": 1}} "x" "#),
        ["type", "message", "a", "b"]
    );
}

/// The categories of `## Error bases` in wire.md, in order.
fn error_bases_in_wire_md() -> Vec<String> {
    let wire = read(WIRE_MD);
    let text = section(&wire, "## Error bases", WIRE_MD);
    let text = text.split("\n## ").next().unwrap_or(text);
    table_rows(text)
        .into_iter()
        .filter_map(|row| row.first().cloned())
        .filter(|base| base != "base")
        .collect()
}

#[test]
fn error_bases_in_wire_md_are_the_ones_the_attribute_accepts() {
    assert_eq!(
        error_bases_in_wire_md(),
        ferryman_abi::ERROR_BASES.to_vec(),
        "{WIRE_MD}: `## Error bases` and ferryman_abi::ERROR_BASES (in order)"
    );
}

#[test]
fn describe_names_the_base_of_an_io_error() {
    let describe = read_map(ferryman_describe);
    let functions = get(&describe, "functions").as_array().expect("an array");
    let fail = functions
        .iter()
        .find(|f| get(f, "name").as_str() == Some("drift_fail"))
        .expect("drift_fail");
    assert_eq!(get(get(fail, "error"), "base").as_str(), Some("os"));
}
