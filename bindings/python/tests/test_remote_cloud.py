"""Remote sessions (Mission Control export/steering, the kept URL, QR codes) and cloud
sessions (create, readiness before the first send, streamed reply, policy refusals)."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest

from conftest import Hermetic, wait_until

import copilot_core

from copilot_core import (
    CloudSessionOptions,
    CloudSessionRepository,
    CopilotClient,
    InvalidConfigError,
    PermissionHandler,
    PolicyBlocked,
    RemoteEnableRequest,
    RemoteEnableResult,
    RemoteSessionMode,
    SessionEvent,
)
from copilot_core.session_events import AssistantMessageDeltaData, SessionInfoData

TASK_URL = "https://github.com/copilot/tasks/"


async def test_always_on_remote_url_arrives_on_session_info(hermetic: Hermetic) -> None:
    async with hermetic.client(enable_remote_sessions=True) as client:
        session = await client.create_session()
        infos: list[SessionEvent] = []
        got = asyncio.Event()

        def on_event(event: SessionEvent) -> None:
            if event.type == "session.info" and event.data.info_type == "remote":
                infos.append(event)
                got.set()

        session.on(on_event)  # registered after create: the create-time event still arrives
        await asyncio.wait_for(got.wait(), 30)
        info = infos[0]
        assert isinstance(info.data, SessionInfoData)
        assert info.data.url.startswith(TASK_URL)
        # The core keeps the URL (the CLI sends it only once).
        assert session.remote_url == info.data.url
        qr = session.remote_qr_text()
        assert len(qr.splitlines()) > 10 and "█" in qr
        svg = session.remote_qr_svg()
        assert "<svg" in svg
        # They encode the kept URL (the core's encoder; its tests decode them back).
        assert qr == copilot_core.qr_text(info.data.url)
        assert svg == copilot_core.qr_svg(info.data.url)
        assert qr != copilot_core.qr_text(info.data.url + "x")
        # The stand-in's Mission Control saw the export.
        assert session.session_id in hermetic.standin.remote_sessions()


async def test_on_demand_enable_and_disable(client: CopilotClient, hermetic: Hermetic) -> None:
    session = await client.create_session()
    assert session.remote_url is None
    with pytest.raises(InvalidConfigError):
        session.remote_qr_text()  # no URL yet
    result = await session.rpc.remote.enable()
    assert isinstance(result, RemoteEnableResult)
    assert result.url and result.url.startswith(TASK_URL)
    assert result.remote_steerable is True
    assert session.remote_url == result.url
    assert session.remote_steerable is True
    await session.rpc.remote.disable()
    assert session.remote_steerable is False
    assert session.remote_url == result.url  # still kept
    # Export-only mode: viewable, not steerable.
    other = await client.create_session()
    r2 = await other.rpc.remote.enable(RemoteEnableRequest(mode=RemoteSessionMode.EXPORT))
    assert r2.url and r2.url.startswith(TASK_URL)


async def test_per_session_remote_mode(client: CopilotClient, hermetic: Hermetic) -> None:
    # "on": exported and steerable; the URL arrives on session.info.
    session = await client.create_session(remote_session=RemoteSessionMode.ON)
    got = asyncio.Event()
    session.on("session.info", lambda e: got.set() if e.data.info_type == "remote" else None)
    await session.send_and_wait("hello")
    await asyncio.wait_for(got.wait(), 30)
    assert session.remote_url and session.remote_url.startswith(TASK_URL)
    # "export": viewable only; the CLI exports without announcing a URL (CLI 1.0.102).
    exported = await client.create_session(remote_session="export")
    await exported.send_and_wait("hello")
    # The export is a request the CLI makes in the background; nothing announces it.
    await wait_until(lambda: exported.session_id in hermetic.standin.remote_sessions(), "the session was exported")


CLOUD = CloudSessionOptions(repository=CloudSessionRepository(owner="octo", name="hello", branch="main"))


async def test_cloud_session_waits_for_the_agent_then_streams(hermetic: Hermetic) -> None:
    hermetic.standin.configure(worker_delay=2.0)
    async with hermetic.client() as client:
        session = await client.create_session(
            cloud=CLOUD, on_permission_request=PermissionHandler.approve_safety, streaming=True
        )
        assert session.is_cloud
        assert session.session_id
        deltas: list[str] = []
        session.on(lambda e: deltas.append(e.data.delta_content) if isinstance(e.data, AssistantMessageDeltaData) else None)
        # The first send waits for the cloud agent's session.start (not dropped).
        reply = await session.send_and_wait("hello cloud", timeout=90)
        assert session.is_ready
        assert reply is not None and reply.data.content == "Hello from the cloud worker."
        assert "".join(deltas) == "Hello from the cloud worker."
        assert session.remote_url == f"https://github.com/octo/hello/tasks/{hermetic.standin.tasks()[0]['id']}"
        task = hermetic.standin.tasks()[0]
        assert task["request"]["repositories"][0]["owner"] == "octo"
        assert task["steers"] and task["steers"][0]["content"] == "hello cloud"


async def test_cloud_events_iterator_and_wait_until_ready(hermetic: Hermetic) -> None:
    hermetic.standin.configure(worker_delay=1.0)
    async with hermetic.client() as client:
        session = await client.create_session(cloud=CloudSessionOptions(), wait_for_cloud_ready=False)
        await session.wait_until_ready(timeout=60)
        assert session.is_ready
        seen: list[str] = []

        async def read() -> None:
            async for ev in session.events():
                seen.append(str(ev.type))
                if ev.type == "session.idle":
                    return

        reader = asyncio.ensure_future(read())
        await session.send("hello cloud")
        await asyncio.wait_for(reader, 60)
        assert "assistant.message" in seen


async def test_cloud_policy_blocked(hermetic: Hermetic) -> None:
    hermetic.standin.configure(mc_mode="policy_blocked")
    async with hermetic.client() as client:
        with pytest.raises(PolicyBlocked) as info:
            await client.create_session(cloud=CLOUD)
        assert info.value.kind == "policy_blocked"
        # The client keeps working.
        session = await client.create_session()
        assert (await session.send_and_wait("hello")) is not None


async def test_cloud_options_rejected_on_resume(client: CopilotClient) -> None:
    session = await client.create_session()
    await session.send_and_wait("hello")
    await session.disconnect()
    with pytest.raises(InvalidConfigError):
        await client.resume_session(session.session_id, cloud=CLOUD)
    with pytest.raises(InvalidConfigError):
        await client.create_session(cloud=CLOUD, session_id="mine")


