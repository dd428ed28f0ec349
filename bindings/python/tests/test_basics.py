"""Client start/stop, sessions, send / send_and_wait, streaming events, session.on and
session.events() against the real CLI."""

from __future__ import annotations

import asyncio

import pytest

from conftest import Hermetic, collect_until, types

import copilot_core
from copilot_core import CopilotClient, PermissionHandler, SessionEventType
from copilot_core.session_events import (
    AssistantMessageData,
    AssistantMessageDeltaData,
    SessionIdleData,
    SessionStartData,
)

HELLO = "Hello! I am the Copilot stand-in."


async def test_start_stop_and_state(hermetic: Hermetic) -> None:
    client = hermetic.client()
    assert client.get_state() == "disconnected"
    await client.start()
    assert client.get_state() == "connected"
    await client.start()  # idempotent
    assert client.protocol_version == 3
    status = await client.get_status()
    assert status.protocol_version == 3 and status.version
    pong = await client.ping("hi")
    assert "pong" in pong.message
    auth = await client.get_auth_status()
    assert auth.is_authenticated is True
    await client.stop()
    assert client.get_state() == "disconnected"
    await client.stop()  # idempotent


async def test_async_with_and_create_session_autostarts(hermetic: Hermetic) -> None:
    async with hermetic.client() as client:
        assert client.get_state() == "connected"
    assert client.get_state() == "disconnected"
    # create_session starts the client on demand (as in the seed examples).
    lazy = hermetic.client()
    try:
        session = await lazy.create_session(on_permission_request=PermissionHandler.approve_all)
        assert lazy.get_state() == "connected"
        assert session.session_id
    finally:
        await lazy.stop()


async def test_send_and_wait_returns_the_reply(client: CopilotClient, hermetic: Hermetic) -> None:
    session = await client.create_session(working_directory=str(hermetic.workdir))
    reply = await session.send_and_wait("hello there")
    assert reply is not None
    assert reply.type == "assistant.message"
    assert reply.type is SessionEventType.ASSISTANT_MESSAGE
    assert isinstance(reply.data, AssistantMessageData)
    assert reply.data.content == HELLO
    reply2 = await session.send_and_wait("something else")
    assert reply2 is not None and reply2.data.content == "OK"
    await session.disconnect()
    await session.disconnect()  # idempotent


async def test_streaming_events_arrive_in_order(client: CopilotClient) -> None:
    session = await client.create_session(streaming=True)
    events_task = asyncio.ensure_future(collect_until(session, "session.idle"))
    await asyncio.sleep(0)
    message_id = await session.send("hi")
    assert isinstance(message_id, str) and message_id
    events = await events_task
    ts = types(events)
    assert ts[0] == "session.start"
    deltas = [e for e in events if isinstance(e.data, AssistantMessageDeltaData)]
    assert len(deltas) >= 2, ts
    assert "".join(d.data.delta_content for d in deltas) == HELLO
    i_delta = ts.index("assistant.message_delta")
    i_msg = ts.index("assistant.message")
    i_idle = ts.index("session.idle")
    assert ts.index("user.message") < i_delta < i_msg < i_idle
    assert isinstance(events[0].data, SessionStartData)
    assert isinstance(events[i_idle].data, SessionIdleData)
    # Ids chain: every event's parent is an earlier event (ephemeral ones included).
    assert events[0].parent_id is None


async def test_session_on_and_unsubscribe(client: CopilotClient) -> None:
    session = await client.create_session(streaming=True)
    seen: list[str] = []
    deltas: list[str] = []

    def on_event(event: copilot_core.SessionEvent) -> None:
        seen.append(str(event.type))
        if event.type == "assistant.message_delta":
            deltas.append(event.data.delta_content)

    def broken(event: copilot_core.SessionEvent) -> None:
        raise RuntimeError("handler bug")  # logged, never kills delivery

    only_idle: list[str] = []
    unsubscribe = session.on(on_event)
    session.on(broken)
    session.on("session.idle", lambda e: only_idle.append(str(e.type)))
    await session.send_and_wait("hello")
    # send_and_wait returns after the handlers have seen the end of the turn.
    assert "session.start" in seen  # create-time events are delivered too
    assert "".join(deltas) == HELLO
    assert seen[-1] == "session.idle"
    assert only_idle == ["session.idle"]
    unsubscribe()
    count = len(seen)
    await session.send_and_wait("again")
    await asyncio.sleep(0.2)
    assert len(seen) == count
    assert only_idle == ["session.idle", "session.idle"]


async def test_async_handlers_are_awaited(client: CopilotClient) -> None:
    session = await client.create_session()
    got = asyncio.Event()

    async def on_event(event: copilot_core.SessionEvent) -> None:
        await asyncio.sleep(0)
        if event.type == "session.idle":
            got.set()

    session.on(on_event)
    await session.send("hello")
    await asyncio.wait_for(got.wait(), 30)


async def test_events_iterator_ends_on_disconnect(client: CopilotClient) -> None:
    session = await client.create_session()
    stream = session.events()
    await session.send_and_wait("hello")
    await session.disconnect()
    seen = [str(e.type) async for e in stream]
    assert seen[0] == "session.start"
    assert "assistant.message" in seen
    assert "session.idle" in seen
    # A closed session refuses new work with a CopilotError.
    with pytest.raises(copilot_core.SessionClosedError):
        await session.send("hello")


async def test_on_event_option_and_context_manager(client: CopilotClient) -> None:
    seen: list[str] = []
    async with await client.create_session(on_event=lambda e: seen.append(str(e.type))) as session:
        await session.send_and_wait("hello")
    assert seen[0] == "session.start"
    assert "session.idle" in seen


async def test_get_events_returns_history(client: CopilotClient) -> None:
    session = await client.create_session()
    await session.send_and_wait("hello")
    history = await session.get_events()
    kinds = [str(e.type) for e in history]
    assert "user.message" in kinds and "assistant.message" in kinds
    msg = next(e for e in history if e.type == "assistant.message")
    assert msg.data.content == HELLO


async def test_abort_stops_a_running_turn(client: CopilotClient) -> None:
    session = await client.create_session(streaming=True)
    events_task = asyncio.ensure_future(collect_until(session, "session.idle", timeout=30))
    streaming = asyncio.Event()
    session.on("assistant.message_delta", lambda e: streaming.set())
    await session.send("slow")
    # Abort once the turn is streaming (5 deltas, 1 s apart), not after a guessed delay.
    await asyncio.wait_for(streaming.wait(), 30)
    await session.abort()
    events = await events_task
    idle = events[-1]
    assert idle.type == "session.idle"
    assert idle.data.aborted is True
