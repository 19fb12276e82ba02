use crate::Export;
use std::collections::HashMap;
use std::sync::OnceLock;

/// Every exported function of this library, sorted by name: the index is the id.
#[inline]
pub fn exports() -> &'static [&'static Export] {
    static SORTED: OnceLock<Vec<&'static Export>> = OnceLock::new();
    SORTED.get_or_init(|| {
        let mut all: Vec<&'static Export> = inventory::iter::<Export>.into_iter().collect();
        all.sort_by_key(|e| (e.name, e.rust_path));
        all
    })
}

/// The id of the function called `name`; `None` also when several functions
/// share the name (two crates, or `#[export(name = ...)]`): a host must not
/// call one of them when it meant the other.
pub(crate) fn find(name: &str) -> Option<usize> {
    let all = exports();
    let id = all.binary_search_by(|e| e.name.cmp(name)).ok()?;
    let shared = |other: usize| all.get(other).is_some_and(|e| e.name == name);
    if shared(id + 1) || id.checked_sub(1).is_some_and(shared) {
        return None;
    }
    Some(id)
}

/// The Cargo package name and version this library reports: the crate that
/// contributes the most exports (ties broken by name).
pub fn library_identity() -> (&'static str, &'static str) {
    static IDENTITY: OnceLock<(&'static str, &'static str)> = OnceLock::new();
    *IDENTITY.get_or_init(|| {
        let mut counts: HashMap<(&'static str, &'static str), usize> = HashMap::new();
        for e in exports() {
            *counts.entry((e.crate_name, e.crate_version)).or_default() += 1;
        }
        counts
            .into_iter()
            .max_by(|(a, n), (b, m)| n.cmp(m).then(b.cmp(a)))
            .map_or(("", ""), |(id, _)| id)
    })
}

#[cfg(test)]
mod tests {
    //! The registry in the unit-test binary, holding `test_exports`.

    use super::{exports, find, library_identity};
    use crate::test_exports::NAMES;

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
}
