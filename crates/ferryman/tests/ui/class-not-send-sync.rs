use std::cell::RefCell;

#[ferryman::export]
pub struct Cache {
    seen: RefCell<Vec<String>>,
}

fn main() {}
