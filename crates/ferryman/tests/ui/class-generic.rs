#[ferryman::export]
pub struct Tokenizer<T> {
    items: Vec<T>,
}

fn main() {}
