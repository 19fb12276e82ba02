//! The C entry points driven by a hostile host: the fixture library (dlopened
//! through `ferryman-host`, built with the fuzzer's instrumentation by
//! `fuzz/run.sh`) gets a sequence of calls of every function id with
//! arguments generated from describe's types — bent, at random places, into
//! values of the wrong type, stale handles, foreign host ids, bad extensions —
//! plus calls and releases of the closures and objects it hands out, while
//! the registered host answers callbacks with results, error values and
//! garbage the input chooses.
//!
//! After every reply the spec's invariants are asserted (`spec/abi.md`,
//! "Status codes"; `spec/wire.md`, "Error values"): a documented status, a
//! complete error value whose kind fits the status, exactly one value on
//! success. The host counts its references (`spec/callbacks.md`): never
//! negative, and back to zero — with no live closure or object — once the
//! input's handles are released and the fixture's stores emptied.
#![no_main]

use std::collections::HashMap;
use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::{Mutex, OnceLock};

use arbitrary::{Result as ArbResult, Unstructured};
use ferryman_abi::{EXT_BIG_INT, EXT_HOST_OBJECT, EXT_LENT_BYTES, EXT_LIBRARY_CLOSURE, EXT_OBJECT};
use ferryman_host::write::{ErrorView, Message};
use ferryman_host::{
    Answer, Describe, Host, Library, NamedType, Reply, Shape, Status, Type, Value,
};
use libfuzzer_sys::fuzz_target;

/// Functions left out: they block, sleep, spawn threads that outlive the
/// input, or do unbounded work sized by an integer argument (a property of
/// the fixture, not of the runtime).
const SKIPPED: &[&str] = &[
    "spawn_calling",
    "spawn_holding",
    "background_calls",
    "spin_on_worker_until_interrupted",
    "sleep_ms",
    // Async functions wait (no completion is connected: they block) for as
    // long as their argument says; streams hand out handles nobody releases.
    "async_sleep",
    "async_fail",
    "async_panic",
    "async_guarded",
    "AsyncCounter.add_later",
    "AsyncCounter.upcoming",
    "ticker",
    "stream_count",
    "count_failing",
    // Builds `depth` paths of up to `depth` components (memory quadratic in
    // its argument); a tree deeper than the wire's limit is an error, but a
    // very deep one is dropped recursively (plain Rust) before that.
    "tree",
    "call_c_later",
    "spin_until_interrupted",
    "spin_ignoring_interrupts",
    // Raises whatever signal its argument names (SIGKILL, SIGSEGV…).
    "signal_self_at",
    "call_from_threads",
    "call_stored_on_thread",
    "drop_stored_on_thread",
    "kept_bytes_from_thread",
    "counter_in_thread",
    "count_successes",
    "counters",
    "Greeter.greet",
    "Greeter.new",
    // Read the file an argument names: a device such as /dev/zero never ends.
    "read_file",
    "read_config",
    // Recursion as deep as their argument: a stack overflow (on purpose for
    // `recurse`: tests/python/test_stack_overflow.py; README, "Limits").
    "recurse",
    "panic_nested",
];

/// Run at the end of every input: they drop what the fixture stored.
const CLEANUP: &[&str] = &[
    "drop_stored",
    "drop_kept_bytes",
    "drop_kept_counters",
    "take_kept_error",
];

/// Host objects 1-4 are callables, 5-8 byte objects (`LENT`), 9-12
/// exceptions; a hostile input may name any other handle too.
const BYTE_HANDLES: std::ops::RangeInclusive<u64> = 5..=8;
static LENT: [[u8; 32]; 4] = [[0x11; 32], [0x22; 32], [0x33; 32], [0x44; 32]];

struct Fixture {
    library: Library,
    describe: Describe,
    /// Function ids the fuzzer calls.
    callable: Vec<u32>,
    cleanup: Vec<u32>,
    host_id: u32,
}

/// What the host answers to `invoke`, in order; empty means nil.
#[derive(Debug, Clone)]
enum Plan {
    Ok(Vec<u8>),
    /// A complete error value; `Some(handle)`: it names an exception.
    Error(Option<u64>),
    /// A non-zero status with bytes that may be anything.
    Garbage(i32, Vec<u8>),
}

