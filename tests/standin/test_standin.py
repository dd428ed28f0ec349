"""Tests for tests/standin/copilot_standin.py, most of them against the real Copilot CLI.

Run: .tools/venv/bin/python -m pytest tests/standin -q --tb=short
The CLI binary comes from COPILOT_CLI_PATH or .tools/cli-1.0.102 (scripts/setup-cli.sh installs it).
Each CLI test spawns `copilot --server --stdio` hermetically (fresh COPILOT_HOME, XDG_*, GH_CONFIG_DIR,
COPILOT_CACHE_HOME) and points it at an in-process StandIn; nothing leaves 127.0.0.1.
The CLI behaviour these tests pin down is summarised in copilot_standin.py's docstring.
"""
from __future__ import annotations

import http.client
import json
import os
import queue
import shutil
import signal
import subprocess
import sys
import threading
import time
import urllib.parse
import uuid
from typing import Any, Callable, Dict, List, Optional

import pytest

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
sys.path.insert(0, HERE)

from copilot_standin import StandIn  # noqa: E402


# --------------------------------------------------------------------------------------------
# A small JSON-RPC client for `copilot --server --stdio` (Content-Length framing)
# --------------------------------------------------------------------------------------------

class RpcError(Exception):
    def __init__(self, method: str, error: Dict[str, Any]):
        super().__init__(f"{method}: {error.get('code')} {error.get('message')}")
        self.code = error.get("code")
        self.message = error.get("message", "")
        self.data = error.get("data")


