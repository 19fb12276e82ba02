//! Rust `log` records sent to a host (`spec/abi.md`, "Logs"): the library's
//! `log::Log` logger, installed when a host first connects, which hands each
//! record to a host object through `FerryHost.invoke`. `tracing` events reach
//! it through `tracing`'s `log` feature (the facade turns it on).
//!
//! A disabled level costs no crossing: the `log` macros compare the level
//! with `log::max_level()` (one relaxed atomic load) before building a record,
//! and the host keeps that maximum in step with its own configuration
//! (`ferryman_log_level`).

/// Levels on the wire: `0` off, `1` error, `2` warn, `3` info, `4` debug, `5` trace
/// (the order of `log::LevelFilter`).
pub(crate) const MAX_LEVEL: u32 = 5;

/// What `ferryman_log_connect` answers.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Connect {
    /// Records at levels up to the maximum go to the host object (`0`).
    Connected,
    /// This library sends no records: built without the `log` feature, or
    /// the library installed a `log` logger of its own first (`1`).
    NotOffered,
    /// Unknown host id or a level above `MAX_LEVEL` (`-1`).
    Refused,
}

impl Connect {
    pub(crate) fn code(self) -> i32 {
        match self {
            Connect::Connected => 0,
            Connect::NotOffered => 1,
            Connect::Refused => -1,
        }
    }
}

#[cfg(feature = "log")]
pub(crate) use enabled::{connect, set_level};

#[cfg(not(feature = "log"))]
pub(crate) fn connect(_host_id: u32, handle: u64, max_level: u32) -> Connect {
    if max_level > MAX_LEVEL {
        return Connect::Refused;
    }
    if handle == 0 {
        return Connect::Connected; // disconnecting: there was nothing to end
    }
    Connect::NotOffered
}

#[cfg(not(feature = "log"))]
pub(crate) fn set_level(max_level: u32) -> Connect {
    if max_level > MAX_LEVEL {
        return Connect::Refused;
    }
    Connect::NotOffered
}

#[cfg(feature = "log")]
mod enabled {
    use std::cell::Cell;
    use std::sync::{OnceLock, RwLock};

    use serde::Serialize;

    use super::{Connect, MAX_LEVEL};
    use crate::callback::host_registry::{self, HostObject};

    /// The host object records go to, with one reference the library holds.
    static SINK: RwLock<Option<HostObject>> = RwLock::new(None);

    /// Whether `log::set_logger` took ours (decided once, at the first connect).
    static OURS: OnceLock<bool> = OnceLock::new();

    static LOGGER: HostLogger = HostLogger;

    thread_local! {
        /// Set while this thread hands a record to the host: a record logged
        /// by what the host runs meanwhile (a handler calling back into this
        /// library) is dropped rather than recursing.
        static DELIVERING: Cell<bool> = const { Cell::new(false) };
    }

    fn ours() -> bool {
        *OURS.get_or_init(|| log::set_logger(&LOGGER).is_ok())
    }

    fn filter(level: u32) -> log::LevelFilter {
        log::LevelFilter::iter()
            .nth(level as usize)
            .unwrap_or(log::LevelFilter::Off)
    }

    /// `ferryman_log_connect`: `handle` `0` disconnects.
    pub(crate) fn connect(host_id: u32, handle: u64, max_level: u32) -> Connect {
        if max_level > MAX_LEVEL {
            return Connect::Refused;
        }
        if handle == 0 {
            let old = SINK.write().unwrap_or_else(|e| e.into_inner()).take();
            if ours() {
                log::set_max_level(log::LevelFilter::Off);
            }
            drop(old); // released outside the lock: the host may take its GIL
            return Connect::Connected;
        }
        let Some(host) = host_registry::host(host_id) else {
            return Connect::Refused;
        };
        if !ours() {
            return Connect::NotOffered;
        }
        let object = host.retain(host_id, handle);
        let old = SINK
            .write()
            .unwrap_or_else(|e| e.into_inner())
            .replace(object);
        log::set_max_level(filter(max_level));
        drop(old);
        Connect::Connected
    }

    /// `ferryman_log_level`: the most verbose level the host wants.
    pub(crate) fn set_level(max_level: u32) -> Connect {
        if max_level > MAX_LEVEL {
            return Connect::Refused;
        }
        if !ours() {
            return Connect::NotOffered;
        }
        let connected = SINK.read().unwrap_or_else(|e| e.into_inner()).is_some();
        // Without a host nothing would receive the records: keep them off.
        log::set_max_level(if connected {
            filter(max_level)
        } else {
            log::LevelFilter::Off
        });
        Connect::Connected
    }

    /// One record on the wire (`spec/abi.md`, "Logs").
    #[derive(Serialize)]
    struct WireRecord<'a> {
        level: u32,
        target: &'a str,
        message: &'a str,
        module: Option<&'a str>,
        file: Option<&'a str>,
        line: Option<u32>,
        thread: Option<&'a str>,
        thread_id: u64,
    }

    #[derive(Debug)]
    struct HostLogger;

    impl log::Log for HostLogger {
        fn enabled(&self, metadata: &log::Metadata<'_>) -> bool {
            metadata.level() <= log::max_level()
        }

        fn log(&self, record: &log::Record<'_>) {
            if !self.enabled(record.metadata()) || DELIVERING.with(Cell::get) {
                return;
            }
            // A reference of our own for the delivery, so a concurrent
            // disconnect cannot free the object while the host runs it.
            let object = {
                let sink = SINK.read().unwrap_or_else(|e| e.into_inner());
                match sink.as_ref() {
                    Some(sink) => sink.host().retain(sink.host_id, sink.handle),
                    None => return,
                }
            };
            DELIVERING.with(|d| d.set(true));
            let _reset = Reset;
            let formatted;
            let message = match record.args().as_str() {
                Some(text) => text,
                None => {
                    formatted = record.args().to_string();
                    &formatted
                }
            };
            let current = std::thread::current();
            let wire = WireRecord {
                level: record.level() as u32,
                target: record.target(),
                message,
                module: record.module_path(),
                file: record.file(),
                line: record.line(),
                thread: current.name(),
                thread_id: thread_id(),
            };
            let mut args = Vec::with_capacity(64 + message.len());
            if ferryman_wire::encode(&(wire,), &mut args).is_err() {
                return;
            }
            // What the host answers (nothing, or its handler's exception) is
            // dropped: logging never fails the code that logs.
            let _ = object.host().invoke(object.handle, &args);
        }

        fn flush(&self) {}
    }

    struct Reset;

    impl Drop for Reset {
        fn drop(&mut self) {
            DELIVERING.with(|d| d.set(false));
        }
    }

    /// What Python's `threading.get_ident()` returns for this thread on POSIX
    /// (`pthread_self`), so a host can name its own threads.
    #[cfg(unix)]
    fn thread_id() -> u64 {
        // SAFETY: `pthread_self` has no preconditions.
        unsafe { libc::pthread_self() as u64 }
    }

    /// A number unique to this thread for the life of the process.
    #[cfg(not(unix))]
    fn thread_id() -> u64 {
        use std::sync::atomic::{AtomicU64, Ordering};
        static NEXT: AtomicU64 = AtomicU64::new(1);
        thread_local!(static ID: u64 = NEXT.fetch_add(1, Ordering::Relaxed));
        ID.with(|id| *id)
    }
}
