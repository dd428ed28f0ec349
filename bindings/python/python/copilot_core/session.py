"""Sessions (:class:`CopilotSession`), permission handling and the handler types.

A session is driven by the Rust core. Python callbacks (permission decisions, tools,
hooks, user input, elicitation, plan-mode exits) are called on the event loop that
created the session, sync or async alike; a callback that raises is logged and the CLI
gets the protocol's default answer (PROTOCOL.md section 7), the session keeps working.
"""

from __future__ import annotations

import asyncio
import collections
import contextlib
import inspect
import json
import logging
import pathlib
import weakref
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass
from datetime import datetime, timezone
from typing import TYPE_CHECKING, Any, Literal, TypedDict, Union, cast

from . import _native
from ._data import snake_to_camel
from .errors import CopilotError, SessionError, _expect
from .rpc import (
    PermissionDecision,
    PermissionDecisionApproveForLocation,
    PermissionDecisionApproveForSession,
    PermissionDecisionApproveOnce,
    PermissionDecisionApprovePermanently,
    PermissionDecisionReject,
    PermissionDecisionUserNotAvailable,
    SessionRpc,
)
from .session_events import PermissionRequest, SessionEvent, SessionEventType, permission_request_from_dict
from .tools import Tool, ToolInvocation, _run_tool

if TYPE_CHECKING:
    from .client import CopilotClient

__all__ = [
    "AgentMessageSource",
    "Attachment",
    "CopilotSession",
    "CustomAgentConfig",
    "ElicitationContext",
    "ElicitationHandler",
    "ElicitationResult",
    "ExitPlanModeHandler",
    "ExitPlanModeRequest",
    "ExitPlanModeResult",
    "InfiniteSessionConfig",
    "MCPHTTPServerConfig",
    "MCPServerConfig",
    "MCPStdioServerConfig",
    "MessageSource",
    "PermissionDecision",
    "PermissionDecisionApproveForLocation",
    "PermissionDecisionApproveForSession",
    "PermissionDecisionApproveOnce",
    "PermissionDecisionApprovePermanently",
    "PermissionDecisionReject",
    "PermissionDecisionUserNotAvailable",
    "PermissionHandler",
    "PermissionInvocation",
    "PermissionNoResult",
    "PermissionRequest",
    "PermissionRequestResult",
    "ProviderConfig",
    "SessionEventHandler",
    "SessionEventStream",
    "SessionHooks",
    "SessionUiApi",
    "SystemMessageConfig",
    "UserInputHandler",
    "UserInputRequest",
    "UserInputResponse",
]

logger = logging.getLogger("copilot_core")

#: How long ``send_and_wait`` lets ``on()`` handlers catch up with the turn's last event.
_HANDLER_CATCH_UP_SECONDS = 5.0


# Handler and configuration types (shapes as in the official package).


class PermissionInvocation(TypedDict, total=False):
    """Second argument of a permission handler."""

    session_id: str
    request_id: str


@dataclass
class PermissionNoResult:
    """Leaves the permission request unanswered, so another client attached to the session
    can answer it."""

    kind: Literal["no-result"] = "no-result"


PermissionRequestResult = Union[PermissionDecision, PermissionNoResult]


class UserInputRequest(TypedDict, total=False):
    """A question from the agent's ``ask_user`` tool."""

    question: str
    choices: list[str]
    allowFreeform: bool


class UserInputResponse(TypedDict):
    """The answer to a :class:`UserInputRequest`."""

    answer: str
    wasFreeform: bool


UserInputHandler = Callable[
    [UserInputRequest, "dict[str, str]"], Union[UserInputResponse, Awaitable[UserInputResponse]]
]


class ExitPlanModeRequest(TypedDict, total=False):
    """Request to leave plan mode."""

    summary: str
    planContent: str
    actions: list[str]
    recommendedAction: str


class ExitPlanModeResult(TypedDict, total=False):
    """Answer to an :class:`ExitPlanModeRequest`."""

    approved: bool
    selectedAction: str
    feedback: str


ExitPlanModeHandler = Callable[
    [ExitPlanModeRequest, "dict[str, str]"], Union[ExitPlanModeResult, Awaitable[ExitPlanModeResult]]
]


class ElicitationContext(TypedDict, total=False):
    """Argument of an elicitation handler: the request plus the session id."""

    session_id: str
    message: str
    requestedSchema: dict[str, Any]
    mode: Literal["form", "url"]
    elicitationSource: str
    url: str


