//! A user crate as the README describes it: `ferryman` is its only
//! dependency. Its own serde types derive through `ferryman::Serialize` and
//! `ferryman::Deserialize` with `#[serde(crate = "ferryman::serde")]`; its
//! error type implements `std::error::Error` by hand (thiserror's derive needs
//! `thiserror` as a dependency of its own).

use ferryman::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::fmt;

/// A point of the user's own.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(crate = "ferryman::serde")]
pub struct Point {
    pub x: f64,
    pub y: f64,
}

/// A shape of the user's own: an enum with data.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(crate = "ferryman::serde")]
pub enum Shape {
    Circle { center: Point, radius: f64 },
    Polygon(Vec<Point>),
    Empty,
}

/// An error with serde fields, so hosts see them.
#[derive(Debug, Serialize)]
#[serde(crate = "ferryman::serde")]
pub enum ShapeError {
    TooFewPoints { count: usize },
    NegativeRadius(f64),
}

impl fmt::Display for ShapeError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ShapeError::TooFewPoints { count } => {
                write!(f, "a polygon needs 3 points, this one has {count}")
            }
            ShapeError::NegativeRadius(r) => write!(f, "negative radius {r}"),
        }
    }
}

impl std::error::Error for ShapeError {}

/// The area of a shape.
#[ferryman::export]
pub fn area(shape: Shape) -> Result<f64, ShapeError> {
    match shape {
        Shape::Circle { radius, .. } if radius < 0.0 => Err(ShapeError::NegativeRadius(radius)),
        Shape::Circle { radius, .. } => Ok(std::f64::consts::PI * radius * radius),
        Shape::Polygon(points) if points.len() < 3 => Err(ShapeError::TooFewPoints {
            count: points.len(),
        }),
        Shape::Polygon(points) => {
            let twice: f64 = points
                .iter()
                .zip(points.iter().cycle().skip(1))
                .map(|(a, b)| a.x * b.y - b.x * a.y)
                .sum();
            Ok(twice.abs() / 2.0)
        }
        Shape::Empty => Ok(0.0),
    }
}

/// The point halfway between `a` and `b`.
#[ferryman::export]
pub fn midpoint(a: Point, b: &Point) -> Point {
    Point {
        x: (a.x + b.x) / 2.0,
        y: (a.y + b.y) / 2.0,
    }
}

/// Counts the shapes by kind.
#[ferryman::export]
pub fn census(shapes: Vec<Shape>) -> BTreeMap<String, u32> {
    let mut counts = BTreeMap::new();
    for shape in shapes {
        let kind = match shape {
            Shape::Circle { .. } => "circle",
            Shape::Polygon(_) => "polygon",
            Shape::Empty => "empty",
        };
        *counts.entry(kind.to_owned()).or_insert(0) += 1;
    }
    counts
}

/// `Box<dyn Error>` needs no error crate either.
#[ferryman::export]
pub fn parse_point(text: &str) -> Result<Point, Box<dyn std::error::Error>> {
    let (x, y) = text.split_once(',').ok_or("expected `x,y`")?;
    Ok(Point {
        x: x.trim().parse()?,
        y: y.trim().parse()?,
    })
}
