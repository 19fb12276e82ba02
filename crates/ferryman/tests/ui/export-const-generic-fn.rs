#[ferryman::export]
pub fn zeros<const N: usize>() -> Vec<u8> {
    vec![0; N]
}

fn main() {}
