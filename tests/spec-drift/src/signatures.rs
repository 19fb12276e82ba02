//! The Rust signature of every `extern "C"` entry point against its C
//! declaration in `ferryman.h` and `spec/abi.md`, and against the header's
//! `FerrymanXxxFn` pointer types; and the symbols `ferryman-runtime` really
//! exports (`#[no_mangle]`) against `SYMBOLS`.
//!
//! The Rust side is not written down here: each entry point is cast to a
//! function pointer whose types the compiler infers from `entry.rs`, and
//! [`CType`] turns those types into C. Changing a parameter's type in Rust
//! changes the C text this test derives (or stops it compiling, for a type
//! with no C spelling), and the comparison with the header fails.

use crate::scan::*;
use ferryman_abi::{FerryBox, FerryComplete, FerryHost, SYMBOLS};
use ferryman_runtime::entry;
use std::ffi::c_void;

/// A Rust type of the ABI and how C spells it.
pub(crate) trait CType {
    fn c() -> String;
}

macro_rules! c_type {
    ($($rust:ty => $c:literal,)*) => {
        $(impl CType for $rust {
            fn c() -> String {
                $c.to_owned()
            }
        })*
    };
}

c_type! {
    () => "void",
    u8 => "uint8_t",
    u32 => "uint32_t",
    i32 => "int32_t",
    u64 => "uint64_t",
    i64 => "int64_t",
    usize => "size_t",
    *mut u8 => "uint8_t *",
    *mut c_void => "void *",
    *const FerryBox => "const FerryBox *",
    *mut FerryBox => "FerryBox *",
    *const FerryHost => "const FerryHost *",
}

/// A C function type: its return type and parameter types.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct CSignature {
    pub(crate) ret: String,
    pub(crate) params: Vec<String>,
}

/// A Rust `extern "C"` function pointer type, as a [`CSignature`].
pub(crate) trait CFunction {
    fn signature() -> CSignature;
}

macro_rules! c_function {
    ($($param:ident),*) => {
        impl<R: CType, $($param: CType),*> CFunction for unsafe extern "C" fn($($param),*) -> R {
            fn signature() -> CSignature {
                CSignature {
                    ret: R::c(),
                    params: vec![$($param::c()),*],
                }
            }
        }
    };
}

c_function!();
c_function!(A);
c_function!(A, B);
c_function!(A, B, C);
c_function!(A, B, C, D);

/// A nullable function pointer field (`FerryHost`'s) is C's `R (*)(A, …)`.
impl<F: CFunction> CType for Option<F> {
    fn c() -> String {
        let s = F::signature();
        format!("{} (*)({})", s.ret, s.params.join(", "))
    }
}

fn signature_of<F: CFunction>(_: F) -> CSignature {
    F::signature()
}

/// `(name, signature)` of entry point `name`, with the types the compiler
/// infers from its definition; only the number of parameters is written here.
macro_rules! entry_point {
    ($name:ident($($param:tt),*)) => {
        (
            stringify!($name),
            signature_of(entry::$name as unsafe extern "C" fn($($param),*) -> _),
        )
    };
}

/// Function pointer types the header names by a typedef: the name, and the
/// C text of the Rust type (a nullable pointer, `Option<fn>`).
fn named_pointer_types() -> Vec<(&'static str, String)> {
    vec![("FerryComplete", <Option<FerryComplete> as CType>::c())]
}

/// `signature` with each parameter of a named pointer type written by its name.
fn with_typedef_names(mut signature: CSignature) -> CSignature {
    for param in &mut signature.params {
        for (name, text) in named_pointer_types() {
            if *param == text {
                *param = name.to_owned();
            }
        }
    }
    signature
}

