"""Tools implemented in Python and offered to the agent.

:func:`define_tool` builds a :class:`Tool` from a function. The JSON Schema of the
arguments comes from the first parameter's type hint, without requiring pydantic:

- a ``dataclasses.dataclass`` or ``typing.TypedDict`` (field types, defaults and
  ``Annotated[T, "description"]`` / ``field(metadata={"description": ...})``);
- a pydantic ``BaseModel`` when pydantic happens to be installed (its own
  ``model_json_schema()`` / ``model_validate()`` are used);
- ``dict`` / no hint: the raw argument object, no schema.

The handler may be sync or async and may take ``(params)``, ``(params, invocation)``,
``(invocation)`` or nothing. Whatever it returns becomes a :class:`ToolResult`
(``str`` as is, ``None`` as empty text, other values as JSON). An exception becomes a
failure result; the model is not shown the exception text.
"""

from __future__ import annotations

import dataclasses
import enum
import inspect
import json
import logging
import types
import typing
from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, time
from decimal import Decimal
from typing import Any, Literal, TypeVar, Union, get_args, get_origin, overload
from uuid import UUID

__all__ = [
    "Tool",
    "ToolBinaryResult",
    "ToolHandler",
    "ToolInvocation",
    "ToolResult",
    "ToolResultType",
    "convert_mcp_call_tool_result",
    "define_tool",
    "json_schema_for",
]

logger = logging.getLogger("copilot_core")

ToolResultType = Literal["success", "failure", "rejected", "denied", "timeout"]


@dataclass
class ToolBinaryResult:
    """Binary content returned by a tool (base64 ``data``)."""

    data: str = ""
    mime_type: str = ""
    type: Literal["image", "resource"] = "image"
    description: str = ""


@dataclass
class ToolResult:
    """What a tool returns to the model."""

    text_result_for_llm: str = ""
    result_type: ToolResultType = "success"
    error: str | None = None
    binary_results_for_llm: list[ToolBinaryResult] | None = None
    session_log: str | None = None
    tool_telemetry: dict[str, Any] | None = None
    tool_references: list[str] | None = None
    _from_exception: bool = field(default=False, repr=False)

    def to_dict(self) -> dict[str, Any]:
        """The wire shape (``textResultForLlm``, ``resultType``, ...)."""
        out: dict[str, Any] = {"textResultForLlm": self.text_result_for_llm, "resultType": self.result_type}
        if self.error is not None:
            out["error"] = self.error
        if self.session_log is not None:
            out["sessionLog"] = self.session_log
        if self.binary_results_for_llm:
            out["binaryResultsForLlm"] = [
                {
                    "data": b.data,
                    "mimeType": b.mime_type,
                    "type": b.type,
                    **({"description": b.description} if b.description else {}),
                }
                for b in self.binary_results_for_llm
            ]
        if self.tool_telemetry is not None:
            out["toolTelemetry"] = self.tool_telemetry
        if self.tool_references is not None:
            out["toolReferences"] = self.tool_references
        return out


@dataclass
class ToolInvocation:
    """Context passed to a tool handler."""

    session_id: str = ""
    tool_call_id: str = ""
    tool_name: str = ""
    arguments: Any = None
    available_tools: list[Any] | None = None
    agent_id: str | None = None
    request_id: str | None = None


ToolHandler = Callable[[ToolInvocation], Union[ToolResult, Awaitable[ToolResult]]]


