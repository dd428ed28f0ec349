"""Delivery guarantees seen from Python: order, completeness, the event loop staying free
while Rust works, callbacks on the caller's loop, and elicitation round trips."""

from __future__ import annotations

import asyncio
import threading
from typing import Any

import pytest
from conftest import Hermetic, collect_until

from copilot_core import CopilotClient
from copilot_core.session import _dispatchers
from copilot_core.session_events import AssistantMessageDeltaData

MANY = 400


def _long_text() -> str:
    return "".join(f"<{i:03d}>" for i in range(MANY))


async def test_many_deltas_in_order_none_lost(client: CopilotClient, hermetic: Hermetic) -> None:
    text = _long_text()
    hermetic.standin.set_scenario({"rules": [{"when": {"user": "long"}, "reply": {"text": text, "chunks": MANY}}]})
    session = await client.create_session(streaming=True)
    via_on: list[str] = []
    on_ids: list[Any] = []

    def on_event(e: Any) -> None:
        on_ids.append(e.id)
        if isinstance(e.data, AssistantMessageDeltaData):
            via_on.append(e.data.delta_content)

    session.on(on_event)
    # Both subscribers exist before the send.
    via_iter = asyncio.ensure_future(collect_until(session, "session.idle", timeout=120))
    reply = await session.send_and_wait("long", timeout=120)
    events = await via_iter
    assert reply is not None and reply.data.content == text
    iter_deltas = [e.data.delta_content for e in events if isinstance(e.data, AssistantMessageDeltaData)]
    assert len(iter_deltas) == MANY
    assert "".join(iter_deltas) == text
    assert "".join(via_on) == text
    # Two independent subscribers saw the very same sequence of events.
    ids = [e.id for e in events]
    assert on_ids[: len(ids)] == ids
    assert len(set(ids)) == len(ids)


async def test_event_loop_stays_free_while_rust_waits(client: CopilotClient) -> None:
    session = await client.create_session(streaming=True)
    ticks = 0
    stop = asyncio.Event()

    async def ticker() -> None:
        nonlocal ticks
        while not stop.is_set():
            ticks += 1
            await asyncio.sleep(0.01)

    t = asyncio.ensure_future(ticker())
    await session.send_and_wait("slow", timeout=60)  # about five seconds of streaming
    stop.set()
    await t
    assert ticks > 100, ticks


async def test_callbacks_run_on_the_callers_loop_thread(client: CopilotClient) -> None:
    threads: list[int] = []

    def elicit(context: dict[str, Any]) -> dict[str, Any]:
        threads.append(threading.get_ident())
        return {"action": "accept", "content": {"value": "typed"}}

    session = await client.create_session(on_elicitation_request=elicit)
    assert await session.ui.input("Your name?") == "typed"
    assert threads == [threading.get_ident()]


async def test_ui_dialogs_round_trip(client: CopilotClient) -> None:
    asked: list[dict[str, Any]] = []

    async def elicit(context: dict[str, Any]) -> dict[str, Any]:
        asked.append(context)
        props = context["requestedSchema"]["properties"]
        if "confirmed" in props:
            return {"action": "accept", "content": {"confirmed": True}}
        if "selection" in props:
            return {"action": "accept", "content": {"selection": props["selection"]["enum"][1]}}
        return {"action": "decline"}

    session = await client.create_session(on_elicitation_request=elicit)
    assert await session.ui.confirm("Deploy?") is True
    assert await session.ui.select("Where?", ["staging", "production"]) == "production"
    assert await session.ui.input("Name?") is None  # declined
    custom = await session.ui.elicitation(
        {"message": "Pick", "requestedSchema": {"type": "object", "properties": {"x": {"type": "string"}}}}
    )
    assert custom == {"action": "decline"}
    assert asked[0]["message"] == "Deploy?"
    assert asked[0]["session_id"] == session.session_id


async def test_failing_elicitation_handler_cancels(client: CopilotClient) -> None:
    def elicit(context: dict[str, Any]) -> dict[str, Any]:
        raise RuntimeError("ui bug")

    session = await client.create_session(on_elicitation_request=elicit)
    assert await session.ui.confirm("Deploy?") is False  # answered "cancel" by default




async def test_on_handlers_run_on_the_loop_thread_and_wake_asyncio_waiters(client: CopilotClient) -> None:
    """The docs' pattern: a plain handler sets an asyncio.Event that the caller awaits."""
    session = await client.create_session(streaming=True)
    threads: set[int] = set()
    seen: list[str] = []
    done = asyncio.Event()

    def on_event(e: Any) -> None:
        threads.add(threading.get_ident())
        seen.append(e.type.value)
        if e.type.value == "session.idle":
            done.set()

    session.on(on_event)
    await session.send("hello")
    await asyncio.wait_for(done.wait(), 30)
    assert threads == {threading.get_ident()}
    assert seen[0] == "session.start" and "assistant.message" in seen


async def test_unsubscribing_inside_a_handler_stops_delivery(client: CopilotClient) -> None:
    session = await client.create_session(streaming=True)
    calls: list[str] = []
    unsubscribe = None

    def first_only(e: Any) -> None:
        calls.append(e.type.value)
        assert unsubscribe is not None
        unsubscribe()

    unsubscribe = session.on(first_only)
    await session.send_and_wait("hello", timeout=30)
    assert calls == ["session.start"]


def test_on_delivers_on_a_loop_without_add_reader(hermetic: Hermetic) -> None:
    """Loops without add_reader (Windows' proactor) get events through call_soon_threadsafe."""

    class NoReaderLoop(asyncio.SelectorEventLoop):
        def add_reader(self, *args: Any, **kwargs: Any) -> None:
            raise NotImplementedError

    async def scenario() -> tuple[list[str], set[int]]:
        client = hermetic.client()
        await client.start()
        try:
            session = await client.create_session(streaming=True)
            seen: list[str] = []
            threads: set[int] = set()

            def on_event(e: Any) -> None:
                seen.append(e.type.value)
                threads.add(threading.get_ident())

            session.on(on_event)
            await session.send_and_wait("hello", timeout=30)
            # The loop-woken dispatcher was used, not the pipe.
            with pytest.raises(NotImplementedError):
                _dispatchers[asyncio.get_running_loop()].fileno()
            return list(seen), threads
        finally:
            await client.stop()

    loop = NoReaderLoop()
    try:
        seen, threads = loop.run_until_complete(scenario())
    finally:
        loop.close()
    assert seen[0] == "session.start" and "session.idle" in seen
    assert "assistant.message" in seen
    assert threads == {threading.get_ident()}
