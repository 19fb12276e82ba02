//! Objects and lazy iterators through the entry points, as a host drives them:
//! construct, call, pass, clone, release, the live list, wrong classes,
//! released handles, the `&mut self` guard, iterator batches and drops.

use ferryman::{Callback, CallbackError};
use ferryman_abi::{FerryBox, Status};
use ferryman_runtime::entry::{
    ferryman_call, ferryman_closure_call, ferryman_closure_release, ferryman_describe,
    ferryman_function_id, ferryman_handshake, ferryman_live_closures, ferryman_live_objects,
    ferryman_object_clone, ferryman_object_release,
};
use rmpv::Value;
use std::cell::Cell;
use std::sync::atomic::{AtomicI64, Ordering};
use std::sync::{Arc, Mutex};

thread_local! {
    /// Meters dropped on this thread: tests run in parallel, and a test's own
    /// releases drop its meters on its own thread.
    static DROPS: Cell<u64> = const { Cell::new(0) };
}

fn drops() -> u64 {
    DROPS.with(Cell::get)
}

/// A test counter.
#[derive(Debug)]
#[ferryman::export(display, eq)]
pub struct Meter {
    name: String,
    value: AtomicI64,
}

impl Drop for Meter {
    fn drop(&mut self) {
        DROPS.with(|drops| drops.set(drops.get() + 1));
    }
}

impl std::fmt::Display for Meter {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Meter({})", self.name)
    }
}

impl PartialEq for Meter {
    fn eq(&self, other: &Meter) -> bool {
        self.name == other.name
    }
}

#[derive(Debug, thiserror::Error, serde::Serialize)]
#[error("bad name")]
pub struct BadName;

#[ferryman::export]
impl Meter {
    /// Makes one.
    pub fn new(name: String) -> Result<Self, BadName> {
        if name.is_empty() {
            return Err(BadName);
        }
        Ok(Meter {
            name,
            value: AtomicI64::new(0),
        })
    }

    pub fn add(&self, n: i64) -> i64 {
        self.value.fetch_add(n, Ordering::SeqCst) + n
    }

    pub fn name(&self) -> String {
        self.name.clone()
    }

    pub fn rename(&mut self, name: String) {
        self.name = name;
    }

    pub fn twin(&self) -> Self {
        Meter {
            name: self.name.clone(),
            value: AtomicI64::new(self.value.load(Ordering::SeqCst)),
        }
    }

    pub fn chars(&self) -> impl Iterator<Item = String> + Send + '_ {
        self.name.chars().map(String::from)
    }

    pub fn call_back(&self, f: Callback<(i64,), i64>) -> Result<i64, CallbackError> {
        f.call((1,))
    }

    pub fn boom(&self) {
        panic!("meter boom")
    }
}

/// Another class.
#[derive(Debug)]
#[ferryman::export]
pub struct Other;

#[ferryman::export]
impl Other {
    pub fn new() -> Arc<Self> {
        Arc::new(Other)
    }
}

static KEPT: Mutex<Vec<Arc<Meter>>> = Mutex::new(Vec::new());
/// The tests that use `KEPT` run one at a time.
static KEPT_TESTS: Mutex<()> = Mutex::new(());

#[ferryman::export]
fn meter_name(meter: &Meter) -> String {
    meter.name.clone()
}

#[ferryman::export]
fn keep_meter(meter: Arc<Meter>) {
    KEPT.lock().unwrap().push(meter);
}

#[ferryman::export]
fn release_kept() -> usize {
    std::mem::take(&mut *KEPT.lock().unwrap()).len()
}

#[ferryman::export]
fn kept() -> Vec<Arc<Meter>> {
    KEPT.lock().unwrap().clone()
}

#[ferryman::export]
fn total(meters: Vec<Arc<Meter>>, extra: Option<&Meter>) -> i64 {
    meters
        .iter()
        .chain(extra.map(|_| &meters[0]))
        .map(|m| m.value.load(Ordering::SeqCst))
        .sum()
}

#[ferryman::export]
fn numbers(n: u64) -> impl Iterator<Item = u64> + Send {
    0..n
}

#[derive(Debug, thiserror::Error, serde::Serialize)]
#[error("odd {0}")]
pub struct Odd(u64);

