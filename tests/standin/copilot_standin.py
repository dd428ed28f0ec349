#!/usr/bin/env python3
"""copilot_standin.py: an offline stand-in for the GitHub services behind the Copilot CLI.

Lets the real GitHub Copilot CLI (observed with 1.0.102) run whole sessions (local, remote
i.e. exported to Mission Control, and cloud) on a machine with no network and no Copilot
subscription: "test your Copilot integration in CI". One file, Python 3.10+ standard library.

Usage
=====
    python3 copilot_standin.py [--host 127.0.0.1] [--port 0] [--scenario FILE.json]
        [--token TOKEN[=LOGIN]]... [--mc-mode ok|down|policy_blocked]
        [--worker-delay SECONDS] [--login NAME] [--log-level INFO]

Once listening it prints exactly one line on stdout, `COPILOT_STANDIN_URL=http://127.0.0.1:<port>`,
logs one line per request on stderr, and exits 0 on SIGTERM or SIGINT. Start the CLI with:

    COPILOT_DEBUG_GITHUB_API_URL=$URL   GitHub API (/copilot_internal/user, ...)
    COPILOT_API_URL=$URL                Copilot API (see "Observed" below: the CLI really uses
                                        endpoints.api from /copilot_internal/user)
    COPILOT_MC_BASE_URL=$URL/agents     Mission Control
    GH_TOKEN=gho_<anything>             a token shaped like a GitHub OAuth token (see "Tokens")
    COPILOT_HOME, XDG_CONFIG_HOME, XDG_STATE_HOME, GH_CONFIG_DIR, COPILOT_CACHE_HOME: fresh dirs
    copilot --server --stdio --no-auto-update [--remote]

From Python (tests/standin/test_standin.py has a complete example, with a JSON-RPC client):

    from copilot_standin import StandIn
    with StandIn(scenario={...}, tokens=None, mc_mode="ok", worker_delay=0.0) as s:
        s.url, s.mc_url, s.login
        s.requests("/chat/completions")   # recorded requests, in order, optional path prefix
        s.chat_requests()                 # POST /chat/completions of the conversation only
        s.remote_sessions()               # exported sessions, with the uploaded events
        s.tasks()                         # cloud tasks: request, steers, event feed
        s.set_scenario({...}); s.configure(mc_mode="down", worker_delay=2, tokens={...}); s.reset()

Scenario files (JSON)
=====================
    {"rules": [
       {"when": {"user": "weather"},
        "reply": {"tool_calls": [{"name": "get_weather", "arguments": {"city": "Paris"}}]}},
       {"when": {"tool_result": "sunny", "tool_name": "get_weather"},
        "reply": {"text": "It is sunny in Paris.", "chunks": 4}},
       {"when": {"user": "fail please"}, "reply": {"error": {"status": 500, "message": "boom"}},
        "times": 1},
       {"when": {"user": "cut"}, "reply": {"text": "partial answer", "close_mid_stream": true}}],
     "default": {"text": "OK"},
     "auxiliary_default": {"text": "Summary of the conversation (stand-in)."},
     "models": ["claude-sonnet-4.5", "gpt-5-mini"]}

A rule looks at the LAST message of the request's `messages`:
  when.user        substring of a last `user` message (content: string or list of text parts)
  when.user_regex  Python regex searched in it
  when.tool_result substring of a last `tool` message
  when.tool_name   name of the tool that produced that result (from the assistant's tool_calls)
  when.kind        "conversation" (default), "auxiliary" or "any" (see "Auxiliary calls")
  {}               matches anything (of that kind)
Rules are tried in order; `times` caps how often a rule may fire (POST /_standin/reset clears the
counters). No match: `default` (text "OK"), or `auxiliary_default` for auxiliary calls.
Replies:
  text        streamed as `chunks` content deltas (default 3, split evenly); finish_reason "stop"
  tool_calls  [{name, arguments (object or JSON string), id?}]: ids call_1, call_2, ...;
              finish_reason "tool_calls"; a `text` next to them is sent first
  error       {status, message, code?, retry_after?, headers?}: that HTTP status with an
              OpenAI-style body {"error": {message, type, code}}
  close_mid_stream  send about half of the deltas, then reset the connection
  delay, chunk_delay  seconds before the answer / between deltas (to test abort, timeouts)
Without "stream": true in the request the same reply comes as one chat.completion JSON object.
`models` replaces the model catalog of GET /models (ids; unknown ids get generic metadata).

The cloud "worker" uses the same rules: a steered user message is matched as a `user` message
and answered with `text` (or `error`, as a session.error); tool_calls are not simulated there.

Auxiliary calls. Normal turns make no extra model calls (session titles come from the prompt,
locally). Extra calls come from session.history.compact (tools present but tool_choice "none",
header x-interaction-type: conversation-compaction), session.history.summarizeForHandoff and
session.ui.ephemeralQuery (no tools at all). The stand-in classes a request as "conversation" when
it has `tools` and tool_choice is not "none", else "auxiliary"; rules only see conversation
requests unless they say `"kind": "auxiliary"` or `"any"`. Each recorded chat request carries
`standin: {kind, rule, last_role, tool_name}`.

Endpoints
=========
Every request except /_standin/* is recorded: {seq, time, method, path, query, headers
(lower-cased), body (parsed JSON, else text), status, login, standin?}.

Model side (base URL = COPILOT_DEBUG_GITHUB_API_URL = COPILOT_API_URL):
  GET  /copilot_internal/user       login, copilot_plan, endpoints {api: <this server>, telemetry}
  GET  /copilot_internal/*          {} (managed_settings, team_customizations, ...)
  GET  /models, /models/{id}        the catalog
  POST /chat/completions            scripted (SSE when "stream": true)
  POST /mcp/readonly                404 (the built-in GitHub MCP server then reports "failed")
  *    /agents/.../memory...        {"enabled": false} / {"memories": []}
  POST /telemetry/...               200 {} (no token needed); anything else: 404 + a warning log

Mission Control (base URL = <url>/agents):
  POST /agents/sessions                 201 {id: <request id>, task_id: T}
  GET  /agents/sessions/{sid}           {id, task_id, state, owner_id, repo_id, ...}
  POST /agents/sessions/{sid}/events    200 {}; events kept, de-duplicated by id
  GET  /agents/sessions/{sid}/commands  {"commands": [...]}; POST /_standin/commands queues one
  POST /agents/tasks                    201 {id: T}
  GET  /agents/tasks/{T}/events         {events: [...], total}: the task's feed (see _Task)
  POST /agents/tasks/{T}/rpc            {id: R, state: "pending"}
  GET  /agents/tasks/{T}/rpc/{R}        {id, state: "completed", result}; result of
                                        session.sandbox.getEnforcementStatus is
                                        {required: false, blocked: false}, else {}
  POST /agents/tasks/{T}/steer          200 {}; user_message -> the worker's turn:
                                        user.message, assistant.turn_start,
                                        assistant.message_delta x chunks (ephemeral),
                                        assistant.message, assistant.turn_end, session.idle
                                        (ephemeral); abort -> abort, turn_end, idle {aborted}
  mc_mode=down: every Mission Control call answers 503. mc_mode=policy_blocked: POST /tasks
  answers 403 "...sandbox sessions are not enabled..." and POST /sessions 403 (policy).
  worker_delay: seconds between the placeholder session.start and the worker's start.
  early_steer: "drop" (default): a prompt steered before the worker's start is lost, the race
    real clients must avoid by waiting for the copilot-agent session.start; "hold": it is
    answered once the worker is up (task JSON lists dropped prompts under "dropped").
  task_start_delay: seconds before a new task's feed shows any session.start, so that
    session.create blocks (e.g. to kill the CLI mid-create).

Control (no token): GET /_standin/health; GET /_standin/requests[?path=<prefix>];
POST /_standin/reset (records, rule counters, MC state); GET|POST /_standin/scenario;
GET|POST /_standin/config {mc_mode?, worker_delay?, tokens? ({token: login} or null), login?};
GET /_standin/sessions; GET /_standin/tasks;
POST /_standin/commands {session_id, command} (queue a steering command for a remote session).

Tokens. With no --token any bearer token is accepted (login from --login, default
"standin-user"); a request without one gets 401. With --token T[=LOGIN] (repeatable) only those
tokens are accepted; any other gets 401 on every model and Mission Control endpoint.

Observed CLI 1.0.102 behaviour (against this stand-in; tests/standin/test_standin.py checks most)
===============================================================================================
Start-up and auth
  - connect/ping answered about 2 s after spawn on this machine; session.create ~0.1-0.2 s; a
    streamed text turn ~0.1-0.3 s.
  - Calls: GET /copilot_internal/user, GET /copilot_internal/managed_settings?client_id=github/cli
    (twice; once more with client_id=sdk under --remote), GET /copilot_internal/team_customizations,
    GET /models, POST /mcp/readonly (server/discover, then initialize), POST
    <endpoints.telemetry>/telemetry. A 401 without an X-GitHub-Request-Id header is logged as
    "does not appear to originate from GitHub" (proxy/firewall), so the stand-in always sends one.
  - Model calls go to `endpoints.api` of /copilot_internal/user: the CLI worked with
    COPILOT_API_URL unset, and when /copilot_internal/user failed it called
    https://api.githubcopilot.com/chat/completions although COPILOT_API_URL was set.
  - With this catalog the CLI picks gpt-5-mini (session.model_change {source: "startup"});
    models.list adds "auto" first. When GET /models fails it falls back to claude-sonnet-4.
  - Token shapes: gho_... and github_pat_... authenticate "via GH_TOKEN" (authType env);
    ghp_... is refused by the CLI itself ("Classic PATs are not supported"), no request made;
    any other string is ignored by the token path ("Unsupported token type", an ERROR log line)
    and accepted through the gh-CLI path (authType gh-cli, "<login> (via gh)").
  - Rejected token (401). gho_-shaped: auth.getStatus still says authenticated
    ("server-to-server", login ""), models.list fails with the 401, session.create succeeds, and
    a turn retries against api.githubcopilot.com (assistant.turn_retry reason streaming_error,
    5 retries, ~23 s) and ends in session.error "Failed to get response from the AI model ...";
    session.abort stops it at once. Other shapes: session.create fails -32603 "Authentication
    failed: Failed to fetch GitHub CLI user login (401): GitHub returned: Bad credentials".
Model requests
  - Conversation calls: stream true, stream_options.include_usage, reasoning_effort, tools (the
    built-ins bash, read_bash, stop_bash, list_bash, view, create, edit, web_fetch,
    semantic_code_search, skill, sql, read_agent, list_agents, write_agent, grep, glob, task, plus
    client tools); headers x-initiator user|agent (agent after tool results), x-interaction-type
    conversation-user|conversation-agent, x-client-session-id = sessionId,
    copilot-integration-id copilot-developer-cli. The prompt arrives as
    "<current_datetime>...</current_datetime>\n\n<prompt>" (hence substring matching).
  - Built-in tool arguments: bash {command, description (both required), shellId,
    mode: sync|async, detach, initial_wait}; view {path (absolute, required), view_range,
    forceReadLargeFiles}; create {path, file_text}; edit {path, old_str, new_str};
    grep {pattern, paths, output_mode, glob, ...}; glob {pattern, paths}; web_fetch {url, ...}.
  - Streaming: per content chunk assistant.streaming_delta + assistant.message_delta (the first
    preceded by assistant.message_start); tool call arguments as assistant.tool_call_delta;
    text + tool_calls give one assistant.message with both content and toolRequests.
  - HTTP 500: transient; 5 retries (assistant.turn_retry {reason: api_error} + session.info
    {infoType: model_retry}) with backoff (~15 s in total), then session.error {errorType:
    "query", statusCode: 500, message: "Execution failed: ... retried 5 times ... Last error: 500
    boom"}. With Retry-After: 0 each wait is 1 s (the floor), ~5 s in total. HTTP 400: no retry,
    session.error {statusCode: 400, message: "Execution failed: 400 <message>"} at once.
    HTTP 429: retries (reason rate_limit, ~55 s in total), then session.error {errorType:
    "rate_limit", errorCode: "rate_limited", eligibleForAutoSwitch: true} and
    auto_mode_switch.requested; session.idle waits for that request to be answered.
    Dropped stream: 5 retries 1 s apart (reason streaming_error; each attempt re-streams its
    deltas under a new messageId), then session.error "... error decoding response body ...".
  - Permissions: a client tool asks permission kind custom-tool before external_tool.requested;
    bash asks kind shell (fullCommandText; intention = the description); view of a file outside
    the working directory and outside /tmp asks twice (promptRequest.kind "path" with accessKind
    read, then "read"), inside /tmp once. A reject gives tool.execution_complete {success: false,
    error: {code: "denied", message: "The user rejected this tool call. User feedback: ..."}}.
Remote sessions
  - --remote: POST /agents/sessions {id, agent_task_id} (both the session id) during create;
    session.info {infoType: remote, message: "Remote control connected as <login>", url:
    https://github.com/copilot/tasks/<task_id>} arrives with session.start; events are uploaded
    in batches (first within ~0.5 s, later every few seconds, session.shutdown at the end); one
    GET /agents/sessions/{sid} ~1.5 s after create.
  - session.remote.enable -> {remoteSteerable: true, started: true, url}; it emits session.info
    again (also under --remote) and session.remote_steerable_changed {true}; then
    /commands is polled every ~3 s. --remote plus enable runs two exporters and two pollers: every
    event is uploaded twice (stand-in de-duplicates; remote_sessions()[sid]["uploaded"] counts
    raw). session.remote.disable -> {} and remote_steerable_changed {false}; under --remote one
    poller keeps polling.
  - Git working directory with origin https://github.com/octo/hello and
    COPILOT_MC_REPO_IDS=1001,2002: POST /agents/sessions adds owner_id 1001, repo_id 2002
    (numbers) and the URL is https://github.com/octo/hello/tasks/<task_id>.
  - MC down (503): enable fails -32603 "Failed to set up remote session. Ensure the working
    directory is a GitHub repository and you are authenticated." with session.warning
    {warningType: remote, message: "Remote session disabled: server not accessible."}; a 403 gives
    the same error and the warning "Remote sessions are not enabled. Contact your organization
    administrator to enable remote sessions."
Cloud sessions
  - POST /agents/tasks {"repositories": [{"owner", "name"}]} (branch dropped), header
    x-copilot-agent-slug: copilot-developer-sandbox. session.create returns right after the first
    poll that shows a session.start: 0.01-0.25 s here, with worker_delay too (the placeholder
    satisfies it). Result {sessionId, capabilities, modelState: {}}; lifecycle summary "Remote
    session in the cloud". Polls: two ~50 ms apart around create, then every 1 s.
  - The client got the copilot-agent session.start every time (in the second batch), the
    placeholder (mission-control) in most runs but not all, then session.info {infoType: remote,
    url: https://github.com/octo/hello/tasks/<T>} and session.remote_steerable_changed {true}.
    The CLI re-parents forwarded events (client parentIds differ from the feed's).
  - session.send: an immediate local user.message {content} (no messageId), then POST /rpc
    session.sandbox.getEnforcementStatus and GET /rpc/R at once, then POST /steer {type:
    user_message, content, external_id}; the worker's events come with the next poll, so
    send -> session.idle takes ~1 s. The client sees two user.message events (local echo, then
    the worker's). A send before the worker has started is steered at once (the CLI does not
    wait); the stand-in answers it when its worker starts.
  - session.abort -> POST /steer {type: abort, external_id}; session.destroy makes no MC call;
    session.resume of the destroyed cloud session on the same CLI: -32603 "Session not found".
  - policy (403 "...sandbox sessions are not enabled..."): -32603 "Request session.create failed
    with message: Cloud sandboxes are not enabled. Contact your administrator to enable them.";
    503: -32603 with the Mission Control message. requestPermission (or another request* flag)
    next to cloud: -32601 "Unhandled method session.create".
"""
from __future__ import annotations

