#!/usr/bin/env bash
# Runs every check and test: formatting, clippy, Rust unit/UI/doc/property
# tests, the C program (also under valgrind and AddressSanitizer), the Python
# suite (and a threaded stress run, also under AddressSanitizer), tsc over
# the generated TypeScript declarations, the Go and Node hosts' suites, short
# runs of the fuzz targets, and a smoke run of the benchmarks.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/venv.sh"

echo "==> cargo fmt --check"
cargo fmt --all --check

echo "==> cargo clippy (all crates, all targets, -D warnings)"
PYO3_PYTHON="$PY" cargo clippy --quiet --workspace --all-targets -- -D warnings

echo "==> cargo test (Rust unit, property, UI and doc tests)"
cargo test --quiet
# The Python extension is not a default member (it links libpython only under maturin).
PYO3_PYTHON="$PY" cargo test --quiet -p ferryman-python
# Without the `tokio` feature (a workspace-wide run turns it on): async
# exports run on the built-in executor, runtime-agnostic futures only.
cargo test --quiet -p ferryman-runtime --lib

echo "==> building the fixture, the example and the one-dependency user crate (debug)"
cargo build --quiet -p ferryman-fixture -p geometry -p only-ferryman

echo "==> C host: tests/c"
bash tests/c/run.sh target/debug/libferryman_fixture.so

echo "==> C host under valgrind (memory errors and leaks fail): tests/c"
VALGRIND=1 bash tests/c/run.sh target/debug/libferryman_fixture.so

echo "==> the Python binding's layers (no upward use, no cycle)"
"$PY" scripts/check_binding_layers.py

echo "==> Python host: tests/python"
# mypy and pyright are installed by venv.sh: the stubs test must run them.
FERRYMAN_REQUIRE_TYPECHECKERS=1 "$PY" -m pytest tests/python -q -p no:cacheprovider

echo "==> TypeScript declarations: ferryman stubs --lang ts, tsc --noEmit (tests/node/typecheck)"
PY="$PY" bash scripts/ts_check.sh

echo "==> conformance suite: Python, C, Go and Node runners (tests/conformance, the C one also under valgrind)"
"$PY" tests/conformance/run_python.py target/debug/libferryman_fixture.so
bash tests/conformance/run_c.sh target/debug/libferryman_fixture.so
VALGRIND=1 bash tests/conformance/run_c.sh target/debug/libferryman_fixture.so
bash tests/conformance/run_go.sh target/debug/libferryman_fixture.so
bash bindings/node/build.sh
node tests/conformance/run_node.js target/debug/libferryman_fixture.so

echo "==> Go host: bindings/go (gofmt, go vet, go test -race; no Go modules to download)"
bash scripts/go_test.sh

echo "==> Node host: bindings/node (builds the addon with cargo, node --test)"
bash scripts/node_test.sh

echo "==> threads: 8 threads of mixed calls, results and leaks checked (smoke; 10^6 each by hand)"
"$PY" scripts/stress.py --threads 8 --calls 1000

echo "==> AddressSanitizer + LeakSanitizer (nightly): tests/c and a Python stress run"
PY="$PY" bash scripts/sanitizers.sh

echo "==> fuzz targets (nightly, libFuzzer + ASan): a fixed seed and number of inputs each, from the seed corpus"
FUZZ_REPEATABLE=1 bash fuzz/run.sh 20

echo "==> the abi3 wheel under the other CPython versions installed here"
bash scripts/test-abi3.sh

if [ -f bench/run.sh ]; then
    echo "==> benchmark smoke run (correctness only, no timings asserted)"
    bash bench/run.sh --smoke
fi
echo "==> Go benchmark smoke run: ferryman's Go host and cgo, every case checked (bench/go)"
bash bench/go/run.sh -smoke
echo "==> all checks passed"
