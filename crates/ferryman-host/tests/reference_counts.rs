//! The runtime's reference-counted tables under random interleavings, through
//! the real C entry points of the fixture library: the closure table
//! (register, call, release), the host objects Rust retains (callbacks,
//! stored callbacks, exception handles), lent bytes kept by reference, and
//! the object table (new, clone, keep, release).
//!
//! A counting host checks every `retain`/`release` (`spec/callbacks.md`):
//! a count never goes negative, and after every step the references the
//! library holds are exactly what the model says it stores; at the end of
//! each sequence nothing is left — no count, no live closure, no live object.
//! (Miri cannot run here: this is the check of the `unsafe` in those tables.)
//!
//! One test binary, one process: this host is the only one registered.

mod support;

use std::collections::BTreeMap;
use std::sync::{Mutex, MutexGuard, OnceLock};

use ferryman_abi::{EXT_HOST_OBJECT, EXT_LENT_BYTES, EXT_LIBRARY_CLOSURE, EXT_OBJECT};
use ferryman_host::write::{ErrorView, Message};
use ferryman_host::{Answer, Host, Library, Status, Value};
use proptest::prelude::*;
use support::fixture_path;

/// Host objects: 1-3 add their handle to an int, 4-5 append "!" to a str,
/// 6 raises an exception (handle 7), 10-12 are byte objects (`MEMORY`).
const ADDERS: std::ops::RangeInclusive<u64> = 1..=3;
const EXCLAIMERS: std::ops::RangeInclusive<u64> = 4..=5;
const RAISER: u64 = 6;
const EXCEPTION: u64 = 7;
const BYTE_OBJECTS: std::ops::RangeInclusive<u64> = 10..=12;
static MEMORY: [[u8; 16]; 3] = [[1; 16], [2; 16], [3; 16]];

struct CountingHost {
    refs: Mutex<BTreeMap<u64, i64>>,
}

impl CountingHost {
    fn add(&self, handle: u64, delta: i64) {
        let mut refs = self.refs.lock().unwrap_or_else(|e| e.into_inner());
        let count = refs.entry(handle).or_insert(0);
        *count += delta;
        assert!(
            *count >= 0,
            "host object {handle} released more than retained"
        );
        if *count == 0 {
            refs.remove(&handle);
        }
    }

    fn held(&self) -> BTreeMap<u64, i64> {
        self.refs.lock().unwrap_or_else(|e| e.into_inner()).clone()
    }
}

impl Host for CountingHost {
    type Held = ();

    fn invoke(&self, handle: u64, args: &[u8]) -> Answer<()> {
        let Ok(Value::Array(args)) = Value::decode(args) else {
            return Answer::bridge("arguments are not an array");
        };
        let mut out = Vec::new();
        match (handle, args.as_slice()) {
            (h, [Value::Int(x)]) if ADDERS.contains(&h) => {
                rmp::encode::write_sint(&mut out, *x as i64 + h as i64).unwrap();
            }
            (h, [Value::Str(s)]) if EXCLAIMERS.contains(&h) => {
                rmp::encode::write_str(&mut out, &format!("{s}!")).unwrap();
            }
            (RAISER, _) => {
                // The error value hands the library one reference to the exception.
                self.add(EXCEPTION, 1);
                let mut view = ErrorView::new("host", "ValueError", Message::Text("raised"));
                view.host_exception = Some(EXCEPTION);
                return Answer::failure(Status::Error, &view);
            }
            _ => return Answer::bridge("unexpected call"),
        }
        Answer::ok(out)
    }

    fn retain(&self, handle: u64) {
        self.add(handle, 1);
    }

    fn release(&self, handle: u64) {
        self.add(handle, -1);
    }
}

static HOST: CountingHost = CountingHost {
    refs: Mutex::new(BTreeMap::new()),
};

fn library() -> &'static Library {
    static LIBRARY: OnceLock<(Library, u32)> = OnceLock::new();
    &LIBRARY
        .get_or_init(|| {
            let library = Library::open(fixture_path()).expect("the fixture loads");
            let id = library
                .closures()
                .expect("closures")
                .register_host(&HOST)
                .expect("registered");
            assert_eq!(id, 0, "the only host");
            (library, id)
        })
        .0
}

