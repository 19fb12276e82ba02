pub struct Counter {
    count: u32,
}

impl Counter {
    #[ferryman::export]
    pub fn get(&self) -> u32 {
        self.count
    }
}

fn main() {
    let _ = Counter { count: 0 }.get();
}
