"""Request/response types of the session RPC surface (``session.rpc``) and the permission
decisions a handler returns.

Only the parts ``copilot_core`` drives are typed here (remote control, permission
decisions); any other session method is reachable with ``await session.rpc.call(method,
params)``.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, ClassVar, Union

from .session_events import _StrEnum

if TYPE_CHECKING:
    from ._native import Session as _NativeSession

__all__ = [
    "PermissionDecision",
    "PermissionDecisionApproveForLocation",
    "PermissionDecisionApproveForSession",
    "PermissionDecisionApproveOnce",
    "PermissionDecisionApprovePermanently",
    "PermissionDecisionReject",
    "PermissionDecisionUserNotAvailable",
    "RemoteApi",
    "RemoteEnableRequest",
    "RemoteEnableResult",
    "RemoteSessionMode",
    "SessionRpc",
]


class RemoteSessionMode(_StrEnum):
    """Per-session Mission Control mode."""

    OFF = "off"
    EXPORT = "export"
    ON = "on"


@dataclass
class RemoteEnableRequest:
    """Parameters of ``session.remote.enable``: the mode (default: export and steering)."""

    mode: RemoteSessionMode | str | None = None

    def to_dict(self) -> dict[str, Any]:
        return {} if self.mode is None else {"mode": str(self.mode)}


@dataclass
class RemoteEnableResult:
    """Result of ``session.remote.enable``: the GitHub URL of the session and whether it can
    be steered remotely."""

    remote_steerable: bool
    url: str | None = None
    started: bool | None = None

    @staticmethod
    def from_dict(obj: dict[str, Any]) -> RemoteEnableResult:
        return RemoteEnableResult(
            remote_steerable=bool(obj.get("remoteSteerable", False)),
            url=obj.get("url"),
            started=obj.get("started"),
        )

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {"remoteSteerable": self.remote_steerable}
        if self.url is not None:
            out["url"] = self.url
        if self.started is not None:
            out["started"] = self.started
        return out


# Permission decisions (what a permission handler returns). ``kind`` is fixed per class.


@dataclass
class PermissionDecisionApproveOnce:
    """Approve this one request."""

    kind: ClassVar[str] = "approve-once"
    approved_interactively: bool | None = None

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {"kind": self.kind}
        if self.approved_interactively is not None:
            out["approvedInteractively"] = self.approved_interactively
        return out


@dataclass
class PermissionDecisionApproveForSession:
    """Approve this and similar requests for the rest of the session."""

    kind: ClassVar[str] = "approve-for-session"
    approval: Any = None
    domain: str | None = None

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {"kind": self.kind}
        if self.approval is not None:
            out["approval"] = _wire(self.approval)
        if self.domain is not None:
            out["domain"] = self.domain
        return out


@dataclass
class PermissionDecisionApproveForLocation:
    """Approve for a location (directory) key."""

    approval: Any
    location_key: str
    kind: ClassVar[str] = "approve-for-location"

    def to_dict(self) -> dict[str, Any]:
        return {"kind": self.kind, "approval": _wire(self.approval), "locationKey": self.location_key}


@dataclass
class PermissionDecisionApprovePermanently:
    """Approve a URL domain permanently."""

    domain: str
    kind: ClassVar[str] = "approve-permanently"

    def to_dict(self) -> dict[str, Any]:
        return {"kind": self.kind, "domain": self.domain}


@dataclass
class PermissionDecisionReject:
    """Reject, optionally telling the model why."""

    kind: ClassVar[str] = "reject"
    feedback: str | None = None

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {"kind": self.kind}
        if self.feedback is not None:
            out["feedback"] = self.feedback
        return out


@dataclass
class PermissionDecisionUserNotAvailable:
    """No user is available to decide (what a failing handler answers)."""

    kind: ClassVar[str] = "user-not-available"

    def to_dict(self) -> dict[str, Any]:
        return {"kind": self.kind}


PermissionDecision = Union[
    PermissionDecisionApproveOnce,
    PermissionDecisionApproveForSession,
    PermissionDecisionApproveForLocation,
    PermissionDecisionApprovePermanently,
    PermissionDecisionReject,
    PermissionDecisionUserNotAvailable,
]


def _wire(value: Any) -> Any:
    to_dict = getattr(value, "to_dict", None)
    return to_dict() if callable(to_dict) else value


class RemoteApi:
    """``session.rpc.remote``: share the session to GitHub web and mobile."""

    def __init__(self, native: _NativeSession):
        self._native = native

    async def enable(
        self, params: RemoteEnableRequest | None = None, *, timeout: float | None = None
    ) -> RemoteEnableResult:
        """Starts remote access (export and steering unless ``params.mode`` says otherwise).
        The URL is also kept on ``session.remote_url``."""
        mode = None if params is None or params.mode is None else str(params.mode)
        text = await self._native.remote_enable(mode)
        return RemoteEnableResult.from_dict(json.loads(text))

    async def disable(self, *, timeout: float | None = None) -> None:
        """Stops remote steering."""
        await self._native.remote_disable()


class SessionRpc:
    """Typed session-scoped RPC namespaces (``session.rpc.remote``) plus a generic
    :meth:`call` for every other method."""

    def __init__(self, native: _NativeSession):
        self._native = native
        self.remote = RemoteApi(native)

    async def call(self, method: str, params: dict[str, Any] | None = None) -> Any:
        """Calls any session-scoped method (``sessionId`` is added); returns the JSON result."""
        text = await self._native.call(method, None if params is None else json.dumps(params))
        return json.loads(text)
