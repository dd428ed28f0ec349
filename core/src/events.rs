//! Session events and subscriptions.
//!
//! Every event of a session reaches every subscriber, in order. Delivery never blocks the
//! connection's reader: each subscriber has its own queue. A subscriber that falls more than
//! its bound behind (default [`DEFAULT_SUBSCRIBER_BOUND`] events) loses the oldest excess
//! events and is told so explicitly with [`RecvError::Lagged`] carrying the count; nothing is
//! ever dropped silently.

use std::collections::VecDeque;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::Duration;

use parking_lot::{Condvar, Mutex};
use serde::{Deserialize, Serialize};
use serde_json::Value;
use tokio::sync::Notify;

/// Default number of undelivered events a subscriber may hold before it lags.
pub const DEFAULT_SUBSCRIBER_BOUND: usize = 1 << 18;

/// One event of a session, as sent by the CLI (`session.event` notification).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct SessionEvent {
    /// Unique event id.
    #[serde(default)]
    pub id: String,
    /// ISO-8601 timestamp.
    #[serde(default)]
    pub timestamp: String,
    /// Previous event in the session's chain (`None` for the first).
    #[serde(default)]
    pub parent_id: Option<String>,
    /// `true` for events that are not persisted (deltas, idle, ...).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ephemeral: Option<bool>,
    /// Sub-agent id; absent for the main agent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub agent_id: Option<String>,
    /// Event type, e.g. `assistant.message_delta`.
    #[serde(rename = "type")]
    pub event_type: String,
    /// Type-specific payload.
    #[serde(default)]
    pub data: Value,
}

impl SessionEvent {
    /// The payload decoded into a typed variant for the common event types; unknown types
    /// (and known types whose payload does not fit) come back as [`EventData::Other`].
    pub fn typed(&self) -> EventData {
        EventData::decode(&self.event_type, &self.data)
    }

    /// Shorthand for a string field of `data`.
    pub fn data_str(&self, key: &str) -> Option<&str> {
        self.data.get(key).and_then(Value::as_str)
    }

    /// Serialises the whole event (envelope and data) as JSON, in the CLI's wire shape.
    pub fn to_json(&self) -> String {
        serde_json::to_string(self).unwrap_or_else(|_| "{}".to_owned())
    }
}

