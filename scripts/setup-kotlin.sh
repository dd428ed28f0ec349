#!/usr/bin/env bash
# Installs what the Kotlin tests of bindings/uniffi need (idempotent, fast when present):
#   - the Kotlin compiler from npm (`kotlin-compiler`, its lib/ carries kotlinx-coroutines)
#     into .tools/kotlin;
#   - JNA from Debian (`libjna-java` -> /usr/share/java/jna.jar).
# Prints the Kotlin home (the directory holding bin/kotlinc and lib/) on stdout.
set -euo pipefail
KOTLIN_VERSION="2.4.20"
root="$(cd "$(dirname "$0")/.." && pwd)"
tools="$root/.tools/kotlin"
home="$tools/node_modules/kotlin-compiler"

installed_version() {
  [ -f "$home/package.json" ] && sed -n 's/.*"version": *"\([^"]*\)".*/\1/p' "$home/package.json" | head -1
}

if [ ! -x "$home/bin/kotlinc" ] || [ "$(installed_version)" != "$KOTLIN_VERSION" ]; then
  command -v npm >/dev/null || { echo "setup-kotlin: npm is required to install kotlin-compiler@$KOTLIN_VERSION" >&2; exit 1; }
  mkdir -p "$tools"
  echo "setup-kotlin: installing kotlin-compiler@$KOTLIN_VERSION into $tools" >&2
  npm install --silent --no-audit --no-fund --prefix "$tools" "kotlin-compiler@$KOTLIN_VERSION" >&2
  # The npm package ships its scripts without the executable bit.
  chmod +x "$home"/bin/*
fi
[ -x "$home/bin/kotlinc" ] || { echo "setup-kotlin: $home/bin/kotlinc missing after install" >&2; exit 1; }
for jar in kotlin-stdlib.jar kotlinx-coroutines-core-jvm.jar; do
  [ -f "$home/lib/$jar" ] || { echo "setup-kotlin: $home/lib/$jar missing" >&2; exit 1; }
done

if [ ! -f /usr/share/java/jna.jar ]; then
  echo "setup-kotlin: installing libjna-java (JNA) with apt-get" >&2
  sudo_cmd=""
  [ "$(id -u)" = 0 ] || sudo_cmd="sudo"
  export DEBIAN_FRONTEND=noninteractive
  $sudo_cmd apt-get update -qq >&2
  $sudo_cmd apt-get install -y -qq libjna-java >&2
fi
[ -f /usr/share/java/jna.jar ] || { echo "setup-kotlin: /usr/share/java/jna.jar missing after install" >&2; exit 1; }
command -v java >/dev/null || { echo "setup-kotlin: a Java runtime (java) is required" >&2; exit 1; }

echo "$home"
