//! Sessions: one conversation with the agent.

use std::collections::{HashMap, VecDeque};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, OnceLock};
use std::time::Duration;

use parking_lot::Mutex;
use serde::{Deserialize, Serialize};
use serde_json::{json, Value};
use tokio::sync::watch;

use crate::client::ClientInner;
use crate::error::{Error, Result};
use crate::events::{EventSubscription, Queue, RecvError, SessionEvent};
use crate::handler::{
    DenyAllHandler, ElicitationHandler, ExitPlanModeHandler, HookHandler, HookInvocation, PermissionHandler,
    PermissionInvocation, PermissionRequest, PermissionResult, UserInputHandler, UserInputRequest,
};
use crate::jsonrpc::Connection;
use crate::tool::{ToolHandler, ToolInvocation, ToolResult};
use crate::types::{MessageOptions, RemoteSessionMode, SessionConfig};

/// Events held for subscribers that have not attached yet.
const BACKLOG_LIMIT: usize = 4096;
/// Default bound of `send_and_wait`.
pub const DEFAULT_SEND_AND_WAIT_TIMEOUT: Duration = Duration::from_secs(60);
/// Default bound on waiting for a cloud session's agent.
pub const DEFAULT_CLOUD_READY_TIMEOUT: Duration = Duration::from_secs(120);

pub(crate) struct Handlers {
    pub permission: Arc<dyn PermissionHandler>,
    pub tools: HashMap<String, Arc<dyn ToolHandler>>,
    pub user_input: Option<Arc<dyn UserInputHandler>>,
    pub hooks: Option<Arc<dyn HookHandler>>,
    pub elicitation: Option<Arc<dyn ElicitationHandler>>,
    pub exit_plan_mode: Option<Arc<dyn ExitPlanModeHandler>>,
}

impl Handlers {
    pub(crate) fn from_config(c: &SessionConfig) -> Handlers {
        Handlers {
            permission: c.permission_handler.clone().unwrap_or_else(|| Arc::new(DenyAllHandler)),
            tools: c
                .tools
                .iter()
                .filter_map(|t| t.handler.clone().map(|h| (t.name.clone(), h)))
                .collect(),
            user_input: c.user_input_handler.clone(),
            hooks: c.hook_handler.clone(),
            elicitation: c.elicitation_handler.clone(),
            exit_plan_mode: c.exit_plan_mode_handler.clone(),
        }
    }
}

struct Subscribers {
    subs: Vec<(Arc<Queue<Arc<SessionEvent>>>, bool)>,
    backlog: VecDeque<Arc<SessionEvent>>,
    backlog_dropped: u64,
    /// Until the first `send`, every subscriber gets the backlog (events sent during create).
    hold_for_all: bool,
}

#[derive(Default)]
struct RemoteState {
    url: Option<String>,
    steerable: bool,
}

/// State shared between the router (reader task) and the [`Session`] handles.
pub(crate) struct SessionShared {
    id: OnceLock<String>,
    conn: Arc<Connection>,
    handlers: Handlers,
    subscribers: Mutex<Subscribers>,
    remote: Mutex<RemoteState>,
    ready: watch::Sender<bool>,
    closed: AtomicBool,
    is_cloud: bool,
    bound: usize,
    wait_for_ready: bool,
    ready_timeout: Duration,
    workspace_path: Mutex<Option<String>>,
    /// Handler calls in flight; `mark_closed` aborts them.
    handler_tasks: Mutex<Vec<tokio::task::AbortHandle>>,
}

