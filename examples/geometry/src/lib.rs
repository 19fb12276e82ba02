//! A small geometry library: polygons in, numbers and polygons out, and a
//! `Polyline` object that Python builds up point by point.
//!
//! Built as a `cdylib`, it is callable from Python with `ferryman.load`; see
//! `examples/geometry/main.py`.

use ferryman::{Callback, CallbackError};
use serde::{Deserialize, Serialize};
use std::fmt;

mod polygon;
pub use polygon::Polygon;

/// A point in the plane.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Point {
    pub x: f64,
    pub y: f64,
}

/// Why a polygon was refused. (`#[ferryman::error]` lists its variants in
/// describe: hosts and stubs know `GeometryError.TooFewVertices`.)
#[ferryman::error]
#[derive(Debug, thiserror::Error, Serialize)]
pub enum GeometryError {
    #[error("a polygon needs at least 3 vertices, got {got}")]
    TooFewVertices { got: usize },
    #[error("the polygon is degenerate: all its vertices are on one line")]
    Degenerate,
    #[error("could not read a point from {text:?}")]
    BadPoint { text: String },
}

/// Area enclosed by a simple polygon (shoelace formula), whatever its orientation.
#[ferryman::export]
pub fn area(polygon: Vec<Point>) -> Result<f64, GeometryError> {
    check(&polygon)?;
    Ok(signed_area(&polygon).abs())
}

/// Length of the polygon's boundary.
#[ferryman::export]
pub fn perimeter(polygon: Vec<Point>) -> Result<f64, GeometryError> {
    check(&polygon)?;
    let edges = polygon.iter().zip(polygon.iter().cycle().skip(1));
    Ok(edges.map(|(a, b)| (b.x - a.x).hypot(b.y - a.y)).sum())
}

/// Centre of mass of the polygon's surface.
#[ferryman::export]
pub fn centroid(polygon: Vec<Point>) -> Result<Point, GeometryError> {
    check(&polygon)?;
    let a = signed_area(&polygon);
    let (mut cx, mut cy) = (0.0, 0.0);
    for (p, q) in polygon.iter().zip(polygon.iter().cycle().skip(1)) {
        let cross = p.x * q.y - q.x * p.y;
        cx += (p.x + q.x) * cross;
        cy += (p.y + q.y) * cross;
    }
    Ok(Point {
        x: cx / (6.0 * a),
        y: cy / (6.0 * a),
    })
}

/// Reads a polygon written as `"x,y x,y x,y"`.
#[ferryman::export]
pub fn parse_polygon(text: &str) -> Result<Vec<Point>, GeometryError> {
    text.split_whitespace().map(parse_point).collect()
}

/// Moves every vertex by `(dx, dy)`.
#[ferryman::export]
pub fn translate(polygon: Vec<Point>, dx: f64, dy: f64) -> Vec<Point> {
    polygon
        .into_iter()
        .map(|p| Point {
            x: p.x + dx,
            y: p.y + dy,
        })
        .collect()
}

/// Applies `f` to every vertex: `f` is any Python callable taking and returning a
/// point. An exception it raises comes back to Python unchanged, with this
/// function's Rust frame between the caller and the callback.
#[ferryman::export]
pub fn transform(
    polygon: Vec<Point>,
    f: Callback<(Point,), Point>,
) -> Result<Vec<Point>, CallbackError> {
    polygon.into_iter().map(|p| f.call((p,))).collect()
}

/// A Rust closure Python can call, and pass back to `transform`: scales by `factor`.
#[ferryman::export]
pub fn scaler(factor: f64) -> Callback<(Point,), Point> {
    Callback::new(move |p: Point| Point {
        x: p.x * factor,
        y: p.y * factor,
    })
}

/// The `n`-th vertex; panics when there is none (to show a panic's traceback).
#[ferryman::export]
pub fn vertex(polygon: Vec<Point>, n: usize) -> Point {
    polygon[n]
}

/// An open path, built up one point at a time: a Rust struct that Python uses
/// as a class (`geo.Polyline()`), printed with its `Display`.
#[ferryman::export(display)]
#[derive(Debug, Default)]
pub struct Polyline {
    points: Vec<Point>,
}

#[ferryman::export]
impl Polyline {
    /// An empty polyline.
    pub fn new() -> Self {
        Self::default()
    }

    /// Reads a polyline written as `"x,y x,y x,y"` (a static method:
    /// `geo.Polyline.parse(text)`).
    pub fn parse(text: &str) -> Result<Self, GeometryError> {
        let points = parse_polygon(text)?;
        Ok(Polyline { points })
    }

    /// Appends the point `(x, y)`. Takes `&mut self`: ferryman gives the call
    /// the polyline to itself (other calls on it wait).
    pub fn push(&mut self, x: f64, y: f64) {
        self.points.push(Point { x, y });
    }

    /// Its points, in order.
    pub fn points(&self) -> Vec<Point> {
        self.points.clone()
    }

    /// The length of the path: the sum of its segments.
    pub fn length(&self) -> f64 {
        self.segment_lengths().sum()
    }

    /// The length of each segment, computed as Python asks for them. The
    /// iterator borrows the polyline: while it lives, `push` is refused.
    pub fn segment_lengths(&self) -> impl Iterator<Item = f64> + Send + '_ {
        self.points
            .windows(2)
            .map(|pair| (pair[1].x - pair[0].x).hypot(pair[1].y - pair[0].y))
    }

    /// The area of the polygon made by closing the path.
    pub fn closed_area(&self) -> Result<f64, GeometryError> {
        check(&self.points)?;
        Ok(signed_area(&self.points).abs())
    }
}

impl fmt::Display for Polyline {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let n = self.points.len();
        write!(f, "Polyline of {n} points, {} long", self.length())
    }
}

fn parse_point(text: &str) -> Result<Point, GeometryError> {
    let bad = || GeometryError::BadPoint {
        text: text.to_owned(),
    };
    let (x, y) = text.split_once(',').ok_or_else(bad)?;
    Ok(Point {
        x: x.trim().parse().map_err(|_| bad())?,
        y: y.trim().parse().map_err(|_| bad())?,
    })
}

fn check(polygon: &[Point]) -> Result<(), GeometryError> {
    if polygon.len() < 3 {
        return Err(GeometryError::TooFewVertices { got: polygon.len() });
    }
    if signed_area(polygon) == 0.0 {
        return Err(GeometryError::Degenerate);
    }
    Ok(())
}

fn signed_area(polygon: &[Point]) -> f64 {
    let twice: f64 = polygon
        .iter()
        .zip(polygon.iter().cycle().skip(1))
        .map(|(p, q)| p.x * q.y - q.x * p.y)
        .sum();
    twice / 2.0
}
