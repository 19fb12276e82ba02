#!/usr/bin/env bash
# The one abi3 wheel, built once, under every other CPython >= 3.10 on this
# machine: installs it into a fresh venv per version and runs the Python suite.
# Versions that are not installed are skipped (CI has 3.11; pyenv may add more).
# The suite includes test_packaging.py: the example's wheel installed next to
# this one in a fresh venv of that version.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/venv.sh"

work="$ROOT/target/abi3"
rm -rf "$work/wheel"
PYO3_PYTHON="$PY" "$ROOT/.venv/bin/maturin" build --profile wheel --quiet \
    -m bindings/python/Cargo.toml -o "$work/wheel"
wheel=$(ls "$work"/wheel/ferryman-*-abi3-*.whl)
echo "==> $(basename "$wheel")"
# The example's wheel (ferryman build), built once: test_packaging.py installs
# both wheels offline into a fresh venv of each version.
rm -rf "$work/example"
"$PY" -m ferryman build examples/geometry -o "$work/example" >/dev/null
export FERRYMAN_WHEEL="$wheel" FERRYMAN_EXAMPLE_DIST="$work/example"
echo "==> $(basename "$(ls "$work"/example/*.whl)")"

own=$("$PY" -c 'import sys; print("%d.%d" % sys.version_info[:2])')
found=0
for version in 3.10 3.11 3.12 3.13 3.14; do
    [ "$version" = "$own" ] && continue
    python=$(command -v "python$version" 2>/dev/null || true)
    if [ -z "$python" ] || ! "$python" -c 'import sys' >/dev/null 2>&1; then
        python=$(ls -d "${PYENV_ROOT:-$HOME/.pyenv}"/versions/"$version".*/bin/"python$version" 2>/dev/null | tail -n 1 || true)
    fi
    if [ -z "$python" ] || ! "$python" -c 'import sys' >/dev/null 2>&1; then
        echo "==> CPython $version: not installed here, skipped"
        continue
    fi
    found=$((found + 1))
    venv="$work/venv-$version"
    echo "==> CPython $version ($python)"
    rm -rf "$venv"
    "$python" -m venv "$venv"
    "$venv/bin/python" -m pip install --quiet --disable-pip-version-check pytest hypothesis msgpack "$wheel[build]"
    "$venv/bin/python" -m pytest tests/python -q -p no:cacheprovider
done
echo "==> the abi3 wheel passed under $found other CPython version(s)"