/// The host: counts the references the library holds to each handle.
struct FuzzHost {
    refs: Mutex<HashMap<u64, i64>>,
    plans: Mutex<(Vec<Plan>, usize)>,
}

impl FuzzHost {
    fn add(&self, handle: u64, delta: i64, what: &str) {
        let mut refs = self.refs.lock().unwrap_or_else(|p| p.into_inner());
        let count = refs.entry(handle).or_insert(0);
        *count += delta;
        assert!(
            *count >= 0,
            "host object {handle}: count {count} after {what}"
        );
        if *count == 0 {
            refs.remove(&handle);
        }
    }
}

impl Host for FuzzHost {
    type Held = ();

    fn invoke(&self, _handle: u64, args: &[u8]) -> Answer<()> {
        // Every callable in `args` comes with one reference for the host.
        let value = Value::decode(args).expect("invoke's arguments are one MessagePack value");
        assert!(
            matches!(value, Value::Array(_)),
            "invoke's arguments are an array"
        );
        take_references(&value, fixture());
        let plan = {
            let mut plans = self.plans.lock().unwrap_or_else(|p| p.into_inner());
            let (list, next) = &mut *plans;
            let plan = list.get(*next).cloned();
            *next += 1;
            plan
        };
        match plan {
            None => Answer::ok(vec![0xc0]),
            Some(Plan::Ok(bytes)) => Answer::ok(bytes),
            Some(Plan::Error(exception)) => {
                if let Some(handle) = exception {
                    // The library owns the exception's one reference now.
                    self.add(handle, 1, "an error value named it");
                }
                let mut view = ErrorView::new("host", "ValueError", Message::Text("fuzz"));
                view.host_exception = exception;
                Answer::failure(Status::Error, &view)
            }
            Some(Plan::Garbage(status, bytes)) => {
                Answer::error(Status::from_code(status).unwrap_or(Status::Error), bytes)
            }
        }
    }

    fn retain(&self, handle: u64) {
        self.add(handle, 1, "retain");
    }

    fn release(&self, handle: u64) {
        self.add(handle, -1, "release");
    }
}

static HOST: OnceLock<FuzzHost> = OnceLock::new();
static FIXTURE: OnceLock<Fixture> = OnceLock::new();
static CLASS_COUNT: AtomicU32 = AtomicU32::new(0);

fn host() -> &'static FuzzHost {
    HOST.get_or_init(|| FuzzHost {
        refs: Mutex::new(HashMap::new()),
        plans: Mutex::new((Vec::new(), 0)),
    })
}

fn fixture() -> &'static Fixture {
    FIXTURE.get_or_init(|| {
        let path = std::env::var("FERRYMAN_FUZZ_FIXTURE").unwrap_or_else(|_| {
            concat!(
                env!("CARGO_MANIFEST_DIR"),
                "/../target/debug/libferryman_fixture.so"
            )
            .into()
        });
        let library = Library::open(&path).unwrap_or_else(|e| panic!("{path}: {e}"));
        let describe = library.describe().expect("describe");
        let host_id = library
            .closures()
            .expect("the fixture has closures")
            .register_host(host())
            .expect("registered");
        let id_of = |name: &str| describe.function(name).map(|f| f.id);
        let callable = describe
            .functions
            .iter()
            .filter(|f| !SKIPPED.contains(&f.name.as_str()))
            .map(|f| f.id)
            .collect();
        let cleanup = CLEANUP.iter().filter_map(|name| id_of(name)).collect();
        CLASS_COUNT.store(describe.classes.len() as u32, Ordering::Relaxed);
        Fixture {
            library,
            describe,
            callable,
            cleanup,
            host_id,
        }
    })
}

/// The handles the host owns during one input.
#[derive(Default)]
struct Owned {
    closures: Vec<u64>,
    objects: Vec<(u32, u64)>,
}

