#!/usr/bin/env bash
# The Go host's tests: builds the fixture library, checks the Go modules
# (bindings/go needs none from the proxy today), and runs `go vet` and
# `go test -race` against the fixture (FERRYMAN_FIXTURE, default
# target/debug/libferryman_fixture.so). Needs Go >= 1.23 and a C compiler (cgo).
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"

if ! command -v go >/dev/null; then
    echo "go_test.sh: no \`go\` on PATH (install Go >= 1.23)" >&2
    exit 1
fi
export CGO_ENABLED=1
export FERRYMAN_FIXTURE="${FERRYMAN_FIXTURE:-$root/target/debug/libferryman_fixture.so}"

echo "--> building the fixture library (cargo build -p ferryman-fixture)"
cargo build --quiet -p ferryman-fixture

cd bindings/go
echo "--> go mod download ($(go version | cut -d' ' -f3))"
go mod download -x 2>&1 | grep -E '^# get .*: 200' | sed 's/^# get /    got /' || true
go mod verify

echo "--> gofmt and go vet"
unformatted="$(gofmt -l .)"
if [ -n "$unformatted" ]; then
    echo "go_test.sh: not gofmt-formatted: $unformatted" >&2
    exit 1
fi
go vet ./...

echo "--> go test -race ./... (fixture: $FERRYMAN_FIXTURE)"
go test -race -count=1 ./...
