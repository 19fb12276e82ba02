//! Generated code names everything by absolute path and needs no `unsafe`:
//! it compiles in a crate without the prelude that forbids unsafe code, and
//! local names of the shim cannot collide with the user's.
#![no_implicit_prelude]
#![forbid(unsafe_code)]

use ::ferryman::__private::{inventory, Export, TypeDesc};
use ::std::convert::From;
use ::std::string::String;
use ::std::vec::Vec;
use ::std::{assert, assert_eq, format, panic};

#[derive(::std::fmt::Debug, ::thiserror::Error, ::serde::Serialize)]
pub enum MathError {
    #[error("division by zero")]
    DivisionByZero,
    #[error("{value} does not fit")]
    Overflow { value: i64 },
}

#[derive(::std::fmt::Debug, ::thiserror::Error)]
#[error("not a number: {0}")]
pub struct ParseError(String);

pub type Result<T> = ::std::result::Result<T, ParseError>;

#[derive(::serde::Serialize, ::serde::Deserialize)]
pub struct Point {
    pub x: f64,
    pub y: f64,
}

/// Says hello.
///
/// Borrows `name` from the input.
#[::ferryman::export]
pub fn greet(name: &str) -> String {
    format!("hello, {name}")
}

/// Sums the bytes.
#[::ferryman::export]
pub fn checksum(data: &[u8]) -> u32 {
    let mut sum = 0u32;
    for byte in data {
        sum = sum.wrapping_add(u32::from(*byte));
    }
    sum
}

#[::ferryman::export]
pub fn divide(a: i64, b: i64) -> ::std::result::Result<i64, MathError> {
    if b == 0 {
        return ::std::result::Result::Err(MathError::DivisionByZero);
    }
    a.checked_div(b).ok_or(MathError::Overflow { value: a })
}

#[::ferryman::export]
pub fn parse(text: String) -> Result<i64> {
    ::std::str::FromStr::from_str(&text).map_err(|_| ParseError(text))
}

#[::ferryman::export]
pub fn reset() {}

#[::ferryman::export(name = "reversed")]
pub fn reverse(mut bytes: Vec<u8>) -> Vec<u8> {
    bytes.reverse();
    bytes
}

#[::ferryman::export]
pub fn mean<'a>(values: &'a [f64], label: &'a str) -> ::std::option::Option<(String, f64)> {
    if values.is_empty() {
        return ::std::option::Option::None;
    }
    let sum: f64 = ::std::iter::Iterator::sum(values.iter());
    ::std::option::Option::Some((String::from(label), sum / values.len() as f64))
}

#[::ferryman::export]
pub fn norm(point: &Point) -> f64 {
    (point.x * point.x + point.y * point.y).sqrt()
}

/// A type of the user's that happens to be called `Bytes`: the shim decodes
/// and encodes it through serde (only `ferryman::Bytes` has a direct path).
pub mod mine {
    #[derive(::serde::Serialize, ::serde::Deserialize)]
    pub struct Bytes(pub ::std::vec::Vec<u8>);
}

#[::ferryman::export]
pub fn reverse_mine(data: mine::Bytes) -> mine::Bytes {
    let mut bytes = data.0;
    bytes.reverse();
    mine::Bytes(bytes)
}

#[::ferryman::export]
pub fn reverse_ours(data: ::ferryman::Bytes) -> ::ferryman::Bytes {
    let mut bytes = data.to_vec();
    bytes.reverse();
    ::ferryman::Bytes::from(bytes)
}

/// The shim's own local names are not the user's.
#[::ferryman::export]
pub fn collide(__call: i64, __ret: i64, __arg0: i64, __value: &str) -> i64 {
    __call + __ret + __arg0 + __value.len() as i64
}

#[::ferryman::export]
pub fn r#type(r#match: bool) -> bool {
    r#match
}

fn find(name: &str) -> &'static Export {
    for export in inventory::iter::<Export> {
        if export.name == name {
            return export;
        }
    }
    panic!("`{name}` was not registered")
}

/// Defaults are written as absolute paths too.
#[::ferryman::export(defaults(width = 8, fill = "*", ratio = 0.5, on = true))]
pub fn padded(text: String, width: usize, fill: &str, ratio: f64, on: bool, tag: ::std::option::Option<String>) -> String {
    let _ = (ratio, on, tag);
    format!("{text:>width$}{fill}")
}

fn main() {
    let mut names: Vec<&str> = Vec::new();
    for export in inventory::iter::<Export> {
        names.push(export.name);
    }
    names.sort();
    assert_eq!(
        names,
        [
            "checksum",
            "collide",
            "divide",
            "greet",
            "mean",
            "norm",
            "padded",
            "parse",
            "reset",
            "reverse_mine",
            "reverse_ours",
            "reversed",
            "type",
        ]
    );

    let padded = find("padded");
    assert!(padded.params[0].default.is_none());
    assert_eq!(padded.params[1].default, ::std::option::Option::Some(&[0x08u8][..]));
    assert_eq!(padded.params[5].default, ::std::option::Option::Some(&[0xc0u8][..]));

    let greet = find("greet");
    assert_eq!(greet.doc, "Says hello.\n\nBorrows `name` from the input.");
    assert_eq!(greet.line, 37);
    assert!(greet.file.ends_with("exports-under-no-implicit-prelude.rs"));
    assert!(greet.rust_path.ends_with("::greet"));
    assert_eq!(greet.params[0].name, "name");
    assert_eq!(greet.params[0].rust, "&str");
    assert_eq!(*greet.params[0].ty, TypeDesc::Str);
    assert_eq!(greet.returns_rust, "String");
    assert!(greet.error.is_none());

    let divide = find("divide");
    assert_eq!(*divide.returns, TypeDesc::I64);
    assert!(divide
        .error
        .is_some_and(|name| name().ends_with("MathError")));
    assert!(find("parse")
        .error
        .is_some_and(|name| name().ends_with("ParseError")));

    assert_eq!(*find("reset").returns, TypeDesc::Unit);
    assert_eq!(find("reset").params.len(), 0);
    assert_eq!(*find("reversed").returns, TypeDesc::Bytes);
    assert!(find("reversed").rust_path.ends_with("::reverse"));
    assert_eq!(*find("checksum").params[0].ty, TypeDesc::Bytes);
    assert_eq!(find("mean").params[0].rust, "&'a [f64]");
    assert_eq!(
        *find("mean").returns,
        TypeDesc::Option(&TypeDesc::Tuple(&[TypeDesc::Str, TypeDesc::F64]))
    );
    assert_eq!(*find("norm").params[0].ty, TypeDesc::Named("Point"));
    assert_eq!(find("type").params[0].name, "match");
}
