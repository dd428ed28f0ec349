"""The installed package: an abi3 wheel with its stubs, imported from site-packages, with the
official module layout."""

from __future__ import annotations

import importlib
import inspect
import os
import zipfile
from importlib import metadata
from pathlib import Path

import pytest

import copilot_core

SOURCE_TREE = Path(__file__).resolve().parents[1] / "python"


def test_imported_from_the_installed_wheel() -> None:
    if os.environ.get("COPILOT_CORE_WHEEL") is None:
        pytest.skip("run by bindings/python/test.sh against a fresh venv")
    location = Path(copilot_core.__file__).resolve()
    assert SOURCE_TREE not in location.parents, location
    assert "site-packages" in location.parts
    dist = metadata.distribution("copilot-core")
    files = {str(f) for f in dist.files or []}
    assert "copilot_core/py.typed" in files
    assert "copilot_core/_native.pyi" in files
    assert any(f.startswith("copilot_core/_native") and f.endswith(".so") for f in files)


def test_wheel_is_abi3() -> None:
    wheel = os.environ.get("COPILOT_CORE_WHEEL")
    if wheel is None:
        pytest.skip("run by bindings/python/test.sh against a fresh venv")
    assert "-cp310-abi3-" in Path(wheel).name
    with zipfile.ZipFile(wheel) as z:
        names = set(z.namelist())
        wheel_meta = next(n for n in names if n.endswith(".dist-info/WHEEL"))
        assert "Tag: cp310-abi3-" in z.read(wheel_meta).decode()
    assert "copilot_core/py.typed" in names
    assert "copilot_core/_native.pyi" in names
    assert any(n.startswith("copilot_core/_native.abi3") for n in names)


@pytest.mark.parametrize(
    "module, names",
    [
        ("copilot_core", ["CopilotClient", "CopilotSession", "PermissionHandler", "define_tool", "Tool",
                          "CloudSessionOptions", "CloudSessionRepository", "RuntimeConnection", "SessionEvent",
                          "PermissionNoResult", "ModelInfo", "SessionMetadata", "ToolInvocation", "ToolResult"]),
        ("copilot_core.client", ["CopilotClient", "RuntimeConnection", "CloudSessionOptions"]),
        ("copilot_core.session", ["CopilotSession", "PermissionHandler", "SessionHooks", "UserInputRequest"]),
        ("copilot_core.session_events", ["SessionEvent", "SessionEventType", "AssistantMessageDeltaData",
                                          "SessionInfoData", "SessionIdleData", "PermissionRequestShell"]),
        ("copilot_core.tools", ["Tool", "ToolInvocation", "ToolResult", "define_tool"]),
        ("copilot_core.rpc", ["RemoteEnableResult", "PermissionDecisionApproveOnce", "PermissionDecisionReject"]),
        ("copilot_core.errors", ["CopilotError", "PolicyBlocked", "CliNotFoundError", "CopilotTimeoutError"]),
    ],
)
def test_module_layout(module: str, names: list[str]) -> None:
    mod = importlib.import_module(module)
    for n in names:
        assert hasattr(mod, n), f"{module}.{n}"


def test_official_signatures() -> None:
    from copilot_core import CopilotClient, CopilotSession

    params = inspect.signature(CopilotClient.__init__).parameters
    for name in ("connection", "working_directory", "log_level", "env", "github_token", "base_directory",
                 "use_logged_in_user", "session_idle_timeout_seconds", "enable_remote_sessions"):
        assert params[name].kind is inspect.Parameter.KEYWORD_ONLY, name
    assert params["log_level"].default == "info"
    create = inspect.signature(CopilotClient.create_session).parameters
    for name in ("on_permission_request", "model", "session_id", "tools", "streaming", "working_directory",
                 "hooks", "on_user_input_request", "cloud", "system_message", "provider", "mcp_servers"):
        assert name in create, name
    send = inspect.signature(CopilotSession.send_and_wait).parameters
    assert send["timeout"].default == 60.0
    assert list(inspect.signature(CopilotClient.resume_session).parameters)[1] == "session_id"


def test_event_types_compare_as_strings() -> None:
    from copilot_core import SessionEventType

    assert SessionEventType.SESSION_INFO == "session.info"
    assert f"{SessionEventType.ASSISTANT_MESSAGE_DELTA}" == "assistant.message_delta"
    assert SessionEventType("brand.new") is SessionEventType.UNKNOWN
