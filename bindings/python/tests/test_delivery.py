"""Delivery guarantees seen from Python: order, completeness, the event loop staying free
while Rust works, callbacks on the caller's loop, and elicitation round trips."""

from __future__ import annotations

import asyncio
import threading
from typing import Any

from conftest import Hermetic, collect_until

from copilot_core import CopilotClient
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