class CliClient:
    """Spawns the CLI in stdio server mode and speaks JSON-RPC with it.

    Every `session.event` is kept (in order) in `self.events` as (sessionId, event); each event
    gets `_rx`, the seconds between spawn and its arrival.
    `permission.requested` is answered with `self.permission_decision` (approve-once by default);
    `external_tool.requested` is answered by `self.tools[name](arguments)`.
    """

    def __init__(self, cli: str, env: Dict[str, str], args: List[str], cwd: str, log_path: str):
        self._stderr = open(log_path, "wb")
        self.proc = subprocess.Popen(
            [cli, "--server", "--stdio", "--no-auto-update", "--log-level", "debug", *args],
            stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=self._stderr,
            env=env, cwd=cwd)
        self._write_lock = threading.Lock()
        self._next_id = 0
        self._pending: Dict[int, "queue.Queue[Dict[str, Any]]"] = {}
        self._cond = threading.Condition()
        self.events: List[tuple] = []
        self.notifications: List[Dict[str, Any]] = []
        self.server_requests: List[Dict[str, Any]] = []
        self.answers: List[Dict[str, Any]] = []
        self.tools: Dict[str, Callable[[Any], Any]] = {}
        self.permission_decision: Dict[str, Any] = {"kind": "approve-once"}
        self.t0 = time.time()
        self._reader = threading.Thread(target=self._read_loop, daemon=True)
        self._reader.start()

    # --- framing ---------------------------------------------------------------------------
    def _send(self, msg: Dict[str, Any]) -> None:
        data = json.dumps(msg).encode("utf-8")
        with self._write_lock:
            self.proc.stdin.write(b"Content-Length: %d\r\n\r\n" % len(data) + data)
            self.proc.stdin.flush()

    def _read_frame(self) -> Optional[Dict[str, Any]]:
        length = None
        while True:
            line = self.proc.stdout.readline()
            if not line:
                return None
            line = line.strip()
            if not line:
                if length is None:
                    continue
                break
            name, _, value = line.decode("ascii", "replace").partition(":")
            if name.strip().lower() == "content-length":
                length = int(value.strip())
        body = self.proc.stdout.read(length)
        if len(body) < length:
            return None
        return json.loads(body.decode("utf-8"))

    def _read_loop(self) -> None:
        while True:
            msg = self._read_frame()
            if msg is None:
                with self._cond:
                    for q in self._pending.values():
                        q.put({"error": {"code": -32603, "message": "connection closed"}})
                    self._cond.notify_all()
                return
            if "id" in msg and "method" not in msg:
                q = self._pending.pop(msg["id"], None)
                if q is not None:
                    q.put(msg)
            elif "method" in msg and "id" in msg:
                self.server_requests.append(msg)
                threading.Thread(target=self._on_server_request, args=(msg,), daemon=True).start()
            elif "method" in msg:
                self._on_notification(msg)

    # --- requests --------------------------------------------------------------------------
    def request(self, method: str, params: Optional[Dict[str, Any]] = None,
                timeout: float = 60) -> Any:
        q: "queue.Queue[Dict[str, Any]]" = queue.Queue()
        with self._cond:
            self._next_id += 1
            rid = self._next_id
            self._pending[rid] = q
        self._send({"jsonrpc": "2.0", "id": rid, "method": method, "params": params or {}})
        try:
            reply = q.get(timeout=timeout)
        except queue.Empty:
            self._pending.pop(rid, None)
            raise TimeoutError(f"{method}: no answer within {timeout}s")
        if "error" in reply:
            raise RpcError(method, reply["error"])
        return reply.get("result")

    def _on_server_request(self, msg: Dict[str, Any]) -> None:
        method = msg["method"]
        if method == "hooks.invoke":
            self._send({"jsonrpc": "2.0", "id": msg["id"], "result": {"output": {}}})
        else:
            self._send({"jsonrpc": "2.0", "id": msg["id"],
                        "error": {"code": -32601, "message": f"Unhandled method {method}"}})

    def _on_notification(self, msg: Dict[str, Any]) -> None:
        if msg["method"] == "session.event":
            sid = msg["params"].get("sessionId")
            event = msg["params"]["event"]
            event["_rx"] = time.time() - self.t0
            with self._cond:
                self.events.append((sid, event))
                self._cond.notify_all()
            etype = event.get("type")
            if etype == "permission.requested" and not event["data"].get("resolvedByHook"):
                threading.Thread(target=self._answer_permission, args=(sid, event), daemon=True).start()
            elif etype == "external_tool.requested":
                threading.Thread(target=self._answer_tool, args=(sid, event), daemon=True).start()
        else:
            with self._cond:
                self.notifications.append(msg)
                self._cond.notify_all()

    def _answer_permission(self, sid: str, event: Dict[str, Any]) -> None:
        res = self.request("session.permissions.handlePendingPermissionRequest", {
            "sessionId": sid, "requestId": event["data"]["requestId"],
            "result": self.permission_decision})
        self.answers.append({"kind": "permission", "event": event, "result": res})

    def _answer_tool(self, sid: str, event: Dict[str, Any]) -> None:
        data = event["data"]
        handler = self.tools.get(data.get("toolName"))
        params: Dict[str, Any] = {"sessionId": sid, "requestId": data["requestId"]}
        if handler is None:
            params["error"] = f"no handler for tool {data.get('toolName')}"
        else:
            try:
                params["result"] = handler(data.get("arguments"))
            except Exception as exc:  # report handler failures to the CLI
                params["error"] = str(exc)
        res = self.request("session.tools.handlePendingToolCall", params)
        self.answers.append({"kind": "tool", "event": event, "result": res})

    # --- events ----------------------------------------------------------------------------
    def wait_event(self, pred: Callable[[str, Dict[str, Any]], bool], timeout: float = 30,
                   start: int = 0) -> Dict[str, Any]:
        deadline = time.time() + timeout
        with self._cond:
            while True:
                for sid, ev in self.events[start:]:
                    if pred(sid, ev):
                        return ev
                left = deadline - time.time()
                if left <= 0 or self.proc.poll() is not None:
                    types = [e.get("type") for _, e in self.events[start:]]
                    raise TimeoutError(f"event not seen within {timeout}s; got {types}")
                self._cond.wait(min(left, 0.5))

    def wait_type(self, sid: str, etype: str, timeout: float = 30, start: int = 0) -> Dict[str, Any]:
        return self.wait_event(lambda s, e: s == sid and e.get("type") == etype, timeout, start)

    def session_events(self, sid: str) -> List[Dict[str, Any]]:
        with self._cond:
            return [e for s, e in self.events if s == sid]

    def close(self) -> None:
        if self.proc.poll() is None:
            try:
                self.request("runtime.shutdown", {}, timeout=10)
            except Exception:
                pass
            try:
                self.proc.wait(5)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(5)
        for f in (self.proc.stdin, self.proc.stdout, self._stderr):
            try:
                f.close()
            except Exception:
                pass


def cli_path() -> str:
    p = os.environ.get("COPILOT_CLI_PATH") or os.path.join(
        ROOT, ".tools", "cli-1.0.102", "node_modules", "@github", "copilot-linux-x64", "copilot")
    if not os.path.exists(p):
        p = subprocess.run([os.path.join(ROOT, "scripts", "setup-cli.sh")], check=True,
                           capture_output=True, text=True).stdout.strip()
    return p


