//! Default arguments through the real entry points: argument arrays shorter
//! than the parameter list, down to the required count, and what describe
//! says about each parameter.

mod support;

use ferryman_abi::{FerryBox, Status};
use ferryman_runtime::entry::{ferryman_box_free, ferryman_describe};
use rmpv::Value;
use support::call;

/// Joins the first `top` words with `sep`.
#[ferryman::export(defaults(top = 10, sep = ","))]
fn join_top(words: Vec<String>, top: usize, sep: &str) -> String {
    words
        .iter()
        .take(top)
        .cloned()
        .collect::<Vec<_>>()
        .join(sep)
}

#[ferryman::export]
fn greet(name: String, greeting: Option<String>) -> String {
    format!("{}, {name}", greeting.as_deref().unwrap_or("Hello"))
}

#[ferryman::export(defaults(scale = 1.5, strict = false, offset = -2))]
fn scaled(x: f64, scale: f64, strict: bool, offset: i8) -> f64 {
    let _ = strict;
    x * scale + f64::from(offset)
}

/// An `Option` before a required parameter stays required.
#[ferryman::export]
fn middle(a: Option<i64>, b: i64) -> i64 {
    a.unwrap_or(0) + b
}

/// Every parameter has a default: `[]` is a whole call.
#[ferryman::export(defaults(n = 3))]
fn all_default(n: u8, label: Option<String>) -> String {
    format!("{}{n}", label.unwrap_or_default())
}

/// Defaults on a constructor and on a method.
#[ferryman::export]
#[derive(Debug)]
pub struct Greeter {
    greeting: String,
}

#[ferryman::export]
impl Greeter {
    #[ferryman::export(defaults(greeting = "Hello"))]
    pub fn new(greeting: String) -> Self {
        Greeter { greeting }
    }

    #[ferryman::export(defaults(punctuation = "!"))]
    pub fn greet(&self, name: String, punctuation: String, times: Option<u32>) -> String {
        let once = format!("{}, {name}{punctuation}", self.greeting);
        vec![once; times.unwrap_or(1) as usize].join(" ")
    }
}

fn pack<T: serde::Serialize>(args: &T) -> Vec<u8> {
    rmp_serde::to_vec(args).unwrap()
}

fn get<'v>(map: &'v Value, key: &str) -> Option<&'v Value> {
    map.as_map()
        .and_then(|m| m.iter().find(|(k, _)| k.as_str() == Some(key)))
        .map(|(_, v)| v)
}

fn ok(name: &str, args: &[u8]) -> Value {
    let (status, value) = call(name, args);
    assert_eq!(status, Status::Ok, "{name}: {value}");
    value
}

#[test]
fn left_out_trailing_arguments_take_their_defaults() {
    let words: Vec<String> = (0..12).map(|i| format!("w{i}")).collect();
    let all = words.join(",");
    let ten = words[..10].join(",");
    assert_eq!(ok("join_top", &pack(&(&words,))).as_str(), Some(&*ten));
    assert_eq!(ok("join_top", &pack(&(&words, 2))).as_str(), Some("w0,w1"));
    assert_eq!(
        ok("join_top", &pack(&(&words, 12, "-"))).as_str(),
        Some(&*all.replace(',', "-"))
    );
    assert_eq!(ok("greet", &pack(&("Ann",))).as_str(), Some("Hello, Ann"));
    assert_eq!(ok("greet", &pack(&("Ann", "Hi"))).as_str(), Some("Hi, Ann"));
    assert_eq!(ok("scaled", &pack(&(2.0,))).as_f64(), Some(1.0));
    assert_eq!(ok("scaled", &pack(&(2, 2))).as_f64(), Some(2.0));
    assert_eq!(ok("all_default", &[0x90]).as_str(), Some("3"));
    assert_eq!(ok("all_default", &pack(&(4, "n="))).as_str(), Some("n=4"));
}

#[test]
fn too_few_arguments_say_how_many_the_function_takes() {
    let (status, value) = call("join_top", &[0x90]);
    assert_eq!(status, Status::BadArgs);
    assert_eq!(
        get(&value, "message").and_then(Value::as_str),
        Some("`join_top()` takes 1 to 3 arguments (words, top, sep) but was given 0 arguments")
    );
    assert_eq!(get(&value, "kind").and_then(Value::as_str), Some("arity"));
    assert_eq!(
        get(&value, "expected").and_then(Value::as_str),
        Some("1 to 3 arguments")
    );
    let (status, value) = call("join_top", &pack(&(["a"], 1, ",", 4)));
    assert_eq!(status, Status::BadArgs);
    assert!(get(&value, "message")
        .and_then(Value::as_str)
        .is_some_and(|m| m.ends_with("but was given 4 arguments")));
    // An `Option` before a required parameter is itself required.
    let (status, value) = call("middle", &pack(&(1,)));
    assert_eq!(status, Status::BadArgs, "{value}");
    assert_eq!(
        get(&value, "message").and_then(Value::as_str),
        Some("`middle()` takes 2 arguments (a, b) but was given 1 argument")
    );
}