/// One sequence at a time: the fixture's stores are process-wide.
fn serial() -> MutexGuard<'static, ()> {
    static LOCK: Mutex<()> = Mutex::new(());
    LOCK.lock().unwrap_or_else(|e| e.into_inner())
}

fn ext(out: &mut Vec<u8>, tag: i8, payload: &[u8]) {
    rmp::encode::write_ext_meta(out, payload.len() as u32, tag).unwrap();
    out.extend_from_slice(payload);
}

fn host_object(out: &mut Vec<u8>, handle: u64) {
    let mut payload = 0u32.to_be_bytes().to_vec();
    payload.extend_from_slice(&handle.to_be_bytes());
    ext(out, EXT_HOST_OBJECT, &payload);
}

fn lent(out: &mut Vec<u8>, handle: u64, start: usize) {
    let memory = &MEMORY[(handle - BYTE_OBJECTS.start()) as usize][start..];
    let mut payload = 0u32.to_be_bytes().to_vec();
    payload.extend_from_slice(&handle.to_be_bytes());
    payload.extend_from_slice(&(memory.as_ptr() as u64).to_be_bytes());
    payload.extend_from_slice(&(memory.len() as u64).to_be_bytes());
    ext(out, EXT_LENT_BYTES, &payload);
}

fn closure(out: &mut Vec<u8>, handle: u64) {
    ext(out, EXT_LIBRARY_CLOSURE, &handle.to_be_bytes());
}

fn object(out: &mut Vec<u8>, handle: u64) {
    let mut payload = 0u32.to_be_bytes().to_vec();
    payload.extend_from_slice(&handle.to_be_bytes());
    ext(out, EXT_OBJECT, &payload);
}

fn int(out: &mut Vec<u8>, n: i64) {
    rmp::encode::write_sint(out, n).unwrap();
}

/// Calls `name`; the status and the reply as a value, after dropping the
/// references an error value hands over.
fn call(name: &str, args: impl FnOnce(&mut Vec<u8>)) -> (Status, Value) {
    let library = library();
    let id = library.function_id(name).expect("the fixture has it");
    let mut bytes = Vec::new();
    args(&mut bytes);
    let mut out = Vec::new();
    // SAFETY: lent bytes name `MEMORY`, static and never written.
    let reply = unsafe { library.call(id, &bytes, &mut out) };
    let status = reply.status().expect("a documented status");
    let value = Value::decode(reply.bytes().expect("readable")).expect("one value");
    if status != Status::Ok {
        if let Some(Value::Int(handle)) = value.get("host_exception") {
            HOST.add(*handle as u64, -1);
        }
    }
    (status, value)
}

fn handle_of(value: &Value, tag: i8) -> u64 {
    match value {
        // Extension 2 is the handle alone; 1, 3 and 5 start with a u32.
        Value::Ext(t, payload) if *t == tag && payload.len() == 8 => {
            u64::from_be_bytes(payload[..].try_into().unwrap())
        }
        Value::Ext(t, payload) if *t == tag => {
            u64::from_be_bytes(payload[4..12].try_into().unwrap())
        }
        other => panic!("expected extension {tag}, found {other:?}"),
    }
}

#[derive(Debug, Clone)]
enum Op {
    Apply(u64, i32),
    ApplyRaising(i32),
    MakeAdder(i32),
    CallClosure(usize, i32),
    ApplyClosure(usize, i32),
    ReleaseClosure(usize),
    Store(u64),
    CallStored,
    DropStored,
    KeepBytes(u64, usize),
    EchoBytes(u64),
    DropKeptBytes,
    NewCounter(i32),
    CloneCounter(usize),
    CounterValue(usize),
    KeepCounter(usize),
    ReleaseCounter(usize),
    DropKeptCounters,
}