impl SessionShared {
    pub(crate) fn new(conn: Arc<Connection>, config: &SessionConfig, bound: usize, is_cloud: bool) -> Arc<Self> {
        Arc::new(SessionShared {
            id: OnceLock::new(),
            conn,
            handlers: Handlers::from_config(config),
            subscribers: Mutex::new(Subscribers {
                subs: Vec::new(),
                backlog: VecDeque::new(),
                backlog_dropped: 0,
                hold_for_all: true,
            }),
            remote: Mutex::new(RemoteState::default()),
            ready: watch::channel(!is_cloud).0,
            closed: AtomicBool::new(false),
            is_cloud,
            bound,
            wait_for_ready: config.wait_for_cloud_ready.unwrap_or(true),
            ready_timeout: config.cloud_ready_timeout.unwrap_or(DEFAULT_CLOUD_READY_TIMEOUT),
            workspace_path: Mutex::new(None),
            handler_tasks: Mutex::new(Vec::new()),
        })
    }

    pub(crate) fn set_id(&self, id: &str) {
        let _ = self.id.set(id.to_owned());
    }

    pub(crate) fn id(&self) -> &str {
        self.id.get().map(String::as_str).unwrap_or("")
    }

    /// Called on the reader task for every event of this session.
    pub(crate) fn deliver(self: &Arc<Self>, conn: &Arc<Connection>, ev: Arc<SessionEvent>) {
        self.observe(&ev);
        {
            let mut s = self.subscribers.lock();
            s.subs.retain(|(q, _)| !q.is_closed());
            let mut has_user_sub = false;
            for (q, internal) in &s.subs {
                q.push(ev.clone());
                has_user_sub |= !internal;
            }
            if !has_user_sub || s.hold_for_all {
                if s.backlog.len() >= BACKLOG_LIMIT {
                    s.backlog.pop_front();
                    s.backlog_dropped += 1;
                }
                s.backlog.push_back(ev.clone());
            }
        }
        self.react(conn, &ev);
    }

    /// Keeps the state a late subscriber must still be able to read.
    fn observe(&self, ev: &SessionEvent) {
        match ev.event_type.as_str() {
            "session.info" if ev.data_str("infoType") == Some("remote") => {
                if let Some(url) = ev.data_str("url") {
                    self.remote.lock().url = Some(url.to_owned());
                }
            }
            "session.remote_steerable_changed" => {
                let v = ev.data.get("remoteSteerable").and_then(Value::as_bool).unwrap_or(false);
                self.remote.lock().steerable = v;
            }
            "session.start" => {
                if let Some(v) = ev.data.get("remoteSteerable").and_then(Value::as_bool) {
                    self.remote.lock().steerable = v;
                }
                if ev.data_str("producer") == Some("copilot-agent") {
                    self.ready.send_replace(true);
                }
            }
            _ => {}
        }
    }