#[test]
fn a_wrong_argument_after_which_defaults_follow_is_still_named() {
    let (status, value) = call("join_top", &pack(&(["a"], "x")));
    assert_eq!(status, Status::BadArgs);
    assert_eq!(
        get(&value, "message").and_then(Value::as_str),
        Some("`join_top()` argument `top`: expected usize, but found string \"x\"")
    );
    // Bytes after a short array are still malformed.
    let mut bytes = pack(&(["a"],));
    bytes.push(0x01);
    assert_eq!(call("join_top", &bytes).0, Status::BadArgs);
}

/// The describe map.
fn describe() -> Value {
    let mut out = FerryBox::EMPTY;
    // SAFETY: `out` is the empty box.
    assert_eq!(unsafe { ferryman_describe(&mut out) }, 0);
    // SAFETY: a library box with `len` bytes.
    let value =
        rmpv::decode::read_value(&mut unsafe { std::slice::from_raw_parts(out.ptr, out.len) })
            .unwrap();
    // SAFETY: freed once.
    unsafe { ferryman_box_free(&mut out) };
    value
}

#[test]
fn describe_gives_defaults_only_to_parameters_that_have_one() {
    let value = describe();
    let functions = get(&value, "functions").unwrap().as_array().unwrap();
    let defaults = |name: &str| -> Vec<Option<Value>> {
        let function = functions
            .iter()
            .find(|f| get(f, "name").and_then(Value::as_str) == Some(name))
            .unwrap();
        get(function, "params")
            .unwrap()
            .as_array()
            .unwrap()
            .iter()
            .map(|param| get(param, "default").cloned())
            .collect()
    };
    assert_eq!(
        defaults("join_top"),
        [None, Some(Value::from(10)), Some(Value::from(","))]
    );
    assert_eq!(defaults("greet"), [None, Some(Value::Nil)]);
    assert_eq!(
        defaults("scaled"),
        [
            None,
            Some(Value::F64(1.5)),
            Some(Value::Boolean(false)),
            Some(Value::from(-2))
        ]
    );
    assert_eq!(defaults("middle"), [None, None]);
}

#[test]
fn constructors_and_methods_take_defaults_after_self() {
    // `Greeter.new()` with no argument: the object comes back as extension 5.
    let (status, object) = call("Greeter.new", &[0x90]);
    assert_eq!(status, Status::Ok, "{object}");
    let Value::Ext(5, payload) = &object else {
        panic!("not an object: {object}")
    };
    let mut object_bytes = vec![0xc7, 0x0c, 0x05];
    object_bytes.extend_from_slice(payload);
    let with = |count: u8, rest: &[u8]| {
        let mut bytes = vec![0x90 | count];
        bytes.extend_from_slice(&object_bytes);
        bytes.extend_from_slice(rest);
        bytes
    };
    // self, "Ann": punctuation and times from their defaults.
    let ann = [0xa3, b'A', b'n', b'n'];
    assert_eq!(
        ok("Greeter.greet", &with(2, &ann)).as_str(),
        Some("Hello, Ann!")
    );
    let mut three = ann.to_vec();
    three.extend_from_slice(&[0xa1, b'?']);
    assert_eq!(
        ok("Greeter.greet", &with(3, &three)).as_str(),
        Some("Hello, Ann?")
    );
    three.push(0x02);
    assert_eq!(
        ok("Greeter.greet", &with(4, &three)).as_str(),
        Some("Hello, Ann? Hello, Ann?")
    );
    // `self` and `name` are required.
    let (status, error) = call("Greeter.greet", &with(1, &[]));
    assert_eq!(status, Status::BadArgs);
    let message = get(&error, "message").and_then(Value::as_str).unwrap();
    assert!(message.contains("takes 2 to 4 arguments"), "{message}");
    // The defaults are in describe, after `self`.
    let described = describe();
    let functions = get(&described, "functions")
        .and_then(Value::as_array)
        .unwrap();
    let greet = functions
        .iter()
        .find(|f| get(f, "name").and_then(Value::as_str) == Some("Greeter.greet"))
        .unwrap();
    let params = get(greet, "params").and_then(Value::as_array).unwrap();
    let defaults: Vec<Option<&Value>> = params.iter().map(|p| get(p, "default")).collect();
    assert_eq!(defaults[..2], [None, None]);
    assert_eq!(defaults[2].and_then(Value::as_str), Some("!"));
    assert_eq!(defaults[3], Some(&Value::Nil));
    release(payload);
}

/// Releases the object of an extension 5 payload (class id, then handle).
fn release(payload: &[u8]) {
    let handle = u64::from_be_bytes(payload[4..12].try_into().unwrap());
    // A handle this test received, released once.
    let status = ferryman_runtime::entry::ferryman_object_release(handle);
    assert_eq!(status, 0);
}
