#!/usr/bin/env bash
# Builds everything (bench/build.sh) and runs the Node table (bench/node/run.js),
# passing arguments through. Usage: bash bench/node/run.sh [--smoke] [run.js options]
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
# The build talks on stdout too (maturin); keep stdout for the tables.
bash "$root/bench/build.sh" >&2
# --expose-gc: run.js collects garbage between cases, as bench/run.py does.
exec node --expose-gc "$root/bench/node/run.js" "$@"