#[ferryman::export]
fn evens(n: u64) -> impl Iterator<Item = Result<u64, Odd>> + Send {
    (0..n).map(|i| if i % 2 == 0 { Ok(i) } else { Err(Odd(i)) })
}

#[ferryman::export]
fn exploding(n: u64) -> impl Iterator<Item = u64> + Send {
    (0..).map(move |i| if i == n { panic!("at {n}") } else { i })
}

// ---- a host, in-process ----

fn take(out: &mut FerryBox) -> Value {
    // SAFETY: after a call, `out` holds `len` initialised bytes.
    let bytes = unsafe { std::slice::from_raw_parts(out.ptr, out.len) }.to_vec();
    // SAFETY: the library allocated this box; freed once.
    unsafe { ferryman_runtime::entry::ferryman_box_free(out) };
    *out = FerryBox::EMPTY;
    rmpv::decode::read_value(&mut &bytes[..]).expect("one value")
}

fn id(name: &str) -> u32 {
    let boxed = FerryBox {
        ptr: name.as_ptr().cast_mut(),
        len: name.len(),
        cap: name.len(),
    };
    // SAFETY: `boxed` borrows `name` for the call.
    let id = unsafe { ferryman_function_id(&boxed) };
    u32::try_from(id).unwrap_or_else(|_| panic!("no function {name}"))
}

fn encode(args: Vec<Value>) -> Vec<u8> {
    let mut bytes = Vec::new();
    rmpv::encode::write_value(&mut bytes, &Value::Array(args)).unwrap();
    bytes
}

fn call(name: &str, args: Vec<Value>) -> (Status, Value) {
    let bytes = encode(args);
    let input = FerryBox {
        ptr: bytes.as_ptr().cast_mut(),
        len: bytes.len(),
        cap: bytes.len(),
    };
    let mut out = FerryBox::EMPTY;
    // SAFETY: `input` borrows `bytes`; `out` is the empty box.
    let status = unsafe { ferryman_call(id(name), &input, &mut out) };
    (Status::from_code(status).unwrap(), take(&mut out))
}

fn ok(name: &str, args: Vec<Value>) -> Value {
    let (status, value) = call(name, args);
    assert_eq!(status, Status::Ok, "{name}: {value}");
    value
}

fn object(value: &Value) -> (u32, u64) {
    match value {
        Value::Ext(5, payload) if payload.len() == 12 => (
            u32::from_be_bytes(payload[..4].try_into().unwrap()),
            u64::from_be_bytes(payload[4..].try_into().unwrap()),
        ),
        other => panic!("not an object: {other}"),
    }
}

fn handle_value(class: u32, handle: u64) -> Value {
    let mut payload = class.to_be_bytes().to_vec();
    payload.extend_from_slice(&handle.to_be_bytes());
    Value::Ext(5, payload)
}

fn get<'v>(map: &'v Value, key: &str) -> &'v Value {
    map.as_map()
        .unwrap()
        .iter()
        .find(|(k, _)| k.as_str() == Some(key))
        .map(|(_, v)| v)
        .unwrap_or_else(|| panic!("no {key} in {map}"))
}

fn meter(name: &str) -> Value {
    ok("Meter.new", vec![name.into()])
}

fn release(value: &Value) {
    assert_eq!(ferryman_object_release(object(value).1), 0);
}

fn live() -> Vec<(u64, String)> {
    let mut out = FerryBox::EMPTY;
    // SAFETY: `out` is the empty box.
    assert_eq!(unsafe { ferryman_live_objects(&mut out) }, 0);
    take(&mut out)
        .as_array()
        .unwrap()
        .iter()
        .map(|e| {
            (
                get(e, "handle").as_u64().unwrap(),
                get(e, "class").as_str().unwrap().to_owned(),
            )
        })
        .collect()
}

fn is_live(value: &Value) -> bool {
    let handle = object(value).1;
    live().iter().any(|(h, _)| *h == handle)
}

fn closure_call(handle: u64, args: Vec<Value>) -> (Status, Value) {
    let bytes = encode(args);
    let input = FerryBox {
        ptr: bytes.as_ptr().cast_mut(),
        len: bytes.len(),
        cap: bytes.len(),
    };
    let mut out = FerryBox::EMPTY;
    // SAFETY: as in `call`.
    let status = unsafe { ferryman_closure_call(handle, &input, &mut out) };
    (Status::from_code(status).unwrap(), take(&mut out))
}

