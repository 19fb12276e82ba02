"""Reading spec/: sections, tables, example blocks and hex dumps, so tests can
compare what the spec shows with what the fixture library does.

Conventions the spec follows in its examples (and this module reads):

- JSON-like values use ``nil`` for null and ``N`` for the number of functions;
- a hex dump line starts with its bytes — two lowercase hex digits each, or
  ``NN`` for a byte of ``N`` (a run of k ``NN`` is N as k bytes, big-endian) —
  and the first word that is neither starts the comment;
- ``...`` where the next byte would be elides bytes (the rest of the line is
  a comment).
"""

from __future__ import annotations

import json
import re
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
SPEC = REPO / "spec"
HEADER = REPO / "bindings" / "c" / "ferryman.h"

_HEX = re.compile(r"^[0-9a-f]{2}$")


def read(name: str) -> str:
    return (SPEC / name).read_text()


def section(text: str, heading: str) -> str:
    """From the heading line ``heading`` to the next heading of its level or higher."""
    start = text.index(f"\n{heading}\n") + 1
    level = heading.split(" ")[0]
    rest = text[start + len(heading) :]
    ends = [m.start() for m in re.finditer(r"\n(#+) ", rest) if len(m.group(1)) <= len(level)]
    return text[start : start + len(heading) + (ends[0] if ends else len(rest))]


def blocks(text: str) -> list[str]:
    """The fenced blocks without a language (```` ``` ````) in ``text``."""
    found: list[str] = []
    language: str | None = None
    lines: list[str] = []
    for line in text.splitlines():
        if line.startswith("```"):
            if language is None:
                language, lines = line[3:].strip(), []
            else:
                if language == "":
                    found.append("\n".join(lines))
                language = None
        elif language is not None:
            lines.append(line)
    return found


def table_rows(text: str) -> list[list[str]]:
    """Cells of every table row, backticks removed, separator rows skipped."""
    rows = []
    for line in text.splitlines():
        line = line.strip()
        if line.startswith("|") and line.endswith("|") and "---" not in line:
            rows.append([cell.strip().replace("`", "") for cell in line.strip("|").split("|")])
    return rows


def json_like(text: str, count: int) -> object:
    """A JSON-like example: ``nil`` is null, ``N`` the number of functions."""
    text = re.sub(r"\bnil\b", "null", text)
    text = re.sub(r"(:\s*)N\b", rf"\g<1>{count}", text)
    return json.loads(text)


def hex_segments(block: str, count: int) -> list[bytes]:
    """The bytes of a hex dump, split where a ``...`` line elides some."""
    segments: list[bytes] = [b""]
    for line in block.splitlines():
        run = 0
        for word in [*line.split(), ""]:
            if word == "NN":
                run += 1
                continue
            if run:
                segments[-1] += count.to_bytes(run, "big")
                run = 0
            if word == "...":
                segments.append(b"")
                break
            if not _HEX.match(word):
                break
            segments[-1] += bytes.fromhex(word)
    return [segment for segment in segments if segment]


def hex_dump(block: str, count: int) -> bytes:
    """The bytes of a dump that elides nothing."""
    segments = hex_segments(block, count)
    assert len(segments) == 1, f"the dump elides bytes: {block[:80]!r}"
    return segments[0]


def header_functions() -> list[str]:
    """The ``ferryman_*`` functions ``ferryman.h`` declares."""
    text = re.sub(r"/\*.*?\*/", " ", HEADER.read_text(), flags=re.S)
    return re.findall(r"^\s*(?:u?int\d+_t|void)\s+(ferryman_\w+)\s*\(", text, flags=re.M)
