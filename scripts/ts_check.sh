#!/usr/bin/env bash
# The TypeScript declarations check: builds the fixture library, generates its
# .d.ts with `ferryman stubs --lang ts` into tests/node/typecheck/generated/,
# installs the pinned TypeScript (npm ci, tests/node/typecheck/package-lock.json)
# and runs `tsc --noEmit` over typed.ts (correct uses: no error) and wrong.ts
# (each `@ts-expect-error` line must be an error). Needs node and npm, and
# .venv (scripts/venv.sh) for the `ferryman` command.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
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
if [ -f "$root/bindings/node/index.d.ts" ]; then
    echo "--> tsc --noEmit against bindings/node/index.d.ts ($(node_modules/.bin/tsc --version))"
else
    echo "--> tsc --noEmit against the stand-in surface/index.d.ts ($(node_modules/.bin/tsc --version))"
fi
node_modules/.bin/tsc --noEmit -p tsconfig.json
echo "--> typed.ts and wrong.ts check as expected"
