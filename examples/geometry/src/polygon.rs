//! `Polygon`: an exported class, so Python keeps a Rust value and calls its methods.

use crate::{check, signed_area, GeometryError, Point};

/// A polygon kept in Rust: made once, asked many questions.
#[derive(Debug)]
#[ferryman::export]
pub struct Polygon {
    vertices: Vec<Point>,
}

#[ferryman::export]
impl Polygon {
    /// A polygon of `vertices`, in order.
    pub fn new(vertices: Vec<Point>) -> Self {
        Polygon { vertices }
    }

    /// The area it encloses; an error when it has fewer than 3 vertices or is degenerate.
    pub fn area(&self) -> Result<f64, GeometryError> {
        check(&self.vertices)?;
        Ok(signed_area(&self.vertices).abs())
    }

    /// How many vertices it has.
    pub fn vertex_count(&self) -> usize {
        self.vertices.len()
    }

    /// Its vertices, one at a time.
    pub fn vertices(&self) -> impl Iterator<Item = Point> + Send + '_ {
        self.vertices.iter().copied()
    }
}
