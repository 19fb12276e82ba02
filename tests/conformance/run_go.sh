#!/usr/bin/env bash
# Builds the Go runner of the conformance suite (tests/conformance/go, its
# own module using bindings/go through a replace) and runs every case of
# cases.json against the fixture library through the Go host.
#
#   cargo build -p ferryman-fixture
#   tests/conformance/run_go.sh [path/to/libferryman_fixture.so] [ID-SUBSTRING]
#   CASES=other.json tests/conformance/run_go.sh   # another file of cases
#
# The default library is target/debug/libferryman_fixture.so. Needs Go >= 1.22
# and a C compiler (cgo); the Go modules come from the module cache or proxy.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
lib="${1:-$root/target/debug/libferryman_fixture.so}"
case "$lib" in
    /*) ;;
    *) lib="$PWD/$lib" ;;
esac
only="${2:-}"
if [[ ! -f "$lib" ]]; then
    echo "run_go.sh: $lib not found; build it with: cargo build -p ferryman-fixture" >&2
    exit 1
fi
cases="${CASES:-$root/tests/conformance/cases.json}"
case "$cases" in
    /*) ;;
    *) cases="$PWD/$cases" ;;
esac

cd "$root/tests/conformance/go"
export CGO_ENABLED=1
unformatted="$(gofmt -l .)"
if [[ -n "$unformatted" ]]; then
    echo "run_go.sh: not gofmt-formatted: $unformatted" >&2
    exit 1
fi
go vet .
mkdir -p "$root/target/conformance"
go build -o "$root/target/conformance/run_go" .
"$root/target/conformance/run_go" -cases "$cases" -k "$only" "$lib"
