#[ferryman::export]
pub fn keep(name: &'static str) -> usize {
    name.len()
}

fn main() {}
