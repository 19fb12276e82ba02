#!/usr/bin/env python3
"""Checks the layers of the Python binding's Rust code (bindings/python/src).

Each directory under src/ is a layer, in the order of LAYERS (lowest first);
lib.rs, the crate root, sits on top. A file may use (`crate::layer::module`)
its own layer and the layers below it, never one above, and the graph of
file-to-file uses must have no cycle, inside a layer as well. Any path through
`crate::` counts, not only `use` lines; comments do not.

Exit status 1, with one line per problem, when the rule is broken.
Usage: check_binding_layers.py [SRC_DIR]
"""

from __future__ import annotations

import re
import sys
from pathlib import Path

# Lowest first; ARCHITECTURE.md ("The Python binding") describes each.
LAYERS = ("ffi", "state", "values", "errors", "calls", "callbacks", "api")

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_SRC = ROOT / "bindings" / "python" / "src"

_COMMENT = re.compile(r"//.*$", re.MULTILINE)
_BLOCK_COMMENT = re.compile(r"/\*.*?\*/", re.DOTALL)
_GROUP = re.compile(r"\bcrate::(\w+)::\{([^}]*)\}")
_PATH = re.compile(r"\bcrate::(\w+)(?:::(\w+))?")
_ROOT_GROUP = re.compile(r"\bcrate::\{")


def module_of(src: Path, file: Path) -> str:
    """`values/encode` for src/values/encode.rs, `values` for its mod.rs, `lib` for lib.rs."""
    relative = file.relative_to(src).with_suffix("")
    parts = relative.parts
    if parts[-1] == "mod":
        parts = parts[:-1]
    return "/".join(parts)


def layer_of(module: str) -> str:
    return module.split("/")[0]


def uses(src: Path, file: Path, known: set[str]) -> tuple[set[str], list[str]]:
    """The modules `file` refers to through `crate::`, and problems found."""
    code = _COMMENT.sub("", _BLOCK_COMMENT.sub("", file.read_text(encoding="utf-8")))
    problems = []
    if _ROOT_GROUP.search(code):
        problems.append(f"{file.relative_to(src)}: write `crate::layer::…` paths, not `crate::{{…}}`")
    targets: set[str] = set()

    def target(layer: str, name: str | None) -> str:
        if name is not None and f"{layer}/{name}" in known:
            return f"{layer}/{name}"
        return layer

    for layer, items in _GROUP.findall(code):
        for item in items.split(","):
            name = item.strip().split("::")[0].split(" ")[0]
            if name and name != "self":
                targets.add(target(layer, name))
            elif name == "self":
                targets.add(layer)
    for layer, name in _PATH.findall(code):
        targets.add(target(layer, name or None))
    return targets, problems


def find_cycle(graph: dict[str, set[str]]) -> list[str] | None:
    """One cycle of `graph` (its modules in order, the first repeated last), or None."""
    state: dict[str, int] = {}
    stack: list[str] = []

    def visit(node: str) -> list[str] | None:
        state[node] = 1
        stack.append(node)
        for nxt in sorted(graph.get(node, ())):
            if state.get(nxt) == 1:
                return stack[stack.index(nxt) :] + [nxt]
            if nxt not in state:
                found = visit(nxt)
                if found:
                    return found
        stack.pop()
        state[node] = 2
        return None

    for node in sorted(graph):
        if node not in state:
            found = visit(node)
            if found:
                return found
    return None


def check(src: Path = DEFAULT_SRC, layers: tuple[str, ...] = LAYERS) -> list[str]:
    """Every problem with the layering of `src`, as sentences (none: it is fine)."""
    problems: list[str] = []
    files = sorted(src.rglob("*.rs"))
    modules = {module_of(src, file): file for file in files}
    known = set(modules)
    rank = {layer: index for index, layer in enumerate(layers)}
    for directory in sorted(p for p in src.iterdir() if p.is_dir()):
        if directory.name not in rank:
            problems.append(f"{directory.name}/ is not a declared layer (add it to LAYERS in {Path(__file__).name})")
    graph: dict[str, set[str]] = {}
    for module, file in modules.items():
        targets, found = uses(src, file, known)
        problems.extend(found)
        graph[module] = {t for t in targets if t != module}
        if module == "lib":
            continue
        own = layer_of(module)
        for used in sorted(graph[module]):
            other = layer_of(used)
            if other not in rank or own not in rank:
                problems.append(f"{module} uses crate::{used.replace('/', '::')}, which is no layer")
            elif rank[other] > rank[own]:
                problems.append(
                    f"{module} (layer {own}) uses crate::{used.replace('/', '::')}, "
                    f"a higher layer ({other}): layers import only downward"
                )
            elif module == own and other != own:
                problems.append(f"{own}/mod.rs uses crate::{used.replace('/', '::')}: mod.rs only declares")
    # A module's own mod.rs declares it: not a use.
    for module in graph:
        graph[module] = {t for t in graph[module] if t != layer_of(module) or module == "lib"}
    cycle = find_cycle(graph)
    if cycle:
        problems.append("import cycle: " + " → ".join(cycle))
    return problems


def main(argv: list[str]) -> int:
    src = Path(argv[1]) if len(argv) > 1 else DEFAULT_SRC
    problems = check(src)
    for problem in problems:
        print(problem)
    if not problems:
        print(f"binding layers fine: {' → '.join(LAYERS)} → lib.rs, no cycle")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
