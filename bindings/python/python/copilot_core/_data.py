"""Wire (camelCase JSON) <-> Python (snake_case attributes) conversion.

:class:`DataObject` is the read-only view the SDK hands out for protocol payloads:
attributes use snake_case names (``data.delta_content``), nested objects are views too,
unknown keys are kept (so a newer CLI's fields are reachable), and the original wire
mapping stays available (``obj["deltaContent"]``, ``obj.get(...)``, ``obj.to_dict()``).
Subclasses declare the fields they know with annotations; a declared field that the
wire omitted reads as ``None``.
"""

from __future__ import annotations

import re
import types
from collections.abc import Callable, Iterator, Mapping
from datetime import datetime, timezone
from typing import Any, ClassVar, Union, get_args, get_origin, get_type_hints

__all__ = ["DataObject", "camel_to_snake", "snake_to_camel", "to_wire_keys"]

_CAMEL_1 = re.compile(r"(.)([A-Z][a-z]+)")
_CAMEL_2 = re.compile(r"([a-z0-9])([A-Z])")


_SNAKE_CACHE: dict[str, str] = {}


def camel_to_snake(name: str) -> str:
    """``deltaContent`` -> ``delta_content``; ``toolCallId`` -> ``tool_call_id``."""
    cached = _SNAKE_CACHE.get(name)
    if cached is not None:
        return cached
    if not name or name.islower():
        out = name
    else:
        out = _CAMEL_2.sub(r"\1_\2", _CAMEL_1.sub(r"\1_\2", name)).lower()
    if len(_SNAKE_CACHE) < 4096:  # wire keys are a small, fixed vocabulary
        _SNAKE_CACHE[name] = out
    return out


def snake_to_camel(name: str) -> str:
    """``delta_content`` -> ``deltaContent``; leading underscores are kept."""
    stripped = name.lstrip("_")
    prefix = name[: len(name) - len(stripped)]
    head, *rest = stripped.split("_")
    return prefix + head + "".join(p[:1].upper() + p[1:] for p in rest)


