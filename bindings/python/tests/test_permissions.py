"""Permissions: deny by default, the presets, and Python handlers (sync, async, failing)."""

from __future__ import annotations

import asyncio
from typing import Any

from conftest import collect_until, types

from copilot_core import (
    CopilotClient,
    PermissionDecisionApproveOnce,
    PermissionDecisionReject,
    PermissionHandler,
    SessionEvent,
)
from copilot_core.session_events import (
    PermissionCompletedData,
    PermissionRequestedData,
    PermissionRequestShell,
    ToolExecutionCompleteData,
)


async def _shell_turn(session: Any) -> list[SessionEvent]:
    task = asyncio.ensure_future(collect_until(session, "session.idle", timeout=60))
    await asyncio.sleep(0)
    await session.send("run the shell")
    return await task


def _outcome(events: list[SessionEvent]) -> tuple[str, bool]:
    """(permission.completed result kind, bash tool success)."""
    completed = [e for e in events if isinstance(e.data, PermissionCompletedData)]
    assert completed, types(events)
    tool = [e for e in events if isinstance(e.data, ToolExecutionCompleteData)]
    assert tool, types(events)
    return completed[0].data.result.kind, tool[0].data.success


async def test_default_denies(client: CopilotClient) -> None:
    session = await client.create_session()
    events = await _shell_turn(session)
    requested = next(e for e in events if isinstance(e.data, PermissionRequestedData))
    assert isinstance(requested.data.permission_request, PermissionRequestShell)
    assert requested.data.permission_request.kind == "shell"
    assert requested.data.permission_request.full_command_text == "echo hi"
    kind, ok = _outcome(events)
    assert kind.startswith("denied"), kind
    assert ok is False


async def test_approve_all_runs_the_shell(client: CopilotClient) -> None:
    session = await client.create_session(on_permission_request=PermissionHandler.approve_all)
    kind, ok = _outcome(await _shell_turn(session))
    assert kind == "approved"
    assert ok is True


async def test_approve_safety_refuses_shell(client: CopilotClient) -> None:
    session = await client.create_session(on_permission_request=PermissionHandler.approve_safety)
    kind, ok = _outcome(await _shell_turn(session))
    assert kind.startswith("denied"), kind
    assert ok is False


async def test_approve_safety_allows_reads(client: CopilotClient) -> None:
    session = await client.create_session(on_permission_request=PermissionHandler.approve_safety)
    task = asyncio.ensure_future(collect_until(session, "session.idle", timeout=60))
    await session.send("read the file")
    events = await task
    completed = [e for e in events if isinstance(e.data, PermissionCompletedData)]
    for c in completed:
        assert c.data.result.kind == "approved"
    tool = next(e for e in events if isinstance(e.data, ToolExecutionCompleteData))
    assert tool.data.success is True


async def test_python_handler_sees_the_request_and_decides(client: CopilotClient) -> None:
    seen: list[tuple[str, str, str]] = []

    def handler(request: Any, invocation: dict[str, str]) -> Any:
        seen.append((request.kind, request.full_command_text, invocation["session_id"]))
        return PermissionDecisionReject(feedback="not today")

    session = await client.create_session(on_permission_request=handler)
    kind, ok = _outcome(await _shell_turn(session))
    assert seen == [("shell", "echo hi", session.session_id)]
    assert kind.startswith("denied")
    assert ok is False


async def test_async_python_handler_approves(client: CopilotClient) -> None:
    loops = []

    async def handler(request: Any, invocation: dict[str, str]) -> Any:
        loops.append(asyncio.get_running_loop())
        await asyncio.sleep(0.01)
        return PermissionDecisionApproveOnce()

    session = await client.create_session(on_permission_request=handler)
    kind, ok = _outcome(await _shell_turn(session))
    assert kind == "approved" and ok is True
    # The handler ran on the loop that created the session.
    assert loops == [asyncio.get_running_loop()]


async def test_one_argument_handler_returning_allowed_dict(client: CopilotClient) -> None:
    # The shape used by the remote-sessions page: lambda req: {"allowed": True}.
    session = await client.create_session(on_permission_request=lambda req: {"allowed": True})
    kind, ok = _outcome(await _shell_turn(session))
    assert kind == "approved" and ok is True


async def test_failing_handler_answers_user_not_available_and_session_survives(client: CopilotClient) -> None:
    def handler(request: Any, invocation: Any) -> Any:
        raise RuntimeError("permission bug")

    session = await client.create_session(on_permission_request=handler)
    kind, ok = _outcome(await _shell_turn(session))
    assert kind.startswith("denied"), kind
    assert ok is False
    # The client and session keep working.
    reply = await session.send_and_wait("hello")
    assert reply is not None and reply.data.content
