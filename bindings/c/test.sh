#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# The C ABI test suite (what CI runs):
#   bindings/c/test.sh [--no-valgrind] [TEST...]
#
# 1. installs the pinned cbindgen if needed and checks include/copilot_core.h for drift
#    (regenerates it and fails on any difference) and its version macros against Cargo;
# 2. builds libcopilot_core (shared + static) and its pkg-config file, runs the crate's
#    Rust unit tests;
# 3. compiles tests/c/*.c with gcc -Wall -Wextra -Werror -std=c11 against the committed
#    header, plus the README example through pkg-config (shared) and one test linked
#    statically;
# 4. starts the stand-in for GitHub's services and runs every test against the real
#    Copilot CLI, normally and under valgrind (no errors, no definite leaks).
# Exits non-zero on any failure. TEST names (e.g. `tools misuse`) select tests.
set -uo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/../.." && pwd)"
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$root/target/c}"
valgrind=1
selected=()
for a in "$@"; do
  case "$a" in
    --no-valgrind) valgrind=0 ;;
    -h|--help) sed -n '2,16p' "$0"; exit 0 ;;
    *) selected+=("$a") ;;
  esac
done

start_time=$(date +%s)
export CI="${CI:-}"
# System tools the suite needs (present on the project's machines; installed when missing).
need=()
command -v pkg-config >/dev/null || need+=(pkg-config)
command -v gcc >/dev/null || need+=(gcc)
[ $valgrind -eq 0 ] || command -v valgrind >/dev/null || need+=(valgrind)
if [ ${#need[@]} -gt 0 ]; then
  echo "installing ${need[*]}" >&2
  { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${need[@]}"; } >&2 < /dev/null ||
    { echo "FATAL: cannot install ${need[*]}" >&2; exit 1; }
fi
failures=()
passed=0
step() { printf '\n== %s\n' "$*"; }
fail() { failures+=("$1"); printf 'FAIL: %s\n' "$1"; }
die() { printf 'FATAL: %s\n' "$*" >&2; exit 1; }

step "header: drift check (pinned cbindgen)"
"$here/gen-header.sh" --verify || fail "header drift: include/copilot_core.h is stale"
header="$root/include/copilot_core.h"
version="$(cd "$root" && cargo metadata --no-deps --format-version 1 |
  python3 -c 'import json,sys; print(next(p["version"] for p in json.load(sys.stdin)["packages"] if p["name"] == "copilot-ffi"))')"
IFS=. read -r vmaj vmin vpat <<<"$version"
grep -q "^#define COPILOT_CORE_VERSION \"$version\"$" "$header" &&
  grep -q "^#define COPILOT_CORE_VERSION_MAJOR $vmaj$" "$header" &&
  grep -q "^#define COPILOT_CORE_VERSION_MINOR $vmin$" "$header" &&
  grep -q "^#define COPILOT_CORE_VERSION_PATCH $vpat$" "$header" ||
  fail "header version macros do not match the crate version $version (edit bindings/c/cbindgen.toml)"

# Every result code of the header is documented in the README's table, with its number.
grep -o 'COPILOT_RESULT_[A-Z0-9_]* = [0-9]*' "$header" | sort -u | while read -r name _ num; do
  grep -q "^| $num | \`$name\` |" "$here/README.md" || { echo "README.md: no row for $name ($num)"; exit 1; }
done || fail "bindings/c/README.md result-code table is out of date"

# The release profile (with debug info, see the root Cargo.toml): valgrind runs the test
# programs many times faster than against a debug build, and still names source lines.
step "build: libcopilot_core (release, shared + static) + pkg-config"
pcdir="$(nice "$here/build.sh" --release)" || die "cargo build failed"
libdir="$CARGO_TARGET_DIR/release"
export PKG_CONFIG_PATH="$pcdir${PKG_CONFIG_PATH:+:$PKG_CONFIG_PATH}"
[ -f "$libdir/libcopilot_core.so" ] && [ -f "$libdir/libcopilot_core.a" ] || die "libcopilot_core.{so,a} missing in $libdir"

step "rust unit tests of the binding crate"
(cd "$root" && nice cargo test --quiet --release -p copilot-ffi --lib 2>&1 | tail -n 3; exit "${PIPESTATUS[0]}") ||
  fail "cargo test -p copilot-ffi"

step "compile the C tests (gcc -Wall -Wextra -Werror -std=c11)"
bindir="$CARGO_TARGET_DIR/c-tests"
mkdir -p "$bindir"
cflags=(-Wall -Wextra -Werror -std=c11 -g -O0)
all_tests=()
for src in "$root"/tests/c/*.c; do
  name="$(basename "$src" .c)"
  all_tests+=("$name")
  gcc "${cflags[@]}" -I"$root/include" "$src" -o "$bindir/$name" \
    -L"$libdir" -Wl,-rpath,"$libdir" -lcopilot_core -lpthread || fail "compile $name"
done
# The README example, extracted from the README and built through pkg-config.
awk '/<!-- example:begin -->/{on=1; next} /<!-- example:end -->/{on=0} on && !/^```/' "$here/README.md" > "$bindir/readme_example.c"
gcc "${cflags[@]}" "$bindir/readme_example.c" -o "$bindir/readme_example" \
  $(pkg-config --cflags --libs copilot_core) || fail "compile the README example with pkg-config"
# One test against the static library (pkg-config --static supplies the system libraries).
gcc "${cflags[@]}" $(pkg-config --cflags copilot_core) "$root/tests/c/stream_poll.c" -o "$bindir/stream_poll_static" \
  "$libdir/libcopilot_core.a" $(pkg-config --static --libs-only-l copilot_core | sed 's/-lcopilot_core//') ||
  fail "link stream_poll against libcopilot_core.a"
# (grep without -q: with pipefail, an early exit of grep -q could fail the pipeline by
# SIGPIPE to ldd, a spurious result.)
if [ -x "$bindir/stream_poll_static" ] && ldd "$bindir/stream_poll_static" | grep libcopilot_core >/dev/null; then
  fail "stream_poll_static is dynamically linked to libcopilot_core"
fi

step "install (build.sh --prefix) and the README example against the installed copy"
inst="$bindir/prefix"
rm -rf "$inst"
if instpc="$(nice "$here/build.sh" --release --prefix "$inst")"; then
  gcc "${cflags[@]}" "$bindir/readme_example.c" -o "$bindir/readme_example_installed" \
    $(PKG_CONFIG_PATH="$instpc" pkg-config --cflags --libs copilot_core) || fail "compile the README example against the install"
  ldd "$bindir/readme_example_installed" | grep -F "$inst/lib/libcopilot_core.so" >/dev/null ||
    fail "readme_example_installed does not load $inst/lib/libcopilot_core.so"
  [ "$(PKG_CONFIG_PATH="$instpc" pkg-config --variable=includedir copilot_core)" = "$inst/include" ] ||
    fail "the installed copilot_core.pc does not point at $inst/include"
  cmp -s "$root/include/copilot_core.h" "$inst/include/copilot_core.h" || fail "installed header differs"
else
  fail "bindings/c/build.sh --release --prefix $inst"
fi

step "the pinned Copilot CLI and the stand-in"
cli="$("$root/scripts/setup-cli.sh")" || die "scripts/setup-cli.sh failed"
python="$("$root/scripts/setup-python.sh")" || die "scripts/setup-python.sh failed"
tmp="$(mktemp -d "${TMPDIR:-/tmp}/copilot-c-tests.XXXXXX")"
standin_pid=""
cleanup() {
  [ -n "$standin_pid" ] && kill "$standin_pid" 2>/dev/null && wait "$standin_pid" 2>/dev/null
  if [ -n "${COPILOT_C_TESTS_KEEP:-}" ]; then echo "kept $tmp"; else rm -rf "$tmp"; fi
}
trap cleanup EXIT
: > "$tmp/standin.out"
"$python" "$root/tests/standin/copilot_standin.py" --port 0 --log-level WARNING \
  --scenario "$root/tests/c/scenario.json" > "$tmp/standin.out" 2> "$tmp/standin.err" &
standin_pid=$!
standin_url=""
for _ in $(seq 1 100); do
  standin_url="$(sed -n 's/^COPILOT_STANDIN_URL=//p' "$tmp/standin.out")"
  [ -n "$standin_url" ] && break
  sleep 0.1
done
[ -n "$standin_url" ] || die "the stand-in did not start: $(cat "$tmp/standin.err")"
echo "stand-in at $standin_url; CLI $cli"
export COPILOT_STANDIN_URL="$standin_url"

# Prepares a hermetic environment for one run and exports the test variables.
prepare() {
  local dir="$1"
  mkdir -p "$dir"/{copilot,config,state,gh,cache,work} "$tmp/cli-pkg"
  # The CLI unpacks itself (~235 MB) into $COPILOT_CACHE_HOME/pkg on first use. Each run gets
  # a fresh cache (so no user cache leaks between runs) but shares that unpacked package.
  ln -s "$tmp/cli-pkg" "$dir/cache/pkg"
  export COPILOT_TEST_WORKDIR="$dir/work"
  COPILOT_TEST_OPTIONS="$(python3 - "$cli" "$dir" "$standin_url" <<'PY'
import json, sys
cli, d, url = sys.argv[1:]
print(json.dumps({
    "cli_path": cli,
    "cwd": d + "/work",
    "github_token": "test-token",
    "env": {
        "COPILOT_HOME": d + "/copilot", "XDG_CONFIG_HOME": d + "/config",
        "XDG_STATE_HOME": d + "/state", "GH_CONFIG_DIR": d + "/gh",
        "COPILOT_CACHE_HOME": d + "/cache",
        "COPILOT_API_URL": url, "COPILOT_DEBUG_GITHUB_API_URL": url,
        "COPILOT_MC_BASE_URL": url + "/agents",
    },
    "env_remove": ["GH_TOKEN", "GITHUB_TOKEN", "COPILOT_GITHUB_TOKEN"],
}))
PY
)"
  export COPILOT_TEST_OPTIONS
  export COPILOT_OPTIONS="$COPILOT_TEST_OPTIONS"   # read by the README example
}

run_one() {
  local name="$1" mode="$2" bin="$3"
  local dir="$tmp/$name.$mode" log="$tmp/$name.$mode.log" t0 rc
  prepare "$dir"
  t0=$(date +%s)
  if [ "$mode" = valgrind ]; then
    COPILOT_TEST_SLOW=1 timeout 600 valgrind --quiet --error-exitcode=97 --leak-check=full --errors-for-leak-kinds=definite \
      --show-leak-kinds=definite --track-origins=yes --suppressions="$here/valgrind.supp" "$bin" > "$log" 2>&1
  else
    timeout 300 "$bin" > "$log" 2>&1
  fi
  rc=$?
  if [ $rc -eq 0 ]; then
    passed=$((passed + 1))
    printf '  %-22s %-9s ok   (%ss)\n' "$name" "$mode" "$(( $(date +%s) - t0 ))"
  else
    printf '  %-22s %-9s FAIL (exit %s, %ss)\n' "$name" "$mode" "$rc" "$(( $(date +%s) - t0 ))"
    sed 's/^/    | /' "$log" | tail -n 40
    fail "$name ($mode)"
  fi
}

step "run the tests"
[ ${#selected[@]} -gt 0 ] || selected=("${all_tests[@]}" readme_example stream_poll_static)
for name in "${selected[@]}"; do
  bin="$bindir/$name"
  [ -x "$bin" ] || { fail "$name (not built)"; continue; }
  run_one "$name" native "$bin"
  if [ $valgrind -eq 1 ] && [ "$name" != stream_poll_static ]; then
    run_one "$name" valgrind "$bin"
  fi
done

printf '\nc-abi: %d passed, %d failed\n' "$passed" "${#failures[@]}"
printf '\n== %s in %ss\n' "$([ ${#failures[@]} -eq 0 ] && echo PASSED || echo FAILED)" "$(( $(date +%s) - start_time ))"
if [ ${#failures[@]} -gt 0 ]; then
  printf '  - %s\n' "${failures[@]}"
  exit 1
fi