def hermetic_env(base: str, standin: StandIn, token: str = "test-token",
                 extra: Optional[Dict[str, str]] = None) -> Dict[str, str]:
    env = {k: v for k, v in os.environ.items()
           if not k.startswith(("COPILOT_", "GH_", "GITHUB_", "XDG_"))}
    for name in ("COPILOT_HOME", "XDG_CONFIG_HOME", "XDG_STATE_HOME", "GH_CONFIG_DIR",
                 "COPILOT_CACHE_HOME"):
        d = os.path.join(base, name.lower())
        os.makedirs(d, exist_ok=True)
        env[name] = d
    env.update({
        "HOME": os.path.join(base, "home"),
        "COPILOT_API_URL": standin.url,
        "COPILOT_DEBUG_GITHUB_API_URL": standin.url,
        "COPILOT_MC_BASE_URL": standin.url + "/agents",
        "GH_TOKEN": token,
        "GITHUB_TOKEN": token,
    })
    os.makedirs(env["HOME"], exist_ok=True)
    env.update(extra or {})
    return env


# --------------------------------------------------------------------------------------------
# fixtures and helpers
# --------------------------------------------------------------------------------------------

SCENARIOS = os.path.join(ROOT, "tests", "scenarios")
# A token shaped like a GitHub OAuth token: the CLI then authenticates "via GH_TOKEN" (authType env).
# Arbitrary strings are ignored by that path ("Unsupported token type") and only accepted through the
# gh-CLI path (authType gh-cli); classic PATs (ghp_...) are refused by the CLI without any request.
TOKEN = "gho_standin0000000000000000000000000000"


def load_scenario(name: str) -> Dict[str, Any]:
    with open(os.path.join(SCENARIOS, name), encoding="utf-8") as fh:
        return json.load(fh)


@pytest.fixture
def standin():
    s = StandIn().start()
    yield s
    s.stop()


@pytest.fixture
def cli(standin, tmp_path):
    """Factory: cli(args=[...], token=..., extra_env={...}, cwd=...) -> connected CliClient."""
    clients: List[CliClient] = []

    def make(args: Optional[List[str]] = None, token: str = TOKEN,
             extra_env: Optional[Dict[str, str]] = None, cwd: Optional[str] = None) -> CliClient:
        base = str(tmp_path / f"cli{len(clients)}")
        os.makedirs(base)
        env = hermetic_env(base, standin, token=token, extra=extra_env)
        work = cwd or os.path.join(base, "work")
        os.makedirs(work, exist_ok=True)
        client = CliClient(cli_path(), env, args or [], work, os.path.join(base, "stderr.log"))
        client.base = base
        clients.append(client)
        result = client.request("connect", {}, timeout=60)
        assert result["ok"] is True and result["protocolVersion"] == 3
        return client

    yield make
    for client in clients:
        client.close()
        # shown by pytest only when the test failed
        logs = os.path.join(client.base, "copilot_home", "logs")
        for name in sorted(os.listdir(logs)) if os.path.isdir(logs) else []:
            if not name.endswith(".log"):
                continue
            with open(os.path.join(logs, name), errors="replace") as fh:
                tail = fh.readlines()[-40:]
            print(f"--- tail of {name} ---\n" + "".join(line[:400] for line in tail))


def new_session(c: CliClient, **extra: Any) -> str:
    sid = str(uuid.uuid4())
    params = {"sessionId": sid, "streaming": True, "requestPermission": True}
    params.update(extra)
    result = c.request("session.create", params)
    assert result["sessionId"] == sid
    return sid


def send_and_wait(c: CliClient, sid: str, prompt: str, timeout: float = 60) -> List[Dict[str, Any]]:
    """session.send, wait for session.idle, return this turn's events."""
    start = len(c.events)
    c.request("session.send", {"sessionId": sid, "prompt": prompt})
    c.wait_type(sid, "session.idle", timeout, start=start)
    with c._cond:
        return [e for s, e in c.events[start:] if s == sid]


def of_type(events: List[Dict[str, Any]], etype: str) -> List[Dict[str, Any]]:
    return [e for e in events if e["type"] == etype]


def index_of(events: List[Dict[str, Any]], event: Dict[str, Any]) -> int:
    return next(i for i, e in enumerate(events) if e is event)


# --------------------------------------------------------------------------------------------
# the stand-in alone (no CLI)
# --------------------------------------------------------------------------------------------

