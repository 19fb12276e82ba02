#[derive(Debug)]
pub struct Overflow;

#[ferryman::export]
pub fn double(value: i64) -> Result<i64, Overflow> {
    value.checked_mul(2).ok_or(Overflow)
}

fn main() {}