/// Drops the reference a host object or lent bytes value the library wrote
/// hands to the host.
fn drop_host_reference(tag: i8, payload: &[u8]) {
    let handle = |len: usize| {
        assert_eq!(payload.len(), len, "extension {tag} payload");
        u64::from_be_bytes(payload[4..12].try_into().unwrap())
    };
    match tag {
        EXT_HOST_OBJECT => host().add(handle(12), -1, "receiving extension 1"),
        EXT_LENT_BYTES => {
            let handle = handle(28);
            assert!(
                BYTE_HANDLES.contains(&handle),
                "lent bytes of handle {handle}"
            );
            host().add(handle, -1, "receiving extension 3");
        }
        _ => {}
    }
}

/// What an `invoke`'s arguments hand to the host: host objects and lent
/// bytes are dropped, closures and objects released at once.
fn take_references(value: &Value, fixture: &Fixture) {
    let mut owned = Owned::default();
    receive(value, &mut owned);
    for handle in owned.closures {
        let status = fixture.library.closures().unwrap().release(handle);
        assert_eq!(
            status,
            Ok(Status::Ok),
            "releasing closure {handle} of invoke's arguments"
        );
    }
    for (_, handle) in owned.objects {
        let status = fixture.library.objects().unwrap().release(handle);
        assert_eq!(
            status,
            Ok(Status::Ok),
            "releasing object {handle} of invoke's arguments"
        );
    }
}

/// Collects the closures and objects of a result into `owned` and releases
/// its host objects, lent bytes and exception handles.
fn receive(value: &Value, owned: &mut Owned) {
    match value {
        Value::Array(items) => items.iter().for_each(|v| receive(v, owned)),
        Value::Map(pairs) => pairs.iter().for_each(|(k, v)| {
            receive(k, owned);
            receive(v, owned);
        }),
        Value::Ext(EXT_LIBRARY_CLOSURE, payload) => owned.closures.push(u64::from_be_bytes(
            payload.as_slice().try_into().expect("extension 2 payload"),
        )),
        Value::Ext(EXT_OBJECT, payload) => {
            assert_eq!(payload.len(), 12, "extension 5 payload");
            owned.objects.push((
                u32::from_be_bytes(payload[..4].try_into().unwrap()),
                u64::from_be_bytes(payload[4..].try_into().unwrap()),
            ));
        }
        Value::Ext(tag, payload) => drop_host_reference(*tag, payload),
        _ => {}
    }
}

const ERROR_KEYS: [&str; 17] = [
    "kind",
    "type",
    "rust_type",
    "message",
    "function",
    "param",
    "index",
    "expected",
    "found",
    "variant",
    "fields",
    "base",
    "os_error",
    "causes",
    "notes",
    "frames",
    "host_exception",
];

/// Asserts the spec's invariants on one reply and takes what it hands over.
fn check_reply(reply: &Reply<'_>, owned: &mut Owned, what: &str) {
    let code = reply.code();
    assert!(
        (0..=5).contains(&code),
        "{what}: undocumented status {code}"
    );
    let bytes = reply
        .bytes()
        .unwrap_or_else(|e| panic!("{what}: unreadable box: {e}"));
    let value = Value::decode(bytes)
        .unwrap_or_else(|e| panic!("{what}: status {code} with bytes that are not one value: {e}"));
    if code == 0 {
        receive(&value, owned);
        return;
    }
    let Value::Map(pairs) = &value else {
        panic!("{what}: status {code}, error value not a map: {value:?}");
    };
    for key in ERROR_KEYS {
        assert!(
            value.get(key).is_some(),
            "{what}: error value without `{key}`: {value:?}"
        );
    }
    assert_eq!(
        pairs.len(),
        ERROR_KEYS.len(),
        "{what}: extra keys in {value:?}"
    );
    let kind = value
        .get("kind")
        .and_then(Value::as_str)
        .expect("kind is a str");
    for key in ["type", "message"] {
        assert!(
            value.get(key).unwrap().as_str().is_some(),
            "{what}: `{key}` not a str"
        );
    }
    let allowed: &[&str] = match code {
        1 => &[
            "error",
            "host",
            "panic",
            "type",
            "overflow",
            "malformed",
            "arity",
            "no_function",
            "internal",
        ],
        2 => &["panic"],
        3 => &["arity", "type", "overflow", "malformed", "borrow"],
        4 => &["no_function"],
        _ => &["internal"],
    };
    assert!(
        allowed.contains(&kind),
        "{what}: status {code} with kind {kind}: {value:?}"
    );
    let decoded = ferryman_host::ErrorValueRef::decode(bytes)
        .unwrap_or_else(|e| panic!("{what}: the host core cannot read the error value: {e}"));
    assert_eq!(decoded.kind().as_str(), kind);
    // Every exception handle comes with one reference for the host.
    let mut handles = vec![value.get("host_exception").unwrap()];
    if let Some(Value::Array(causes)) = value.get("causes") {
        handles.extend(causes.iter().filter_map(|c| c.get("host_exception")));
    }
    for handle in handles {
        if let Value::Int(handle) = handle {
            host().add(*handle as u64, -1, "an error value handed it over");
        }
    }
    if let Some(fields) = value.get("fields") {
        receive(fields, owned);
    }
}

