/// What a ferryman entry point returns, and so what its output box holds.
///
/// As C: `int32_t`, with the values below (`FERRY_OK` … `FERRY_NULL_POINTER`).
/// Every status but [`Status::NullPointer`] comes with one MessagePack value in the
/// output box: the result for [`Status::Ok`], an error value for the others.
#[repr(i32)]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Status {
    /// `out` holds the result value.
    Ok = 0,
    /// The function returned `Err`; `out` holds an error value of kind `error`.
    Error = 1,
    /// The function panicked; `out` holds an error value of kind `panic`.
    Panic = 2,
    /// The arguments did not decode; `out` holds an error value of kind
    /// `arity`, `type`, `overflow` or `malformed`.
    BadArgs = 3,
    /// No function has that id; `out` holds an error value of kind `no_function`.
    NoFunction = 4,
    /// The bridge itself failed (a result that would not encode); kind `internal`.
    Internal = 5,
    /// An async export's future did not finish at its first poll; `out`
    /// holds its future handle (extension 6), and the result comes later
    /// through the host's completion function (`spec/abi.md`, "Futures").
    /// Sent only to a process where a host connected a completion function.
    Pending = 6,
    /// The future or the stream's pending next was cancelled; the value is an
    /// error value of kind `cancelled`.
    Cancelled = 7,
    /// A required pointer was NULL; `out` is untouched.
    NullPointer = -1,
}

impl Status {
    /// Every status, in the order of the spec's table.
    pub const ALL: [Status; 9] = [
        Status::Ok,
        Status::Error,
        Status::Panic,
        Status::BadArgs,
        Status::NoFunction,
        Status::Internal,
        Status::Pending,
        Status::Cancelled,
        Status::NullPointer,
    ];

    /// The number on the wire.
    pub const fn code(self) -> i32 {
        self as i32
    }

    /// The name of the status in `ferryman.h`.
    pub const fn c_name(self) -> &'static str {
        match self {
            Status::Ok => "FERRY_OK",
            Status::Error => "FERRY_ERROR",
            Status::Panic => "FERRY_PANIC",
            Status::BadArgs => "FERRY_BAD_ARGS",
            Status::NoFunction => "FERRY_NO_FUNCTION",
            Status::Internal => "FERRY_INTERNAL",
            Status::Pending => "FERRY_PENDING",
            Status::Cancelled => "FERRY_CANCELLED",
            Status::NullPointer => "FERRY_NULL_POINTER",
        }
    }

    /// The status with this code, if any.
    pub fn from_code(code: i32) -> Option<Status> {
        Status::ALL.into_iter().find(|s| s.code() == code)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_round_trip_and_are_unique() {
        for status in Status::ALL {
            assert_eq!(Status::from_code(status.code()), Some(status));
        }
        assert_eq!(Status::from_code(8), None);
    }

    #[test]
    fn c_names_are_prefixed_and_distinct() {
        let mut names: Vec<_> = Status::ALL.iter().map(|s| s.c_name()).collect();
        assert!(names.iter().all(|n| n.starts_with("FERRY_")));
        names.sort();
        names.dedup();
        assert_eq!(names.len(), Status::ALL.len());
    }
}
