//! `FerryBox` and `FerryHost` field by field: names, C types and order in
//! Rust against the structs in `ferryman.h`, and the header's structs against
//! the ones `spec/abi.md` shows.

use crate::scan::*;
use crate::signatures::{c_type, parse_c_function, CType};
use ferryman_abi::{FerryBox, FerryHost};
use std::mem::offset_of;

/// The C type of the field a field accessor reads.
fn c_type_of<S, F: CType>(_: for<'a> fn(&'a S) -> &'a F) -> String {
    F::c()
}

/// `[(field, C type, offset)]` of struct `$ty`, in declaration order. The
/// destructuring pattern (no `..`) stops compiling when a field is added or
/// removed without being listed here.
macro_rules! fields {
    ($ty:ident { $($field:ident),* $(,)? }) => {{
        #[allow(unused)]
        fn exhaustive(value: $ty) {
            let $ty { $($field: _),* } = value;
        }
        vec![$((
            stringify!($field).to_owned(),
            c_type_of(|value: &$ty| &value.$field),
            offset_of!($ty, $field),
        )),*]
    }};
}

/// `(field, C type)` of `typedef struct NAME { ... } NAME;` in C source
/// (comments stripped); a function pointer field is `R (*)(A, …)`.
fn c_fields(c: &str, name: &str, file: &str) -> Vec<(String, String)> {
    let open = format!("typedef struct {name} {{");
    let start = c
        .find(&open)
        .unwrap_or_else(|| panic!("{file}: no `{open}`"))
        + open.len();
    let end = start
        + c[start..]
            .find(&format!("}} {name};"))
            .unwrap_or_else(|| panic!("{file}: `{open}` does not end with `}} {name};`"));
    c[start..end]
        .split(';')
        .map(str::trim)
        .filter(|field| !field.is_empty())
        .map(|field| {
            if let Some(at) = field.find("(*") {
                let name_end = field[at..].find(')').expect("`(*name)`") + at;
                let name = field[at + 2..name_end].trim();
                let signature = parse_c_function(field, &format!("(*{name})"))
                    .unwrap_or_else(|| panic!("{file}: cannot read field {field:?}"));
                let c = format!("{} (*)({})", signature.ret, signature.params.join(", "));
                (name.to_owned(), c)
            } else {
                let split = field
                    .rfind(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
                    .unwrap_or_else(|| panic!("{file}: cannot read field {field:?}"));
                (field[split + 1..].to_owned(), c_type(&field[..=split]))
            }
        })
        .collect()
}

fn check_struct(name: &str, rust: Vec<(String, String, usize)>) {
    let header = strip_comments(&read(HEADER));
    let offsets: Vec<usize> = rust.iter().map(|(_, _, offset)| *offset).collect();
    assert!(
        offsets.windows(2).all(|w| w[0] < w[1]),
        "{name}: Rust fields are not in memory order: {rust:?}"
    );
    let rust: Vec<(String, String)> = rust.into_iter().map(|(f, c, _)| (f, c)).collect();
    assert_eq!(
        c_fields(&header, name, HEADER),
        rust,
        "{name}: {HEADER} differs from the #[repr(C)] struct in ferryman-abi"
    );
}

#[test]
fn ferry_box_fields_match_the_header() {
    check_struct("FerryBox", fields!(FerryBox { ptr, len, cap }));
}

#[test]
fn ferry_host_fields_match_the_header() {
    check_struct(
        "FerryHost",
        fields!(FerryHost {
            abi_version,
            context,
            invoke,
            retain,
            release,
            free_box,
            check_interrupt,
        }),
    );
}

#[test]
fn ferry_host_in_header_matches_abi_md() {
    let abi = read(ABI_MD);
    let spec = normalize(&strip_comments(c_block(
        section(&abi, "## Callbacks", ABI_MD),
        ABI_MD,
    )));
    let header = normalize(&strip_comments(&read(HEADER)));
    assert!(
        spec.starts_with("typedef struct FerryHost {"),
        "{ABI_MD}: the Callbacks block is not a `typedef struct FerryHost`: {spec}"
    );
    assert!(
        header.contains(&spec),
        "{HEADER}: FerryHost differs from {ABI_MD}\n  spec:   {spec}"
    );
}

#[test]
fn the_struct_reader_reads_what_it_should() {
    let c = "typedef struct S { uint8_t *ptr; int32_t (*f)(void *c, uint64_t h); } S;";
    assert_eq!(
        c_fields(c, "S", "x"),
        [
            ("ptr".to_owned(), "uint8_t *".to_owned()),
            ("f".to_owned(), "int32_t (*)(void *, uint64_t)".to_owned())
        ]
    );
}
