"""The platform tag of a wheel that holds a cdylib.

On Linux the tag says which glibc (manylinux) the library needs, and
``auditwheel show --json`` decides it, by the rules PyPI applies: the symbol
versions the library uses (``GLIBC_2.x``) and the shared libraries it links,
which must be on the manylinux policy's list. The wheel is written once with
the plain ``linux_<arch>`` tag, shown to auditwheel, and written again with the
tag it gives. Without auditwheel the plain tag stays, which installs on this
machine but which PyPI refuses. Elsewhere the tag is the interpreter's platform.
"""

from __future__ import annotations

import json
import subprocess
import sys
import sysconfig
import warnings
from pathlib import Path

__all__ = ["auditwheel_tag", "plain_platform_tag"]

# PEP 600 tags and the legacy names pip < 20.3 knows them by.
_LEGACY = {"2_5": "manylinux1", "2_12": "manylinux2010", "2_17": "manylinux2014"}


def plain_platform_tag() -> str:
    """``linux_x86_64``, ``macosx_11_0_arm64``, ``win_amd64``: this interpreter's platform."""
    return sysconfig.get_platform().replace("-", "_").replace(".", "_")


def auditwheel_tag(wheel: Path) -> str | None:
    """The manylinux/musllinux tag (with its legacy alias) of a Linux wheel,
    or None off Linux, without auditwheel, or when no policy fits."""
    if not sys.platform.startswith("linux"):
        return None
    command = [sys.executable, "-m", "auditwheel", "show", "--json", str(wheel)]
    process = subprocess.run(command, capture_output=True, text=True)
    if process.returncode != 0 and "No module named auditwheel" in process.stderr:
        warnings.warn(
            "auditwheel is not installed (pip install 'ferryman[build]'): the wheel keeps the "
            "plain linux tag, which installs here but not on PyPI",
            stacklevel=2,
        )
        return None
    try:
        shown = json.loads(process.stdout)
    except json.JSONDecodeError:
        warnings.warn(f"auditwheel show failed: {process.stderr.strip()}", stacklevel=2)
        return None
    tag = shown.get("overall_tag")
    if not isinstance(tag, str) or not tag.startswith(("manylinux", "musllinux")):
        warnings.warn(f"auditwheel: no manylinux policy fits {wheel.name}: {shown}", stacklevel=2)
        return None
    family, major, minor, arch = tag.split("_", 3)
    legacy = _LEGACY.get(f"{major}_{minor}") if family == "manylinux" else None
    return f"{tag}.{legacy}_{arch}" if legacy else tag