def to_wire_keys(value: Any) -> Any:
    """Recursively renames snake_case dict keys to camelCase (lists are walked)."""
    if isinstance(value, Mapping):
        return {snake_to_camel(k) if isinstance(k, str) else k: to_wire_keys(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [to_wire_keys(v) for v in value]
    return value


def _strip_optional(hint: Any) -> Any:
    if get_origin(hint) in (Union, types.UnionType):
        members = [a for a in get_args(hint) if a is not type(None)]
        if len(members) == 1:
            return members[0]
    return hint


def _parse_datetime(value: Any) -> Any:
    if isinstance(value, str) and value:
        text = value[:-1] + "+00:00" if value.endswith("Z") else value
        try:
            return datetime.fromisoformat(text)
        except ValueError:
            return value
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return datetime.fromtimestamp(value / 1000, tz=timezone.utc)
    return value


def _converter(hint: Any) -> Callable[[Any], Any]:
    """How a declared field's wire value becomes its attribute value."""
    hint = _strip_optional(hint)
    if hint is Any or hint is dict or get_origin(hint) is dict:
        return lambda v: v
    if hint is datetime:
        return _parse_datetime
    if isinstance(hint, type) and issubclass(hint, DataObject):
        return lambda v: hint(v) if isinstance(v, Mapping) else v
    if get_origin(hint) is list:
        args = get_args(hint)
        item = _strip_optional(args[0]) if args else Any
        if isinstance(item, type) and issubclass(item, DataObject):
            return lambda v: [item(x) if isinstance(x, Mapping) else x for x in v] if isinstance(v, list) else v
        if item is Any or item is dict or get_origin(item) is dict:
            return lambda v: v
    return _view


def _collect_fields(cls: type) -> dict[str, Callable[[Any], Any]]:
    try:
        hints = get_type_hints(cls)
    except Exception:  # unresolvable annotation: treat every field generically
        hints = {}
        for klass in reversed(cls.__mro__):
            hints.update(klass.__dict__.get("__annotations__", {}))
    fields: dict[str, Callable[[Any], Any]] = {}
    for name, hint in hints.items():
        if name.startswith("_") or name.isupper() or get_origin(hint) is ClassVar:
            continue
        conv = _converter(hint) if not isinstance(hint, str) else _view
        if name in getattr(cls, "RAW_FIELDS", ()):
            conv = _identity
        fields[name] = conv
    return fields


def _identity(v: Any) -> Any:
    return v


class DataObject(Mapping[str, Any]):
    """A read-only, attribute-style view of a JSON object from the CLI."""

    #: Fields whose value stays plain JSON (dicts/lists), e.g. free-form tool arguments.
    RAW_FIELDS: ClassVar[frozenset[str]] = frozenset()
    _fields_cache: ClassVar[dict[type, dict[str, Callable[[Any], Any]]]] = {}

    __slots__ = ("_raw", "__dict__")
    _raw: dict[str, Any]

    def __init__(self, raw: Mapping[str, Any] | None = None, /, **fields: Any):
        raw = dict(raw) if raw else {}
        for k, v in fields.items():
            raw[snake_to_camel(k)] = v
        object.__setattr__(self, "_raw", raw)
        cls = type(self)
        plan = _PLANS.get(cls)
        if plan is None:
            plan = _PLANS[cls] = ({name: None for name in self._known_fields()}, {})
        defaults, keys = plan
        attrs = self.__dict__
        attrs.update(defaults)
        for key, value in raw.items():
            entry = keys.get(key, _MISSING)
            if entry is _MISSING:
                entry = self._plan_key(key)
                if len(keys) < 1024:  # protocol keys are a small vocabulary; free-form maps are not
                    keys[key] = entry
            if entry is None:
                continue
            name, conv = entry
            # Plain scalars need no view; skip the call for them.
            attrs[name] = value if conv is _view and type(value) in _SCALARS else conv(value)

    @classmethod
    def _known_fields(cls) -> dict[str, Callable[[Any], Any]]:
        cached = DataObject._fields_cache.get(cls)
        if cached is None:
            cached = _collect_fields(cls)
            DataObject._fields_cache[cls] = cached
        return cached

    @classmethod
    def _plan_key(cls, key: Any) -> tuple[str, Callable[[Any], Any]] | None:
        """Where a wire key goes: ``(attribute, converter)``, or ``None`` to leave it out."""
        name = camel_to_snake(key) if isinstance(key, str) else str(key)
        if not name.isidentifier() or isinstance(getattr(cls, name, None), property):
            return None
        return name, cls._known_fields().get(name, _view)

    @classmethod
    def from_dict(cls, obj: Mapping[str, Any] | None) -> Any:
        """Builds the view from a wire dict (the official generated types' constructor)."""
        return cls(obj or {})

    def to_dict(self) -> dict[str, Any]:
        """The wire (camelCase) mapping this view was built from."""
        return dict(self._raw)

    # Mapping over the wire keys; snake_case keys are accepted too.
    def __getitem__(self, key: str) -> Any:
        raw = self._raw
        if key in raw:
            return raw[key]
        camel = snake_to_camel(key)
        if camel in raw:
            return raw[camel]
        raise KeyError(key)

    def __contains__(self, key: object) -> bool:
        if not isinstance(key, str):
            return False
        return key in self._raw or snake_to_camel(key) in self._raw

    def __iter__(self) -> Iterator[str]:
        return iter(self._raw)

    def __len__(self) -> int:
        return len(self._raw)

    def __setattr__(self, name: str, value: Any) -> None:
        raise AttributeError(f"{type(self).__name__} is read-only")

    def __eq__(self, other: object) -> bool:
        if isinstance(other, DataObject):
            return type(self) is type(other) and self._raw == other._raw
        if isinstance(other, Mapping):
            return self._raw == dict(other)
        return NotImplemented

    __hash__ = None  # type: ignore[assignment]

    def __bool__(self) -> bool:
        # A payload is a value, not a container: an empty one is still "present".
        return True

    def __repr__(self) -> str:
        shown = ", ".join(f"{camel_to_snake(k)}={v!r}" for k, v in self._raw.items())
        return f"{type(self).__name__}({shown})"


_PLANS: dict[type, tuple[dict[str, None], dict[Any, tuple[str, Callable[[Any], Any]] | None]]] = {}
_MISSING: Any = object()
_SCALARS = frozenset({str, int, float, bool, type(None)})


def _view(value: Any) -> Any:
    if isinstance(value, dict):
        return DataObject(value)
    if isinstance(value, list):
        return [_view(v) for v in value]
    return value
