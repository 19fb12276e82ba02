#[ferryman::export]
pub struct Counter {
    n: u64,
}

#[ferryman::export]
impl Counter {
    pub fn new() -> u64 {
        0
    }
}

fn main() {}
