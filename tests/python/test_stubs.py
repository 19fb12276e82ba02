"""The ``.pyi`` stubs of a generated package (``ferryman._stubs``): mypy
``--strict`` and pyright accept a correct script using the example library
(functions, records, errors, callbacks) and the fixture's classes, async
functions and streams, and report a misspelt function, a wrong argument type,
a wrong result type, an async result used without ``await``, a stream
iterated with a plain ``for`` and an item of an iterable class used as another
type (the item type describe gives, ``Any`` only where it gives none).

Each package is a directory with the generated ``__init__.pyi`` and a small
``__init__.py`` that loads the library and binds the names the stub declares
(``lib.exports()``), so the correct scripts also run.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
import textwrap
from pathlib import Path
from typing import Any

import pytest

import ferryman
from ferryman._stubs import exports, render_stubs, write_stubs

from conftest import REPO

PYRIGHT = REPO / ".venv" / "node" / "node_modules" / ".bin" / "pyright"
# scripts/test.sh installs both checkers and sets this: there they must run.
REQUIRED = os.environ.get("FERRYMAN_REQUIRE_TYPECHECKERS") == "1"

INIT = """\
import ferryman

_lib = ferryman.load({path!r})
globals().update(_lib.exports())
"""

SCRIPTS = {
    "geometry_ok.py": """\
        from collections.abc import Callable
        from typing import Any

        import geometry
        from geometry import GeometryError, Point, Polygon

        square: list[Point] = [{"x": 0.0, "y": 0.0}, {"x": 4.0, "y": 0.0}, {"x": 4.0, "y": 4.0}, {"x": 0.0, "y": 4.0}]
        area: float = geometry.area(square)
        centre: Point = geometry.centroid(square)
        moved: list[Point] = geometry.translate(square, 1.0, dy=2)
        double: Callable[[Point], Point] = geometry.scaler(2.0)
        doubled = geometry.transform(square, double)
        flipped = geometry.transform(square, lambda p: {"x": p["y"], "y": p["x"]})
        message: str = ""
        got: dict[str, Any] | None = None
        try:
            geometry.area(square[:2])
        except GeometryError.TooFewVertices as few:
            got = few.fields
            message = str(few)
        except GeometryError as error:
            got = error.fields
            message = str(error)
        polygon = Polygon(square)
        first: Point = next(polygon.vertices())
        count: int = polygon.vertex_count() + len(list(polygon.vertices()))
        same: float = polygon.area()
        print(area, centre["x"], moved[0]["y"], doubled[2], flipped[1], message, got, first, count, same)
        """,
    "fixture_ok.py": """\
        import datetime
        import pathlib
        from collections.abc import Iterator

        from typing import TYPE_CHECKING, Any

        import fixture
        from fixture import Counter, Greeter, MathError, NoSuchUser, QuotaError, RatioError, Shape, TokenError
        from fixture import Vocabulary

        if TYPE_CHECKING:
            from typing_extensions import assert_type
        else:
            def assert_type(value, _type):
                return value

        counter = Counter("c", start=1)
        total: int = counter.add(2) + Counter.named("d").value()
        same: bool = counter == counter.clone_counter() and counter <= counter
        greeting: str = Greeter().greet("Ann", times=2)
        words: Iterator[str] = Vocabulary(["a", "b"]).words()
        # The items of iterators are their own types, not Any.
        for word in Vocabulary(["a", "b"]).words():
            assert_type(word, str)
        for each in Vocabulary(["a"]).counters():
            assert_type(each, Counter)
            assert_type(each.value(), int)
        for number in fixture.count_up(2):
            assert_type(number, int)
        # `__iter__`'s item: describe has the macro's `<&Vocabulary as IntoIterator>::Item`,
        # no type it knows, so `Any` (ITERABLES below: the item types describe does give).
        first_word: str = next(iter(Vocabulary(["a", "b"])))
        assert first_word == "a", first_word
        shape: Shape = {"Circle": {"center": {"x": 0.0, "y": 0.0}, "radius": 1.0}}
        area: float = fixture.area(shape) + fixture.area("Empty")
        joined: str = fixture.join_top(["a", "b"], sep="-")
        maybe: Counter | None = fixture.maybe_counter(True)
        variant: str | None = None
        try:
            fixture.divide(1, 0)
        except MathError as error:
            variant = error.variant
        print(total, same, greeting, list(words), area, joined, maybe, variant)
        joined_path: pathlib.Path = fixture.join_path(pathlib.Path("/tmp"), "f.txt")
        parts: list[str] = fixture.path_parts("a/b") + fixture.path_parts(joined_path)
        span: datetime.timedelta = fixture.scale_duration(datetime.timedelta(seconds=1.5), 2)
        now: datetime.datetime = fixture.echo_utc(datetime.datetime.now(datetime.timezone.utc))
        day: datetime.date | None = fixture.next_day(datetime.date(2024, 2, 28))
        print(joined_path, parts, span, now, day)
        # Errors described with their fields (`#[ferryman::error]` on a Serialize type).
        numerator: float = 0.0
        hint: str | None = None
        text, at, low = "", 0, 0.0
        try:
            fixture.ratio(1.0, 0.0, {"low": 0.0, "high": 1.0})
        except RatioError.not_finite as not_finite:
            numerator = not_finite.numerator + not_finite.fields["denominator"]
            hint = not_finite.fields["hint"]
        try:
            fixture.parse_ratio("x/2")
        except RatioError.bad_text as bad:
            text, at = bad.fields["0"], bad.fields[1]
        try:
            fixture.ratio(1.0, 2.0, {"low": 0.0, "high": 0.1})
        except RatioError.out_of_bounds as out:
            low = out.low + out.fields["high"]
        try:
            fixture.take_items("ann", 5)
        except QuotaError as quota:
            most: int = quota.maxItems
            user: str = quota.fields["userName"]
            print(most, user)
        try:
            fixture.bad_token(3)
        except TokenError as token:
            kind: str = token.kind
            index: int = token.index + len(token.function)
            print(kind, index)
        try:
            fixture.find_user("bob")
        except NoSuchUser as missing:
            name: str = missing.fields[0]
            everything: dict[str, Any] | None = missing.fields
            print(name, everything)
        assert (numerator, hint, text, at, low) == (1.0, "the denominator is zero", "x/2", 0, 0.1), (text, at, low)
        """,
    "fixture_async_ok.py": """\
        import asyncio
        from collections.abc import AsyncIterator
        from typing import TYPE_CHECKING

        import fixture
        from fixture import AsyncCounter

        if TYPE_CHECKING:
            from typing_extensions import assert_type
        else:
            def assert_type(value, _type):
                return value


        async def main() -> tuple[str, int, list[int]]:
            text: str = await fixture.async_sleep(1, "later")
            total: int = await AsyncCounter(1).add_later(1, 2)
            stream: AsyncIterator[int] = fixture.stream_count(3)
            items = [item async for item in stream]
            assert_type(items, list[int])
            async for upcoming in AsyncCounter(1).upcoming(1):
                assert_type(upcoming, int)
            return text, total, items


        assert asyncio.run(main()) == ("later", 3, [0, 1, 2])
        """,
    "iterables_ok.py": """\
        from collections.abc import AsyncIterator
        from typing import TYPE_CHECKING, Any

        from iterables import Numbers, Opaque, Point, Route, Shelf, ticks

        if TYPE_CHECKING:
            from typing_extensions import assert_type

        for number in Numbers(3):
            assert_type(number, int)
        total: int = sum(Numbers(3)) + max(Numbers(3))
        for point in Route([{"x": 0.0, "y": 1.0}]):
            assert_type(point, Point)
            print(point["x"] + point["y"])
        for numbers in Shelf.make():
            assert_type(numbers, Numbers)
            assert_type(next(iter(numbers)), int)
        for name, weight in Shelf.make().pairs():
            assert_type(name, str)
            assert_type(weight, float | None)
        for item in Opaque():
            assert_type(item, Any)
        stream: AsyncIterator[Point] = ticks(2)


        async def pull() -> list[Point]:
            return [point async for point in ticks(2)]
        """,
    "wrong_iter_item.py": """\
        from iterables import Numbers

        text: str = next(iter(Numbers(3)))
        """,
    "wrong_iter_record.py": """\
        from iterables import Route

        z: float = next(iter(Route([])))["z"]
        """,
    "wrong_iter_object.py": """\
        from iterables import Shelf

        next(iter(Shelf.make())).add(1)
        """,
    "wrong_await.py": """\
        import fixture

        text: str = fixture.async_sleep(1, "x")
        """,
    "wrong_stream.py": """\
        import fixture

        items = [item for item in fixture.stream_count(3)]
        """,
    "misspelt.py": """\
        import geometry

        geometry.aera([])
        """,
    "wrong_argument.py": """\
        import geometry

        geometry.translate([], "1", 2.0)
        """,
    "wrong_result.py": """\
        import geometry

        x: str = geometry.area([])
        """,
    "wrong_method.py": """\
        from geometry import Polygon

        Polygon([]).area(2)
        """,
    "wrong_variant.py": """\
        from geometry import GeometryError

        few: type[GeometryError] = GeometryError.TooFewVertice
        """,
    "wrong_error_field.py": """\
        from fixture import RatioError

        numerator: str = RatioError.not_finite("m").numerator
        """,
    "wrong_tuple_field.py": """\
        from fixture import RatioError

        at: str = RatioError.bad_text("m").fields[1]
        """,
}

# A describe map with the awkward cases: keywords as field, variant and
# parameter names, a recursive record, names that clash or hide builtins, a
# class without constructor, defaults stubs cannot spell.
EDGE_CASES: dict[str, Any] = {
    "library": "edge-cases",
    "library_version": "1.0.0",
    "ferryman": "0.1.0",
    "functions": [
        {"id": 0, "name": "Bag.__eq__", "doc": "", "params": [
            {"name": "self", "type": {"object": "Bag"}, "rust": "&Bag"},
            {"name": "other", "type": {"object": "Bag"}, "rust": "&Bag"}],
         "returns": {"type": "bool", "rust": "bool"}, "error": None, "class": "Bag", "kind": "method"},
        {"id": 1, "name": "Bag.__iter__", "doc": "", "params": [
            {"name": "self", "type": {"object": "Bag"}, "rust": "&Bag"}],
         "returns": {"type": {"iter": {"named": "Tree"}}, "rust": "Iter"}, "error": None,
         "class": "Bag", "kind": "method"},
        {"id": 2, "name": "Bag.make", "doc": 'Quotes "inside" and a trailing quote"', "params": [],
         "returns": {"type": {"object": "Bag"}, "rust": "Bag"}, "error": None, "class": "Bag", "kind": "static"},
        {"id": 3, "name": "Tree", "doc": "", "params": [{"name": "t", "type": {"named": "Tree"}, "rust": "Tree"}],
         "returns": {"type": {"named": "Tree"}, "rust": "Tree"},
         "error": {"name": "Tree", "rust": "edge::Tree"}, "class": None, "kind": "function"},
        {"id": 4, "name": "int", "doc": "", "params": [
            {"name": "x", "type": "i64", "rust": "i64"},
            {"name": "flag", "type": {"option": {"named": "Flag"}}, "rust": "Option<Flag>", "default": None}],
         "returns": {"type": {"map": ["str", {"named": "Keyword"}]}, "rust": "HashMap"}, "error": None,
         "class": None, "kind": "function"},
        {"id": 5, "name": "odd", "doc": "", "params": [{"name": "lambda", "type": "i64", "rust": "i64"}],
         "returns": {"type": {"named": "Odd"}, "rust": "Odd"}, "error": None, "class": None, "kind": "function"},
        {"id": 6, "name": "weird", "doc": "", "params": [
            {"name": "blob", "type": "bytes", "rust": "Vec<u8>", "default": "x" * 100},
            {"name": "ratio", "type": "f64", "rust": "f64", "default": float("inf")}],
         "returns": {"type": {"tuple": []}, "rust": "()"}, "error": None, "class": None, "kind": "function"},
        {"id": 7, "name": "oops", "doc": "", "params": [], "returns": {"type": "unit", "rust": "()"},
         "error": {"name": "Oops", "rust": "edge::Oops", "base": "key", "variants": ["Bad", "Worse"],
                   "type": {"named": "Oops"}},
         "class": None, "kind": "function"},
    ],
    "types": [
        {"name": "Tree", "doc": None, "kind": "struct", "fields": [
            {"name": "value", "type": "i64", "optional": False},
            {"name": "children", "type": {"list": {"named": "Tree"}}, "optional": True}]},
        {"name": "Flag", "doc": None, "kind": "newtype_struct", "type": "bool"},
        {"name": "Keyword", "doc": None, "kind": "struct", "fields": [
            {"name": "class", "type": "str", "optional": False},
            {"name": "from", "type": {"option": "i64"}, "optional": True}]},
        {"name": "Odd", "doc": None, "kind": "enum", "variants": [
            {"name": "my-variant", "kind": "unit"},
            {"name": "None", "kind": "newtype", "type": "i64"},
            {"name": "Pair", "kind": "tuple", "items": ["i64", {"named": "Unknown"}]},
            {"name": "Rec", "kind": "struct", "fields": [
                {"name": "tree", "type": {"named": "Tree"}, "optional": False}]}]},
        # An error's fields named like keywords, Python's and ferryman's attributes.
        {"name": "Oops", "doc": None, "kind": "enum", "variants": [
            {"name": "Bad", "kind": "struct", "fields": [
                {"name": "class", "type": "str", "optional": False},
                {"name": "args", "type": "i64", "optional": False},
                {"name": "fields", "type": "str", "optional": False},
                {"name": "function", "type": "i64", "optional": False},
                {"name": "index", "type": "str", "optional": False},
                {"name": "str", "type": "i64", "optional": False},
                {"name": "then", "type": "str", "optional": False},
                {"name": "maybe", "type": "i64", "optional": True}]},
            {"name": "Worse", "kind": "newtype", "type": {"named": "Odd"}}]},
    ],
    "classes": [
        {"id": 0, "name": "Bag", "doc": "A bag.", "rust": "edge::Bag", "file": "", "line": 1, "constructor": None,
         "methods": [0, 1], "statics": [2], "protocols": ["eq", "iter"]},
    ],
}  # fmt: skip


def _member(
    ident: int, cls: str, name: str, kind: str, returns: Any, params: tuple[tuple[str, Any], ...] = ()
) -> dict[str, Any]:
    """A describe entry of a class's member (``self`` first for a method)."""
    own = [{"name": "self", "type": {"object": cls}, "rust": f"&{cls}"}] if kind == "method" else []
    return {
        "id": ident, "name": f"{cls}.{name}", "doc": "", "error": None, "class": cls, "kind": kind,
        "params": own + [{"name": n, "type": t, "rust": "?"} for n, t in params],
        "returns": {"type": returns, "rust": "?"},
    }  # fmt: skip


