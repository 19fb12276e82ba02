#[ferryman::export]
pub struct Counter {
    n: u64,
}

#[ferryman::export]
impl std::fmt::Display for Counter {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}", self.n)
    }
}

fn main() {}