fn op() -> impl Strategy<Value = Op> {
    let small = -1000i32..1000;
    prop_oneof![
        (ADDERS, small.clone()).prop_map(|(h, x)| Op::Apply(h, x)),
        small.clone().prop_map(Op::ApplyRaising),
        small.clone().prop_map(Op::MakeAdder),
        (any::<usize>(), small.clone()).prop_map(|(k, x)| Op::CallClosure(k, x)),
        (any::<usize>(), small.clone()).prop_map(|(k, x)| Op::ApplyClosure(k, x)),
        any::<usize>().prop_map(Op::ReleaseClosure),
        EXCLAIMERS.prop_map(Op::Store),
        Just(Op::CallStored),
        Just(Op::DropStored),
        (BYTE_OBJECTS, 0usize..=16).prop_map(|(h, s)| Op::KeepBytes(h, s)),
        BYTE_OBJECTS.prop_map(Op::EchoBytes),
        Just(Op::DropKeptBytes),
        small.prop_map(Op::NewCounter),
        any::<usize>().prop_map(Op::CloneCounter),
        any::<usize>().prop_map(Op::CounterValue),
        any::<usize>().prop_map(Op::KeepCounter),
        any::<usize>().prop_map(Op::ReleaseCounter),
        Just(Op::DropKeptCounters),
    ]
}

/// What the library should hold, and what the host holds.
#[derive(Default)]
struct Model {
    stored: Option<u64>,
    /// The object each kept `Bytes` retains: none for empty bytes, which
    /// are not kept by reference.
    kept_bytes: Vec<Option<u64>>,
    /// (handle, the adder's n)
    closures: Vec<(u64, i64)>,
    /// (handle, the counter's start)
    counters: Vec<(u64, i64)>,
}

impl Model {
    fn library_refs(&self) -> BTreeMap<u64, i64> {
        let mut refs = BTreeMap::new();
        for handle in self.stored.iter().chain(self.kept_bytes.iter().flatten()) {
            *refs.entry(*handle).or_insert(0) += 1;
        }
        refs
    }
}