# Iterable classes (`#[ferryman::export(iter)]`, or an exported `__iter__`)
# whose items describe gives — a number, a record, an object — and one whose
# item it does not know: the macro's `IntoIterator` projection, as the
# fixture's `Vocabulary` has (`Any`).
ITERABLES: dict[str, Any] = {
    "library": "iterables",
    "library_version": "1.0.0",
    "ferryman": "0.1.0",
    "functions": [
        _member(0, "Numbers", "new", "constructor", {"object": "Numbers"}, (("n", "u64"),)),
        _member(1, "Numbers", "__iter__", "method", {"iter": "i64"}),
        _member(2, "Route", "new", "constructor", {"object": "Route"}, (("points", {"list": {"named": "Point"}}),)),
        _member(3, "Route", "__iter__", "method", {"iter": {"named": "Point"}}),
        _member(4, "Shelf", "make", "static", {"object": "Shelf"}),
        _member(5, "Shelf", "__iter__", "method", {"iter": {"object": "Numbers"}}),
        _member(6, "Shelf", "pairs", "method", {"iter": {"tuple": ["str", {"option": "f64"}]}}),
        _member(7, "Opaque", "new", "constructor", {"object": "Opaque"}),
        _member(8, "Opaque", "__iter__", "method",
                {"iter": {"named": "<&'a Opaque as::core::iter::IntoIterator>::Item"}}),
        {"id": 9, "name": "ticks", "doc": "", "params": [{"name": "n", "type": "u64", "rust": "u64"}],
         "returns": {"type": {"stream": {"named": "Point"}}, "rust": "impl Stream<Item = Point>"},
         "error": None, "class": None, "kind": "function", "stream": True},
    ],
    "types": [
        {"name": "Point", "doc": None, "kind": "struct", "fields": [
            {"name": "x", "type": "f64", "optional": False}, {"name": "y", "type": "f64", "optional": False}]},
    ],
    "classes": [
        {"id": 0, "name": "Numbers", "doc": None, "constructor": 0, "methods": [1], "statics": [],
         "protocols": ["iter"]},
        {"id": 1, "name": "Route", "doc": None, "constructor": 2, "methods": [3], "statics": [],
         "protocols": ["iter"]},
        {"id": 2, "name": "Shelf", "doc": None, "constructor": None, "methods": [5, 6], "statics": [4],
         "protocols": ["iter"]},
        {"id": 3, "name": "Opaque", "doc": None, "constructor": 7, "methods": [8], "statics": [],
         "protocols": ["iter"]},
    ],
}  # fmt: skip