@dataclass
class Tool:
    """A tool declaration plus the handler that runs it (``handler=None`` declares a tool
    answered by another client)."""

    name: str
    description: str
    handler: ToolHandler | None = None
    parameters: dict[str, Any] | None = None
    overrides_built_in_tool: bool = False
    skip_permission: bool = False
    defer: Literal["auto", "never"] | None = None
    metadata: dict[str, Any] | None = None
    is_terminal: bool = False
    namespace: Any = None
    #: Extra usage instructions for the model (copilot_core extension).
    instructions: str | None = None

    def _to_core(self) -> dict[str, Any]:
        unsupported = [
            n
            for n, v in (
                ("defer", self.defer),
                ("metadata", self.metadata),
                ("is_terminal", self.is_terminal or None),
                ("namespace", self.namespace),
            )
            if v is not None
        ]
        if unsupported:
            raise NotImplementedError(
                f"tool {self.name!r}: {', '.join(unsupported)} is not supported by copilot_core yet"
            )
        out: dict[str, Any] = {"name": self.name, "description": self.description or ""}
        if self.parameters is not None:
            out["parameters"] = self.parameters
        if self.instructions is not None:
            out["instructions"] = self.instructions
        if self.skip_permission:
            out["skip_permission"] = True
        if self.overrides_built_in_tool:
            out["overrides_built_in_tool"] = True
        return out


T = TypeVar("T")


# JSON Schema from type hints


def _is_pydantic_model(t: Any) -> bool:
    return isinstance(t, type) and hasattr(t, "model_json_schema") and hasattr(t, "model_validate")


def _is_typeddict(t: Any) -> bool:
    return isinstance(t, type) and issubclass(t, dict) and hasattr(t, "__annotations__") and hasattr(t, "__total__")


_SIMPLE_NAMES = {"str": str, "int": int, "float": float, "bool": bool, "dict": dict, "list": list, "Any": Any}


def _hints(obj: Any) -> dict[str, Any]:
    """Type hints of a class, falling back to the raw annotations when a forward reference
    cannot be resolved (e.g. a class defined inside a function)."""
    try:
        return typing.get_type_hints(obj, include_extras=True)
    except Exception:
        out: dict[str, Any] = {}
        for klass in reversed(getattr(obj, "__mro__", (obj,))):
            out.update(getattr(klass, "__annotations__", {}) or {})
        return out


def _description(meta: Sequence[Any]) -> str | None:
    for m in meta:
        if isinstance(m, str):
            return m
        desc = getattr(m, "description", None)
        if isinstance(desc, str):
            return desc
    return None


def json_schema_for(hint: Any) -> dict[str, Any]:
    """The JSON Schema of a type hint (dataclasses, TypedDicts, builtins, ``Literal``,
    ``Enum``, ``Optional``, lists, dicts, ``Annotated[T, "description"]``)."""
    if isinstance(hint, str):
        hint = _SIMPLE_NAMES.get(hint.strip(), Any)
    origin = get_origin(hint)
    if origin is typing.Annotated:
        base, *meta = get_args(hint)
        schema = json_schema_for(base)
        desc = _description(meta)
        if desc:
            schema = {**schema, "description": desc}
        return schema
    if hint is Any or hint is None or hint is inspect.Parameter.empty:
        return {} if hint is not None else {"type": "null"}
    if hint is type(None):
        return {"type": "null"}
    if origin in (Union, types.UnionType):
        members = [a for a in get_args(hint) if a is not type(None)]
        if len(members) == 1:
            return json_schema_for(members[0])
        return {"anyOf": [json_schema_for(a) for a in members]}
    if origin is Literal:
        values = list(get_args(hint))
        schema = {"enum": values}
        kinds = {type(v) for v in values}
        if len(kinds) == 1:
            schema.update(_scalar(kinds.pop()) or {})
        return schema
    if origin in (list, tuple, set, frozenset, Sequence) or hint in (list, tuple, set, frozenset):
        args = get_args(hint)
        item = args[0] if args else Any
        return {"type": "array", "items": json_schema_for(item)}
    if origin in (dict, Mapping) or hint in (dict, Mapping):
        args = get_args(hint)
        schema = {"type": "object"}
        if len(args) == 2 and args[1] is not Any:
            schema["additionalProperties"] = json_schema_for(args[1])
        return schema
    if isinstance(hint, type) and issubclass(hint, enum.Enum):
        return {"enum": [m.value for m in hint]}
    if _is_pydantic_model(hint):
        return dict(hint.model_json_schema())
    if dataclasses.is_dataclass(hint) and isinstance(hint, type):
        return _object_schema(
            {f.name: (f, f.type) for f in dataclasses.fields(hint)},
            hints=_hints(hint),
            required=[
                f.name
                for f in dataclasses.fields(hint)
                if f.default is dataclasses.MISSING and f.default_factory is dataclasses.MISSING
            ],
        )
    if _is_typeddict(hint):
        hints = _hints(hint)
        return _object_schema(
            {k: (None, v) for k, v in hints.items()},
            hints=hints,
            required=sorted(getattr(hint, "__required_keys__", hints.keys())),
        )
    scalar = _scalar(hint)
    if scalar is not None:
        return scalar
    return {}