fn closure(value: &Value) -> u64 {
    match value {
        Value::Ext(2, payload) => u64::from_be_bytes(payload[..].try_into().unwrap()),
        other => panic!("not a closure: {other}"),
    }
}

fn batch(handle: u64, n: u32) -> Vec<Value> {
    let (status, value) = closure_call(handle, vec![n.into()]);
    assert_eq!(status, Status::Ok, "{value}");
    value.as_array().unwrap().clone()
}

#[test]
fn construct_call_release() {
    let m = meter("m");
    assert!(is_live(&m));
    assert_eq!(ok("Meter.add", vec![m.clone(), 5.into()]).as_i64(), Some(5));
    assert_eq!(ok("Meter.add", vec![m.clone(), 2.into()]).as_i64(), Some(7));
    assert_eq!(ok("Meter.name", vec![m.clone()]).as_str(), Some("m"));
    assert_eq!(ok("meter_name", vec![m.clone()]).as_str(), Some("m"));
    assert_eq!(
        ok("Meter.__str__", vec![m.clone()]).as_str(),
        Some("Meter(m)")
    );
    let before = drops();
    release(&m);
    assert!(!is_live(&m));
    assert!(drops() > before);
    assert_eq!(
        ferryman_object_release(object(&m).1),
        Status::NoFunction.code()
    );
    // A released handle is a type error naming the parameter.
    let (status, error) = call("Meter.add", vec![m.clone(), 1.into()]);
    assert_eq!(status, Status::BadArgs);
    assert_eq!(get(&error, "kind").as_str(), Some("type"));
    assert_eq!(get(&error, "param").as_str(), Some("self"));
    let message = get(&error, "message").as_str().unwrap();
    assert!(
        message.starts_with("`Meter.add()` argument `self`: expected Meter, but found object ")
            && message.ends_with(", which was already released"),
        "{message}"
    );
    assert_eq!(get(&error, "function").as_str(), Some("Meter.add"));
}

#[test]
fn constructor_errors_and_panics_are_named_after_the_member() {
    let (status, error) = call("Meter.new", vec!["".into()]);
    assert_eq!(status, Status::Error);
    assert_eq!(get(&error, "type").as_str(), Some("BadName"));
    assert_eq!(get(&error, "function").as_str(), Some("Meter.new"));
    let frames = get(&error, "frames").as_array().unwrap();
    assert_eq!(get(&frames[0], "function").as_str(), Some("Meter.new"));
    let m = meter("b");
    let (status, error) = call("Meter.boom", vec![m.clone()]);
    assert_eq!(status, Status::Panic);
    assert_eq!(get(&error, "function").as_str(), Some("Meter.boom"));
    assert_eq!(get(&error, "message").as_str(), Some("meter boom"));
    let frames = get(&error, "frames").as_array().unwrap();
    assert!(
        frames
            .iter()
            .any(|f| get(f, "function").as_str() == Some("Meter.boom")),
        "{error}"
    );
    // The object is still usable after a panic.
    assert_eq!(ok("Meter.add", vec![m.clone(), 1.into()]).as_i64(), Some(1));
    release(&m);
}

#[test]
fn wrong_class_names_both_classes() {
    let other = ok("Other.new", vec![]);
    let (status, error) = call("meter_name", vec![other.clone()]);
    assert_eq!(status, Status::BadArgs);
    assert_eq!(
        get(&error, "message").as_str(),
        Some("`meter_name()` argument `meter`: expected Meter, but found an Other object")
    );
    assert_eq!(get(&error, "param").as_str(), Some("meter"));
    // Not an object at all.
    let (status, error) = call("meter_name", vec![3.into()]);
    assert_eq!(status, Status::BadArgs);
    assert_eq!(get(&error, "param").as_str(), Some("meter"));
    // Handle 0 is never an object.
    let (status, _) = call("meter_name", vec![handle_value(0, 0)]);
    assert_eq!(status, Status::BadArgs);
    release(&other);
}