# Each wrong script's error is on its line 3.
WRONG = [
    "misspelt.py",
    "wrong_argument.py",
    "wrong_result.py",
    "wrong_method.py",
    "wrong_variant.py",
    "wrong_error_field.py",
    "wrong_tuple_field.py",
    "wrong_await.py",
    "wrong_stream.py",
    "wrong_iter_item.py",
    "wrong_iter_record.py",
    "wrong_iter_object.py",
]


@pytest.fixture(scope="module")
def packages(tmp_path_factory: pytest.TempPathFactory, geometry_file: Path, fixture_file: Path) -> Path:
    root = tmp_path_factory.mktemp("typed")
    for package, library in (("geometry", geometry_file), ("fixture", fixture_file)):
        directory = root / package
        written = write_stubs(ferryman.load(library).describe(), package, directory)
        assert written == [directory / "__init__.pyi", directory / "py.typed"]
        (directory / "__init__.py").write_text(INIT.format(path=str(library)))
    write_stubs(EDGE_CASES, "edge", root / "edge")
    write_stubs(ITERABLES, "iterables", root / "iterables")
    for name, text in SCRIPTS.items():
        (root / name).write_text(textwrap.dedent(text))
    return root


def errors_by_file(output: str) -> dict[str, list[int]]:
    """``{"wrong_result.py": [3]}`` from mypy's or pyright's report."""
    found: dict[str, list[int]] = {}
    for match in re.finditer(r"([\w.]+\.pyi?):(\d+)(?::\d+)?(?::| -) error", output):
        found.setdefault(Path(match.group(1)).name, []).append(int(match.group(2)))
    return found