/// A minimal MessagePack writer (rmp's functions on a `Vec` cannot fail).
struct Out(Vec<u8>);

impl Out {
    fn int(&mut self, n: i64) {
        rmp::encode::write_sint(&mut self.0, n).unwrap();
    }
    fn uint(&mut self, n: u64) {
        rmp::encode::write_uint(&mut self.0, n).unwrap();
    }
    fn str(&mut self, s: &str) {
        rmp::encode::write_str(&mut self.0, s).unwrap();
    }
    fn bin(&mut self, b: &[u8]) {
        rmp::encode::write_bin(&mut self.0, b).unwrap();
    }
    fn array(&mut self, n: usize) {
        rmp::encode::write_array_len(&mut self.0, n as u32).unwrap();
    }
    fn map(&mut self, n: usize) {
        rmp::encode::write_map_len(&mut self.0, n as u32).unwrap();
    }
    fn ext(&mut self, tag: i8, payload: &[u8]) {
        rmp::encode::write_ext_meta(&mut self.0, payload.len() as u32, tag).unwrap();
        self.0.extend_from_slice(payload);
    }
}

/// Generates arguments: by type, bent into something else now and then.
struct Gen<'a, 'u> {
    u: &'a mut Unstructured<'u>,
    fixture: &'static Fixture,
    owned: &'a Owned,
    /// Memory lent with handle 0: alive until the call returns.
    lent: &'a mut Vec<Vec<u8>>,
}

impl Gen<'_, '_> {
    fn handle(&mut self) -> ArbResult<u64> {
        Ok(match self.u.int_in_range(0..=7)? {
            0 => 0,
            1 => self.u.arbitrary()?,
            _ => self.u.int_in_range(1..=12)?,
        })
    }

    fn host_object(&mut self, out: &mut Out) -> ArbResult<()> {
        let id = if self.u.ratio(1, 16)? {
            self.u.arbitrary()?
        } else {
            self.fixture.host_id
        };
        let handle = self.handle()?;
        let mut payload = id.to_be_bytes().to_vec();
        payload.extend_from_slice(&handle.to_be_bytes());
        out.ext(EXT_HOST_OBJECT, &payload);
        Ok(())
    }

    fn closure(&mut self, out: &mut Out) -> ArbResult<()> {
        let handle = match self.owned.closures.len() {
            0 => self.handle()?,
            n if !self.u.ratio(1, 8)? => self.owned.closures[self.u.choose_index(n)?],
            _ => self.handle()?,
        };
        out.ext(EXT_LIBRARY_CLOSURE, &handle.to_be_bytes());
        Ok(())
    }

    fn object(&mut self, out: &mut Out) -> ArbResult<()> {
        let (class, handle) = match self.owned.objects.len() {
            n if n > 0 && !self.u.ratio(1, 8)? => self.owned.objects[self.u.choose_index(n)?],
            _ => (
                self.u
                    .int_in_range(0..=CLASS_COUNT.load(Ordering::Relaxed))?,
                self.handle()?,
            ),
        };
        let mut payload = class.to_be_bytes().to_vec();
        payload.extend_from_slice(&handle.to_be_bytes());
        out.ext(EXT_OBJECT, &payload);
        Ok(())
    }

