// Async functions, an async `&self` method, streams and stream methods
// export as written.
use ferryman::Stream;
use std::sync::atomic::{AtomicU64, Ordering};

#[ferryman::export]
pub async fn fetch(url: String) -> String {
    url
}

/// The future owns its parameters and lends them: `&str`, `&[u8]`, `&[T]`, `&Path`.
#[ferryman::export]
pub async fn shout(text: &str, bytes: &[u8], numbers: &[i64], path: &std::path::Path) -> String {
    ferryman::tokio::task::yield_now().await;
    format!("{text}{}{}{}", bytes.len(), numbers.len(), path.display())
}

#[derive(Debug)]
pub struct Refused;

impl std::fmt::Display for Refused {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("refused")
    }
}

impl std::error::Error for Refused {}

#[ferryman::export]
pub async fn check(n: u64, data: Vec<u8>) -> Result<usize, Refused> {
    if n == 0 {
        return Err(Refused);
    }
    Ok(data.len())
}

#[ferryman::export]
pub struct Counter {
    n: AtomicU64,
}

#[ferryman::export]
impl Counter {
    pub fn new() -> Self {
        Counter { n: AtomicU64::new(0) }
    }

    pub async fn bump(&self, by: u64) -> u64 {
        self.n.fetch_add(by, Ordering::SeqCst) + by
    }

    pub fn upcoming(&mut self, k: u64) -> impl Stream<Item = u64> + Send {
        let n = *self.n.get_mut();
        ferryman::stream::iter(n..n + k)
    }
}

/// A stream function may take objects, as other functions do.
#[ferryman::export]
pub fn counted(counter: &Counter, more: Option<std::sync::Arc<Counter>>) -> impl Stream<Item = u64> + Send {
    let extra = more.map_or(0, |c| c.n.load(Ordering::SeqCst));
    ferryman::stream::iter(0..counter.n.load(Ordering::SeqCst) + extra)
}

#[ferryman::export]
pub fn numbers(n: u64) -> impl Stream<Item = u64> + Send {
    ferryman::stream::iter(0..n)
}

#[ferryman::export]
pub fn fed(n: u64) -> impl ferryman::Stream<Item = Result<u64, Refused>> + Send {
    let (mut tx, rx) = ferryman::stream::channel(2);
    std::thread::spawn(move || {
        for i in 0..n {
            if tx.blocking_send(Ok(i)).is_err() {
                break;
            }
        }
    });
    rx
}

fn main() {
    let _ = ferryman::set_runtime;
}
