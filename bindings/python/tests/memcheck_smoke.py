"""A short end-to-end run for valgrind (bindings/python/test.sh runs it under memcheck).

Not a pytest module (no ``test_`` prefix): it is run as a script, with the real CLI and the
stand-in started outside valgrind, so that only this interpreter and the native module are
checked. It exercises every path that crosses the FFI boundary at least once: client start,
a streaming session with ``on()`` and ``events()`` subscribers, a Python tool and a Python
permission handler (callbacks scheduled from Rust threads onto the loop), an exception in a
handler, the remote URL and its QR code, error mapping, disconnect, stop and interpreter exit.

    python tests/memcheck_smoke.py   # needs COPILOT_CLI_PATH and COPILOT_STANDIN_URL
"""

from __future__ import annotations

import asyncio
import logging
import os
import sys
import tempfile
from typing import Any

import copilot_core
from copilot_core import CopilotClient, PermissionHandler, RuntimeConnection, define_tool


async def main() -> int:
    logging.getLogger("copilot_core").setLevel(logging.CRITICAL)  # the deliberate handler failure
    url = os.environ["COPILOT_STANDIN_URL"]
    state = tempfile.mkdtemp(prefix="copilot-memcheck-")
    env = {k: v for k, v in os.environ.items() if k not in ("GH_TOKEN", "GITHUB_TOKEN", "COPILOT_GITHUB_TOKEN")}
    for var in ("COPILOT_HOME", "XDG_CONFIG_HOME", "XDG_STATE_HOME", "GH_CONFIG_DIR", "COPILOT_CACHE_HOME"):
        env[var] = os.path.join(state, var.lower())
        os.makedirs(env[var], exist_ok=True)
    env.update(COPILOT_API_URL=url, COPILOT_DEBUG_GITHUB_API_URL=url, COPILOT_MC_BASE_URL=url + "/agents")

    calls: list[Any] = []

    @define_tool(name="get_weather", description="Weather for a city")
    def get_weather(params: dict[str, Any]) -> str:
        calls.append(params)
        return "sunny"

    def permission(request: Any, invocation: Any) -> Any:
        if request.kind == "shell":
            raise RuntimeError("a failing handler: the CLI gets the default answer")
        return PermissionHandler.approve_all(request, invocation)

    client = CopilotClient(
        connection=RuntimeConnection.for_stdio(path=os.environ["COPILOT_CLI_PATH"]),
        env=env,
        github_token="memcheck-token",
        working_directory=state,
        enable_remote_sessions=True,
    )
    async with client:
        session = await client.create_session(
            streaming=True, tools=[get_weather], on_permission_request=permission
        )
        deltas: list[str] = []
        session.on(lambda e: deltas.append(e.data.delta_content) if e.type == "assistant.message_delta" else None)
        reply = await session.send_and_wait("What's the weather in Paris?", timeout=120)
        assert reply is not None and "sunny" in reply.data.content, reply
        assert calls and calls[0]["city"] == "Paris", calls
        seen = []
        stream = session.events()
        await session.send("run the shell")
        async for event in stream:
            seen.append(event.type)
            if event.type == "session.idle":
                break
        assert "tool.execution_complete" in seen, seen
        if session.remote_url:
            assert "<svg" in session.remote_qr_svg()
            assert session.remote_qr_text()
        try:
            await client.resume_session("00000000-0000-0000-0000-000000000000")
        except copilot_core.CopilotError as e:
            assert "memcheck-token" not in str(e)
        await session.disconnect()
    print(f"memcheck smoke: ok ({len(deltas)} deltas, tool calls {calls})")
    return 0


if __name__ == "__main__":
    sys.exit(asyncio.run(main()))
