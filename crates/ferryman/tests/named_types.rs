//! describe's `types` (`spec/wire.md`, "Named types"): each struct and enum of
//! the exported signatures once, traced through serde, and the cases that
//! degrade to a `{"named": …}` without an entry.

use ferryman_abi::FerryBox;
use ferryman_runtime::entry::{ferryman_box_free, ferryman_describe};
use rmpv::Value;
use serde::{Deserialize, Serialize};

/// Renamed fields, a default, an option, a skipped field, bytes.
#[derive(Debug, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Options {
    pub max_depth: u32,
    #[serde(default)]
    pub verbose: bool,
    pub label: Option<String>,
    #[serde(skip)]
    pub cache: Vec<u64>,
    pub key: Vec<u8>,
    pub pairs: [i16; 2],
    pub size: usize,
}

/// A recursive type.
#[derive(Debug, Serialize, Deserialize)]
pub struct Tree {
    pub children: Vec<Tree>,
    pub parent: Option<Box<Tree>>,
}

/// An enum only reached through another enum's variant.
#[derive(Debug, Serialize, Deserialize)]
pub enum Inner {
    A,
    B { x: i8 },
}

#[derive(Debug, Serialize, Deserialize)]
#[serde(rename = "Outer")]
pub enum OuterEnum {
    First,
    Second(Inner),
}

/// Borrows: cannot be traced from `'static` code.
#[derive(Debug, Serialize, Deserialize)]
pub struct View<'a> {
    pub name: &'a str,
}

/// Only `Serialize`.
#[derive(Debug, Serialize)]
pub struct Report {
    pub lines: u32,
}

#[derive(Debug, Serialize, Deserialize)]
pub struct Wrapper<T> {
    pub inner: T,
}

pub type Ids = Vec<i64>;

mod one {
    #[derive(Debug, serde::Serialize, serde::Deserialize)]
    pub struct Same {
        pub a: i64,
    }
}

mod two {
    #[derive(Debug, serde::Serialize, serde::Deserialize)]
    pub struct Same {
        pub b: String,
    }
}

#[ferryman::export]
fn configure(options: Options, tree: &Tree, outer: Vec<OuterEnum>) -> Option<Options> {
    let _ = (tree, outer);
    Some(options)
}

#[ferryman::export]
fn degrade(view: View<'_>, wrapped: Wrapper<i64>, ids: Ids) -> Report {
    let _ = (view, wrapped, ids);
    Report { lines: 0 }
}

#[ferryman::export]
fn wrapped_text(wrapped: Wrapper<String>) -> String {
    wrapped.inner
}

#[ferryman::export]
fn same_one(same: one::Same) -> i64 {
    same.a
}

#[ferryman::export]
fn same_two(same: two::Same) -> String {
    same.b
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

fn types() -> Vec<(String, String)> {
    get(&describe(), "types")
        .as_array()
        .unwrap()
        .iter()
        .map(|t| (get(t, "name").as_str().unwrap().to_owned(), t.to_string()))
        .collect()
}

fn entry(name: &str) -> Option<String> {
    types().into_iter().find(|(n, _)| n == name).map(|(_, t)| t)
}

#[test]
fn types_are_sorted_by_name_and_listed_once() {
    let names: Vec<String> = types().into_iter().map(|(n, _)| n).collect();
    assert_eq!(names, ["Options", "Outer", "Tree"]);
}

#[test]
fn serde_attributes_are_applied() {
    assert_eq!(
        entry("Options").unwrap(),
        r#"{"name": "Options", "doc": nil, "kind": "struct", "fields": [{"name": "maxDepth", "type": "u32", "optional": false}, {"name": "verbose", "type": "bool", "optional": true}, {"name": "label", "type": {"option": "str"}, "optional": true}, {"name": "key", "type": "bytes", "optional": false}, {"name": "pairs", "type": {"list": "i16"}, "optional": false}, {"name": "size", "type": "u64", "optional": false}]}"#
    );
}

#[test]
fn recursive_types_are_described() {
    assert_eq!(
        entry("Tree").unwrap(),
        r#"{"name": "Tree", "doc": nil, "kind": "struct", "fields": [{"name": "children", "type": {"list": {"named": "Tree"}}, "optional": false}, {"name": "parent", "type": {"option": {"named": "Tree"}}, "optional": true}]}"#
    );
}

/// serde-reflection reaches an enum inside another enum's variant in too few
/// passes to see all its variants: it has no entry rather than a wrong one.
#[test]
fn an_enum_only_inside_a_variant_has_no_entry() {
    assert_eq!(entry("Inner"), None);
    assert_eq!(
        entry("Outer").unwrap(),
        r#"{"name": "Outer", "doc": nil, "kind": "enum", "variants": [{"name": "First", "kind": "unit"}, {"name": "Second", "kind": "newtype", "type": {"named": "Inner"}}]}"#
    );
}

#[test]
fn descriptors_name_types_as_serde_does() {
    let described = describe();
    let configure = get(&described, "functions").as_array().unwrap()[0].clone();
    assert_eq!(get(&configure, "name").as_str(), Some("configure"));
    let outer = &get(&configure, "params").as_array().unwrap()[2];
    assert_eq!(
        get(outer, "type").to_string(),
        r#"{"list": {"named": "Outer"}}"#
    );
    assert_eq!(get(outer, "rust").as_str(), Some("Vec<OuterEnum>"));
}

#[test]
fn untraceable_types_keep_their_descriptor_without_an_entry() {
    let described = describe();
    let degrade = &get(&described, "functions").as_array().unwrap()[1];
    let params: Vec<String> = get(degrade, "params")
        .as_array()
        .unwrap()
        .iter()
        .map(|p| get(p, "type").to_string())
        .collect();
    assert_eq!(
        params,
        [
            r#"{"named": "View<'_>"}"#,
            r#"{"named": "Wrapper<i64>"}"#,
            r#"{"named": "Ids"}"#
        ]
    );
    assert_eq!(
        get(get(degrade, "returns"), "type").to_string(),
        r#"{"named": "Report"}"#
    );
    for name in ["View", "Wrapper", "Report", "Same", "Ids"] {
        assert_eq!(entry(name), None, "{name}");
    }
}
