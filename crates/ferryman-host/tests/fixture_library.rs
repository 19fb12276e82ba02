//! ferryman-host against the real fixture library (`tests/fixture`), loaded
//! from the file cargo built, exactly as a host language loads it.
//!
//! The library is `target/<profile>/libferryman_fixture.so` next to this test
//! binary (built with `cargo build -p ferryman-fixture` when missing), or the
//! path in `FERRYMAN_FIXTURE`, as for the Python tests.

mod support;

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::OnceLock;
use support::fixture_path;

use ferryman_host::reader::Reader;
use ferryman_host::write::{ErrorView, Message};
use ferryman_host::{Answer, ErrorKind, Host, Library, LoadErrorKind, Shape, Status, Type, Value};

fn fixture() -> &'static Library {
    static LIBRARY: OnceLock<Library> = OnceLock::new();
    LIBRARY.get_or_init(|| Library::open(fixture_path()).expect("the fixture loads"))
}

/// Calls `name` with `args`; the status and the bytes it returned.
fn call(name: &str, args: &[u8]) -> (Status, Vec<u8>) {
    let library = fixture();
    let id = library.function_id(name).expect("the fixture has it");
    let mut out = Vec::with_capacity(256);
    // SAFETY: no lent bytes (extension 3) in any test's arguments.
    let reply = unsafe { library.call(id, args, &mut out) };
    let status = reply.status().expect("a known status");
    (status, reply.bytes().expect("a readable box").to_vec())
}

#[test]
fn handshake_and_describe() {
    let library = fixture();
    let handshake = library.handshake();
    assert_eq!(handshake.identity.library, "ferryman-fixture");
    assert_eq!(handshake.identity.wire, Some(ferryman_abi::WIRE_VERSION));
    assert!(handshake.identity.lent_bytes);
    assert!(handshake.identity.lent_slices);
    assert_eq!(library.abi_version(), ferryman_abi::ABI_VERSION);

    let describe = library.describe().expect("describe decodes");
    assert_eq!(describe.identity, handshake.identity);
    assert_eq!(describe.functions.len(), handshake.functions);
    assert!(describe.duplicate_names().is_empty());
    for (index, function) in describe.functions.iter().enumerate() {
        assert_eq!(function.id as usize, index);
        assert_eq!(library.function_id(&function.name), Some(function.id));
    }
    let add = describe.function("add").expect("add");
    assert_eq!(add.doc.as_deref(), Some("Adds two numbers."));
    let params: Vec<_> = add
        .params
        .iter()
        .map(|p| (p.name.as_str(), &p.ty))
        .collect();
    assert_eq!(params, [("a", &Type::I64), ("b", &Type::I64)]);
    assert_eq!(add.returns.ty, Type::I64);
    assert!(add
        .file
        .as_deref()
        .is_some_and(|f| f.ends_with("primitives.rs")));
    assert!(add.line.is_some());
    let divide = describe.function("divide").expect("divide");
    let error = divide.error.as_ref().expect("divide returns a Result");
    assert_eq!(error.name, "MathError");
    assert_eq!(
        error.rust.as_deref(),
        Some("ferryman_fixture::errors::MathError")
    );
    assert_eq!(error.ty, None, "MathError is not marked #[ferryman::error]");
    // A described error type: `error.type` names its entry in `types`.
    let ratio = describe.function("ratio").expect("ratio");
    let error = ratio.error.as_ref().expect("ratio returns a Result");
    assert_eq!(error.ty, Some(Type::Named("RatioError".into())));
    assert!(describe.named_type("RatioError").is_some());
    // Defaults (`spec/wire.md`, "Defaults"): absent for a required parameter.
    let join_top = describe.function("join_top").expect("join_top");
    let defaults: Vec<_> = join_top.params.iter().map(|p| p.default.clone()).collect();
    assert_eq!(
        defaults,
        [
            None,
            Some(ferryman_host::Value::Int(10)),
            Some(ferryman_host::Value::Str(",".into()))
        ]
    );
    let greet = describe.function("greet_default").expect("greet_default");
    assert_eq!(greet.params[1].default, Some(ferryman_host::Value::Nil));
    let apply = describe.function("apply").expect("apply");
    assert_eq!(
        apply.params[0].ty,
        Type::Callback(vec![Type::I64], Box::new(Type::I64))
    );
    // Named types, when the library lists them (`spec/wire.md`, "Named types").
    for named in &describe.types {
        assert!(!named.name.is_empty());
        assert!(!matches!(named.shape, Shape::Other(_)), "{named:?}");
    }
}

#[test]
fn a_call_and_a_result_that_spills_out_of_the_host_buffer() {
    assert_eq!(call("add", &[0x92, 0x02, 0x03]), (Status::Ok, vec![0x05]));
    let library = fixture();
    let id = library.function_id("echo_string").expect("echo_string");
    let mut empty = Vec::new();
    // SAFETY: no lent bytes.
    let reply = unsafe { library.call(id, &[0x91, 0xa3, b'A', b'n', b'n'], &mut empty) };
    assert!(reply.spilled(), "no host buffer: the library allocates");
    assert_eq!(reply.bytes().unwrap(), &[0xa3, b'A', b'n', b'n']);
}