def http_call(method: str, url: str, body: Any = None, token: Optional[str] = TOKEN,
         raw: bool = False):
    u = urllib.parse.urlsplit(url)
    conn = http.client.HTTPConnection(u.hostname, u.port, timeout=10)
    headers = {"Content-Type": "application/json"}
    if token:
        headers["Authorization"] = f"Bearer {token}"
    conn.request(method, u.path + (f"?{u.query}" if u.query else ""),
                 body=None if body is None else json.dumps(body), headers=headers)
    resp = conn.getresponse()
    data = resp.read()
    conn.close()
    if raw:
        return resp.status, dict(resp.getheaders()), data
    return resp.status, (json.loads(data) if data else None)


def sse_chunks(data: bytes) -> List[Any]:
    out = []
    for line in data.decode().splitlines():
        if line.startswith("data: "):
            payload = line[len("data: "):]
            out.append(payload if payload == "[DONE]" else json.loads(payload))
    return out


def test_standin_http_surface(standin):
    """Scenario matching, SSE shape, error replies, control plane, token map: plain HTTP."""
    url = standin.url
    assert http_call("GET", url + "/_standin/health", token=None)[1]["ok"] is True
    assert http_call("POST", url + "/_standin/scenario", {
        "rules": [
            {"when": {"user": "weather"}, "reply": {"tool_calls": [
                {"name": "get_weather", "arguments": {"city": "Paris"}}]}},
            {"when": {"tool_result": "sunny", "tool_name": "get_weather"},
             "reply": {"text": "It is sunny in Paris.", "chunks": 4}},
            {"when": {"user": "fail"}, "reply": {"error": {"status": 500, "message": "boom"}},
             "times": 1},
        ],
        "default": {"text": "fallback"}}, token=None)[0] == 200
    tools = [{"type": "function", "function": {"name": "get_weather", "parameters": {}}}]

    # tool call, streamed
    status, headers, data = http_call("POST", url + "/chat/completions", {
        "stream": True, "tools": tools,
        "messages": [{"role": "user", "content": [{"type": "text", "text": "weather?"}]}]}, raw=True)
    assert status == 200 and headers["Content-Type"] == "text/event-stream"
    chunks = sse_chunks(data)
    assert chunks[-1] == "[DONE]"
    call = chunks[0]["choices"][0]["delta"]["tool_calls"][0]
    assert call["id"] == "call_1" and call["function"]["name"] == "get_weather"
    assert json.loads(call["function"]["arguments"]) == {"city": "Paris"}
    assert chunks[-2]["choices"][0]["finish_reason"] == "tool_calls" and "usage" in chunks[-2]

    # tool result -> text in 4 deltas, tool name resolved from the assistant tool_calls
    status, _, data = http_call("POST", url + "/chat/completions", {
        "stream": True, "tools": tools, "messages": [
            {"role": "user", "content": "weather?"},
            {"role": "assistant", "content": None, "tool_calls": [
                {"id": "call_1", "type": "function",
                 "function": {"name": "get_weather", "arguments": "{}"}}]},
            {"role": "tool", "tool_call_id": "call_1", "content": "sunny 20C"}]}, raw=True)
    chunks = sse_chunks(data)
    texts = [c["choices"][0]["delta"].get("content") for c in chunks[:-1]]
    assert [t for t in texts if t] and "".join(t for t in texts if t) == "It is sunny in Paris."
    assert len([t for t in texts if t]) == 4
    assert chunks[-2]["choices"][0]["finish_reason"] == "stop"

    # non-streaming, `times` exhausted after one use, default afterwards
    body = {"tools": tools, "messages": [{"role": "user", "content": "fail now"}]}
    status, err = http_call("POST", url + "/chat/completions", body)
    assert status == 500 and err["error"]["message"] == "boom"
    status, ok = http_call("POST", url + "/chat/completions", body)
    assert status == 200 and ok["object"] == "chat.completion"
    assert ok["choices"][0]["message"]["content"] == "fallback"

    # auxiliary calls (no tools) never consume scripted rules
    status, aux = http_call("POST", url + "/chat/completions",
                       {"messages": [{"role": "user", "content": "weather?"}]})
    assert aux["choices"][0]["message"].get("tool_calls") is None
    recorded = http_call("GET", url + "/_standin/requests?path=/chat", token=None)[1]
    assert [r["standin"]["kind"] for r in recorded] == ["conversation"] * 4 + ["auxiliary"]
    assert [r["standin"]["rule"] for r in recorded][:4] == [0, 1, 2, "default"]

    # token map: only listed tokens pass; control plane needs none
    assert http_call("POST", url + "/_standin/config", {"tokens": {"tok-a": "alice"}},
                token=None)[0] == 200
    assert http_call("GET", url + "/copilot_internal/user", token="tok-b")[0] == 401
    assert http_call("GET", url + "/agents/sessions/x", token="tok-b")[0] == 401
    assert http_call("GET", url + "/copilot_internal/user", token="tok-a")[1]["login"] == "alice"
    assert http_call("POST", url + "/_standin/reset", token=None)[0] == 200
    assert http_call("GET", url + "/_standin/requests", token=None)[1] == []


