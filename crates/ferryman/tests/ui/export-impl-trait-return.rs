#[ferryman::export]
pub fn label() -> impl std::fmt::Display {
    "label"
}

fn main() {}
