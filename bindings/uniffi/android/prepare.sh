#!/usr/bin/env bash
# Prepares the Android library module in this directory (then: gradle :copilot-core:assembleRelease
# from an Android project that includes it; see ../README.md, "Android").
#   1. cross-compiles libcopilot_uniffi.so for the Android ABIs with cargo-ndk into
#      src/main/jniLibs/<abi>/ (needs the Android NDK: ANDROID_NDK_HOME, and
#      `cargo install cargo-ndk`);
#   2. generates the Kotlin bindings with `android = true` (the Android object cleaner) into
#      src/main/kotlin/, next to a copy of the hand-written helpers.
# Step 2 alone runs anywhere: `prepare.sh --generate-only` (CI runs it to check generation).
#
# ABIs: arm64-v8a (aarch64-linux-android), armeabi-v7a (armv7-linux-androideabi),
#       x86_64 (x86_64-linux-android), x86 (i686-linux-android). Min API 24.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/../../.." && pwd)"
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$root/target/uniffi}"
generate_only=0
[ "${1:-}" = "--generate-only" ] && generate_only=1
abis=(arm64-v8a armeabi-v7a x86_64 x86)

if [ "$generate_only" = 0 ]; then
  command -v cargo-ndk >/dev/null || { echo "install cargo-ndk: cargo install cargo-ndk" >&2; exit 1; }
  [ -n "${ANDROID_NDK_HOME:-}" ] || { echo "set ANDROID_NDK_HOME to an Android NDK" >&2; exit 1; }
  rustup target add aarch64-linux-android armv7-linux-androideabi x86_64-linux-android i686-linux-android
  ndk_args=()
  for abi in "${abis[@]}"; do ndk_args+=(-t "$abi"); done
  (cd "$root" && cargo ndk "${ndk_args[@]}" --platform 24 -o "$here/src/main/jniLibs" \
    build --release -p copilot-uniffi)
fi

# Host build only to read the interface out of the library.
(cd "$root" && cargo build -p copilot-uniffi -p copilot-uniffi-bindgen)
case "$(uname -s)" in Darwin) hostlib=libcopilot_uniffi.dylib ;; *) hostlib=libcopilot_uniffi.so ;; esac
config="$CARGO_TARGET_DIR/uniffi-android.toml"
# The root uniffi.toml plus `android = true` in the crate's Kotlin table.
sed '/^\[crates\.copilot_uniffi\.bindings\.kotlin\]$/a android = true' "$root/uniffi.toml" > "$config"
rm -rf "$here/src/main/kotlin"
mkdir -p "$here/src/main/kotlin/copilot/core"
(cd "$root" && "$CARGO_TARGET_DIR/debug/uniffi-bindgen" generate --library "$CARGO_TARGET_DIR/debug/$hostlib" \
  --language kotlin --out-dir "$here/src/main/kotlin" --config "$config" --no-format)
cp "$here/../kotlin/src/copilot/core/"*.kt "$here/src/main/kotlin/copilot/core/"
echo "$here/src/main/kotlin/copilot/core/copilot_uniffi.kt"
