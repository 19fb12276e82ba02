#!/usr/bin/env bash
# Builds the geometry example (Rust cdylib + the ferryman Python package) and runs it.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/venv.sh"
echo "==> building examples/geometry (release)"
cargo build --release --quiet -p geometry
echo "==> running examples/geometry/main.py"
echo
"$PY" examples/geometry/main.py target/release/libgeometry.so
