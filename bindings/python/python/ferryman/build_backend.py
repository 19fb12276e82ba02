"""A PEP 517 build backend for a crate whose pyproject.toml names it::

    [build-system]
    requires = ["ferryman[build]"]
    build-backend = "ferryman.build_backend"

so that ``pip install ./mycrate`` and ``python -m build`` build it with
``ferryman build``'s rules (:mod:`ferryman._build`). Cargo must be on PATH.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from ._build import build_sdist as _build_sdist
from ._build import build_wheel as _build_wheel

__all__ = ["build_sdist", "build_wheel", "get_requires_for_build_sdist", "get_requires_for_build_wheel"]


def get_requires_for_build_wheel(config_settings: dict[str, Any] | None = None) -> list[str]:
    return []


def get_requires_for_build_sdist(config_settings: dict[str, Any] | None = None) -> list[str]:
    return []


def build_wheel(
    wheel_directory: str, config_settings: dict[str, Any] | None = None, metadata_directory: str | None = None
) -> str:
    return _build_wheel(Path.cwd(), Path(wheel_directory), quiet=True).name


def build_sdist(sdist_directory: str, config_settings: dict[str, Any] | None = None) -> str:
    return _build_sdist(Path.cwd(), Path(sdist_directory)).name