macro_rules! event_structs {
    ($( $(#[$doc:meta])* $name:ident { $( $(#[$fdoc:meta])* $field:ident : $ty:ty ),* $(,)? } )*) => {
        $(
            $(#[$doc])*
            #[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
            #[serde(rename_all = "camelCase")]
            #[non_exhaustive]
            pub struct $name {
                $( $(#[$fdoc])* #[serde(default)] pub $field: $ty, )*
                /// Fields this SDK does not model, kept verbatim.
                #[serde(flatten)]
                pub extra: serde_json::Map<String, Value>,
            }
        )*
    };
}

event_structs! {
    /// `session.start`.
    SessionStartData { /// Session id.
        session_id: String, /// Who produced it: `copilot-agent` for a live agent.
        producer: Option<String>, /// CLI version.
        copilot_version: Option<String>, /// Selected model.
        selected_model: Option<String>, /// Working-directory context.
        context: Option<Value>, /// Whether the session can be steered remotely.
        remote_steerable: Option<bool> }
    /// `session.info`.
    SessionInfoData { /// `remote`, `configuration`, ...
        info_type: String, /// Human-readable message.
        message: String, /// Link (the Mission Control URL for `remote`).
        url: Option<String> }
    /// `session.warning`.
    SessionWarningData { /// Warning category.
        warning_type: String, /// Human-readable message.
        message: String, /// Optional link.
        url: Option<String> }
    /// `session.error`.
    SessionErrorData { /// Error category (`query`, `model_call`, ...).
        error_type: String, /// Message.
        message: String, /// HTTP status of the failed upstream call.
        status_code: Option<u16> }
    /// `session.idle`.
    SessionIdleData { /// True when the turn was aborted.
        aborted: Option<bool> }
    /// `session.remote_steerable_changed`.
    RemoteSteerableChangedData { /// New state.
        remote_steerable: bool }
    /// `user.message`.
    UserMessageData { /// The prompt.
        content: String, /// Attachments as sent.
        attachments: Option<Vec<Value>> }
    /// `assistant.message`.
    AssistantMessageData { /// Message id.
        message_id: String, /// Full text.
        content: String, /// Tool calls requested in this message.
        tool_requests: Option<Vec<Value>> }
    /// `assistant.message_delta`.
    AssistantMessageDeltaData { /// Message id.
        message_id: String, /// The new piece of text.
        delta_content: String }
    /// `assistant.turn_start` / `assistant.turn_end`.
    AssistantTurnData { /// Turn id.
        turn_id: String }
    /// `tool.execution_start`.
    ToolExecutionStartData { /// Tool call id.
        tool_call_id: String, /// Tool name.
        tool_name: String, /// Arguments.
        arguments: Option<Value> }
    /// `tool.execution_complete`.
    ToolExecutionCompleteData { /// Tool call id.
        tool_call_id: String, /// Whether it succeeded.
        success: bool, /// Result (`{content, ...}`).
        result: Option<Value>, /// Error (`{message, code}`).
        error: Option<Value> }
    /// `permission.requested`.
    PermissionRequestedData { /// Id to answer with.
        request_id: String, /// The request, tagged by `kind`.
        permission_request: Value, /// Set when a hook already decided.
        resolved_by_hook: Option<bool> }
    /// `permission.completed`.
    PermissionCompletedData { /// Request id.
        request_id: String, /// Outcome (`{kind: "approved" | "denied-..."}`).
        result: Value }
    /// `external_tool.requested`.
    ExternalToolRequestedData { /// Id to answer with.
        request_id: String, /// Tool call id.
        tool_call_id: String, /// Tool name.
        tool_name: String, /// Arguments.
        arguments: Option<Value> }
    /// `external_tool.completed`.
    ExternalToolCompletedData { /// Request id.
        request_id: String }
    /// `hook.start` / `hook.end`.
    HookData { /// Invocation id.
        hook_invocation_id: String, /// Hook type.
        hook_type: String, /// Success flag (`hook.end`).
        success: Option<bool> }
}

/// Typed view of an event payload.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub enum EventData {
    /// `session.start`
    SessionStart(SessionStartData),
    /// `session.info`
    SessionInfo(SessionInfoData),
    /// `session.warning`
    SessionWarning(SessionWarningData),
    /// `session.error`
    SessionError(SessionErrorData),
    /// `session.idle`
    SessionIdle(SessionIdleData),
    /// `session.remote_steerable_changed`
    RemoteSteerableChanged(RemoteSteerableChangedData),
    /// `user.message`
    UserMessage(UserMessageData),
    /// `assistant.message`
    AssistantMessage(AssistantMessageData),
    /// `assistant.message_delta`
    AssistantMessageDelta(AssistantMessageDeltaData),
    /// `assistant.turn_start`
    AssistantTurnStart(AssistantTurnData),
    /// `assistant.turn_end`
    AssistantTurnEnd(AssistantTurnData),
    /// `tool.execution_start`
    ToolExecutionStart(ToolExecutionStartData),
    /// `tool.execution_complete`
    ToolExecutionComplete(ToolExecutionCompleteData),
    /// `permission.requested`
    PermissionRequested(PermissionRequestedData),
    /// `permission.completed`
    PermissionCompleted(PermissionCompletedData),
    /// `external_tool.requested`
    ExternalToolRequested(ExternalToolRequestedData),
    /// `external_tool.completed`
    ExternalToolCompleted(ExternalToolCompletedData),
    /// `hook.start`
    HookStart(HookData),
    /// `hook.end`
    HookEnd(HookData),
    /// Any other event type: the raw payload.
    Other(Value),
}

impl EventData {
    fn decode(event_type: &str, data: &Value) -> EventData {
        fn d<T: serde::de::DeserializeOwned>(v: &Value) -> Option<T> {
            T::deserialize(v).ok()
        }
        let typed = match event_type {
            "session.start" => d(data).map(EventData::SessionStart),
            "session.info" => d(data).map(EventData::SessionInfo),
            "session.warning" => d(data).map(EventData::SessionWarning),
            "session.error" => d(data).map(EventData::SessionError),
            "session.idle" => d(data).map(EventData::SessionIdle),
            "session.remote_steerable_changed" => d(data).map(EventData::RemoteSteerableChanged),
            "user.message" => d(data).map(EventData::UserMessage),
            "assistant.message" => d(data).map(EventData::AssistantMessage),
            "assistant.message_delta" => d(data).map(EventData::AssistantMessageDelta),
            "assistant.turn_start" => d(data).map(EventData::AssistantTurnStart),
            "assistant.turn_end" => d(data).map(EventData::AssistantTurnEnd),
            "tool.execution_start" => d(data).map(EventData::ToolExecutionStart),
            "tool.execution_complete" => d(data).map(EventData::ToolExecutionComplete),
            "permission.requested" => d(data).map(EventData::PermissionRequested),
            "permission.completed" => d(data).map(EventData::PermissionCompleted),
            "external_tool.requested" => d(data).map(EventData::ExternalToolRequested),
            "external_tool.completed" => d(data).map(EventData::ExternalToolCompleted),
            "hook.start" => d(data).map(EventData::HookStart),
            "hook.end" => d(data).map(EventData::HookEnd),
            _ => None,
        };
        typed.unwrap_or_else(|| EventData::Other(data.clone()))
    }
}

/// Why [`EventSubscription::recv`] returned no event.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum RecvError {
    /// The subscriber fell behind its bound; this many events were discarded (the oldest
    /// ones). Later events continue in order.
    #[error("subscriber lagged: {0} events were dropped")]
    Lagged(u64),
    /// The session or connection is closed and every event was delivered.
    #[error("event stream closed")]
    Closed,
}

/// Per-subscriber queue.
///
/// Async receivers wait on a [`Notify`], blocking receivers (the C binding's poll) on a
/// condition variable. While the connection's reader works through one read buffer it holds
/// wake-ups back ([`WakeBatch`]) and wakes each receiver once at the end: a reader that
/// decodes hundreds of frames per read then costs one wake-up per buffer, not one per event.
pub(crate) struct Queue<T> {
    state: Mutex<QueueState<T>>,
    notify: Notify,
    blocking: Condvar,
    wake_pending: AtomicBool,
    bound: usize,
}

struct QueueState<T> {
    items: VecDeque<T>,
    lagged: u64,
    closed: bool,
    blocking_waiters: usize,
}

/// Something whose receivers can be woken (a [`Queue`] of any item type).
trait Wake: Send + Sync {
    fn wake(&self);
}

impl<T: Send> Wake for Queue<T> {
    fn wake(&self) {
        self.wake_pending.store(false, Ordering::Release);
        self.notify.notify_one();
        if self.state.lock().blocking_waiters > 0 {
            self.blocking.notify_all();
        }
    }
}

thread_local! {
    static DEFERRED: std::cell::RefCell<Option<Vec<Arc<dyn Wake>>>> = const { std::cell::RefCell::new(None) };
}

/// Defers queue wake-ups on this thread until dropped (used by the connection's reader
/// around the synchronous decoding of one read buffer; never held across an `.await`).
pub(crate) struct WakeBatch(());

impl WakeBatch {
    pub(crate) fn begin() -> WakeBatch {
        DEFERRED.with(|d| {
            let mut d = d.borrow_mut();
            if d.is_none() {
                *d = Some(Vec::new());
            }
        });
        WakeBatch(())
    }
}

impl Drop for WakeBatch {
    fn drop(&mut self) {
        let pending = DEFERRED.with(|d| d.borrow_mut().take()).unwrap_or_default();
        for q in pending {
            q.wake();
        }
    }
}

impl<T: Send + 'static> Queue<T> {
    pub(crate) fn new(bound: usize) -> Arc<Self> {
        Arc::new(Queue {
            state: Mutex::new(QueueState { items: VecDeque::new(), lagged: 0, closed: false, blocking_waiters: 0 }),
            notify: Notify::new(),
            blocking: Condvar::new(),
            wake_pending: AtomicBool::new(false),
            bound: bound.max(1),
        })
    }

    pub(crate) fn push(self: &Arc<Self>, item: T) {
        {
            let mut s = self.state.lock();
            if s.closed {
                return;
            }
            if s.items.len() >= self.bound {
                s.items.pop_front();
                s.lagged += 1;
            }
            s.items.push_back(item);
        }
        self.wake_soon();
    }

    /// Wakes receivers now, or at the end of the current [`WakeBatch`] on this thread.
    fn wake_soon(self: &Arc<Self>) {
        let deferred = DEFERRED.with(|d| match d.borrow_mut().as_mut() {
            Some(list) => {
                if !self.wake_pending.swap(true, Ordering::AcqRel) {
                    list.push(self.clone() as Arc<dyn Wake>);
                }
                true
            }
            None => false,
        });
        if !deferred {
            self.wake();
        }
    }

    pub(crate) fn add_lagged(&self, n: u64) {
        self.state.lock().lagged += n;
    }

    pub(crate) fn close(&self) {
        self.state.lock().closed = true;
        self.wake();
    }

    pub(crate) fn is_closed(&self) -> bool {
        self.state.lock().closed
    }

    fn pop_locked(s: &mut QueueState<T>) -> Option<Result<T, RecvError>> {
        if s.lagged > 0 {
            let n = std::mem::take(&mut s.lagged);
            return Some(Err(RecvError::Lagged(n)));
        }
        if let Some(item) = s.items.pop_front() {
            return Some(Ok(item));
        }
        if s.closed {
            return Some(Err(RecvError::Closed));
        }
        None
    }

    fn try_pop(&self) -> Option<Result<T, RecvError>> {
        Self::pop_locked(&mut self.state.lock())
    }

    pub(crate) async fn recv(&self) -> Result<T, RecvError> {
        loop {
            let notified = self.notify.notified();
            if let Some(r) = self.try_pop() {
                return r;
            }
            notified.await;
        }
    }

    /// Blocking receive for threads outside any async runtime (the C binding's poll).
    /// `None` on timeout.
    pub(crate) fn recv_blocking(&self, timeout: Option<Duration>) -> Option<Result<T, RecvError>> {
        let deadline = timeout.map(|t| std::time::Instant::now() + t);
        let mut s = self.state.lock();
        loop {
            if let Some(r) = Self::pop_locked(&mut s) {
                return Some(r);
            }
            s.blocking_waiters += 1;
            let timed_out = match deadline {
                Some(d) => self.blocking.wait_until(&mut s, d).timed_out(),
                None => {
                    self.blocking.wait(&mut s);
                    false
                }
            };
            s.blocking_waiters -= 1;
            if timed_out {
                return Self::pop_locked(&mut s);
            }
        }
    }
}

/// A subscription to one session's events. Created by `Session::subscribe`.
///
/// Dropping it unsubscribes.
pub struct EventSubscription {
    pub(crate) queue: Arc<Queue<Arc<SessionEvent>>>,
    pub(crate) detached: Arc<AtomicBool>,
}

impl std::fmt::Debug for EventSubscription {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("EventSubscription").finish_non_exhaustive()
    }
}

impl EventSubscription {
    /// Waits for the next event.
    pub async fn recv(&mut self) -> Result<SessionEvent, RecvError> {
        self.queue.recv().await.map(|e| (*e).clone())
    }

    /// Waits for the next event without copying it out of the shared buffer.
    pub async fn recv_shared(&mut self) -> Result<Arc<SessionEvent>, RecvError> {
        self.queue.recv().await
    }

    /// Returns the next event if one is queued.
    pub fn try_recv(&mut self) -> Option<Result<SessionEvent, RecvError>> {
        self.try_recv_shared().map(|r| r.map(|e| (*e).clone()))
    }

    /// Returns the next event if one is queued, without copying it out of the shared buffer
    /// (what bindings use to drain a batch).
    pub fn try_recv_shared(&mut self) -> Option<Result<Arc<SessionEvent>, RecvError>> {
        self.queue.try_pop()
    }

    /// Blocks the calling (non-async) thread for up to `timeout` (`None` = forever).
    /// Returns `None` on timeout.
    pub fn recv_blocking(&mut self, timeout: Option<Duration>) -> Option<Result<Arc<SessionEvent>, RecvError>> {
        self.queue.recv_blocking(timeout)
    }
}

impl Drop for EventSubscription {
    fn drop(&mut self) {
        self.detached.store(true, Ordering::Release);
        self.queue.close();
    }
}

/// A connection-wide session lifecycle notification (`session.lifecycle`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct LifecycleEvent {
    /// `session.created`, `session.deleted`, `session.updated`, ...
    #[serde(rename = "type")]
    pub event_type: String,
    /// The session concerned.
    #[serde(default)]
    pub session_id: String,
    /// `{startTime, modifiedTime, summary?}` when sent.
    #[serde(default)]
    pub metadata: Option<Value>,
}

