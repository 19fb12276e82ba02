"""The ``ferryman`` command (also ``python -m ferryman``)."""

from __future__ import annotations

import argparse
import json
import os
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

__all__ = ["main"]


def _describe(args: argparse.Namespace) -> int:
    from ._describe_text import describe_text
    from ._library import load

    description = load(args.library).describe()
    if args.json:
        print(json.dumps(description, indent=2, default=_jsonable))
    else:
        sys.stdout.write(describe_text(description))
    return 0


def _stubs(args: argparse.Namespace) -> int:
    from ._generated_package import stub_files
    from ._library import load

    lib = load(args.library)
    if args.lang == "ts":
        from ._stubs_ts import write_ts

        print(write_ts(lib.describe(), Path(args.output)))
        return 0
    package = args.package or lib.name.replace("-", "_")
    out = Path(args.output)
    out.mkdir(parents=True, exist_ok=True)
    for name, data in stub_files(lib.describe(), package).items():
        path = out / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)
        print(path)
    return 0


def _build(args: argparse.Namespace) -> int:
    from ._build import build_sdist, build_wheel
    from ._cargo import RELEASE_DEBUG

    out = Path(args.output)
    # Without line tables, panic and error frames name no file and line.
    setting = os.environ.get("CARGO_PROFILE_RELEASE_DEBUG", RELEASE_DEBUG)
    print(f"ferryman build: cargo build --release with CARGO_PROFILE_RELEASE_DEBUG={setting}", file=sys.stderr)
    print(build_wheel(Path(args.crate), out))
    if args.sdist:
        print(build_sdist(Path(args.crate), out))
    return 0


def _call(args: argparse.Namespace) -> int:
    from ._library import load

    lib = load(args.library)
    values: list[Any] = []
    for index, text in enumerate(args.args):
        try:
            values.append(json.loads(text))
        except json.JSONDecodeError as e:
            print(f"ferryman call: argument {index + 1} ({text!r}) is not JSON: {e}", file=sys.stderr)
            return 2
    result = lib[args.function](*values)
    print(json.dumps(result, default=_jsonable))
    return 0


def _check(args: argparse.Namespace) -> int:
    from ._compat import compare_libraries
    from ._library import load

    reports = compare_libraries(load(args.old).describe(), load(args.new).describe())
    broken = 0
    for report in reports:
        if report.status == "unchanged":
            continue
        print(f"{report.status:12} {report.name}")
        for problem in report.problems:
            print(f"    ✗ {problem}")
        for note in report.notes:
            print(f"    ✓ {note}")
        broken += report.status in ("incompatible", "removed")
    unchanged = sum(r.status == "unchanged" for r in reports)
    print(
        f"{len(reports)} functions: {unchanged} unchanged, {broken} incompatible"
        + (" — old callers break" if broken else " — compatible")
    )
    return 1 if broken else 0


def _jsonable(value: Any) -> Any:
    if isinstance(value, bytes | bytearray | memoryview):
        return bytes(value).hex()
    if isinstance(value, Path):
        return str(value)
    return repr(value)


def parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="ferryman", description="Inspect, call, check and package ferryman libraries.")
    sub = p.add_subparsers(dest="command", required=True)

    d = sub.add_parser("describe", help="list a library's functions, classes, errors and types")
    d.add_argument("library", help="path of the cdylib (.so/.dylib/.dll)")
    d.add_argument("--json", action="store_true", help="the describe map as JSON")
    d.set_defaults(run=_describe)

    s = sub.add_parser(
        "stubs",
        help="write .pyi stubs (or, with --lang ts, a .d.ts for the Node host) for a library",
        description="Write type stubs for a library from its describe map: a generated package's .pyi "
        "(--lang py), or <library>.d.ts declaring interface <Name>Library extends ferryman.Library for "
        "the Node host (--lang ts: const lib = ferryman.load<<Name>Library>(path)).",
    )
    s.add_argument("library")
    s.add_argument("-o", "--output", required=True, help="directory to write the stubs into")
    s.add_argument("--lang", choices=("py", "ts"), default="py", help="py: .pyi stubs (default); ts: a .d.ts")
    s.add_argument("--package", help="the Python package name (default: the library's name; --lang py only)")
    s.set_defaults(run=_stubs)

    b = sub.add_parser("build", help="build a crate in release into a wheel (py3-none-<platform>)")
    b.add_argument("crate", help="the crate's directory (with Cargo.toml)")
    b.add_argument("-o", "--output", default="dist", help="directory for the wheel (default: dist)")
    b.add_argument("--sdist", action="store_true", help="also write an sdist")
    b.set_defaults(run=_build)

    c = sub.add_parser("call", help="call one function with JSON arguments")
    c.add_argument("library")
    c.add_argument("function")
    c.add_argument("args", nargs="*", help="one JSON value per argument")
    c.set_defaults(run=_call)

    k = sub.add_parser("check", help="per-function compatibility of a new build with an old one")
    k.add_argument("old")
    k.add_argument("new")
    k.set_defaults(run=_check)
    return p


def main(argv: Sequence[str] | None = None) -> int:
    args = parser().parse_args(argv)
    from ._cargo import BuildError
    from ._errors import FerrymanError

    try:
        return int(args.run(args))
    except (FerrymanError, BuildError) as e:
        print(f"ferryman {args.command}: {type(e).__qualname__}: {e}", file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main())
