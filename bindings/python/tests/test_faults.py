"""Faults, bad input and secrets, seen from Python (issue 8): a CLI killed mid-turn or while
a Python handler runs fails pending calls with a typed connection-lost error within a
second, subscribers end, bad option types and unknown presets are typed errors, and the
GitHub token shows up neither in the CLI's argv nor in any error message."""

from __future__ import annotations

import asyncio
import os
import signal
import time
from pathlib import Path
from typing import Any

import pytest

from conftest import Hermetic

import copilot_core
from copilot_core import (
    ConnectionLostError,
    CopilotClient,
    CopilotError,
    InvalidConfigError,
    PermissionHandler,
    RuntimeConnection,
    define_tool,
)

SECRET = "gho_python_binding_secret_0123456789"


def _kill(client: CopilotClient) -> float:
    pid = client.cli_pid
    assert pid is not None
    os.kill(pid, signal.SIGKILL)
    return time.monotonic()


async def test_cli_killed_mid_turn_fails_send_and_wait_within_a_second(client: CopilotClient) -> None:
    session = await client.create_session(streaming=True)
    first_delta = asyncio.Event()
    session.on(lambda e: first_delta.set() if e.type == "assistant.message_delta" else None)
    stream = session.events()
    pending = asyncio.ensure_future(session.send_and_wait("slow", timeout=60))  # 5 deltas, 1 s apart
    await asyncio.wait_for(first_delta.wait(), 30)
    killed = _kill(client)
    with pytest.raises(ConnectionLostError) as info:
        await asyncio.wait_for(pending, 5)
    elapsed = time.monotonic() - killed
    # (The reason tells which sign of death came first: end of file on the CLI's stdout, or
    # the process exit the core also watches for.)
    assert elapsed < 1.0, f"send_and_wait failed {elapsed:.2f}s after the kill ({info.value})"
    assert isinstance(info.value, CopilotError) and isinstance(info.value, ConnectionError)

    # The subscriber drains what arrived and then ends instead of hanging.
    async def drain() -> list[Any]:
        return [e async for e in stream]

    seen = await asyncio.wait_for(drain(), 5)
    assert "assistant.message_delta" in [e.type for e in seen]
    # Later calls fail the same typed way, and stop() still returns.
    with pytest.raises(ConnectionLostError):
        await session.send("hello")
    await asyncio.wait_for(client.stop(), 10)


async def test_cli_killed_while_a_python_tool_runs(client: CopilotClient) -> None:
    started = asyncio.Event()
    release = asyncio.Event()

    @define_tool(name="get_weather", description="weather")
    async def get_weather(params: dict[str, Any]) -> str:
        started.set()
        await release.wait()
        return "sunny"

    session = await client.create_session(tools=[get_weather], on_permission_request=PermissionHandler.approve_all)
    pending = asyncio.ensure_future(session.send_and_wait("weather please", timeout=60))
    await asyncio.wait_for(started.wait(), 30)
    killed = _kill(client)
    with pytest.raises(ConnectionLostError):
        await asyncio.wait_for(pending, 5)
    assert time.monotonic() - killed < 1.0
    release.set()  # the handler's late answer goes nowhere and breaks nothing
    await asyncio.sleep(0.1)
    await asyncio.wait_for(client.stop(), 10)


async def test_restart_after_the_cli_died(hermetic: Hermetic) -> None:
    client = hermetic.client()
    await client.start()
    _kill(client)
    await asyncio.sleep(0.2)
    await asyncio.wait_for(client.stop(), 10)
    await client.start()  # the same client object starts a fresh CLI
    try:
        session = await client.create_session()
        reply = await session.send_and_wait("hello")
        assert reply is not None and reply.data.content
    finally:
        await client.stop()


@pytest.mark.parametrize(
    "kwargs",
    [
        {"github_token": 123},
        {"enable_remote_sessions": "yes"},
        {"request_timeout": "soon"},
        {"session_idle_timeout_seconds": 1.5},
        {"env": {"A": 1}},
        {"log_level": 5},
        {"connection": "stdio"},
        {"on_list_models": "models"},
    ],
)
async def test_bad_client_option_types_are_typed_errors(hermetic: Hermetic, kwargs: dict[str, Any]) -> None:
    with pytest.raises(InvalidConfigError) as info:
        client = hermetic.client(**kwargs)
        await client.start()
        await client.stop()
    assert isinstance(info.value, CopilotError)


