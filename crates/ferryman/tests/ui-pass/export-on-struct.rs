//! A struct, an enum and their `impl` blocks are exported classes.

use std::sync::Arc;

/// A point.
#[ferryman::export(display, debug, eq)]
#[derive(Debug, PartialEq)]
pub struct Point {
    pub x: f64,
    pub y: f64,
}

impl std::fmt::Display for Point {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "({}, {})", self.x, self.y)
    }
}

#[ferryman::export]
impl Point {
    pub fn new(x: f64, y: f64) -> Self {
        Point { x, y }
    }

    pub fn origin() -> Arc<Point> {
        Arc::new(Point::new(0.0, 0.0))
    }

    pub fn norm(&self) -> f64 {
        self.x.hypot(self.y)
    }

    pub fn scale(&mut self, k: f64) {
        self.x *= k;
        self.y *= k;
    }

    pub fn coords(&self) -> impl Iterator<Item = f64> + Send + '_ {
        [self.x, self.y].into_iter()
    }

    fn private_helper(&self) -> f64 {
        self.x
    }
}

/// An enum class.
#[ferryman::export(name = "Shape")]
pub enum ShapeKind {
    Circle,
    Square,
}

#[ferryman::export]
impl ShapeKind {
    pub fn new(round: bool) -> Result<Self, std::fmt::Error> {
        Ok(if round { ShapeKind::Circle } else { ShapeKind::Square })
    }

    pub fn sides(&self) -> u32 {
        match self {
            ShapeKind::Circle => 0,
            ShapeKind::Square => 4,
        }
    }
}

#[ferryman::export]
pub fn norms(points: Vec<Arc<Point>>, extra: Option<&Point>) -> Vec<f64> {
    points.iter().map(|p| p.norm()).chain(extra.map(Point::norm)).collect()
}

#[ferryman::export]
pub fn maybe_point(make: bool) -> Option<Point> {
    make.then(|| Point::new(1.0, 2.0))
}

fn main() {
    let p = Point::new(3.0, 4.0);
    assert_eq!(p.norm(), 5.0);
    assert_eq!(p.private_helper(), 3.0);
    assert_eq!(ShapeKind::Square.sides(), 4);
}
