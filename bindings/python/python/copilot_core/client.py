"""The client (:class:`CopilotClient`), connection variants and the result types of the
client-level calls."""

from __future__ import annotations

import asyncio
import contextlib
import inspect
import json
import logging
import os
import urllib.parse
from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, ClassVar, Literal, Union

from . import _native
from ._data import DataObject, _parse_datetime, snake_to_camel, to_wire_keys
from .errors import InvalidConfigError, _expect
from .rpc import RemoteSessionMode
from .session import (
    CopilotSession,
    SessionHooks,
    _Callbacks,
    _preset_name,
    _to_wire,
)
from .session_events import SessionEvent
from .tools import Tool

__all__ = [
    "ChildProcessRuntimeConnection",
    "CloudSessionOptions",
    "CloudSessionRepository",
    "CopilotClient",
    "GetAuthStatusResponse",
    "GetStatusResponse",
    "LogLevel",
    "ModelBilling",
    "ModelCapabilities",
    "ModelInfo",
    "ModelLimits",
    "ModelPolicy",
    "ModelSupports",
    "ModelVisionLimits",
    "PingResponse",
    "RemoteSessionMode",
    "RuntimeConnection",
    "SessionBackgroundEvent",
    "SessionContext",
    "SessionCreatedEvent",
    "SessionDeletedEvent",
    "SessionForegroundEvent",
    "SessionLifecycleEvent",
    "SessionLifecycleEventBase",
    "SessionLifecycleEventMetadata",
    "SessionLifecycleHandler",
    "SessionListFilter",
    "SessionMetadata",
    "SessionUpdatedEvent",
    "StdioRuntimeConnection",
    "TcpRuntimeConnection",
    "UriRuntimeConnection",
]

logger = logging.getLogger("copilot_core")

LogLevel = Literal["none", "error", "warning", "info", "debug", "all"]


# Cloud sessions


@dataclass
class CloudSessionRepository:
    """GitHub repository a cloud session works on."""

    owner: str
    name: str
    branch: str | None = None


@dataclass
class CloudSessionOptions:
    """Run the session on GitHub-hosted compute, optionally on a repository."""

    repository: CloudSessionRepository | None = None

    def to_dict(self) -> dict[str, Any]:
        if self.repository is None:
            return {}
        repo: dict[str, Any] = {"owner": self.repository.owner, "name": self.repository.name}
        if self.repository.branch is not None:
            repo["branch"] = self.repository.branch
        return {"repository": repo}


# Connections


@dataclass
class RuntimeConnection:
    """How to reach the Copilot CLI. Build one with :meth:`for_stdio` (the default),
    :meth:`for_tcp` or :meth:`for_uri` (a server that is already running)."""

    @staticmethod
    def for_stdio(*, path: str | None = None, args: Sequence[str] = ()) -> StdioRuntimeConnection:
        """Spawn the CLI and talk over its stdin/stdout."""
        return StdioRuntimeConnection(path=path, args=tuple(args))

    @staticmethod
    def for_tcp(
        *,
        port: int = 0,
        connection_token: str | None = None,
        path: str | None = None,
        args: Sequence[str] = (),
    ) -> TcpRuntimeConnection:
        """Spawn the CLI listening on TCP (``port=0``: any free port) and connect to it. A
        connection token is generated when none is given."""
        return TcpRuntimeConnection(path=path, args=tuple(args), port=port, connection_token=connection_token)

    @staticmethod
    def for_uri(url: str, *, connection_token: str | None = None) -> UriRuntimeConnection:
        """Connect to a running server: ``"4321"``, ``"host:4321"`` or ``"http://host:4321"``."""
        return UriRuntimeConnection(url=url, connection_token=connection_token)


@dataclass
class ChildProcessRuntimeConnection(RuntimeConnection):
    """A connection that spawns the CLI."""

    path: str | None = None
    args: Sequence[str] = ()
    env: dict[str, str] | None = None


@dataclass
class StdioRuntimeConnection(ChildProcessRuntimeConnection):
    """Spawns the CLI and talks over stdio."""


@dataclass
class TcpRuntimeConnection(ChildProcessRuntimeConnection):
    """Spawns the CLI listening on TCP."""

    port: int = 0
    connection_token: str | None = None


@dataclass
class UriRuntimeConnection(RuntimeConnection):
    """Connects to a CLI server that is already running."""

    url: str = ""
    connection_token: str | None = None


def _parse_uri(url: str) -> tuple[str, int]:
    text = url.strip()
    if text.isdigit():
        return "127.0.0.1", int(text)
    if "://" not in text:
        text = "tcp://" + text
    parsed = urllib.parse.urlsplit(text)
    if not parsed.hostname or parsed.port is None:
        raise InvalidConfigError(f"cannot parse server address {url!r}: expected port, host:port or a URL")
    host = parsed.hostname
    return ("127.0.0.1" if host == "localhost" else host), parsed.port


# Results


class PingResponse(DataObject):
    """Answer to :meth:`CopilotClient.ping`."""

    message: str
    timestamp: Any
    protocol_version: int | None


class GetStatusResponse(DataObject):
    """Answer to :meth:`CopilotClient.get_status`."""

    version: str
    protocol_version: int


class GetAuthStatusResponse(DataObject):
    """Answer to :meth:`CopilotClient.get_auth_status`."""

    is_authenticated: bool
    auth_type: str | None
    host: str | None
    login: str | None
    status_message: str | None