/// Every entry point of `ferryman-runtime`, as C.
fn rust_entry_points() -> Vec<(&'static str, CSignature)> {
    let all = vec![
        entry_point!(ferryman_abi_version()),
        entry_point!(ferryman_handshake(_)),
        entry_point!(ferryman_describe(_)),
        entry_point!(ferryman_function_id(_)),
        entry_point!(ferryman_call(_, _, _)),
        entry_point!(ferryman_box_free(_)),
        entry_point!(ferryman_register_host(_)),
        entry_point!(ferryman_closure_call(_, _, _)),
        entry_point!(ferryman_closure_release(_)),
        entry_point!(ferryman_live_closures(_)),
        entry_point!(ferryman_object_release(_)),
        entry_point!(ferryman_object_clone(_)),
        entry_point!(ferryman_live_objects(_)),
        entry_point!(ferryman_log_connect(_, _, _)),
        entry_point!(ferryman_log_level(_)),
        entry_point!(ferryman_completion_connect(_, _)),
        entry_point!(ferryman_future_start(_, _, _)),
        entry_point!(ferryman_future_cancel(_)),
        entry_point!(ferryman_stream_next(_, _, _)),
        entry_point!(ferryman_stream_release(_)),
        entry_point!(ferryman_live_futures(_)),
        entry_point!(ferryman_call_blocking(_, _, _)),
    ];
    all.into_iter()
        .map(|(name, signature)| (name, with_typedef_names(signature)))
        .collect()
}

#[test]
fn the_completion_typedef_matches_rust() {
    let header = normalize(&strip_comments(&read(HEADER)));
    let head = "(*FerryComplete)";
    let statement = header
        .split(';')
        .find(|s| s.contains(head) && s.trim_start().starts_with("typedef"))
        .unwrap_or_else(|| panic!("{HEADER}: no `typedef void (*FerryComplete)(...)`"));
    let c = parse_c_function(statement, head).expect("a function pointer typedef");
    assert_eq!(
        c,
        signature_of(noop as FerryComplete),
        "{HEADER}: `FerryComplete`"
    );
    let abi = read(ABI_MD);
    assert!(
        normalize(&abi).contains(&normalize(
            "typedef void (*FerryComplete)(void *context, uint64_t token, int32_t status, FerryBox *out);"
        )),
        "{ABI_MD}: \"Futures\" does not declare `FerryComplete` as the header does"
    );
}

unsafe extern "C" fn noop(_: *mut c_void, _: u64, _: i32, _: *mut FerryBox) {}

/// A C type with one space before each `*` (and none between two).
pub(crate) fn c_type(text: &str) -> String {
    let spaced = text.replace('*', " * ");
    let words: Vec<&str> = spaced.split_whitespace().collect();
    words.join(" ").replace("* *", "**")
}