def test_standin_close_mid_stream(standin):
    standin.set_scenario({"default": {"text": "abcdefgh", "chunks": 4, "close_mid_stream": True}})
    conn = http.client.HTTPConnection("127.0.0.1", int(standin.url.rsplit(":", 1)[1]), timeout=10)
    conn.request("POST", "/chat/completions", body=json.dumps({
        "stream": True, "tools": [{}], "messages": [{"role": "user", "content": "x"}]}),
        headers={"Authorization": "Bearer t"})
    try:
        resp = conn.getresponse()
        with pytest.raises((http.client.IncompleteRead, ConnectionError)):
            resp.read()
    finally:
        conn.close()


def test_standin_command_line(tmp_path):
    """The script prints exactly one URL line, serves, and exits 0 on SIGTERM."""
    scenario = os.path.join(SCENARIOS, "basic.json")
    log = open(tmp_path / "standin.log", "w")
    proc = subprocess.Popen(
        [sys.executable, os.path.join(HERE, "copilot_standin.py"), "--port", "0",
         "--scenario", scenario, "--token", "tok1=alice", "--token", "tok2",
         "--mc-mode", "policy_blocked"],
        stdout=subprocess.PIPE, stderr=log, text=True)
    try:
        line = proc.stdout.readline().strip()
        assert line.startswith("COPILOT_STANDIN_URL=http://127.0.0.1:")
        url = line.split("=", 1)[1]
        assert http_call("GET", url + "/copilot_internal/user", token="tok1")[1]["login"] == "alice"
        assert http_call("GET", url + "/copilot_internal/user", token="tok2")[1]["login"] == "standin-user"
        assert http_call("GET", url + "/copilot_internal/user", token="nope")[0] == 401
        status, body = http_call("POST", url + "/agents/tasks", {"repositories": []}, token="tok1")
        assert status == 403 and "sandbox sessions are not enabled" in body["message"]
        proc.send_signal(signal.SIGTERM)
        assert proc.wait(10) == 0
        assert proc.stdout.read() == ""  # nothing else on stdout
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
        proc.stdout.close()
        log.close()
    with open(tmp_path / "standin.log") as fh:
        logged = fh.read()
    assert "GET /copilot_internal/user -> 401" in logged  # one log line per request, on stderr


# --------------------------------------------------------------------------------------------
# the real CLI against the stand-in
# --------------------------------------------------------------------------------------------

def test_streamed_turn(standin, cli):
    standin.set_scenario(load_scenario("basic.json"))
    c = cli()
    sid = new_session(c)
    events = send_and_wait(c, sid, "Hello there!")

    deltas = of_type(events, "assistant.message_delta")
    messages = of_type(events, "assistant.message")
    idle = of_type(events, "session.idle")
    assert len(deltas) == 4 and all(d.get("ephemeral") for d in deltas)
    assert len(messages) == 1 and len(idle) == 1
    text = "Hello! I am the Copilot stand-in."
    assert messages[0]["data"]["content"] == text
    assert "".join(d["data"]["deltaContent"] for d in deltas) == text
    assert index_of(events, deltas[-1]) < index_of(events, messages[0]) < index_of(events, idle[0])
    assert not of_type(events, "session.error")

    (req,) = standin.chat_requests()
    assert req["body"]["stream"] is True
    assert req["headers"]["authorization"] == f"Bearer {TOKEN}"
    assert req["body"]["messages"][-1]["role"] == "user"
    assert "Hello there!" in req["body"]["messages"][-1]["content"]
    # the CLI announces itself like this on every model call
    assert req["headers"]["copilot-integration-id"] == "copilot-developer-cli"
    assert req["headers"]["x-initiator"] == "user"