def _scalar(t: Any) -> dict[str, Any] | None:
    if t is bool:
        return {"type": "boolean"}
    if t is int:
        return {"type": "integer"}
    if t in (float, Decimal):
        return {"type": "number"}
    if t is str:
        return {"type": "string"}
    if t is datetime:
        return {"type": "string", "format": "date-time"}
    if t is date:
        return {"type": "string", "format": "date"}
    if t is time:
        return {"type": "string", "format": "time"}
    if t is UUID:
        return {"type": "string", "format": "uuid"}
    return None


def _object_schema(fields: dict[str, tuple[Any, Any]], *, hints: dict[str, Any], required: list[str]) -> dict[str, Any]:
    props: dict[str, Any] = {}
    for name, (f, _) in fields.items():
        schema = json_schema_for(hints.get(name, Any))
        if f is not None:
            desc = f.metadata.get("description") if f.metadata else None
            if desc:
                schema = {**schema, "description": desc}
        props[name] = schema
    out: dict[str, Any] = {"type": "object", "properties": props}
    if required:
        out["required"] = list(required)
    return out


def _build(hint: Any, value: Any) -> Any:
    """Builds the handler's parameter value from the JSON arguments."""
    if isinstance(hint, str):
        return value
    origin = get_origin(hint)
    if origin is typing.Annotated:
        return _build(get_args(hint)[0], value)
    if origin in (Union, types.UnionType):
        if value is None:
            return None
        members = [a for a in get_args(hint) if a is not type(None)]
        return _build(members[0], value) if len(members) == 1 else value
    if origin in (list, Sequence) and isinstance(value, list):
        args = get_args(hint)
        return [_build(args[0], v) for v in value] if args else value
    if isinstance(hint, type) and issubclass(hint, enum.Enum):
        return hint(value)
    if _is_pydantic_model(hint):
        return hint.model_validate(value)
    if dataclasses.is_dataclass(hint) and isinstance(hint, type) and isinstance(value, Mapping):
        hints = _hints(hint)
        names = {f.name for f in dataclasses.fields(hint)}
        unknown = sorted(set(value) - names)
        if unknown:
            raise _InvalidArguments(f"unexpected argument(s): {', '.join(unknown)}")
        missing = [
            f.name
            for f in dataclasses.fields(hint)
            if f.name not in value
            and f.default is dataclasses.MISSING
            and f.default_factory is dataclasses.MISSING
        ]
        if missing:
            raise _InvalidArguments(f"missing argument(s): {', '.join(missing)}")
        return hint(**{k: _build(hints.get(k, Any), v) for k, v in value.items()})
    return value


class _InvalidArguments(ValueError):
    pass


def _json_default(obj: Any) -> Any:
    if hasattr(obj, "model_dump"):
        return obj.model_dump(mode="json")
    if dataclasses.is_dataclass(obj) and not isinstance(obj, type):
        return dataclasses.asdict(obj)
    if isinstance(obj, (date, datetime, time)):
        return obj.isoformat()
    if isinstance(obj, (Decimal, UUID)):
        return str(obj)
    if isinstance(obj, enum.Enum):
        return obj.value
    if isinstance(obj, (set, frozenset)):
        return list(obj)
    raise TypeError(f"Object of type {type(obj).__name__} is not JSON serializable")


