#!/usr/bin/env bash
# Builds the copilot_core wheel (abi3, release), installs it into a fresh venv under
# .tools/, checks the committed stubs and generated code, and runs the pytest suite
# against the real Copilot CLI and our stand-in. Exits non-zero on any failure.
#
# Then it runs tests/memcheck_smoke.py (client, streaming session, Python tool and
# permission callbacks, a failing handler, QR codes, error mapping, stop) under valgrind
# memcheck against the same CLI and stand-in: any invalid read/write, invalid free or
# uninitialised value outside CPython itself fails the run (see tests/valgrind-python.supp).
#
#   bindings/python/test.sh                 # everything
#   bindings/python/test.sh -k cloud        # extra arguments go to pytest
#   PY_NO_VALGRIND=1 bindings/python/test.sh      # skip the memcheck step
#   PY_WHEEL_DIR=/tmp/w bindings/python/test.sh   # keep the wheel somewhere else
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/../.." && pwd)"
cd "$root"
start=$(date +%s)
step() { echo "== $* ($(( $(date +%s) - start ))s)"; }

step "tools: pinned CLI and build venv"
cli="$(scripts/setup-cli.sh)"
build_py="$(scripts/setup-python.sh)"
export COPILOT_CLI_PATH="$cli"

step "generated code is current"
"$build_py" "$here/tools/gen_event_types.py" --check

step "wheel (maturin build --release, abi3)"
wheel_dir="${PY_WHEEL_DIR:-$root/target/py/wheels}"
rm -rf "$wheel_dir"
mkdir -p "$wheel_dir"
CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$root/target/py}" \
  "$(dirname "$build_py")/maturin" build --release --quiet -m "$here/Cargo.toml" -o "$wheel_dir"
wheel="$(ls "$wheel_dir"/copilot_core-*-cp310-abi3-*.whl)"
echo "$wheel"

step "fresh venv + pip install of the wheel"
venv="$root/.tools/py-wheel-venv"
rm -rf "$venv"
python3 -m venv "$venv"
"$venv/bin/pip" install --quiet --disable-pip-version-check "$wheel" \
  "pytest>=8,<9" "pytest-asyncio>=0.23,<1" "mypy>=1.10,<2"
# Import from the installed wheel, never from the source tree.
(cd /tmp && "$venv/bin/python" -c "import copilot_core, sys; print('copilot_core', copilot_core.__version__, 'from', copilot_core.__file__)")

step "stubs match the native module (mypy.stubtest)"
(cd /tmp && "$venv/bin/python" -m mypy.stubtest copilot_core._native)

step "the package type-checks (mypy)"
(cd "$here" && "$venv/bin/python" -m mypy --cache-dir=/dev/null python/copilot_core)

step "pytest"
cd "$here"
status=0
COPILOT_CORE_WHEEL="$wheel" "$venv/bin/python" -m pytest tests -q --tb=short -p no:cacheprovider "$@" || status=$?

if [ "${PY_NO_VALGRIND:-0}" != 1 ]; then
  step "valgrind memcheck of a Python session (tests/memcheck_smoke.py)"
  if ! command -v valgrind >/dev/null; then
    { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq valgrind; } >&2 < /dev/null ||
      { echo "FATAL: cannot install valgrind" >&2; exit 1; }
  fi
  scratch="$(mktemp -d)"
  rules="$scratch/scenario.json"
  "$venv/bin/python" - "$root/tests/scenarios" "$rules" <<'PY'
import json, sys
rules = []
for name in ("basic", "tools", "errors"):
    rules += json.load(open(f"{sys.argv[1]}/{name}.json"))["rules"]
json.dump({"rules": rules, "default": {"text": "OK"}}, open(sys.argv[2], "w"))
PY
  python3 "$root/tests/standin/copilot_standin.py" --port 0 --scenario "$rules" --log-level WARNING \
    > "$scratch/standin.out" 2> "$scratch/standin.err" < /dev/null &
  standin_pid=$!
  trap 'kill "$standin_pid" 2>/dev/null || true' EXIT
  for _ in $(seq 100); do grep -q COPILOT_STANDIN_URL "$scratch/standin.out" && break; sleep 0.1; done
  url="$(sed -n 's/^COPILOT_STANDIN_URL=//p' "$scratch/standin.out")"
  [ -n "$url" ] || { echo "FATAL: the stand-in did not start" >&2; cat "$scratch/standin.err" >&2; exit 1; }
  vg_status=0
  (cd "$scratch" && COPILOT_STANDIN_URL="$url" PYTHONMALLOC=malloc \
    valgrind --tool=memcheck --error-exitcode=99 --leak-check=no --trace-children=no --num-callers=40 \
      --suppressions="$here/tests/valgrind-python.supp" --log-file="$scratch/valgrind.log" \
      "$venv/bin/python" "$here/tests/memcheck_smoke.py") || vg_status=$?
  grep "ERROR SUMMARY" "$scratch/valgrind.log" || true
  if [ $vg_status -ne 0 ]; then
    echo "FAIL: memcheck run exited $vg_status; log: $scratch/valgrind.log" >&2
    grep -A30 -E "Invalid|uninitialised|Mismatched|Syscall param" "$scratch/valgrind.log" | head -120 >&2 || true
    status=1
  fi
  kill "$standin_pid" 2>/dev/null || true
fi
step "done (exit $status)"
exit $status