class ElicitationResult(TypedDict, total=False):
    """Answer to an elicitation: ``action`` is ``accept``, ``decline`` or ``cancel``."""

    action: Literal["accept", "decline", "cancel"]
    content: dict[str, Any]


ElicitationHandler = Callable[[ElicitationContext], Union[ElicitationResult, Awaitable[ElicitationResult]]]

HookHandler = Callable[[Any, "dict[str, str]"], Any]


class SessionHooks(TypedDict, total=False):
    """Hook handlers by name; each is ``handler(input, invocation)`` (sync or async) and may
    return an output dict or ``None``."""

    on_pre_tool_use: HookHandler
    on_pre_mcp_tool_call: HookHandler
    on_post_tool_use: HookHandler
    on_post_tool_use_failure: HookHandler
    on_user_prompt_submitted: HookHandler
    on_user_prompt_transformed: HookHandler
    on_session_start: HookHandler
    on_session_end: HookHandler
    on_error_occurred: HookHandler
    on_agent_stop: HookHandler
    on_subagent_start: HookHandler
    on_subagent_stop: HookHandler


_HOOK_NAMES = {
    "preToolUse": "on_pre_tool_use",
    "preMcpToolCall": "on_pre_mcp_tool_call",
    "postToolUse": "on_post_tool_use",
    "postToolUseFailure": "on_post_tool_use_failure",
    "userPromptSubmitted": "on_user_prompt_submitted",
    "userPromptTransformed": "on_user_prompt_transformed",
    "sessionStart": "on_session_start",
    "sessionEnd": "on_session_end",
    "errorOccurred": "on_error_occurred",
    "agentStop": "on_agent_stop",
    "subagentStart": "on_subagent_start",
    "subagentStop": "on_subagent_stop",
}


class MCPStdioServerConfig(TypedDict, total=False):
    """A local MCP server started as a process."""

    tools: list[str]
    type: Literal["local", "stdio"]
    timeout: int
    command: str
    args: list[str]
    env: dict[str, str]
    working_directory: str


class MCPHTTPServerConfig(TypedDict, total=False):
    """A remote MCP server."""

    tools: list[str]
    type: Literal["http", "sse"]
    timeout: int
    url: str
    headers: dict[str, str]


MCPServerConfig = Union[MCPStdioServerConfig, MCPHTTPServerConfig]


class CustomAgentConfig(TypedDict, total=False):
    """A custom agent."""

    name: str
    prompt: str
    display_name: str
    description: str
    tools: list[str] | None
    mcp_servers: dict[str, MCPServerConfig]
    infer: bool
    skills: list[str]
    model: str
    model_policy: Literal["preferred", "required"]
    reasoning_effort: str


class InfiniteSessionConfig(TypedDict, total=False):
    """Automatic context compaction."""

    enabled: bool
    background_compaction_threshold: float
    buffer_exhaustion_threshold: float


class ProviderConfig(TypedDict, total=False):
    """Bring-your-own-key model provider (snake_case keys)."""

    type: Literal["openai", "azure", "anthropic"]
    base_url: str
    api_key: str
    bearer_token: str
    wire_api: Literal["completions", "responses"]
    headers: dict[str, str]
    azure: dict[str, Any]


SystemMessageConfig = dict
"""``{"mode": "append" | "replace" | "customize", "content": ..., "sections": {...}}``."""

Attachment = dict
"""``{"type": "file", "path": ...}``, ``{"type": "directory", ...}``, ``{"type": "blob", ...}``, ..."""


@dataclass(frozen=True)
class AgentMessageSource:
    """Marks a message as coming from an identified agent (sent as ``agent-<id>``)."""

    agent_id: str

    def __post_init__(self) -> None:
        if not isinstance(self.agent_id, str):
            raise TypeError("agent_id must be a string")


MessageSource = Union[Literal["user", "system"], AgentMessageSource]

SessionEventHandler = Callable[[SessionEvent], None]


# Permission presets.


