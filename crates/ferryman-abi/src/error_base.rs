/// The host-neutral categories a library may give its error type with
/// `#[ferryman::error(base = "…")]` (`spec/wire.md`, "Error bases"): each
/// host maps them to the exception class its users catch (Python: `value` →
/// `ValueError`, …). `os` is what `std::io::Error` is.
///
/// In the order the spec's table lists them.
pub const ERROR_BASES: [&str; 16] = [
    "value",
    "type",
    "key",
    "index",
    "lookup",
    "arithmetic",
    "overflow",
    "zero_division",
    "not_implemented",
    "runtime",
    "timeout",
    "permission",
    "not_found",
    "already_exists",
    "connection",
    "os",
];
