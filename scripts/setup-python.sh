#!/usr/bin/env bash
# Creates .tools/venv with the Python test tools (idempotent). Prints the venv's python.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
venv="$root/.tools/venv"
stamp="$venv/.stamp-v2"
if [ ! -f "$stamp" ]; then
  python3 -m venv "$venv" >&2
  # mypy: stubtest keeps bindings/python's committed .pyi in sync with the native module.
  "$venv/bin/pip" install --quiet --disable-pip-version-check \
    "pytest>=8,<9" "pytest-asyncio>=0.23,<1" "maturin>=1.7,<2" "mypy>=1.10,<2" >&2
  touch "$stamp"
fi
echo "$venv/bin/python"
