#!/usr/bin/env bash
# Builds the C runner of the conformance suite (run_c.c, c/, and the vendored
# cJSON in c/third_party/cjson) into target/conformance/run_c and runs every
# case of cases.json against the fixture library.
#
#   cargo build -p ferryman-fixture
#   tests/conformance/run_c.sh [path/to/libferryman_fixture.so] [ID-SUBSTRING]
#   VALGRIND=1 tests/conformance/run_c.sh     # under valgrind, failing on memory errors and leaks
#   CASES=other.json tests/conformance/run_c.sh   # another file of cases (the runner's own test)
#
# The default library is target/debug/libferryman_fixture.so.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
lib="${1:-$root/target/debug/libferryman_fixture.so}"
case "$lib" in
    /*) ;;
    *) lib="$PWD/$lib" ;;
esac
only=("${@:2}")
cd "$root"
if [[ ! -f "$lib" ]]; then
    echo "run_c.sh: $lib not found; build it with: cargo build -p ferryman-fixture" >&2
    exit 1
fi

here=tests/conformance
mkdir -p target/conformance
cc -std=c11 -Wall -Wextra -Werror -O1 -g -I bindings/c -I "$here" -I "$here/c/third_party/cjson" \
    "$here/run_c.c" "$here/c/msgpack.c" "$here/c/case_values.c" "$here/c/third_party/cjson/cJSON.c" \
    -o target/conformance/run_c -ldl -lm

runner=()
if [[ -n "${VALGRIND:-}" ]]; then
    # The same suppressions as tests/c: library blocks reachable only by interior pointers.
    runner=(valgrind --quiet --error-exitcode=3 --leak-check=full --suppressions=tests/c/valgrind.supp)
fi
"${runner[@]}" target/conformance/run_c "$lib" "${CASES:-$here/cases.json}" "$root" "${only[@]}"