/// A subscription to lifecycle notifications. Created by `Client::subscribe_lifecycle`.
pub struct LifecycleSubscription {
    pub(crate) queue: Arc<Queue<LifecycleEvent>>,
}

impl LifecycleSubscription {
    /// Waits for the next lifecycle event.
    pub async fn recv(&mut self) -> Result<LifecycleEvent, RecvError> {
        self.queue.recv().await
    }
}

impl Drop for LifecycleSubscription {
    fn drop(&mut self) {
        self.queue.close();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ev(t: &str, data: Value) -> SessionEvent {
        SessionEvent {
            id: "1".into(),
            timestamp: "t".into(),
            parent_id: None,
            ephemeral: None,
            agent_id: None,
            event_type: t.into(),
            data,
        }
    }

    #[test]
    fn typed_views() {
        let e = ev("session.info", serde_json::json!({"infoType": "remote", "message": "m", "url": "https://x"}));
        match e.typed() {
            EventData::SessionInfo(i) => {
                assert_eq!(i.info_type, "remote");
                assert_eq!(i.url.as_deref(), Some("https://x"));
            }
            other => panic!("{other:?}"),
        }
        let e = ev("assistant.message_delta", serde_json::json!({"messageId": "m", "deltaContent": "hi", "new": 1}));
        let EventData::AssistantMessageDelta(d) = e.typed() else { panic!() };
        assert_eq!(d.delta_content, "hi");
        assert_eq!(d.extra["new"], 1);
        assert!(matches!(ev("brand.new", serde_json::json!({"a": 1})).typed(), EventData::Other(_)));
        let wire = r#"{"type":"session.idle","data":{},"ephemeral":true,"id":"x","timestamp":"t","parentId":null}"#;
        let parsed: SessionEvent = serde_json::from_str(wire).expect("parses");
        assert_eq!(parsed.event_type, "session.idle");
        assert_eq!(parsed.ephemeral, Some(true));
    }

    #[test]
    fn blocking_receivers_wake_and_batches_defer_wakeups() {
        let q: Arc<Queue<u32>> = Queue::new(10);
        let q2 = q.clone();
        let waiter = std::thread::spawn(move || q2.recv_blocking(Some(Duration::from_secs(10))));
        std::thread::sleep(Duration::from_millis(50));
        {
            let _batch = WakeBatch::begin();
            q.push(1);
            q.push(2);
            assert!(q.wake_pending.load(Ordering::Acquire), "wake-up deferred inside a batch");
        }
        assert!(!q.wake_pending.load(Ordering::Acquire), "batch end wakes");
        assert_eq!(waiter.join().expect("join"), Some(Ok(1)));
        assert_eq!(q.recv_blocking(Some(Duration::from_millis(10))), Some(Ok(2)));
        let started = std::time::Instant::now();
        assert_eq!(q.recv_blocking(Some(Duration::from_millis(30))), None, "times out when empty");
        assert!(started.elapsed() >= Duration::from_millis(30));
        q.close();
        assert_eq!(q.recv_blocking(None), Some(Err(RecvError::Closed)));
    }

    #[tokio::test]
    async fn queue_reports_lag_explicitly_and_keeps_order() {
        let q = Queue::new(3);
        for i in 0..5 {
            q.push(i);
        }
        assert_eq!(q.recv().await, Err(RecvError::Lagged(2)));
        assert_eq!(q.recv().await, Ok(2));
        assert_eq!(q.recv().await, Ok(3));
        assert_eq!(q.recv().await, Ok(4));
        q.close();
        assert_eq!(q.recv().await, Err(RecvError::Closed));
    }
}