    fn bytes(&mut self, out: &mut Out) -> ArbResult<()> {
        match self.u.int_in_range(0..=3)? {
            0 | 1 => out.bin(self.u.arbitrary()?),
            2 => {
                // Lent for this call (handle 0).
                let data: Vec<u8> = self.u.arbitrary()?;
                let payload = lent_payload(self.fixture.host_id, 0, data.as_ptr(), data.len());
                self.lent.push(data);
                out.ext(EXT_LENT_BYTES, &payload);
            }
            _ => {
                // A byte object of the host's (handles 5-8), or part of one.
                let index = self.u.choose_index(LENT.len())?;
                let start = self.u.int_in_range(0..=32)?;
                let len = self.u.int_in_range(0..=32 - start)?;
                let ptr = LENT[index][start..].as_ptr();
                let payload = lent_payload(self.fixture.host_id, 5 + index as u64, ptr, len);
                out.ext(EXT_LENT_BYTES, &payload);
            }
        }
        Ok(())
    }

    /// A lent slice (29-byte extension 3) of memory that is there, with any
    /// item code and any offset into it (aligned or not, whole items or not).
    fn lent_slice(&mut self, out: &mut Out) -> ArbResult<()> {
        let data: Vec<u8> = self.u.arbitrary()?;
        let start = self.u.int_in_range(0..=data.len().min(8))?;
        let mut payload = lent_payload(self.fixture.host_id, 0, data[start..].as_ptr(), data.len() - start);
        payload.push(self.u.arbitrary()?);
        self.lent.push(data);
        out.ext(EXT_LENT_BYTES, &payload);
        Ok(())
    }

    /// Anything at all: scalars, containers, extensions of any type.
    fn hostile(&mut self, out: &mut Out, depth: usize) -> ArbResult<()> {
        match self.u.int_in_range(0..=13)? {
            0 => out.0.push(0xc0),
            1 => rmp::encode::write_bool(&mut out.0, self.u.arbitrary()?).unwrap(),
            2 => out.int(self.u.arbitrary()?),
            3 => out.uint(self.u.arbitrary()?),
            4 => rmp::encode::write_f64(&mut out.0, self.u.arbitrary()?).unwrap(),
            5 => out.str(self.u.arbitrary()?),
            6 => out.bin(self.u.arbitrary()?),
            7 if depth < 6 => {
                let n = self.u.int_in_range(0..=4)?;
                out.array(n);
                for _ in 0..n {
                    self.hostile(out, depth + 1)?;
                }
            }
            8 if depth < 6 => {
                let n = self.u.int_in_range(0..=3)?;
                out.map(n);
                for _ in 0..2 * n {
                    self.hostile(out, depth + 1)?;
                }
            }
            // Lent bytes name memory the library reads without a check: only
            // memory that is there (the spec's promise, which a host keeps).
            9 => match self.u.arbitrary()? {
                EXT_LENT_BYTES if self.u.arbitrary()? => self.lent_slice(out)?,
                EXT_LENT_BYTES => self.bytes(out)?,
                tag => out.ext(tag, self.u.arbitrary()?),
            },
            10 => self.host_object(out)?,
            11 => self.closure(out)?,
            12 => self.object(out)?,
            // Raw bytes: anything, truncated values included, except
            // extension headers (they could make lent bytes of wild memory):
            // those become the reserved byte 0xc1.
            _ => {
                let len = self.u.int_in_range(0..=8)?;
                let raw = self.u.bytes(len)?;
                out.0.extend(raw.iter().map(|&b| match b {
                    0xc7..=0xc9 | 0xd4..=0xd8 => 0xc1,
                    b => b,
                }));
            }
        }
        Ok(())
    }

