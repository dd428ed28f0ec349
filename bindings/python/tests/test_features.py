"""Hooks, user input, lifecycle events, stored sessions (list/metadata/resume/delete),
models, and the TCP / existing-server connections."""

from __future__ import annotations

import os
import re
import subprocess
from datetime import datetime
from typing import Any

import pytest

from conftest import CLI, TOKEN, Hermetic, wait_until

from copilot_core import (
    CopilotClient,
    ModelInfo,
    PermissionHandler,
    RuntimeConnection,
    SessionCreatedEvent,
    SessionDeletedEvent,
    SessionListFilter,
)

ASK = {
    "rules": [
        {
            "when": {"user": "ask me"},
            "reply": {"tool_calls": [{"name": "ask_user", "arguments": {"question": "Which color?", "choices": ["red", "blue"]}}]},
        },
        {"when": {"tool_name": "ask_user", "tool_result": "blue"}, "reply": {"text": "You chose blue."}},
        {"when": {"tool_name": "ask_user"}, "reply": {"text": "No answer."}},
        {"when": {"user_regex": "(?i)\\bhello\\b"}, "reply": {"text": "Hello! I am the Copilot stand-in."}},
        {"when": {"user": "run the shell"}, "reply": {"tool_calls": [{"name": "bash", "arguments": {"command": "echo hi", "description": "say hi"}}]}},
        {"when": {"tool_name": "bash"}, "reply": {"text": "The shell step is done."}},
    ],
    "default": {"text": "OK"},
}


async def test_user_input_handler(client: CopilotClient, hermetic: Hermetic) -> None:
    hermetic.standin.set_scenario(ASK)
    asked: list[tuple[Any, Any]] = []

    async def on_user_input(request: dict[str, Any], invocation: dict[str, str]) -> dict[str, Any]:
        asked.append((request, invocation))
        return {"answer": "blue", "wasFreeform": False}

    session = await client.create_session(
        on_user_input_request=on_user_input, on_permission_request=PermissionHandler.approve_all
    )
    reply = await session.send_and_wait("ask me")
    assert reply is not None and reply.data.content == "You chose blue."
    request, invocation = asked[0]
    assert request["question"] == "Which color?"
    assert request["choices"] == ["red", "blue"]
    assert invocation == {"session_id": session.session_id}


async def test_hooks_see_inputs_and_change_the_prompt(client: CopilotClient, hermetic: Hermetic) -> None:
    hermetic.standin.set_scenario(ASK)
    calls: list[tuple[str, Any]] = []

    def record(name: str) -> Any:
        def hook(hook_input: dict[str, Any], invocation: dict[str, str]) -> Any:
            calls.append((name, hook_input))
            if "greet" in str(hook_input.get("prompt", "")):
                return {"modifiedPrompt": "hello"}
            return None

        return hook

    async def pre_tool(hook_input: dict[str, Any], invocation: dict[str, str]) -> dict[str, Any]:
        calls.append(("pre", hook_input))
        return {"permissionDecision": "allow"}

    def broken(hook_input: Any, invocation: Any) -> Any:
        raise RuntimeError("hook bug")  # logged; the CLI ignores the failed hook

    session = await client.create_session(
        hooks={
            "on_session_start": record("start"),
            # Rewrites the prompt: the model (stand-in) sees "hello" and greets.
            "on_user_prompt_submitted": record("prompt"),
            "on_pre_tool_use": pre_tool,
            "on_post_tool_use": broken,
        }
    )
    reply = await session.send_and_wait("please greet me")
    assert reply is not None and reply.data.content == "Hello! I am the Copilot stand-in."
    names = [n for n, _ in calls]
    assert names[:2] == ["start", "prompt"]
    prompt_input = calls[1][1]
    assert prompt_input["prompt"] == "please greet me"
    assert prompt_input["workingDirectory"] == str(hermetic.workdir)
    assert isinstance(prompt_input["timestamp"], datetime)
    # preToolUse "allow" lets bash run with no permission handler at all (deny-all default).
    reply = await session.send_and_wait("run the shell")
    assert reply is not None and reply.data.content == "The shell step is done."
    pre = next(i for n, i in calls if n == "pre")
    assert pre["toolName"] == "bash"
    assert pre["toolArgs"]["command"] == "echo hi"