    /// Answers the broadcasts that need a client decision.
    fn react(self: &Arc<Self>, conn: &Arc<Connection>, ev: &Arc<SessionEvent>) {
        match ev.event_type.as_str() {
            "permission.requested" => {
                if ev.data.get("resolvedByHook").and_then(Value::as_bool) == Some(true) {
                    return;
                }
                let Some(request_id) = ev.data_str("requestId").map(str::to_owned) else { return };
                let request = PermissionRequest::from_event_data(&ev.data);
                let handler = self.handlers.permission.clone();
                let inv = PermissionInvocation { session_id: self.id().to_owned(), request_id: request_id.clone() };
                let conn = conn.clone();
                let sid = self.id().to_owned();
                let me = self.clone();
                tokio::spawn(async move {
                    let decision = match me.spawn_handler(async move { handler.handle(request, inv).await }).await {
                        Ok(Ok(PermissionResult::NoResult)) => return,
                        Ok(Ok(PermissionResult::Decision(d))) => d,
                        Ok(Err(_)) | Err(_) => json!({"kind": "user-not-available"}),
                    };
                    let _ = conn
                        .request(
                            "session.permissions.handlePendingPermissionRequest",
                            json!({"sessionId": sid, "requestId": request_id, "result": decision}),
                        )
                        .await;
                });
            }
            "external_tool.requested" => {
                let Some(name) = ev.data_str("toolName") else { return };
                let Some(handler) = self.handlers.tools.get(name).cloned() else { return };
                let Some(request_id) = ev.data_str("requestId").map(str::to_owned) else { return };
                let inv = ToolInvocation {
                    session_id: self.id().to_owned(),
                    tool_call_id: ev.data_str("toolCallId").unwrap_or("").to_owned(),
                    tool_name: name.to_owned(),
                    arguments: ev.data.get("arguments").cloned().unwrap_or(Value::Null),
                };
                let conn = conn.clone();
                let sid = self.id().to_owned();
                let me = self.clone();
                tokio::spawn(async move {
                    let result = match me.spawn_handler(async move { handler.call(inv).await }).await {
                        Ok(Ok(r)) => r,
                        Ok(Err(e)) => ToolResult::failure(format!("tool failed: {e}")),
                        Err(_) => ToolResult::failure("tool failed: the handler panicked"),
                    };
                    let _ = conn
                        .request(
                            "session.tools.handlePendingToolCall",
                            json!({"sessionId": sid, "requestId": request_id, "result": result}),
                        )
                        .await;
                });
            }
            "auto_mode_switch.requested" => {
                // Rate-limited turns wait for this answer before going idle. Without a way to
                // ask the user, decline switching models (the CLI's own default).
                let Some(request_id) = ev.data_str("requestId").map(str::to_owned) else { return };
                let conn = conn.clone();
                let sid = self.id().to_owned();
                tokio::spawn(async move {
                    let _ = conn
                        .request(
                            "session.ui.handlePendingAutoModeSwitch",
                            json!({"sessionId": sid, "requestId": request_id, "response": "no"}),
                        )
                        .await;
                });
            }
            "elicitation.requested" => {
                let Some(handler) = self.handlers.elicitation.clone() else { return };
                let Some(request_id) = ev.data_str("requestId").map(str::to_owned) else { return };
                let conn = conn.clone();
                let sid = self.id().to_owned();
                let data = ev.data.clone();
                let me = self.clone();
                tokio::spawn(async move {
                    let s2 = sid.clone();
                    let result = match me.spawn_handler(async move { handler.handle(s2, data).await }).await {
                        Ok(Ok(r)) => r,
                        _ => json!({"action": "cancel"}),
                    };
                    let _ = conn
                        .request(
                            "session.ui.handlePendingElicitation",
                            json!({"sessionId": sid, "requestId": request_id, "result": result}),
                        )
                        .await;
                });
            }
            _ => {}
        }
    }

    /// Direct server-to-client requests scoped to this session.
    pub(crate) fn handle_server_request(self: &Arc<Self>, conn: Arc<Connection>, id: Value, method: String, params: Value) {
        let me = self.clone();
        tokio::spawn(async move {
            let sid = me.id().to_owned();
            let reply: std::result::Result<Value, (i64, String)> = match method.as_str() {
                "hooks.invoke" => match me.handlers.hooks.clone() {
                    Some(h) => {
                        let inv = HookInvocation {
                            session_id: sid,
                            hook_type: params.get("hookType").and_then(Value::as_str).unwrap_or("").to_owned(),
                            input: params.get("input").cloned().unwrap_or(Value::Null),
                        };
                        match me.spawn_handler(async move { h.handle(inv).await }).await {
                            Ok(Ok(out)) => Ok(json!({"output": if out.is_null() { json!({}) } else { out }})),
                            Ok(Err(e)) => Err((-32603, format!("hook handler failed: {e}"))),
                            Err(_) => Err((-32603, "hook handler panicked".to_owned())),
                        }
                    }
                    None => Ok(json!({"output": {}})),
                },
                "userInput.request" => match me.handlers.user_input.clone() {
                    Some(h) => {
                        let req: UserInputRequest = serde_json::from_value(params.clone()).unwrap_or(UserInputRequest {
                            question: String::new(),
                            choices: None,
                            allow_freeform: None,
                        });
                        match me.spawn_handler(async move { h.handle(sid, req).await }).await {
                            Ok(Ok(r)) => Ok(serde_json::to_value(r).unwrap_or(Value::Null)),
                            Ok(Err(e)) => Err((-32603, format!("user input handler failed: {e}"))),
                            Err(_) => Err((-32603, "user input handler panicked".to_owned())),
                        }
                    }
                    None => Ok(json!({"noResponse": true})),
                },
                "exitPlanMode.request" => match me.handlers.exit_plan_mode.clone() {
                    Some(h) => match me.spawn_handler(async move { h.handle(sid, params).await }).await {
                        Ok(Ok(r)) => Ok(r),
                        _ => Err((-32603, "exit plan mode handler failed".to_owned())),
                    },
                    None => Ok(json!({"approved": true})),
                },
                "autoModeSwitch.request" => Ok(json!({"response": "no"})),
                "systemMessage.transform" => Ok(json!({"sections": params.get("sections").cloned().unwrap_or(json!({}))})),
                other => Err((crate::error::METHOD_NOT_FOUND, format!("Unhandled method {other}"))),
            };
            conn.respond(id, reply);
        });
    }

