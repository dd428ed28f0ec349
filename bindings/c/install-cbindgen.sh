#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Installs the pinned cbindgen into .tools/cbindgen (idempotent; fast when present).
# Prints the path of the binary on stdout. The version is pinned because point releases
# change the generated header in non-semantic ways, which would break the drift check.
set -euo pipefail
CBINDGEN_VERSION="0.29.4"
root="$(cd "$(dirname "$0")/../.." && pwd)"
prefix="$root/.tools/cbindgen"
bin="$prefix/bin/cbindgen"
if [ ! -x "$bin" ] || [ "$("$bin" --version 2>/dev/null)" != "cbindgen $CBINDGEN_VERSION" ]; then
  echo "install-cbindgen: installing cbindgen $CBINDGEN_VERSION into $prefix" >&2
  CARGO_TARGET_DIR="$root/target/cbindgen-build" \
    cargo install --quiet --locked cbindgen --version "=$CBINDGEN_VERSION" --root "$prefix" >&2
  rm -rf "$root/target/cbindgen-build"   # only the binary is needed
fi
[ -x "$bin" ] || { echo "install-cbindgen: $bin missing after install" >&2; exit 1; }
echo "$bin"
