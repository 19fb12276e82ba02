#!/usr/bin/env bash
# The Node.js host's tests: builds the fixture library and the addon
# (bindings/node/build.sh: cargo, no npm packages needed), then runs
# `node --test` on bindings/node/test against the fixture (FERRYMAN_FIXTURE,
# default target/debug/libferryman_fixture.so). Needs Node.js >= 18.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"

if ! command -v node >/dev/null; then
    echo "node_test.sh: no \`node\` on PATH (install Node.js >= 18)" >&2
    exit 1
fi
export FERRYMAN_FIXTURE="${FERRYMAN_FIXTURE:-$root/target/debug/libferryman_fixture.so}"

echo "--> building the fixture and geometry libraries (cargo build -p ferryman-fixture -p geometry)"
cargo build --quiet -p ferryman-fixture -p geometry

echo "--> building the addon (bindings/node/build.sh)"
bash bindings/node/build.sh

echo "--> node --test ($(node --version); fixture: $FERRYMAN_FIXTURE)"
cd bindings/node
# The package has no dependencies; `--expose-gc` lets the tests check that
# the garbage collector releases objects and closures.
node --test --expose-gc test/*.test.js