def test_external_tool(standin, cli):
    standin.set_scenario(load_scenario("tools.json"))
    c = cli()
    seen: List[Any] = []

    def get_weather(arguments: Any) -> Dict[str, Any]:
        seen.append(arguments)
        return {"textResultForLlm": "sunny 20C", "resultType": "success"}

    c.tools["get_weather"] = get_weather
    sid = new_session(c, tools=[{
        "name": "get_weather", "description": "Weather for a city",
        "parameters": {"type": "object", "properties": {"city": {"type": "string"}},
                       "required": ["city"]}}])
    events = send_and_wait(c, sid, "What is the weather in Paris?")

    (req_event,) = of_type(events, "external_tool.requested")
    assert req_event["data"]["toolName"] == "get_weather"
    assert req_event["data"]["arguments"] == {"city": "Paris"}
    assert req_event["data"]["toolCallId"] == "call_1"
    assert seen == [{"city": "Paris"}]
    # a client tool is gated by a custom-tool permission first (we approved it)
    (perm,) = of_type(events, "permission.requested")
    assert perm["data"]["permissionRequest"]["kind"] == "custom-tool"
    assert index_of(events, perm) < index_of(events, req_event)
    (done,) = of_type(events, "tool.execution_complete")
    assert done["data"]["success"] is True and done["data"]["result"]["content"] == "sunny 20C"
    assert of_type(events, "assistant.message")[-1]["data"]["content"] == "It is sunny in Paris."

    first, second = standin.chat_requests()
    assert first["standin"]["rule"] == 0
    last = second["body"]["messages"][-1]
    assert last["role"] == "tool" and last["tool_call_id"] == "call_1"
    assert "sunny 20C" in last["content"]
    assert second["standin"]["tool_name"] == "get_weather"


def test_builtin_tools_and_permissions(standin, cli):
    """bash and view, as scripted in tools.json: shell / read permission requests."""
    standin.set_scenario(load_scenario("tools.json"))
    c = cli()
    sid = new_session(c)

    c.permission_decision = {"kind": "reject", "feedback": "not now"}
    events = send_and_wait(c, sid, "please run the shell")
    (msg,) = [m for m in of_type(events, "assistant.message") if m["data"]["toolRequests"]]
    assert msg["data"]["content"] == "Running a command."
    assert msg["data"]["toolRequests"][0]["arguments"] == {"command": "echo hi",
                                                            "description": "say hi"}
    (perm,) = of_type(events, "permission.requested")
    assert perm["data"]["permissionRequest"]["kind"] == "shell"
    assert perm["data"]["permissionRequest"]["fullCommandText"] == "echo hi"
    (done,) = of_type(events, "tool.execution_complete")
    assert done["data"]["success"] is False and done["data"]["error"]["code"] == "denied"

    c.permission_decision = {"kind": "approve-once"}
    events = send_and_wait(c, sid, "please run the shell")
    (done,) = of_type(events, "tool.execution_complete")
    assert done["data"]["success"] is True and done["data"]["result"]["content"].startswith("hi\n")

    events = send_and_wait(c, sid, "now read the file")
    # outside the working directory: first a path-access prompt, then the read itself
    perms = of_type(events, "permission.requested")
    assert [p["data"]["promptRequest"]["kind"] for p in perms] == ["path", "read"]
    assert all(p["data"]["permissionRequest"]["kind"] == "read" for p in perms)
    assert all(p["data"]["permissionRequest"]["path"] == "/etc/hosts" for p in perms)
    (done,) = of_type(events, "tool.execution_complete")
    assert done["data"]["success"] is True
    assert of_type(events, "assistant.message")[-1]["data"]["content"] == "I have read the file."


def test_http_500_becomes_session_error(standin, cli):
    standin.set_scenario(load_scenario("errors.json"))
    c = cli()
    sid = new_session(c)
    started = time.time()
    events = send_and_wait(c, sid, "fail please", timeout=90)
    elapsed = time.time() - started

    (err,) = of_type(events, "session.error")
    assert err["data"]["statusCode"] == 500 and "boom" in err["data"]["message"]
    assert not of_type(events, "assistant.message")
    # 500 is transient for the CLI: 1 call + 5 retries (about 1 s apart with Retry-After: 0)
    assert len(of_type(events, "assistant.turn_retry")) == 5
    assert [r["status"] for r in standin.chat_requests()] == [500] * 6
    assert elapsed < 60  # ~5 s on an idle machine; without Retry-After ~15 s


