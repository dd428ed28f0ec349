#!/usr/bin/env bash
# Builds the Kotlin benchmark driver against the release jar of bindings/uniffi and prints
# the command that runs it (last line of stdout).
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/../.." && pwd)"
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$root/target}"
kotlin_home="$("$root/scripts/setup-kotlin.sh")"
jar="$("$root/bindings/uniffi/build.sh" --release | tail -1)"
klib="$kotlin_home/lib"
cp="$jar:/usr/share/java/jna.jar:$klib/kotlinx-coroutines-core-jvm.jar:$klib/kotlin-stdlib.jar"
out="$CARGO_TARGET_DIR/bench-kotlin.jar"
if [ ! -f "$out" ] || [ "$out" -ot "$here/Bench.kt" ] || [ "$out" -ot "$jar" ]; then
  "$kotlin_home/bin/kotlinc" -nowarn -cp "$cp" -d "$out" "$here/Bench.kt" >&2
fi
echo "java -cp $out:$cp BenchKt"