@pytest.mark.parametrize(
    "kwargs",
    [
        {"streaming": "yes"},
        {"model": 5},
        {"tools": ["get_weather"]},
        {"working_directory": 5},
        {"available_tools": "view"},
        {"hooks": 5},
        {"hooks": {"on_pre_tool_use": "not callable"}},
        {"on_user_input_request": 5},
        {"on_event": "print"},
        {"cloud_ready_timeout": "1m"},
        {"remote_session": "sometimes"},
        {"on_permission_request": 42},
        {"on_permission_request": "approve-everything"},
        {"no_such_option": True},
    ],
)
async def test_bad_session_option_types_are_typed_errors(client: CopilotClient, kwargs: dict[str, Any]) -> None:
    with pytest.raises(InvalidConfigError) as info:
        await client.create_session(**kwargs)
    assert isinstance(info.value, CopilotError)
    assert isinstance(info.value, (ValueError, TypeError))


async def test_unknown_preset_name_and_known_names(client: CopilotClient) -> None:
    with pytest.raises(InvalidConfigError, match="unknown permission preset"):
        await client.create_session(on_permission_request="approve_everything")
    # Known names are the core's presets.
    session = await client.create_session(on_permission_request="approve-safety")
    reply = await session.send_and_wait("hello")
    assert reply is not None


async def test_token_not_in_argv(hermetic: Hermetic) -> None:
    client = hermetic.client(github_token=SECRET)
    await client.start()
    try:
        pid = client.cli_pid
        assert pid is not None
        cmdline = Path(f"/proc/{pid}/cmdline").read_bytes().decode(errors="replace")
        assert SECRET not in cmdline
        assert "copilot" in cmdline or "node" in cmdline
    finally:
        await client.stop()


async def test_token_never_in_error_messages(hermetic: Hermetic) -> None:
    messages: list[str] = []
    client = hermetic.client(github_token=SECRET)
    async with client:
        with pytest.raises(CopilotError) as info:
            await client.resume_session("00000000-0000-0000-0000-000000000000")
        messages += [str(info.value), repr(info.value), str(info.value.details)]
        with pytest.raises(CopilotError) as info2:
            await client.call("no.such.method", {})
        messages += [str(info2.value), str(info2.value.details)]
        with pytest.raises(CopilotError) as info3:
            await client.create_session(model=5)
        messages += [str(info3.value)]
    assert all(SECRET not in m for m in messages), [m for m in messages if SECRET in m]
    assert SECRET not in repr(client)


async def test_token_not_in_startup_error_quoting_stderr(hermetic: Hermetic, tmp_path: Path) -> None:
    """A CLI that prints its environment (where the token travels) and dies at start-up:
    the startup error quotes its stderr, and must not quote the token."""
    (tmp_path / "fakebin").mkdir()
    fake = tmp_path / "fakebin" / "copilot"
    fake.write_text('#!/bin/sh\necho "$@" >&2\nenv | grep TOKEN >&2\nexit 3\n')
    fake.chmod(0o755)
    client = hermetic.client(connection=RuntimeConnection.for_stdio(path=str(fake)), github_token=SECRET)
    with pytest.raises(copilot_core.CliStartupError) as info:
        await client.start()
    assert "exit" in str(info.value) or "stderr" in str(info.value)
    assert SECRET not in str(info.value)


async def test_stop_while_calls_are_pending_fails_them_typed(client: CopilotClient) -> None:
    session = await client.create_session(streaming=True)
    streaming = asyncio.Event()
    session.on("assistant.message_delta", lambda e: streaming.set())
    pending = asyncio.ensure_future(session.send_and_wait("slow", timeout=60))
    await asyncio.wait_for(streaming.wait(), 30)  # the turn is under way, not a guessed delay
    await asyncio.wait_for(client.force_stop(), 10)
    with pytest.raises(CopilotError) as info:
        await asyncio.wait_for(pending, 5)
    assert isinstance(info.value, ConnectionLostError)


def test_find_cli_missing_is_typed(tmp_path: Path) -> None:
    with pytest.raises(copilot_core.CliNotFoundError) as info:
        copilot_core.find_cli(str(tmp_path / "nope"))
    assert isinstance(info.value, FileNotFoundError)
    assert "npm install" in str(info.value)
