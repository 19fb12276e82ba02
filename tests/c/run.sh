#!/usr/bin/env bash
# Compiles the C host test (tests/c/call_fixture.c, callbacks.c, lent_bytes.c,
# two_libraries.c) against bindings/c/ferryman.h and runs it against the fixture
# library, with the example library loaded next to it.
#
#   cargo build -p ferryman-fixture -p geometry
#   tests/c/run.sh [path/to/libferryman_fixture.so [path/to/libgeometry.so]]
#   VALGRIND=1 tests/c/run.sh    # the same under valgrind, failing on leaks
#
# The default library is target/debug/libferryman_fixture.so. Run from the
# repository root (or anywhere: the script moves there itself).
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
# A library path given as an argument is relative to the caller's directory;
# the default is relative to the repository root.
lib="${1:-$root/target/debug/libferryman_fixture.so}"
case "$lib" in
    /*) ;;
    *) lib="$PWD/$lib" ;;
esac
# A second ferryman library loaded next to the fixture (tests/c/two_libraries.c):
# the example, next to the fixture library unless given.
second="${2:-$(dirname "$lib")/libgeometry.so}"
case "$second" in
    /*) ;;
    *) second="$PWD/$second" ;;
esac
cd "$root"

if [[ ! -f "$lib" ]]; then
    echo "run.sh: $lib not found; build it with: cargo build -p ferryman-fixture" >&2
    exit 1
fi
if [[ ! -f "$second" ]]; then
    echo "run.sh: $second not found; build it with: cargo build -p geometry" >&2
    exit 1
fi

mkdir -p target/c
cc -std=c11 -Wall -Wextra -Werror -pthread -O1 -g -I bindings/c \
    tests/c/call_fixture.c tests/c/callbacks.c tests/c/lent_bytes.c tests/c/two_libraries.c \
    -o target/c/call_fixture -ldl
if [[ -n "${VALGRIND:-}" ]]; then
    # VALGRIND=1 tests/c/run.sh: fail on memory errors and on leaks
    # (valgrind.supp: two library blocks reachable only by interior pointers).
    exec valgrind --error-exitcode=1 --leak-check=full --suppressions=tests/c/valgrind.supp \
        target/c/call_fixture "$lib" "$second"
fi
target/c/call_fixture "$lib" "$second"
