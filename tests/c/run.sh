#!/usr/bin/env bash
# Builds and runs the C host test: one program per feature (tests/c/<feature>.c
# with the shared harness.c and the C host c_host.c), written against
# bindings/c/ferryman.h and run against the fixture library, with the example
# library loaded next to it by two_libraries.
#
#   cargo build -p ferryman-fixture -p geometry
#   tests/c/run.sh                     # every feature
#   tests/c/run.sh errors callbacks    # only these features
#   tests/c/run.sh [path/to/libferryman_fixture.so [path/to/libgeometry.so]] [feature...]
#   VALGRIND=1 tests/c/run.sh          # the same under valgrind, failing on leaks
#   SANITIZE=address tests/c/run.sh target/asan/.../libferryman_fixture.so
#                                      # built with gcc -fsanitize=address, for a
#                                      # library built with -Zsanitizer=address
#                                      # (scripts/sanitizers.sh)
#
# Each program prints "ok - ..." / "not ok - ..." per check and its own
# "N passed, M failed"; this script prints that as "# <feature>: N passed,
# M failed" and ends with the sum over the features run, "N passed, M failed".
# The default library is target/debug/libferryman_fixture.so. Run from the
# repository root (or anywhere: the script moves there itself).
set -euo pipefail

features=(handshake calls errors values callbacks closures interrupts lent_bytes lent_slices two_libraries objects logs async async_callbacks)

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
selected=()
paths=()
for arg in "$@"; do
    if [[ " ${features[*]} " == *" $arg "* ]]; then
        selected+=("$arg")
    elif [[ "$arg" == */* || "$arg" == *.so || "$arg" == *.dylib ]]; then
        paths+=("$arg")
    else
        echo "run.sh: unknown feature '$arg' (features: ${features[*]})" >&2
        exit 2
    fi
done
if [[ ${#selected[@]} -eq 0 ]]; then
    selected=("${features[@]}")
fi
if [[ ${#paths[@]} -gt 2 ]]; then
    echo "run.sh: at most two libraries (the fixture, then the second one)" >&2
    exit 2
fi

# A library path given as an argument is relative to the caller's directory;
# the default is relative to the repository root.
lib="${paths[0]:-$root/target/debug/libferryman_fixture.so}"
case "$lib" in
    /*) ;;
    *) lib="$PWD/$lib" ;;
esac
# A second ferryman library loaded next to the fixture (two_libraries.c): the
# example, next to the fixture library unless given.
second="${paths[1]:-$(dirname "$lib")/libgeometry.so}"
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

bin=target/c
sanitize=()
if [[ -n "${SANITIZE:-}" ]]; then
    # The programs carry the sanitizer's runtime; the library dlopened into
    # them only its instrumentation (rustc leaves the runtime to the program).
    bin="target/c-$SANITIZE"
    sanitize=(-fsanitize="$SANITIZE" -fno-omit-frame-pointer)
fi
mkdir -p "$bin"
for f in "${selected[@]}"; do
    cc -std=c11 -Wall -Wextra -Werror -pthread -O1 -g "${sanitize[@]}" -I bindings/c \
        tests/c/harness.c tests/c/c_host.c tests/c/completions.c "tests/c/$f.c" -o "$bin/$f" -ldl
done

runner=()
if [[ -n "${VALGRIND:-}" ]]; then
    # VALGRIND=1 tests/c/run.sh: fail on memory errors and on leaks
    # (valgrind.supp: library blocks reachable only by interior pointers).
    runner=(valgrind --quiet --error-exitcode=1 --leak-check=full --suppressions=tests/c/valgrind.supp)
fi

passed=0
failed=0
for f in "${selected[@]}"; do
    echo "# feature: $f"
    out="$bin/$f.out"
    status=0
    "${runner[@]}" "$bin/$f" "$lib" "$second" >"$out" || status=$?
    summary="$(tail -n 1 "$out")"
    if [[ "$summary" =~ ^([0-9]+)\ passed,\ ([0-9]+)\ failed$ ]]; then
        sed '$d' "$out"
        echo "# $f: $summary"
        passed=$((passed + BASH_REMATCH[1]))
        failed=$((failed + BASH_REMATCH[2]))
        if [[ $status -ne 0 && ${BASH_REMATCH[2]} -eq 0 ]]; then
            # Every check passed, yet the program failed (valgrind or a
            # sanitizer found errors: its report is on stderr).
            echo "not ok - $f exited with status $status"
            failed=$((failed + 1))
        fi
    else
        cat "$out"
        echo "not ok - $f exited with status $status before its summary"
        failed=$((failed + 1))
    fi
done
echo "$passed passed, $failed failed"
[[ $failed -eq 0 ]]
