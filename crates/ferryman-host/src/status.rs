//! A call's outcome as [`Status`], never a bare integer.

pub use ferryman_abi::Status;

/// A status code ABI version 1 does not define: the library broke the contract.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("the library returned status {0}, which the ferryman ABI does not define")]
pub struct UnknownStatus(pub i32);

/// The status with code `code`.
#[inline]
pub fn status(code: i32) -> Result<Status, UnknownStatus> {
    match code {
        0 => Ok(Status::Ok),
        _ => Status::from_code(code).ok_or(UnknownStatus(code)),
    }
}

/// Whether the output box of a call that returned `status` holds an error
/// value (every status but `Ok`, `Pending` — a future handle, or nil — and
/// `NullPointer`).
#[inline]
pub fn has_error_value(status: Status) -> bool {
    !matches!(status, Status::Ok | Status::Pending | Status::NullPointer)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_code_maps_and_others_are_unknown() {
        for known in Status::ALL {
            assert_eq!(status(known.code()), Ok(known));
        }
        assert_eq!(status(8), Err(UnknownStatus(8)));
        assert!(has_error_value(Status::Panic));
        assert!(has_error_value(Status::Cancelled));
        assert!(!has_error_value(Status::Pending));
        assert!(!has_error_value(Status::NullPointer));
    }
}
