//! The limits every reader and writer of the wire format keeps
//! (`spec/wire.md`, "Limits"), in one place for the library and for hosts.

/// How many arrays and maps a value may nest: the outermost container of a
/// value (one parameter, a result, a callback's argument array, an error
/// value) is level 1, and a container at a level above this is malformed.
///
/// 256, not more: hosts decode recursively on the native stack (the Python
/// host's decoder, Rust's serde path on a library's 2 MiB threads), and no
/// real data nests this deep; the Python host already refused deeper values in
/// both directions, so this is the limit that held across the boundary. One
/// number for both sides means a value one side writes the other can read.
pub const MAX_DEPTH: usize = 256;

#[cfg(test)]
mod tests {
    #[test]
    fn wire_md_states_the_same_depth() {
        let spec = include_str!("../../../spec/wire.md");
        let stated = format!("nest at most **{}** levels deep", super::MAX_DEPTH);
        assert!(spec.contains(&stated), "spec/wire.md must say: {stated}");
    }
}
