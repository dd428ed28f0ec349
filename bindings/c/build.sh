#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Builds libcopilot_core (shared + static) and writes a pkg-config file for it.
#   bindings/c/build.sh [--release] [--prefix DIR]
# Output: $CARGO_TARGET_DIR/<profile>/libcopilot_core.{so,a} and
#         $CARGO_TARGET_DIR/<profile>/pkgconfig/copilot_core.pc  (prints that directory)
# With --prefix, also installs DIR/include/copilot_core.h, DIR/lib/libcopilot_core.{so,a} and
# DIR/lib/pkgconfig/copilot_core.pc (and prints DIR/lib/pkgconfig instead).
# CARGO_TARGET_DIR defaults to target/c so that this build does not block other builds.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/../.." && pwd)"
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$root/target/c}"
profile=debug
cargo_flags=()
prefix=""
while [ $# -gt 0 ]; do
  case "$1" in
    --release) profile=release; cargo_flags=(--release) ;;
    --prefix) [ $# -ge 2 ] || { echo "build.sh: --prefix needs a directory" >&2; exit 2; }; prefix="$2"; shift ;;
    *) echo "build.sh: unknown argument $1 (usage: build.sh [--release] [--prefix DIR])" >&2; exit 2 ;;
  esac
  shift
done
(cd "$root" && cargo build --quiet -p copilot-ffi "${cargo_flags[@]}" >&2)
libdir="$CARGO_TARGET_DIR/$profile"
version="$(cd "$root" && cargo metadata --no-deps --format-version 1 |
  python3 -c 'import json,sys; print(next(p["version"] for p in json.load(sys.stdin)["packages"] if p["name"] == "copilot-ffi"))')"
pcdir="$libdir/pkgconfig"
mkdir -p "$pcdir"
# Libs.private: the system libraries the Rust standard library needs when linking the
# static archive (`pkg-config --static`), as printed by rustc --print native-static-libs
# for x86_64/aarch64-unknown-linux-gnu.
# write_pc FILE PREFIX INCLUDEDIR LIBDIR DESCRIPTION
write_pc() {
  cat > "$1" <<PC
prefix=$2
includedir=$3
libdir=$4

Name: copilot_core
Description: GitHub Copilot SDK, C ABI of copilot-core$5
Version: $version
Libs: -L\${libdir} -Wl,-rpath,\${libdir} -lcopilot_core
Libs.private: -lgcc_s -lutil -lrt -lpthread -lm -ldl -lc
Cflags: -I\${includedir}
PC
}
write_pc "$pcdir/copilot_core.pc" "$root" '${prefix}/include' "$libdir" " (in-tree build)"
if [ -n "$prefix" ]; then
  mkdir -p "$prefix/include" "$prefix/lib/pkgconfig"
  prefix="$(cd "$prefix" && pwd)"
  install -m 644 "$root/include/copilot_core.h" "$prefix/include/"
  install -m 755 "$libdir/libcopilot_core.so" "$prefix/lib/"
  install -m 644 "$libdir/libcopilot_core.a" "$prefix/lib/"
  write_pc "$prefix/lib/pkgconfig/copilot_core.pc" "$prefix" '${prefix}/include' '${prefix}/lib' ""
  pcdir="$prefix/lib/pkgconfig"
fi
echo "$pcdir"