class PermissionHandler:
    """Ready-made permission handlers. Without a handler a session denies every request.

    - :meth:`approve_all`: approve everything;
    - :meth:`approve_safety`: approve everything except ``shell`` and ``write`` requests;
    - :meth:`deny_all`: reject everything (the default).

    The presets are decided in the Rust core, without a round trip through Python, when
    passed as ``on_permission_request``; they can also be called from your own handler.
    """

    @staticmethod
    def approve_all(request: PermissionRequest, invocation: PermissionInvocation) -> PermissionRequestResult:
        """Approves every request."""
        return PermissionDecisionApproveOnce()

    @staticmethod
    def approve_safety(request: PermissionRequest, invocation: PermissionInvocation) -> PermissionRequestResult:
        """Approves every request except ``shell`` and ``write``, which it rejects."""
        kind = getattr(request, "kind", None) or (request.get("kind") if isinstance(request, dict) else None)
        if kind in ("shell", "write"):
            return PermissionDecisionReject(feedback=f"{kind} requests are not allowed by the approve-safety policy")
        return PermissionDecisionApproveOnce()

    @staticmethod
    def deny_all(request: PermissionRequest, invocation: PermissionInvocation) -> PermissionRequestResult:
        """Rejects every request."""
        return PermissionDecisionReject(feedback="denied by the application's permission policy")


_PRESETS: dict[Any, str] = {
    PermissionHandler.approve_all: "approve-all",
    PermissionHandler.approve_safety: "approve-safety",
    PermissionHandler.deny_all: "deny-all",
}


def _preset_name(handler: Any) -> str | None:
    try:
        return _PRESETS.get(handler)
    except TypeError:  # unhashable callable
        return None


def _positional_arity(fn: Callable[..., Any]) -> int | None:
    """How many positional arguments ``fn`` accepts (None = any number / unknown)."""
    try:
        sig = inspect.signature(fn)
    except (TypeError, ValueError):
        return None
    n = 0
    for p in sig.parameters.values():
        if p.kind == p.VAR_POSITIONAL:
            return None
        if p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD):
            n += 1
    return n


async def _call(fn: Callable[..., Any], *args: Any) -> Any:
    """Calls a sync or async handler with as many of ``args`` as it takes."""
    arity = _positional_arity(fn)
    if arity is not None:
        args = args[: max(arity, 0)]
    result = fn(*args)
    if inspect.isawaitable(result):
        result = await result
    return result


def _to_wire(value: Any) -> Any:
    to_dict = getattr(value, "to_dict", None)
    if callable(to_dict):
        return to_dict()
    return value


def _permission_wire(result: Any) -> Any:
    """A handler's return value as the wire decision (``None`` = leave unanswered)."""
    if isinstance(result, PermissionNoResult):
        return None
    if result is True:
        return {"kind": "approve-once"}
    if result is False:
        return {"kind": "reject"}
    if isinstance(result, str):
        return {"kind": result}
    if isinstance(result, dict):
        if "kind" in result:
            return result
        if "allowed" in result:  # the shape some docs use: {"allowed": True}
            if result["allowed"]:
                return {"kind": "approve-once"}
            out: dict[str, Any] = {"kind": "reject"}
            reason = result.get("reason") or result.get("feedback")
            if reason:
                out["feedback"] = str(reason)
            return out
        raise ValueError(f"unrecognised permission decision {result!r}")
    wire = _to_wire(result)
    if isinstance(wire, dict) and "kind" in wire:
        return wire
    raise ValueError(f"unrecognised permission decision {result!r}")


def _hook_input(raw: Any) -> Any:
    if not isinstance(raw, dict):
        return raw
    out = dict(raw)
    if "cwd" in out:
        out["workingDirectory"] = out.pop("cwd")
    if "stop_hook_active" in out:
        out["stopHookActive"] = out.pop("stop_hook_active")
    ts = out.get("timestamp")
    if isinstance(ts, (int, float)) and not isinstance(ts, bool):
        out["timestamp"] = datetime.fromtimestamp(ts / 1000, tz=timezone.utc)
    err = out.get("error")
    if isinstance(err, dict) and "message" in err:
        out["error"] = err["message"]
    return out


def _json_default(obj: Any) -> Any:
    wire = _to_wire(obj)
    if wire is not obj:
        return wire
    if isinstance(obj, datetime):
        return obj.isoformat()
    raise TypeError(f"Object of type {type(obj).__name__} is not JSON serializable")