    fn value(&mut self, ty: &Type, out: &mut Out, depth: usize) -> ArbResult<()> {
        if depth > 6 || self.u.ratio(1, 24)? {
            return self.hostile(out, depth);
        }
        match ty {
            Type::Unit => out.0.push(0xc0),
            Type::Bool => rmp::encode::write_bool(&mut out.0, self.u.arbitrary()?).unwrap(),
            Type::I8 | Type::I16 | Type::I32 | Type::I64 | Type::Isize => {
                out.int(match self.u.int_in_range(0..=3)? {
                    0 => self.u.arbitrary()?,
                    _ => self.u.int_in_range(-40..=40)?,
                })
            }
            Type::U8 | Type::U16 | Type::U32 | Type::U64 | Type::Usize => {
                out.uint(match self.u.int_in_range(0..=3)? {
                    0 => self.u.arbitrary()?,
                    _ => self.u.int_in_range(0..=40)?,
                })
            }
            Type::I128 | Type::U128 => {
                if self.u.arbitrary()? {
                    out.int(self.u.arbitrary()?)
                } else {
                    let len = self.u.int_in_range(1..=18)?;
                    out.ext(EXT_BIG_INT, self.u.bytes(len)?);
                }
            }
            Type::F32 | Type::F64 => {
                rmp::encode::write_f64(&mut out.0, self.u.arbitrary()?).unwrap()
            }
            Type::Char => {
                let c: char = self.u.arbitrary()?;
                out.str(c.encode_utf8(&mut [0; 4]));
            }
            Type::Str | Type::Path => out.str(self.u.arbitrary()?),
            Type::Duration => {
                // `[secs, nanos]` (spec/wire.md, "Times"), often out of range.
                out.array(2);
                out.uint(self.u.arbitrary()?);
                out.uint(self.u.int_in_range(0..=1_000_000_001)?);
            }
            Type::Timestamp | Type::Date | Type::DateTime => {
                // A valid text form, or any text.
                let forms = [
                    "2024-05-01T12:00:00Z",
                    "1969-12-31T23:59:59.999999999+01:00",
                    "2024-05-01",
                    "2024-05-01T12:00:00",
                    "9999-12-31T23:59:60Z",
                ];
                if self.u.arbitrary()? {
                    out.str(forms[self.u.choose_index(forms.len())?]);
                } else {
                    out.str(self.u.arbitrary()?);
                }
            }
            Type::Bytes => self.bytes(out)?,
            Type::List(item) | Type::Iter(item) => {
                let n = self.u.int_in_range(0..=5)?;
                out.array(n);
                for _ in 0..n {
                    self.value(item, out, depth + 1)?;
                }
            }
            Type::Tuple(items) => {
                out.array(items.len());
                for item in items {
                    self.value(item, out, depth + 1)?;
                }
            }
            Type::Map(key, value) => {
                let n = self.u.int_in_range(0..=4)?;
                out.map(n);
                for _ in 0..n {
                    self.value(key, out, depth + 1)?;
                    self.value(value, out, depth + 1)?;
                }
            }
            Type::Option(inner) => {
                if self.u.arbitrary()? {
                    out.0.push(0xc0)
                } else {
                    self.value(inner, out, depth)?
                }
            }
            Type::Callback(..) => {
                if self.u.arbitrary()? {
                    self.host_object(out)?
                } else {
                    self.closure(out)?
                }
            }
            Type::Object(_) => self.object(out)?,
            Type::Named(name) => match self.fixture.describe.named_type(name) {
                Some(named) => self.named(named, out, depth)?,
                None => self.hostile(out, depth)?,
            },
            Type::Unknown(_) => self.hostile(out, depth)?,
        }
        Ok(())
    }

    fn named(&mut self, named: &'static NamedType, out: &mut Out, depth: usize) -> ArbResult<()> {
        self.shape(&named.shape, out, depth)
    }

