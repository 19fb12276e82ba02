#!/usr/bin/env bash
# Builds the fuzz targets with plain `cargo +nightly` and the flags cargo-fuzz
# passes (no cargo-fuzz install needed), builds the fixture library with the
# same instrumentation for `c_entry`, and runs each target for a fixed time
# from its checked-in seed corpus.
#
#   fuzz/run.sh                    # every target, 20 s each (what scripts/test.sh runs)
#   fuzz/run.sh 600 c_entry        # one target for 10 minutes
#   FUZZ_JOBS=2 fuzz/run.sh 600    # libFuzzer -jobs/-workers
#   FUZZ_REPEATABLE=1 fuzz/run.sh  # scripts/test.sh: a fixed seed and a fixed
#                                  # number of inputs per target instead of a
#                                  # time, so a run that passes here passes on
#                                  # any machine (a time limit reaches further
#                                  # on a faster one); about 20 s each here
#
# New inputs go to fuzz/target/corpus/<target> (not checked in); crashes to
# fuzz/artifacts/<target>/. Ends non-zero when a target finds a crash.
set -euo pipefail

seconds="${1:-20}"
shift || true
targets=("$@")
if [[ ${#targets[@]} -eq 0 ]]; then
    targets=(args reader host_decode c_entry)
fi

fuzz="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(dirname "$fuzz")"
triple="$(rustc +nightly -vV | sed -n 's/^host: //p')"

# What cargo-fuzz passes (cargo-fuzz src/project.rs): SanitizerCoverage with
# inline 8-bit counters, PC table, comparison tracing and stack depth,
# AddressSanitizer, debug assertions and overflow checks, `--cfg fuzzing`.
# `--target` keeps the flags off build scripts and proc macros.
export RUSTFLAGS="-Cpasses=sancov-module \
-Cllvm-args=-sanitizer-coverage-level=4 \
-Cllvm-args=-sanitizer-coverage-inline-8bit-counters \
-Cllvm-args=-sanitizer-coverage-pc-table \
-Cllvm-args=-sanitizer-coverage-trace-compares \
-Cllvm-args=-sanitizer-coverage-stack-depth \
--cfg fuzzing -Zsanitizer=address -Cdebug-assertions -Coverflow-checks"
export CARGO_TARGET_DIR="$fuzz/target"

cargo +nightly build --quiet --release --target "$triple" --manifest-path "$fuzz/Cargo.toml" \
    $(printf -- '--bin %s ' "${targets[@]}")
if [[ " ${targets[*]} " == *" c_entry "* ]]; then
    # The fixture cdylib, instrumented the same way: c_entry dlopens it, so its
    # coverage guides the fuzzer and ASan checks its memory.
    cargo +nightly build --quiet --release --target "$triple" \
        --manifest-path "$root/Cargo.toml" -p ferryman-fixture
    export FERRYMAN_FUZZ_FIXTURE="$fuzz/target/$triple/release/libferryman_fixture.so"
fi

status=0
for target in "${targets[@]}"; do
    corpus="$fuzz/target/corpus/$target"
    artifacts="$fuzz/artifacts/$target"
    mkdir -p "$corpus" "$artifacts"
    if [[ -n "${FUZZ_REPEATABLE:-}" ]]; then
        echo "==> fuzz $target (fixed seed and number of inputs)"
    else
        echo "==> fuzz $target for ${seconds}s"
    fi
    log="$fuzz/target/$target.log"
    # Repeatable: the inputs libFuzzer tries depend only on the seed and the
    # corpus (fresh in a clone), not on the machine's speed.
    limit=(-max_total_time="$seconds")
    if [[ -n "${FUZZ_REPEATABLE:-}" ]]; then
        case "$target" in
            args) runs=400000 ;;
            reader) runs=300000 ;;
            host_decode) runs=200000 ;;
            c_entry) runs=15000 ;;
            *) runs=100000 ;;
        esac
        limit=(-seed=1 -runs="$runs")
        rm -rf "$corpus" && mkdir -p "$corpus"
    fi
    # The checked-in seeds, when the target has some (git keeps no empty folder).
    seeds=()
    [[ -d "$fuzz/corpus/$target" ]] && seeds=("$fuzz/corpus/$target")
    # -rss_limit_mb: c_entry runs a whole library; 2 GB is libFuzzer's default.
    "$fuzz/target/$triple/release/$target" "$corpus" "${seeds[@]}" \
        "${limit[@]}" -print_final_stats=1 -rss_limit_mb=2048 \
        -artifact_prefix="$artifacts/" ${FUZZ_JOBS:+-jobs="$FUZZ_JOBS" -workers="$FUZZ_JOBS"} \
        >"$log" 2>&1 || status=$?
    grep -E '^(#[0-9]+ +DONE|stat::number_of_executed_units|stat::peak_rss_mb)' "$log" || true
    grep -E 'cov: [0-9]+' "$log" | tail -n 1 || true
    if [[ $status -ne 0 ]]; then
        tail -n 60 "$log"
        echo "fuzz target $target failed (status $status); log: $log"
        exit "$status"
    fi
done