class _Callbacks:
    """The Python side of a session's callbacks; the native layer calls :meth:`dispatch`
    on the session's event loop. Holds the handlers only (not the session), so the native
    session does not keep the Python session alive."""

    def __init__(
        self,
        *,
        permission: Callable[..., Any] | None,
        tools: dict[str, Tool],
        user_input: Callable[..., Any] | None,
        hooks: SessionHooks | None,
        elicitation: Callable[..., Any] | None,
        exit_plan_mode: Callable[..., Any] | None,
    ):
        self.permission = permission
        self.tools = tools
        self.user_input = user_input
        self.hooks = dict(hooks or {})
        self.elicitation = elicitation
        self.exit_plan_mode = exit_plan_mode
        self._tasks: set[asyncio.Task[Any]] = set()

    def flags(self) -> dict[str, Any]:
        return {
            "permission": self.permission is not None,
            "tools": [name for name, t in self.tools.items() if t.handler is not None],
            "user_input": self.user_input is not None,
            "hooks": any(self.hooks.values()),
            "elicitation": self.elicitation is not None,
            "exit_plan_mode": self.exit_plan_mode is not None,
        }

    def dispatch(self, kind: str, payload_json: str, reply: _native.Reply) -> None:
        task = asyncio.get_running_loop().create_task(self._run(kind, payload_json, reply))
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def _run(self, kind: str, payload_json: str, reply: _native.Reply) -> None:
        try:
            payload = json.loads(payload_json)
            answer = await getattr(self, "_on_" + kind)(payload)
            reply.resolve(json.dumps(answer, default=_json_default))
        except asyncio.CancelledError:
            reply.fail(f"the {kind} handler was cancelled")
            raise
        except Exception as exc:
            logger.error("copilot_core: the %s handler raised; the CLI gets the default answer", kind, exc_info=True)
            reply.fail(f"{type(exc).__name__}: {exc}")

    async def _on_permission(self, payload: dict[str, Any]) -> Any:
        assert self.permission is not None
        request = permission_request_from_dict(payload.get("request"))
        invocation: PermissionInvocation = {
            "session_id": payload.get("sessionId", ""),
            "request_id": payload.get("requestId", ""),
        }
        return _permission_wire(await _call(self.permission, request, invocation))

    async def _on_tool(self, payload: dict[str, Any]) -> Any:
        name = payload.get("toolName", "")
        tool = self.tools.get(name)
        if tool is None or tool.handler is None:
            raise LookupError(f"no handler for tool {name!r}")
        invocation = ToolInvocation(
            session_id=payload.get("sessionId", ""),
            tool_call_id=payload.get("toolCallId", ""),
            tool_name=name,
            arguments=payload.get("arguments"),
        )
        return await _run_tool(tool.handler, invocation)

    async def _on_user_input(self, payload: dict[str, Any]) -> Any:
        assert self.user_input is not None
        request = payload.get("request") or {}
        result = await _call(self.user_input, request, {"session_id": payload.get("sessionId", "")})
        if isinstance(result, str):
            return {"answer": result, "wasFreeform": True}
        if isinstance(result, dict):
            answer = result.get("answer")
            if not isinstance(answer, str):
                raise ValueError(f"a user input answer needs a string 'answer', got {result!r}")
            freeform = result.get("wasFreeform", result.get("was_freeform", True))
            return {"answer": answer, "wasFreeform": bool(freeform)}
        raise ValueError(f"unrecognised user input answer {result!r}")

    async def _on_hook(self, payload: dict[str, Any]) -> Any:
        name = _HOOK_NAMES.get(payload.get("hookType", ""))
        handler = cast("Callable[..., Any] | None", self.hooks.get(name)) if name else None
        if handler is None:
            return {}
        result = await _call(handler, _hook_input(payload.get("input")), {"session_id": payload.get("sessionId", "")})
        return {} if result is None else _to_wire(result)

    async def _on_elicitation(self, payload: dict[str, Any]) -> Any:
        assert self.elicitation is not None
        request = payload.get("request") or {}
        context = {k: v for k, v in request.items() if k != "requestId"}
        context["session_id"] = payload.get("sessionId", "")
        result = await _call(self.elicitation, context)
        if result is None:
            return {"action": "cancel"}
        return _to_wire(result)

    async def _on_exit_plan_mode(self, payload: dict[str, Any]) -> Any:
        assert self.exit_plan_mode is not None
        result = await _call(
            self.exit_plan_mode, payload.get("request") or {}, {"session_id": payload.get("sessionId", "")}
        )
        if isinstance(result, bool):
            return {"approved": result}
        return _to_wire(result)


