"""The TypeScript declarations of a library (``ferryman stubs --lang ts``,
``ferryman._stubs_ts``): what the fixture's ``.d.ts`` says, names that need
care, and ``tsc --noEmit`` over typed scripts (``scripts/ts_check.sh``)."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

import ferryman
from ferryman._stubs_ts import interface_name, render_ts

from conftest import REPO

# scripts/test.sh sets this: there the tsc check must run.
REQUIRED = os.environ.get("FERRYMAN_REQUIRE_TYPECHECKERS") == "1"
TYPECHECK = REPO / "tests" / "node" / "typecheck"


@pytest.fixture(scope="module")
def fixture_ts(fixture_file: Path) -> str:
    return render_ts(ferryman.load(fixture_file).describe())


@pytest.mark.parametrize(
    "snippet",
    [
        'import type * as ferryman from "ferryman";',
        "export interface FerrymanFixtureLibrary extends ferryman.Library {",
        # Integers: bigint accepted everywhere, a 64-bit result may be one.
        "  add(a: number | bigint, b: number | bigint): number | bigint;",
        "  echo_i32(value: number | bigint): number;",
        # Bytes, lists, tuples, maps, options.
        "  echo_bytes(data: Buffer | Uint8Array): Buffer;",
        "  echo_strings(values: ReadonlyArray<string>): Array<string>;",
        "  echo_tuple(value: readonly [number | bigint, string, boolean]): [number, string, boolean];",
        "  echo_map(map: Record<string, number | bigint> | ReadonlyMap<string, number | bigint>):"
        " Record<string, number | bigint>;",
        "  echo_int_keys(map: ReadonlyMap<number | bigint, string>): Map<number | bigint, string>;",
        "  echo_option(value?: number | bigint | null | undefined): number | bigint | null;",
        "  nothing(): void;",
        # Defaults: optional, with @default in the JSDoc.
        "  join_top(words: ReadonlyArray<string>, top?: number | bigint, sep?: string): string;",
        "   * @param top - optional, @default 10",
        '   * @param sep - optional, @default ","',
        # Callbacks in, closures out.
        "  apply(f: ((arg0: number | bigint) => number | bigint), x: number | bigint): number | bigint;",
        "  joiner(separator: string): ((arg0: string, arg1: string) => string);",
        "  for_each_value(values: ReadonlyArray<number | bigint>, f: ((arg0: number | bigint) => void)):"
        " number | bigint;",
        "  count_up(n: number | bigint): IterableIterator<number | bigint>;",
        # Times: sent in their wire form (an instant also as a Date), and
        # results in it too (the host converts them: times.js).
        "  echo_system_time(at: string | Date): string;",
        "  scale_duration(d: [number, number], k: number | bigint): ferryman.Duration;",
        "  next_day(day: string): string | null;",
        # Async functions and streams.
        "  async_sleep(ms: number | bigint, value: string, signal?: AbortSignal): Promise<string>;",
        "  async_drops(): number | bigint;",
        "   * @throws {AsyncError} (the Promise rejects) when the Rust function returns `Err`",
        "  add_later(ms: number | bigint, n: number | bigint, signal?: AbortSignal): Promise<number | bigint>;",
        "  stream_count(n: number | bigint): ferryman.RustStream<number | bigint>;",
        "   * @throws {BadItem} (at that item) when the stream yields `Err`",
        # Docs and errors.
        "  /** Adds two numbers. */",
        "   * @throws {MathError} when the Rust function returns `Err`",
        # Records and enums in the wire's form.
        "export interface Point {\n  x: number;\n  y: number;\n}",
        'export type Shape =\n  | "Empty"\n  | { Circle: { center: Point; radius: number; } }\n  | { Square: number };',
        "export type Meters = number;",
        "export type Pair = [number, string];",
        "export type Marker = [];",
        "  children: Array<Tree>;",
        "  checksum?: Uint8Array | null;",
        # Classes.
        "export declare class Counter {\n  /** Makes a counter. */\n"
        "  constructor(name: string, start: number | bigint);",
        "  static named(name: string): Counter;",
        "  toString(): string;",
        "  equals(other: Counter): boolean;",
        "  compareTo(other: Counter): number | null;",
        "  [Symbol.dispose](): void;",
        "  close(): void;",
        "  words(): IterableIterator<string>;",
        "  readonly Counter: typeof Counter;",
        # Errors.
        "export declare class MathError extends ferryman.RustError {\n}",
        '  readonly errors: ferryman.Library["errors"] & {\n    readonly CounterError: typeof CounterError;',
        "    readonly std_io_error_Error: typeof std_io_error_Error;",
        '  readonly variant: "not_finite" | "bad_text" | "out_of_bounds";',
        "  readonly fields: { readonly numerator: number; readonly denominator: number;"
        ' readonly hint?: string | null } | { readonly "0": string; readonly "1": number }'
        " | { readonly low: number; readonly high: number };",
        "  readonly fields: { readonly userName: string; readonly maxItems: number };\n"
        "  readonly userName: string;\n  readonly maxItems: number;\n}",
        # A field named like one of the error's own keys stays in `fields` only.
        "  readonly fields: { readonly kind: string; readonly index: number; readonly function: string };\n"
        "  readonly index: number;\n}",
    ],
)
def test_the_fixture_declarations_say(fixture_ts: str, snippet: str) -> None:
    assert snippet in fixture_ts


def test_names_that_would_clash_get_another(fixture_ts: str) -> None:
    # `Record` would hide TypeScript's own; an error type's shape is named after the class.
    assert "export interface RecordType {" in fixture_ts
    assert "export type RatioErrorType =" in fixture_ts
    assert "export declare class RatioError extends ferryman.RustError {" in fixture_ts
    assert "export interface Record " not in fixture_ts


def test_the_same_describe_gives_the_same_declarations(fixture_file: Path, fixture_ts: str) -> None:
    assert render_ts(ferryman.load(fixture_file).describe()) == fixture_ts


EDGE_CASES: dict[str, Any] = {
    "library": "9-lives.kit",
    "functions": [
        {"id": 0, "name": "describe", "doc": "", "params": [], "returns": {"type": "str"}, "error": None},
        {
            "id": 1,
            "name": "odd-name",
            "doc": "Ends a comment */ early.",
            "params": [
                {"name": "default", "type": "i64"},
                {"name": "in", "type": "str", "default": None},
                {"name": "x", "type": {"option": "i64"}, "default": None},
            ],
            "returns": {"type": {"named": "Undescribed"}},
            "error": None,
        },
    ],
    "types": [{"name": "Map", "doc": None, "kind": "struct", "fields": [{"name": "a-b", "type": "u8"}]}],
    "classes": [{"id": 0, "name": "Thing", "doc": "", "constructor": None, "methods": [], "statics": [2, 3]}],
}
EDGE_CASES["functions"] += [
    {"id": 2, "name": "Thing.name", "class": "Thing", "kind": "static", "params": [], "returns": {"type": "str"}},
    {"id": 3, "name": "Thing.make", "class": "Thing", "kind": "static", "params": [], "returns": {"type": "str"}},
]


def test_awkward_names_get_valid_declarations() -> None:
    text = render_ts(EDGE_CASES)
    assert interface_name(EDGE_CASES) == "_9LivesKitLibrary"
    assert "export interface _9LivesKitLibrary extends ferryman.Library {" in text
    assert "  // describe: hidden by ferryman.Library's own member" in text
    assert (
        '  "odd-name"(_default: number | bigint, _in?: string, x?: number | bigint | null | undefined): unknown;'
        in text
    )
    assert "Ends a comment *\\/ early." in text
    assert 'export interface MapType {\n  "a-b": number;\n}' in text
    # A class without a constructor cannot be made with `new`; a static `name` is Function's.
    assert "export declare class Thing {\n  private constructor();\n  // static name:" in text
    assert "  static make(): string;" in text


def test_the_cli_writes_a_d_ts(fixture_file: Path, tmp_path: Path) -> None:
    run = subprocess.run(
        [sys.executable, "-m", "ferryman", "stubs", "--lang", "ts", str(fixture_file), "-o", str(tmp_path)],
        capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    assert run.returncode == 0, run.stderr
    written = tmp_path / "ferryman_fixture.d.ts"
    assert run.stdout.strip() == str(written)
    assert written.read_text() == render_ts(ferryman.load(fixture_file).describe())
    usage = subprocess.run([sys.executable, "-m", "ferryman", "stubs", "--help"], capture_output=True, text=True)
    assert "--lang {py,ts}" in usage.stdout and ".d.ts" in usage.stdout


def test_tsc_accepts_correct_code_and_reports_mistakes(fixture_file: Path) -> None:
    """scripts/ts_check.sh: typed.ts checks clean and runs through the Node
    host, every `@ts-expect-error` of wrong.ts is an error; a mistake
    without one fails the check; the awkward names' declarations check."""
    installed = (TYPECHECK / "node_modules" / ".bin" / "tsc").exists()
    addon = (REPO / "bindings" / "node" / "ferryman.node").exists()
    if not REQUIRED and not (installed and addon and shutil.which("node")):
        pytest.skip("TypeScript or the Node addon is missing (scripts/ts_check.sh installs and builds them)")
    env = {**os.environ, "FERRYMAN_FIXTURE": str(fixture_file), "PY": sys.executable}
    run = subprocess.run(
        ["bash", str(REPO / "scripts" / "ts_check.sh")], env=env, capture_output=True, text=True, timeout=600
    )
    assert run.returncode == 0, run.stdout + run.stderr
    assert "typed.ts and wrong.ts check as expected" in run.stdout
    assert "typed.ts ran: " in run.stdout
    generated = TYPECHECK / "generated"
    (generated / "mistake.ts").write_text(
        'import * as ferryman from "ferryman";\n'
        'import type { FerrymanFixtureLibrary } from "./ferryman_fixture";\n'
        'const lib = ferryman.load<FerrymanFixtureLibrary>("x");\n'
        'lib.echo_point({ x: 1, y: "2" });\n'
    )
    (generated / "tsconfig.json").write_text(
        '{"extends": "../tsconfig.json", "files": ["ferryman_fixture.d.ts", "mistake.ts"]}\n'
    )
    tsc = subprocess.run(
        [str(TYPECHECK / "node_modules" / ".bin" / "tsc"), "--noEmit", "-p", str(generated / "tsconfig.json")],
        capture_output=True, text=True, timeout=300,
    )  # fmt: skip
    assert tsc.returncode != 0
    assert "mistake.ts(4," in tsc.stdout and "Type 'string' is not assignable to type 'number'" in tsc.stdout
    # The awkward names make valid declarations too.
    (generated / "edge.d.ts").write_text(render_ts(EDGE_CASES))
    (generated / "tsconfig.json").write_text('{"extends": "../tsconfig.json", "files": ["edge.d.ts"]}\n')
    edge = subprocess.run(
        [str(TYPECHECK / "node_modules" / ".bin" / "tsc"), "--noEmit", "-p", str(generated / "tsconfig.json")],
        capture_output=True, text=True, timeout=300,
    )  # fmt: skip
    assert edge.returncode == 0, edge.stdout