def check(packages: Path, found: dict[str, list[int]], output: str) -> None:
    assert "geometry_ok.py" not in found and "fixture_ok.py" not in found, output
    assert "fixture_async_ok.py" not in found and "iterables_ok.py" not in found, output
    assert "__init__.pyi" not in found, output
    for name in WRONG:
        assert found.get(name) == [3], f"{name}: {output}"


def test_mypy_strict_accepts_correct_code_and_reports_mistakes(packages: Path) -> None:
    run = subprocess.run(
        [sys.executable, "-m", "mypy", "--strict", "--no-incremental", "--cache-dir", os.devnull,
         "geometry", "fixture", "edge", "iterables", *SCRIPTS],
        cwd=packages, capture_output=True, text=True, timeout=600,
    )  # fmt: skip
    if run.returncode != 0 and "No module named mypy" in run.stderr:
        if REQUIRED:
            pytest.fail("mypy is not installed (scripts/requirements.txt)")
        pytest.skip("mypy is not installed (scripts/requirements.txt)")
    output = run.stdout + run.stderr
    check(packages, errors_by_file(output), output)
    assert 'Module has no attribute "aera"' in output
    assert 'Argument 2 to "translate" has incompatible type "str"; expected "float"' in output
    assert 'Incompatible types in assignment (expression has type "float", variable has type "str")' in output
    assert 'wrong_tuple_field.py:3: error: Incompatible types in assignment (expression has type "int"' in output


