"""The Python binding's Rust modules are layered, with no import cycle
(`scripts/check_binding_layers.py`, ARCHITECTURE.md "The Python binding")."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path
from types import ModuleType

import pytest

SCRIPT = Path(__file__).resolve().parents[2] / "scripts" / "check_binding_layers.py"


@pytest.fixture(scope="module")
def checker() -> ModuleType:
    spec = importlib.util.spec_from_file_location("check_binding_layers", SCRIPT)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


def write(src: Path, files: dict[str, str]) -> Path:
    for name, text in files.items():
        path = src / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)
    return src


LAYERS = ("low", "high")


def test_the_binding_has_no_layer_violation_and_no_cycle(checker: ModuleType) -> None:
    assert checker.check() == []
    # Every directory of the binding is a declared layer, in ARCHITECTURE.md too.
    src = checker.DEFAULT_SRC
    assert sorted(p.name for p in src.iterdir() if p.is_dir()) == sorted(checker.LAYERS)
    architecture = (checker.ROOT / "ARCHITECTURE.md").read_text()
    assert " → ".join(f"`{layer}/`" for layer in checker.LAYERS) in architecture


def test_an_upward_use_is_refused(checker: ModuleType, tmp_path: Path) -> None:
    src = write(
        tmp_path,
        {
            "lib.rs": "mod low; mod high;",
            "low/mod.rs": "pub(crate) mod a;",
            "low/a.rs": "// crate::high::b in a comment does not count\nuse crate::high::b::B;",
            "high/mod.rs": "pub(crate) mod b;",
            "high/b.rs": "use crate::low::a::A;",
        },
    )
    problems = checker.check(src, LAYERS)
    assert any("low/a (layer low) uses crate::high::b" in problem for problem in problems), problems


def test_a_cycle_inside_a_layer_is_refused(checker: ModuleType, tmp_path: Path) -> None:
    src = write(
        tmp_path,
        {
            "lib.rs": "mod low;",
            "low/mod.rs": "pub(crate) mod a; pub(crate) mod b; pub(crate) mod c;",
            "low/a.rs": "use crate::low::b;",
            "low/b.rs": "fn f() { crate::low::c::g() }",
            "low/c.rs": "use crate::low::{a, b};",
        },
    )
    problems = checker.check(src, LAYERS)
    assert any(problem.startswith("import cycle: low/a → low/b → low/c → low/a") for problem in problems), problems


def test_an_undeclared_directory_is_refused(checker: ModuleType, tmp_path: Path) -> None:
    src = write(tmp_path, {"lib.rs": "mod misc;", "misc/mod.rs": "", "low/mod.rs": ""})
    assert checker.check(src, LAYERS) == [
        "misc/ is not a declared layer (add it to LAYERS in check_binding_layers.py)"
    ]