#[test]
fn clones_share_the_object_and_results_reuse_it() {
    let _kept = KEPT_TESTS.lock().unwrap_or_else(|e| e.into_inner());
    let m = meter("shared");
    let (class, handle) = object(&m);
    let clone = ferryman_object_clone(handle);
    assert_ne!(clone, 0);
    assert_ne!(clone, handle);
    assert_eq!(ferryman_object_clone(u64::MAX), 0);
    ok("Meter.add", vec![handle_value(class, clone), 3.into()]);
    assert_eq!(ok("Meter.add", vec![m.clone(), 0.into()]).as_i64(), Some(3));
    release(&m);
    // The clone keeps it alive.
    assert_eq!(
        ok("Meter.add", vec![handle_value(class, clone), 0.into()]).as_i64(),
        Some(3)
    );
    // An `Arc` Rust keeps and hands back is the same object (a new handle).
    ok("keep_meter", vec![handle_value(class, clone)]);
    let kept = ok("kept", vec![]);
    let again = kept
        .as_array()
        .unwrap()
        .iter()
        .find(|v| ok("Meter.name", vec![(*v).clone()]).as_str() == Some("shared"))
        .cloned()
        .expect("kept");
    ok("Meter.add", vec![again.clone(), 10.into()]);
    assert_eq!(
        ok("Meter.add", vec![handle_value(class, clone), 0.into()]).as_i64(),
        Some(13)
    );
    for v in kept.as_array().unwrap() {
        release(v);
    }
    ok("release_kept", vec![]);
    assert_eq!(ferryman_object_release(clone), 0);
}

#[test]
fn objects_in_vec_and_option_parameters() {
    let a = meter("a");
    let b = meter("b");
    ok("Meter.add", vec![a.clone(), 1.into()]);
    ok("Meter.add", vec![b.clone(), 2.into()]);
    let total = ok(
        "total",
        vec![
            Value::Array(vec![a.clone(), b.clone(), a.clone()]),
            Value::Nil,
        ],
    );
    assert_eq!(total.as_i64(), Some(4));
    let total = ok("total", vec![Value::Array(vec![b.clone()]), a.clone()]);
    assert_eq!(total.as_i64(), Some(4));
    // A method returning a new object.
    let twin = ok("Meter.twin", vec![a.clone()]);
    assert_ne!(object(&twin).1, object(&a).1);
    assert_eq!(
        ok("Meter.__eq__", vec![twin.clone(), a.clone()]),
        Value::Boolean(true)
    );
    assert_eq!(
        ok("Meter.__eq__", vec![twin.clone(), b.clone()]),
        Value::Boolean(false)
    );
    for v in [a, b, twin] {
        release(&v);
    }
}

#[test]
fn mut_self_needs_the_object_to_itself() {
    let _kept = KEPT_TESTS.lock().unwrap_or_else(|e| e.into_inner());
    let m = meter("old");
    ok("Meter.rename", vec![m.clone(), "new".into()]);
    assert_eq!(ok("Meter.name", vec![m.clone()]).as_str(), Some("new"));
    // Rust holds another `Arc`: a borrow error, at once.
    ok("keep_meter", vec![m.clone()]);
    let (status, error) = call("Meter.rename", vec![m.clone(), "x".into()]);
    assert_eq!(status, Status::BadArgs);
    assert_eq!(get(&error, "kind").as_str(), Some("borrow"));
    assert_eq!(get(&error, "type").as_str(), Some("BorrowError"));
    assert_eq!(get(&error, "param").as_str(), Some("self"));
    assert!(get(&error, "message")
        .as_str()
        .unwrap()
        .contains("`Meter.rename()`"));
    release_all_kept();
    ok("Meter.rename", vec![m.clone(), "again".into()]);
    // A live iterator over the object holds it too.
    let iter = closure(&ok("Meter.chars", vec![m.clone()]));
    let (status, error) = call("Meter.rename", vec![m.clone(), "x".into()]);
    assert_eq!(
        (status, get(&error, "kind").as_str()),
        (Status::BadArgs, Some("borrow"))
    );
    assert_eq!(ferryman_closure_release(iter), 0);
    ok("Meter.rename", vec![m.clone(), "free".into()]);
    release(&m);
}