class ModelVisionLimits(DataObject):
    """Vision limits of a model."""

    supported_media_types: list[str] | None
    max_prompt_images: int | None
    max_prompt_image_size: int | None


class ModelLimits(DataObject):
    """Token limits of a model."""

    max_prompt_tokens: int | None
    max_context_window_tokens: int | None
    max_output_tokens: int | None
    vision: ModelVisionLimits | None


class ModelSupports(DataObject):
    """What a model supports."""

    vision: bool | None
    reasoning_effort: bool | None
    streaming: bool | None
    tool_calls: bool | None


class ModelCapabilities(DataObject):
    """Capabilities of a model."""

    supports: ModelSupports | None
    limits: ModelLimits | None


class ModelPolicy(DataObject):
    """Policy state of a model."""

    state: str | None
    terms: str | None


class ModelBilling(DataObject):
    """Billing of a model."""

    multiplier: float | None
    is_premium: bool | None


class ModelInfo(DataObject):
    """A model the server offers (``id`` goes to ``create_session(model=...)``)."""

    id: str
    name: str
    capabilities: ModelCapabilities | None
    policy: ModelPolicy | None
    billing: ModelBilling | None
    supported_reasoning_efforts: list[str] | None
    default_reasoning_effort: str | None


class SessionContext(DataObject):
    """Where a stored session was created."""

    git_root: str | None
    repository: str | None
    branch: str | None

    @property
    def working_directory(self) -> str | None:
        """The working directory (``cwd`` on the wire)."""
        return self._raw.get("cwd")


class SessionMetadata(DataObject):
    """A stored session."""

    session_id: str
    start_time: datetime
    modified_time: datetime
    is_remote: bool
    summary: str | None
    context: SessionContext | None


@dataclass
class SessionListFilter:
    """Filter for :meth:`CopilotClient.list_sessions`."""

    working_directory: str | None = None
    git_root: str | None = None
    repository: str | None = None
    branch: str | None = None

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {}
        if self.working_directory is not None:
            out["cwd"] = self.working_directory
        if self.git_root is not None:
            out["gitRoot"] = self.git_root
        if self.repository is not None:
            out["repository"] = self.repository
        if self.branch is not None:
            out["branch"] = self.branch
        return out


# Lifecycle events


@dataclass
class SessionLifecycleEventMetadata:
    """Metadata carried by lifecycle events."""

    start_time: Any
    modified_time: Any
    summary: str | None = None

    @staticmethod
    def from_dict(data: Mapping[str, Any]) -> SessionLifecycleEventMetadata:
        return SessionLifecycleEventMetadata(
            start_time=_parse_datetime(data.get("startTime")),
            modified_time=_parse_datetime(data.get("modifiedTime")),
            summary=data.get("summary"),
        )


@dataclass
class SessionLifecycleEventBase:
    """Base of the lifecycle event variants."""

    session_id: str
    metadata: SessionLifecycleEventMetadata | None = None
    type: ClassVar[str] = ""


@dataclass
class SessionCreatedEvent(SessionLifecycleEventBase):
    """A session was created."""

    type: ClassVar[str] = "session.created"


@dataclass
class SessionDeletedEvent(SessionLifecycleEventBase):
    """A session was deleted."""

    type: ClassVar[str] = "session.deleted"


@dataclass
class SessionUpdatedEvent(SessionLifecycleEventBase):
    """A session was updated."""

    type: ClassVar[str] = "session.updated"


@dataclass
class SessionForegroundEvent(SessionLifecycleEventBase):
    """A session became the TUI's foreground session."""

    type: ClassVar[str] = "session.foreground"


@dataclass
class SessionBackgroundEvent(SessionLifecycleEventBase):
    """A session left the TUI's foreground."""

    type: ClassVar[str] = "session.background"


SessionLifecycleEvent = Union[
    SessionCreatedEvent, SessionDeletedEvent, SessionUpdatedEvent, SessionForegroundEvent, SessionBackgroundEvent
]
SessionLifecycleHandler = Callable[[SessionLifecycleEvent], Any]

_LIFECYCLE_CLASSES: dict[str, Callable[..., SessionLifecycleEvent]] = {
    c.type: c
    for c in (SessionCreatedEvent, SessionDeletedEvent, SessionUpdatedEvent, SessionForegroundEvent, SessionBackgroundEvent)
}


def _lifecycle_event(data: Mapping[str, Any]) -> SessionLifecycleEvent:
    meta = data.get("metadata")
    cls = _LIFECYCLE_CLASSES.get(str(data.get("type")), SessionUpdatedEvent)
    return cls(
        session_id=str(data.get("sessionId", "")),
        metadata=SessionLifecycleEventMetadata.from_dict(meta) if isinstance(meta, Mapping) else None,
    )


# Session options -> the core's configuration JSON


