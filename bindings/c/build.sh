#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Builds libcopilot_core (shared + static) and writes a pkg-config file for it.
#   bindings/c/build.sh [--release]
# Output: $CARGO_TARGET_DIR/<profile>/libcopilot_core.{so,a} and
#         $CARGO_TARGET_DIR/<profile>/pkgconfig/copilot_core.pc  (prints that directory)
# CARGO_TARGET_DIR defaults to target/c so that this build does not block other builds.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/../.." && pwd)"
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$root/target/c}"
profile=debug
cargo_flags=()
if [ "${1:-}" = "--release" ]; then
  profile=release
  cargo_flags=(--release)
fi
(cd "$root" && cargo build --quiet -p copilot-ffi "${cargo_flags[@]}" >&2)
libdir="$CARGO_TARGET_DIR/$profile"
version="$(cd "$root" && cargo metadata --no-deps --format-version 1 |
  python3 -c 'import json,sys; print(next(p["version"] for p in json.load(sys.stdin)["packages"] if p["name"] == "copilot-ffi"))')"
pcdir="$libdir/pkgconfig"
mkdir -p "$pcdir"
# Libs.private: the system libraries the Rust standard library needs when linking the
# static archive (`pkg-config --static`), as printed by rustc --print native-static-libs
# for x86_64/aarch64-unknown-linux-gnu.
cat > "$pcdir/copilot_core.pc" <<PC
prefix=$root
includedir=\${prefix}/include
libdir=$libdir

Name: copilot_core
Description: GitHub Copilot SDK, C ABI of copilot-core (in-tree build)
Version: $version
Libs: -L\${libdir} -Wl,-rpath,\${libdir} -lcopilot_core
Libs.private: -lgcc_s -lutil -lrt -lpthread -lm -ldl -lc
Cflags: -I\${includedir}
PC
echo "$pcdir"