class _Listener:
    """One ``session.on`` registration: its own core subscription, pushed onto the loop by
    the loop's dispatcher. The native side posts a listener's next batch only after the loop
    took the previous one, so a slow handler leaves events in the core's bounded queue (and
    gets its lag report), never an unbounded backlog in the loop."""

    def __init__(
        self,
        session: CopilotSession,
        handler: Callable[[SessionEvent], Any],
        event_type: str | None,
    ):
        self.session = session
        self.handler = handler
        self.event_type = event_type
        self.sub = session._native.subscribe()
        self.active = True
        self.idle_seen = 0
        self.finished = False

    def start(self, loop: asyncio.AbstractEventLoop) -> None:
        # The subscription already queues events; attach it to the loop from the loop's thread.
        try:
            running = asyncio.get_running_loop()
        except RuntimeError:
            running = None
        if running is loop:
            self.sub.push(_dispatcher(loop), self._on_batch)
        else:
            loop.call_soon_threadsafe(lambda: self.sub.push(_dispatcher(loop), self._on_batch))

    def stop(self) -> None:
        self.active = False
        self.sub.close()

    def _on_batch(self, batch: list[tuple[str, str] | int] | None) -> None:
        if batch is None:
            self.finished = True
            self.sub.close()
            self.session._progress()
            return
        try:
            for item in batch:
                if not self.active:
                    break
                if isinstance(item, int):
                    logger.warning("copilot_core: an event handler fell behind; %d events were dropped", item)
                    continue
                event = SessionEvent._from_wire(*item)
                if event.type == SessionEventType.SESSION_IDLE:
                    self.idle_seen += 1
                if self.event_type is None or event.type == self.event_type or event.raw_type == self.event_type:
                    self._deliver(event)
        finally:
            self.session._progress()

    def _deliver(self, event: SessionEvent) -> None:
        try:
            result = self.handler(event)
            if result is not None and inspect.isawaitable(result):
                task = asyncio.ensure_future(result)
                task.add_done_callback(_log_task_failure)
        except Exception:
            logger.error("copilot_core: unhandled exception in a session event handler", exc_info=True)


_dispatchers: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, _native.Dispatcher] = weakref.WeakKeyDictionary()


def _dispatcher(loop: asyncio.AbstractEventLoop) -> _native.Dispatcher:
    """The loop's event dispatcher (created on first use, on the loop's thread): woken by a
    pipe the loop watches, or through ``call_soon_threadsafe`` where ``add_reader`` is
    missing (Windows' proactor loop)."""
    existing = _dispatchers.get(loop)
    if existing is not None:
        return existing

    def ready() -> None:
        for callback, batch in d.drain():
            try:
                callback(batch)
            except Exception:
                logger.error("copilot_core: event delivery failed", exc_info=True)

    d = _native.Dispatcher(loop, ready, pipe=True)
    try:
        loop.add_reader(d.fileno(), ready)
    except NotImplementedError:
        d = _native.Dispatcher(loop, ready, pipe=False)
    _dispatchers[loop] = d
    return d


def _log_task_failure(task: asyncio.Future[Any]) -> None:
    if not task.cancelled() and task.exception() is not None:
        logger.error("copilot_core: an async event handler failed", exc_info=task.exception())


class SessionEventStream:
    """``async for event in session.events()``: every event from the moment of the call
    (plus the events sent while the session was being created, until the first send),
    in order, until the session is disconnected or the stream is closed."""

    def __init__(self, native: _native.Session):
        self._sub = native.subscribe()
        self._pending: collections.deque[SessionEvent] = collections.deque()

    def __aiter__(self) -> SessionEventStream:
        return self

    async def __anext__(self) -> SessionEvent:
        while not self._pending:
            batch = await self._sub.recv()
            if batch is None:
                raise StopAsyncIteration
            for item in batch:
                if isinstance(item, int):
                    logger.warning("copilot_core: an event stream fell behind; %d events were dropped", item)
                else:
                    self._pending.append(SessionEvent._from_wire(*item))
        return self._pending.popleft()

    async def aclose(self) -> None:
        """Stops the stream."""
        self._sub.close()

    def close(self) -> None:
        """Stops the stream (synchronous form)."""
        self._sub.close()

    async def __aenter__(self) -> SessionEventStream:
        return self

    async def __aexit__(self, *exc: Any) -> None:
        self._sub.close()