/// The type of a C parameter declaration: `const FerryBox *args` → `const FerryBox *`.
pub(crate) fn param_type(param: &str) -> String {
    let param = param.trim();
    let name_start = param
        .rfind(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
        .map_or(0, |i| i + 1);
    let ty = &param[..name_start];
    // `uint32_t` alone has no name to strip; `void` is no parameter.
    let ty = if ty.trim().is_empty() { param } else { ty };
    c_type(ty)
}

/// `R name(A a, B b)` (or `R (*name)(A a, B b)`), read as a [`CSignature`]:
/// the text before `head` is the return type, the parentheses after it the
/// parameters.
pub(crate) fn parse_c_function(declaration: &str, head: &str) -> Option<CSignature> {
    let at = declaration.find(head)?;
    let ret = declaration[..at]
        .trim()
        .trim_start_matches("typedef")
        .trim();
    let rest = &declaration[at + head.len()..];
    let open = rest.find('(')?;
    let close = rest.rfind(')')?;
    let inside = rest[open + 1..close].trim();
    let params = if inside == "void" || inside.is_empty() {
        Vec::new()
    } else {
        inside.split(',').map(param_type).collect()
    };
    Some(CSignature {
        ret: c_type(ret),
        params,
    })
}

/// `ferryman_box_free` → `FerrymanBoxFreeFn`: the header's pointer type.
fn pointer_type_name(symbol: &str) -> String {
    let words = symbol.split('_').map(|w| {
        let mut chars = w.chars();
        chars
            .next()
            .map(|c| c.to_ascii_uppercase().to_string() + chars.as_str())
            .unwrap_or_default()
    });
    words.collect::<String>() + "Fn"
}

#[test]
fn every_symbol_has_an_entry_point_signature() {
    let names: Vec<&str> = rust_entry_points().iter().map(|(n, _)| *n).collect();
    assert_eq!(names, SYMBOLS, "the table above lists SYMBOLS in order");
}

#[test]
fn entry_point_signatures_match_the_header_and_abi_md() {
    let header = strip_comments(&read(HEADER));
    let abi = read(ABI_MD);
    let block = strip_comments(c_block(section(&abi, "## Symbols", ABI_MD), ABI_MD));
    for (name, rust) in rust_entry_points() {
        for (file, text) in [(HEADER, &header), (ABI_MD, &block)] {
            let c = declaration(text, name)
                .and_then(|d| parse_c_function(&d, name))
                .unwrap_or_else(|| panic!("{file}: no declaration of `{name}`"));
            assert_eq!(
                c, rust,
                "`{name}`: {file} declares it differently from its Rust definition in ferryman-runtime"
            );
        }
    }
}

#[test]
fn pointer_types_in_the_header_match_the_entry_points() {
    let header = normalize(&strip_comments(&read(HEADER)));
    for (name, rust) in rust_entry_points() {
        let typedef = pointer_type_name(name);
        let head = format!("(*{typedef})");
        let statement = header
            .split(';')
            .find(|s| s.contains(&head) && s.trim_start().starts_with("typedef"))
            .unwrap_or_else(|| panic!("{HEADER}: no `typedef ... (*{typedef})(...)` for `{name}`"));
        let c = parse_c_function(statement, &head).expect("a function pointer typedef");
        assert_eq!(c, rust, "{HEADER}: `{typedef}` differs from `{name}`");
    }
}

/// The functions marked `#[no_mangle]` in `ferryman-runtime`'s sources (every
/// `.rs` file under `src/`, at any depth): what every ferryman library exports.
fn no_mangle_functions() -> Vec<String> {
    let mut files = Vec::new();
    rust_files(&root().join("crates/ferryman-runtime/src"), &mut files);
    files.sort();
    let mut found = Vec::new();
    for file in files {
        let text = std::fs::read_to_string(&file).expect("a source file");
        for (at, _) in text.match_indices("no_mangle") {
            let after = &text[at..];
            let name = after
                .find("fn ")
                .map(|f| &after[f + 3..])
                .and_then(|rest| rest.split('(').next())
                .unwrap_or_else(|| panic!("{}: `no_mangle` without a fn", file.display()));
            found.push(name.trim().to_owned());
        }
    }
    found
}

/// The `.rs` files under `dir`, into `files`.
fn rust_files(dir: &std::path::Path, files: &mut Vec<std::path::PathBuf>) {
    for entry in std::fs::read_dir(dir).unwrap_or_else(|e| panic!("{}: {e}", dir.display())) {
        let path = entry.expect("a directory entry").path();
        if path.is_dir() {
            rust_files(&path, files);
        } else if path.extension().is_some_and(|e| e == "rs") {
            files.push(path);
        }
    }
}

#[test]
fn the_runtime_exports_exactly_symbols() {
    assert_same(
        "exported functions",
        "crates/ferryman-runtime/src (#[no_mangle])",
        &SYMBOLS.map(str::to_owned),
        &no_mangle_functions(),
    );
}

#[test]
fn the_c_readers_read_what_they_should() {
    assert_eq!(param_type("const FerryBox *args"), "const FerryBox *");
    assert_eq!(param_type("FerryBox* out"), "FerryBox *");
    assert_eq!(param_type("uint32_t"), "uint32_t");
    assert_eq!(
        parse_c_function(
            "int32_t f(uint32_t id, const FerryBox *a, FerryBox *out);",
            "f"
        ),
        Some(CSignature {
            ret: "int32_t".into(),
            params: vec![
                "uint32_t".into(),
                "const FerryBox *".into(),
                "FerryBox *".into()
            ],
        })
    );
    assert_eq!(
        parse_c_function("typedef void (*G)(void)", "(*G)"),
        Some(CSignature {
            ret: "void".into(),
            params: vec![],
        })
    );
    assert_eq!(pointer_type_name("ferryman_box_free"), "FerrymanBoxFreeFn");
    assert_eq!(
        <Option<unsafe extern "C" fn(*mut c_void, u64)>>::c(),
        "void (*)(void *, uint64_t)"
    );
}
