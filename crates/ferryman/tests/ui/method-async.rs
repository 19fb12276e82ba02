#[ferryman::export]
pub struct Counter {
    n: u64,
}

#[ferryman::export]
impl Counter {
    pub async fn fetch(&self) -> u64 {
        self.n
    }
}

fn main() {}