fn release_all_kept() {
    let kept = ok("kept", vec![]);
    for v in kept.as_array().unwrap() {
        release(v);
    }
    ok("release_kept", vec![]);
}

#[test]
fn mut_calls_exclude_shared_ones_across_threads() {
    let m = meter("t");
    let threads: Vec<_> = (0..4)
        .map(|i| {
            let m = m.clone();
            std::thread::spawn(move || {
                for _ in 0..200 {
                    if i % 2 == 0 {
                        ok("Meter.add", vec![m.clone(), 1.into()]);
                    } else {
                        ok("Meter.rename", vec![m.clone(), "t".into()]);
                    }
                }
            })
        })
        .collect();
    for t in threads {
        t.join().unwrap();
    }
    assert_eq!(
        ok("Meter.add", vec![m.clone(), 0.into()]).as_i64(),
        Some(400)
    );
    release(&m);
}

#[test]
fn iterator_batches_exhaustion_and_drop() {
    let handle = closure(&ok("numbers", vec![5.into()]));
    assert_eq!(batch(handle, 1), vec![Value::from(0)]);
    assert_eq!(
        batch(handle, 3),
        vec![Value::from(1), Value::from(2), Value::from(3)]
    );
    assert_eq!(batch(handle, 10), vec![Value::from(4)]);
    assert!(batch(handle, 10).is_empty());
    assert!(batch(handle, 10).is_empty());
    let mut out = FerryBox::EMPTY;
    // SAFETY: `out` is the empty box.
    unsafe { ferryman_live_closures(&mut out) };
    let live = take(&mut out);
    let mine = live
        .as_array()
        .unwrap()
        .iter()
        .find(|e| get(e, "handle").as_u64() == Some(handle))
        .unwrap();
    assert_eq!(get(mine, "signature").as_str(), Some("iterator of u64"));
    assert_eq!(ferryman_closure_release(handle), 0);
}

#[test]
fn iterator_errors_come_at_their_item() {
    let handle = closure(&ok("evens", vec![4.into()]));
    assert_eq!(batch(handle, 5), vec![Value::from(0)]);
    let (status, error) = closure_call(handle, vec![5.into()]);
    assert_eq!(status, Status::Error);
    assert_eq!(get(&error, "message").as_str(), Some("odd 1"));
    assert_eq!(get(&error, "function").as_str(), Some("evens"));
    assert_eq!(batch(handle, 5), vec![Value::from(2)]);
    let (status, _) = closure_call(handle, vec![5.into()]);
    assert_eq!(status, Status::Error);
    assert!(batch(handle, 5).is_empty());
    assert_eq!(ferryman_closure_release(handle), 0);

    let handle = closure(&ok("exploding", vec![2.into()]));
    assert_eq!(batch(handle, 5), vec![Value::from(0), Value::from(1)]);
    let (status, error) = closure_call(handle, vec![5.into()]);
    assert_eq!(status, Status::Panic);
    assert_eq!(get(&error, "message").as_str(), Some("at 2"));
    assert_eq!(get(&error, "function").as_str(), Some("exploding"));
    assert!(batch(handle, 5).is_empty());
    assert_eq!(ferryman_closure_release(handle), 0);
}

#[test]
fn a_method_iterator_keeps_its_object_alive() {
    let m = meter("abc");
    let handle = closure(&ok("Meter.chars", vec![m.clone()]));
    let before = drops();
    release(&m);
    assert_eq!(drops(), before, "dropped under the iterator");
    assert_eq!(
        batch(handle, 10),
        vec![Value::from("a"), Value::from("b"), Value::from("c")]
    );
    assert_eq!(ferryman_closure_release(handle), 0);
    assert!(drops() > before);
}