    fn shape(&mut self, shape: &'static Shape, out: &mut Out, depth: usize) -> ArbResult<()> {
        match shape {
            Shape::Struct(fields) => {
                let present: Vec<_> = fields
                    .iter()
                    .filter(|f| !f.optional || self.u.arbitrary().unwrap_or(false))
                    .collect();
                out.map(present.len());
                for field in present {
                    out.str(&field.name);
                    self.value(&field.ty, out, depth + 1)?;
                }
            }
            Shape::Tuple(items) => {
                out.array(items.len());
                for item in items {
                    self.value(item, out, depth + 1)?;
                }
            }
            Shape::Newtype(ty) => self.value(ty, out, depth + 1)?,
            Shape::Unit => out.0.push(0xc0),
            Shape::Enum(variants) if !variants.is_empty() => {
                let variant = &variants[self.u.choose_index(variants.len())?];
                if matches!(variant.shape, Shape::Unit) {
                    out.str(&variant.name);
                } else {
                    out.map(1);
                    out.str(&variant.name);
                    self.shape(&variant.shape, out, depth + 1)?;
                }
            }
            _ => self.hostile(out, depth)?,
        }
        Ok(())
    }
}

fn lent_payload(host_id: u32, handle: u64, ptr: *const u8, len: usize) -> Vec<u8> {
    let mut payload = host_id.to_be_bytes().to_vec();
    payload.extend_from_slice(&handle.to_be_bytes());
    payload.extend_from_slice(&(ptr as u64).to_be_bytes());
    payload.extend_from_slice(&(len as u64).to_be_bytes());
    payload
}

fn plan(u: &mut Unstructured<'_>, fixture: &'static Fixture, owned: &Owned) -> ArbResult<Plan> {
    Ok(match u.int_in_range(0..=9)? {
        0..=4 => {
            let mut out = Out(Vec::new());
            let mut lent = Vec::new();
            let mut gen = Gen {
                u,
                fixture,
                owned,
                lent: &mut lent,
            };
            let ty = match gen.u.int_in_range(0..=3)? {
                0 => Type::Str,
                1 => Type::Named("Point".into()),
                _ => Type::I64,
            };
            gen.value(&ty, &mut out, 0)?;
            // Lent bytes are refused in results: never name freed memory.
            if !lent.is_empty() {
                out = Out(vec![0xc0]);
            }
            Plan::Ok(out.0)
        }
        5 | 6 => Plan::Error(if u.arbitrary()? {
            Some(u.int_in_range(9..=12)?)
        } else {
            None
        }),
        _ => Plan::Garbage(u.int_in_range(1..=6)?, u.arbitrary()?),
    })
}

fn run(u: &mut Unstructured<'_>) {
    let fixture = fixture();
    let mut owned = Owned::default();
    // The input may run out at any step: what was received is released anyway.
    let _ = steps(u, fixture, &mut owned);
    finish(fixture, owned);
}

