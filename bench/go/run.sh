#!/usr/bin/env bash
# Builds the two libraries the Go table needs (release: bench/ferryman-lib
# and bench/cabi-lib), writes the typed bindings of the first (benchlib, with
# cmd/ferryman-go) and runs the Go benchmark (bench/go), passing the
# arguments through. Usage: bash bench/go/run.sh [-smoke] [-cases add,...] [-repeats N]
# Needs Go >= 1.22 and a C compiler (cgo).
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
cd "$root"
export CARGO_BUILD_JOBS="${CARGO_BUILD_JOBS:-2}" CGO_ENABLED=1
cargo build --quiet --release -p bench-ferryman -p bench-cabi >&2
cd bench/go
# The typed column's bindings (benchlib), written from the library just built.
go run github.com/ferryman-rs/ferryman/bindings/go/cmd/ferryman-go -o benchlib/bench_ferryman.go \
    -source libbench_ferryman.so "$root/target/release/libbench_ferryman.so"
unformatted="$(gofmt -l .)"
if [[ -n "$unformatted" ]]; then
    echo "bench/go/run.sh: not gofmt-formatted: $unformatted" >&2
    exit 1
fi
go vet .
go build -o "$root/target/release/bench-go" .
exec "$root/target/release/bench-go" "$@"