    pub(crate) fn subscribe(&self, internal: bool) -> EventSubscription {
        self.subscribe_bounded(internal, self.bound)
    }

    pub(crate) fn subscribe_bounded(&self, internal: bool, bound: usize) -> EventSubscription {
        let q = Queue::new(bound);
        let mut s = self.subscribers.lock();
        if !internal {
            if s.backlog_dropped > 0 {
                // The subscriber learns how much of the backlog it missed.
                q.add_lagged(s.backlog_dropped);
            }
            for ev in &s.backlog {
                q.push(ev.clone());
            }
            if !s.hold_for_all {
                s.backlog.clear();
                s.backlog_dropped = 0;
            }
        }
        if self.closed.load(Ordering::Acquire) {
            q.close();
        }
        s.subs.push((q.clone(), internal));
        EventSubscription { queue: q, detached: Arc::new(AtomicBool::new(false)) }
    }

    pub(crate) fn mark_closed(&self) {
        self.closed.store(true, Ordering::Release);
        // A handler still running for a closed session has nobody to answer: abort it. That
        // drops its future, which also cancels a foreign coroutine behind it (UniFFI, Python).
        for task in self.handler_tasks.lock().drain(..) {
            task.abort();
        }
        let s = self.subscribers.lock();
        for (q, _) in &s.subs {
            q.close();
        }
        // Wake readiness waiters; they re-check `closed`.
        self.ready.send_modify(|_| {});
    }

    /// Spawns one handler call, tracked so that `mark_closed` can abort it.
    fn spawn_handler<F>(&self, fut: F) -> tokio::task::JoinHandle<F::Output>
    where
        F: std::future::Future + Send + 'static,
        F::Output: Send + 'static,
    {
        let task = tokio::spawn(fut);
        let mut tasks = self.handler_tasks.lock();
        tasks.retain(|t| !t.is_finished());
        if self.closed.load(Ordering::Acquire) {
            task.abort();
        } else {
            tasks.push(task.abort_handle());
        }
        task
    }

    fn end_hold(&self) {
        let mut s = self.subscribers.lock();
        if s.hold_for_all {
            s.hold_for_all = false;
            if s.subs.iter().any(|(_, internal)| !internal) {
                s.backlog.clear();
            }
        }
    }
}

/// Result of `session.rpc().remote().enable()`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct RemoteEnableResult {
    /// The Mission Control URL (GitHub web/mobile).
    #[serde(default)]
    pub url: Option<String>,
    /// Whether the session can be steered remotely.
    #[serde(default)]
    pub remote_steerable: bool,
    /// Whether a new export started.
    #[serde(default)]
    pub started: Option<bool>,
}

