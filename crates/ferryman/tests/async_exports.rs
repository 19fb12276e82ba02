//! Async exports and streams through the entry points, in a process where no
//! host connected a completion function (`spec/abi.md`, "Futures": such a
//! host gets blocking calls): results, `Err`s with their `?` frame, panics,
//! describe's marks, and streams pulled in batches.

mod support;

use ferryman::Stream;
use ferryman_abi::{FerryBox, Status};
use ferryman_runtime::entry::{
    ferryman_describe, ferryman_live_futures, ferryman_stream_next, ferryman_stream_release,
};
use rmpv::Value;
use std::time::Duration;
use support::{call, take};

#[derive(Debug, thiserror::Error)]
#[error("too late: {0} ms")]
struct TooLate(u64);

fn check(ms: u64) -> Result<u64, TooLate> {
    if ms > 5 {
        return Err(TooLate(ms));
    }
    Ok(ms)
}

/// Sleeps on tokio's timer, then checks.
#[ferryman::export]
async fn nap(ms: u64) -> Result<u64, TooLate> {
    ferryman::tokio::time::sleep(Duration::from_millis(ms)).await;
    let checked = check(ms)?;
    Ok(checked * 2)
}

#[ferryman::export]
async fn ready(a: i64) -> i64 {
    a + 1
}

#[ferryman::export]
async fn crash(ms: u64) -> u8 {
    ferryman::tokio::time::sleep(Duration::from_millis(ms)).await;
    panic!("crashed late")
}

#[ferryman::export]
fn evens(n: u64) -> impl Stream<Item = u64> + Send {
    ferryman::stream::iter((0..n).map(|i| i * 2))
}

fn get<'v>(map: &'v Value, key: &str) -> &'v Value {
    map.as_map()
        .and_then(|m| m.iter().find(|(k, _)| k.as_str() == Some(key)))
        .map(|(_, v)| v)
        .unwrap_or_else(|| panic!("no key {key} in {map}"))
}

#[test]
fn without_a_completion_a_pending_future_answers_its_result() {
    assert_eq!(call("ready", &[0x91, 0x29]), (Status::Ok, Value::from(42)));
    assert_eq!(call("nap", &[0x91, 0x03]), (Status::Ok, Value::from(6)));
}

#[test]
fn an_async_err_is_the_error_value_with_its_question_mark_frame() {
    let (status, value) = call("nap", &[0x91, 0x0a]);
    assert_eq!(status, Status::Error);
    assert_eq!(get(&value, "message").as_str(), Some("too late: 10 ms"));
    assert_eq!(get(&value, "function").as_str(), Some("nap"));
    let frame = &get(&value, "frames")[0];
    let line = get(frame, "line").as_u64().unwrap();
    let source = include_str!("async_exports.rs");
    let question = source
        .lines()
        .position(|l| l.contains("let checked = check(ms)?;"))
        .unwrap() as u64
        + 1;
    assert_eq!(line, question, "the frame points at the `?`");
}

#[test]
fn an_async_panic_is_a_panic_value() {
    let (status, value) = call("crash", &[0x91, 0x01]);
    assert_eq!(status, Status::Panic);
    assert_eq!(get(&value, "message").as_str(), Some("crashed late"));
}

#[test]
fn describe_marks_async_functions_and_streams() {
    let mut out = FerryBox::EMPTY;
    // SAFETY: `out` is the empty box.
    assert_eq!(unsafe { ferryman_describe(&mut out) }, 0);
    let described = take(&mut out);
    let functions = get(&described, "functions").as_array().unwrap();
    let find = |name: &str| {
        functions
            .iter()
            .find(|f| get(f, "name").as_str() == Some(name))
            .unwrap()
    };
    assert_eq!(get(find("nap"), "async"), &Value::from(true));
    assert_eq!(get(find("nap"), "stream"), &Value::from(false));
    assert_eq!(
        get(get(find("nap"), "returns"), "type").as_str(),
        Some("u64")
    );
    assert_eq!(get(find("evens"), "stream"), &Value::from(true));
    assert_eq!(get(find("evens"), "async"), &Value::from(false));
    let returns = get(get(find("evens"), "returns"), "type");
    assert_eq!(get(returns, "stream").as_str(), Some("u64"));
    assert_eq!(get(&described, "futures"), &Value::from(true));
}

#[test]
fn a_stream_is_pulled_in_batches_then_ends() {
    let (status, value) = call("evens", &[0x91, 0x05]);
    assert_eq!(status, Status::Ok);
    let Value::Ext(7, payload) = value else {
        panic!("not a stream: {value}")
    };
    let handle = u64::from_be_bytes(payload.try_into().unwrap());
    let next = |max: u32| {
        let mut out = FerryBox::EMPTY;
        // SAFETY: `out` is the empty box.
        let status = unsafe { ferryman_stream_next(handle, max, &mut out) };
        (status, take(&mut out))
    };
    assert_eq!(
        next(3),
        (
            0,
            Value::from(vec![Value::from(0), Value::from(2), Value::from(4)])
        )
    );
    assert_eq!(
        next(3),
        (0, Value::from(vec![Value::from(6), Value::from(8)]))
    );
    assert_eq!(next(3), (0, Value::Nil));
    let mut out = FerryBox::EMPTY;
    // SAFETY: `out` is the empty box.
    assert_eq!(unsafe { ferryman_live_futures(&mut out) }, 0);
    assert_eq!(take(&mut out).as_array().map(Vec::len), Some(1));
    assert_eq!(ferryman_stream_release(handle), 0);
    assert_eq!(ferryman_stream_release(handle), 4);
    assert_eq!(next(3).0, 4);
}
