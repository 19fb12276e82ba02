//! The library's logs (`spec/abi.md`, "Logs"): connecting a host object that
//! receives its `log` records, and the most verbose level it wants.

use crate::library::resolve;

type LogConnectFn = unsafe extern "C" fn(u32, u64, u32) -> i32;
type LogLevelFn = unsafe extern "C" fn(u32) -> i32;

/// Levels on the wire, in `log::LevelFilter`'s order: a record's `level` is
/// 1 (error) to 5 (trace); a maximum of 0 turns records off.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
#[repr(u32)]
pub enum LogLevel {
    Off = 0,
    Error = 1,
    Warn = 2,
    Info = 3,
    Debug = 4,
    Trace = 5,
}

/// What `ferryman_log_connect` and `ferryman_log_level` answered.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LogAnswer {
    /// `0`: records up to the level go to the connected host object.
    Sending,
    /// `1`: the library sends no records (built without ferryman's `log`
    /// feature, or it installed a `log` logger of its own).
    NotOffered,
    /// `-1`: refused (an unknown host id), or any other answer.
    Refused,
}

impl LogAnswer {
    fn from_code(code: i32) -> LogAnswer {
        match code {
            0 => LogAnswer::Sending,
            1 => LogAnswer::NotOffered,
            _ => LogAnswer::Refused,
        }
    }
}

/// The two optional log entry points, resolved once. A library without them
/// (built before they existed) loads; it sends no records.
#[derive(Debug, Clone, Copy)]
pub struct Logs {
    connect: LogConnectFn,
    level: LogLevelFn,
}

impl Logs {
    /// Looks the symbols up, or `None` when the library lacks one of them.
    ///
    /// # Safety
    ///
    /// The library speaks ABI version 1 (so each symbol has the signature
    /// `spec/abi.md` gives it) and is never closed.
    pub(crate) unsafe fn resolve(library: &libloading::Library) -> Option<Logs> {
        // SAFETY: (both) the caller guarantees the ABI version, hence the
        // signatures, and that the handle stays open.
        let connect = unsafe { resolve(library, "ferryman_log_connect") }.ok()?;
        // SAFETY: as above.
        let level = unsafe { resolve(library, "ferryman_log_level") }.ok()?;
        Some(Logs { connect, level })
    }

    /// `ferryman_log_connect(host_id, handle, max_level)`: records at levels up
    /// to `max_level` go to host object `handle` of host `host_id`, which the
    /// library retains (and releases when another connect replaces it);
    /// `handle` 0 disconnects.
    pub fn connect(&self, host_id: u32, handle: u64, max_level: LogLevel) -> LogAnswer {
        // SAFETY: plain integers; the entry point never unwinds and checks
        // the host id itself.
        LogAnswer::from_code(unsafe { (self.connect)(host_id, handle, max_level as u32) })
    }

    /// `ferryman_log_level(max_level)`: the most verbose level wanted now.
    pub fn set_level(&self, max_level: LogLevel) -> LogAnswer {
        // SAFETY: a plain integer; the entry point never unwinds.
        LogAnswer::from_code(unsafe { (self.level)(max_level as u32) })
    }
}
