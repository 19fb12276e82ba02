// An async method's future shares its object until it ends: `&self` only.
#[ferryman::export]
pub struct Counter {
    n: u64,
}

#[ferryman::export]
impl Counter {
    pub fn new() -> Self {
        Counter { n: 0 }
    }

    pub async fn bump(&mut self) -> u64 {
        self.n += 1;
        self.n
    }
}

fn main() {}