import argparse
import copy
import datetime as _dt
import json
import logging
import queue
import re
import signal
import socket
import struct
import sys
import threading
import time
import urllib.parse
import uuid
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, Dict, List, Optional, Tuple

__all__ = ["StandIn", "main"]

LOG = logging.getLogger("copilot_standin")

DEFAULT_LOGIN = "standin-user"
DEFAULT_MODEL = "claude-sonnet-4.5"
MC_MODES = ("ok", "down", "policy_blocked")
CLOUD_POLICY_MESSAGE = (
    "Copilot cloud sandbox sessions are not enabled for this account "
    "(stand-in mc_mode=policy_blocked)"
)
REMOTE_POLICY_MESSAGE = (
    "Remote sessions are disabled by your organization's Copilot policy "
    "(stand-in mc_mode=policy_blocked)"
)
DOWN_MESSAGE = "Mission Control is unavailable (stand-in mc_mode=down)"


# --------------------------------------------------------------------------------------------
# small helpers
# --------------------------------------------------------------------------------------------

def _iso(ts: float) -> str:
    """ISO-8601 UTC timestamp with millisecond precision, e.g. 2025-01-01T00:00:00.123Z."""
    return _iso_ms(int(ts * 1000))


def _iso_ms(ms: int) -> str:
    secs, millis = divmod(int(ms), 1000)
    d = _dt.datetime.fromtimestamp(secs, tz=_dt.timezone.utc)
    return d.strftime("%Y-%m-%dT%H:%M:%S.") + "%03dZ" % millis


