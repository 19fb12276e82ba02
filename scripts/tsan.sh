#!/usr/bin/env bash
# ThreadSanitizer over the runtime's unit tests and the reference-count tests
# of ferryman-host (8 threads through the fixture's C entry points), by hand:
# it rebuilds the standard library instrumented (`-Zbuild-std`), which needs
# nightly's rust-src component (`rustup component add rust-src --toolchain
# nightly`), so it is not part of scripts/test.sh. fuzz/README.md has the
# result of the last run.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
triple="$(rustc +nightly -vV | sed -n 's/^host: //p')"
# --export-dynamic: the test programs carry TSan's runtime, and the fixture
# they dlopen calls into it.
export RUSTFLAGS="-Zsanitizer=thread -Cforce-frame-pointers=yes -Clink-arg=-Wl,--export-dynamic"
export RUSTDOCFLAGS="$RUSTFLAGS"
export CARGO_TARGET_DIR="$ROOT/target/tsan"
# Rust's std uses its own atomics-based primitives TSan understands; the
# fixture is dlopened, so its reports name its frames too.
export TSAN_OPTIONS="halt_on_error=1:second_deadlock_stack=1"
std=(-Zbuild-std --target "$triple")

echo "==> ThreadSanitizer: the fixture library"
cargo +nightly build "${std[@]}" --quiet -p ferryman-fixture
export FERRYMAN_FIXTURE="$CARGO_TARGET_DIR/$triple/debug/libferryman_fixture.so"

echo "==> ThreadSanitizer: ferryman-runtime unit tests"
cargo +nightly test "${std[@]}" --quiet -p ferryman-runtime --lib

echo "==> ThreadSanitizer: ferryman-host reference counts (threads through the C entry points)"
cargo +nightly test "${std[@]}" --quiet -p ferryman-host --test reference_counts
