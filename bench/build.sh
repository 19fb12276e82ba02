#!/usr/bin/env bash
# Builds every column of the benchmark in release mode. Idempotent: run it again
# after any change. Usage: bash bench/build.sh
#
# - the cdylibs and the subprocess binary:  target/release/
# - UniFFI's Python bindings (library mode): target/bench/uniffi-py/
# - the PyO3 module `bench_pyo3` and the `ferryman` package: installed into .venv
# - the Node table (when `node` is installed): the napi-rs addon (a cdylib in
#   target/release/), the ferryman Node addon in release (bindings/node/ferryman.node)
#   and koffi into bench/node/node_modules (`npm ci`, the committed package-lock.json)
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
export CARGO_BUILD_JOBS="${CARGO_BUILD_JOBS:-2}"
venv="$root/.venv"
py="$venv/bin/python"

step() { printf '\n== %s\n' "$*" >&2; }

if [[ ! -x "$py" ]]; then
    step "creating $venv"
    python3 -m venv "$venv"
fi
if [[ ! -x "$venv/bin/maturin" ]]; then
    step "installing maturin into $venv"
    "$py" -m pip install --quiet "maturin>=1.9.4,<2"
fi

step "cargo build --release (ferryman, C ABI, UniFFI, subprocess, napi-rs)"
cargo build --release -p bench-ferryman -p bench-cabi -p bench-uniffi -p bench-subprocess -p bench-napi

step "UniFFI Python bindings (library mode)"
out="$root/target/bench/uniffi-py"
mkdir -p "$out"
"$root/target/release/bench-uniffi-bindgen" generate \
    --library "$root/target/release/libbench_uniffi.so" \
    --language python --out-dir "$out" >/dev/null
# The generated module loads `libbench_uniffi.so` from its own directory.
cp -f "$root/target/release/libbench_uniffi.so" "$out/"

step "PyO3 module bench_pyo3 (maturin develop --release)"
PYO3_PYTHON="$py" "$venv/bin/maturin" develop --release --quiet -m bench/pyo3-lib/Cargo.toml

if [[ -f bindings/python/python/ferryman/__init__.py ]]; then
    step "ferryman Python package (maturin develop --profile wheel)"
    PYO3_PYTHON="$py" "$venv/bin/maturin" develop --profile wheel --quiet -m bindings/python/Cargo.toml
else
    step "skipping the ferryman Python package: bindings/python/python/ferryman is not there yet"
fi

if command -v node >/dev/null && command -v npm >/dev/null; then
    if [[ -f bindings/node/build.sh ]]; then
        # Replaces bindings/node/ferryman.node (a debug build for the tests) with a release one.
        step "ferryman Node addon (bindings/node/build.sh --release)"
        bash bindings/node/build.sh --release
    else
        step "skipping the ferryman Node addon: bindings/node is not there yet"
    fi
    # `npm ci` reinstalls from package-lock.json; skipped when node_modules was
    # installed after the lock file last changed.
    if ! [[ bench/node/node_modules/.package-lock.json -nt bench/node/package-lock.json ]]; then
        step "koffi for the Node table (npm ci in bench/node)"
        (cd bench/node && npm ci --no-audit --no-fund --loglevel=error)
    fi
else
    step "skipping the Node table's packages: node or npm is not installed"
fi

step "built; run: $py bench/run.py [--smoke], bash bench/node/run.sh [--smoke]"