def test_pyright_accepts_correct_code_and_reports_mistakes(packages: Path) -> None:
    if not PYRIGHT.exists():
        if REQUIRED:
            pytest.fail(f"{PYRIGHT} is missing: scripts/venv.sh installs it with npm")
        pytest.skip("pyright is not installed (scripts/venv.sh installs it with npm)")
    run = subprocess.run(
        [str(PYRIGHT), "--pythonpath", sys.executable, "geometry", "fixture", "edge", "iterables", *SCRIPTS],
        cwd=packages, capture_output=True, text=True, timeout=600,
    )  # fmt: skip
    output = run.stdout + run.stderr
    check(packages, errors_by_file(output), output)
    assert '"aera" is not a known attribute of module "geometry"' in output
    assert run.returncode == 1


@pytest.mark.parametrize("script", ["geometry_ok.py", "fixture_ok.py", "fixture_async_ok.py"])
def test_the_correct_scripts_run(packages: Path, script: str) -> None:
    """What the stubs promise is there at run time: names, classes, keywords."""
    run = subprocess.run([sys.executable, script], cwd=packages, capture_output=True, text=True, timeout=120)
    assert run.returncode == 0, run.stderr


def test_the_stub_declares_what_the_package_exports(geometry_file: Path, fixture_file: Path) -> None:
    library = ferryman.load(geometry_file)
    bound = library.exports()
    assert bound["area"] is library.area and bound["Polygon"] is library.Polygon
    assert bound["GeometryError"] is library.errors.GeometryError and bound["Point"] is library.types.Point
    geometry = library.describe()
    assert set(bound) == set(exports(geometry))
    assert exports(geometry) == {
        "area": ("function", "area"),
        "centroid": ("function", "centroid"),
        "parse_polygon": ("function", "parse_polygon"),
        "perimeter": ("function", "perimeter"),
        "scaler": ("function", "scaler"),
        "transform": ("function", "transform"),
        "translate": ("function", "translate"),
        "vertex": ("function", "vertex"),
        "Polygon": ("class", "Polygon"),
        "Polyline": ("class", "Polyline"),
        "GeometryError": ("error", "geometry::GeometryError"),
        "CallbackError": ("error", "ferryman_runtime::callback::error::CallbackError"),
        "Point": ("type", "Point"),
    }
    fixture = ferryman.load(fixture_file).describe()
    stub = render_stubs(fixture, "fixture")
    assert render_stubs(fixture, "fixture") == stub, "the same describe gives the same stub"
    # Records, enums, newtypes, tuples; defaults; objects; iterators; callbacks.
    assert "class Point(_t.TypedDict):\n    x: float\n    y: float\n" in stub
    assert "    verbose: _te.NotRequired[bool]\n    label: _te.NotRequired[str | None]\n" in stub
    assert "Shape: _te.TypeAlias = _t.Literal['Empty'] | _Shape_Circle | _Shape_Square\n" in stub
    assert "class _Shape_Circle(_t.TypedDict):\n    Circle: _Shape_Circle_content\n" in stub
    assert "Meters = _t.NewType('Meters', float)\n" in stub
    assert "Pair: _te.TypeAlias = tuple[int, str]\n" in stub
    assert "def join_top(words: list[str], top: int = 10, sep: str = ',') -> str:" in stub
    assert "class Counter(_ferryman.RustObject):" in stub
    assert "    def __init__(self, name: str, start: int) -> None:" in stub
    assert "    @staticmethod\n    def named(name: str) -> Counter:" in stub
    assert "    def words(self) -> _abc.Iterator[str]:" in stub
    assert "def adder(n: int) -> _abc.Callable[[int], int]:" in stub
    assert "def maybe_counter(make: bool) -> Counter | None:" in stub
    # No described entry: any value.
    assert "def summarize(events: list[Event], floor: _t.Any) -> _t.Any:" in stub
    assert "class MathError(_ferryman.RustError):" in stub
    # Errors described with their fields (describe's `error.type`).
    assert (
        "class _RatioError_not_finite(RatioError):\n"
        '    """The variant `not_finite` of RatioError."""\n'
        "    fields: _RatioError_not_finite_fields  # type: ignore[assignment, unused-ignore]\n"
        "    numerator: float\n"
        "    denominator: float\n\n"
    ) in stub, "`hint` may be missing: no attribute"
    assert (
        "class _RatioError_bad_text_fields(_ferryman.ErrorFields):\n"
        "    @_t.overload\n"
        "    def __getitem__(self, key: _t.Literal['0', 0]) -> str: ...\n"
        "    @_t.overload\n"
        "    def __getitem__(self, key: _t.Literal['1', 1]) -> int: ...\n"
        "    @_t.overload\n"
        "    def __getitem__(self, key: str) -> _t.Any: ...\n"
    ) in stub
    assert "    low: float\n    high: float\n" in stub, "a newtype variant holding a record: its fields"
    assert "    kind: str  # type: ignore[assignment, unused-ignore]\n    index: int\n" in stub
    assert "    userName: str\n    maxItems: int\n" in stub


