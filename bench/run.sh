#!/usr/bin/env bash
# Builds everything (bench/build.sh) and runs the benchmark (bench/run.py),
# passing arguments through. Usage: bash bench/run.sh [--smoke] [run.py options]
#
# With --smoke it also checks the async table's cells (bench/run_async.py
# --smoke; its full run is .venv/bin/python bench/run_async.py) and the Node
# table's (bench/node/run.js --smoke) when node is installed; the Node table's
# full run is bash bench/node/run.sh.
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
# The build talks on stdout too (maturin); keep stdout for the tables.
bash "$root/bench/build.sh" >&2
"$root/.venv/bin/python" "$root/bench/run.py" "$@"
for arg in "$@"; do
    if [[ "$arg" == --smoke ]]; then
        "$root/.venv/bin/python" "$root/bench/run_async.py" --smoke
        if command -v node >/dev/null; then
            node --expose-gc "$root/bench/node/run.js" --smoke
        else
            echo "skipping the Node table's smoke run: node is not installed" >&2
        fi
    fi
done