def _normalize_result(result: Any) -> ToolResult:
    if result is None:
        return ToolResult(text_result_for_llm="", result_type="success")
    if isinstance(result, ToolResult):
        return result
    if isinstance(result, str):
        return ToolResult(text_result_for_llm=result, result_type="success")
    return ToolResult(text_result_for_llm=json.dumps(result, default=_json_default), result_type="success")


def _exception_result(exc: BaseException) -> ToolResult:
    return ToolResult(
        text_result_for_llm="Invoking this tool produced an error. Detailed information is not available.",
        result_type="failure",
        error=str(exc),
        tool_telemetry={},
        _from_exception=True,
    )


@overload
def define_tool(
    name: str | None = None,
    *,
    description: str | None = None,
    overrides_built_in_tool: bool = False,
    skip_permission: bool = False,
    defer: Literal["auto", "never"] | None = None,
    metadata: dict[str, Any] | None = None,
    is_terminal: bool = False,
    namespace: Any = None,
) -> Callable[[Callable[..., Any]], Tool]: ...


@overload
def define_tool(
    name: str,
    *,
    description: str | None = None,
    handler: Callable[..., Any],
    params_type: type[Any] | None = None,
    overrides_built_in_tool: bool = False,
    skip_permission: bool = False,
    defer: Literal["auto", "never"] | None = None,
    metadata: dict[str, Any] | None = None,
    is_terminal: bool = False,
    namespace: Any = None,
) -> Tool: ...


@overload
def define_tool(
    name: str,
    *,
    description: str | None = None,
    params_type: type[Any],
    handler: None = None,
    overrides_built_in_tool: bool = False,
    skip_permission: bool = False,
    defer: Literal["auto", "never"] | None = None,
    metadata: dict[str, Any] | None = None,
    is_terminal: bool = False,
    namespace: Any = None,
) -> Tool: ...


