//! A `Callback` may be stored, shared and sent to other threads whatever its
//! argument and result types are (even ones that are neither `Send` nor `Sync`:
//! they only ever cross as MessagePack).

use ferryman::Callback;
use std::cell::Cell;
use std::rc::Rc;
use std::sync::{Arc, Mutex};

const fn assert_send_sync_clone_static<T: Send + Sync + Clone + 'static>() {}

const _: () = {
    assert_send_sync_clone_static::<Callback<(i64, String), Vec<u8>>>();
    assert_send_sync_clone_static::<Callback<(), ()>>();
    assert_send_sync_clone_static::<Callback<(Rc<u8>, Cell<u8>), Rc<u8>>>();
};

static STORED: Mutex<Option<Callback<(i64,), i64>>> = Mutex::new(None);

fn main() {
    let add_one = Callback::new(|x: i64| x + 1);
    *STORED.lock().unwrap() = Some(add_one.clone());
    let shared = Arc::new(add_one);
    let threads: Vec<_> = (0..4)
        .map(|i| {
            let shared = Arc::clone(&shared);
            std::thread::spawn(move || shared.call((i,)).unwrap())
        })
        .collect();
    let results: Vec<i64> = threads.into_iter().map(|t| t.join().unwrap()).collect();
    assert_eq!(results, [1, 2, 3, 4]);
    let stored = STORED.lock().unwrap().take().unwrap();
    assert_eq!(std::thread::spawn(move || stored.call((41,)).unwrap()).join().unwrap(), 42);
}
