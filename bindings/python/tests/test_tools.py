"""Tools defined in Python: define_tool (dataclass / TypedDict / pydantic-free schemas),
low-level Tool objects, failures."""

from __future__ import annotations

import asyncio
import json
from dataclasses import dataclass, field
from typing import Annotated, Any, Literal, Optional, TypedDict

from conftest import collect_until

from copilot_core import CopilotClient, PermissionHandler, Tool, ToolInvocation, ToolResult, define_tool
from copilot_core.session_events import ExternalToolRequestedData, ToolExecutionCompleteData
from copilot_core.tools import json_schema_for


@dataclass
class WeatherParams:
    city: Annotated[str, "The city"]
    unit: Literal["c", "f"] = "c"


def _tool_schemas(standin: Any) -> dict[str, Any]:
    reqs = standin.chat_requests()
    assert reqs
    body = reqs[0]["body"]
    return {t["function"]["name"]: t["function"].get("parameters") for t in body.get("tools", [])}


async def test_define_tool_is_called_with_the_scripted_arguments(client: CopilotClient, standin: Any) -> None:
    calls: list[Any] = []

    @define_tool(description="Current weather for a city")
    def get_weather(params: WeatherParams, invocation: ToolInvocation) -> str:
        calls.append((params, invocation.tool_name, invocation.session_id))
        return f"sunny in {params.city}"

    session = await client.create_session(tools=[get_weather], on_permission_request=PermissionHandler.approve_all)
    reply = await session.send_and_wait("what is the weather")
    assert calls == [(WeatherParams(city="Paris"), "get_weather", session.session_id)]
    assert reply is not None and reply.data.content == "It is sunny in Paris."
    schema = _tool_schemas(standin)["get_weather"]
    assert schema["type"] == "object"
    assert schema["properties"]["city"] == {"type": "string", "description": "The city"}
    assert schema["properties"]["unit"]["enum"] == ["c", "f"]
    assert schema["required"] == ["city"]


class CityArgs(TypedDict):
    city: str


async def test_async_typeddict_tool_with_skip_permission(client: CopilotClient) -> None:
    seen: list[Any] = []

    @define_tool(name="get_weather", description="weather", skip_permission=True)
    async def weather(args: CityArgs) -> dict[str, Any]:
        await asyncio.sleep(0)
        seen.append(args)
        return {"forecast": "sunny", "city": args["city"]}

    # No permission handler at all: skip_permission lets the tool run anyway.
    session = await client.create_session(tools=[weather])
    events = asyncio.ensure_future(collect_until(session, "session.idle", timeout=60))
    await session.send("weather please")
    evs = await events
    assert seen == [{"city": "Paris"}]
    requested = next(e for e in evs if isinstance(e.data, ExternalToolRequestedData))
    assert requested.data.arguments == {"city": "Paris"}
    done = next(e for e in evs if isinstance(e.data, ToolExecutionCompleteData))
    assert done.data.success is True
    assert json.loads(done.data.result.content) == {"forecast": "sunny", "city": "Paris"}
    final = [e for e in evs if e.type == "assistant.message"][-1]
    assert final.data.content == "It is sunny in Paris."


async def test_low_level_tool_and_failing_tool(client: CopilotClient) -> None:
    invocations: list[ToolInvocation] = []

    def handler(invocation: ToolInvocation) -> ToolResult:
        invocations.append(invocation)
        raise ValueError("weather service down")

    tool = Tool(
        name="get_weather",
        description="weather",
        parameters={"type": "object", "properties": {"city": {"type": "string"}}},
        handler=handler,
    )
    session = await client.create_session(tools=[tool], on_permission_request=PermissionHandler.approve_all)
    reply = await session.send_and_wait("weather")
    assert invocations and invocations[0].arguments == {"city": "Paris"}
    assert invocations[0].tool_call_id
    # The failure went back to the model as a failure result (its text has no "sunny").
    assert reply is not None and reply.data.content == "I could not get the weather."


async def test_tool_result_object_is_sent_verbatim(client: CopilotClient) -> None:
    async def handler(invocation: ToolInvocation) -> ToolResult:
        return ToolResult(text_result_for_llm="sunny, 20C", result_type="success", session_log="looked it up")

    tool = Tool(name="get_weather", description="weather", handler=handler, skip_permission=True)
    session = await client.create_session(tools=[tool])
    events = asyncio.ensure_future(collect_until(session, "session.idle", timeout=60))
    await session.send("weather")
    evs = await events
    done = next(e for e in evs if isinstance(e.data, ToolExecutionCompleteData))
    assert done.data.result.content == "sunny, 20C"


@dataclass
class Inner:
    n: int


@dataclass
class Params:
    name: str
    tags: list[str] = field(default_factory=list)
    inner: Optional[Inner] = None
    ratio: float = field(default=1.0, metadata={"description": "a ratio"})


def test_schema_from_type_hints() -> None:
    s = json_schema_for(Params)
    assert s["required"] == ["name"]
    assert s["properties"]["tags"] == {"type": "array", "items": {"type": "string"}}
    assert s["properties"]["inner"]["properties"]["n"] == {"type": "integer"}
    assert s["properties"]["ratio"] == {"type": "number", "description": "a ratio"}

    @define_tool(description="d")
    def t(params: Params) -> str:
        return params.name + str(params.inner.n if params.inner else 0)

    assert t.parameters == s
    result = asyncio.run(t.handler(ToolInvocation(arguments={"name": "x", "inner": {"n": 3}})))
    assert result.text_result_for_llm == "x3"
    bad = asyncio.run(t.handler(ToolInvocation(arguments={"nme": "x"})))
    assert bad.result_type == "failure" and "Invalid tool arguments" in bad.text_result_for_llm


def test_local_classes_fall_back_to_plain_schemas() -> None:
    @dataclass
    class Helper:
        n: int

    @dataclass
    class Local:
        city: str
        other: Helper

    s = json_schema_for(Local)
    assert s["properties"]["city"] == {"type": "string"}
    assert s["properties"]["other"] == {}