def define_tool(
    name: str | None = None,
    *,
    description: str | None = None,
    handler: Callable[..., Any] | None = None,
    params_type: type[Any] | None = None,
    overrides_built_in_tool: bool = False,
    skip_permission: bool = False,
    defer: Literal["auto", "never"] | None = None,
    metadata: dict[str, Any] | None = None,
    is_terminal: bool = False,
    namespace: Any = None,
) -> Tool | Callable[[Callable[..., Any]], Tool]:
    """Defines a tool, as a decorator or a function.

    Decorator::

        @dataclass
        class WeatherParams:
            city: Annotated[str, "City name"]

        @define_tool(description="Current weather for a city")
        async def get_weather(params: WeatherParams) -> str:
            return f"sunny in {params.city}"

    Function: ``define_tool("get_weather", description=..., handler=fn, params_type=P)``;
    declaration only: ``define_tool("get_weather", description=..., params_type=P)``.
    """
    common = dict(
        overrides_built_in_tool=overrides_built_in_tool,
        skip_permission=skip_permission,
        defer=defer,
        metadata=metadata,
        is_terminal=is_terminal,
        namespace=namespace,
    )

    def decorator(fn: Callable[..., Any]) -> Tool:
        tool_name = name if name is not None else getattr(fn, "__name__", "tool")
        sig = inspect.signature(fn)
        params = list(sig.parameters.values())
        try:
            hints = typing.get_type_hints(fn, include_extras=True)
        except Exception:  # unresolved forward references: fall back to raw annotations
            hints = {p.name: p.annotation for p in params}
        first_hint = hints.get(params[0].name, Any) if params else None
        first_bare = get_args(first_hint)[0] if get_origin(first_hint) is typing.Annotated else first_hint
        if not params:
            takes_params, takes_invocation = False, False
        elif len(params) == 1 and first_bare is ToolInvocation:
            takes_params, takes_invocation = False, True
        else:
            takes_params, takes_invocation = True, len(params) >= 2
        ptype = params_type if params_type is not None else (first_hint if takes_params else None)
        schema = None
        if ptype is not None and ptype is not inspect.Parameter.empty:
            schema = json_schema_for(ptype) or None
            if schema is not None and schema.get("type") != "object" and "anyOf" not in schema:
                schema = None

        async def wrapped(invocation: ToolInvocation) -> ToolResult:
            try:
                args: list[Any] = []
                if takes_params:
                    raw = invocation.arguments if invocation.arguments is not None else {}
                    try:
                        args.append(_build(ptype, raw) if ptype not in (None, inspect.Parameter.empty) else raw)
                    except Exception as exc:  # bad arguments: tell the model what was wrong
                        return ToolResult(
                            text_result_for_llm=f"Invalid tool arguments:\n{exc}",
                            result_type="failure",
                            error=str(exc),
                            tool_telemetry={},
                        )
                if takes_invocation:
                    args.append(invocation)
                result = fn(*args)
                if inspect.isawaitable(result):
                    result = await result
                return _normalize_result(result)
            except Exception as exc:
                logger.warning("tool %r raised", tool_name, exc_info=True)
                return _exception_result(exc)

        return Tool(
            name=tool_name,
            description=description if description is not None else (inspect.getdoc(fn) or ""),
            parameters=schema,
            handler=wrapped,
            **common,  # type: ignore[arg-type]
        )

    if handler is not None:
        if name is None:
            raise ValueError("name is required when using define_tool with handler=")
        return decorator(handler)
    if name is not None and params_type is not None:
        return Tool(
            name=name,
            description=description or "",
            parameters=json_schema_for(params_type) or None,
            handler=None,
            **common,  # type: ignore[arg-type]
        )
    if callable(name):  # bare @define_tool without parentheses
        fn, name = name, None
        return decorator(fn)
    return decorator


def convert_mcp_call_tool_result(call_result: dict[str, Any]) -> ToolResult:
    """Converts an MCP ``CallToolResult`` dict into a :class:`ToolResult`."""
    texts: list[str] = []
    binaries: list[ToolBinaryResult] = []
    for block in call_result.get("content", []):
        kind = block.get("type")
        if kind == "text" and isinstance(block.get("text"), str):
            texts.append(block["text"])
        elif kind == "image" and block.get("data"):
            binaries.append(ToolBinaryResult(data=block["data"], mime_type=block.get("mimeType", ""), type="image"))
        elif kind == "resource" and isinstance(block.get("resource"), dict):
            res = block["resource"]
            if isinstance(res.get("text"), str) and res["text"]:
                texts.append(res["text"])
            if isinstance(res.get("blob"), str) and res["blob"]:
                binaries.append(
                    ToolBinaryResult(
                        data=res["blob"],
                        mime_type=res.get("mimeType") or "application/octet-stream",
                        type="resource",
                        description=res.get("uri", "") or "",
                    )
                )
    return ToolResult(
        text_result_for_llm="\n".join(texts),
        result_type="failure" if call_result.get("isError") is True else "success",
        binary_results_for_llm=binaries or None,
    )


async def _run_tool(handler: ToolHandler, invocation: ToolInvocation) -> dict[str, Any]:
    """Runs a tool handler; returns the wire result (never raises)."""
    try:
        result = handler(invocation)
        if inspect.isawaitable(result):
            result = await result
        if result is None:
            tr = ToolResult(
                text_result_for_llm="Tool returned no result.",
                result_type="failure",
                error="tool returned no result",
                tool_telemetry={},
            )
        else:
            tr = _normalize_result(result)
    except Exception as exc:
        logger.error("tool %r raised", invocation.tool_name, exc_info=True)
        tr = _exception_result(exc)
    return tr.to_dict()
