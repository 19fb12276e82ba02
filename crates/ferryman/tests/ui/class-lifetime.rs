#[ferryman::export]
pub struct View<'a> {
    text: &'a str,
}

fn main() {}