/// A session handle. Cheap to clone; all clones refer to the same session.
#[derive(Clone)]
pub struct Session {
    pub(crate) shared: Arc<SessionShared>,
    pub(crate) client: Arc<ClientInner>,
}

impl std::fmt::Debug for Session {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Session").field("id", &self.id()).field("cloud", &self.shared.is_cloud).finish()
    }
}

impl Session {
    /// The session id.
    pub fn id(&self) -> &str {
        self.shared.id()
    }

    /// The session's workspace directory on the CLI's machine, when it has one.
    pub fn workspace_path(&self) -> Option<String> {
        self.shared.workspace_path.lock().clone()
    }

    pub(crate) fn set_workspace_path(&self, p: Option<String>) {
        *self.shared.workspace_path.lock() = p;
    }

    /// True for a session running on GitHub-hosted compute.
    pub fn is_cloud(&self) -> bool {
        self.shared.is_cloud
    }

    /// Subscribes to this session's events. Events that arrived while nobody was subscribed
    /// (for example `session.start` and the remote `session.info` sent during create) are
    /// delivered first, in order; see [`crate::events`] for the bounds.
    pub fn subscribe(&self) -> EventSubscription {
        self.shared.subscribe(false)
    }

    /// Like [`Session::subscribe`], with this subscriber's own queue bound instead of the
    /// client's `subscriber_bound`.
    pub fn subscribe_with_bound(&self, bound: usize) -> EventSubscription {
        self.shared.subscribe_bounded(false, bound)
    }

    fn ensure_open(&self) -> Result<()> {
        if self.shared.closed.load(Ordering::Acquire) {
            if self.shared.conn.is_closed() {
                let reason = self.client.router.closed_reason.lock().clone().unwrap_or_else(|| "connection closed".into());
                return Err(Error::ConnectionLost { reason });
            }
            return Err(Error::SessionClosed { session_id: self.id().to_owned() });
        }
        Ok(())
    }

    /// Calls a session-scoped method (adds `sessionId` to the params).
    pub async fn call(&self, method: &str, params: Option<Value>) -> Result<Value> {
        self.ensure_open()?;
        let mut p = match params {
            Some(Value::Object(m)) => m,
            Some(Value::Null) | None => serde_json::Map::new(),
            Some(other) => {
                return Err(Error::InvalidConfig(format!("params of {method} must be a JSON object, got {other}")))
            }
        };
        p.insert("sessionId".into(), Value::String(self.id().to_owned()));
        self.shared.conn.request(method, Value::Object(p)).await
    }

    /// Whether the session can take a prompt (always true for local sessions; for cloud
    /// sessions, once the cloud agent has announced itself).
    pub fn is_ready(&self) -> bool {
        *self.shared.ready.borrow()
    }

    /// Waits until the session can take a prompt. For a cloud session this is the first
    /// `session.start` from `copilot-agent`; a local session is ready at once.
    pub async fn wait_until_ready(&self, timeout: Duration) -> Result<()> {
        let mut rx = self.shared.ready.subscribe();
        let wait = async {
            loop {
                if *rx.borrow_and_update() {
                    return Ok(());
                }
                self.ensure_open()?;
                if rx.changed().await.is_err() {
                    return Err(Error::SessionClosed { session_id: self.id().to_owned() });
                }
            }
        };
        match tokio::time::timeout(timeout, wait).await {
            Ok(r) => r,
            Err(_) => Err(Error::Timeout { what: "the cloud agent to start (session.start from copilot-agent)".into(), after: timeout }),
        }
    }

    /// Sends a prompt; returns the message id. Progress arrives as events. On a cloud
    /// session this first waits for readiness (unless configured off), so the first prompt
    /// is never dropped.
    pub async fn send(&self, opts: impl Into<MessageOptions>) -> Result<String> {
        let opts = opts.into();
        self.ensure_open()?;
        if self.shared.is_cloud && self.shared.wait_for_ready {
            self.wait_until_ready(self.shared.ready_timeout).await?;
        }
        self.shared.end_hold();
        let mut p = opts.to_wire();
        p.insert("sessionId".into(), Value::String(self.id().to_owned()));
        let r = self.shared.conn.request("session.send", Value::Object(p)).await?;
        Ok(r.get("messageId").and_then(Value::as_str).unwrap_or("").to_owned())
    }

