//! ferryman-host's futures and streams against the real fixture library:
//! connecting a completion, awaiting, cancelling, pulling and releasing.
//! Its own test binary: once a completion is connected the library answers
//! `FERRY_PENDING` to every caller in the process.

mod support;

use std::sync::mpsc::{channel, Receiver, Sender};
use std::sync::{Mutex, OnceLock};
use std::time::Duration;

use ferryman_host::{
    future_handle, stream_handle, Answer, Completed, ErrorKind, Futures, Host, Library, Status,
    Value,
};
use support::fixture_path;

/// A host whose completions go down a channel: (token, status, bytes).
struct Completions {
    sender: Mutex<Sender<(u64, i32, Vec<u8>)>>,
}

impl Host for Completions {
    type Held = ();

    fn invoke(&self, _: u64, _: &[u8]) -> Answer<()> {
        Answer::bridge("no callables in these tests")
    }

    fn retain(&self, _: u64) {}

    fn release(&self, _: u64) {}

    fn complete(&self, token: u64, outcome: Completed<'_>) {
        if token == 666 {
            panic!("a host bug must not unwind into the library");
        }
        let bytes = outcome.bytes().expect("a readable box").to_vec();
        let _ = self
            .sender
            .lock()
            .unwrap()
            .send((token, outcome.code(), bytes));
    }
}

struct Fixture {
    library: Library,
    host_id: u32,
    completions: Mutex<Receiver<(u64, i32, Vec<u8>)>>,
}

fn fixture() -> &'static Fixture {
    static FIXTURE: OnceLock<Fixture> = OnceLock::new();
    FIXTURE.get_or_init(|| {
        let library = Library::open(fixture_path()).expect("the fixture loads");
        let (sender, receiver) = channel();
        let host: &'static Completions = Box::leak(Box::new(Completions {
            sender: Mutex::new(sender),
        }));
        let futures = library.futures().expect("the fixture has futures");
        let closures = library.closures().expect("and callables");
        let host_id = futures.connect(closures, host).expect("connects");
        assert_eq!(
            futures.connect(closures, host),
            Ok(host_id),
            "again: the same"
        );
        Fixture {
            library,
            host_id,
            completions: Mutex::new(receiver),
        }
    })
}

fn futures() -> &'static Futures {
    fixture().library.futures().unwrap()
}

/// `name(args)`: status and bytes.
fn call(name: &str, args: &[u8]) -> (Status, Vec<u8>) {
    let library = &fixture().library;
    let id = library.function_id(name).expect("the fixture has it");
    let mut out = Vec::with_capacity(64);
    // SAFETY: no lent bytes in these arguments.
    let reply = unsafe { library.call(id, args, &mut out) };
    (reply.status().unwrap(), reply.bytes().unwrap().to_vec())
}

/// The next completion (10 s at most).
fn completion() -> (u64, i32, Vec<u8>) {
    fixture()
        .completions
        .lock()
        .unwrap()
        .recv_timeout(Duration::from_secs(10))
        .expect("a completion within 10 s")
}

fn drops() -> i128 {
    let (_, bytes) = call("async_drops", &[0x90]);
    match Value::decode(&bytes).unwrap() {
        Value::Int(n) => n,
        other => panic!("{other:?}"),
    }
}

