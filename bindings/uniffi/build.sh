#!/usr/bin/env bash
# Builds the UniFFI binding and its foreign-language packages:
#   1. the cdylib/staticlib (crate copilot-uniffi) and the uniffi-bindgen binary;
#   2. the generated Kotlin and Swift sources (never committed), configured by the root
#      uniffi.toml, passed with --config (global format);
#   3. the Kotlin library jar: generated bindings + the hand-written helpers + the Linux
#      x86-64 native library as a JNA resource, with a POM naming its dependencies.
#
# Usage: bindings/uniffi/build.sh [--release]
# Output (under $CARGO_TARGET_DIR, default target/uniffi):
#   bindings/kotlin/  bindings/swift/  dist/copilot-core-kotlin-<v>.jar (+ .pom)
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/../.." && pwd)"
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$root/target/uniffi}"
profile=debug
cargo_flags=()
if [ "${1:-}" = "--release" ]; then
  profile=release
  cargo_flags=(--release)
fi
version="$(sed -n 's/^version = "\(.*\)"/\1/p' "$root/Cargo.toml" | head -1)"
out="$CARGO_TARGET_DIR/bindings"
dist="$CARGO_TARGET_DIR/dist"

step() { echo "== $*" >&2; }

step "cargo build ($profile): copilot-uniffi + uniffi-bindgen"
(cd "$root" && cargo build "${cargo_flags[@]}" -p copilot-uniffi -p copilot-uniffi-bindgen)
case "$(uname -s)" in
  Darwin) libfile="libcopilot_uniffi.dylib" ;;
  *) libfile="libcopilot_uniffi.so" ;;
esac
lib="$CARGO_TARGET_DIR/$profile/$libfile"
bindgen="$CARGO_TARGET_DIR/$profile/uniffi-bindgen"

step "generate Kotlin and Swift from $lib"
rm -rf "$out/kotlin" "$out/swift"
# uniffi-bindgen runs `cargo metadata`: run it inside the workspace.
(cd "$root" && "$bindgen" generate --library "$lib" --language kotlin --out-dir "$out/kotlin" \
  --config "$root/uniffi.toml" --no-format)
(cd "$root" && "$bindgen" generate --library "$lib" --language swift --out-dir "$out/swift" \
  --config "$root/uniffi.toml" --no-format)

step "Kotlin library jar"
kotlin_home="$("$root/scripts/setup-kotlin.sh")"
jna=/usr/share/java/jna.jar
coroutines="$kotlin_home/lib/kotlinx-coroutines-core-jvm.jar"
classes="$out/kotlin-classes"
jarfile="$dist/copilot-core-kotlin-$version.jar"
pom="$dist/copilot-core-kotlin-$version.pom"
# kotlinc takes most of a minute: skip it when nothing that goes into the jar changed.
stamp="$(cat "$lib" "$out/kotlin/copilot/core/copilot_uniffi.kt" "$here/kotlin/src/copilot/core/"*.kt \
  "$here/kotlin/pom.xml.in" "$0" | sha256sum | cut -d' ' -f1)"
if [ -f "$jarfile" ] && [ "$(cat "$dist/.jar-stamp" 2>/dev/null)" = "$stamp" ]; then
  echo "   (jar up to date)" >&2
  echo "$jarfile"
  exit 0
fi
rm -rf "$classes" && mkdir -p "$classes" "$dist"
"$kotlin_home/bin/kotlinc" -nowarn -cp "$jna:$coroutines" -d "$classes" \
  "$out/kotlin/copilot/core/copilot_uniffi.kt" "$here/kotlin/src/copilot/core/"*.kt
# JNA looks for <os>-<arch>/lib<name>.so on the class path, so the jar works on Linux
# x86-64 without -Djna.library.path. Debug info is stripped from this copy only.
if [ "$(uname -s)-$(uname -m)" = "Linux-x86_64" ]; then
  mkdir -p "$classes/linux-x86-64"
  strip --strip-debug -o "$classes/linux-x86-64/$libfile" "$lib"
fi
sed "s/@VERSION@/$version/" "$here/kotlin/pom.xml.in" > "$pom"
mkdir -p "$classes/META-INF/maven/copilot.core/copilot-core-kotlin"
cp "$pom" "$classes/META-INF/maven/copilot.core/copilot-core-kotlin/pom.xml"
rm -f "$jarfile"
(cd "$classes" && jar cf "$jarfile" .)
echo "$stamp" > "$dist/.jar-stamp"
echo "$jarfile"