fn step(model: &mut Model, op: Op) -> Result<(), TestCaseError> {
    let ok_int = |(status, value): (Status, Value)| -> Result<i64, TestCaseError> {
        prop_assert_eq!(status, Status::Ok, "{:?}", value);
        Ok(value.as_i64().expect("an int"))
    };
    match op {
        Op::Apply(h, x) => {
            let got = ok_int(call("apply", |o| {
                rmp::encode::write_array_len(o, 2).unwrap();
                host_object(o, h);
                int(o, x.into());
            }))?;
            prop_assert_eq!(got, i64::from(x) + h as i64);
        }
        Op::ApplyRaising(x) => {
            let (status, value) = call("apply", |o| {
                rmp::encode::write_array_len(o, 2).unwrap();
                host_object(o, RAISER);
                int(o, x.into());
            });
            prop_assert_eq!(status, Status::Error);
            prop_assert_eq!(value.get("kind").and_then(Value::as_str), Some("host"));
            prop_assert_eq!(
                value.get("host_exception"),
                Some(&Value::Int(EXCEPTION.into()))
            );
        }
        Op::MakeAdder(n) => {
            let (status, value) = call("adder", |o| {
                rmp::encode::write_array_len(o, 1).unwrap();
                int(o, n.into());
            });
            prop_assert_eq!(status, Status::Ok);
            model
                .closures
                .push((handle_of(&value, EXT_LIBRARY_CLOSURE), n.into()));
        }
        Op::CallClosure(k, x) if !model.closures.is_empty() => {
            let (handle, n) = model.closures[k % model.closures.len()];
            let closures = library().closures().unwrap();
            let mut bytes = Vec::new();
            rmp::encode::write_array_len(&mut bytes, 1).unwrap();
            int(&mut bytes, x.into());
            let mut out = Vec::new();
            // SAFETY: no lent bytes.
            let reply = unsafe { closures.call(handle, &bytes, &mut out) };
            prop_assert_eq!(reply.status(), Ok(Status::Ok));
            let value = Value::decode(reply.bytes().unwrap()).unwrap();
            prop_assert_eq!(value.as_i64(), Some(n + i64::from(x)));
        }
        Op::ApplyClosure(k, x) if !model.closures.is_empty() => {
            let (handle, n) = model.closures[k % model.closures.len()];
            let got = ok_int(call("apply", |o| {
                rmp::encode::write_array_len(o, 2).unwrap();
                closure(o, handle);
                int(o, x.into());
            }))?;
            prop_assert_eq!(got, n + i64::from(x));
        }
        Op::ReleaseClosure(k) if !model.closures.is_empty() => {
            let (handle, _) = model.closures.swap_remove(k % model.closures.len());
            let closures = library().closures().unwrap();
            prop_assert_eq!(closures.release(handle), Ok(Status::Ok));
            prop_assert_eq!(closures.release(handle), Ok(Status::NoFunction));
        }
        Op::Store(h) => {
            let (status, _) = call("store_callback", |o| {
                rmp::encode::write_array_len(o, 1).unwrap();
                host_object(o, h);
            });
            prop_assert_eq!(status, Status::Ok);
            model.stored = Some(h);
        }
        Op::CallStored => {
            let (status, value) = call("call_stored", |o| {
                rmp::encode::write_array_len(o, 1).unwrap();
                rmp::encode::write_str(o, "hi").unwrap();
            });
            prop_assert_eq!(status, Status::Ok);
            let expected = model.stored.map(|_| Value::Str("hi!".into()));
            prop_assert_eq!(Some(value), Some(expected.unwrap_or(Value::Nil)));
        }
        Op::DropStored => {
            let (status, value) = call("drop_stored", |o| o.push(0x90));
            prop_assert_eq!(status, Status::Ok);
            prop_assert_eq!(value, Value::Bool(model.stored.take().is_some()));
        }
        Op::KeepBytes(h, start) => {
            let (status, value) = call("keep_bytes", |o| {
                rmp::encode::write_array_len(o, 1).unwrap();
                lent(o, h, start);
            });
            prop_assert_eq!(status, Status::Ok);
            model
                .kept_bytes
                .push((start < MEMORY[0].len()).then_some(h));
            prop_assert_eq!(value.as_i64(), Some(model.kept_bytes.len() as i64));
        }
        Op::EchoBytes(h) => {
            let (status, value) = call("bytes_echo", |o| {
                rmp::encode::write_array_len(o, 1).unwrap();
                lent(o, h, 0);
            });
            prop_assert_eq!(status, Status::Ok);
            // Lent back (this is the only host): one reference for the host.
            prop_assert_eq!(handle_of(&value, EXT_LENT_BYTES), h);
            HOST.add(h, -1);
        }
        Op::DropKeptBytes => {
            let (status, value) = call("drop_kept_bytes", |o| o.push(0x90));
            prop_assert_eq!(status, Status::Ok);
            prop_assert_eq!(value.as_i64(), Some(model.kept_bytes.len() as i64));
            model.kept_bytes.clear();
        }
        Op::NewCounter(start) => {
            let (status, value) = call("Counter.new", |o| {
                rmp::encode::write_array_len(o, 2).unwrap();
                rmp::encode::write_str(o, "c").unwrap();
                int(o, start.into());
            });
            prop_assert_eq!(status, Status::Ok, "{:?}", value);
            model
                .counters
                .push((handle_of(&value, EXT_OBJECT), start.into()));
        }
        Op::CloneCounter(k) if !model.counters.is_empty() => {
            let (handle, start) = model.counters[k % model.counters.len()];
            let copy = library().objects().unwrap().clone_handle(handle);
            prop_assert!(copy.is_some());
            model.counters.push((copy.unwrap(), start));
        }
        Op::CounterValue(k) if !model.counters.is_empty() => {
            let (handle, start) = model.counters[k % model.counters.len()];
            let got = ok_int(call("counter_value", |o| {
                rmp::encode::write_array_len(o, 1).unwrap();
                object(o, handle);
            }))?;
            prop_assert_eq!(got, start);
        }
        Op::KeepCounter(k) if !model.counters.is_empty() => {
            let (handle, _) = model.counters[k % model.counters.len()];
            let (status, _) = call("keep_counter", |o| {
                rmp::encode::write_array_len(o, 1).unwrap();
                object(o, handle);
            });
            prop_assert_eq!(status, Status::Ok);
        }
        Op::ReleaseCounter(k) if !model.counters.is_empty() => {
            let (handle, _) = model.counters.swap_remove(k % model.counters.len());
            let objects = library().objects().unwrap();
            prop_assert_eq!(objects.release(handle), Ok(Status::Ok));
            prop_assert_eq!(objects.release(handle), Ok(Status::NoFunction));
        }
        Op::DropKeptCounters => {
            let (status, _) = call("drop_kept_counters", |o| o.push(0x90));
            prop_assert_eq!(status, Status::Ok);
        }
        _ => {}
    }
    Ok(())
}