async def test_lifecycle_events(client: CopilotClient) -> None:
    created: list[Any] = []
    deleted: list[Any] = []
    everything: list[Any] = []
    unsubscribe = client.on_lifecycle(everything.append)
    client.on_lifecycle("session.created", created.append)
    client.on_lifecycle("session.deleted", deleted.append)
    session = await client.create_session()
    await session.send_and_wait("hello")
    await session.disconnect()
    await client.delete_session(session.session_id)
    # Each on_lifecycle() is its own subscription: wait until both have seen the deletion.
    await wait_until(
        lambda: bool(deleted) and any(e.type == "session.deleted" for e in everything),
        "both lifecycle subscriptions saw session.deleted",
    )
    assert any(isinstance(e, SessionCreatedEvent) and e.session_id == session.session_id for e in created)
    # The CLI may announce a deletion more than once (observed with 1.0.102); each one is
    # delivered, none is invented.
    assert deleted and {e.session_id for e in deleted} == {session.session_id}
    assert isinstance(deleted[0], SessionDeletedEvent)
    assert {e.type for e in everything} >= {"session.created", "session.deleted"}
    unsubscribe()


async def test_list_metadata_resume_delete(client: CopilotClient, hermetic: Hermetic) -> None:
    session = await client.create_session(working_directory=str(hermetic.workdir))
    await session.send_and_wait("hello")
    sid = session.session_id
    await session.disconnect()

    listed = await client.list_sessions()
    mine = [m for m in listed if m.session_id == sid]
    assert mine, [m.session_id for m in listed]
    assert isinstance(mine[0].start_time, datetime)
    assert mine[0].is_remote is False
    filtered = await client.list_sessions(SessionListFilter(working_directory=str(hermetic.workdir)))
    assert sid in [m.session_id for m in filtered]
    meta = await client.get_session_metadata(sid)
    assert meta is not None and meta.session_id == sid
    assert await client.get_session_metadata("00000000-0000-0000-0000-000000000000") is None
    assert await client.get_last_session_id() == sid

    resumed = await client.resume_session(sid, on_permission_request=PermissionHandler.approve_all)
    assert resumed.session_id == sid
    reply = await resumed.send_and_wait("something else")
    assert reply is not None and reply.data.content == "OK"
    history = [e.data.content for e in await resumed.get_events() if e.type == "user.message"]
    assert history == ["hello", "something else"]
    await resumed.disconnect()

    await client.delete_session(sid)
    assert sid not in [m.session_id for m in await client.list_sessions()]


async def test_list_models(client: CopilotClient, hermetic: Hermetic) -> None:
    models = await client.list_models()
    ids = [m.id for m in models]
    assert "claude-sonnet-4.5" in ids
    m = next(m for m in models if m.id == "claude-sonnet-4.5")
    assert isinstance(m, ModelInfo)
    assert m.name
    assert m.capabilities.limits.max_context_window_tokens == 128000
    session = await client.create_session(model="claude-sonnet-4")
    await session.send_and_wait("hello")
    assert hermetic.standin.chat_requests()[-1]["body"]["model"] == "claude-sonnet-4"


async def test_on_list_models_override(hermetic: Hermetic) -> None:
    async def models() -> list[ModelInfo]:
        return [ModelInfo(id="mine", name="Mine")]

    client = hermetic.client(on_list_models=models)
    assert [m.id for m in await client.list_models()] == ["mine"]


async def test_tcp_connection(hermetic: Hermetic) -> None:
    async with hermetic.client(connection=RuntimeConnection.for_tcp(path=CLI)) as client:
        session = await client.create_session()
        reply = await session.send_and_wait("hello")
        assert reply is not None and reply.data.content == "Hello! I am the Copilot stand-in."


async def test_existing_server_connection(hermetic: Hermetic) -> None:
    env = hermetic.env()
    env["GH_TOKEN"] = TOKEN
    server = subprocess.Popen(
        [CLI, "--server", "--port", "0", "--no-auto-update"],
        env=env,
        cwd=str(hermetic.workdir),
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
    )
    try:
        port = None
        assert server.stdout is not None
        for _ in range(50):
            line = server.stdout.readline()
            m = re.search(r"listening on port (\d+)", line)
            if m:
                port = int(m.group(1))
                break
        assert port, "the CLI server did not report its port"
        client = CopilotClient(connection=RuntimeConnection.for_uri(f"localhost:{port}"))
        async with client:
            session = await client.create_session(working_directory=str(hermetic.workdir))
            reply = await session.send_and_wait("hello")
            assert reply is not None and reply.data.content == "Hello! I am the Copilot stand-in."
    finally:
        server.terminate()
        try:
            server.wait(10)
        except subprocess.TimeoutExpired:
            server.kill()
