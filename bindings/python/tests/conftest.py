"""Fixtures: the real Copilot CLI, run hermetically against our stand-in for GitHub's
services (tests/standin/copilot_standin.py), the same way core/tests/common does.

Every test gets its own stand-in (in-process HTTP server) and its own temporary state
directories, so tests never share CLI state.
"""

from __future__ import annotations

import asyncio
import json
import os
import subprocess
import sys
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

REPO = Path(__file__).resolve().parents[3]
sys.path.insert(0, str(REPO / "tests" / "standin"))

from copilot_standin import StandIn  # noqa: E402

import copilot_core  # noqa: E402
from copilot_core import CopilotClient, RuntimeConnection  # noqa: E402

SCENARIOS = REPO / "tests" / "scenarios"
TOKEN = "test-token"
#: Variables a developer's shell may carry that would leak a real identity into the CLI.
LEAKY = ("GH_TOKEN", "GITHUB_TOKEN", "COPILOT_GITHUB_TOKEN", "COPILOT_CLI_PATH", "COPILOT_MC_REPO_IDS")


def _cli_path() -> str:
    explicit = os.environ.get("COPILOT_CLI_PATH")
    if explicit:
        return explicit
    out = subprocess.run([str(REPO / "scripts" / "setup-cli.sh")], check=True, capture_output=True, text=True)
    return out.stdout.strip()


CLI = _cli_path()


def scenario(*names: str, default: str = "OK") -> dict[str, Any]:
    """The rules of the named scenario files, concatenated."""
    rules: list[Any] = []
    for n in names:
        rules += json.loads((SCENARIOS / f"{n}.json").read_text())["rules"]
    return {"rules": rules, "default": {"text": default}}


@pytest.fixture
def standin() -> Iterator[StandIn]:
    s = StandIn(scenario=scenario("basic", "tools", "errors")).start()
    try:
        yield s
    finally:
        s.stop()


class Hermetic:
    """Temporary CLI state directories plus the stand-in's URLs."""

    def __init__(self, root: Path, standin: StandIn):
        self.root = root
        self.standin = standin
        self.workdir = root / "work"
        self.workdir.mkdir()

    def state_env(self) -> dict[str, str]:
        env = {}
        for var, sub in (
            ("COPILOT_HOME", "copilot"),
            ("XDG_CONFIG_HOME", "config"),
            ("XDG_STATE_HOME", "state"),
            ("GH_CONFIG_DIR", "gh"),
            ("COPILOT_CACHE_HOME", "cache"),
        ):
            p = self.root / sub
            p.mkdir(exist_ok=True)
            env[var] = str(p)
        env["COPILOT_API_URL"] = self.standin.url
        env["COPILOT_DEBUG_GITHUB_API_URL"] = self.standin.url
        env["COPILOT_MC_BASE_URL"] = self.standin.mc_url
        return env

    def env(self) -> dict[str, str]:
        """A complete environment for the CLI process (the client's ``env`` replaces the
        inherited one, as in the official package)."""
        base = {k: v for k, v in os.environ.items() if k not in LEAKY}
        return {**base, **self.state_env()}

    def client(self, **kwargs: Any) -> CopilotClient:
        kwargs.setdefault("connection", RuntimeConnection.for_stdio(path=CLI))
        kwargs.setdefault("env", self.env())
        kwargs.setdefault("github_token", TOKEN)
        kwargs.setdefault("working_directory", str(self.workdir))
        return CopilotClient(**kwargs)


@pytest.fixture
def hermetic(tmp_path: Path, standin: StandIn) -> Hermetic:
    return Hermetic(tmp_path, standin)


@pytest.fixture
async def client(hermetic: Hermetic) -> AsyncIterator[CopilotClient]:
    c = hermetic.client()
    await c.start()
    try:
        yield c
    finally:
        await asyncio.wait_for(c.stop(), 30)


def collect_until(session: copilot_core.CopilotSession, until: str, timeout: float = 30.0) -> Awaitable[list[Any]]:
    """Events from ``session.events()`` up to and including the first of type ``until``.

    Not a coroutine function on purpose: the stream is opened at the call, so
    ``asyncio.ensure_future(collect_until(...))`` followed by a send misses nothing (a
    send is under way before the caller's first suspension point)."""
    stream = session.events()
    out: list[Any] = []

    async def run() -> None:
        async for ev in stream:
            out.append(ev)
            if ev.type == until:
                return

    async def collect() -> list[Any]:
        try:
            await asyncio.wait_for(run(), timeout)
        except asyncio.TimeoutError:
            raise AssertionError(f"timed out waiting for {until}; got {[str(e.type) for e in out]}") from None
        finally:
            stream.close()
        return out

    return collect()


async def wait_until(condition: Callable[[], bool], what: str, timeout: float = 30.0) -> None:
    """Polls ``condition`` every 50 ms until it holds; fails naming ``what`` after ``timeout``
    seconds. For effects the awaited call does not wait for: requests the CLI makes to the
    stand-in in the background after answering, notifications on another subscription."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while not condition():
        if loop.time() >= deadline:
            raise AssertionError(f"timed out after {timeout:.0f}s waiting until {what}")
        await asyncio.sleep(0.05)


def types(events: list[Any]) -> list[str]:
    return [e.raw_type or str(e.type) for e in events]
