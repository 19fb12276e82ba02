// An async export's future runs on the executor's threads: it must be Send.
use std::rc::Rc;

async fn tick() {}

#[ferryman::export]
pub async fn count(n: u64) -> u64 {
    let shared = Rc::new(n);
    tick().await;
    *shared
}

fn main() {}
