//! A library that hands ferryman its own tokio runtime (`ferryman::set_runtime`):
//! async exports run inside it (a task they spawn lands on its worker
//! threads), and a second runtime is refused once one is in use. Its own
//! test binary: the runtime is chosen once per process.

mod support;

use ferryman_abi::Status;
use support::call;

/// The name of the thread a task spawned from the export's future ran on.
#[ferryman::export]
async fn spawned_on() -> String {
    ferryman::tokio::spawn(async { std::thread::current().name().map(str::to_owned) })
        .await
        .expect("the task ran")
        .unwrap_or_default()
}

#[test]
fn async_exports_run_on_the_runtime_the_library_gave() {
    let runtime = ferryman::tokio::runtime::Builder::new_multi_thread()
        .worker_threads(1)
        .thread_name("library-own")
        .build()
        .unwrap();
    assert!(ferryman::set_runtime(runtime.handle().clone()));
    let (status, value) = call("spawned_on", &[0x90]);
    assert_eq!(status, Status::Ok, "{value}");
    assert_eq!(value.as_str(), Some("library-own"));
    // Once in use, the runtime stays.
    let other = ferryman::tokio::runtime::Runtime::new().unwrap();
    assert!(!ferryman::set_runtime(other.handle().clone()));
    assert_eq!(call("spawned_on", &[0x90]).1.as_str(), Some("library-own"));
}
