#!/usr/bin/env bash
# Builds everything (bench/build.sh) and runs the benchmark (bench/run.py),
# passing arguments through. Usage: bash bench/run.sh [--smoke] [run.py options]
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
# The build talks on stdout too (maturin); keep stdout for the tables.
bash "$root/bench/build.sh" >&2
exec "$root/.venv/bin/python" "$root/bench/run.py" "$@"