class SessionUiApi:
    """``session.ui``: dialogs shown to the user through whichever client answers
    elicitations (``on_elicitation_request`` of this or another client)."""

    def __init__(self, rpc: SessionRpc):
        self._rpc = rpc

    async def elicitation(self, params: dict[str, Any]) -> ElicitationResult:
        """Asks with a custom JSON schema: ``{"message": ..., "requestedSchema": {...}}``.
        Returns ``{"action": "accept" | "decline" | "cancel", "content"?: {...}}``."""
        wire = {"message": params["message"], "requestedSchema": params["requestedSchema"]}
        if "mode" in params:
            wire["mode"] = params["mode"]
        result = await self._rpc.call("session.ui.elicitation", wire)
        out: ElicitationResult = {"action": result.get("action", "cancel")}
        if result.get("content") is not None:
            out["content"] = result["content"]
        return out

    async def _ask(self, message: str, name: str, field: dict[str, Any]) -> Any:
        result = await self.elicitation(
            {
                "message": message,
                "requestedSchema": {"type": "object", "properties": {name: field}, "required": [name]},
            }
        )
        if result.get("action") != "accept":
            return None
        return (result.get("content") or {}).get(name)

    async def confirm(self, message: str) -> bool:
        """A yes/no question; ``True`` only for an accepted "yes"."""
        return await self._ask(message, "confirmed", {"type": "boolean", "default": True}) is True

    async def select(self, message: str, options: list[str]) -> str | None:
        """A choice among ``options``; ``None`` when declined or cancelled."""
        value = await self._ask(message, "selection", {"type": "string", "enum": list(options)})
        return None if value is None else str(value)

    async def input(self, message: str, options: dict[str, Any] | None = None) -> str | None:
        """A text answer (``options``: title, description, minLength, maxLength, format,
        default); ``None`` when declined or cancelled."""
        field: dict[str, Any] = {"type": "string"}
        for key in ("title", "description", "minLength", "maxLength", "format", "default"):
            if options and key in options:
                field[key] = options[key]
        value = await self._ask(message, "value", field)
        return None if value is None else str(value)


