"""Session events: :class:`SessionEvent`, :class:`SessionEventType` and one payload class per
event type (``AssistantMessageDeltaData``, ``SessionInfoData``, ...).

Payloads are :class:`~copilot_core._data.DataObject` views of the CLI's JSON: snake_case
attributes (``event.data.delta_content``, ``event.data.info_type``, ``event.data.url``),
``None`` for declared fields the CLI omitted, and every other key kept, so fields added by
newer CLIs are reachable too. ``match event.data: case AssistantMessageData() as d:``
works as with the official package.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Callable
from datetime import datetime
from enum import Enum
from typing import Any, ClassVar

from ._data import DataObject

__all__ = [
    "EventData",
    "PermissionRequest",
    "PermissionRequestCustomTool",
    "PermissionRequestExtensionEnvAccess",
    "PermissionRequestExtensionManagement",
    "PermissionRequestExtensionPermissionAccess",
    "PermissionRequestHook",
    "PermissionRequestMcp",
    "PermissionRequestMemory",
    "PermissionRequestRead",
    "PermissionRequestShell",
    "PermissionRequestUrl",
    "PermissionRequestWorkflow",
    "PermissionRequestWrite",
    "RawSessionEventData",
    "SessionEvent",
    "SessionEventType",
    "SessionMode",
    "permission_request_from_dict",
    "session_event_from_dict",
    "session_event_to_dict",
]


class _StrEnum(str, Enum):
    """A str-valued enum whose members print as their value (``StrEnum`` is 3.11+)."""

    def __str__(self) -> str:
        return str(self.value)

    def __format__(self, spec: str) -> str:
        return format(str(self.value), spec)


class SessionMode(_StrEnum):
    """Agent modes seen in ``session.idle.mode`` and ``user.message.agent_mode``."""

    INTERACTIVE = "interactive"
    PLAN = "plan"
    AUTOPILOT = "autopilot"
    SHELL = "shell"


class EventData(DataObject):
    """Base class of every event payload."""


class RawSessionEventData(EventData):
    """Payload of an event type this SDK does not know (all keys kept)."""


# Permission requests (``permission.requested.data.permission_request``), tagged by ``kind``.


class PermissionRequest(DataObject):
    """A permission request. The concrete class follows ``kind``
    (``PermissionRequestShell``, ``PermissionRequestWrite``, ...)."""

    KIND: ClassVar[str] = ""

    kind: str
    tool_call_id: str | None
    intention: str | None
    managed_approval_required: bool | None
    request_sandbox_bypass: bool | None
    request_sandbox_bypass_reason: str | None


class PermissionRequestShell(PermissionRequest):
    """``kind == "shell"``: run a shell command."""

    KIND = "shell"
    full_command_text: str
    commands: list[Any]
    command_segments: list[Any] | None
    possible_paths: list[str]
    possible_urls: list[Any]
    has_write_file_redirection: bool
    can_offer_session_approval: bool
    shell_type: str | None
    warning: str | None


class PermissionRequestWrite(PermissionRequest):
    """``kind == "write"``: write a file."""

    KIND = "write"
    file_name: str
    diff: str
    new_file_contents: str | None
    can_offer_session_approval: bool


class PermissionRequestRead(PermissionRequest):
    """``kind == "read"``: read a path outside the trusted directories."""

    KIND = "read"
    path: str


class PermissionRequestMcp(PermissionRequest):
    """``kind == "mcp"``: call an MCP tool."""

    KIND = "mcp"
    RAW_FIELDS = frozenset({"args"})
    server_name: str
    tool_name: str
    tool_title: str | None
    args: Any
    read_only: bool | None


class PermissionRequestUrl(PermissionRequest):
    """``kind == "url"``: fetch a URL."""

    KIND = "url"
    url: str
    redirected_from: str | None


class PermissionRequestMemory(PermissionRequest):
    """``kind == "memory"``: store a memory."""

    KIND = "memory"
    action: str | None
    subject: str | None
    fact: str | None
    scope: str | None


class PermissionRequestCustomTool(PermissionRequest):
    """``kind == "custom-tool"``: call a tool defined by an SDK client."""

    KIND = "custom-tool"
    RAW_FIELDS = frozenset({"args"})
    tool_name: str
    tool_description: str
    args: Any
    skip_permission: bool | None


class PermissionRequestHook(PermissionRequest):
    """``kind == "hook"``: a hook asks for confirmation."""

    KIND = "hook"
    RAW_FIELDS = frozenset({"tool_args"})
    tool_name: str
    tool_args: Any
    hook_message: str | None


class PermissionRequestExtensionManagement(PermissionRequest):
    """``kind == "extension-management"``."""

    KIND = "extension-management"


class PermissionRequestWorkflow(PermissionRequest):
    """``kind == "workflow"`` (also spelled ``factory`` by some CLIs)."""

    KIND = "workflow"


class PermissionRequestExtensionPermissionAccess(PermissionRequest):
    """``kind == "extension-permission-access"``."""

    KIND = "extension-permission-access"


class PermissionRequestExtensionEnvAccess(PermissionRequest):
    """``kind == "extension-env-access"``."""

    KIND = "extension-env-access"


_PERMISSION_CLASSES: dict[str, type[PermissionRequest]] = {
    c.KIND: c
    for c in (
        PermissionRequestShell,
        PermissionRequestWrite,
        PermissionRequestRead,
        PermissionRequestMcp,
        PermissionRequestUrl,
        PermissionRequestMemory,
        PermissionRequestCustomTool,
        PermissionRequestHook,
        PermissionRequestExtensionManagement,
        PermissionRequestWorkflow,
        PermissionRequestExtensionPermissionAccess,
        PermissionRequestExtensionEnvAccess,
    )
}
_PERMISSION_CLASSES["factory"] = PermissionRequestWorkflow


def permission_request_from_dict(obj: dict[str, Any] | None) -> PermissionRequest:
    """The typed view of a wire ``permissionRequest`` object."""
    obj = obj or {}
    cls = _PERMISSION_CLASSES.get(str(obj.get("kind", "")), PermissionRequest)
    return cls(obj)


# Hand-written payloads: the events applications read most. Every other type gets a bare
# class in the generated block below (all its keys are still attributes).


class SessionStartData(EventData):
    """``session.start``. ``producer == "copilot-agent"`` marks a live (cloud) agent."""

    session_id: str
    version: int | None
    producer: str | None
    copilot_version: str | None
    start_time: str | None
    selected_model: str | None
    context: DataObject | None
    remote_steerable: bool | None
    already_in_use: bool | None
    reasoning_effort: str | None


class SessionResumeData(EventData):
    """``session.resume``."""

    resume_time: str | None
    event_count: int | None
    selected_model: str | None
    context: DataObject | None
    remote_steerable: bool | None
    session_was_active: bool | None
    already_in_use: bool | None
    continue_pending_work: bool | None


class SessionIdleData(EventData):
    """``session.idle``: the turn is over."""

    aborted: bool | None
    mode: str | None


class SessionErrorData(EventData):
    """``session.error``: the agent failed."""

    error_type: str
    message: str
    error_code: str | None
    status_code: int | None
    provider_call_id: str | None
    service_request_id: str | None
    url: str | None
    stack: str | None
    eligible_for_auto_switch: bool | None


class SessionInfoData(EventData):
    """``session.info``. With ``info_type == "remote"``, ``url`` is the Mission Control link."""

    info_type: str
    message: str
    url: str | None
    tip: str | None


class SessionWarningData(EventData):
    """``session.warning``."""

    warning_type: str
    message: str
    url: str | None
    remediation: str | None


class SessionRemoteSteerableChangedData(EventData):
    """``session.remote_steerable_changed``."""

    remote_steerable: bool


class SessionTitleChangedData(EventData):
    """``session.title_changed``."""

    title: str


class SessionModelChangeData(EventData):
    """``session.model_change``."""

    new_model: str
    previous_model: str | None
    source: str | None
    cause: str | None
    reasoning_effort: str | None


class SessionModeChangedData(EventData):
    """``session.mode_changed``."""

    previous_mode: str
    new_mode: str


class SessionShutdownData(EventData):
    """``session.shutdown``."""

    shutdown_type: str | None
    total_api_duration_ms: float | None
    session_start_time: Any
    code_changes: DataObject | None
    model_metrics: Any
    current_model: str | None


class SessionUsageInfoData(EventData):
    """``session.usage_info``."""

    token_limit: int | None
    current_tokens: int | None
    messages_length: int | None
    system_tokens: int | None
    conversation_tokens: int | None
    tool_definitions_tokens: int | None
    is_initial: bool | None


class SessionTaskCompleteData(EventData):
    """``session.task_complete``."""

    success: bool | None
    summary: str | None


class SessionMcpServerStatusChangedData(EventData):
    """``session.mcp_server_status_changed``."""

    server_name: str
    status: str
    error: Any


class UserMessageData(EventData):
    """``user.message``: the prompt as the agent received it."""

    RAW_FIELDS = frozenset({"attachments"})
    content: str
    transformed_content: str | None
    attachments: list[Any] | None
    agent_mode: str | None
    delivery: str | None
    source: str | None
    interaction_id: str | None
    turn_id: str | None
    message_id: str | None


class SystemMessageData(EventData):
    """``system.message``."""

    RAW_FIELDS = frozenset({"metadata"})
    role: str
    content: str
    name: str | None
    metadata: Any


class AssistantTurnStartData(EventData):
    """``assistant.turn_start``."""

    turn_id: str
    interaction_id: str | None
    model: str | None


class AssistantTurnEndData(EventData):
    """``assistant.turn_end``."""

    turn_id: str
    model: str | None


class AssistantMessageData(EventData):
    """``assistant.message``: a complete reply (``content``) and its tool calls."""

    message_id: str
    content: str
    tool_requests: list[DataObject] | None
    model: str | None
    interaction_id: str | None
    turn_id: str | None
    reasoning_text: str | None
    parent_tool_call_id: str | None
    phase: str | None
    originating_message_id: str | None


class AssistantMessageStartData(EventData):
    """``assistant.message_start``."""

    message_id: str
    phase: str | None


class AssistantMessageDeltaData(EventData):
    """``assistant.message_delta``: a streamed piece of the reply (``delta_content``)."""

    message_id: str
    delta_content: str
    parent_tool_call_id: str | None


class AssistantReasoningData(EventData):
    """``assistant.reasoning``."""

    reasoning_id: str
    content: str


class AssistantReasoningDeltaData(EventData):
    """``assistant.reasoning_delta``."""

    reasoning_id: str
    delta_content: str


class AssistantStreamingDeltaData(EventData):
    """``assistant.streaming_delta``."""

    total_response_size_bytes: int


class AssistantToolCallDeltaData(EventData):
    """``assistant.tool_call_delta``."""

    tool_call_id: str
    input_delta: str
    tool_name: str | None
    tool_type: str | None


class AssistantIntentData(EventData):
    """``assistant.intent``."""

    intent: str


class AssistantIdleData(EventData):
    """``assistant.idle``."""

    aborted: bool | None


class AssistantUsageData(EventData):
    """``assistant.usage``."""

    model: str
    input_tokens: int | None
    output_tokens: int | None
    cache_read_tokens: int | None
    cache_write_tokens: int | None
    cost: float | None
    duration: float | None
    initiator: str | None
    finish_reason: str | None


class AbortData(EventData):
    """``abort``: the turn was cancelled."""

    reason: str


class ToolExecutionStartData(EventData):
    """``tool.execution_start``."""

    RAW_FIELDS = frozenset({"arguments"})
    tool_call_id: str
    tool_name: str
    arguments: Any
    turn_id: str | None
    mcp_server_name: str | None
    mcp_tool_name: str | None


class ToolExecutionPartialResultData(EventData):
    """``tool.execution_partial_result``."""

    tool_call_id: str
    partial_output: str


class ToolExecutionProgressData(EventData):
    """``tool.execution_progress``."""

    tool_call_id: str
    progress_message: str


class ToolExecutionCompleteData(EventData):
    """``tool.execution_complete``: ``success``, ``result.content`` or ``error.message``."""

    RAW_FIELDS = frozenset({"tool_telemetry"})
    tool_call_id: str
    success: bool
    result: DataObject | None
    error: DataObject | None
    tool_telemetry: Any
    is_user_requested: bool | None


class SubagentStartedData(EventData):
    """``subagent.started``."""

    tool_call_id: str
    agent_name: str
    agent_display_name: str | None
    agent_description: str | None
    model: str | None


class SubagentCompletedData(EventData):
    """``subagent.completed``."""

    tool_call_id: str
    agent_name: str
    agent_display_name: str | None
    duration_ms: float | None
    total_tokens: int | None


class SubagentFailedData(EventData):
    """``subagent.failed``."""

    tool_call_id: str
    agent_name: str
    agent_display_name: str | None
    duration_ms: float | None
    error: Any


class HookStartData(EventData):
    """``hook.start``."""

    RAW_FIELDS = frozenset({"input"})
    hook_invocation_id: str
    hook_type: str
    input: Any


class HookEndData(EventData):
    """``hook.end``."""

    RAW_FIELDS = frozenset({"output"})
    hook_invocation_id: str
    hook_type: str
    success: bool
    output: Any
    error: Any


class PermissionRequestedData(EventData):
    """``permission.requested``. ``permission_request`` is a typed :class:`PermissionRequest`."""

    request_id: str
    permission_request: PermissionRequest
    prompt_request: DataObject | None
    resolved_by_hook: bool | None

    def __init__(self, raw: dict[str, Any] | None = None, /, **fields: Any):
        super().__init__(raw, **fields)
        req = self._raw.get("permissionRequest")
        if isinstance(req, dict):
            object.__setattr__(self, "permission_request", permission_request_from_dict(req))


class PermissionCompletedData(EventData):
    """``permission.completed``: ``result.kind`` is the outcome (``approved``,
    ``denied-interactively-by-user``, ...)."""

    request_id: str
    tool_call_id: str | None
    result: DataObject


class UserInputRequestedData(EventData):
    """``user_input.requested``."""

    request_id: str
    question: str
    choices: list[str] | None
    allow_freeform: bool | None
    tool_call_id: str | None


class UserInputCompletedData(EventData):
    """``user_input.completed``."""

    request_id: str
    answer: str | None
    was_freeform: bool | None


class ElicitationRequestedData(EventData):
    """``elicitation.requested``."""

    RAW_FIELDS = frozenset({"requested_schema"})
    request_id: str
    message: str
    requested_schema: Any
    mode: str | None
    url: str | None
    elicitation_source: str | None
    tool_call_id: str | None


class ElicitationCompletedData(EventData):
    """``elicitation.completed``."""

    RAW_FIELDS = frozenset({"content"})
    request_id: str
    action: str | None
    content: Any


class ExternalToolRequestedData(EventData):
    """``external_tool.requested``: a client-defined tool must run."""

    RAW_FIELDS = frozenset({"arguments"})
    request_id: str
    session_id: str
    tool_call_id: str
    tool_name: str
    arguments: Any
    working_directory: str | None


class ExternalToolCompletedData(EventData):
    """``external_tool.completed``."""

    request_id: str


class ExitPlanModeRequestedData(EventData):
    """``exit_plan_mode.requested``."""

    request_id: str
    summary: str
    plan_content: str | None
    actions: list[str]
    recommended_action: str


class ExitPlanModeCompletedData(EventData):
    """``exit_plan_mode.completed``."""

    request_id: str
    approved: bool | None
    selected_action: str | None
    feedback: str | None


class CapabilitiesChangedData(EventData):
    """``capabilities.changed``."""

    ui: DataObject | None


# --- BEGIN GENERATED (tools/gen_event_types.py) ---

class SessionEventType(_StrEnum):
    """Every event type the protocol defines. Members compare equal to their strings."""

    SESSION_START = "session.start"
    SESSION_RESUME = "session.resume"
    SESSION_REMOTE_STEERABLE_CHANGED = "session.remote_steerable_changed"
    SESSION_ERROR = "session.error"
    SESSION_IDLE = "session.idle"
    SESSION_AUTOPILOT_STOPPED = "session.autopilot_stopped"
    SESSION_TITLE_CHANGED = "session.title_changed"
    SESSION_SCHEDULE_CREATED = "session.schedule_created"
    SESSION_SCHEDULE_CANCELLED = "session.schedule_cancelled"
    SESSION_SCHEDULE_REARMED = "session.schedule_rearmed"
    SESSION_AUTOPILOT_OBJECTIVE_CHANGED = "session.autopilot_objective_changed"
    SESSION_INFO = "session.info"
    SESSION_INDEXED_SEARCH = "session.indexed_search"
    SESSION_WARNING = "session.warning"
    SESSION_MODEL_CHANGE = "session.model_change"
    SESSION_MODEL_DESELECTED = "session.model_deselected"
    SESSION_AUTO_TIER_RECOMMENDATION = "session.auto_tier_recommendation"
    SESSION_AUTO_TIER_SWITCH_FAILED = "session.auto_tier_switch_failed"
    SESSION_MODE_CHANGED = "session.mode_changed"
    SESSION_MODE_NOTICE_DELIVERED = "session.mode_notice_delivered"
    SESSION_SESSION_LIMITS_CHANGED = "session.session_limits_changed"
    SESSION_PERMISSIONS_CHANGED = "session.permissions_changed"
    SESSION_PLAN_CHANGED = "session.plan_changed"
    SESSION_TODOS_CHANGED = "session.todos_changed"
    SESSION_WORKSPACE_FILE_CHANGED = "session.workspace_file_changed"
    SESSION_HANDOFF = "session.handoff"
    SESSION_TRUNCATION = "session.truncation"
    SESSION_SNAPSHOT_REWIND = "session.snapshot_rewind"
    SESSION_SHUTDOWN = "session.shutdown"
    SESSION_USAGE_CHECKPOINT = "session.usage_checkpoint"
    SESSION_QUOTA_OBSERVATION = "session.quota_observation"
    SESSION_CONTEXT_CHANGED = "session.context_changed"
    SESSION_USAGE_INFO = "session.usage_info"
    SESSION_CONTEXT_CLEARED = "session.context_cleared"
    SESSION_COMPACTION_START = "session.compaction_start"
    SESSION_COMPACTION_COMPLETE = "session.compaction_complete"
    SESSION_TASK_COMPLETE = "session.task_complete"
    SESSION_COMPLETION_RECEIPT = "session.completion_receipt"
    SESSION_FUSION_ROUTE_STARTED = "session.fusion_route_started"
    SESSION_FUSION_ROUTE_FAILED = "session.fusion_route_failed"
    SESSION_FUSION_RESOLVED = "session.fusion_resolved"
    SESSION_FUSION_COMPLETED = "session.fusion_completed"
    SESSION_PERMISSION_RECOVERY = "session.permission_recovery"
    USER_MESSAGE = "user.message"
    PENDING_MESSAGES_MODIFIED = "pending_messages.modified"
    ASSISTANT_TURN_START = "assistant.turn_start"
    ASSISTANT_TURN_RETRY = "assistant.turn_retry"
    AGENT_INTERRUPTED = "agent.interrupted"
    ASSISTANT_INTENT = "assistant.intent"
    ASSISTANT_FUSION_PHASE_STARTED = "assistant.fusion_phase_started"
    ASSISTANT_FUSION_PHASE_ACTIVITY = "assistant.fusion_phase_activity"
    ASSISTANT_FUSION_PHASE_COMPLETED = "assistant.fusion_phase_completed"
    ASSISTANT_FUSION_PHASE_FAILED = "assistant.fusion_phase_failed"
    ASSISTANT_SERVER_TOOL_PROGRESS = "assistant.server_tool_progress"
    ASSISTANT_REASONING = "assistant.reasoning"
    ASSISTANT_REASONING_DELTA = "assistant.reasoning_delta"
    ASSISTANT_TOOL_CALL_DELTA = "assistant.tool_call_delta"
    ASSISTANT_STREAMING_DELTA = "assistant.streaming_delta"
    ASSISTANT_MESSAGE = "assistant.message"
    ASSISTANT_MESSAGE_START = "assistant.message_start"
    ASSISTANT_MESSAGE_DELTA = "assistant.message_delta"
    ASSISTANT_TURN_END = "assistant.turn_end"
    ASSISTANT_IDLE = "assistant.idle"
    ASSISTANT_USAGE = "assistant.usage"
    PROMPT_CACHE_BREAK = "prompt_cache_break"
    MODEL_CALL_FAILURE = "model.call_failure"
    MODEL_CALL_FINAL_RESULT = "model.call_final_result"
    MODEL_CALL_FINISHED = "model.call_finished"
    MODEL_CALL_START = "model.call_start"
    ABORT = "abort"
    TOOL_USER_REQUESTED = "tool.user_requested"
    TOOL_EXECUTION_START = "tool.execution_start"
    TOOL_EXECUTION_PARTIAL_RESULT = "tool.execution_partial_result"
    TOOL_SHELL_OUTPUT = "tool.shell_output"
    TOOL_EXECUTION_PROGRESS = "tool.execution_progress"
    TOOL_EXECUTION_COMPLETE = "tool.execution_complete"
    TOOL_SEARCH_ACTIVATED = "tool_search.activated"
    SKILL_INVOKED = "skill.invoked"
    SKILL_INVOKED_REF = "skill.invoked_ref"
    SKILL_CONTEXT_DELIVERED = "skill.context_delivered"
    SKILL_CONTEXT_DELIVERED_REF = "skill.context_delivered_ref"
    SANDBOX_DECISION = "sandbox.decision"
    SUBAGENT_STARTED = "subagent.started"
    SUBAGENT_CONFIGURED = "subagent.configured"
    SUBAGENT_COMPLETED = "subagent.completed"
    SUBAGENT_FAILED = "subagent.failed"
    SUBAGENT_SELECTED = "subagent.selected"
    SUBAGENT_DESELECTED = "subagent.deselected"
    HOOK_START = "hook.start"
    HOOK_END = "hook.end"
    HOOK_PROGRESS = "hook.progress"
    SESSION_BINARY_ASSET = "session.binary_asset"
    SYSTEM_MESSAGE = "system.message"
    INSTRUCTION_UPDATE = "instruction.update"
    SYSTEM_NOTIFICATION = "system.notification"
    PERMISSION_REQUESTED = "permission.requested"
    PERMISSION_COMPLETED = "permission.completed"
    PERMISSION_CARRIED_FORWARD = "permission.carriedForward"
    PERMISSION_MESSAGE_AUTHORIZATION = "permission.messageAuthorization"
    PERMISSION_MESSAGE_AUTHORIZATION_READ = "permission.messageAuthorizationRead"
    PERMISSION_MESSAGE_AUTHORIZATION_DEGRADED = "permission.messageAuthorizationDegraded"
    PERMISSION_ASSENT_DETECTED = "permission.assentDetected"
    PERMISSION_CONTEXTUAL_AUTHORIZATION = "permission.contextualAuthorization"
    USER_INPUT_REQUESTED = "user_input.requested"
    USER_INPUT_COMPLETED = "user_input.completed"
    ELICITATION_REQUESTED = "elicitation.requested"
    ELICITATION_COMPLETED = "elicitation.completed"
    SAMPLING_REQUESTED = "sampling.requested"
    SAMPLING_COMPLETED = "sampling.completed"
    MCP_OAUTH_REQUIRED = "mcp.oauth_required"
    MCP_OAUTH_COMPLETED = "mcp.oauth_completed"
    MCP_OAUTH_RECOVERY_COMPLETED = "mcp.oauth_recovery_completed"
    MCP_HEADERS_REFRESH_REQUIRED = "mcp.headers_refresh_required"
    MCP_HEADERS_REFRESH_COMPLETED = "mcp.headers_refresh_completed"
    SESSION_CUSTOM_NOTIFICATION = "session.custom_notification"
    UI_EPHEMERAL_QUERY = "ui.ephemeral_query"
    EXTERNAL_TOOL_REQUESTED = "external_tool.requested"
    EXTERNAL_TOOL_COMPLETED = "external_tool.completed"
    COMMAND_QUEUED = "command.queued"
    COMMAND_EXECUTE = "command.execute"
    COMMAND_COMPLETED = "command.completed"
    AUTO_MODE_SWITCH_REQUESTED = "auto_mode_switch.requested"
    AUTO_MODE_SWITCH_COMPLETED = "auto_mode_switch.completed"
    SESSION_LIMITS_EXHAUSTED_REQUESTED = "session_limits_exhausted.requested"
    SESSION_LIMITS_EXHAUSTED_COMPLETED = "session_limits_exhausted.completed"
    SESSION_AUTO_MODE_RESOLVED = "session.auto_mode_resolved"
    SESSION_MANAGED_PLUGIN_PROGRESS = "session.managed_plugin_progress"
    SESSION_MANAGED_SETTINGS_RESOLVED = "session.managed_settings_resolved"
    SESSION_MANAGED_SETTINGS_ENFORCED = "session.managed_settings_enforced"
    COMMANDS_CHANGED = "commands.changed"
    CAPABILITIES_CHANGED = "capabilities.changed"
    EXIT_PLAN_MODE_REQUESTED = "exit_plan_mode.requested"
    EXIT_PLAN_MODE_COMPLETED = "exit_plan_mode.completed"
    HUMAN_RESPONSE_RECORDED = "human_response.recorded"
    SESSION_TOOLS_UPDATED = "session.tools_updated"
    SESSION_BACKGROUND_TASKS_CHANGED = "session.background_tasks_changed"
    WORKFLOW_RUN_UPDATED = "workflow.run_updated"
    WORKFLOW_RUN_STARTED = "workflow.run_started"
    WORKFLOW_RUN_SETTLED = "workflow.run_settled"
    SESSION_SKILLS_LOADED = "session.skills_loaded"
    SESSION_CUSTOM_AGENTS_UPDATED = "session.custom_agents_updated"
    SESSION_MCP_SERVERS_LOADED = "session.mcp_servers_loaded"
    SESSION_MCP_SERVER_STATUS_CHANGED = "session.mcp_server_status_changed"
    SESSION_MCP_SERVER_TOOLS_LOADED = "session.mcp_server_tools_loaded"
    SESSION_MCP_SERVER_REMOVED = "session.mcp_server_removed"
    SESSION_MCP_SERVER_NEEDS_RECONNECT = "session.mcp_server_needs_reconnect"
    MCP_TOOLS_LIST_CHANGED = "mcp.tools.list_changed"
    MCP_RESOURCES_LIST_CHANGED = "mcp.resources.list_changed"
    MCP_PROMPTS_LIST_CHANGED = "mcp.prompts.list_changed"
    SESSION_EXTENSIONS_LOADED = "session.extensions_loaded"
    SESSION_CANVAS_OPENED = "session.canvas.opened"
    SESSION_CANVAS_REGISTRY_CHANGED = "session.canvas.registry_changed"
    SESSION_CANVAS_CLOSED = "session.canvas.closed"
    SESSION_CANVAS_UNAVAILABLE = "session.canvas.unavailable"
    SESSION_CANVAS_RECORDED = "session.canvas.recorded"
    SESSION_CANVAS_REMOVED = "session.canvas.removed"
    SESSION_EXTENSIONS_ATTACHMENTS_PUSHED = "session.extensions.attachments_pushed"
    MCP_APP_TOOL_CALL_COMPLETE = "mcp_app.tool_call_complete"
    UNKNOWN = "unknown"

    @classmethod
    def _missing_(cls, value: object) -> "SessionEventType":
        return cls.UNKNOWN


class SessionAutopilotStoppedData(EventData):
    """Payload of ``session.autopilot_stopped``."""


class SessionScheduleCreatedData(EventData):
    """Payload of ``session.schedule_created``."""


class SessionScheduleCancelledData(EventData):
    """Payload of ``session.schedule_cancelled``."""


class SessionScheduleRearmedData(EventData):
    """Payload of ``session.schedule_rearmed``."""


class SessionAutopilotObjectiveChangedData(EventData):
    """Payload of ``session.autopilot_objective_changed``."""


class SessionIndexedSearchData(EventData):
    """Payload of ``session.indexed_search``."""


class SessionModelDeselectedData(EventData):
    """Payload of ``session.model_deselected``."""


class SessionAutoTierRecommendationData(EventData):
    """Payload of ``session.auto_tier_recommendation``."""


class SessionAutoTierSwitchFailedData(EventData):
    """Payload of ``session.auto_tier_switch_failed``."""


class SessionModeNoticeDeliveredData(EventData):
    """Payload of ``session.mode_notice_delivered``."""


class SessionSessionLimitsChangedData(EventData):
    """Payload of ``session.session_limits_changed``."""


class SessionPermissionsChangedData(EventData):
    """Payload of ``session.permissions_changed``."""


class SessionPlanChangedData(EventData):
    """Payload of ``session.plan_changed``."""


class SessionTodosChangedData(EventData):
    """Payload of ``session.todos_changed``."""


class SessionWorkspaceFileChangedData(EventData):
    """Payload of ``session.workspace_file_changed``."""


class SessionHandoffData(EventData):
    """Payload of ``session.handoff``."""


class SessionTruncationData(EventData):
    """Payload of ``session.truncation``."""


class SessionSnapshotRewindData(EventData):
    """Payload of ``session.snapshot_rewind``."""


class SessionUsageCheckpointData(EventData):
    """Payload of ``session.usage_checkpoint``."""


class SessionQuotaObservationData(EventData):
    """Payload of ``session.quota_observation``."""


class SessionContextChangedData(EventData):
    """Payload of ``session.context_changed``."""


class SessionContextClearedData(EventData):
    """Payload of ``session.context_cleared``."""


class SessionCompactionStartData(EventData):
    """Payload of ``session.compaction_start``."""


class SessionCompactionCompleteData(EventData):
    """Payload of ``session.compaction_complete``."""


class SessionCompletionReceiptData(EventData):
    """Payload of ``session.completion_receipt``."""


class SessionFusionRouteStartedData(EventData):
    """Payload of ``session.fusion_route_started``."""


class SessionFusionRouteFailedData(EventData):
    """Payload of ``session.fusion_route_failed``."""


class SessionFusionResolvedData(EventData):
    """Payload of ``session.fusion_resolved``."""


class SessionFusionCompletedData(EventData):
    """Payload of ``session.fusion_completed``."""


class SessionPermissionRecoveryData(EventData):
    """Payload of ``session.permission_recovery``."""


class PendingMessagesModifiedData(EventData):
    """Payload of ``pending_messages.modified``."""


class AssistantTurnRetryData(EventData):
    """Payload of ``assistant.turn_retry``."""


class AgentInterruptedData(EventData):
    """Payload of ``agent.interrupted``."""


class AssistantFusionPhaseStartedData(EventData):
    """Payload of ``assistant.fusion_phase_started``."""


class AssistantFusionPhaseActivityData(EventData):
    """Payload of ``assistant.fusion_phase_activity``."""


class AssistantFusionPhaseCompletedData(EventData):
    """Payload of ``assistant.fusion_phase_completed``."""


class AssistantFusionPhaseFailedData(EventData):
    """Payload of ``assistant.fusion_phase_failed``."""


class AssistantServerToolProgressData(EventData):
    """Payload of ``assistant.server_tool_progress``."""


class PromptCacheBreakData(EventData):
    """Payload of ``prompt_cache_break``."""


class ModelCallFailureData(EventData):
    """Payload of ``model.call_failure``."""


class ModelCallFinalResultData(EventData):
    """Payload of ``model.call_final_result``."""


class ModelCallFinishedData(EventData):
    """Payload of ``model.call_finished``."""


class ModelCallStartData(EventData):
    """Payload of ``model.call_start``."""


class ToolUserRequestedData(EventData):
    """Payload of ``tool.user_requested``."""


class ToolShellOutputData(EventData):
    """Payload of ``tool.shell_output``."""


class ToolSearchActivatedData(EventData):
    """Payload of ``tool_search.activated``."""


class SkillInvokedData(EventData):
    """Payload of ``skill.invoked``."""


class SkillInvokedRefData(EventData):
    """Payload of ``skill.invoked_ref``."""


class SkillContextDeliveredData(EventData):
    """Payload of ``skill.context_delivered``."""


class SkillContextDeliveredRefData(EventData):
    """Payload of ``skill.context_delivered_ref``."""


class SandboxDecisionData(EventData):
    """Payload of ``sandbox.decision``."""


class SubagentConfiguredData(EventData):
    """Payload of ``subagent.configured``."""


class SubagentSelectedData(EventData):
    """Payload of ``subagent.selected``."""


class SubagentDeselectedData(EventData):
    """Payload of ``subagent.deselected``."""


class HookProgressData(EventData):
    """Payload of ``hook.progress``."""


class SessionBinaryAssetData(EventData):
    """Payload of ``session.binary_asset``."""


class InstructionUpdateData(EventData):
    """Payload of ``instruction.update``."""


class SystemNotificationData(EventData):
    """Payload of ``system.notification``."""


class PermissionCarriedForwardData(EventData):
    """Payload of ``permission.carriedForward``."""


class PermissionMessageAuthorizationData(EventData):
    """Payload of ``permission.messageAuthorization``."""


class PermissionMessageAuthorizationReadData(EventData):
    """Payload of ``permission.messageAuthorizationRead``."""


class PermissionMessageAuthorizationDegradedData(EventData):
    """Payload of ``permission.messageAuthorizationDegraded``."""


class PermissionAssentDetectedData(EventData):
    """Payload of ``permission.assentDetected``."""


class PermissionContextualAuthorizationData(EventData):
    """Payload of ``permission.contextualAuthorization``."""


class SamplingRequestedData(EventData):
    """Payload of ``sampling.requested``."""


class SamplingCompletedData(EventData):
    """Payload of ``sampling.completed``."""


class McpOauthRequiredData(EventData):
    """Payload of ``mcp.oauth_required``."""


class McpOauthCompletedData(EventData):
    """Payload of ``mcp.oauth_completed``."""


class McpOauthRecoveryCompletedData(EventData):
    """Payload of ``mcp.oauth_recovery_completed``."""


class McpHeadersRefreshRequiredData(EventData):
    """Payload of ``mcp.headers_refresh_required``."""


class McpHeadersRefreshCompletedData(EventData):
    """Payload of ``mcp.headers_refresh_completed``."""


class SessionCustomNotificationData(EventData):
    """Payload of ``session.custom_notification``."""


class UiEphemeralQueryData(EventData):
    """Payload of ``ui.ephemeral_query``."""


class CommandQueuedData(EventData):
    """Payload of ``command.queued``."""


class CommandExecuteData(EventData):
    """Payload of ``command.execute``."""


class CommandCompletedData(EventData):
    """Payload of ``command.completed``."""


class AutoModeSwitchRequestedData(EventData):
    """Payload of ``auto_mode_switch.requested``."""


class AutoModeSwitchCompletedData(EventData):
    """Payload of ``auto_mode_switch.completed``."""


class SessionLimitsExhaustedRequestedData(EventData):
    """Payload of ``session_limits_exhausted.requested``."""


class SessionLimitsExhaustedCompletedData(EventData):
    """Payload of ``session_limits_exhausted.completed``."""


class SessionAutoModeResolvedData(EventData):
    """Payload of ``session.auto_mode_resolved``."""


class SessionManagedPluginProgressData(EventData):
    """Payload of ``session.managed_plugin_progress``."""


class SessionManagedSettingsResolvedData(EventData):
    """Payload of ``session.managed_settings_resolved``."""


class SessionManagedSettingsEnforcedData(EventData):
    """Payload of ``session.managed_settings_enforced``."""


class CommandsChangedData(EventData):
    """Payload of ``commands.changed``."""


class HumanResponseRecordedData(EventData):
    """Payload of ``human_response.recorded``."""


class SessionToolsUpdatedData(EventData):
    """Payload of ``session.tools_updated``."""


class SessionBackgroundTasksChangedData(EventData):
    """Payload of ``session.background_tasks_changed``."""


class WorkflowRunUpdatedData(EventData):
    """Payload of ``workflow.run_updated``."""


class WorkflowRunStartedData(EventData):
    """Payload of ``workflow.run_started``."""


class WorkflowRunSettledData(EventData):
    """Payload of ``workflow.run_settled``."""


class SessionSkillsLoadedData(EventData):
    """Payload of ``session.skills_loaded``."""


class SessionCustomAgentsUpdatedData(EventData):
    """Payload of ``session.custom_agents_updated``."""


class SessionMcpServersLoadedData(EventData):
    """Payload of ``session.mcp_servers_loaded``."""


class SessionMcpServerToolsLoadedData(EventData):
    """Payload of ``session.mcp_server_tools_loaded``."""


class SessionMcpServerRemovedData(EventData):
    """Payload of ``session.mcp_server_removed``."""


class SessionMcpServerNeedsReconnectData(EventData):
    """Payload of ``session.mcp_server_needs_reconnect``."""


class McpToolsListChangedData(EventData):
    """Payload of ``mcp.tools.list_changed``."""


class McpResourcesListChangedData(EventData):
    """Payload of ``mcp.resources.list_changed``."""


class McpPromptsListChangedData(EventData):
    """Payload of ``mcp.prompts.list_changed``."""


class SessionExtensionsLoadedData(EventData):
    """Payload of ``session.extensions_loaded``."""


class SessionCanvasOpenedData(EventData):
    """Payload of ``session.canvas.opened``."""


class SessionCanvasRegistryChangedData(EventData):
    """Payload of ``session.canvas.registry_changed``."""


class SessionCanvasClosedData(EventData):
    """Payload of ``session.canvas.closed``."""


class SessionCanvasUnavailableData(EventData):
    """Payload of ``session.canvas.unavailable``."""


class SessionCanvasRecordedData(EventData):
    """Payload of ``session.canvas.recorded``."""


class SessionCanvasRemovedData(EventData):
    """Payload of ``session.canvas.removed``."""


class SessionExtensionsAttachmentsPushedData(EventData):
    """Payload of ``session.extensions.attachments_pushed``."""


class McpAppToolCallCompleteData(EventData):
    """Payload of ``mcp_app.tool_call_complete``."""


_DATA_CLASSES: dict[str, type[EventData]] = {
    "session.start": SessionStartData,
    "session.resume": SessionResumeData,
    "session.remote_steerable_changed": SessionRemoteSteerableChangedData,
    "session.error": SessionErrorData,
    "session.idle": SessionIdleData,
    "session.autopilot_stopped": SessionAutopilotStoppedData,
    "session.title_changed": SessionTitleChangedData,
    "session.schedule_created": SessionScheduleCreatedData,
    "session.schedule_cancelled": SessionScheduleCancelledData,
    "session.schedule_rearmed": SessionScheduleRearmedData,
    "session.autopilot_objective_changed": SessionAutopilotObjectiveChangedData,
    "session.info": SessionInfoData,
    "session.indexed_search": SessionIndexedSearchData,
    "session.warning": SessionWarningData,
    "session.model_change": SessionModelChangeData,
    "session.model_deselected": SessionModelDeselectedData,
    "session.auto_tier_recommendation": SessionAutoTierRecommendationData,
    "session.auto_tier_switch_failed": SessionAutoTierSwitchFailedData,
    "session.mode_changed": SessionModeChangedData,
    "session.mode_notice_delivered": SessionModeNoticeDeliveredData,
    "session.session_limits_changed": SessionSessionLimitsChangedData,
    "session.permissions_changed": SessionPermissionsChangedData,
    "session.plan_changed": SessionPlanChangedData,
    "session.todos_changed": SessionTodosChangedData,
    "session.workspace_file_changed": SessionWorkspaceFileChangedData,
    "session.handoff": SessionHandoffData,
    "session.truncation": SessionTruncationData,
    "session.snapshot_rewind": SessionSnapshotRewindData,
    "session.shutdown": SessionShutdownData,
    "session.usage_checkpoint": SessionUsageCheckpointData,
    "session.quota_observation": SessionQuotaObservationData,
    "session.context_changed": SessionContextChangedData,
    "session.usage_info": SessionUsageInfoData,
    "session.context_cleared": SessionContextClearedData,
    "session.compaction_start": SessionCompactionStartData,
    "session.compaction_complete": SessionCompactionCompleteData,
    "session.task_complete": SessionTaskCompleteData,
    "session.completion_receipt": SessionCompletionReceiptData,
    "session.fusion_route_started": SessionFusionRouteStartedData,
    "session.fusion_route_failed": SessionFusionRouteFailedData,
    "session.fusion_resolved": SessionFusionResolvedData,
    "session.fusion_completed": SessionFusionCompletedData,
    "session.permission_recovery": SessionPermissionRecoveryData,
    "user.message": UserMessageData,
    "pending_messages.modified": PendingMessagesModifiedData,
    "assistant.turn_start": AssistantTurnStartData,
    "assistant.turn_retry": AssistantTurnRetryData,
    "agent.interrupted": AgentInterruptedData,
    "assistant.intent": AssistantIntentData,
    "assistant.fusion_phase_started": AssistantFusionPhaseStartedData,
    "assistant.fusion_phase_activity": AssistantFusionPhaseActivityData,
    "assistant.fusion_phase_completed": AssistantFusionPhaseCompletedData,
    "assistant.fusion_phase_failed": AssistantFusionPhaseFailedData,
    "assistant.server_tool_progress": AssistantServerToolProgressData,
    "assistant.reasoning": AssistantReasoningData,
    "assistant.reasoning_delta": AssistantReasoningDeltaData,
    "assistant.tool_call_delta": AssistantToolCallDeltaData,
    "assistant.streaming_delta": AssistantStreamingDeltaData,
    "assistant.message": AssistantMessageData,
    "assistant.message_start": AssistantMessageStartData,
    "assistant.message_delta": AssistantMessageDeltaData,
    "assistant.turn_end": AssistantTurnEndData,
    "assistant.idle": AssistantIdleData,
    "assistant.usage": AssistantUsageData,
    "prompt_cache_break": PromptCacheBreakData,
    "model.call_failure": ModelCallFailureData,
    "model.call_final_result": ModelCallFinalResultData,
    "model.call_finished": ModelCallFinishedData,
    "model.call_start": ModelCallStartData,
    "abort": AbortData,
    "tool.user_requested": ToolUserRequestedData,
    "tool.execution_start": ToolExecutionStartData,
    "tool.execution_partial_result": ToolExecutionPartialResultData,
    "tool.shell_output": ToolShellOutputData,
    "tool.execution_progress": ToolExecutionProgressData,
    "tool.execution_complete": ToolExecutionCompleteData,
    "tool_search.activated": ToolSearchActivatedData,
    "skill.invoked": SkillInvokedData,
    "skill.invoked_ref": SkillInvokedRefData,
    "skill.context_delivered": SkillContextDeliveredData,
    "skill.context_delivered_ref": SkillContextDeliveredRefData,
    "sandbox.decision": SandboxDecisionData,
    "subagent.started": SubagentStartedData,
    "subagent.configured": SubagentConfiguredData,
    "subagent.completed": SubagentCompletedData,
    "subagent.failed": SubagentFailedData,
    "subagent.selected": SubagentSelectedData,
    "subagent.deselected": SubagentDeselectedData,
    "hook.start": HookStartData,
    "hook.end": HookEndData,
    "hook.progress": HookProgressData,
    "session.binary_asset": SessionBinaryAssetData,
    "system.message": SystemMessageData,
    "instruction.update": InstructionUpdateData,
    "system.notification": SystemNotificationData,
    "permission.requested": PermissionRequestedData,
    "permission.completed": PermissionCompletedData,
    "permission.carriedForward": PermissionCarriedForwardData,
    "permission.messageAuthorization": PermissionMessageAuthorizationData,
    "permission.messageAuthorizationRead": PermissionMessageAuthorizationReadData,
    "permission.messageAuthorizationDegraded": PermissionMessageAuthorizationDegradedData,
    "permission.assentDetected": PermissionAssentDetectedData,
    "permission.contextualAuthorization": PermissionContextualAuthorizationData,
    "user_input.requested": UserInputRequestedData,
    "user_input.completed": UserInputCompletedData,
    "elicitation.requested": ElicitationRequestedData,
    "elicitation.completed": ElicitationCompletedData,
    "sampling.requested": SamplingRequestedData,
    "sampling.completed": SamplingCompletedData,
    "mcp.oauth_required": McpOauthRequiredData,
    "mcp.oauth_completed": McpOauthCompletedData,
    "mcp.oauth_recovery_completed": McpOauthRecoveryCompletedData,
    "mcp.headers_refresh_required": McpHeadersRefreshRequiredData,
    "mcp.headers_refresh_completed": McpHeadersRefreshCompletedData,
    "session.custom_notification": SessionCustomNotificationData,
    "ui.ephemeral_query": UiEphemeralQueryData,
    "external_tool.requested": ExternalToolRequestedData,
    "external_tool.completed": ExternalToolCompletedData,
    "command.queued": CommandQueuedData,
    "command.execute": CommandExecuteData,
    "command.completed": CommandCompletedData,
    "auto_mode_switch.requested": AutoModeSwitchRequestedData,
    "auto_mode_switch.completed": AutoModeSwitchCompletedData,
    "session_limits_exhausted.requested": SessionLimitsExhaustedRequestedData,
    "session_limits_exhausted.completed": SessionLimitsExhaustedCompletedData,
    "session.auto_mode_resolved": SessionAutoModeResolvedData,
    "session.managed_plugin_progress": SessionManagedPluginProgressData,
    "session.managed_settings_resolved": SessionManagedSettingsResolvedData,
    "session.managed_settings_enforced": SessionManagedSettingsEnforcedData,
    "commands.changed": CommandsChangedData,
    "capabilities.changed": CapabilitiesChangedData,
    "exit_plan_mode.requested": ExitPlanModeRequestedData,
    "exit_plan_mode.completed": ExitPlanModeCompletedData,
    "human_response.recorded": HumanResponseRecordedData,
    "session.tools_updated": SessionToolsUpdatedData,
    "session.background_tasks_changed": SessionBackgroundTasksChangedData,
    "workflow.run_updated": WorkflowRunUpdatedData,
    "workflow.run_started": WorkflowRunStartedData,
    "workflow.run_settled": WorkflowRunSettledData,
    "session.skills_loaded": SessionSkillsLoadedData,
    "session.custom_agents_updated": SessionCustomAgentsUpdatedData,
    "session.mcp_servers_loaded": SessionMcpServersLoadedData,
    "session.mcp_server_status_changed": SessionMcpServerStatusChangedData,
    "session.mcp_server_tools_loaded": SessionMcpServerToolsLoadedData,
    "session.mcp_server_removed": SessionMcpServerRemovedData,
    "session.mcp_server_needs_reconnect": SessionMcpServerNeedsReconnectData,
    "mcp.tools.list_changed": McpToolsListChangedData,
    "mcp.resources.list_changed": McpResourcesListChangedData,
    "mcp.prompts.list_changed": McpPromptsListChangedData,
    "session.extensions_loaded": SessionExtensionsLoadedData,
    "session.canvas.opened": SessionCanvasOpenedData,
    "session.canvas.registry_changed": SessionCanvasRegistryChangedData,
    "session.canvas.closed": SessionCanvasClosedData,
    "session.canvas.unavailable": SessionCanvasUnavailableData,
    "session.canvas.recorded": SessionCanvasRecordedData,
    "session.canvas.removed": SessionCanvasRemovedData,
    "session.extensions.attachments_pushed": SessionExtensionsAttachmentsPushedData,
    "mcp_app.tool_call_complete": McpAppToolCallCompleteData,
}

_GENERATED_ALL = [
    "SessionStartData",
    "SessionResumeData",
    "SessionRemoteSteerableChangedData",
    "SessionErrorData",
    "SessionIdleData",
    "SessionAutopilotStoppedData",
    "SessionTitleChangedData",
    "SessionScheduleCreatedData",
    "SessionScheduleCancelledData",
    "SessionScheduleRearmedData",
    "SessionAutopilotObjectiveChangedData",
    "SessionInfoData",
    "SessionIndexedSearchData",
    "SessionWarningData",
    "SessionModelChangeData",
    "SessionModelDeselectedData",
    "SessionAutoTierRecommendationData",
    "SessionAutoTierSwitchFailedData",
    "SessionModeChangedData",
    "SessionModeNoticeDeliveredData",
    "SessionSessionLimitsChangedData",
    "SessionPermissionsChangedData",
    "SessionPlanChangedData",
    "SessionTodosChangedData",
    "SessionWorkspaceFileChangedData",
    "SessionHandoffData",
    "SessionTruncationData",
    "SessionSnapshotRewindData",
    "SessionShutdownData",
    "SessionUsageCheckpointData",
    "SessionQuotaObservationData",
    "SessionContextChangedData",
    "SessionUsageInfoData",
    "SessionContextClearedData",
    "SessionCompactionStartData",
    "SessionCompactionCompleteData",
    "SessionTaskCompleteData",
    "SessionCompletionReceiptData",
    "SessionFusionRouteStartedData",
    "SessionFusionRouteFailedData",
    "SessionFusionResolvedData",
    "SessionFusionCompletedData",
    "SessionPermissionRecoveryData",
    "UserMessageData",
    "PendingMessagesModifiedData",
    "AssistantTurnStartData",
    "AssistantTurnRetryData",
    "AgentInterruptedData",
    "AssistantIntentData",
    "AssistantFusionPhaseStartedData",
    "AssistantFusionPhaseActivityData",
    "AssistantFusionPhaseCompletedData",
    "AssistantFusionPhaseFailedData",
    "AssistantServerToolProgressData",
    "AssistantReasoningData",
    "AssistantReasoningDeltaData",
    "AssistantToolCallDeltaData",
    "AssistantStreamingDeltaData",
    "AssistantMessageData",
    "AssistantMessageStartData",
    "AssistantMessageDeltaData",
    "AssistantTurnEndData",
    "AssistantIdleData",
    "AssistantUsageData",
    "PromptCacheBreakData",
    "ModelCallFailureData",
    "ModelCallFinalResultData",
    "ModelCallFinishedData",
    "ModelCallStartData",
    "AbortData",
    "ToolUserRequestedData",
    "ToolExecutionStartData",
    "ToolExecutionPartialResultData",
    "ToolShellOutputData",
    "ToolExecutionProgressData",
    "ToolExecutionCompleteData",
    "ToolSearchActivatedData",
    "SkillInvokedData",
    "SkillInvokedRefData",
    "SkillContextDeliveredData",
    "SkillContextDeliveredRefData",
    "SandboxDecisionData",
    "SubagentStartedData",
    "SubagentConfiguredData",
    "SubagentCompletedData",
    "SubagentFailedData",
    "SubagentSelectedData",
    "SubagentDeselectedData",
    "HookStartData",
    "HookEndData",
    "HookProgressData",
    "SessionBinaryAssetData",
    "SystemMessageData",
    "InstructionUpdateData",
    "SystemNotificationData",
    "PermissionRequestedData",
    "PermissionCompletedData",
    "PermissionCarriedForwardData",
    "PermissionMessageAuthorizationData",
    "PermissionMessageAuthorizationReadData",
    "PermissionMessageAuthorizationDegradedData",
    "PermissionAssentDetectedData",
    "PermissionContextualAuthorizationData",
    "UserInputRequestedData",
    "UserInputCompletedData",
    "ElicitationRequestedData",
    "ElicitationCompletedData",
    "SamplingRequestedData",
    "SamplingCompletedData",
    "McpOauthRequiredData",
    "McpOauthCompletedData",
    "McpOauthRecoveryCompletedData",
    "McpHeadersRefreshRequiredData",
    "McpHeadersRefreshCompletedData",
    "SessionCustomNotificationData",
    "UiEphemeralQueryData",
    "ExternalToolRequestedData",
    "ExternalToolCompletedData",
    "CommandQueuedData",
    "CommandExecuteData",
    "CommandCompletedData",
    "AutoModeSwitchRequestedData",
    "AutoModeSwitchCompletedData",
    "SessionLimitsExhaustedRequestedData",
    "SessionLimitsExhaustedCompletedData",
    "SessionAutoModeResolvedData",
    "SessionManagedPluginProgressData",
    "SessionManagedSettingsResolvedData",
    "SessionManagedSettingsEnforcedData",
    "CommandsChangedData",
    "CapabilitiesChangedData",
    "ExitPlanModeRequestedData",
    "ExitPlanModeCompletedData",
    "HumanResponseRecordedData",
    "SessionToolsUpdatedData",
    "SessionBackgroundTasksChangedData",
    "WorkflowRunUpdatedData",
    "WorkflowRunStartedData",
    "WorkflowRunSettledData",
    "SessionSkillsLoadedData",
    "SessionCustomAgentsUpdatedData",
    "SessionMcpServersLoadedData",
    "SessionMcpServerStatusChangedData",
    "SessionMcpServerToolsLoadedData",
    "SessionMcpServerRemovedData",
    "SessionMcpServerNeedsReconnectData",
    "McpToolsListChangedData",
    "McpResourcesListChangedData",
    "McpPromptsListChangedData",
    "SessionExtensionsLoadedData",
    "SessionCanvasOpenedData",
    "SessionCanvasRegistryChangedData",
    "SessionCanvasClosedData",
    "SessionCanvasUnavailableData",
    "SessionCanvasRecordedData",
    "SessionCanvasRemovedData",
    "SessionExtensionsAttachmentsPushedData",
    "McpAppToolCallCompleteData",
]
# --- END GENERATED ---


_UNSET: Any = object()
_EVENT_TYPES: dict[str, SessionEventType] = {t.value: t for t in SessionEventType}


def _parse_uuid(value: Any) -> Any:
    if not isinstance(value, str):
        return value
    try:
        return uuid.UUID(value)
    except ValueError:
        return value


def _parse_timestamp(value: Any) -> Any:
    if not isinstance(value, str) or not value:
        return value
    text = value[:-1] + "+00:00" if value.endswith("Z") else value
    try:
        return datetime.fromisoformat(text)
    except ValueError:
        return value


class SessionEvent:
    """One event of a session.

    Attributes:
        type: A :class:`SessionEventType` (a ``str``: ``event.type == "session.idle"``
            works). Unknown types read as ``SessionEventType.UNKNOWN``; the wire string is
            in ``raw_type`` then.
        data: The typed payload (``AssistantMessageDeltaData``, ...).
        id: The event id (a ``uuid.UUID`` when it parses as one).
        timestamp: A timezone-aware ``datetime`` (the raw string if unparsable).
        parent_id: Id of the previous event, ``None`` for the first.
        agent_id: Set for sub-agent events.
        ephemeral: ``True`` for events that are not persisted.
        raw_type: The wire type string for unknown types, else ``None``.
    """

    # The envelope's type is decoded at once (every consumer dispatches on it); the payload,
    # id and timestamp are decoded on first access and cached: a consumer that only counts
    # deltas or filters by type pays for nothing else.
    __slots__ = ("type", "raw_type", "_wire", "_text", "_data", "_id", "_timestamp", "_parent_id")

    type: SessionEventType
    raw_type: str | None
    _wire: dict[str, Any] | None
    _text: str

    def __init__(self, raw: dict[str, Any]):
        self._wire = raw
        wire_type = raw.get("type", "")
        self._set_type(wire_type if isinstance(wire_type, str) else str(wire_type))

    def _set_type(self, wire_type: str) -> None:
        t = _EVENT_TYPES.get(wire_type)
        if t is None:
            t = SessionEventType(wire_type)
        self.type = t
        self.raw_type = wire_type if t is SessionEventType.UNKNOWN else None
        self._data = _UNSET

    @classmethod
    def _from_wire(cls, wire_type: str, text: str) -> SessionEvent:
        """An event from the SDK's stream: the JSON is decoded on first use."""
        ev = cls.__new__(cls)
        ev._wire = None
        ev._text = text
        ev._set_type(wire_type)
        return ev

    @property
    def _raw(self) -> dict[str, Any]:
        raw = self._wire
        if raw is None:
            raw = json.loads(self._text)
            if not isinstance(raw, dict):
                raw = {}
            self._wire = raw
        return raw

    @property
    def data(self) -> EventData:
        """The typed payload (``AssistantMessageDeltaData``, ...)."""
        d = self._data
        if d is _UNSET:
            raw = self._raw
            wire_type = raw.get("type", "")
            payload = raw.get("data")
            d = _DATA_CLASSES.get(wire_type, RawSessionEventData)(payload if isinstance(payload, dict) else {})
            self._data = d
        return d

    def _decoded(self, slot: str, key: str, parse: Callable[[Any], Any]) -> Any:
        """The envelope field ``key``, parsed on first access and cached in ``slot``."""
        try:
            return getattr(self, slot)
        except AttributeError:
            value = parse(self._raw.get(key))
            setattr(self, slot, value)
            return value

    @property
    def id(self) -> Any:
        """The event id (a ``uuid.UUID`` when it parses as one)."""
        return self._decoded("_id", "id", _parse_uuid)

    @property
    def timestamp(self) -> Any:
        """A timezone-aware ``datetime`` (the raw string if unparsable)."""
        return self._decoded("_timestamp", "timestamp", _parse_timestamp)

    @property
    def parent_id(self) -> Any:
        """Id of the previous event, ``None`` for the first."""
        return self._decoded("_parent_id", "parentId", _parse_uuid)

    @property
    def agent_id(self) -> str | None:
        """Set for sub-agent events."""
        return self._raw.get("agentId")

    @property
    def ephemeral(self) -> bool | None:
        """``True`` for events that are not persisted."""
        return self._raw.get("ephemeral")

    @staticmethod
    def from_dict(obj: dict[str, Any]) -> SessionEvent:
        """Builds an event from its wire dict."""
        return SessionEvent(obj)

    @staticmethod
    def from_json(text: str) -> SessionEvent:
        """Builds an event from its wire JSON."""
        return SessionEvent(json.loads(text))

    def to_dict(self) -> dict[str, Any]:
        """The event in the CLI's wire shape."""
        return dict(self._raw)

    def to_json(self) -> str:
        """The event as wire JSON."""
        return json.dumps(self._raw)

    def __repr__(self) -> str:
        t = self.raw_type or self.type.value
        return f"SessionEvent(type={t!r}, id={self.id!r}, data={self.data!r})"


def session_event_from_dict(obj: dict[str, Any]) -> SessionEvent:
    """Builds an event from its wire dict."""
    return SessionEvent(obj)


def session_event_to_dict(event: SessionEvent) -> dict[str, Any]:
    """The event in the CLI's wire shape."""
    return event.to_dict()


__all__ += _GENERATED_ALL
__all__ = sorted(set(__all__))
