//! The handshake and describe maps (`spec/wire.md`), as serde types.

use crate::TypeDesc;
use serde::Serialize;

/// What `ferryman_handshake` returns.
#[derive(Debug, Clone, Serialize)]
pub struct Handshake<'a> {
    pub abi: u32,
    pub wire: u32,
    pub ferryman: &'a str,
    pub library: &'a str,
    pub library_version: &'a str,
    pub functions: usize,
    /// Whether arguments may hold lent bytes (extension 3).
    pub lent_bytes: bool,
}

/// What `ferryman_describe` returns: the handshake plus every function.
#[derive(Debug, Clone, Serialize)]
pub struct Describe<'a> {
    pub abi: u32,
    pub wire: u32,
    pub ferryman: &'a str,
    pub library: &'a str,
    pub library_version: &'a str,
    pub functions: Vec<FunctionSchema<'a>>,
    /// Whether arguments may hold lent bytes (extension 3).
    pub lent_bytes: bool,
}

/// One exported function.
#[derive(Debug, Clone, Serialize)]
pub struct FunctionSchema<'a> {
    pub id: u32,
    pub name: &'a str,
    pub doc: &'a str,
    pub params: Vec<ParamSchema<'a>>,
    pub returns: TypeSchema<'a>,
    pub error: Option<ErrorSchema<'a>>,
    pub file: &'a str,
    pub line: u32,
}

/// One parameter.
#[derive(Debug, Clone, Serialize)]
pub struct ParamSchema<'a> {
    pub name: &'a str,
    #[serde(rename = "type")]
    pub ty: &'a TypeDesc,
    pub rust: &'a str,
}

/// A type, as a descriptor and as written in Rust.
#[derive(Debug, Clone, Serialize)]
pub struct TypeSchema<'a> {
    #[serde(rename = "type")]
    pub ty: &'a TypeDesc,
    pub rust: &'a str,
}

/// The error type of a function returning `Result<T, E>`.
#[derive(Debug, Clone, Serialize)]
pub struct ErrorSchema<'a> {
    pub name: &'a str,
    pub rust: &'a str,
}