/// Starts a case from nothing, also after a failed one (for shrinking):
/// what a failed case left is released and forgotten.
fn reset() {
    for handle in live_closures() {
        let _ = library().closures().unwrap().release(handle);
    }
    for handle in live_objects() {
        let _ = library().objects().unwrap().release(handle);
    }
    for name in ["drop_stored", "drop_kept_bytes", "drop_kept_counters"] {
        call(name, |o| o.push(0x90));
    }
    HOST.refs.lock().unwrap_or_else(|e| e.into_inner()).clear();
}

fn live_closures() -> Vec<u64> {
    let live = library().closures().unwrap().live().expect("live closures");
    live.iter().map(|c| c.handle).collect()
}

fn live_objects() -> Vec<u64> {
    let live = library().objects().unwrap().live().expect("live objects");
    live.iter().map(|o| o.handle).collect()
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    #[test]
    fn counts_follow_the_model_and_end_at_zero(ops in prop::collection::vec(op(), 1..40)) {
        let _serial = serial();
        reset();
        let mut model = Model::default();
        for op in ops {
            step(&mut model, op)?;
            prop_assert_eq!(HOST.held(), model.library_refs());
            let mut closures: Vec<u64> = model.closures.iter().map(|c| c.0).collect();
            closures.sort_unstable();
            prop_assert_eq!(live_closures(), closures);
            let mut objects: Vec<u64> = model.counters.iter().map(|c| c.0).collect();
            objects.sort_unstable();
            let mut live = live_objects();
            live.sort_unstable();
            prop_assert_eq!(live, objects);
        }
        // Release everything the host owns and empty the fixture's stores.
        for (handle, _) in model.closures.drain(..) {
            prop_assert_eq!(library().closures().unwrap().release(handle), Ok(Status::Ok));
        }
        for (handle, _) in model.counters.drain(..) {
            prop_assert_eq!(library().objects().unwrap().release(handle), Ok(Status::Ok));
        }
        for cleanup in [Op::DropStored, Op::DropKeptBytes, Op::DropKeptCounters] {
            step(&mut model, cleanup)?;
        }
        prop_assert!(HOST.held().is_empty(), "left: {:?}", HOST.held());
        prop_assert!(live_closures().is_empty());
        prop_assert!(live_objects().is_empty());
    }
}

/// The same tables from 8 threads at once: every count ends at zero.
#[test]
fn counts_end_at_zero_after_threads_interleave() {
    let _serial = serial();
    reset();
    let threads: Vec<_> = (0..8)
        .map(|t: i64| {
            std::thread::spawn(move || {
                for i in 0..200 {
                    let h = 1 + (t as u64 + i as u64) % 3;
                    let (status, value) = call("apply", |o| {
                        rmp::encode::write_array_len(o, 2).unwrap();
                        host_object(o, h);
                        int(o, i);
                    });
                    assert_eq!((status, value.as_i64()), (Status::Ok, Some(i + h as i64)));
                    let (_, adder) = call("adder", |o| {
                        rmp::encode::write_array_len(o, 1).unwrap();
                        int(o, t);
                    });
                    let handle = handle_of(&adder, EXT_LIBRARY_CLOSURE);
                    let (status, value) = call("apply", |o| {
                        rmp::encode::write_array_len(o, 2).unwrap();
                        closure(o, handle);
                        int(o, i);
                    });
                    assert_eq!((status, value.as_i64()), (Status::Ok, Some(t + i)));
                    let (_, counter) = call("Counter.new", |o| {
                        rmp::encode::write_array_len(o, 2).unwrap();
                        rmp::encode::write_str(o, "t").unwrap();
                        int(o, i);
                    });
                    let object_handle = handle_of(&counter, EXT_OBJECT);
                    let objects = library().objects().unwrap();
                    let copy = objects.clone_handle(object_handle).expect("live");
                    assert_eq!(objects.release(object_handle), Ok(Status::Ok));
                    assert_eq!(objects.release(copy), Ok(Status::Ok));
                    let closures = library().closures().unwrap();
                    assert_eq!(closures.release(handle), Ok(Status::Ok));
                }
            })
        })
        .collect();
    for thread in threads {
        thread.join().unwrap();
    }
    assert!(HOST.held().is_empty(), "left: {:?}", HOST.held());
    assert!(live_closures().is_empty());
    assert!(live_objects().is_empty());
}
