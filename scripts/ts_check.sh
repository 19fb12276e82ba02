#!/usr/bin/env bash
# The TypeScript declarations check: builds the fixture library, generates its
# .d.ts with `ferryman stubs --lang ts` into tests/node/typecheck/generated/,
# installs the pinned TypeScript (npm ci, tests/node/typecheck/package-lock.json)
# and runs `tsc --noEmit` over typed.ts (correct uses: no error) and wrong.ts
# (each `@ts-expect-error` line must be an error), against the npm package's
# bindings/node/index.d.ts; then runs typed.ts, compiled, against the fixture
# through the Node host (bindings/node/build.sh builds its addon), so the
# declarations promise nothing the host does not do. Needs node and npm, and
# .venv (scripts/venv.sh) for the `ferryman` command.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
# A relative FERRYMAN_FIXTURE is relative to where the script was started.
if [ -n "${FERRYMAN_FIXTURE:-}" ]; then
    FERRYMAN_FIXTURE="$(realpath -m "$FERRYMAN_FIXTURE")"
fi
cd "$root"
PY="${PY:-$root/.venv/bin/python}"
dir="$root/tests/node/typecheck"

for tool in node npm; do
    if ! command -v "$tool" >/dev/null; then
        echo "ts_check.sh: no \`$tool\` on PATH (install Node.js >= 18 with npm)" >&2
        exit 1
    fi
done
fixture="${FERRYMAN_FIXTURE:-$root/target/debug/libferryman_fixture.so}"
if [ -z "${FERRYMAN_FIXTURE:-}" ]; then
    echo "--> building the fixture library (cargo build -p ferryman-fixture)"
    cargo build --quiet -p ferryman-fixture
fi

echo "--> ferryman stubs --lang ts $fixture"
rm -rf "$dir/generated"
"$PY" -m ferryman stubs --lang ts "$fixture" -o "$dir/generated"

cd "$dir"
if [ ! -x node_modules/.bin/tsc ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
    echo "--> npm ci (tests/node/typecheck: typescript, @types/node)"
    npm ci --no-audit --no-fund --silent
fi
echo "--> tsc --noEmit against bindings/node/index.d.ts ($(node_modules/.bin/tsc --version))"
node_modules/.bin/tsc --noEmit -p tsconfig.json
echo "--> typed.ts and wrong.ts check as expected"

echo "--> building the Node addon (bindings/node/build.sh)"
bash "$root/bindings/node/build.sh"
# typed.ts compiled; `require("ferryman")` finds the package through generated/node_modules.
node_modules/.bin/tsc -p tsconfig.json --noEmit false --outDir generated/js
mkdir -p generated/node_modules
ln -sfn "$root/bindings/node" generated/node_modules/ferryman
echo "--> node generated/js/typed.js (fixture: $fixture)"
FERRYMAN_FIXTURE="$fixture" node generated/js/typed.js