// One test: completions share one channel, so the cases run in order.
#[test]
fn futures_and_streams() {
    let fixture = fixture();
    let host_id = fixture.host_id;

    // Ready at once: an ordinary reply.
    assert_eq!(call("async_add", &[0x92, 2, 3]), (Status::Ok, vec![5]));

    // Pending, then the completion with the token.
    let (status, bytes) = call("async_sleep", b"\x92\x14\xa5later");
    assert_eq!(status, Status::Pending);
    let handle = future_handle(&bytes).expect("a future handle");
    let live = futures().live().unwrap();
    assert_eq!(live.len(), 1);
    assert_eq!((live[0].handle, live[0].kind.as_str()), (handle, "future"));
    assert_eq!(live[0].function, "async_sleep");
    assert_eq!(futures().start(handle, host_id, 41), Ok(Status::Ok));
    assert_eq!(completion(), (41, 0, b"\xa5later".to_vec()));
    assert_eq!(futures().start(handle, host_id, 41), Ok(Status::NoFunction));

    // An Err, decoded by the one error-value decoder.
    let (status, bytes) = call("async_fail", &[0x91, 5]);
    assert_eq!(status, Status::Pending);
    let handle = future_handle(&bytes).unwrap();
    futures().start(handle, host_id, 42).unwrap();
    let (token, code, bytes) = completion();
    assert_eq!((token, code), (42, Status::Error.code()));
    let error = ferryman_host::ErrorValue::decode(&bytes).unwrap();
    assert_eq!(
        (error.kind, error.type_name.as_str()),
        (ErrorKind::Error, "AsyncError")
    );

    // Cancelled: dropped (its guard counted), completes with Cancelled.
    let before = drops();
    let (status, bytes) = call("async_guarded", &[0x91, 0xcd, 0xea, 0x60]);
    assert_eq!(status, Status::Pending);
    let handle = future_handle(&bytes).unwrap();
    futures().start(handle, host_id, 43).unwrap();
    assert_eq!(futures().cancel(handle), Ok(Status::Ok));
    let (token, code, bytes) = completion();
    assert_eq!((token, code), (43, Status::Cancelled.code()));
    let error = ferryman_host::ErrorValue::decode(&bytes).unwrap();
    assert_eq!(error.kind.as_str(), "cancelled");
    assert_eq!(drops(), before + 1);
    assert_eq!(futures().cancel(handle), Ok(Status::NoFunction));

    // A completion that panics in the host: caught, the box still freed.
    let (_, bytes) = call("async_sleep", b"\x92\x01\xa1x");
    futures()
        .start(future_handle(&bytes).unwrap(), host_id, 666)
        .unwrap();
    std::thread::sleep(Duration::from_millis(100));
    assert!(futures().live().unwrap().is_empty());

    // A stream: batches at once, then the end.
    let streams = futures().streams();
    let (status, bytes) = call("stream_count", &[0x91, 5]);
    assert_eq!(status, Status::Ok);
    let stream = stream_handle(&bytes).expect("a stream handle");
    assert_eq!(streams.start(stream, host_id, 44), Ok(Status::Ok));
    let mut out = Vec::new();
    let reply = streams.next_into(stream, 3, &mut out);
    assert_eq!(
        (reply.status(), reply.bytes().unwrap()),
        (Ok(Status::Ok), &[0x93, 0, 1, 2][..])
    );
    drop(reply);
    let reply = streams.next_into(stream, 64, &mut out);
    assert_eq!(reply.bytes().unwrap(), &[0x92, 3, 4]);
    drop(reply);
    let reply = streams.next_into(stream, 64, &mut out);
    assert_eq!(reply.bytes().unwrap(), &[0xc0]);
    drop(reply);
    assert_eq!(streams.release(stream), Ok(Status::Ok));
    assert_eq!(streams.release(stream), Ok(Status::NoFunction));

    // A ticker: a pending next completes with the batch; release mid-way.
    let (_, bytes) = call("ticker", &[0x93, 100, 20, 1]);
    let stream = stream_handle(&bytes).unwrap();
    streams.start(stream, host_id, 45).unwrap();
    let reply = streams.next_into(stream, 8, &mut out);
    let status = reply.status().unwrap();
    drop(reply);
    if status == Status::Pending {
        let (token, code, bytes) = completion();
        assert_eq!((token, code), (45, 0));
        assert!(matches!(Value::decode(&bytes).unwrap(), Value::Array(items) if !items.is_empty()));
    }
    assert_eq!(streams.release(stream), Ok(Status::Ok));
    let (_, report) = loop {
        let (status, report) = call("ticker_report", &[0x90]);
        if report.last() == Some(&0xc3) {
            break (status, report);
        }
        std::thread::sleep(Duration::from_millis(10));
    };
    assert_eq!(
        report[2], 0xc3,
        "the producer saw its sender closed: {report:?}"
    );
    assert!(futures().live().unwrap().is_empty());
}
