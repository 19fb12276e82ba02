//! Rust closures handed to hosts: a table of live closures, each called through
//! `ferryman_closure_call` until its host releases it.

use crate::callback::closure::Closure;
use std::collections::BTreeMap;
use std::sync::{Arc, Mutex};

struct Table {
    next: u64,
    live: BTreeMap<u64, Arc<Closure>>,
}

static TABLE: Mutex<Table> = Mutex::new(Table {
    next: 1,
    live: BTreeMap::new(),
});

fn table() -> std::sync::MutexGuard<'static, Table> {
    TABLE.lock().unwrap_or_else(|e| e.into_inner())
}

/// Hands out a new handle for `function`; the host owns it until it releases it.
pub(crate) fn register(closure: Arc<Closure>) -> u64 {
    let mut table = table();
    let handle = table.next;
    table.next += 1;
    table.live.insert(handle, closure);
    handle
}

/// The closure behind `handle`, if it is still live.
pub(crate) fn lookup(handle: u64) -> Option<Arc<Closure>> {
    table().live.get(&handle).map(Arc::clone)
}

/// Drops the table's reference; `false` when the handle was not live.
pub(crate) fn release(handle: u64) -> bool {
    // Drop the closure outside the lock: its captures may release host objects.
    let removed = table().live.remove(&handle);
    removed.is_some()
}

/// Every live handle and the signature of its closure, oldest first.
pub(crate) fn live() -> Vec<(u64, String)> {
    let live: Vec<(u64, Arc<Closure>)> = table()
        .live
        .iter()
        .map(|(h, c)| (*h, Arc::clone(c)))
        .collect();
    // Text is made outside the lock; the clones are dropped outside it too.
    live.into_iter()
        .map(|(h, c)| (h, c.site.signature()))
        .collect()
}

#[cfg(test)]
mod tests {
    //! The table of closures handed to hosts, through the entry points hosts use.

    use super::{lookup, register};
    use crate::callback::closure::{run, Closure, Site};
    use crate::entry::{ferryman_closure_call, ferryman_closure_release, ferryman_live_closures};
    use crate::test_exports::{get, take};
    use ferryman_abi::{FerryBox, Status};
    use ferryman_buffer::Sink;
    use ferryman_wire::Lending;
    use std::io::Write;
    use std::panic::Location;
    use std::sync::Arc;

    /// What these tests' closures say about themselves.
    fn site() -> Site {
        Site {
            closure:
                "ferryman_runtime::callback::closure_table::tests::length_closure::{{closure}}",
            location: Location::caller(),
            args: "(alloc::vec::Vec<u8>,)",
            arity: 1,
            returns: "u8",
        }
    }

    /// Registers `function` with [`site`].
    fn registered(
        function: impl Fn(&[u8], Lending, &mut Sink<'_>, &Site) -> Status + Send + Sync + 'static,
    ) -> u64 {
        register(Arc::new(Closure {
            site: site(),
            function,
        }))
    }

    /// A closure that writes the length of its arguments' bytes as the result.
    fn length_closure() -> u64 {
        registered(|args: &[u8], _, sink: &mut Sink<'_>, _: &Site| {
            let length = u8::try_from(args.len()).unwrap_or(u8::MAX);
            let _ = sink.write_all(&[length & 0x7f]);
            Status::Ok
        })
    }

    fn closure_call(handle: u64, args: &[u8]) -> (i32, rmpv::Value) {
        let input = FerryBox {
            ptr: args.as_ptr().cast_mut(),
            len: args.len(),
            cap: args.len(),
        };
        let mut out = FerryBox::EMPTY;
        // SAFETY: `input` borrows `args`; `out` is the empty box.
        let status = unsafe { ferryman_closure_call(handle, &input, &mut out) };
        (status, take(&mut out))
    }

    /// The handles `ferryman_live_closures` lists, with their signatures.
    fn live() -> Vec<(u64, String)> {
        let mut out = FerryBox::EMPTY;
        // SAFETY: `out` is the empty box.
        assert_eq!(unsafe { ferryman_live_closures(&mut out) }, 0);
        take(&mut out)
            .as_array()
            .unwrap()
            .iter()
            .map(|entry| {
                (
                    get(entry, "handle").as_u64().unwrap(),
                    get(entry, "signature").as_str().unwrap().to_owned(),
                )
            })
            .collect()
    }

    #[test]
    fn a_closure_is_callable_until_released_once() {
        let handle = length_closure();
        assert_eq!(
            closure_call(handle, &[0x92, 0x01, 0x02]).1.as_u64(),
            Some(3)
        );
        assert!(live().contains(&(handle, site().signature())));
        assert_eq!(ferryman_closure_release(handle), Status::Ok.code());
        assert!(lookup(handle).is_none());
        assert!(!live().iter().any(|(h, _)| *h == handle));
        assert_eq!(ferryman_closure_release(handle), Status::NoFunction.code());
        let (status, value) = closure_call(handle, &[0x90]);
        assert_eq!(status, Status::NoFunction.code());
        assert!(get(&value, "message")
            .as_str()
            .unwrap()
            .contains("already released"));
    }

    #[test]
    fn handles_are_never_reused() {
        let handles: Vec<u64> = (0..50).map(|_| length_closure()).collect();
        for pair in handles.windows(2) {
            assert!(pair[0] < pair[1]);
        }
        for handle in &handles {
            assert_eq!(ferryman_closure_release(*handle), 0);
        }
        let again = length_closure();
        assert!(again > *handles.last().unwrap());
        assert_eq!(ferryman_closure_release(again), 0);
    }

    #[test]
    fn a_panicking_closure_is_a_panic_value_and_stays_callable() {
        let handle = registered(|_: &[u8], _, _: &mut Sink<'_>, _: &Site| -> Status {
            panic!("closure panicked")
        });
        for _ in 0..2 {
            let (status, value) = closure_call(handle, &[0x90]);
            assert_eq!(status, Status::Panic.code());
            assert_eq!(get(&value, "message").as_str(), Some("closure panicked"));
        }
        assert_eq!(ferryman_closure_release(handle), 0);
    }

    #[test]
    fn a_closure_kept_by_a_running_call_outlives_its_release() {
        let handle = length_closure();
        let kept = lookup(handle).expect("live");
        assert_eq!(ferryman_closure_release(handle), 0);
        // The table dropped its reference; the caller's still works.
        let mut sink = Sink::library();
        assert_eq!(run(&kept, &[1, 2], Lending::REFUSED, &mut sink), Status::Ok);
        assert_eq!(sink.written(), [2]);
    }

    #[test]
    fn closures_are_registered_and_released_from_many_threads() {
        let threads: Vec<_> = (0..8)
            .map(|_| {
                std::thread::spawn(|| {
                    for _ in 0..100 {
                        let handle = length_closure();
                        assert_eq!(closure_call(handle, &[0x90]).1.as_u64(), Some(1));
                        assert_eq!(ferryman_closure_release(handle), 0);
                    }
                })
            })
            .collect();
        for thread in threads {
            thread.join().unwrap();
        }
    }
}
