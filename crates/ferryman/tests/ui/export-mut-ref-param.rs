#[ferryman::export]
pub fn push_one(values: &mut Vec<i64>) {
    values.push(1);
}

fn main() {}
