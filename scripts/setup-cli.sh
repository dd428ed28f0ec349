#!/usr/bin/env bash
# Installs the pinned GitHub Copilot CLI into .tools/ (idempotent, fast when present).
# Prints the path of the native binary on stdout.
set -euo pipefail
CLI_VERSION="1.0.102"
root="$(cd "$(dirname "$0")/.." && pwd)"
tools="$root/.tools/cli-$CLI_VERSION"
bin="$tools/node_modules/@github/copilot-linux-x64/copilot"
if [ ! -x "$bin" ]; then
  command -v npm >/dev/null || { echo "setup-cli: npm is required to install @github/copilot@$CLI_VERSION" >&2; exit 1; }
  mkdir -p "$tools"
  echo "setup-cli: installing @github/copilot@$CLI_VERSION into $tools" >&2
  npm install --silent --no-audit --no-fund --prefix "$tools" "@github/copilot@$CLI_VERSION" >&2
fi
[ -x "$bin" ] || { echo "setup-cli: $bin missing after install" >&2; exit 1; }
echo "$bin"
