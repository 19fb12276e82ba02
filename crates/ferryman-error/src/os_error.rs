//! An `std::io::Error` as the host-neutral `os_error` of an error value
//! (`spec/wire.md`, "Error values"): the OS error number when there is one,
//! and the `io::ErrorKind` in snake case, so each host picks its own class
//! (Python: `FileNotFoundError`, `PermissionError`, …).

use serde::{Deserialize, Serialize};
use std::error::Error;
use std::io;

/// What a host needs of an `io::Error` to raise its own OS error.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(default)]
pub struct OsError {
    /// `raw_os_error()`: the `errno` (Windows: the system error code), when
    /// the error came from the OS.
    pub errno: Option<i32>,
    /// `io::ErrorKind`'s name in snake case: `not_found`, `permission_denied`,
    /// `already_exists`, `timed_out`, … (`other` for `ErrorKind::Other`).
    pub kind: String,
}

impl OsError {
    /// The OS error `error` is, when it is an `io::Error` (a box holding one
    /// is seen through by the caller, which passes the boxed error itself).
    ///
    /// Only runs on the error path; the kind's name is made from its `Debug`
    /// text, so kinds std adds later are named too.
    pub fn of(error: &(dyn Error + 'static)) -> Option<OsError> {
        let io = error.downcast_ref::<io::Error>()?;
        Some(OsError {
            errno: io.raw_os_error(),
            kind: snake_case(&format!("{:?}", io.kind())),
        })
    }
}

/// `PermissionDenied` → `permission_denied`.
fn snake_case(name: &str) -> String {
    let mut out = String::with_capacity(name.len() + 4);
    for (i, c) in name.chars().enumerate() {
        if c.is_ascii_uppercase() {
            if i > 0 {
                out.push('_');
            }
            out.push(c.to_ascii_lowercase());
        } else {
            out.push(c);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_os_error_keeps_its_number_and_kind() {
        let error = io::Error::from_raw_os_error(2);
        let os = OsError::of(&error).unwrap();
        assert_eq!(os.errno, Some(2));
        assert_eq!(os.kind, "not_found");
    }

    #[test]
    fn a_made_up_io_error_has_a_kind_but_no_number() {
        let error = io::Error::new(io::ErrorKind::PermissionDenied, "nope");
        assert_eq!(
            OsError::of(&error),
            Some(OsError {
                errno: None,
                kind: "permission_denied".to_owned()
            })
        );
        let boxed: Box<dyn Error + Send + Sync> =
            Box::new(io::Error::from(io::ErrorKind::TimedOut));
        assert_eq!(OsError::of(&*boxed).unwrap().kind, "timed_out");
    }

    #[test]
    fn other_errors_are_not_os_errors() {
        let error: Box<dyn Error> = "plain".into();
        assert_eq!(OsError::of(&*error), None);
    }

    #[test]
    fn kind_names() {
        assert_eq!(snake_case("NotFound"), "not_found");
        assert_eq!(snake_case("Other"), "other");
        assert_eq!(snake_case("ConnectionRefused"), "connection_refused");
    }
}
