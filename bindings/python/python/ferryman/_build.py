"""``ferryman build``: a crate → a wheel (and an sdist) of a Python package
that loads it. The PEP 517 backend (:mod:`ferryman.build_backend`) and the CLI
both call :func:`build_wheel` and :func:`build_sdist`.

Names come from Cargo.toml; ``[package.metadata.ferryman]`` (``name``,
``package``, ``version``, ``description``) and then pyproject.toml's
``[project]`` (``name``, ``version``, ``description``) and
``[tool.ferryman]`` (``package``) override them.
"""

from __future__ import annotations

import io
import re
import shutil
import sys
import tarfile
import tempfile
from dataclasses import dataclass
from email.message import Message
from pathlib import Path
from typing import Any

from ._cargo import BuildError, Crate, build_cdylib, read_crate
from ._generated_package import package_files
from ._library import load
from ._platform_tag import auditwheel_tag, plain_platform_tag

__all__ = ["BuildError", "Project", "build_sdist", "build_wheel", "read_project"]

# Directories of a crate that never go into an sdist.
_SKIP = {"target", ".git", "__pycache__", ".venv", "dist", ".pytest_cache"}


@dataclass
class Project:
    """A crate and the Python names it ships under."""

    crate: Crate
    name: str  # the distribution: `pip install <name>`
    package: str  # the import name
    version: str
    description: str | None
    directory: Path


def read_project(crate_dir: Path) -> Project:
    crate = read_crate(crate_dir)
    meta = crate.metadata
    pyproject = _pyproject(crate.manifest.parent)
    project: dict[str, Any] = pyproject.get("project", {})
    tool: dict[str, Any] = pyproject.get("tool", {}).get("ferryman", {})
    name = project.get("name") or meta.get("name") or crate.name
    package = tool.get("package") or meta.get("package") or crate.lib_name.replace("-", "_")
    if not str(package).isidentifier():
        raise BuildError(f"{package!r} is not a Python package name: set package in [package.metadata.ferryman]")
    version = str(project.get("version") or meta.get("version") or crate.version)
    description = project.get("description") or meta.get("description") or crate.description
    return Project(crate, str(name), str(package), _pep440(version), description, crate.manifest.parent)


def build_wheel(crate_dir: Path, out_dir: Path, *, quiet: bool = False) -> Path:
    """Builds the crate in release and writes its wheel into ``out_dir``."""
    # The `build` extra: pip install 'ferryman[build]'.
    from wheel.wheelfile import WheelFile  # type: ignore[import-untyped,unused-ignore]

    project = read_project(crate_dir)
    cdylib = build_cdylib(project.crate, quiet=quiet)
    description = load(cdylib).describe()
    files = {
        f"{project.package}/{path}": data
        for path, data in package_files(description, project.package, cdylib.name).items()
    }
    files[f"{project.package}/{cdylib.name}"] = cdylib.read_bytes()

    out_dir.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as tmp:
        plain = _write_wheel(WheelFile, project, description, files, plain_platform_tag(), Path(tmp))
        tag = auditwheel_tag(plain)
        if tag is None:
            return Path(shutil.copy(plain, out_dir))
    return _write_wheel(WheelFile, project, description, files, tag, out_dir)


def build_sdist(crate_dir: Path, out_dir: Path) -> Path:
    """Writes an sdist: the crate's sources (without target/) and PKG-INFO.

    A crate that inherits from its workspace (``version.workspace = true``,
    ``ferryman.workspace = true``) builds only inside that workspace: give it
    its own values (and a git or registry dependency on ferryman) to ship it.
    """
    project = read_project(crate_dir)
    base = f"{_escape(project.name)}-{project.version}"
    out_dir.mkdir(parents=True, exist_ok=True)
    target = out_dir / f"{base}.tar.gz"
    root = project.directory
    with tarfile.open(target, "w:gz", format=tarfile.PAX_FORMAT) as tar:
        for path in sorted(root.rglob("*")):
            relative = path.relative_to(root)
            if path.is_dir() or _SKIP.intersection(relative.parts) or path.suffix == ".whl":
                continue
            tar.add(path, arcname=f"{base}/{relative.as_posix()}", recursive=False, filter=_normalise)
        metadata = _metadata(project, None).encode()
        info = tarfile.TarInfo(f"{base}/PKG-INFO")
        info.size, info.mode = len(metadata), 0o644
        tar.addfile(info, io.BytesIO(metadata))
    return target


