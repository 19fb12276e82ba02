# Sourced by the other scripts: makes ./.venv with the Python tools and installs the
# `ferryman` Python package into it (release build of bindings/python).
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
export CARGO_BUILD_JOBS="${CARGO_BUILD_JOBS:-2}"
PY="$ROOT/.venv/bin/python"
if [ ! -x "$PY" ]; then
    echo "==> creating .venv"
    python3 -m venv "$ROOT/.venv"
fi
stamp="$ROOT/.venv/.requirements-installed"
if [ ! -f "$stamp" ] || [ scripts/requirements.txt -nt "$stamp" ]; then
    echo "==> installing Python tools into .venv"
    "$PY" -m pip install --quiet --disable-pip-version-check --upgrade pip
    "$PY" -m pip install --quiet --disable-pip-version-check -r scripts/requirements.txt
    touch "$stamp"
fi
# numpy, optional: tests/python/test_buffers.py sends its arrays when it is
# there and skips those cases when it cannot be installed.
if ! "$PY" -c "import numpy" 2>/dev/null; then
    "$PY" -m pip install --quiet --disable-pip-version-check numpy \
        || echo "==> numpy could not be installed: the numpy tests will skip"
fi
# pyright, for the stubs test (tests/python/test_stubs.py): from npm into
# .venv/node, because the PyPI `pyright` wrapper downloads it on first run.
PYRIGHT_VERSION=1.1.414
if [ ! -x "$ROOT/.venv/node/node_modules/.bin/pyright" ] \
    || ! grep -q "\"version\": \"$PYRIGHT_VERSION\"" "$ROOT/.venv/node/node_modules/pyright/package.json" 2>/dev/null; then
    if command -v npm >/dev/null; then
        echo "==> installing pyright $PYRIGHT_VERSION into .venv/node (npm)"
        mkdir -p "$ROOT/.venv/node"
        (cd "$ROOT/.venv/node" && npm install --no-audit --no-fund --silent "pyright@$PYRIGHT_VERSION")
    else
        echo "==> npm not found: the pyright check of tests/python/test_stubs.py will fail"
    fi
fi
echo "==> building the ferryman Python package (maturin develop --profile wheel)"
PYO3_PYTHON="$PY" "$ROOT/.venv/bin/maturin" develop --profile wheel --quiet -m bindings/python/Cargo.toml
"$PY" -c "import ferryman"
