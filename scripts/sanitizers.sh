#!/usr/bin/env bash
# AddressSanitizer, with LeakSanitizer on, over the C suite and a Python stress
# run, against the fixture (and the example, for two_libraries) built with
# nightly `-Zsanitizer=address`:
#
#   bash scripts/sanitizers.sh            # what scripts/test.sh runs
#   STRESS_CALLS=100000 bash scripts/sanitizers.sh
#
# How the runtime gets loaded: rustc instruments a cdylib but leaves the
# sanitizer's runtime to the program. The C programs are built with
# `gcc -fsanitize=address` (tests/c/run.sh, SANITIZE=address), so they carry
# it; Python is not built with it, so its run preloads gcc's libasan.so.
# CPython leaves some memory unreachable at exit on purpose:
# tests/sanitizers/lsan-python.supp suppresses exactly those (see there).
set -euo pipefail
if [[ -n "${PY:-}" ]]; then
    # Called by scripts/test.sh, which made the venv already.
    ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
    cd "$ROOT"
else
    source "$(dirname "${BASH_SOURCE[0]}")/venv.sh"
fi

triple="$(rustc +nightly -vV | sed -n 's/^host: //p')"
target_dir="$ROOT/target/asan"
echo "==> building the fixture and the example with -Zsanitizer=address (nightly)"
# `--target` keeps the flag off build scripts and proc macros.
RUSTFLAGS="-Zsanitizer=address -Cforce-frame-pointers=yes" \
    cargo +nightly build --quiet --target "$triple" --target-dir "$target_dir" \
    -p ferryman-fixture -p geometry
lib="$target_dir/$triple/debug/libferryman_fixture.so"
second="$target_dir/$triple/debug/libgeometry.so"

# detect_leaks: LeakSanitizer at exit; abort_on_error off so a report ends the
# program with a non-zero status run.sh counts.
export ASAN_OPTIONS="detect_leaks=1:detect_stack_use_after_return=0:strict_string_checks=1"

echo "==> C host under AddressSanitizer + LeakSanitizer: tests/c"
SANITIZE=address bash tests/c/run.sh "$lib" "$second"

echo "==> Python stress run under AddressSanitizer + LeakSanitizer"
libasan="$(gcc -print-file-name=libasan.so)"
LD_PRELOAD="$libasan" \
    LSAN_OPTIONS="suppressions=$ROOT/tests/sanitizers/lsan-python.supp:print_suppressions=0" \
    PYTHONMALLOC=malloc \
    "$PY" scripts/stress.py --threads 4 --calls "${STRESS_CALLS:-500}" --fixture "$lib"