#[test]
fn describe_lists_classes_and_members() {
    let mut out = FerryBox::EMPTY;
    // SAFETY: `out` is the empty box.
    assert_eq!(unsafe { ferryman_handshake(&mut out) }, 0);
    assert_eq!(get(&take(&mut out), "objects"), &Value::Boolean(true));
    // SAFETY: as above.
    assert_eq!(unsafe { ferryman_describe(&mut out) }, 0);
    let describe = take(&mut out);
    let functions = get(&describe, "functions").as_array().unwrap();
    let by_name = |name: &str| {
        functions
            .iter()
            .find(|f| get(f, "name").as_str() == Some(name))
            .unwrap_or_else(|| panic!("{name}"))
    };
    let add = by_name("Meter.add");
    assert_eq!(get(add, "class").as_str(), Some("Meter"));
    assert_eq!(get(add, "kind").as_str(), Some("method"));
    let params = get(add, "params").as_array().unwrap();
    assert_eq!(get(&params[0], "name").as_str(), Some("self"));
    assert_eq!(
        get(&params[0], "type").to_string(),
        r#"{"object": "Meter"}"#
    );
    assert_eq!(get(&params[0], "rust").as_str(), Some("&Meter"));
    let rename = by_name("Meter.rename");
    assert_eq!(
        get(&get(rename, "params").as_array().unwrap()[0], "rust").as_str(),
        Some("&mut Meter")
    );
    assert_eq!(
        get(by_name("Meter.new"), "kind").as_str(),
        Some("constructor")
    );
    assert_eq!(
        get(get(by_name("Meter.new"), "returns"), "type").to_string(),
        r#"{"object": "Meter"}"#
    );
    assert_eq!(
        get(by_name("meter_name"), "kind").as_str(),
        Some("function")
    );
    assert_eq!(get(by_name("meter_name"), "class"), &Value::Nil);
    assert_eq!(
        get(
            &get(by_name("total"), "params").as_array().unwrap()[0],
            "type"
        )
        .to_string(),
        r#"{"list": {"object": "Meter"}}"#
    );
    assert_eq!(
        get(get(by_name("numbers"), "returns"), "type").to_string(),
        r#"{"iter": "u64"}"#
    );
    let classes = get(&describe, "classes").as_array().unwrap();
    let names: Vec<&str> = classes
        .iter()
        .map(|c| get(c, "name").as_str().unwrap())
        .collect();
    assert_eq!(names, ["Bag", "Meter", "Other", "Tally"]);
    let meter = &classes[1];
    assert_eq!(get(meter, "id").as_u64(), Some(1));
    assert_eq!(get(meter, "doc").as_str(), Some("A test counter."));
    let id_of = |name: &str| {
        functions
            .iter()
            .position(|f| get(f, "name").as_str() == Some(name))
            .unwrap() as u64
    };
    assert_eq!(get(meter, "constructor").as_u64(), Some(id_of("Meter.new")));
    let methods: Vec<u64> = get(meter, "methods")
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v.as_u64().unwrap())
        .collect();
    assert!(methods.contains(&id_of("Meter.add")));
    assert!(methods.contains(&id_of("Meter.__str__")));
    assert_eq!(get(meter, "protocols").to_string(), r#"["display", "eq"]"#);
    // Extension 5 carries the class id.
    assert_eq!(object(&meter_value()).0, 1);
}

fn meter_value() -> Value {
    let m = meter("id");
    release(&m);
    m
}

#[test]
fn callbacks_inside_a_method_may_not_take_the_object_mutably() {
    // A Rust closure standing in for a host callable that calls back in.
    let m = meter("cb");
    let inner = m.clone();
    let callback: Callback<(i64,), i64> = Callback::new(move |_: i64| -> i64 {
        let (status, error) = call("Meter.rename", vec![inner.clone(), "x".into()]);
        assert_eq!(status, Status::BadArgs);
        assert_eq!(get(&error, "kind").as_str(), Some("borrow"));
        // A `&self` call inside a `&self` call is fine.
        ok("Meter.add", vec![inner.clone(), 1.into()])
            .as_i64()
            .unwrap()
    });
    let cb = rmpv::ext::to_value(&callback).unwrap();
    assert_eq!(
        ok("Meter.call_back", vec![m.clone(), cb.clone()]).as_i64(),
        Some(1)
    );
    if let Value::Ext(2, payload) = &cb {
        ferryman_closure_release(u64::from_be_bytes(payload[..].try_into().unwrap()));
    }
    release(&m);
}

/// Protocols: debug, hash, ord, iter.
#[derive(Debug, PartialEq, Eq, Hash, PartialOrd)]
#[ferryman::export(debug, hash, ord, iter)]
pub struct Bag {
    items: Vec<u32>,
}