def test_awkward_names_get_valid_stubs() -> None:
    """(mypy and pyright check this stub too, as package ``edge``.)"""
    stub = render_stubs(EDGE_CASES, "edge")
    # A function named like a type: the function keeps the name.
    assert exports(EDGE_CASES)["Tree"] == ("function", "Tree")
    assert "def Tree(t: _Tree_) -> _Tree_:" in stub
    assert "    children: _te.NotRequired[list[_Tree_]]" in stub
    assert "Keyword = _t.TypedDict('Keyword', {'class': str, 'from': _te.NotRequired[_b.int | None]})" in stub
    assert "_Odd_None = _t.TypedDict('_Odd_None', {'None': _b.int})" in stub
    assert "def odd(*args: _t.Any, **kwargs: _t.Any) -> Odd: ..." in stub
    assert "def weird(blob: bytes = ..., ratio: float = ...) -> tuple[()]: ..." in stub
    assert "    __hash__: _t.ClassVar[None]  # type: ignore[assignment]" in stub
    assert '        """Quotes "inside" and a trailing quote\\""""' in stub
    # An error's fields: attributes where the run time makes them (the user's
    # `function` and `index` win; `class`, `args` and `fields` are read from
    # `e.fields`), all typed by key there; an enum newtype's fields vary.
    assert (
        "class _Oops_Bad(Oops):\n"
        '    """The variant `Bad` of Oops."""\n'
        "    fields: _Oops_Bad_fields  # type: ignore[assignment, unused-ignore]\n"
        "    function: _b.int  # type: ignore[assignment, unused-ignore]\n"
        "    index: _b.str\n"
        "    str: _b.int\n"
        "    then: _b.str\n\n"
    ) in stub
    assert "    def __getitem__(self, key: _t.Literal['class']) -> str: ..." in stub
    assert "    def __getitem__(self, key: _t.Literal['maybe']) -> _b.int: ..." in stub
    assert 'class _Oops_Worse(Oops):\n    """The variant `Worse` of Oops."""\n\n' in stub