    /// Sends a prompt and waits for the turn to finish. Returns the last `assistant.message`
    /// of the turn (if any); fails with [`Error::Session`] when the turn ends in
    /// `session.error`, and with [`Error::Timeout`] after the bound (default 60 s).
    pub async fn send_and_wait(&self, opts: impl Into<MessageOptions>) -> Result<Option<SessionEvent>> {
        let opts = opts.into();
        let timeout = opts.timeout.unwrap_or(DEFAULT_SEND_AND_WAIT_TIMEOUT);
        let mut sub = self.shared.subscribe(true);
        // A turn that failed emits `session.idle` after its `session.error`; waiting for our
        // own `user.message` first keeps such a trailing idle from ending this turn early.
        // (Cloud workers are not guaranteed to echo the prompt, so cloud turns skip this.)
        let require_start = !self.shared.is_cloud;
        let fut = async {
            self.send(opts).await?;
            let mut last: Option<SessionEvent> = None;
            let mut started = !require_start;
            loop {
                match sub.recv_shared().await {
                    Ok(ev) => match ev.event_type.as_str() {
                        "user.message" | "assistant.turn_start" => started = true,
                        "assistant.message" if ev.agent_id.is_none() => {
                            started = true;
                            last = Some((*ev).clone());
                        }
                        "session.idle" if started => return Ok(last),
                        "session.error" if started => {
                            let err = Error::Session {
                                error_type: ev.data_str("errorType").unwrap_or("unknown").to_owned(),
                                message: ev.data_str("message").unwrap_or("").to_owned(),
                                status_code: ev.data.get("statusCode").and_then(Value::as_u64).map(|c| c as u16),
                            };
                            // Let the failed turn finish so the next one starts clean.
                            let _ = tokio::time::timeout(Duration::from_secs(5), async {
                                while let Ok(ev) = sub.recv_shared().await {
                                    if ev.event_type == "session.idle" {
                                        break;
                                    }
                                }
                            })
                            .await;
                            return Err(err);
                        }
                        _ => {}
                    },
                    Err(RecvError::Lagged(_)) => {}
                    Err(RecvError::Closed) => {
                        self.ensure_open()?;
                        return Err(Error::SessionClosed { session_id: self.id().to_owned() });
                    }
                }
            }
        };
        match tokio::time::timeout(timeout, fut).await {
            Ok(r) => r,
            Err(_) => Err(Error::Timeout { what: "the turn to finish (session.idle)".into(), after: timeout }),
        }
    }

    /// Aborts the running turn.
    pub async fn abort(&self) -> Result<()> {
        self.call("session.abort", None).await.map(|_| ())
    }

    /// Switches the model.
    pub async fn set_model(&self, model: &str) -> Result<Value> {
        self.call("session.model.switchTo", Some(json!({"modelId": model}))).await
    }

    /// The session's persisted events (`session.getMessages`).
    pub async fn get_messages(&self) -> Result<Vec<SessionEvent>> {
        let v = self.call("session.getMessages", None).await?;
        let events = v.get("events").cloned().unwrap_or(Value::Array(vec![]));
        Ok(serde_json::from_value(events)?)
    }

