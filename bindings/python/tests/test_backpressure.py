"""A slow ``session.on()`` handler against a flood of events: nothing is lost or reordered
while the delivery waits for the loop (the per-listener slot fills to its bound, then the
rest waits in the core's queue). The flood comes from copilot-firehose, a scripted JSON-RPC
load generator (not the CLI): the real CLI cannot emit 20,000 events on demand."""

from __future__ import annotations

import asyncio
import contextlib
import os
import subprocess
import time
from pathlib import Path
from typing import Any

import pytest

from copilot_core import CopilotClient, PermissionHandler, RuntimeConnection

REPO = Path(__file__).resolve().parents[3]
EVENTS = 20_000


@pytest.fixture(scope="module")
def firehose() -> str:
    subprocess.run(
        ["cargo", "build", "--release", "--quiet", "-p", "copilot-firehose"], cwd=REPO, check=True, stdin=subprocess.DEVNULL
    )
    target = Path(os.environ.get("CARGO_TARGET_DIR") or REPO / "target")
    path = target / "release" / "copilot-firehose"
    assert path.exists(), path
    return str(path)


async def test_a_stalled_on_handler_loses_nothing(firehose: str) -> None:
    env = {**os.environ, "FIREHOSE_EVENTS": str(EVENTS)}
    client = CopilotClient(connection=RuntimeConnection.for_stdio(path=firehose), env=env)
    await client.start()
    try:
        session = await client.create_session(on_permission_request=PermissionHandler.approve_all)
        seqs: list[int] = []
        done = asyncio.Event()

        def on_event(e: Any) -> None:
            if e.type.value == "assistant.message_delta":
                if not seqs:
                    time.sleep(1.0)  # blocks the loop while the whole flood arrives
                seqs.append(e.data["seq"])
            elif e.type.value == "session.idle":
                done.set()

        session.on(on_event)
        await session.send("go")
        await asyncio.wait_for(done.wait(), 120)
        assert len(seqs) == EVENTS
        assert seqs == list(range(EVENTS))
    finally:
        # The firehose does not implement every teardown call.
        with contextlib.suppress(Exception):
            await asyncio.wait_for(client.stop(), 10)
