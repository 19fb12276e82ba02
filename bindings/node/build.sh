#!/usr/bin/env bash
# Builds the native addon with cargo and puts it next to index.js as
# ferryman.node. `--release` for an optimised build (debug otherwise).
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/../.." && pwd)"
profile=debug
args=()
if [[ "${1:-}" == "--release" ]]; then
  profile=release
  args+=(--release)
fi
cd "$root"
cargo build --quiet -p ferryman-node "${args[@]}"
target="${CARGO_TARGET_DIR:-$root/target}"
cp "$target/$profile/libferryman_node.so" "$here/ferryman.node"