    /// Unloads the session from the server (state stays on disk; it can be resumed) and
    /// ends every subscription. Idempotent.
    pub async fn disconnect(&self) -> Result<()> {
        if self.shared.closed.swap(true, Ordering::AcqRel) {
            return Ok(());
        }
        // Unregisters and ends the subscriptions even when this future is dropped while
        // session.destroy is pending (a caller's timeout or cancellation): `closed` is
        // already set, so a later disconnect() would return at once and nobody else would.
        struct Finish<'a>(&'a Session);
        impl Drop for Finish<'_> {
            fn drop(&mut self) {
                self.0.client.router.unregister(self.0.id());
                self.0.shared.mark_closed();
            }
        }
        let finish = Finish(self);
        let r = if self.shared.conn.is_closed() {
            Ok(Value::Null)
        } else {
            self.shared.conn.request("session.destroy", json!({"sessionId": self.id()})).await
        };
        drop(finish);
        match r {
            Ok(_) => Ok(()),
            Err(e) if e.is_connection_lost() => Ok(()),
            Err(e) => Err(e),
        }
    }

    /// Same as [`Session::disconnect`].
    pub async fn destroy(&self) -> Result<()> {
        self.disconnect().await
    }

    /// Disconnects and deletes the session's persisted state.
    pub async fn delete(&self) -> Result<()> {
        let id = self.id().to_owned();
        self.disconnect().await?;
        crate::client::Client { inner: self.client.clone() }.delete_session(&id).await
    }

    /// Typed access to session RPC namespaces.
    pub fn rpc(&self) -> SessionRpc<'_> {
        SessionRpc { session: self }
    }

    /// The Mission Control URL, once the CLI has announced it. The CLI sends it only once
    /// (in `session.info`); the session keeps it.
    pub fn remote_url(&self) -> Option<String> {
        self.shared.remote.lock().url.clone()
    }

    /// Whether the session is currently steerable from GitHub web/mobile.
    pub fn remote_steerable(&self) -> bool {
        self.shared.remote.lock().steerable
    }

    /// The remote URL as a terminal QR code (Unicode half blocks).
    pub fn remote_qr_text(&self) -> Result<String> {
        crate::qr::qr_text(&self.require_url()?)
    }

    /// The remote URL as an SVG QR code.
    pub fn remote_qr_svg(&self) -> Result<String> {
        crate::qr::qr_svg(&self.require_url()?)
    }

    fn require_url(&self) -> Result<String> {
        self.remote_url().ok_or_else(|| {
            Error::InvalidConfig("the session has no remote URL (enable remote sessions first)".into())
        })
    }
}

/// Session RPC namespaces (`session.rpc().remote()`, ...).
pub struct SessionRpc<'a> {
    session: &'a Session,
}

impl<'a> SessionRpc<'a> {
    /// `session.remote.*`: share the session to GitHub web/mobile.
    pub fn remote(&self) -> RemoteRpc<'a> {
        RemoteRpc { session: self.session }
    }

    /// Any session-scoped method.
    pub async fn call(&self, method: &str, params: Option<Value>) -> Result<Value> {
        self.session.call(method, params).await
    }
}

/// `session.remote.*`.
pub struct RemoteRpc<'a> {
    session: &'a Session,
}

impl RemoteRpc<'_> {
    /// Starts remote access (export plus steering). Returns the URL.
    pub async fn enable(&self) -> Result<RemoteEnableResult> {
        self.enable_with_mode(None).await
    }

    /// Starts remote access in a specific mode.
    pub async fn enable_with_mode(&self, mode: Option<RemoteSessionMode>) -> Result<RemoteEnableResult> {
        let params = mode.map(|m| json!({"mode": m.as_str()}));
        let v = self.session.call("session.remote.enable", params).await?;
        let r: RemoteEnableResult = serde_json::from_value(v)?;
        {
            let mut st = self.session.shared.remote.lock();
            if let Some(u) = &r.url {
                st.url = Some(u.clone());
            }
            st.steerable = r.remote_steerable;
        }
        Ok(r)
    }

    /// Stops remote steering.
    pub async fn disable(&self) -> Result<()> {
        self.session.call("session.remote.disable", None).await?;
        self.session.shared.remote.lock().steerable = false;
        Ok(())
    }
}
