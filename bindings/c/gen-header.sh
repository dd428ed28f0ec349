#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Regenerates include/copilot_core.h from bindings/c with the pinned cbindgen.
#   bindings/c/gen-header.sh            write the header
#   bindings/c/gen-header.sh --verify   fail (exit 1, with a diff) if the committed header is stale
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/../.." && pwd)"
cbindgen="$("$here/install-cbindgen.sh")"
header="$root/include/copilot_core.h"
fresh="$(mktemp)"
trap 'rm -f "$fresh"' EXIT
(cd "$here" && "$cbindgen" --quiet --config cbindgen.toml --crate copilot-ffi --output "$fresh" .)
if [ "${1:-}" = "--verify" ]; then
  if ! diff -u "$header" "$fresh"; then
    echo "gen-header: include/copilot_core.h is stale; run bindings/c/gen-header.sh and commit it" >&2
    exit 1
  fi
  echo "gen-header: include/copilot_core.h is up to date" >&2
else
  install -D -m 0644 "$fresh" "$header"
  echo "gen-header: wrote $header" >&2
fi