def _mcp_servers_to_wire(servers: Mapping[str, Any]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for name, cfg in servers.items():
        cfg = dict(cfg)
        if "working_directory" in cfg:
            cfg["cwd"] = cfg.pop("working_directory")
        out[name] = cfg
    return out


def _custom_agent_to_wire(agent: Mapping[str, Any]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for k, v in agent.items():
        if k == "mcp_servers":
            out["mcpServers"] = _mcp_servers_to_wire(v)
        elif k == "hooks":
            out["hooks"] = v
        else:
            out[snake_to_camel(k)] = v
    return out


def _large_output_to_wire(cfg: Mapping[str, Any]) -> dict[str, Any]:
    out = {}
    for k, v in cfg.items():
        out["outputDir" if k == "output_directory" else snake_to_camel(k)] = v
    return out



def _as_is(v: Any) -> Any:
    return _to_wire(v)


def _keys(v: Any) -> Any:
    return to_wire_keys(_to_wire(v))


#: Official keyword arguments that pass straight to the wire: name -> (wire key, converter).
_PASSTHROUGH: dict[str, tuple[str, Callable[[Any], Any]]] = {
    "name": ("name", _as_is),
    "reasoning_summary": ("reasoningSummary", _as_is),
    "enable_experimental_mode": ("isExperimentalMode", _as_is),
    "context_tier": ("contextTier", _as_is),
    "tool_search": ("toolSearch", _keys),
    "image_generation": ("imageGeneration", _keys),
    "ask_user_variant": ("askUserVariant", _as_is),
    "additional_directories": ("additionalDirectories", _as_is),
    "capi": ("capi", _keys),
    "providers": ("providers", _keys),
    "models": ("models", _keys),
    "enable_session_telemetry": ("enableSessionTelemetry", _as_is),
    "enable_citations": ("enableCitations", _as_is),
    "enable_file_change_tracking": ("enableFileChangeTracking", _as_is),
    "excluded_builtin_agents": ("excludedBuiltinAgents", _as_is),
    "session_limits": ("sessionLimits", _keys),
    "autopilot": ("autopilot", _keys),
    "skip_custom_instructions": ("skipCustomInstructions", _as_is),
    "refresh_custom_instructions": ("refreshCustomInstructions", _as_is),
    "trust_working_directory": ("trustWorkingDirectory", _as_is),
    "custom_agents_local_only": ("customAgentsLocalOnly", _as_is),
    "coauthor_enabled": ("coauthorEnabled", _as_is),
    "manage_schedule_enabled": ("manageScheduleEnabled", _as_is),
    "model_capabilities": ("modelCapabilities", _keys),
    "include_sub_agent_streaming_events": ("includeSubAgentStreamingEvents", _as_is),
    "diagnostics": ("diagnostics", _keys),
    "mcp_oauth_token_storage": ("mcpOAuthTokenStorage", _as_is),
    "auth_client_id_metadata_url": ("authClientIdMetadataUrl", _as_is),
    "embedding_cache_storage": ("embeddingCacheStorage", _as_is),
    "default_agent": ("defaultAgent", _keys),
    "config_directory": ("configDir", _as_is),
    "enable_config_discovery": ("enableConfigDiscovery", _as_is),
    "skip_embedding_retrieval": ("skipEmbeddingRetrieval", _as_is),
    "organization_custom_instructions": ("organizationCustomInstructions", _as_is),
    "enable_on_demand_instruction_discovery": ("enableOnDemandInstructionDiscovery", _as_is),
    "enable_file_hooks": ("enableFileHooks", _as_is),
    "enable_host_git_operations": ("enableHostGitOperations", _as_is),
    "enable_session_store": ("enableSessionStore", _as_is),
    "enable_skills": ("enableSkills", _as_is),
    "included_builtin_skills": ("includedBuiltinSkills", _as_is),
    "skill_directories": ("skillDirectories", _as_is),
    "agent_directories": ("agentDirectories", _as_is),
    "hook_directories": ("hookDirectories", _as_is),
    "plugin_directories": ("pluginDirectories", _as_is),
    "instruction_directories": ("instructionDirectories", _as_is),
    "disabled_skills": ("disabledSkills", _as_is),
    "disabled_mcp_servers": ("disabledMcpServers", _as_is),
    "sandbox_config": ("sandboxConfig", _keys),
    "infinite_sessions": ("infiniteSessions", _keys),
    "large_output": ("largeOutput", _large_output_to_wire),
    "memory": ("memory", _keys),
    "feature_flags": ("featureFlags", _as_is),
    "exp_assignments": ("expAssignments", _keys),
    "enable_managed_settings": ("enableManagedSettings", _as_is),
    "excluded_managed_settings": ("excludedManagedSettings", _as_is),
    "enforce_managed_model_defaults": ("enforceManagedModelDefaults", _as_is),
    "interactive_user": ("interactiveUser", _as_is),
    "github_mcp_tool_config": ("githubMcpToolConfig", _keys),
    "managed_settings": ("managedSettings", _keys),
    "enable_mcp_apps": ("requestMcpApps", _as_is),
}

#: Resume-only keyword arguments that pass straight to the wire.
_RESUME_PASSTHROUGH: dict[str, tuple[str, Callable[[Any], Any]]] = {
    "continue_pending_work": ("continuePendingWork", _as_is),
    "allow_transcript_recovery": ("allowTranscriptRecovery", _as_is),
}

#: Official options that need callbacks copilot_core does not route yet.
_UNSUPPORTED = frozenset(
    {
        "commands",
        "skill_provider",
        "on_mcp_auth_request",
        "on_auto_mode_switch_request",
        "create_session_fs_handler",
        "github_token_provider",
        "canvases",
        "canvas_handler",
        "canvas_provider",
        "request_canvas_renderer",
        "request_extensions",
        "extension_sdk_path",
        "extension_info",
        "open_canvases",
    }
)


def _session_config(
    *,
    resume: bool,
    on_permission_request: Any,
    model: str | None,
    session_id: str | None,
    client_name: str | None,
    reasoning_effort: str | None,
    tools: list[Tool] | None,
    system_message: Any,
    available_tools: Any,
    excluded_tools: Any,
    working_directory: str | os.PathLike[str] | None,
    streaming: bool | None,
    mcp_servers: Mapping[str, Any] | None,
    custom_agents: list[Any] | None,
    agent: str | None,
    provider: Any,
    github_token: str | None,
    remote_session: RemoteSessionMode | str | None,
    options: dict[str, Any],
    cloud: CloudSessionOptions | None = None,
    cloud_ready_timeout: float | None = None,
    wait_for_cloud_ready: bool | None = None,
) -> tuple[dict[str, Any], Any]:
    """Builds the core's session configuration (``SessionConfig::from_json``) and returns
    it with the Python permission handler (``None`` when a preset or the default applies)."""
    cfg: dict[str, Any] = {}
    extra: dict[str, Any] = {}
    _check_session_types(
        tools=tools,
        working_directory=working_directory,
        streaming=streaming,
        available_tools=available_tools,
        excluded_tools=excluded_tools,
        cloud_ready_timeout=cloud_ready_timeout,
        wait_for_cloud_ready=wait_for_cloud_ready,
    )
    if session_id is not None and not resume:
        cfg["session_id"] = session_id
    if working_directory is not None:
        cfg["working_directory"] = os.fspath(working_directory)
    if model:
        cfg["model"] = model
    if client_name:
        cfg["client_name"] = client_name
    if reasoning_effort:
        cfg["reasoning_effort"] = reasoning_effort
    if streaming is not None:
        cfg["streaming"] = streaming
    if system_message:
        sm = dict(system_message)
        sections = sm.get("sections") or {}
        if any(callable((s or {}).get("action")) for s in sections.values()):
            raise NotImplementedError("system_message section transform callbacks are not supported by copilot_core yet")
        extra["systemMessage"] = sm
    if tools:
        cfg["tools"] = [t._to_core() for t in tools]
    if available_tools is not None:
        cfg["available_tools"] = list(available_tools)
    if excluded_tools is not None:
        cfg["excluded_tools"] = list(excluded_tools)
    if mcp_servers:
        cfg["mcp_servers"] = _mcp_servers_to_wire(mcp_servers)
    if custom_agents:
        extra["customAgents"] = [_custom_agent_to_wire(a) for a in custom_agents]
    if agent:
        cfg["agent"] = agent
    if provider:
        extra["provider"] = to_wire_keys(_to_wire(provider))
    if github_token is not None:
        cfg["github_token"] = github_token
    if cloud is not None:
        if resume:
            raise InvalidConfigError("cloud options apply only to new sessions; resume a cloud session without them")
        cfg["cloud"] = cloud.to_dict() if hasattr(cloud, "to_dict") else to_wire_keys(cloud)
    if remote_session is not None:
        cfg["remote_session"] = str(remote_session)
    if cloud_ready_timeout is not None:
        cfg["cloud_ready_timeout_ms"] = max(0, int(cloud_ready_timeout * 1000))
    if wait_for_cloud_ready is not None:
        cfg["wait_for_cloud_ready"] = wait_for_cloud_ready

    table = {**_PASSTHROUGH, **(_RESUME_PASSTHROUGH if resume else {})}
    for key, value in options.items():
        if key in _UNSUPPORTED:
            if value is None or value is False or value == []:
                continue
            raise NotImplementedError(f"{key} is not supported by copilot_core yet")
        if key not in table:
            raise InvalidConfigError(
                f"{'resume_session' if resume else 'create_session'}() got an unexpected keyword argument {key!r}"
            )
        if value is None:
            continue
        wire, conv = table[key]
        extra[wire] = conv(value)
    if extra:
        cfg["extra"] = extra

    python_handler = None
    if isinstance(on_permission_request, str):
        # A preset by name ("approve-safety", "deny_all", ...): the core checks the name.
        cfg["permission"] = on_permission_request
    elif on_permission_request is not None:
        if not callable(on_permission_request):
            raise InvalidConfigError(
                "on_permission_request must be callable (or a preset name such as 'approve-safety'), "
                f"got {type(on_permission_request).__name__}"
            )
        preset = _preset_name(on_permission_request)
        if preset is not None:
            cfg["permission"] = preset
        else:
            python_handler = on_permission_request
    return cfg, python_handler


def _check_session_types(
    *,
    tools: Any,
    working_directory: Any,
    streaming: Any,
    available_tools: Any,
    excluded_tools: Any,
    cloud_ready_timeout: Any,
    wait_for_cloud_ready: Any,
) -> None:
    """Rejects option values of the wrong type with an :class:`InvalidConfigError` that names
    the option (the core checks the rest when it parses the configuration)."""
    if tools is not None:
        for t in _expect("tools", tools, (list, tuple), "a list of Tool"):
            _expect("tools", t, Tool, "a list of Tool (use define_tool or Tool(...))")
    if working_directory is not None:
        _expect("working_directory", working_directory, (str, os.PathLike), "a path")
    if streaming is not None:
        _expect("streaming", streaming, bool, "a bool")
    if wait_for_cloud_ready is not None:
        _expect("wait_for_cloud_ready", wait_for_cloud_ready, bool, "a bool")
    for name, names in (("available_tools", available_tools), ("excluded_tools", excluded_tools)):
        if names is not None:
            for n in _expect(name, names, (list, tuple, set, frozenset), "a list of tool names"):
                _expect(name, n, str, "a list of tool names")
    if cloud_ready_timeout is not None:
        _expect("cloud_ready_timeout", cloud_ready_timeout, (int, float), "a number of seconds")


#: Keyword arguments of create_session/resume_session that are callbacks, not configuration.
_HANDLER_ARGS = ("on_user_input_request", "hooks", "on_elicitation_request", "on_exit_plan_mode_request", "on_event")


def _named(frame_locals: dict[str, Any]) -> dict[str, Any]:
    """The arguments of a ``create_session``/``resume_session`` call, from its ``locals()``
    taken first thing (``**options`` stays a dict under ``options``)."""
    return {k: v for k, v in frame_locals.items() if k != "self"}


def _check_callbacks(**callbacks: Any) -> None:
    for name, fn in callbacks.items():
        if fn is not None and not callable(fn):
            raise InvalidConfigError(f"{name} must be callable, got {type(fn).__name__}")


class CopilotClient:
    """A connection to the Copilot CLI (spawned over stdio by default).

    ``async with CopilotClient() as client:`` starts it and stops it on exit;
    :meth:`create_session` starts it on demand too.

    Args:
        connection: How to reach the CLI (:class:`RuntimeConnection`); default: spawn it
            over stdio. The CLI is found like the core finds it: the connection's
            ``path``, ``COPILOT_CLI_PATH``, the pinned install, then ``copilot`` on
            ``PATH``; when it is missing, :class:`~copilot_core.errors.CliNotFoundError`
            says how to install it.
        working_directory: Working directory of the CLI process.
        log_level: CLI log level.
        env: The CLI process's complete environment (``None``: inherit this process's).
        github_token: GitHub token for the CLI (passed through the environment, never argv).
        base_directory: ``COPILOT_HOME`` for the CLI (config and session state).
        use_logged_in_user: Allow the CLI's logged-in user (default: only without a token).
        session_idle_timeout_seconds: Server-side idle timeout of sessions.
        on_list_models: Answers :meth:`list_models` instead of the server.
        enable_remote_sessions: Start the CLI with ``--remote``: every new session is
            exported to Mission Control (GitHub web/mobile). Ignored for ``for_uri``.
        request_timeout: Bound (seconds) of every request without its own (default 60).
    """

    def __init__(
        self,
        *,
        connection: RuntimeConnection | None = None,
        working_directory: str | os.PathLike[str] | None = None,
        log_level: LogLevel = "info",
        env: Mapping[str, str] | None = None,
        github_token: str | None = None,
        base_directory: str | os.PathLike[str] | None = None,
        use_logged_in_user: bool | None = None,
        session_idle_timeout_seconds: int | None = None,
        on_list_models: Callable[[], list[ModelInfo] | Awaitable[list[ModelInfo]]] | None = None,
        enable_remote_sessions: bool = False,
        request_timeout: float | None = None,
        telemetry: Mapping[str, Any] | None = None,
        session_fs: Mapping[str, Any] | None = None,
        request_handler: Any = None,
        client_info: Mapping[str, Any] | None = None,
        on_github_telemetry: Callable[..., Any] | None = None,
        mode: str = "copilot-cli",
        entra: Any = None,
        builtin_plugin_directories: Sequence[str] | None = None,
        extension_launch_provider: Any = None,
        installation_confirmation_handler: Any = None,
    ):
        for name, value in (
            ("telemetry", telemetry),
            ("session_fs", session_fs),
            ("request_handler", request_handler),
            ("client_info", client_info),
            ("on_github_telemetry", on_github_telemetry),
            ("entra", entra),
            ("builtin_plugin_directories", builtin_plugin_directories or None),
            ("extension_launch_provider", extension_launch_provider),
            ("installation_confirmation_handler", installation_confirmation_handler),
        ):
            if value is not None:
                raise NotImplementedError(f"{name} is not supported by copilot_core yet")
        _check_callbacks(on_list_models=on_list_models)
        _expect("enable_remote_sessions", enable_remote_sessions, bool, "a bool")
        if use_logged_in_user is not None:
            _expect("use_logged_in_user", use_logged_in_user, bool, "a bool")
        if github_token is not None:
            _expect("github_token", github_token, str, "a string")
        if request_timeout is not None:
            _expect("request_timeout", request_timeout, (int, float), "a number of seconds")
        if session_idle_timeout_seconds is not None:
            _expect("session_idle_timeout_seconds", session_idle_timeout_seconds, int, "an int")
        if env is not None:
            for k, v in _expect("env", env, Mapping, "a mapping of strings").items():
                _expect("env", k, str, "a mapping of strings")
                _expect(f"env[{k!r}]", v, str, "a string")
        if mode != "copilot-cli":
            raise NotImplementedError(f"client mode {mode!r} is not supported by copilot_core yet")
        if github_token is not None and not github_token:
            raise InvalidConfigError("github_token must be a non-empty string")
        self._connection = connection if connection is not None else RuntimeConnection.for_stdio()
        if isinstance(self._connection, ChildProcessRuntimeConnection) and self._connection.env is not None and env is not None:
            raise InvalidConfigError("set env on the connection or on the client, not both")
        opts: dict[str, Any] = {}
        conn = self._connection
        if isinstance(conn, UriRuntimeConnection):
            if conn.connection_token is not None and not conn.connection_token:
                raise InvalidConfigError("connection_token must be a non-empty string")
            host, port = _parse_uri(conn.url)
            opts["transport"] = {"type": "external", "host": host, "port": port}
            if conn.connection_token:
                opts["transport"]["connection_token"] = conn.connection_token
        elif isinstance(conn, ChildProcessRuntimeConnection):
            full_env = conn.env if conn.env is not None else env
            if full_env is not None:
                full_env = {str(k): str(v) for k, v in full_env.items()}
                # The given mapping is the child's whole environment.
                opts["env"] = full_env
                opts["env_remove"] = sorted(k for k in os.environ if k not in full_env)
            cli_path = conn.path or (full_env or {}).get("COPILOT_CLI_PATH") or None
            if cli_path:
                opts["cli_path"] = os.fspath(cli_path)
            if conn.args:
                opts["extra_args"] = [str(a) for a in conn.args]
            if isinstance(conn, TcpRuntimeConnection):
                if conn.connection_token is not None and not conn.connection_token:
                    raise InvalidConfigError("connection_token must be a non-empty string")
                opts["transport"] = {"type": "tcp", "port": int(conn.port)}
                if conn.connection_token:
                    opts["transport"]["connection_token"] = conn.connection_token
            if working_directory is not None:
                opts["cwd"] = os.fspath(working_directory)
        else:
            raise InvalidConfigError(f"unsupported connection {conn!r}")
        if github_token:
            opts["github_token"] = github_token
        if use_logged_in_user is not None:
            opts["use_logged_in_user"] = use_logged_in_user
        if log_level:
            opts["log_level"] = log_level
        if enable_remote_sessions:
            opts["enable_remote_sessions"] = True
        if base_directory is not None:
            opts["base_directory"] = os.fspath(base_directory)
        if session_idle_timeout_seconds:
            opts["session_idle_timeout_seconds"] = session_idle_timeout_seconds
        if request_timeout is not None:
            opts["request_timeout_ms"] = max(1, int(request_timeout * 1000))
        self._options_json = json.dumps(opts)
        self._on_list_models = on_list_models
        self._native: _native.Client | None = None
        self._state: Literal["disconnected", "connecting", "connected", "error"] = "disconnected"
        self._start_lock: asyncio.Lock | None = None
        self._sessions: dict[str, CopilotSession] = {}
        self._lifecycle: list[_LifecycleListener] = []

    # Lifecycle

    def get_state(self) -> Literal["disconnected", "connecting", "connected", "error"]:
        """``disconnected``, ``connecting``, ``connected`` or ``error``."""
        return self._state

    @property
    def server_version(self) -> str | None:
        """The CLI's version (after :meth:`start`)."""
        return self._native.server_version if self._native else None

    @property
    def protocol_version(self) -> int | None:
        """The negotiated protocol version (after :meth:`start`)."""
        return self._native.protocol_version if self._native else None

    @property
    def cli_pid(self) -> int | None:
        """Process id of the CLI when this client spawned it (after :meth:`start`)."""
        return self._native.cli_pid if self._native else None

    @property
    def warnings(self) -> list[str]:
        """Options the client ignored, with the reason (e.g. ``enable_remote_sessions`` on a
        server it did not spawn: use ``remote_session="on"`` per session there)."""
        return list(self._native.warnings) if self._native else []

    async def start(self) -> None:
        """Starts (or connects to) the CLI and performs the handshake. Idempotent."""
        if self._native is not None:
            return
        if self._start_lock is None:
            self._start_lock = asyncio.Lock()
        async with self._start_lock:
            if self._native is not None:
                return
            self._state = "connecting"
            try:
                self._native = await _native.Client.start(self._options_json)
            except BaseException:
                self._state = "error"
                raise
            self._state = "connected"

    async def stop(self) -> None:
        """Disconnects every session, shuts the CLI down and reaps it (bounded). Idempotent."""
        native = self._native
        for listener in list(self._lifecycle):
            listener.stop()
        self._lifecycle.clear()
        if native is None:
            self._state = "disconnected"
            return
        try:
            await native.stop()
        finally:
            for s in list(self._sessions.values()):
                s._forget()
            self._sessions.clear()
            self._native = None
            self._state = "disconnected"

    async def force_stop(self) -> None:
        """Kills the CLI at once, without the shutdown handshake."""
        native = self._native
        for listener in list(self._lifecycle):
            listener.stop()
        self._lifecycle.clear()
        if native is None:
            return
        try:
            await native.force_stop()
        finally:
            for s in list(self._sessions.values()):
                s._forget()
            self._sessions.clear()
            self._native = None
            self._state = "disconnected"

    async def __aenter__(self) -> CopilotClient:
        await self.start()
        return self

    async def __aexit__(self, *exc: Any) -> None:
        await self.stop()

    async def _require(self) -> _native.Client:
        if self._native is None:
            await self.start()
        assert self._native is not None
        return self._native

    # Sessions

    async def create_session(
        self,
        *,
        on_permission_request: Callable[..., Any] | None = None,
        model: str | None = None,
        session_id: str | None = None,
        client_name: str | None = None,
        reasoning_effort: str | None = None,
        tools: list[Tool] | None = None,
        system_message: Mapping[str, Any] | None = None,
        available_tools: Sequence[str] | None = None,
        excluded_tools: Sequence[str] | None = None,
        on_user_input_request: Callable[..., Any] | None = None,
        hooks: SessionHooks | None = None,
        working_directory: str | os.PathLike[str] | None = None,
        provider: Mapping[str, Any] | None = None,
        streaming: bool | None = None,
        mcp_servers: Mapping[str, Any] | None = None,
        custom_agents: list[Mapping[str, Any]] | None = None,
        agent: str | None = None,
        on_event: Callable[[SessionEvent], Any] | None = None,
        on_elicitation_request: Callable[..., Any] | None = None,
        on_exit_plan_mode_request: Callable[..., Any] | None = None,
        github_token: str | None = None,
        cloud: CloudSessionOptions | None = None,
        remote_session: RemoteSessionMode | str | None = None,
        cloud_ready_timeout: float | None = None,
        wait_for_cloud_ready: bool | None = None,
        **options: Any,
    ) -> CopilotSession:
        """Creates a session (starting the client if needed).

        Permissions are denied unless ``on_permission_request`` says otherwise: pass
        ``PermissionHandler.approve_all``, ``PermissionHandler.approve_safety`` or your
        own (sync or async) callable ``(request, invocation) -> decision``.

        ``cloud=CloudSessionOptions(...)`` runs the session on GitHub-hosted compute; its
        first ``send`` waits until the cloud agent is ready (``cloud_ready_timeout``,
        default 120 s; ``wait_for_cloud_ready=False`` turns that off).
        ``remote_session`` (``"off"``, ``"export"``, ``"on"``) sets the per-session
        Mission Control mode.

        Every other keyword argument of the official package that only configures the
        CLI (``infinite_sessions``, ``memory``, ``skill_directories``, ...) is passed on;
        options that need callbacks copilot_core does not route yet raise
        ``NotImplementedError``.
        """
        return await self._open_session(None, _named(locals()))

    async def resume_session(
        self,
        session_id: str,
        *,
        on_permission_request: Callable[..., Any] | None = None,
        model: str | None = None,
        client_name: str | None = None,
        reasoning_effort: str | None = None,
        tools: list[Tool] | None = None,
        system_message: Mapping[str, Any] | None = None,
        available_tools: Sequence[str] | None = None,
        excluded_tools: Sequence[str] | None = None,
        on_user_input_request: Callable[..., Any] | None = None,
        hooks: SessionHooks | None = None,
        working_directory: str | os.PathLike[str] | None = None,
        provider: Mapping[str, Any] | None = None,
        streaming: bool | None = None,
        mcp_servers: Mapping[str, Any] | None = None,
        custom_agents: list[Mapping[str, Any]] | None = None,
        agent: str | None = None,
        on_event: Callable[[SessionEvent], Any] | None = None,
        on_elicitation_request: Callable[..., Any] | None = None,
        on_exit_plan_mode_request: Callable[..., Any] | None = None,
        github_token: str | None = None,
        remote_session: RemoteSessionMode | str | None = None,
        suppress_resume_event: bool | None = None,
        **options: Any,
    ) -> CopilotSession:
        """Resumes a stored session by id (same options as :meth:`create_session`;
        ``cloud`` is not accepted: resume a cloud session plainly)."""
        return await self._open_session(session_id, _named(locals()))

    async def _open_session(self, resume_id: str | None, kw: dict[str, Any]) -> CopilotSession:
        """The shared body of :meth:`create_session` (``resume_id`` None) and
        :meth:`resume_session`: ``kw`` holds their keyword arguments."""
        resume = resume_id is not None
        if resume and kw["options"].pop("cloud", None) is not None:
            raise InvalidConfigError("cloud options apply only to new sessions; resume a cloud session without them")
        suppress_resume_event = bool(kw.pop("suppress_resume_event", False))
        handlers = {k: kw.pop(k) for k in _HANDLER_ARGS}
        cfg, permission = _session_config(resume=resume, **kw)
        callbacks = self._callbacks(permission, kw["tools"], **handlers)
        native = await self._require()
        loop = asyncio.get_running_loop()
        dispatch = callbacks.dispatch if callbacks else None
        flags = json.dumps(callbacks.flags() if callbacks else {})
        target = loop if callbacks else None
        if resume_id is None:
            raw = await native.create_session(json.dumps(cfg), flags, target, dispatch)
        else:
            raw = await native.resume_session(resume_id, json.dumps(cfg), flags, target, dispatch, suppress_resume_event)
        return self._adopt(raw, callbacks, loop, handlers["on_event"])

    def _callbacks(
        self,
        permission: Callable[..., Any] | None,
        tools: list[Tool] | None,
        *,
        on_user_input_request: Callable[..., Any] | None,
        hooks: SessionHooks | None,
        on_elicitation_request: Callable[..., Any] | None,
        on_exit_plan_mode_request: Callable[..., Any] | None,
        on_event: Callable[..., Any] | None,
    ) -> _Callbacks | None:
        _check_callbacks(
            on_user_input_request=on_user_input_request,
            on_elicitation_request=on_elicitation_request,
            on_exit_plan_mode_request=on_exit_plan_mode_request,
            on_event=on_event,
        )
        if hooks is not None:
            for name, fn in _expect("hooks", hooks, Mapping, "a SessionHooks dict").items():
                _check_callbacks(**{f"hooks[{name!r}]": fn})
        tool_map = {t.name: t for t in tools or []}
        cb = _Callbacks(
            permission=permission,
            tools=tool_map,
            user_input=on_user_input_request,
            hooks=hooks,
            elicitation=on_elicitation_request,
            exit_plan_mode=on_exit_plan_mode_request,
        )
        flags = cb.flags()
        if not any(v for v in flags.values()):
            return None
        return cb

    def _adopt(
        self,
        raw: _native.Session,
        callbacks: _Callbacks | None,
        loop: asyncio.AbstractEventLoop,
        on_event: Callable[[SessionEvent], Any] | None,
    ) -> CopilotSession:
        session = CopilotSession(raw, callbacks, self, loop)
        self._sessions[session.session_id] = session
        if on_event is not None:
            session.on(on_event)
        return session

    async def list_sessions(self, filter: SessionListFilter | None = None) -> list[SessionMetadata]:
        """Stored sessions, optionally filtered."""
        native = await self._require()
        params = {"filter": filter.to_dict()} if filter is not None else None
        result = json.loads(await native.call("session.list", None if params is None else json.dumps(params)))
        return [SessionMetadata(s) for s in result.get("sessions", [])]

    async def get_session_metadata(self, session_id: str) -> SessionMetadata | None:
        """Metadata of one stored session, ``None`` when unknown."""
        native = await self._require()
        result = json.loads(await native.call("session.getMetadata", json.dumps({"sessionId": session_id})))
        s = result.get("session")
        return SessionMetadata(s) if isinstance(s, dict) else None

    async def delete_session(self, session_id: str) -> None:
        """Deletes a stored session and its state on disk."""
        native = await self._require()
        await native.delete_session(session_id)
        self._sessions.pop(session_id, None)

    async def get_last_session_id(self) -> str | None:
        """Id of the most recently used session."""
        native = await self._require()
        return json.loads(await native.call("session.getLastId")).get("sessionId")

    async def get_foreground_session_id(self) -> str | None:
        """The TUI's foreground session (TUI + server mode only)."""
        native = await self._require()
        return json.loads(await native.call("session.getForeground")).get("sessionId")

    async def set_foreground_session_id(self, session_id: str) -> None:
        """Asks the TUI to show a session (TUI + server mode only)."""
        native = await self._require()
        await native.call("session.setForeground", json.dumps({"sessionId": session_id}))

    # Server queries

    async def ping(self, message: str | None = None) -> PingResponse:
        """Health check."""
        native = await self._require()
        params = json.dumps({"message": message}) if message is not None else None
        return PingResponse(json.loads(await native.call("ping", params)))

    async def get_status(self) -> GetStatusResponse:
        """The server's version and protocol version."""
        native = await self._require()
        return GetStatusResponse(json.loads(await native.call("status.get")))

    async def get_auth_status(self) -> GetAuthStatusResponse:
        """Whether (and how) the CLI is authenticated."""
        native = await self._require()
        return GetAuthStatusResponse(json.loads(await native.call("auth.getStatus")))

    async def list_models(self) -> list[ModelInfo]:
        """Models available to the authenticated user."""
        if self._on_list_models is not None:
            result = self._on_list_models()
            if inspect.isawaitable(result):
                result = await result
            return list(result)
        native = await self._require()
        result = json.loads(await native.call("models.list"))
        return [ModelInfo(m) for m in result.get("models", [])]

    async def call(self, method: str, params: Mapping[str, Any] | None = None) -> Any:
        """Calls any server method; returns the JSON result."""
        native = await self._require()
        return json.loads(await native.call(method, None if params is None else json.dumps(dict(params))))

    # Lifecycle notifications

    def on_lifecycle(
        self,
        handler_or_type: SessionLifecycleHandler | str,
        handler: SessionLifecycleHandler | None = None,
        /,
    ) -> Callable[[], None]:
        """Subscribes to connection-wide session lifecycle events (``session.created``,
        ``session.deleted``, ``session.updated``, ...); ``on_lifecycle("session.deleted",
        fn)`` filters by type. Returns the unsubscribe callable. Requires a started client."""
        if isinstance(handler_or_type, str):
            if handler is None:
                raise TypeError("on_lifecycle(event_type, handler) needs a handler")
            event_type: str | None = handler_or_type
            fn = handler
        else:
            event_type, fn = None, handler_or_type
        if self._native is None:
            raise InvalidConfigError("start the client before subscribing to lifecycle events")
        listener = _LifecycleListener(self._native.subscribe_lifecycle(), fn, event_type)
        self._lifecycle.append(listener)
        listener.task = asyncio.get_running_loop().create_task(listener.pump())

        def unsubscribe() -> None:
            listener.stop()
            with contextlib.suppress(ValueError):
                self._lifecycle.remove(listener)

        return unsubscribe


class _LifecycleListener:
    def __init__(self, sub: _native.LifecycleSubscription, handler: SessionLifecycleHandler, event_type: str | None):
        self.sub = sub
        self.handler = handler
        self.event_type = event_type
        self.active = True
        self.task: asyncio.Task[None] | None = None

    def stop(self) -> None:
        self.active = False
        self.sub.close()

    async def pump(self) -> None:
        try:
            while self.active:
                batch = await self.sub.recv()
                if batch is None:
                    break
                for item in batch:
                    await self._deliver(item)
        finally:
            self.sub.close()

    async def _deliver(self, item: str | int) -> None:
        if isinstance(item, int):
            logger.warning("copilot_core: a lifecycle handler fell behind; %d events were dropped", item)
            return
        event = _lifecycle_event(json.loads(item))
        if self.event_type is not None and event.type != self.event_type:
            return
        try:
            result = self.handler(event)
            if inspect.isawaitable(result):
                await result
        except Exception:
            logger.error("copilot_core: unhandled exception in a lifecycle handler", exc_info=True)