class CopilotSession:
    """One conversation with the agent. Created by :meth:`CopilotClient.create_session` or
    :meth:`CopilotClient.resume_session`.

    Attributes:
        session_id: The session id.
    """

    def __init__(
        self,
        native: _native.Session,
        callbacks: _Callbacks | None,
        client: CopilotClient | None = None,
        loop: asyncio.AbstractEventLoop | None = None,
    ):
        self._native = native
        self._callbacks = callbacks
        self._client = client
        self._loop = loop or asyncio.get_running_loop()
        self.session_id: str = native.id
        self.transcript_recovery: Any = None
        self._listeners: list[_Listener] = []
        self._waiters: list[tuple[asyncio.Future[None], Callable[[], bool]]] = []
        self._rpc = SessionRpc(native)
        self._disconnected = False

    def __repr__(self) -> str:
        return f"CopilotSession(session_id={self.session_id!r}, cloud={self.is_cloud})"

    # Properties

    @property
    def rpc(self) -> SessionRpc:
        """Session RPC namespaces: ``await session.rpc.remote.enable()``, ``.disable()``,
        and ``await session.rpc.call(method, params)`` for anything else."""
        return self._rpc

    @property
    def ui(self) -> SessionUiApi:
        """Dialogs for the user (confirm, select, input, custom elicitation)."""
        return SessionUiApi(self._rpc)

    @property
    def workspace_path(self) -> pathlib.Path | None:
        """The session's workspace directory (checkpoints, plan), when it has one."""
        p = self._native.workspace_path
        return pathlib.Path(p) if p else None

    @property
    def capabilities(self) -> dict[str, Any]:
        """Host capabilities (not reported by copilot_core yet: always empty)."""
        return {}

    @property
    def is_cloud(self) -> bool:
        """True for a session running on GitHub-hosted compute."""
        return self._native.is_cloud

    @property
    def is_ready(self) -> bool:
        """Whether the session can take a prompt (a cloud session: once its agent started)."""
        return self._native.is_ready

    @property
    def remote_url(self) -> str | None:
        """The Mission Control URL (GitHub web/mobile), once announced. The CLI sends it only
        once, in ``session.info``; the session keeps it."""
        return self._native.remote_url

    @property
    def remote_steerable(self) -> bool:
        """Whether the session can currently be steered from GitHub web/mobile."""
        return self._native.remote_steerable

    def remote_qr_text(self) -> str:
        """The remote URL as a QR code for a terminal (Unicode half blocks).
        Raises :class:`~copilot_core.errors.InvalidConfigError` without a URL."""
        return self._native.remote_qr_text()

    def remote_qr_svg(self) -> str:
        """The remote URL as an SVG QR code."""
        return self._native.remote_qr_svg()

    async def wait_until_ready(self, timeout: float = 120.0) -> None:
        """Waits until the session can take a prompt (``send`` does this by itself for
        cloud sessions)."""
        await self._native.wait_until_ready(float(_expect("timeout", timeout, (int, float), "a number of seconds")))

    # Events

    def on(
        self,
        handler_or_type: Callable[[SessionEvent], Any] | str,
        handler: Callable[[SessionEvent], Any] | None = None,
    ) -> Callable[[], None]:
        """Subscribes ``handler`` to the session's events; returns the unsubscribe callable.

        ``session.on(handler)`` receives every event; ``session.on("session.info", handler)``
        only that type. Handlers run on the session's event loop, in event order; a handler
        that raises is logged and keeps receiving events. Coroutine handlers are scheduled as
        tasks. Events sent while the session was being created (``session.start``, the
        remote ``session.info``) are delivered too, until the first message is sent.
        """
        if isinstance(handler_or_type, str):
            if handler is None:
                raise TypeError("on(event_type, handler) needs a handler")
            event_type: str | None = str(handler_or_type)
            fn = handler
        else:
            event_type, fn = None, handler_or_type
        if not callable(fn):
            raise TypeError("the event handler must be callable")
        if self._disconnected:
            raise SessionError("the session is disconnected", kind="session_closed")
        listener = _Listener(self, fn, event_type)
        self._listeners.append(listener)
        listener.start(self._loop)

        def unsubscribe() -> None:
            listener.stop()
            with contextlib.suppress(ValueError):
                self._listeners.remove(listener)

        return unsubscribe

    def events(self) -> SessionEventStream:
        """An async iterator over the session's events: ``async for event in
        session.events(): ...``. It ends when the session is disconnected; ``break`` (or
        ``aclose()``) unsubscribes."""
        return SessionEventStream(self._native)

    def _progress(self) -> None:
        """Called after every batch an ``on()`` listener handled: wakes the catch-up waits
        whose condition now holds."""
        if not self._waiters:
            return
        for fut, caught_up in list(self._waiters):
            if not fut.done() and caught_up():
                fut.set_result(None)

    async def _catch_up(self, marks: dict[_Listener, int]) -> None:
        """Lets ``on()`` handlers process the end of the turn before send_and_wait returns."""
        if not marks:
            return

        def caught_up() -> bool:
            return all(l.finished or not l.active or l.idle_seen > n for l, n in marks.items())

        if caught_up():
            return
        entry = (asyncio.get_running_loop().create_future(), caught_up)
        self._waiters.append(entry)
        try:
            with contextlib.suppress(asyncio.TimeoutError):
                await asyncio.wait_for(asyncio.shield(entry[0]), _HANDLER_CATCH_UP_SECONDS)
        finally:
            self._waiters.remove(entry)

    # Messages

    @staticmethod
    def _message(
        prompt: str,
        attachments: list[Any] | None,
        source: MessageSource | None,
        mode: str | None,
        agent_mode: str | None,
        request_headers: dict[str, str] | None,
        display_prompt: str | None,
        response_schema: Any,
        timeout: float | None,
    ) -> str:
        msg: dict[str, Any] = {"prompt": prompt}
        extra: dict[str, Any] = {}
        if attachments is not None:
            msg["attachments"] = [_to_wire(a) for a in attachments]
        if mode is not None:
            msg["mode"] = mode
        if display_prompt is not None:
            msg["display_prompt"] = display_prompt
        if timeout is not None:
            _expect("timeout", timeout, (int, float), "a number of seconds")
            msg["timeout_ms"] = max(0, int(timeout * 1000))
        if source is not None:
            extra["source"] = "agent-" + source.agent_id if isinstance(source, AgentMessageSource) else source
        if agent_mode is not None:
            extra["agentMode"] = agent_mode
        if request_headers is not None:
            extra["requestHeaders"] = request_headers
        if response_schema is not None:
            schema = response_schema
            if isinstance(schema, type) and hasattr(schema, "model_json_schema"):
                schema = schema.model_json_schema()
            extra["responseFormat"] = {
                "type": "json_schema",
                "jsonSchema": {"name": "response", "strict": True, "schema": schema},
            }
        if extra:
            msg["extra"] = extra
        return json.dumps(msg)

    async def send(
        self,
        prompt: str,
        *,
        attachments: list[Any] | None = None,
        source: MessageSource | None = None,
        mode: Literal["enqueue", "immediate"] | None = None,
        agent_mode: Literal["interactive", "plan", "autopilot", "shell"] | None = None,
        request_headers: dict[str, str] | None = None,
        display_prompt: str | None = None,
        response_schema: Any = None,
    ) -> str:
        """Sends a message; returns its id. Progress arrives as events (:meth:`on`,
        :meth:`events`). On a cloud session this first waits until the cloud agent is
        ready, so the first prompt is never dropped."""
        return await self._native.send(
            self._message(
                prompt, attachments, source, mode, agent_mode, request_headers, display_prompt, response_schema, None
            )
        )

    async def send_and_wait(
        self,
        prompt: str,
        *,
        attachments: list[Any] | None = None,
        source: MessageSource | None = None,
        mode: Literal["enqueue", "immediate"] | None = None,
        agent_mode: Literal["interactive", "plan", "autopilot", "shell"] | None = None,
        request_headers: dict[str, str] | None = None,
        display_prompt: str | None = None,
        response_schema: Any = None,
        timeout: float = 60.0,
    ) -> SessionEvent | None:
        """Sends a message and waits for the turn to finish; returns the last
        ``assistant.message`` event (or ``None``).

        Raises:
            CopilotTimeoutError: (also a ``TimeoutError``) after ``timeout`` seconds; the
                agent's work is not aborted.
            SessionError: the turn ended with ``session.error``.
        """
        marks = {l: l.idle_seen for l in self._listeners if l.active}
        text = self._message(
            prompt, attachments, source, mode, agent_mode, request_headers, display_prompt, response_schema, timeout
        )
        try:
            result = await self._native.send_and_wait(text)
        except SessionError:
            await self._catch_up(marks)
            raise
        await self._catch_up(marks)
        return None if result is None else SessionEvent.from_json(result)

    async def abort(self) -> None:
        """Aborts the running turn; the session stays usable."""
        await self._native.abort()

    async def get_events(self) -> list[SessionEvent]:
        """The session's persisted history (ephemeral events such as deltas are not stored)."""
        return [SessionEvent.from_json(e) for e in await self._native.get_messages()]

    get_messages = get_events

    async def set_model(self, model: str, *, reasoning_effort: str | None = None, **options: Any) -> None:
        """Switches the model (``session.model.switchTo``)."""
        params: dict[str, Any] = {"modelId": model}
        if reasoning_effort is not None:
            params["reasoningEffort"] = reasoning_effort
        for k, v in options.items():
            if v is not None:
                params[snake_to_camel(k)] = _to_wire(v)
        await self._rpc.call("session.model.switchTo", params)

    async def log(
        self,
        message: str,
        *,
        level: Literal["info", "warning", "error"] | None = None,
        ephemeral: bool | None = None,
    ) -> None:
        """Adds a message to the session timeline (``session.log``)."""
        params: dict[str, Any] = {"message": message}
        if level is not None:
            params["level"] = level
        if ephemeral is not None:
            params["ephemeral"] = ephemeral
        await self._rpc.call("session.log", params)

    async def disconnect(self) -> None:
        """Unloads the session from the CLI (its state stays on disk: resume it later with
        :meth:`CopilotClient.resume_session`) and ends every subscription. Idempotent."""
        if self._disconnected:
            return
        self._disconnected = True
        try:
            await self._native.disconnect()
        finally:
            self._forget()

    destroy = disconnect

    def _forget(self) -> None:
        self._disconnected = True
        self._native.release_callbacks()
        self._callbacks = None
        if self._client is not None:
            self._client._sessions.pop(self.session_id, None)

    async def __aenter__(self) -> CopilotSession:
        return self

    async def __aexit__(self, *exc: Any) -> None:
        await self.disconnect()
