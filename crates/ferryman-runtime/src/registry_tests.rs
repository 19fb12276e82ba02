//! The registry in the unit-test binary, holding `tests::exports`.

use super::{exports, find, library_identity};
use crate::tests::exports::NAMES;

#[test]
fn exports_are_sorted_by_name_then_rust_path_and_the_index_is_the_id() {
    let names: Vec<&str> = exports().iter().map(|e| e.name).collect();
    assert_eq!(names, NAMES);
    let twice: Vec<&str> = exports()
        .iter()
        .filter(|e| e.name == "t_twice")
        .map(|e| e.rust_path)
        .collect();
    assert_eq!(twice, ["a::twice", "b::twice"]);
    // The same slice every time: ids never move while the library is loaded.
    assert!(std::ptr::eq(exports(), exports()));
}

#[test]
fn find_gives_the_id_of_a_name() {
    for (id, export) in exports().iter().enumerate() {
        if export.name != "t_twice" {
            assert_eq!(find(export.name), Some(id), "{}", export.name);
        }
    }
    assert_eq!(find("t_ad"), None);
    assert_eq!(find(""), None);
}

#[test]
fn a_name_two_functions_share_has_no_id() {
    // Neither is picked: a host must not call one when it meant the other.
    assert_eq!(find("t_twice"), None);
}

#[test]
fn the_library_is_the_crate_with_the_most_exports() {
    assert_eq!(library_identity(), ("runtime-tests", "0.1.0"));
}