def test_a_name_that_hides_a_builtin_is_spelled_through_builtins() -> None:
    description = {
        "library": "shadow",
        "functions": [
            {"id": 0, "name": "int", "doc": "", "params": [{"name": "x", "type": "i64", "rust": "i64"}],
             "returns": {"type": {"list": "str"}, "rust": "Vec<String>"}, "error": None,
             "class": None, "kind": "function"},
        ],
        "types": [],
        "classes": [],
    }  # fmt: skip
    stub = render_stubs(description, "shadow")
    assert "def int(x: _b.int) -> list[str]: ..." in stub


def test_an_iterable_class_iterates_the_item_type_describe_gives() -> None:
    """(mypy and pyright check this stub too, as package ``iterables``.)"""
    stub = render_stubs(ITERABLES, "iterables")
    assert "class Numbers(_ferryman.RustObject):\n    def __init__(self, n: int) -> None: ...\n" in stub
    assert "    def __iter__(self) -> _abc.Iterator[int]: ..." in stub
    assert "    def __iter__(self) -> _abc.Iterator[Point]: ..." in stub
    assert "    def __iter__(self) -> _abc.Iterator[Numbers]: ..." in stub
    assert "    def pairs(self) -> _abc.Iterator[tuple[str, float | None]]: ..." in stub
    assert "def ticks(n: int) -> _abc.AsyncIterator[Point]: ..." in stub
    # No type describe knows (the `IntoIterator` projection): any value.
    assert "class Opaque(_ferryman.RustObject):\n    def __init__(self) -> None: ...\n" in stub
    assert "    def __iter__(self) -> _abc.Iterator[_t.Any]: ..." in stub
