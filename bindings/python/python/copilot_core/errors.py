"""The exception hierarchy of ``copilot_core``.

Every error the SDK raises is a :class:`CopilotError`. Subclasses answer the questions
callers actually ask (is the CLI missing, did the connection drop, did GitHub refuse on
policy grounds, did a wait time out). Where Python has a matching builtin, the class
also derives from it, so ``except TimeoutError`` or ``except ValueError`` keep working
for code written against the official package.
"""

from __future__ import annotations

import json
from typing import Any

__all__ = [
    "CliNotFoundError",
    "CliStartupError",
    "ClientStoppedError",
    "ConnectionLostError",
    "CopilotError",
    "CopilotTimeoutError",
    "HandlerError",
    "InvalidConfigError",
    "JsonRpcError",
    "PolicyBlocked",
    "PolicyBlockedError",
    "ProtocolError",
    "ProtocolVersionMismatchError",
    "SessionClosedError",
    "SessionError",
    "TransportError",
]


class CopilotError(Exception):
    """Base class of every error raised by ``copilot_core``.

    Attributes:
        kind: Stable lower-case name of the core error variant (``"rpc"``,
            ``"policy_blocked"``, ``"timeout"``, ...).
        message: Human-readable text.
        details: The variant's fields (e.g. ``code`` and ``method`` for RPC errors).
    """

    kind: str = "copilot"

    def __init__(self, message: str = "", *, kind: str | None = None, details: dict[str, Any] | None = None):
        super().__init__(message)
        self.message = message
        if kind is not None:
            self.kind = kind
        self.details: dict[str, Any] = dict(details or {})

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self.message!r})"


class CliNotFoundError(CopilotError, FileNotFoundError):
    """No Copilot CLI binary was found.

    The message says where the SDK looked and how to install the CLI
    (``npm install -g @github/copilot@<pinned version>``, ``COPILOT_CLI_PATH``, or an
    explicit ``RuntimeConnection.for_stdio(path=...)``).
    """

    kind = "cli_not_found"

    def __str__(self) -> str:
        return self.message


class CliStartupError(CopilotError):
    """The CLI could not be started, or exited during the handshake."""

    kind = "cli_startup"


class ProtocolError(CopilotError):
    """The CLI broke the protocol (framing, JSON, unexpected answers)."""

    kind = "protocol"


class ProtocolVersionMismatchError(ProtocolError):
    """The server speaks a protocol version this SDK does not support."""

    kind = "protocol_version_mismatch"


class JsonRpcError(ProtocolError):
    """The server answered a request with a JSON-RPC error.

    Attributes:
        code: The JSON-RPC error code (``-32603`` for most server-side failures).
        method: The method that failed.
        data: ``error.data`` when the server sent any.
    """

    kind = "rpc"

    def __init__(self, message: str = "", *, kind: str | None = None, details: dict[str, Any] | None = None):
        super().__init__(message, kind=kind, details=details)
        self.code: int | None = self.details.get("code")
        self.method: str | None = self.details.get("method")
        self.data: Any = self.details.get("data")


class PolicyBlockedError(CopilotError):
    """GitHub refused the operation because of an organisation or user policy (for example
    cloud sandboxes are disabled). Never worth retrying."""

    kind = "policy_blocked"


#: Short alias, as named in the issue tracker and docs.
PolicyBlocked = PolicyBlockedError


class TransportError(CopilotError, OSError):
    """Reading from or writing to the CLI failed."""

    kind = "io"


class ConnectionLostError(CopilotError, ConnectionError):
    """The connection to the CLI is gone: start a new client."""

    kind = "connection_lost"


class ClientStoppedError(ConnectionLostError):
    """The client was stopped."""

    kind = "client_stopped"


class SessionError(CopilotError):
    """The agent reported a ``session.error`` for the turn being waited on.

    Attributes:
        error_type: The event's ``errorType`` (``query``, ``model_call``, ...).
        status_code: HTTP status of the failed upstream call, when there was one.
    """

    kind = "session"

    def __init__(self, message: str = "", *, kind: str | None = None, details: dict[str, Any] | None = None):
        super().__init__(message, kind=kind, details=details)
        self.error_type: str | None = self.details.get("error_type")
        self.status_code: int | None = self.details.get("status_code")


class SessionClosedError(SessionError):
    """The session was disconnected or is unknown to the server."""

    kind = "session_closed"


class CopilotTimeoutError(CopilotError, TimeoutError):
    """An operation did not finish in time (also a builtin :class:`TimeoutError`)."""

    kind = "timeout"


class InvalidConfigError(CopilotError, ValueError, TypeError):
    """Options or a configuration the SDK cannot use: a wrong value, a value of the wrong
    type, an unknown permission preset. Also a :class:`ValueError` and a
    :class:`TypeError`, so code catching the builtins keeps working."""

    kind = "invalid_config"


def _expect(name: str, value: Any, types: type | tuple[type, ...], what: str) -> Any:
    """Returns ``value`` when it is an instance of ``types`` (``bool`` never counts as a
    number), else raises :class:`InvalidConfigError` naming the option."""
    ok = isinstance(value, types)
    if ok and isinstance(value, bool) and bool not in (types if isinstance(types, tuple) else (types,)):
        ok = False
    if not ok:
        raise InvalidConfigError(f"{name} must be {what}, got {type(value).__name__}", kind="invalid_config")
    return value


class HandlerError(CopilotError):
    """A user-supplied handler failed."""

    kind = "handler"


_BY_KIND: dict[str, type[CopilotError]] = {
    "cli_not_found": CliNotFoundError,
    "cli_startup": CliStartupError,
    "protocol_version_mismatch": ProtocolVersionMismatchError,
    "protocol": ProtocolError,
    "json": ProtocolError,
    "rpc": JsonRpcError,
    "policy_blocked": PolicyBlockedError,
    "connection_lost": ConnectionLostError,
    "client_stopped": ClientStoppedError,
    "session_closed": SessionClosedError,
    "session": SessionError,
    "timeout": CopilotTimeoutError,
    "invalid_config": InvalidConfigError,
    "handler": HandlerError,
    "io": TransportError,
}


def _from_native(kind: str, message: str, details_json: str) -> CopilotError:
    """Builds the exception for a core error (called by the native module)."""
    try:
        details = json.loads(details_json) if details_json else {}
    except ValueError:
        details = {}
    cls = _BY_KIND.get(kind, CopilotError)
    return cls(message, kind=kind, details=details)
