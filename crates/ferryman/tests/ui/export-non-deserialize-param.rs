pub struct Point {
    pub x: f64,
    pub y: f64,
}

#[ferryman::export]
pub fn norm(point: Point) -> f64 {
    (point.x * point.x + point.y * point.y).sqrt()
}

fn main() {}