def test_rejected_token(standin, cli):
    """What the CLI does when the stand-in answers 401 to its token (see the module docstring)."""
    good = "gho_good0000000000000000000000000000000"
    standin.configure(tokens={good: "alice"})
    status = cli(token=good).request("auth.getStatus", {})
    assert status["isAuthenticated"] is True and status["login"] == "alice"
    assert status["authType"] == "env"

    # An OAuth-shaped token that GitHub rejects: the CLI still calls itself authenticated
    # ("server-to-server", empty login), session.create succeeds, and model calls go to the
    # public default endpoint (unreachable offline) because /copilot_internal/user failed.
    standin.reset()
    c = cli(token="gho_bad00000000000000000000000000000000")
    status = c.request("auth.getStatus", {})
    assert status["isAuthenticated"] is True and status["login"] == ""
    with pytest.raises(RpcError) as info:
        c.request("models.list", {})
    assert "401" in info.value.message
    sid = new_session(c)
    start = len(c.events)
    c.request("session.send", {"sessionId": sid, "prompt": "hello"})
    retry = c.wait_type(sid, "assistant.turn_retry", 15, start=start)
    assert retry["data"]["reason"] == "streaming_error"
    assert c.request("session.abort", {"sessionId": sid})["success"] is True
    idle = c.wait_type(sid, "session.idle", 15, start=start)
    assert idle["data"]["aborted"] is True
    # (status None: a request still in flight when we looked)
    statuses = {r["status"] for r in standin.requests() if not r["path"].startswith("/telemetry")}
    assert 401 in statuses and statuses <= {401, None}
    assert not standin.requests("/chat/completions")

    # A token of no GitHub shape is only tried through the gh-CLI path: session.create fails.
    c = cli(token="not-a-github-token")
    assert c.request("auth.getStatus", {})["isAuthenticated"] is False
    with pytest.raises(RpcError) as info:
        new_session(c)
    assert info.value.code == -32603
    assert "Authentication failed" in info.value.message and "(401)" in info.value.message


def test_remote_session(standin, cli):
    c = cli(args=["--remote"])
    sid = new_session(c)
    info = c.wait_type(sid, "session.info", 15)
    (remote,) = standin.remote_sessions().values()
    task_id = remote["task_id"]
    assert info["data"]["infoType"] == "remote"
    assert info["data"]["url"] == f"https://github.com/copilot/tasks/{task_id}"
    assert info["data"]["message"] == f"Remote control connected as {standin.login}"
    assert remote["request"] == {"id": sid, "agent_task_id": sid}

    start = len(c.events)
    result = c.request("session.remote.enable", {"sessionId": sid})
    assert result["remoteSteerable"] is True
    assert result["url"] == f"https://github.com/copilot/tasks/{task_id}"
    changed = c.wait_type(sid, "session.remote_steerable_changed", 10, start=start)
    assert changed["data"]["remoteSteerable"] is True

    send_and_wait(c, sid, "hello")
    start = len(c.events)
    assert c.request("session.remote.disable", {"sessionId": sid}) == {}
    changed = c.wait_type(sid, "session.remote_steerable_changed", 10, start=start)
    assert changed["data"]["remoteSteerable"] is False

    # the CLI exported the session's events to Mission Control (in batches every few seconds,
    # in the background: give a loaded machine time)
    deadline = time.time() + 30
    while time.time() < deadline:
        uploaded = standin.remote_sessions()[sid]["events"]
        if any(e["type"] == "assistant.message" for e in uploaded):
            break
        time.sleep(0.05)
    types = [e["type"] for e in uploaded]
    assert types[0] == "session.start" and "assistant.message" in types, f"uploaded within 30 s: {types}"

    # Mission Control down: enabling remote on another session fails
    standin.configure(mc_mode="down")
    sid2 = new_session(c)
    start = len(c.events)
    with pytest.raises(RpcError) as info:
        c.request("session.remote.enable", {"sessionId": sid2})
    assert info.value.code == -32603
    assert "Failed to set up remote session" in info.value.message
    warning = c.wait_type(sid2, "session.warning", 10, start=start)
    assert warning["data"]["warningType"] == "remote"
    assert [r["status"] for r in standin.requests("/agents/sessions")
            if r["method"] == "POST" and r["path"] == "/agents/sessions"][-1] == 503


def test_remote_url_for_github_repo(standin, cli, tmp_path):
    """A working directory whose origin is on github.com gives .../<owner>/<repo>/tasks/<T>."""
    if shutil.which("git") is None:
        pytest.skip("git is not installed")
    repo = tmp_path / "repo"
    subprocess.run(["git", "init", "-q", str(repo)], check=True)
    subprocess.run(["git", "-C", str(repo), "remote", "add", "origin",
                    "https://github.com/octo/hello.git"], check=True)
    c = cli(cwd=str(repo), extra_env={"COPILOT_MC_REPO_IDS": "1001,2002"})
    sid = new_session(c)
    result = c.request("session.remote.enable", {"sessionId": sid})
    remote = standin.remote_sessions()[sid]
    assert remote["request"]["owner_id"] == 1001 and remote["request"]["repo_id"] == 2002
    assert result["url"] == f"https://github.com/octo/hello/tasks/{remote['task_id']}"


