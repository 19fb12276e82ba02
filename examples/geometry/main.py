"""Calls the geometry library built from examples/geometry/src/lib.rs."""

import pathlib
import sys
import traceback

import ferryman

ROOT = pathlib.Path(__file__).resolve().parents[2]
path = sys.argv[1] if len(sys.argv) > 1 else ROOT / "target" / "release" / "libgeometry.so"
geo = ferryman.load(path)

print(f"loaded {geo!r}")
print("functions:", ", ".join(geo.functions))
print("classes:  ", ", ".join(geo.classes))
print()

square = geo.parse_polygon("0,0 4,0 4,4 0,4")
print("square       =", square)
print("area         =", geo.area(square))
print("perimeter    =", geo.perimeter(polygon=square))
print("centroid     =", geo.centroid(square))
print("translated   =", geo.translate(square, dx=1.5, dy=-1))
print()
print("help:", geo.area.__name__ + str(__import__("inspect").signature(geo.area)))
print("     ", geo.area.__doc__)
print()

# A class: Python holds the Rust value and calls its methods; iterators are lazy.
with geo.Polygon(square) as polygon:  # `with` releases the Rust value at the end
    print("Polygon      =", polygon.vertex_count(), "vertices, area", polygon.area())
    print("first vertex =", next(polygon.vertices()))
print()

# A Rust error is a Python exception of its own class (each enum variant a
# subclass of it), with the Rust fields on it.
try:
    geo.area(square[:2])
except geo.errors.GeometryError.TooFewVertices as e:
    print(f"caught {type(e).__qualname__}: {e} (got={e.got})")

# Its traceback continues into Rust, at the `?`, `return` or expression of the
# function that made the `Err`.
print()
print("A Rust error, as Python prints it:")
try:
    geo.parse_polygon("0,0 4,x")
except geo.errors.GeometryError:
    traceback.print_exc(file=sys.stdout)

# Callbacks: any Python callable goes in, Rust closures come out (and back in).
print()
doubled = geo.transform(square, lambda p: {"x": p["x"] * 2, "y": p["y"] * 2})
print("transformed  =", doubled)
half = geo.scaler(0.5)
print("scaler(0.5)  =", half, "->", half({"x": 8.0, "y": 2.0}))
print("round trip   =", geo.transform(doubled, half) == square)


# A Rust struct is a Python class: construct it, call its methods (a `&mut self`
# method included), iterate lazily over what a method returns.
print()
path = geo.Polyline()
path.push(0, 0)
path.push(3, 0)
path.push(3, 4)
print("path         =", path)
print("points       =", path.points())
print("segments     =", list(path.segment_lengths()))
print("closed area  =", path.closed_area())
parsed = geo.Polyline.parse("0,0 4,0 4,4 0,4")
print("parsed       =", parsed, "is a", type(parsed).__name__, isinstance(parsed, geo.Polyline))
print("live objects =", geo.live_objects())

# While an iterator borrows the polyline, a `&mut self` call is refused, not raced.
segments = path.segment_lengths()
try:
    path.push(3, 9)
except ferryman.BorrowError:
    print("push while iterating: BorrowError")
else:
    print("push while iterating: accepted")
segments.close()
path.push(3, 9)
print("after close  =", path)

# Dropping the last reference drops the Rust value; `with` (or `close()`) does it now.
with geo.Polyline.parse("1,1 4,5") as short:
    print("with         =", short.length())
del path, parsed, segments
print("live objects =", geo.live_objects())


def reject_negative(p):
    if p["x"] < 0:
        raise ValueError(f"negative x in {p}")
    return p


# An exception raised in a callback comes back as the same object, its traceback
# reading: this script -> the Rust function -> the callback.
print()
print("A Python exception raised inside a Rust call, as Python prints it:")
try:
    geo.transform(geo.translate(square, dx=-10, dy=0), reject_negative)
except ValueError:
    traceback.print_exc(file=sys.stdout)

# The traceback shows the Rust side as ordinary entries after the Python caller.
print()
print("A Rust panic, as Python prints it:")
try:
    geo.vertex(square, 10)
except ferryman.RustPanic:
    traceback.print_exc(file=sys.stdout)