def _text_of(content: Any) -> str:
    """Text of an OpenAI message `content`: a string, or a list of parts ({type: text, text})."""
    if content is None:
        return ""
    if isinstance(content, str):
        return content
    if isinstance(content, list):
        out = []
        for part in content:
            if isinstance(part, str):
                out.append(part)
            elif isinstance(part, dict):
                if isinstance(part.get("text"), str):
                    out.append(part["text"])
                elif isinstance(part.get("content"), (str, list)):
                    out.append(_text_of(part["content"]))
        return "\n".join(out)
    if isinstance(content, dict) and isinstance(content.get("text"), str):
        return content["text"]
    return json.dumps(content)


def _split_even(text: str, n: int) -> List[str]:
    """Split `text` into `n` nearly equal, non-empty pieces (fewer if the text is shorter)."""
    n = max(1, int(n))
    if not text:
        return [""]
    n = min(n, len(text))
    size, extra = divmod(len(text), n)
    pieces, pos = [], 0
    for i in range(n):
        step = size + (1 if i < extra else 0)
        pieces.append(text[pos:pos + step])
        pos += step
    return pieces


def _approx_tokens(obj: Any) -> int:
    try:
        s = obj if isinstance(obj, str) else json.dumps(obj)
    except (TypeError, ValueError):
        s = str(obj)
    return max(1, len(s) // 4)


class Scenario:
    """A parsed scenario: ordered rules plus a default reply (see the module docstring)."""

    def __init__(self, data: Optional[Dict[str, Any]] = None):
        data = data or {}
        if not isinstance(data, dict):
            raise ValueError("scenario must be a JSON object")
        rules = data.get("rules", [])
        if not isinstance(rules, list):
            raise ValueError("scenario.rules must be a list")
        for i, rule in enumerate(rules):
            if not isinstance(rule, dict) or not isinstance(rule.get("reply", {}), dict):
                raise ValueError(f"scenario rule {i} must be an object with an object 'reply'")
            when = rule.get("when", {})
            if not isinstance(when, dict):
                raise ValueError(f"scenario rule {i}: 'when' must be an object")
            if "user_regex" in when:
                re.compile(when["user_regex"])
        self.raw = data
        self.rules: List[Dict[str, Any]] = rules
        self.default: Dict[str, Any] = data.get("default") or {"text": "OK"}
        self.auxiliary_default: Dict[str, Any] = (
            data.get("auxiliary_default") or {"text": "Summary of the conversation (stand-in)."})
        models = data.get("models")
        if models is not None and (not isinstance(models, list) or not models
                                   or not all(isinstance(m, str) for m in models)):
            raise ValueError("scenario.models must be a non-empty list of model ids")
        self.models: Optional[List[str]] = models


# --------------------------------------------------------------------------------------------
# request analysis for /chat/completions
# --------------------------------------------------------------------------------------------

def analyse_chat_request(body: Dict[str, Any]) -> Dict[str, Any]:
    """Describe the last message of a chat request: role, text, tool name; and the request kind."""
    messages = body.get("messages") or []
    info: Dict[str, Any] = {"role": None, "text": "", "tool_name": None, "kind": "conversation"}
    if messages:
        last = messages[-1]
        info["role"] = last.get("role")
        info["text"] = _text_of(last.get("content"))
        if last.get("role") == "tool":
            call_id = last.get("tool_call_id")
            for msg in reversed(messages[:-1]):
                if msg.get("role") != "assistant":
                    continue
                for call in msg.get("tool_calls") or []:
                    if call.get("id") == call_id:
                        info["tool_name"] = (call.get("function") or {}).get("name")
                        break
                if info["tool_name"]:
                    break
    # The agent loop always sends its tool list; compaction sends it too but with
    # tool_choice "none"; summaries / ephemeral queries send no tools at all.
    if body.get("tools") and body.get("tool_choice") != "none":
        info["kind"] = "conversation"
    else:
        info["kind"] = "auxiliary"
    return info


def rule_matches(when: Dict[str, Any], info: Dict[str, Any]) -> bool:
    kind = when.get("kind", "conversation")
    if kind != "any" and kind != info["kind"]:
        return False
    if "user" in when or "user_regex" in when:
        if info["role"] != "user":
            return False
        if "user" in when and str(when["user"]) not in info["text"]:
            return False
        if "user_regex" in when and not re.search(when["user_regex"], info["text"]):
            return False
    if "tool_result" in when or "tool_name" in when:
        if info["role"] != "tool":
            return False
        if "tool_result" in when and str(when["tool_result"]) not in info["text"]:
            return False
        if "tool_name" in when and when["tool_name"] != info["tool_name"]:
            return False
    return True


# --------------------------------------------------------------------------------------------
# shared state
# --------------------------------------------------------------------------------------------

class _State:
    def __init__(self, scenario: Scenario, tokens: Optional[Dict[str, str]], mc_mode: str,
                 worker_delay: float, login: str):
        self.lock = threading.RLock()
        self.scenario = scenario
        self.rule_counts: Dict[int, int] = {}
        self.tokens = tokens  # None = accept any token
        self.mc_mode = mc_mode
        self.worker_delay = float(worker_delay)
        # What happens to a prompt steered before the worker has started: "drop" (default, the
        # race production clients must avoid) or "hold" (answered once the worker is up).
        self.early_steer = "drop"
        # Seconds before a new task's feed shows any session.start (session.create blocks).
        self.task_start_delay = 0.0
        self.login = login
        self.records: List[Dict[str, Any]] = []
        self.seq = 0
        self.remote_sessions: Dict[str, Dict[str, Any]] = {}
        self.tasks: Dict[str, "_Task"] = {}
        self.rpcs: Dict[str, Dict[str, Any]] = {}
        self.url = ""

    # --- scenario ---------------------------------------------------------------------------
    def choose_reply(self, info: Dict[str, Any]) -> Tuple[Dict[str, Any], Any]:
        """Pick the reply for a request description; returns (reply, rule index | 'default')."""
        with self.lock:
            for i, rule in enumerate(self.scenario.rules):
                times = rule.get("times")
                if times is not None and self.rule_counts.get(i, 0) >= int(times):
                    continue
                if rule_matches(rule.get("when") or {}, info):
                    self.rule_counts[i] = self.rule_counts.get(i, 0) + 1
                    return rule.get("reply") or {}, i
            if info["kind"] == "auxiliary":
                return self.scenario.auxiliary_default, "auxiliary_default"
            return self.scenario.default, "default"

    def reset(self) -> None:
        with self.lock:
            self.records.clear()
            self.rule_counts.clear()
            self.remote_sessions.clear()
            for task in self.tasks.values():
                task.stop()
            self.tasks.clear()
            self.rpcs.clear()

    # --- auth --------------------------------------------------------------------------------
    def login_for(self, token: Optional[str]) -> Optional[str]:
        """Login for a bearer token, or None if the token is rejected."""
        with self.lock:
            if self.tokens is None:
                return self.login if token else None
            if token in self.tokens:
                return self.tokens[token] or self.login
            return None

    def record(self, entry: Dict[str, Any]) -> Dict[str, Any]:
        with self.lock:
            self.seq += 1
            entry["seq"] = self.seq
            self.records.append(entry)
            return entry


# --------------------------------------------------------------------------------------------
# cloud task event feed
# --------------------------------------------------------------------------------------------

class _Task:
    """A Mission Control cloud task: its event feed and a scripted "worker" that answers steers.

    The feed is advanced by the CLI's polls: the first poll adds a placeholder `session.start`
    (producer mission-control); the first poll at least `worker_delay` seconds later adds the
    worker's `session.start` (producer copilot-agent, same sessionId), `session.info` (remote URL)
    and `session.remote_steerable_changed`. Steered user messages are answered one at a time by a
    worker thread once the worker has started; an `abort` steer interrupts a running turn.
    """

    def __init__(self, state: _State, task_id: str, body: Dict[str, Any]):
        self.state = state
        self.id = task_id
        self.body = body
        self.created = time.time()
        repos = body.get("repositories") or []
        self.repo = repos[0] if repos and isinstance(repos[0], dict) else None
        self.session_id = str(uuid.uuid4())
        self.events: List[Dict[str, Any]] = []
        self.last_ms = 0
        self.placeholder_at: Optional[float] = None
        self.worker_started = False
        self.polls = 0
        self.steers: List[Dict[str, Any]] = []
        self.dropped: List[Dict[str, Any]] = []
        self.turn = 0
        self._inbox: "queue.Queue[Optional[Dict[str, Any]]]" = queue.Queue()
        self._abort = threading.Event()
        self._busy = False
        self._thread: Optional[threading.Thread] = None

    @property
    def url(self) -> str:
        if self.repo and self.repo.get("owner") and self.repo.get("name"):
            return f"https://github.com/{self.repo['owner']}/{self.repo['name']}/tasks/{self.id}"
        return f"https://github.com/copilot/tasks/{self.id}"

    def _emit(self, etype: str, data: Dict[str, Any], ephemeral: bool = False) -> Dict[str, Any]:
        with self.state.lock:
            # whole milliseconds, so that the ISO strings are strictly increasing too
            ms = max(int(time.time() * 1000), self.last_ms + 1)
            self.last_ms = ms
            ev: Dict[str, Any] = {"type": etype, "data": data}
            if ephemeral:
                ev["ephemeral"] = True
            ev["id"] = str(uuid.uuid4())
            ev["timestamp"] = _iso_ms(ms)
            ev["parentId"] = self.events[-1]["id"] if self.events else None
            self.events.append(ev)
            return ev

    def _start_data(self, producer: str) -> Dict[str, Any]:
        data: Dict[str, Any] = {
            "sessionId": self.session_id,
            "version": 1,
            "producer": producer,
            "copilotVersion": "1.0.102",
            "startTime": _iso(self.created),
        }
        if self.repo:
            data["context"] = {
                "repository": f"{self.repo.get('owner')}/{self.repo.get('name')}",
                "branch": self.repo.get("branch") or "main",
            }
        return data

    def poll(self) -> List[Dict[str, Any]]:
        """Advance the feed for one GET .../events and return every event so far."""
        with self.state.lock:
            self.polls += 1
            now = time.time()
            if self.placeholder_at is None and now - self.created < self.state.task_start_delay:
                pass
            elif self.placeholder_at is None:
                self.placeholder_at = now
                self._emit("session.start", self._start_data("mission-control"))
            elif not self.worker_started and now - self.placeholder_at >= self.state.worker_delay:
                self.worker_started = True
                self._emit("session.start", self._start_data("copilot-agent"))
                self._emit("session.info", {
                    "infoType": "remote",
                    "message": f"Remote session started as {self.state.login}",
                    "url": self.url,
                })
                self._emit("session.remote_steerable_changed", {"remoteSteerable": True})
                self._thread = threading.Thread(target=self._work, daemon=True,
                                                name=f"standin-worker-{self.id[:8]}")
                self._thread.start()
            return copy.deepcopy(self.events)

    def steer(self, body: Dict[str, Any]) -> None:
        """POST .../steer: a user message is queued for the worker; abort stops the running turn."""
        with self.state.lock:
            self.steers.append(copy.deepcopy(body))
            kind = body.get("type", "user_message")
            if kind == "user_message" and not self.worker_started and self.state.early_steer == "drop":
                self.dropped.append(copy.deepcopy(body))
                LOG.info("cloud task %s: prompt steered before the worker started: dropped", self.id)
            elif kind == "user_message":
                self._inbox.put(body)
            elif kind == "abort":
                if self._busy:
                    self._abort.set()
            else:
                LOG.info("cloud task %s: steer type %r recorded, not acted on", self.id, kind)

    def stop(self) -> None:
        self._abort.set()
        self._inbox.put(None)

    def _work(self) -> None:
        while True:
            body = self._inbox.get()
            if body is None:
                return
            with self.state.lock:
                self._busy = True
                self._abort.clear()
            try:
                self._run_turn(body)
            except Exception:  # never let the worker thread die silently
                LOG.exception("cloud worker failed")
            finally:
                with self.state.lock:
                    self._busy = False

    def _run_turn(self, body: Dict[str, Any]) -> None:
        """The worker's scripted turn for one steered user message."""
        text = _text_of(body.get("content"))
        info = {"role": "user", "text": text, "tool_name": None, "kind": "conversation"}
        reply, _ = self.state.choose_reply(info)
        turn_id = str(self.turn)
        self.turn += 1
        interaction = str(uuid.uuid4())
        self._emit("user.message", {
            "content": text,
            "messageId": body.get("external_id") or str(uuid.uuid4()),
            "interactionId": interaction,
        })
        self._emit("assistant.turn_start", {"turnId": turn_id, "interactionId": interaction})

        def aborted() -> bool:
            if not self._abort.is_set():
                return False
            self._emit("abort", {"reason": "user_initiated"})
            self._emit("assistant.turn_end", {"turnId": turn_id})
            self._emit("session.idle", {"mode": "interactive", "aborted": True}, ephemeral=True)
            return True

        delay = float(reply.get("delay", 0) or 0)
        if delay > 0:
            self._abort.wait(delay)
        if aborted():
            return
        if "error" in reply:
            err = reply.get("error") or {}
            status = int(err.get("status", 500))
            self._emit("assistant.turn_end", {"turnId": turn_id})
            self._emit("session.error", {
                "errorType": "query",
                "message": f"Execution failed: {status} {err.get('message', 'error')}",
                "statusCode": status,
            })
            self._emit("session.idle", {"mode": "interactive"}, ephemeral=True)
            return
        answer = str(reply.get("text", ""))
        message_id = str(uuid.uuid4())
        chunk_delay = float(reply.get("chunk_delay", 0) or 0)
        for piece in _split_even(answer, int(reply.get("chunks", 3))):
            self._emit("assistant.message_delta",
                       {"messageId": message_id, "deltaContent": piece}, ephemeral=True)
            if chunk_delay > 0:
                self._abort.wait(chunk_delay)
            if aborted():
                return
        self._emit("assistant.message", {
            "messageId": message_id,
            "content": answer,
            "toolRequests": [],
            "interactionId": interaction,
        })
        self._emit("assistant.turn_end", {"turnId": turn_id})
        self._emit("session.idle", {"mode": "interactive"}, ephemeral=True)

    def snapshot(self) -> Dict[str, Any]:
        with self.state.lock:
            return {
                "id": self.id, "session_id": self.session_id, "url": self.url,
                "request": copy.deepcopy(self.body), "polls": self.polls,
                "worker_started": self.worker_started,
                "steers": copy.deepcopy(self.steers), "dropped": copy.deepcopy(self.dropped), "events": copy.deepcopy(self.events),
            }


# --------------------------------------------------------------------------------------------
# HTTP handler
# --------------------------------------------------------------------------------------------

class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server_version = "copilot-standin/1"
    state: _State  # set on the subclass made per server

    def end_headers(self) -> None:
        # GitHub marks its answers with a request id; the CLI treats a 401 without one as coming
        # from "a proxy or firewall" rather than from GitHub.
        self.send_header("X-GitHub-Request-Id", uuid.uuid4().hex[:20].upper())
        super().end_headers()

    # --- plumbing ----------------------------------------------------------------------------
    def log_message(self, fmt: str, *args: Any) -> None:  # route http.server logs to logging
        LOG.debug("%s %s", self.address_string(), fmt % args)

    def _read_body(self) -> bytes:
        if "chunked" in (self.headers.get("Transfer-Encoding") or "").lower():
            data = b""
            while True:
                line = self.rfile.readline()
                size = int(line.split(b";")[0].strip() or b"0", 16)
                if size == 0:
                    while self.rfile.readline() not in (b"\r\n", b"\n", b""):
                        pass
                    return data
                data += self.rfile.read(size)
                self.rfile.readline()
        length = int(self.headers.get("Content-Length") or 0)
        return self.rfile.read(length) if length > 0 else b""

    def _send_json(self, status: int, obj: Any, headers: Optional[Dict[str, str]] = None) -> None:
        payload = json.dumps(obj).encode("utf-8")
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(payload)))
        for k, v in (headers or {}).items():
            self.send_header(k, v)
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(payload)
        self._note(status=status)

    def _note(self, **fields: Any) -> None:
        """Update this request's record (under the lock: other threads may be copying it)."""
        with self.state.lock:
            self._entry.update(fields)

    def _send_error_json(self, status: int, message: str, code: Optional[str] = None) -> None:
        body: Dict[str, Any] = {"message": message}
        if code:
            body["code"] = code
        self._send_json(status, body)

    def _bearer(self) -> Optional[str]:
        auth = self.headers.get("Authorization") or ""
        parts = auth.split(None, 1)
        if len(parts) == 2 and parts[0].lower() in ("bearer", "token"):
            return parts[1].strip()
        return None

    # --- dispatch ----------------------------------------------------------------------------
    def do_GET(self) -> None:
        self._dispatch()

    def do_POST(self) -> None:
        self._dispatch()

    def do_PUT(self) -> None:
        self._dispatch()

    def do_PATCH(self) -> None:
        self._dispatch()

    def do_DELETE(self) -> None:
        self._dispatch()

    def do_HEAD(self) -> None:
        self._dispatch()

    def _dispatch(self) -> None:
        parsed = urllib.parse.urlsplit(self.path)
        path = parsed.path.rstrip("/") or "/"
        query = urllib.parse.parse_qs(parsed.query)
        raw = self._read_body()
        body: Any = None
        if raw:
            try:
                body = json.loads(raw.decode("utf-8"))
            except (UnicodeDecodeError, ValueError):
                body = raw.decode("utf-8", "replace")
        self._entry: Dict[str, Any] = {
            "time": time.time(), "method": self.command, "path": path,
            "query": parsed.query, "headers": {k.lower(): v for k, v in self.headers.items()},
            "body": body, "status": None, "login": None,
        }
        st = self.state
        if path.startswith("/_standin"):
            try:
                self._control(path, query, body)
            except Exception as exc:  # keep the control plane alive on bad input
                self._send_json(400, {"error": str(exc)})
            return
        st.record(self._entry)
        try:
            self._route(path, query, body)
        except (BrokenPipeError, ConnectionResetError):
            LOG.info("client closed the connection during %s %s", self.command, path)
        except Exception:
            LOG.exception("error while answering %s %s", self.command, path)
            try:
                self._send_json(500, {"error": {"message": "stand-in internal error"}})
            except OSError:
                pass
        finally:
            LOG.info("%s %s -> %s", self.command, self.path, self._entry.get("status"))

    # --- control plane -------------------------------------------------------------------------
    def _control(self, path: str, query: Dict[str, List[str]], body: Any) -> None:
        st = self.state
        if path == "/_standin/health":
            self._send_json(200, {"ok": True, "url": st.url, "mc_mode": st.mc_mode})
        elif path == "/_standin/requests":
            prefix = (query.get("path") or [""])[0]
            with st.lock:
                recs = [copy.deepcopy(r) for r in st.records if r["path"].startswith(prefix)]
            self._send_json(200, recs)
        elif path == "/_standin/reset" and self.command == "POST":
            st.reset()
            self._send_json(200, {"ok": True})
        elif path == "/_standin/scenario" and self.command == "POST":
            sc = Scenario(body if isinstance(body, dict) else {})
            with st.lock:
                st.scenario = sc
                st.rule_counts.clear()
            self._send_json(200, {"ok": True, "rules": len(sc.rules)})
        elif path == "/_standin/scenario":
            self._send_json(200, st.scenario.raw)
        elif path == "/_standin/config" and self.command == "POST":
            _apply_config(st, body if isinstance(body, dict) else {})
            self._send_json(200, _config_of(st))
        elif path == "/_standin/config":
            self._send_json(200, _config_of(st))
        elif path == "/_standin/sessions":
            self._send_json(200, _remote_sessions_snapshot(st))
        elif path == "/_standin/tasks":
            with st.lock:
                tasks = [t.snapshot() for t in st.tasks.values()]
            self._send_json(200, tasks)
        elif path == "/_standin/commands" and self.command == "POST":
            # queue a steering command for a remote session: {"session_id": sid, "command": {...}}
            sid = (body or {}).get("session_id")
            with st.lock:
                sess = st.remote_sessions.get(sid)
                if sess is None:
                    self._send_json(404, {"error": f"unknown remote session {sid}"})
                    return
                sess["pending_commands"].append((body or {}).get("command") or {})
            self._send_json(200, {"ok": True})
        else:
            self._send_json(404, {"error": f"unknown control endpoint {self.command} {path}"})

    # --- GitHub / Copilot API ------------------------------------------------------------------
    def _route(self, path: str, query: Dict[str, List[str]], body: Any) -> None:
        st = self.state
        if path.startswith("/telemetry"):  # telemetry sink (the user's endpoints.telemetry)
            self._send_json(200, {})
            return
        token = self._bearer()
        login = st.login_for(token)
        self._note(login=login)
        if login is None:
            self._send_json(401, {"message": "Bad credentials",
                                  "documentation_url": "https://docs.github.com/rest"})
            return
        is_memory = "/memory" in path
        if path.startswith("/agents") and not is_memory:
            self._mission_control(path[len("/agents"):] or "/", body)
            return
        if is_memory:
            if self.command == "GET" and not path.endswith("/memories"):
                self._send_json(200, {"enabled": False})
            else:
                self._send_json(200, {"memories": []})
            return
        if path == "/copilot_internal/user":
            self._send_json(200, {
                "login": login,
                "copilot_plan": "individual_pro",
                "access_type_sku": "plus_monthly_subscriber_quota",
                "chat_enabled": True,
                "is_mcp_enabled": True,
                "analytics_tracking_id": "standin",
                "assigned_date": "2024-01-01T00:00:00Z",
                "endpoints": {
                    "api": st.url,
                    "origin-tracker": st.url,
                    "proxy": st.url,
                    "telemetry": st.url + "/telemetry",
                },
            })
        elif path == "/user":
            self._send_json(200, {"login": login, "id": 1, "type": "User", "name": login})
        elif path.startswith("/copilot_internal/"):
            self._send_json(200, {})
        elif path in ("/models", "/v1/models"):
            self._send_json(200, {"data": _model_catalog(st.scenario.models), "object": "list"})
        elif path.startswith("/models/"):
            mid = path[len("/models/"):]
            for m in _model_catalog(st.scenario.models):
                if m["id"] == mid:
                    self._send_json(200, m)
                    return
            self._send_json(404, {"error": {"message": f"model {mid} not found"}})
        elif path in ("/chat/completions", "/v1/chat/completions") and self.command == "POST":
            self._chat(body if isinstance(body, dict) else {})
        elif path.startswith("/mcp"):
            self._send_json(404, {"message": "Not Found"})
        else:
            LOG.warning("unhandled %s %s (answered 404)", self.command, self.path)
            self._send_json(404, {"message": "Not Found (copilot stand-in)"})

    # --- /chat/completions -------------------------------------------------------------------
    def _chat(self, body: Dict[str, Any]) -> None:
        st = self.state
        info = analyse_chat_request(body)
        reply, rule = st.choose_reply(info)
        self._note(standin={"kind": info["kind"], "rule": rule, "last_role": info["role"],
                            "tool_name": info["tool_name"]})
        delay = float(reply.get("delay", 0) or 0)
        if delay > 0:
            time.sleep(delay)
        model = body.get("model") or DEFAULT_MODEL
        if "error" in reply:
            err = reply.get("error") or {}
            status = int(err.get("status", 500))
            message = str(err.get("message", "stand-in error"))
            etype = "server_error" if status >= 500 else "invalid_request_error"
            headers = {str(k): str(v) for k, v in (err.get("headers") or {}).items()}
            if "retry_after" in err:
                headers["Retry-After"] = str(err["retry_after"])
            self._send_json(status, {"error": {"message": message, "type": etype,
                                               "code": err.get("code", etype), "param": None}},
                            headers)
            return
        text = reply.get("text")
        calls = reply.get("tool_calls") or []
        tool_calls = []
        for n, call in enumerate(calls, start=1):
            args = call.get("arguments", {})
            tool_calls.append({
                "id": call.get("id") or f"call_{n}",
                "type": "function",
                "function": {"name": call["name"],
                             "arguments": args if isinstance(args, str) else json.dumps(args)},
            })
        finish = "tool_calls" if tool_calls else "stop"
        completion_id = "chatcmpl-" + uuid.uuid4().hex[:24]
        created = int(time.time())
        usage = {
            "prompt_tokens": _approx_tokens(body.get("messages")),
            "completion_tokens": _approx_tokens((text or "") + json.dumps(tool_calls)),
        }
        usage["total_tokens"] = usage["prompt_tokens"] + usage["completion_tokens"]
        if not body.get("stream"):
            message: Dict[str, Any] = {"role": "assistant", "content": text}
            if tool_calls:
                message["tool_calls"] = tool_calls
            self._send_json(200, {
                "id": completion_id, "object": "chat.completion", "created": created,
                "model": model,
                "choices": [{"index": 0, "message": message, "finish_reason": finish}],
                "usage": usage,
            })
            return
        self._stream_chat(completion_id, created, model, text, tool_calls, finish, usage, reply)

    def _stream_chat(self, cid: str, created: int, model: str, text: Optional[str],
                     tool_calls: List[Dict[str, Any]], finish: str, usage: Dict[str, int],
                     reply: Dict[str, Any]) -> None:
        self.send_response(200)
        self.send_header("Content-Type", "text/event-stream")
        self.send_header("Cache-Control", "no-cache")
        self.send_header("Transfer-Encoding", "chunked")
        self.end_headers()
        self._note(status=200)
        chunk_delay = float(reply.get("chunk_delay", 0) or 0)

        def chunk(delta: Dict[str, Any], finish_reason: Optional[str] = None,
                  with_usage: bool = False) -> Dict[str, Any]:
            c: Dict[str, Any] = {
                "id": cid, "object": "chat.completion.chunk", "created": created, "model": model,
                "choices": [{"index": 0, "delta": delta, "finish_reason": finish_reason}],
            }
            if with_usage:
                c["usage"] = usage
            return c

        frames: List[Dict[str, Any]] = []
        if text:
            pieces = _split_even(str(text), int(reply.get("chunks", 3)))
            frames.append(chunk({"role": "assistant", "content": pieces[0]}))
            frames.extend(chunk({"content": p}) for p in pieces[1:])
        for i, call in enumerate(tool_calls):
            delta: Dict[str, Any] = {"tool_calls": [dict(call, index=i)]}
            if not frames:
                delta["role"] = "assistant"
            frames.append(chunk(delta))
        if not frames:
            frames.append(chunk({"role": "assistant", "content": ""}))
        if reply.get("close_mid_stream"):
            keep = max(1, len(frames) // 2) if len(frames) > 1 else 1
            for f in frames[:keep]:
                self._write_sse(json.dumps(f))
                if chunk_delay:
                    time.sleep(chunk_delay)
            with self.state.lock:
                self._entry["standin"] = dict(self._entry["standin"], closed_mid_stream=True)
            self._abort_connection()
            return
        frames.append(chunk({}, finish, with_usage=True))
        for f in frames:
            self._write_sse(json.dumps(f))
            if chunk_delay:
                time.sleep(chunk_delay)
        self._write_sse("[DONE]")
        self.wfile.write(b"0\r\n\r\n")
        self.wfile.flush()

    def _write_sse(self, data: str) -> None:
        payload = f"data: {data}\n\n".encode("utf-8")
        self.wfile.write(b"%x\r\n%s\r\n" % (len(payload), payload))
        self.wfile.flush()

    def _abort_connection(self) -> None:
        """Drop the TCP connection abruptly (RST), in the middle of a chunked body."""
        try:
            self.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        except OSError:
            pass
        self.close_connection = True
        try:
            self.connection.shutdown(socket.SHUT_RDWR)
        except OSError:
            pass

    # --- Mission Control -----------------------------------------------------------------------
    def _mission_control(self, sub: str, body: Any) -> None:
        st = self.state
        if st.mc_mode == "down":
            self._send_error_json(503, DOWN_MESSAGE)
            return
        body = body if isinstance(body, dict) else {}
        parts = [p for p in sub.split("/") if p]
        method = self.command
        # ---- remote sessions ----
        if parts[:1] == ["sessions"]:
            if len(parts) == 1 and method == "POST":
                if st.mc_mode == "policy_blocked":
                    self._send_error_json(403, REMOTE_POLICY_MESSAGE, "policy_blocked")
                    return
                sid = str(body.get("id") or uuid.uuid4())
                with st.lock:
                    sess = st.remote_sessions.get(sid)
                    if sess is None:  # a repeated POST for the same id keeps its task and events
                        sess = st.remote_sessions[sid] = {
                            "id": sid, "task_id": str(uuid.uuid4()), "request": body,
                            "created": time.time(), "events": [], "event_ids": set(),
                            "batches": 0, "uploaded": 0, "pending_commands": [],
                        }
                    task_id = sess["task_id"]
                self._send_json(201, {"id": sid, "task_id": task_id})
                return
            if len(parts) >= 2:
                sid = parts[1]
                with st.lock:
                    sess = st.remote_sessions.get(sid)
                if sess is None:
                    self._send_error_json(404, f"session {sid} not found")
                    return
                if len(parts) == 2 and method == "GET":
                    self._send_json(200, _remote_session_view(sess, st.login))
                    return
                if len(parts) == 3 and parts[2] == "events" and method == "POST":
                    with st.lock:
                        sess["batches"] += 1
                        for ev in body.get("events") or []:
                            sess["uploaded"] += 1
                            eid = ev.get("id") if isinstance(ev, dict) else None
                            if eid is None or eid not in sess["event_ids"]:
                                sess["event_ids"].add(eid)
                                sess["events"].append(ev)
                    self._send_json(200, {})
                    return
                if len(parts) == 3 and parts[2] == "events" and method == "GET":
                    with st.lock:
                        self._send_json(200, {"events": copy.deepcopy(sess["events"])})
                    return
                if len(parts) == 3 and parts[2] == "commands" and method == "GET":
                    with st.lock:
                        cmds, sess["pending_commands"] = sess["pending_commands"], []
                    self._send_json(200, {"commands": cmds})
                    return
                if method in ("PATCH", "PUT", "POST"):
                    self._send_json(200, {})
                    return
        # ---- cloud tasks ----
        if parts[:1] == ["tasks"]:
            if len(parts) == 1 and method == "POST":
                if st.mc_mode == "policy_blocked":
                    self._send_error_json(403, CLOUD_POLICY_MESSAGE, "policy_blocked")
                    return
                task_id = str(uuid.uuid4())
                task = _Task(st, task_id, body)
                with st.lock:
                    st.tasks[task_id] = task
                self._send_json(201, {"id": task_id, "state": "queued",
                                      "created_at": _iso(task.created)})
                return
            if len(parts) >= 2:
                with st.lock:
                    task = st.tasks.get(parts[1])
                if task is None:
                    self._send_error_json(404, f"task {parts[1]} not found")
                    return
                if len(parts) == 2 and method == "GET":
                    self._send_json(200, {"id": task.id, "state": "in_progress",
                                          "session_id": task.session_id, "url": task.url})
                    return
                if len(parts) == 3 and parts[2] == "events" and method == "GET":
                    events = task.poll()
                    self._send_json(200, {"events": events, "total": len(events)})
                    return
                if len(parts) == 3 and parts[2] == "rpc" and method == "POST":
                    rid = str(uuid.uuid4())
                    rpc = {"id": rid, "task": task.id, "rpc_method": body.get("rpc_method"),
                           "params": body.get("params"), "created": time.time()}
                    with st.lock:
                        st.rpcs[rid] = rpc
                    self._send_json(200, {"id": rid, "state": "pending"})
                    return
                if len(parts) == 4 and parts[2] == "rpc" and method == "GET":
                    with st.lock:
                        rpc = st.rpcs.get(parts[3])
                    if rpc is None:
                        self._send_error_json(404, f"rpc {parts[3]} not found")
                        return
                    self._send_json(200, {"id": rpc["id"], "state": "completed",
                                          "result": _cloud_rpc_result(rpc["rpc_method"])})
                    return
                if len(parts) == 3 and parts[2] == "steer" and method == "POST":
                    task.steer(body)
                    self._send_json(200, {})
                    return
        LOG.warning("unhandled Mission Control call %s %s (answered 404)", method, sub)
        self._send_error_json(404, f"Not Found (copilot stand-in Mission Control): {method} {sub}")


def _remote_sessions_snapshot(st: _State) -> Dict[str, Dict[str, Any]]:
    with st.lock:
        return {sid: {k: copy.deepcopy(v) for k, v in sess.items() if k != "event_ids"}
                for sid, sess in st.remote_sessions.items()}


def _cloud_rpc_result(method: Optional[str]) -> Any:
    if method == "session.sandbox.getEnforcementStatus":
        return {"required": False, "blocked": False}
    return {}


def _remote_session_view(sess: Dict[str, Any], login: str) -> Dict[str, Any]:
    return {
        "id": sess["id"], "task_id": sess["task_id"], "state": "in_progress",
        "agent_task_id": sess["request"].get("agent_task_id"),
        "owner_id": sess["request"].get("owner_id"), "repo_id": sess["request"].get("repo_id"),
        "created_at": _iso(sess["created"]), "user": {"login": login},
        "event_count": len(sess["events"]),
    }


def _model_catalog(ids: Optional[List[str]] = None) -> List[Dict[str, Any]]:
    def model(mid: str, name: str, vendor: str, family: str) -> Dict[str, Any]:
        return {
            "id": mid, "name": name, "object": "model", "vendor": vendor, "version": mid,
            "preview": False, "model_picker_enabled": True, "is_chat_default": mid == DEFAULT_MODEL,
            "policy": {"state": "enabled", "terms": ""},
            "capabilities": {
                "type": "chat", "family": family, "tokenizer": "o200k_base",
                "object": "model_capabilities",
                "supports": {"streaming": True, "tool_calls": True, "parallel_tool_calls": True,
                             "vision": True, "structured_outputs": True},
                "limits": {"max_context_window_tokens": 128000, "max_prompt_tokens": 112000,
                           "max_output_tokens": 16000},
            },
            "billing": {"is_premium": False, "multiplier": 0},
        }
    known = {
        "claude-sonnet-4.5": ("Claude Sonnet 4.5", "Anthropic"),
        "claude-sonnet-4": ("Claude Sonnet 4", "Anthropic"),
        "gpt-4.1": ("GPT-4.1", "Azure OpenAI"),
        "gpt-5-mini": ("GPT-5 mini", "Azure OpenAI"),
    }
    out = []
    for mid in ids or list(known):
        name, vendor = known.get(mid, (mid, "Stand-in"))
        out.append(model(mid, name, vendor, mid))
    return out


def _config_of(st: _State) -> Dict[str, Any]:
    with st.lock:
        return {"mc_mode": st.mc_mode, "worker_delay": st.worker_delay,
                "early_steer": st.early_steer, "task_start_delay": st.task_start_delay,
                "tokens": None if st.tokens is None else dict(st.tokens), "login": st.login}


def _apply_config(st: _State, cfg: Dict[str, Any]) -> None:
    with st.lock:
        if "mc_mode" in cfg:
            if cfg["mc_mode"] not in MC_MODES:
                raise ValueError(f"mc_mode must be one of {MC_MODES}")
            st.mc_mode = cfg["mc_mode"]
        if "worker_delay" in cfg:
            st.worker_delay = float(cfg["worker_delay"])
        if "early_steer" in cfg:
            if cfg["early_steer"] not in ("drop", "hold"):
                raise ValueError("early_steer must be 'drop' or 'hold'")
            st.early_steer = cfg["early_steer"]
        if "task_start_delay" in cfg:
            st.task_start_delay = float(cfg["task_start_delay"])
        if "tokens" in cfg:
            toks = cfg["tokens"]
            st.tokens = None if toks is None else {str(k): (v or st.login) for k, v in toks.items()}
        if "login" in cfg:
            st.login = str(cfg["login"])


def _parse_tokens(specs: List[str], login: str) -> Optional[Dict[str, str]]:
    if not specs:
        return None
    out: Dict[str, str] = {}
    for spec in specs:
        tok, _, who = spec.partition("=")
        out[tok] = who or login
    return out


# --------------------------------------------------------------------------------------------
# public API
# --------------------------------------------------------------------------------------------

class StandIn:
    """The stand-in as an object for Python tests.

    >>> with StandIn(scenario={"default": {"text": "hi"}}) as s:
    ...     env = {"COPILOT_API_URL": s.url, "COPILOT_MC_BASE_URL": s.url + "/agents"}
    """

    def __init__(self, host: str = "127.0.0.1", port: int = 0,
                 scenario: Optional[Dict[str, Any]] = None,
                 tokens: Optional[Dict[str, str]] = None, mc_mode: str = "ok",
                 worker_delay: float = 0.0, login: str = DEFAULT_LOGIN):
        if mc_mode not in MC_MODES:
            raise ValueError(f"mc_mode must be one of {MC_MODES}")
        self._state = _State(Scenario(scenario), tokens, mc_mode, worker_delay, login)
        handler = type("StandInHandler", (_Handler,), {"state": self._state})
        self._server = ThreadingHTTPServer((host, port), handler)
        self._server.daemon_threads = True
        h, p = self._server.server_address[:2]
        self.url = f"http://{h}:{p}"
        self._state.url = self.url
        self._thread: Optional[threading.Thread] = None

    # lifecycle
    def start(self) -> "StandIn":
        if self._thread is None:
            self._thread = threading.Thread(target=self._server.serve_forever, args=(0.1,),
                                            name="copilot-standin", daemon=True)
            self._thread.start()
        return self

    def stop(self) -> None:
        with self._state.lock:
            for task in self._state.tasks.values():
                task.stop()
        if self._thread is not None:
            self._server.shutdown()
            self._thread.join(5)
            self._thread = None
        self._server.server_close()

    def __enter__(self) -> "StandIn":
        return self.start()

    def __exit__(self, *exc: Any) -> None:
        self.stop()

    # inspection
    @property
    def login(self) -> str:
        """Login reported for accepted tokens that have no login of their own."""
        return self._state.login

    @property
    def mc_url(self) -> str:
        return self.url + "/agents"

    def requests(self, path: Optional[str] = None) -> List[Dict[str, Any]]:
        """Recorded requests in arrival order, optionally those whose path starts with `path`."""
        with self._state.lock:
            return [copy.deepcopy(r) for r in self._state.records
                    if path is None or r["path"].startswith(path)]

    def chat_requests(self, kind: Optional[str] = "conversation") -> List[Dict[str, Any]]:
        """Recorded POST /chat/completions, by default only the conversation ones."""
        return [r for r in self.requests("/chat/completions")
                if kind is None or (r.get("standin") or {}).get("kind") == kind]

    def remote_sessions(self) -> Dict[str, Dict[str, Any]]:
        """Remote (exported) sessions by id, with the events the CLI uploaded."""
        return _remote_sessions_snapshot(self._state)

    def tasks(self) -> List[Dict[str, Any]]:
        """Cloud tasks with their event feed, steers and request body."""
        with self._state.lock:
            return [t.snapshot() for t in self._state.tasks.values()]

    # control
    def reset(self) -> None:
        self._state.reset()

    def set_scenario(self, scenario: Dict[str, Any]) -> None:
        sc = Scenario(scenario)
        with self._state.lock:
            self._state.scenario = sc
            self._state.rule_counts.clear()

    def configure(self, **cfg: Any) -> None:
        """Any of mc_mode, worker_delay, early_steer, task_start_delay, tokens ({token: login} or
        None), login."""
        _apply_config(self._state, cfg)

    def queue_remote_command(self, session_id: str, command: Dict[str, Any]) -> None:
        with self._state.lock:
            self._state.remote_sessions[session_id]["pending_commands"].append(command)


def main(argv: Optional[List[str]] = None) -> int:
    ap = argparse.ArgumentParser(prog="copilot_standin.py",
                                 description="Offline stand-in for GitHub Copilot's services.")
    ap.add_argument("--host", default="127.0.0.1")
    ap.add_argument("--port", type=int, default=0)
    ap.add_argument("--scenario", metavar="FILE.json", help="scenario file scripting the model")
    ap.add_argument("--token", action="append", default=[], metavar="TOKEN[=LOGIN]",
                    help="accept only these bearer tokens (repeatable); default: accept any")
    ap.add_argument("--mc-mode", choices=MC_MODES, default="ok")
    ap.add_argument("--worker-delay", type=float, default=0.0, metavar="SECONDS")
    ap.add_argument("--early-steer", choices=("drop", "hold"), default="drop",
                    help="prompts steered before the cloud worker starts: drop them (default, as "
                         "the real service may) or hold them until it starts")
    ap.add_argument("--task-start-delay", type=float, default=0.0, metavar="SECONDS",
                    help="delay before a new cloud task's feed shows a session.start")
    ap.add_argument("--login", default=DEFAULT_LOGIN, help="login reported for accepted tokens")
    ap.add_argument("--log-level", default="INFO", help="stderr log level (default INFO)")
    args = ap.parse_args(argv)
    logging.basicConfig(level=getattr(logging, args.log_level.upper(), logging.INFO),
                        stream=sys.stderr, format="%(asctime)s standin %(levelname)s %(message)s")
    scenario = None
    if args.scenario:
        with open(args.scenario, encoding="utf-8") as fh:
            scenario = json.load(fh)
    standin = StandIn(args.host, args.port, scenario, _parse_tokens(args.token, args.login),
                      args.mc_mode, args.worker_delay, args.login)
    standin.configure(early_steer=args.early_steer, task_start_delay=args.task_start_delay)
    stop = threading.Event()

    def on_signal(signum: int, _frame: Any) -> None:
        LOG.info("signal %d: shutting down", signum)
        stop.set()

    signal.signal(signal.SIGTERM, on_signal)
    signal.signal(signal.SIGINT, on_signal)
    standin.start()
    sys.stdout.write(f"COPILOT_STANDIN_URL={standin.url}\n")
    sys.stdout.flush()
    LOG.info("listening on %s (Mission Control at %s/agents)", standin.url, standin.url)
    while not stop.wait(0.5):
        pass
    standin.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())
