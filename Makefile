# copilot-core build entry point. The two commands the README gives:
#   make demo   - a real session (GitHub with a token in the environment, else our stand-in)
#   make test   - every test, after installing what they need (idempotent)
SHELL := /bin/bash
.DEFAULT_GOAL := help
ROOT := $(abspath .)
PY := $(ROOT)/.tools/venv/bin/python

.PHONY: help setup demo test test-core test-standin test-load

help:
	@echo "make demo    run a real Copilot session (offline stand-in unless a GitHub token is set)"
	@echo "make test    install the pinned CLI and test tools, then run every test"

setup:
	@scripts/setup-cli.sh >/dev/null
	@scripts/setup-python.sh >/dev/null

demo: setup
	cargo run --quiet -p copilot-core --example demo

test: setup test-core test-standin test-load
	@echo "all test suites passed"

test-core:
	cargo test -p copilot-core --all-targets
	cargo test -p copilot-core --doc

test-standin:
	$(PY) -m pytest tests/standin -q --tb=short -p no:cacheprovider

# Load tests against the firehose (a scripted JSON-RPC peer, not the CLI): 1M events, 100 sessions.
test-load:
	cargo test --release -p copilot-firehose -- --test-threads=1 --nocapture

# Documented soak measurement (not in CI at full length): SOAK_CYCLES=1000 make soak
soak: setup
	SOAK_CYCLES=$${SOAK_CYCLES:-1000} cargo test --release -p copilot-core --test soak -- --nocapture