impl<'a> IntoIterator for &'a Bag {
    type Item = u32;
    type IntoIter = std::iter::Copied<std::slice::Iter<'a, u32>>;
    fn into_iter(self) -> Self::IntoIter {
        self.items.iter().copied()
    }
}

#[ferryman::export]
impl Bag {
    pub fn new(items: Vec<u32>) -> Self {
        Bag { items }
    }
}

#[derive(Debug, serde::Serialize)]
pub struct Labelled {
    label: String,
    meter: Arc<Meter>,
}

#[ferryman::export]
fn labelled(meter: Arc<Meter>) -> Labelled {
    Labelled {
        label: "l".to_owned(),
        meter,
    }
}

#[ferryman::export]
fn unseen() -> Labelled {
    Labelled {
        label: "u".to_owned(),
        meter: Arc::new(Meter {
            name: "unseen".to_owned(),
            value: AtomicI64::new(0),
        }),
    }
}

#[ferryman::export]
fn maybe_meter(make: bool) -> Option<Meter> {
    make.then(|| Meter {
        name: "maybe".to_owned(),
        value: AtomicI64::new(0),
    })
}

#[test]
fn protocols_are_methods() {
    let a = ok("Bag.new", vec![Value::Array(vec![1.into(), 2.into()])]);
    let b = ok("Bag.new", vec![Value::Array(vec![1.into(), 3.into()])]);
    assert_eq!(
        ok("Bag.__repr__", vec![a.clone()]).as_str(),
        Some("Bag { items: [1, 2] }")
    );
    let hash_a = ok("Bag.__hash__", vec![a.clone()]).as_u64().unwrap();
    assert_eq!(ok("Bag.__hash__", vec![a.clone()]).as_u64(), Some(hash_a));
    assert_ne!(ok("Bag.__hash__", vec![b.clone()]).as_u64(), Some(hash_a));
    assert_eq!(
        ok("Bag.__cmp__", vec![a.clone(), b.clone()]).as_i64(),
        Some(-1)
    );
    assert_eq!(
        ok("Bag.__cmp__", vec![b.clone(), a.clone()]).as_i64(),
        Some(1)
    );
    assert_eq!(
        ok("Bag.__cmp__", vec![a.clone(), a.clone()]).as_i64(),
        Some(0)
    );
    let iter = closure(&ok("Bag.__iter__", vec![a.clone()]));
    assert_eq!(batch(iter, 10), vec![Value::from(1), Value::from(2)]);
    assert_eq!(ferryman_closure_release(iter), 0);
    release(&a);
    release(&b);
}

#[test]
fn an_arc_inside_a_serde_value_is_the_object_a_host_holds() {
    let m = meter("inside");
    let value = ok("labelled", vec![m.clone()]);
    let inner = get(&value, "meter");
    assert_ne!(object(inner).1, object(&m).1, "a new handle");
    ok("Meter.add", vec![inner.clone(), 4.into()]);
    assert_eq!(ok("Meter.add", vec![m.clone(), 0.into()]).as_i64(), Some(4));
    release(inner);
    release(&m);
    // An `Arc` no host has seen cannot be sent.
    let (status, error) = call("unseen", vec![]);
    assert_eq!(status, Status::Internal);
    assert!(
        get(&error, "message").as_str().unwrap().contains("Meter"),
        "{error}"
    );
    assert_eq!(ok("maybe_meter", vec![false.into()]), Value::Nil);
    let some = ok("maybe_meter", vec![true.into()]);
    assert_eq!(ok("Meter.name", vec![some.clone()]).as_str(), Some("maybe"));
    release(&some);
}

#[ferryman::export]
fn plain_add(a: i64, b: i64) -> i64 {
    a + b
}

/// A class without `&mut self` methods: its calls skip the guard.
#[derive(Debug, Default)]
#[ferryman::export]
pub struct Tally(AtomicI64);

#[ferryman::export]
impl Tally {
    pub fn new() -> Self {
        Tally::default()
    }

    pub fn add(&self, n: i64) -> i64 {
        self.0.fetch_add(n, Ordering::Relaxed) + n
    }
}

