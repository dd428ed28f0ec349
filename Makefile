# copilot-core build entry point. The two commands the README gives:
#   make demo   - a real session (GitHub with a token in the environment, else our stand-in)
#   make test   - every test, after installing what they need (idempotent)
SHELL := /bin/bash
.DEFAULT_GOAL := help
ROOT := $(abspath .)
PY := $(ROOT)/.tools/venv/bin/python
# One target directory for every crate and binding script: dependencies build once.
export CARGO_TARGET_DIR ?= $(ROOT)/target

.PHONY: help setup demo test test-core test-standin test-load test-python test-c test-uniffi bench bench-quick soak fuzz

help:
	@echo "make demo    run a real Copilot session (offline stand-in unless a GitHub token is set)"
	@echo "make test    install the pinned CLI and test tools, then run every test"
	@echo "make bench   run the benchmark suite against the official SDKs, write BENCHMARKS.md"

setup:
	@scripts/setup-cli.sh >/dev/null
	@scripts/setup-python.sh >/dev/null

demo: setup
	cargo run --quiet -p copilot-core --example demo

test: setup test-core test-standin test-load test-python test-c test-uniffi
	@echo "all test suites passed"

test-core:
	cargo test -p copilot-core --all-targets
	cargo test -p copilot-core --doc

test-standin:
	$(PY) -m pytest tests/standin -q --tb=short -p no:cacheprovider

# Bindings: each script installs what it needs (idempotent), builds and runs its suite.
test-python:
	bindings/python/test.sh

test-c:
	bindings/c/test.sh

test-uniffi:
	bindings/uniffi/test.sh

# Load tests against the firehose (a scripted JSON-RPC peer, not the CLI): 1M events, 100 sessions.
test-load:
	cargo test --release -p copilot-firehose -- --test-threads=1 --nocapture

# Documented soak measurement (not in CI at full length): SOAK_CYCLES=1000 make soak
soak: setup
	SOAK_CYCLES=$${SOAK_CYCLES:-1000} cargo test --release -p copilot-core --test soak -- --nocapture

# Benchmark suite (not part of `make test`): writes BENCHMARKS.md. bench-quick is a smoke run.
bench: setup
	$(PY) bench/run.py

bench-quick: setup
	$(PY) bench/run.py --quick --out target/BENCHMARKS.quick.md

# Documented fuzz run (not in CI; CI runs the mutation smoke test in core/tests): 10M+ executions.
fuzz:
	scripts/fuzz.sh $${FUZZ_RUNS:-10000000}
