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
#[path = "registry_tests.rs"]
mod tests;
