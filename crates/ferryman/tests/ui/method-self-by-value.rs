#[ferryman::export]
pub struct Counter {
    n: u64,
}

#[ferryman::export]
impl Counter {
    pub fn new() -> Self {
        Counter { n: 0 }
    }

    pub fn into_count(self) -> u64 {
        self.n
    }
}

fn main() {}
