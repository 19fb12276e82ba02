"""Calls the geometry library built from examples/geometry/src/lib.rs."""

import pathlib
import sys
import traceback

import ferryman

ROOT = pathlib.Path(__file__).resolve().parents[2]
path = sys.argv[1] if len(sys.argv) > 1 else ROOT / "target" / "release" / "libgeometry.so"
geo = ferryman.load(path)

print(f"loaded {geo!r}")
print("functions:", ", ".join(name for name in dir(geo) if not name.startswith("_")))
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

# A Rust error is a Python exception of its own class, with the Rust fields on it.
try:
    geo.area(square[:2])
except geo.errors.GeometryError as e:
    print(f"caught {type(e).__name__}.{e.variant}: {e} (got={e.got})")

# The traceback shows the Rust side as ordinary entries after the Python caller.
print()
print("A Rust panic, as Python prints it:")
try:
    geo.vertex(square, 10)
except ferryman.RustPanic:
    traceback.print_exc(file=sys.stdout)
