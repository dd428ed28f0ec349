"""The exception hierarchy: every failure is a CopilotError subclass."""

from __future__ import annotations

import asyncio

import pytest

from conftest import Hermetic

import copilot_core
from copilot_core import (
    CliNotFoundError,
    CopilotClient,
    CopilotError,
    CopilotTimeoutError,
    InvalidConfigError,
    JsonRpcError,
    RuntimeConnection,
    SessionError,
)


def test_hierarchy() -> None:
    for cls in (
        CliNotFoundError,
        CopilotTimeoutError,
        InvalidConfigError,
        JsonRpcError,
        SessionError,
        copilot_core.PolicyBlocked,
        copilot_core.ProtocolError,
        copilot_core.ConnectionLostError,
        copilot_core.ClientStoppedError,
        copilot_core.SessionClosedError,
    ):
        assert issubclass(cls, CopilotError), cls
    assert issubclass(CopilotTimeoutError, TimeoutError)
    assert issubclass(InvalidConfigError, ValueError)
    assert issubclass(JsonRpcError, copilot_core.ProtocolError)
    assert copilot_core.PolicyBlocked is copilot_core.PolicyBlockedError


async def test_cli_not_found_says_how_to_install(hermetic: Hermetic, tmp_path) -> None:
    client = hermetic.client(connection=RuntimeConnection.for_stdio(path=str(tmp_path / "no-such-copilot")))
    with pytest.raises(CliNotFoundError) as info:
        await client.start()
    assert "npm install -g @github/copilot@" in str(info.value)
    assert info.value.kind == "cli_not_found"
    assert client.get_state() == "error"
    with pytest.raises(CliNotFoundError):
        copilot_core.find_cli(str(tmp_path / "missing"))


async def test_cli_not_found_on_an_empty_path(hermetic: Hermetic, tmp_path) -> None:
    env = {k: v for k, v in hermetic.env().items() if k != "COPILOT_CLI_PATH"}
    env["PATH"] = str(tmp_path)
    # No explicit path, no COPILOT_CLI_PATH, nothing on PATH: the core's search decides.
    client = hermetic.client(connection=RuntimeConnection.for_stdio(), env=env)
    try:
        await client.start()
    except CliNotFoundError as e:
        assert "COPILOT_CLI_PATH" in str(e)
    else:  # the pinned install under .tools/ of this repository was found
        await client.stop()


async def test_send_and_wait_timeout(client: CopilotClient) -> None:
    # The stand-in streams "slow" one chunk per second (streaming requests only).
    session = await client.create_session(streaming=True)
    with pytest.raises(CopilotTimeoutError) as info:
        await session.send_and_wait("slow", timeout=0.5)
    assert isinstance(info.value, TimeoutError)
    await session.abort()


async def test_session_error_from_a_failed_turn(client: CopilotClient) -> None:
    session = await client.create_session()
    with pytest.raises(SessionError) as info:
        await session.send_and_wait("bad request")
    assert info.value.status_code == 400
    assert info.value.error_type
    # The next turn works.
    reply = await session.send_and_wait("hello")
    assert reply is not None


async def test_invalid_config_is_a_value_error(client: CopilotClient, hermetic: Hermetic) -> None:
    with pytest.raises(InvalidConfigError):
        await client.create_session(reasoning_effort="extreme")
    with pytest.raises(ValueError):
        await client.create_session(working_directory=str(hermetic.root / "missing"))
    with pytest.raises(TypeError):
        await client.create_session(no_such_option=True)
    with pytest.raises(NotImplementedError):
        await client.create_session(commands=[object()])


async def test_rpc_errors_carry_the_code(client: CopilotClient) -> None:
    with pytest.raises(JsonRpcError) as info:
        await client.resume_session("00000000-0000-0000-0000-000000000000")
    assert info.value.code is not None


async def test_session_use_after_client_stop(hermetic: Hermetic) -> None:
    client = hermetic.client()
    session = await client.create_session()
    await client.stop()
    with pytest.raises(CopilotError):
        await session.send("hello")


async def test_handler_errors_never_kill_the_client(client: CopilotClient) -> None:
    def bad_user_input(request, invocation):
        raise RuntimeError("boom")

    session = await client.create_session(on_user_input_request=bad_user_input)
    assert (await session.send_and_wait("hello")) is not None
    assert (await client.ping()).message
    await asyncio.sleep(0)
