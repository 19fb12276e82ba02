// An async export's future owns its parameters: it lends the function text,
// bytes, slices and paths, and refuses a reference to anything else (it may
// be an exported class, which the future could not hold).
#[derive(serde::Deserialize)]
pub struct Point {
    pub x: f64,
}

#[ferryman::export]
pub async fn norm(point: &Point, label: &Box<str>) -> f64 {
    point.x.abs() + label.len() as f64
}

fn main() {}
