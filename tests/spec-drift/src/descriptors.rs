//! The scalar type descriptors: `spec/wire.md` ("Type descriptors" lists them,
//! the Arguments table gives each a row) against the library's `TypeDesc`
//! and the hosts' `ferryman_host::Type`.

use crate::scan::{assert_same, read, section};
use ferryman_host::Type;
use ferryman_wire::TypeDesc;

const WIRE_MD: &str = "spec/wire.md";

fn rust_scalars() -> Vec<String> {
    TypeDesc::SCALARS
        .iter()
        .map(|desc| {
            let name = desc.scalar_name().expect("SCALARS holds scalars only");
            // Serialized as the bare string hosts read.
            let bytes = rmp_serde::to_vec(desc).unwrap();
            assert_eq!(rmp_serde::from_slice::<String>(&bytes).unwrap(), name);
            name.to_owned()
        })
        .collect()
}

/// The quoted names of "A type descriptor is either a string — `"unit" …` —".
fn spec_scalars() -> Vec<String> {
    let wire = read(WIRE_MD);
    let text = section(&wire, "### Type descriptors", WIRE_MD);
    let start = text
        .find("either a string — `")
        .expect("wire.md: the list of scalar descriptors")
        + "either a string — `".len();
    let list = &text[start..];
    let list = &list[..list.find('`').expect("the list's closing backquote")];
    list.split_whitespace()
        .map(|name| name.trim_matches('"').to_owned())
        .collect()
}

#[test]
fn scalar_descriptors_match_the_spec() {
    assert_same(
        "scalar type descriptors",
        WIRE_MD,
        &rust_scalars(),
        &spec_scalars(),
    );
}

#[test]
fn hosts_read_every_scalar_descriptor() {
    for name in rust_scalars() {
        assert!(
            Type::scalar(&name).is_some(),
            "ferryman_host::Type::scalar does not know {name:?}"
        );
    }
}

#[test]
fn every_scalar_descriptor_has_a_row_in_the_arguments_table() {
    let wire = read(WIRE_MD);
    let table = section(&wire, "## Arguments", WIRE_MD);
    for name in rust_scalars() {
        let cell = format!("`\"{name}\"`");
        // `"i8"` … `"isize"`: the integers share rows.
        let ranged = name.starts_with('i') || name.starts_with('u') && name != "unit";
        assert!(
            ranged || table.contains(&cell),
            "{WIRE_MD}, Arguments: no row with the descriptor {cell}"
        );
    }
}