/// Not a benchmark: a rough look at what the object path adds to a call
/// (`cargo test --release -p ferryman --test objects -- --ignored --nocapture`).
#[test]
#[ignore]
fn method_call_overhead() {
    let m = meter("speed");
    let time = |name: &str, args: Vec<Value>| {
        let bytes = encode(args);
        let id = id(name);
        let input = FerryBox {
            ptr: bytes.as_ptr().cast_mut(),
            len: bytes.len(),
            cap: bytes.len(),
        };
        let mut buffer = vec![0u8; 64];
        let n = 2_000_000;
        let start = std::time::Instant::now();
        for _ in 0..n {
            let mut out = FerryBox {
                ptr: buffer.as_mut_ptr(),
                len: 0,
                cap: buffer.len(),
            };
            // SAFETY: `input` borrows `bytes`; `out` is the host's buffer.
            let status = unsafe { ferryman_call(id, &input, &mut out) };
            assert_eq!(status, 0);
        }
        let ns = start.elapsed().as_nanos() as f64 / f64::from(n);
        println!("{name}: {ns:.1} ns a call");
    };
    let t = ok("Tally.new", vec![]);
    for _ in 0..3 {
        time("plain_add", vec![1.into(), 2.into()]);
        time("Meter.add", vec![m.clone(), 1.into()]);
        time("Tally.add", vec![t.clone(), 1.into()]);
        let id = id("Tally.new");
        let n = 500_000;
        let start = std::time::Instant::now();
        for _ in 0..n {
            let input = [0x90u8];
            let args = FerryBox {
                ptr: input.as_ptr().cast_mut(),
                len: 1,
                cap: 1,
            };
            let mut buffer = [0u8; 32];
            let mut out = FerryBox {
                ptr: buffer.as_mut_ptr(),
                len: 0,
                cap: buffer.len(),
            };
            // SAFETY: `args` borrows `input`; `out` is the host's buffer.
            assert_eq!(unsafe { ferryman_call(id, &args, &mut out) }, 0);
            let handle = u64::from_be_bytes(buffer[7..15].try_into().unwrap());
            assert_eq!(ferryman_object_release(handle), 0);
        }
        let ns = start.elapsed().as_nanos() as f64 / f64::from(n);
        println!("Tally.new + release: {ns:.1} ns");
    }
    release(&m);
    release(&t);
}

#[derive(Debug, thiserror::Error, serde::Serialize)]
pub enum Bad {
    #[error("bad item {0}")]
    Item(u32),
}

#[ferryman::export]
fn meters(n: u32) -> impl Iterator<Item = Result<Meter, Bad>> + Send {
    (0..n).map(|i| {
        if i == 1 {
            return Err(Bad::Item(i));
        }
        Ok(Meter {
            name: format!("m{i}"),
            value: AtomicI64::new(0),
        })
    })
}

#[test]
fn iterator_items_may_be_objects_and_errors_carry_fields() {
    let handle = closure(&ok("meters", vec![3.into()]));
    let first = batch(handle, 5);
    assert_eq!(first.len(), 1);
    assert_eq!(
        ok("Meter.name", vec![first[0].clone()]).as_str(),
        Some("m0")
    );
    let (status, error) = closure_call(handle, vec![5.into()]);
    assert_eq!(status, Status::Error);
    assert_eq!(get(&error, "type").as_str(), Some("Bad"));
    assert_eq!(get(&error, "variant").as_str(), Some("Item"));
    assert_eq!(get(&error, "fields").to_string(), r#"{"0": 1}"#);
    let last = batch(handle, 5);
    assert_eq!(ok("Meter.name", vec![last[0].clone()]).as_str(), Some("m2"));
    assert_eq!(ferryman_closure_release(handle), 0);
    release(&first[0]);
    release(&last[0]);
}

#[test]
fn live_closures_names_an_iterators_items_as_written() {
    let handle = closure(&ok("meters", vec![0.into()]));
    let mut out = FerryBox::EMPTY;
    // SAFETY: `out` is the empty box.
    unsafe { ferryman_live_closures(&mut out) };
    let live = take(&mut out);
    let mine = live
        .as_array()
        .unwrap()
        .iter()
        .find(|e| get(e, "handle").as_u64() == Some(handle))
        .unwrap();
    assert_eq!(get(mine, "signature").as_str(), Some("iterator of Meter"));
    assert_eq!(ferryman_closure_release(handle), 0);
}
