#!/usr/bin/env bash
# Fuzzes the frame decoder and event parser (core/fuzz, target `frames`) with libFuzzer + ASan.
# Usage: scripts/fuzz.sh [RUNS]   (default 10,000,000 executions; not run in CI, which runs the
# mutation smoke test in core/tests instead). Installs cargo-fuzz into .tools on first use.
# `-malloc_limit_mb` makes any single allocation above 64 MiB a failure: an oversized
# Content-Length must be rejected before allocating.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
runs="${1:-10000000}"
tools="$root/.tools/cargo-fuzz"
if [ ! -x "$tools/bin/cargo-fuzz" ]; then
  cargo install --quiet --locked --root "$tools" cargo-fuzz --version 0.12.0 >&2
fi
export PATH="$tools/bin:$PATH"
# cargo-fuzz needs nightly flags (-Zsanitizer); RUSTC_BOOTSTRAP lets the stable toolchain accept them.
export RUSTC_BOOTSTRAP=1
cd "$root/core/fuzz"
mkdir -p corpus/frames
exec cargo fuzz run frames corpus/frames -- -runs="$runs" -malloc_limit_mb=64 -rss_limit_mb=1024 -print_final_stats=1
