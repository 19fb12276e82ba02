"""The crate side of ``ferryman build``: what Cargo says about a crate, and its
cdylib built in release."""

from __future__ import annotations

import json
import os
import subprocess
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

__all__ = ["BuildError", "Crate", "build_cdylib", "read_crate"]

# Panic and error frames name file and line only with line tables; release
# builds have none by default. ``ferryman build`` sets this (the README says so).
RELEASE_DEBUG = "line-tables-only"


class BuildError(Exception):
    """A crate that cannot be built or packaged, and why."""


@dataclass
class Crate:
    """The package facts of a crate, from ``cargo metadata``."""

    name: str
    version: str
    description: str | None
    lib_name: str
    manifest: Path
    target_directory: Path
    license: str | None = None
    metadata: dict[str, Any] = field(default_factory=dict)  # [package.metadata.ferryman]


def _cargo() -> str:
    return os.environ.get("CARGO", "cargo")


def read_crate(crate_dir: Path) -> Crate:
    """The crate at ``crate_dir`` (a directory with a Cargo.toml, or the file)."""
    manifest = crate_dir if crate_dir.name == "Cargo.toml" else crate_dir / "Cargo.toml"
    if not manifest.is_file():
        raise BuildError(f"{crate_dir} has no Cargo.toml")
    manifest = manifest.resolve()
    command = [_cargo(), "metadata", "--no-deps", "--format-version", "1", "--manifest-path", str(manifest)]
    try:
        out = subprocess.run(command, check=True, capture_output=True, text=True).stdout
    except FileNotFoundError as e:
        raise BuildError("cargo is not on PATH: install Rust (https://rustup.rs)") from e
    except subprocess.CalledProcessError as e:
        raise BuildError(f"cargo metadata failed for {manifest}:\n{e.stderr}") from e
    meta = json.loads(out)
    package = next((p for p in meta["packages"] if Path(p["manifest_path"]).resolve() == manifest), None)
    if package is None:
        raise BuildError(f"{manifest} is a workspace manifest; give the directory of the library crate")
    lib = next((t for t in package["targets"] if "cdylib" in t["crate_types"]), None)
    if lib is None:
        raise BuildError(
            f'crate {package["name"]!r} does not build a cdylib: add\n[lib]\ncrate-type = ["cdylib"]\nto {manifest}'
        )
    metadata = (package.get("metadata") or {}).get("ferryman") or {}
    return Crate(
        name=package["name"],
        version=package["version"],
        description=package.get("description"),
        lib_name=lib["name"],
        manifest=manifest,
        target_directory=Path(meta["target_directory"]),
        license=package.get("license"),
        metadata=dict(metadata),
    )


def build_cdylib(crate: Crate, *, quiet: bool = False) -> Path:
    """Builds the crate's library in release; returns the cdylib's path."""
    command = [
        _cargo(),
        "build",
        "--release",
        "--lib",
        "--manifest-path",
        str(crate.manifest),
        "--message-format=json-render-diagnostics",
    ]
    if quiet:
        command.append("--quiet")
    env = dict(os.environ)
    env.setdefault("CARGO_PROFILE_RELEASE_DEBUG", RELEASE_DEBUG)
    process = subprocess.run(command, env=env, stdout=subprocess.PIPE, text=True)
    if process.returncode != 0:
        raise BuildError(f"cargo build failed for {crate.manifest} (exit status {process.returncode})")
    cdylib: Path | None = None
    for line in process.stdout.splitlines():
        if not line.startswith("{"):
            continue
        message = json.loads(line)
        target = message.get("target") or {}
        if (
            message.get("reason") == "compiler-artifact"
            and "cdylib" in target.get("crate_types", [])
            and target.get("name") == crate.lib_name
        ):
            for filename in message.get("filenames", []):
                if filename.endswith((".so", ".dylib", ".dll")):
                    cdylib = Path(filename)
    if cdylib is None:
        raise BuildError(f"cargo built {crate.name} but reported no cdylib")
    return cdylib
