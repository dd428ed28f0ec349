#!/usr/bin/env bash
# Builds CopilotCoreFFI.xcframework and the generated Swift sources for the Swift package in
# this directory. Runs on macOS with Xcode (xcodebuild, lipo) and rustup.
#
#   bindings/uniffi/swift/build-xcframework.sh [--profile <cargo profile, default release>] [--skip-ios]
#
# Steps:
#   1. cargo build the staticlib (crate copilot-uniffi) for every Apple target:
#        iOS device        aarch64-apple-ios
#        iOS simulator     aarch64-apple-ios-sim + x86_64-apple-ios   (lipo -> one fat lib)
#        macOS             aarch64-apple-darwin + x86_64-apple-darwin (lipo -> one fat lib)
#   2. generate CopilotCore.swift, CopilotCoreFFI.h and the modulemap with uniffi-bindgen
#      (from the host build, configured by the repository's uniffi.toml);
#   3. xcodebuild -create-xcframework with one library + headers per platform;
#   4. copy CopilotCore.swift into Sources/CopilotCore/.
#
# Not run on the machine that wrote it (Linux, no Xcode): see ../README.md for what was
# checked there (generation and symbol checks only).
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/../../.." && pwd)"
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$root/target/uniffi}"
profile=release
skip_ios=0
while [ $# -gt 0 ]; do
  case "$1" in
    --profile) profile="$2"; shift 2 ;;
    --skip-ios) skip_ios=1; shift ;;
    *) echo "unknown argument $1" >&2; exit 2 ;;
  esac
done
[ "$(uname -s)" = Darwin ] || { echo "build-xcframework.sh needs macOS with Xcode" >&2; exit 1; }
command -v xcodebuild >/dev/null || { echo "xcodebuild not found (install Xcode)" >&2; exit 1; }

ios_targets=(aarch64-apple-ios aarch64-apple-ios-sim x86_64-apple-ios)
mac_targets=(aarch64-apple-darwin x86_64-apple-darwin)
targets=("${mac_targets[@]}")
[ "$skip_ios" = 1 ] || targets+=("${ios_targets[@]}")
rustup target add "${targets[@]}"

# iOS 15 / macOS 12, matching Package.swift.
export IPHONEOS_DEPLOYMENT_TARGET=15.0 MACOSX_DEPLOYMENT_TARGET=12.0
for t in "${targets[@]}"; do
  echo "== cargo build --target $t" >&2
  (cd "$root" && cargo build --profile "$profile" --target "$t" -p copilot-uniffi)
done
lib() { echo "$CARGO_TARGET_DIR/$1/$profile/libcopilot_uniffi.a"; }

echo "== generate Swift" >&2
(cd "$root" && cargo build --profile "$profile" -p copilot-uniffi -p copilot-uniffi-bindgen)
gen="$CARGO_TARGET_DIR/bindings/swift-apple"
rm -rf "$gen" && mkdir -p "$gen/headers"
(cd "$root" && "$CARGO_TARGET_DIR/$profile/uniffi-bindgen" generate \
  --library "$CARGO_TARGET_DIR/$profile/libcopilot_uniffi.dylib" \
  --language swift --out-dir "$gen" --config "$root/uniffi.toml")
cp "$gen/CopilotCoreFFI.h" "$gen/headers/"
# Inside an XCFramework the module map must be called module.modulemap.
cp "$gen/CopilotCoreFFI.modulemap" "$gen/headers/module.modulemap"

echo "== lipo + xcodebuild -create-xcframework" >&2
fat="$CARGO_TARGET_DIR/apple-fat"
rm -rf "$fat" && mkdir -p "$fat/macos"
lipo -create "$(lib aarch64-apple-darwin)" "$(lib x86_64-apple-darwin)" -output "$fat/macos/libcopilot_uniffi.a"
args=(-library "$fat/macos/libcopilot_uniffi.a" -headers "$gen/headers")
if [ "$skip_ios" = 0 ]; then
  mkdir -p "$fat/ios-sim"
  lipo -create "$(lib aarch64-apple-ios-sim)" "$(lib x86_64-apple-ios)" -output "$fat/ios-sim/libcopilot_uniffi.a"
  args+=(-library "$(lib aarch64-apple-ios)" -headers "$gen/headers")
  args+=(-library "$fat/ios-sim/libcopilot_uniffi.a" -headers "$gen/headers")
fi
rm -rf "$here/CopilotCoreFFI.xcframework"
xcodebuild -create-xcframework "${args[@]}" -output "$here/CopilotCoreFFI.xcframework"
cp "$gen/CopilotCore.swift" "$here/Sources/CopilotCore/CopilotCore.swift"
echo "== done: $here/CopilotCoreFFI.xcframework; now: cd $here && swift build && swift test" >&2