def test_cloud_session(standin, cli):
    standin.set_scenario(load_scenario("basic.json"))
    c = cli()
    started = time.time()
    result = c.request("session.create", {
        "cloud": {"repository": {"owner": "octo", "name": "hello", "branch": "main"}},
        "streaming": True})
    create_seconds = time.time() - started
    sid = result["sessionId"]
    (task,) = standin.tasks()
    assert sid == task["session_id"]
    assert task["request"] == {"repositories": [{"owner": "octo", "name": "hello"}]}
    assert create_seconds < 9  # well under 0.5 s here; the CLI gives up after ~10 s

    agent_start = c.wait_event(lambda s, e: s == sid and e["type"] == "session.start"
                               and e["data"].get("producer") == "copilot-agent", 15)
    info = c.wait_type(sid, "session.info", 15)
    assert info["data"]["url"] == f"https://github.com/octo/hello/tasks/{task['id']}"
    assert agent_start["data"]["sessionId"] == sid

    events = send_and_wait(c, sid, "hello cloud", timeout=60)
    deltas = of_type(events, "assistant.message_delta")
    assert "".join(d["data"]["deltaContent"] for d in deltas) == "Hello from the cloud worker."
    assert len(deltas) == 3
    assert of_type(events, "assistant.message")[-1]["data"]["content"] == "Hello from the cloud worker."
    (task,) = standin.tasks()
    assert [s["content"] for s in task["steers"]] == ["hello cloud"]
    rpcs = [r["body"]["rpc_method"] for r in standin.requests("/agents/tasks")
            if r["method"] == "POST" and r["path"].endswith("/rpc")]
    assert rpcs[0] == "session.sandbox.getEnforcementStatus"

    # CLI 1.0.102: the client-capability flags break a cloud create
    with pytest.raises(RpcError) as info:
        c.request("session.create", {"cloud": {"repository": {"owner": "octo", "name": "hello"}},
                                     "requestPermission": True})
    assert info.value.code == -32601

    standin.configure(mc_mode="policy_blocked")
    with pytest.raises(RpcError) as info:
        c.request("session.create", {"cloud": {"repository": {"owner": "octo", "name": "hello"}}})
    assert info.value.code == -32603
    assert "Cloud sandboxes are not enabled" in info.value.message


def test_cloud_worker_delay(standin, cli):
    """A prompt sent before the worker starts is answered once it has started (hold mode)."""
    standin.configure(worker_delay=2.0, early_steer="hold")
    c = cli()
    result = c.request("session.create", {"cloud": {"repository": {"owner": "octo", "name": "hello"}},
                                          "streaming": True})
    sid = result["sessionId"]
    events = send_and_wait(c, sid, "anything", timeout=60)
    assert of_type(events, "assistant.message")[-1]["data"]["content"] == "OK"
    starts = [e for e in c.session_events(sid) if e["type"] == "session.start"]
    # the placeholder start (producer mission-control) that satisfied session.create is forwarded
    # to the client only sometimes; the worker's start always is
    assert [s["data"]["producer"] for s in starts][-1] == "copilot-agent"
    assert all(s["data"]["sessionId"] == sid for s in starts)
    agent = starts[-1]
    user_echo = [e for e in c.session_events(sid) if e["type"] == "user.message"]
    # the worker's turn comes after its start although the prompt was sent before it
    assert agent["_rx"] < of_type(events, "assistant.message")[-1]["_rx"]
    assert len(user_echo) == 2  # the CLI's local echo, then the worker's user.message


def test_cloud_abort(standin, cli):
    """session.abort on a cloud session steers an abort; the worker stops its slow turn."""
    standin.set_scenario({"rules": [{"when": {"user": "slow"}, "reply": {
        "text": "a very slow answer", "chunks": 5, "chunk_delay": 2.0}}]})
    c = cli()
    sid = c.request("session.create", {"cloud": {"repository": {"owner": "octo", "name": "hello"}},
                                       "streaming": True})["sessionId"]
    start = len(c.events)
    c.request("session.send", {"sessionId": sid, "prompt": "slow please"})
    c.wait_type(sid, "assistant.message_delta", 20, start=start)
    assert c.request("session.abort", {"sessionId": sid})["success"] is True
    idle = c.wait_type(sid, "session.idle", 20, start=start)
    assert idle["data"].get("aborted") is True
    (task,) = standin.tasks()
    assert [s["type"] for s in task["steers"]] == ["user_message", "abort"]
    events = c.session_events(sid)
    assert not [e for e in events if e["type"] == "assistant.message"]
