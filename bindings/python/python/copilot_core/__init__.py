"""copilot_core: the GitHub Copilot SDK for Python, backed by a Rust engine.

The API mirrors the official ``copilot`` package: replace ``from copilot import ...`` with
``from copilot_core import ...``. Beyond it: ``async for event in session.events()``,
``session.remote_url`` and its QR code (``session.remote_qr_text()`` / ``remote_qr_svg()``),
``PermissionHandler.approve_safety`` / ``deny_all``, and cloud sessions that wait for their
agent before the first prompt. Permissions are denied unless a handler approves them.

Quick start::

    import asyncio
    from copilot_core import CopilotClient, PermissionHandler

    async def main():
        async with CopilotClient() as client:
            async with await client.create_session(
                on_permission_request=PermissionHandler.approve_safety, streaming=True
            ) as session:
                reply = await session.send_and_wait("Hello!")
                print(reply.data.content if reply else None)

    asyncio.run(main())
"""

import atexit as _atexit

from . import _native
from . import errors as errors
from . import rpc as rpc
from . import session_events as session_events
from ._native import PINNED_CLI_VERSION
from .client import (
    ChildProcessRuntimeConnection,
    CloudSessionOptions,
    CloudSessionRepository,
    CopilotClient,
    GetAuthStatusResponse,
    GetStatusResponse,
    LogLevel,
    ModelBilling,
    ModelCapabilities,
    ModelInfo,
    ModelLimits,
    ModelPolicy,
    ModelSupports,
    ModelVisionLimits,
    PingResponse,
    RuntimeConnection,
    SessionBackgroundEvent,
    SessionContext,
    SessionCreatedEvent,
    SessionDeletedEvent,
    SessionForegroundEvent,
    SessionLifecycleEvent,
    SessionLifecycleEventBase,
    SessionLifecycleEventMetadata,
    SessionLifecycleHandler,
    SessionListFilter,
    SessionMetadata,
    SessionUpdatedEvent,
    StdioRuntimeConnection,
    TcpRuntimeConnection,
    UriRuntimeConnection,
)
from .errors import (
    CliNotFoundError,
    CliStartupError,
    ClientStoppedError,
    ConnectionLostError,
    CopilotError,
    CopilotTimeoutError,
    HandlerError,
    InvalidConfigError,
    JsonRpcError,
    PolicyBlocked,
    PolicyBlockedError,
    ProtocolError,
    ProtocolVersionMismatchError,
    SessionClosedError,
    SessionError,
    TransportError,
)
from .rpc import (
    PermissionDecisionApproveForSession,
    PermissionDecisionApproveOnce,
    PermissionDecisionReject,
    PermissionDecisionUserNotAvailable,
    RemoteEnableRequest,
    RemoteEnableResult,
    RemoteSessionMode,
)
from .session import (
    AgentMessageSource,
    CopilotSession,
    CustomAgentConfig,
    ElicitationContext,
    ElicitationHandler,
    ElicitationResult,
    ExitPlanModeHandler,
    ExitPlanModeRequest,
    ExitPlanModeResult,
    InfiniteSessionConfig,
    MCPHTTPServerConfig,
    MCPServerConfig,
    MCPStdioServerConfig,
    MessageSource,
    PermissionHandler,
    PermissionInvocation,
    PermissionNoResult,
    PermissionRequestResult,
    ProviderConfig,
    SessionEventHandler,
    SessionEventStream,
    SessionHooks,
    SystemMessageConfig,
    UserInputHandler,
    UserInputRequest,
    UserInputResponse,
)
from .session_events import PermissionRequest, SessionEvent, SessionEventType
from .tools import (
    Tool,
    ToolBinaryResult,
    ToolInvocation,
    ToolResult,
    ToolResultType,
    convert_mcp_call_tool_result,
    define_tool,
)

__version__: str = _native.__version__

# Stop the native runtime from calling into Python once the interpreter starts to exit.
_atexit.register(_native._shutdown)


def find_cli(path: str | None = None) -> str:
    """Where the Copilot CLI is (the path the client would spawn). Raises
    :class:`CliNotFoundError`, with install instructions, when there is none."""
    return _native.find_cli(path)


def qr_text(data: str) -> str:
    """Any text (e.g. a remote-session URL) as a terminal QR code."""
    return _native.qr_text(data)


def qr_svg(data: str) -> str:
    """Any text (e.g. a remote-session URL) as an SVG QR code."""
    return _native.qr_svg(data)


__all__ = [
    "PINNED_CLI_VERSION",
    "AgentMessageSource",
    "ChildProcessRuntimeConnection",
    "CliNotFoundError",
    "CliStartupError",
    "ClientStoppedError",
    "CloudSessionOptions",
    "CloudSessionRepository",
    "ConnectionLostError",
    "CopilotClient",
    "CopilotError",
    "CopilotSession",
    "CopilotTimeoutError",
    "CustomAgentConfig",
    "ElicitationContext",
    "ElicitationHandler",
    "ElicitationResult",
    "ExitPlanModeHandler",
    "ExitPlanModeRequest",
    "ExitPlanModeResult",
    "GetAuthStatusResponse",
    "GetStatusResponse",
    "HandlerError",
    "InfiniteSessionConfig",
    "InvalidConfigError",
    "JsonRpcError",
    "LogLevel",
    "MCPHTTPServerConfig",
    "MCPServerConfig",
    "MCPStdioServerConfig",
    "MessageSource",
    "ModelBilling",
    "ModelCapabilities",
    "ModelInfo",
    "ModelLimits",
    "ModelPolicy",
    "ModelSupports",
    "ModelVisionLimits",
    "PermissionDecisionApproveForSession",
    "PermissionDecisionApproveOnce",
    "PermissionDecisionReject",
    "PermissionDecisionUserNotAvailable",
    "PermissionHandler",
    "PermissionInvocation",
    "PermissionNoResult",
    "PermissionRequest",
    "PermissionRequestResult",
    "PingResponse",
    "PolicyBlocked",
    "PolicyBlockedError",
    "ProtocolError",
    "ProtocolVersionMismatchError",
    "ProviderConfig",
    "RemoteEnableRequest",
    "RemoteEnableResult",
    "RemoteSessionMode",
    "RuntimeConnection",
    "SessionBackgroundEvent",
    "SessionClosedError",
    "SessionContext",
    "SessionCreatedEvent",
    "SessionDeletedEvent",
    "SessionError",
    "SessionEvent",
    "SessionEventHandler",
    "SessionEventStream",
    "SessionEventType",
    "SessionForegroundEvent",
    "SessionHooks",
    "SessionLifecycleEvent",
    "SessionLifecycleEventBase",
    "SessionLifecycleEventMetadata",
    "SessionLifecycleHandler",
    "SessionListFilter",
    "SessionMetadata",
    "SessionUpdatedEvent",
    "StdioRuntimeConnection",
    "SystemMessageConfig",
    "TcpRuntimeConnection",
    "Tool",
    "ToolBinaryResult",
    "ToolInvocation",
    "ToolResult",
    "ToolResultType",
    "TransportError",
    "UriRuntimeConnection",
    "UserInputHandler",
    "UserInputRequest",
    "UserInputResponse",
    "convert_mcp_call_tool_result",
    "define_tool",
    "errors",
    "find_cli",
    "qr_svg",
    "qr_text",
    "rpc",
    "session_events",
]
