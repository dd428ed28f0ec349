"""Regenerates the generated block of copilot_core/session_events.py from event_types.txt.

The event type strings are the protocol's (PROTOCOL.md section 6.5, plus the types the
CLI's schema lists); enum member and class names follow fixed rules:
``assistant.message_delta`` -> ``ASSISTANT_MESSAGE_DELTA`` / ``AssistantMessageDeltaData``.

Usage: python tools/gen_event_types.py [--check]
"""

from __future__ import annotations

import re
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
TARGET = HERE.parent / "python" / "copilot_core" / "session_events.py"
BEGIN = "# --- BEGIN GENERATED (tools/gen_event_types.py) ---\n"
END = "# --- END GENERATED ---\n"


def _parts(t: str) -> list[str]:
    return [p for p in re.split(r"[._]", t) if p]


def member_name(t: str) -> str:
    return "_".join(re.sub(r"([a-z0-9])([A-Z])", r"\1_\2", p).upper() for p in _parts(t))


def class_name(t: str) -> str:
    return "".join(p[0].upper() + p[1:] for p in _parts(t)) + "Data"


def render(types: list[str], hand_written: set[str]) -> str:
    out = [BEGIN, "\n", "class SessionEventType(_StrEnum):\n",
           '    """Every event type the protocol defines. Members compare equal to their strings."""\n\n']
    for t in types:
        out.append(f'    {member_name(t)} = "{t}"\n')
    out.append('    UNKNOWN = "unknown"\n\n')
    out.append("    @classmethod\n")
    out.append('    def _missing_(cls, value: object) -> "SessionEventType":\n')
    out.append("        return cls.UNKNOWN\n\n\n")
    for t in types:
        c = class_name(t)
        if c in hand_written:
            continue
        out.append(f"class {c}(EventData):\n")
        out.append(f'    """Payload of ``{t}``."""\n\n\n')
    out.append("_DATA_CLASSES: dict[str, type[EventData]] = {\n")
    for t in types:
        out.append(f'    "{t}": {class_name(t)},\n')
    out.append("}\n\n")
    out.append("_GENERATED_ALL = [\n")
    for t in types:
        out.append(f'    "{class_name(t)}",\n')
    out.append("]\n")
    out.append(END)
    return "".join(out)


def main() -> int:
    types = (HERE / "event_types.txt").read_text().split()
    text = TARGET.read_text()
    head, rest = text.split(BEGIN, 1)
    _, tail = rest.split(END, 1)
    hand_written = set(re.findall(r"^class (\w+Data)\(EventData\):", head, re.M))
    new = head + render(types, hand_written) + tail
    if "--check" in sys.argv:
        if new != text:
            print(f"{TARGET} is out of date: run python tools/gen_event_types.py", file=sys.stderr)
            return 1
        return 0
    TARGET.write_text(new)
    return 0


if __name__ == "__main__":
    sys.exit(main())