#[test]
fn an_error_value_is_decoded() {
    let (status, bytes) = call("divide", &[0x92, 0x01, 0x00]);
    assert_eq!(status, Status::Error);
    let error = ferryman_host::ErrorValue::decode(&bytes).expect("an error value");
    assert_eq!(error.kind, ErrorKind::Error);
    assert_eq!(error.type_name, "MathError");
    assert_eq!(error.message, "division by zero");
    assert_eq!(error.function.as_deref(), Some("divide"));
    assert_eq!(error.variant.as_deref(), Some("DivisionByZero"));
    assert_eq!(error.fields, Some(Value::Map(Vec::new())));
    let frame = &error.frames[0];
    assert_eq!(frame.function, "divide");
    assert!(frame.file.ends_with("errors.rs"), "{frame:?}");
    assert!(frame.line.is_some());
    assert_eq!(frame.language, "rust");

    let borrowed = ferryman_host::ErrorValueRef::decode(&bytes).expect("read in place");
    assert_eq!(borrowed.to_owned_value(), error);
}

#[test]
fn a_bad_argument_names_the_parameter() {
    let (status, bytes) = call("add", &[0x92, 0xa1, b'x', 0x01]);
    assert_eq!(status, Status::BadArgs);
    let error = ferryman_host::ErrorValue::decode(&bytes).unwrap();
    assert_eq!(error.kind, ErrorKind::Type);
    assert_eq!(error.param.as_deref(), Some("a"));
    assert_eq!(error.index, Some(0));
}

#[test]
fn a_panic_is_decoded_with_its_location() {
    let (status, bytes) = call("panic_now", &[0x91, 0xa4, b'b', b'o', b'o', b'm']);
    assert_eq!(status, Status::Panic);
    let error = ferryman_host::ErrorValue::decode(&bytes).unwrap();
    assert_eq!(error.kind, ErrorKind::Panic);
    assert_eq!(error.type_name, "Panic");
    assert_eq!(error.message, "boom");
    let last = error.frames.last().expect("the panic location");
    assert!(last.file.ends_with("panics.rs"), "{last:?}");
}

#[cfg(target_os = "linux")]
#[test]
fn a_library_that_is_not_ferryman_is_refused() {
    let error = Library::open("libc.so.6").unwrap_err();
    assert_eq!(error.kind, LoadErrorKind::NotFerryman);
    assert_eq!(
        error.to_string(),
        "libc.so.6 is not a ferryman library: it does not export `ferryman_abi_version`; \
         build a crate with `#[ferryman::export]` functions as a cdylib"
    );
    let missing = Library::open("/nowhere/libx.so").unwrap_err();
    assert!(matches!(missing.kind, LoadErrorKind::Open(_)));
    assert!(missing
        .to_string()
        .starts_with("cannot load /nowhere/libx.so: "));
}

/// A host whose one object doubles an `i64`, and fails on 13.
#[derive(Default)]
struct Doubler {
    retained: AtomicU64,
    released: AtomicU64,
}

impl Host for Doubler {
    type Held = ();

    fn invoke(&self, handle: u64, args: &[u8]) -> Answer<()> {
        assert_eq!(handle, 7);
        let mut reader = Reader::new(args);
        let x = match (reader.array_len(), reader.int()) {
            (Ok(1), Ok(x)) => x.as_i128(),
            _ => return Answer::bridge("expected one int"),
        };
        if x == 13 {
            let view = ErrorView::new("host", "UnluckyError", Message::Text("not 13"));
            return Answer::failure(Status::Error, &view);
        }
        let doubled = i8::try_from(2 * x).expect("a small test value");
        Answer::ok(vec![doubled as u8])
    }

    fn retain(&self, _: u64) {
        self.retained.fetch_add(1, Ordering::SeqCst);
    }

    fn release(&self, _: u64) {
        self.released.fetch_add(1, Ordering::SeqCst);
    }
}

#[test]
fn a_registered_host_is_called_back_and_closures_come_back() {
    let library = fixture();
    let closures = library.closures().expect("the fixture takes callables");
    let host: &'static Doubler = Box::leak(Box::default());
    let host_id = closures.register_host(host).expect("registered");
    assert_eq!(
        closures.register_host(host),
        Some(host_id),
        "once per library"
    );

    // apply(f, 5) with f = host object 7 (extension 1).
    let mut args = vec![0x92, 0xc7, 0x0c, 0x01];
    args.extend_from_slice(&host_id.to_be_bytes());
    args.extend_from_slice(&7u64.to_be_bytes());
    args.push(0x05);
    assert_eq!(call("apply", &args), (Status::Ok, vec![10]));
    assert_eq!(host.retained.load(Ordering::SeqCst), 1);
    assert_eq!(host.released.load(Ordering::SeqCst), 1);

    // The host's failure comes back as the callback's error.
    *args.last_mut().unwrap() = 13;
    let (status, bytes) = call("apply", &args);
    assert_eq!(status, Status::Error);
    let error = ferryman_host::ErrorValue::decode(&bytes).unwrap();
    assert_eq!(
        (error.kind, error.type_name.as_str(), error.message.as_str()),
        (ErrorKind::Host, "UnluckyError", "not 13")
    );

    // adder(2) returns a library closure (extension 2): call it, release it.
    let (status, bytes) = call("adder", &[0x91, 0x02]);
    assert_eq!(status, Status::Ok);
    let ext = Reader::new(&bytes).ext().expect("a closure");
    assert_eq!(ext.tag, ferryman_abi::EXT_LIBRARY_CLOSURE);
    let handle = u64::from_be_bytes(ext.payload.try_into().unwrap());
    assert!(closures.live().unwrap().iter().any(|c| c.handle == handle));
    let mut out = Vec::new();
    // SAFETY: no lent bytes.
    let reply = unsafe { closures.call(handle, &[0x91, 0x28], &mut out) };
    assert_eq!(
        (reply.status(), reply.bytes()),
        (Ok(Status::Ok), Ok(&[0x2a][..]))
    );
    drop(reply);
    assert_eq!(closures.release(handle), Ok(Status::Ok));
    assert!(!closures.live().unwrap().iter().any(|c| c.handle == handle));
}