def _normalise(info: tarfile.TarInfo) -> tarfile.TarInfo:
    info.uid = info.gid = 0
    info.uname = info.gname = ""
    return info


def _write_wheel(
    wheel_file: Any, project: Project, description: dict[str, Any], files: dict[str, bytes], tag: str, out: Path
) -> Path:
    path = out / f"{_escape(project.name)}-{project.version}-py3-none-{tag}.whl"
    info = f"{_escape(project.name)}-{project.version}.dist-info"
    wheel_meta = (
        "Wheel-Version: 1.0\n"
        f"Generator: ferryman build {_ferryman_version()}\n"
        "Root-Is-Purelib: false\n" + "".join(f"Tag: py3-none-{t}\n" for t in tag.split("."))
    )
    with wheel_file(path, "w") as wheel:
        for name, data in sorted(files.items()):
            wheel.writestr(name, data)
        wheel.writestr(f"{info}/METADATA", _metadata(project, description.get("ferryman")))
        wheel.writestr(f"{info}/WHEEL", wheel_meta)
    return path


def _metadata(project: Project, ferryman_version: str | None) -> str:
    message = Message()
    message["Metadata-Version"] = "2.1"
    message["Name"] = project.name
    message["Version"] = project.version
    if project.description:
        message["Summary"] = " ".join(project.description.split())
    if project.crate.license:
        message["License"] = project.crate.license
    message["Requires-Python"] = ">=3.10"
    message["Requires-Dist"] = ferryman_requirement(ferryman_version or _ferryman_version())
    return message.as_string()


def ferryman_requirement(version: str) -> str:
    """The ``ferryman`` versions that speak the library's ABI and wire: the
    ones of its release series (``0.1.x`` for a library built with 0.1.3),
    from the one it was built with. ``load`` checks the versions again."""
    parts = [int(p) for p in re.findall(r"\d+", version)[:3]] + [0, 0, 0]
    major, minor, patch = parts[:3]
    upper = f"{major}.{minor + 1}" if major == 0 else f"{major + 1}"
    return f"ferryman>={major}.{minor}.{patch},<{upper}"


def _ferryman_version() -> str:
    from . import __version__

    return __version__


def _escape(name: str) -> str:
    """A distribution name as wheel and sdist file names spell it (PEP 427/625)."""
    return re.sub(r"[-_.]+", "_", name).lower()


def _pep440(version: str) -> str:
    """Cargo's SemVer as PEP 440: ``1.2.3-alpha.1`` → ``1.2.3a1``; the rest unchanged."""
    match = re.fullmatch(r"(\d+\.\d+\.\d+)-(alpha|beta|rc)\.?(\d+)", version)
    if match:
        return f"{match[1]}{ {'alpha': 'a', 'beta': 'b', 'rc': 'rc'}[match[2]] }{match[3]}"
    if not re.fullmatch(r"\d+(\.\d+)*", version):
        raise BuildError(f"version {version!r} has no PEP 440 spelling: set version in [package.metadata.ferryman]")
    return version


def _pyproject(directory: Path) -> dict[str, Any]:
    path = directory / "pyproject.toml"
    if not path.is_file():
        return {}
    if sys.version_info >= (3, 11):
        import tomllib
    else:  # pragma: no cover - 3.10
        import tomli as tomllib  # type: ignore[import-not-found,no-redef,unused-ignore]
    with path.open("rb") as f:
        data: dict[str, Any] = tomllib.load(f)
    return data