fn steps(u: &mut Unstructured<'_>, fixture: &'static Fixture, owned: &mut Owned) -> ArbResult<()> {
    let mut out_buf = Vec::new();
    let steps = u.int_in_range(1..=12)?;
    for _ in 0..steps {
        if u.is_empty() {
            break;
        }
        let plans = (0..u.int_in_range(0..=3)?)
            .map(|_| plan(u, fixture, owned))
            .collect::<ArbResult<Vec<_>>>()?;
        *host().plans.lock().unwrap() = (plans, 0);
        match u.int_in_range(0..=9)? {
            0..=5 => {
                let id = fixture.callable[u.choose_index(fixture.callable.len())?];
                let function = &fixture.describe.functions[id as usize];
                let mut lent = Vec::new();
                let mut out = Out(Vec::new());
                let count = match u.int_in_range(0..=15)? {
                    0 => u.int_in_range(0..=5)?,
                    _ => function.params.len(),
                };
                out.array(count);
                let mut gen = Gen {
                    u,
                    fixture,
                    owned: &*owned,
                    lent: &mut lent,
                };
                for param in function.params.iter().take(count) {
                    gen.value(&param.ty, &mut out, 1)?;
                }
                for _ in function.params.len()..count {
                    gen.hostile(&mut out, 1)?;
                }
                // SAFETY: lent bytes name `lent` (alive until the call returns)
                // or `LENT` (static, never written).
                let reply = unsafe { fixture.library.call(id, &out.0, &mut out_buf) };
                check_reply(&reply, owned, &function.name);
                drop(lent);
            }
            6 | 7 if !owned.closures.is_empty() => {
                let handle = owned.closures[u.choose_index(owned.closures.len())?];
                let mut lent = Vec::new();
                let mut out = Out(Vec::new());
                let mut gen = Gen {
                    u,
                    fixture,
                    owned: &*owned,
                    lent: &mut lent,
                };
                gen.hostile(&mut out, 0)?;
                if u.ratio(3, 4)? {
                    // Mostly an array, as a host sends.
                    let mut args = Out(Vec::new());
                    let n = u.int_in_range(0..=3)?;
                    args.array(n);
                    for _ in 0..n {
                        let ty = if u.arbitrary()? { Type::I64 } else { Type::Str };
                        Gen {
                            u,
                            fixture,
                            owned: &*owned,
                            lent: &mut lent,
                        }
                        .value(&ty, &mut args, 1)?;
                    }
                    out = args;
                }
                let closures = fixture.library.closures().unwrap();
                // SAFETY: as for `call`.
                let reply = unsafe { closures.call(handle, &out.0, &mut out_buf) };
                check_reply(&reply, owned, "closure call");
                drop(lent);
            }
            8 if !owned.closures.is_empty() => {
                let handle = owned
                    .closures
                    .swap_remove(u.choose_index(owned.closures.len())?);
                let status = fixture.library.closures().unwrap().release(handle);
                assert_eq!(status, Ok(Status::Ok), "releasing closure {handle}");
            }
            9 if !owned.objects.is_empty() => {
                let index = u.choose_index(owned.objects.len())?;
                let objects = fixture.library.objects().unwrap();
                if u.arbitrary()? {
                    let (class, handle) = owned.objects[index];
                    let copy = objects.clone_handle(handle).expect("a live handle clones");
                    owned.objects.push((class, copy));
                } else {
                    let (_, handle) = owned.objects.swap_remove(index);
                    assert_eq!(
                        objects.release(handle),
                        Ok(Status::Ok),
                        "releasing object {handle}"
                    );
                }
            }
            _ => {
                // Stale or made-up handles: refused, never a crash.
                let handle: u64 = u.arbitrary()?;
                let closures = fixture.library.closures().unwrap();
                if !owned.closures.contains(&handle) {
                    assert_eq!(closures.release(handle), Ok(Status::NoFunction));
                }
            }
        }
    }
    Ok(())
}

/// Releases what the host owns, empties the fixture's stores and checks that
/// nothing is left: no live closure or object, every count back to zero.
fn finish(fixture: &Fixture, owned: Owned) {
    *host().plans.lock().unwrap() = (Vec::new(), 0);
    for handle in owned.closures {
        let status = fixture.library.closures().unwrap().release(handle);
        assert_eq!(status, Ok(Status::Ok), "releasing closure {handle}");
    }
    for (_, handle) in owned.objects {
        let status = fixture.library.objects().unwrap().release(handle);
        assert_eq!(status, Ok(Status::Ok), "releasing object {handle}");
    }
    let mut out_buf = Vec::new();
    let mut owned = Owned::default();
    for &id in &fixture.cleanup {
        // SAFETY: no lent bytes.
        let reply = unsafe { fixture.library.call(id, &[0x90], &mut out_buf) };
        check_reply(&reply, &mut owned, "cleanup");
    }
    assert!(owned.closures.is_empty() && owned.objects.is_empty());
    let closures = fixture
        .library
        .closures()
        .unwrap()
        .live()
        .expect("live closures");
    assert!(
        closures.is_empty(),
        "live closures after the input: {closures:?}"
    );
    let objects = fixture
        .library
        .objects()
        .unwrap()
        .live()
        .expect("live objects");
    assert!(
        objects.is_empty(),
        "live objects after the input: {objects:?}"
    );
    let refs = host().refs.lock().unwrap();
    assert!(
        refs.is_empty(),
        "host objects the library still holds: {refs:?}"
    );
}

fuzz_target!(
    init: {
        fixture();
    },
    |data: &[u8]| {
        run(&mut Unstructured::new(data));
    }
);
