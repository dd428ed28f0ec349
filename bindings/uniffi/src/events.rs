//! Session events: the pull-based [`EventStream`] and the push-based listener.
//!
//! `CopilotSession.eventStream()` wraps one core subscription; the host pulls
//! `nextBatch(max)`: one async call returns every event already queued (up to `max`), so the
//! FFI cost is paid per batch, not per event. The Kotlin `Flow` and Swift `AsyncStream`
//! helpers are built on it.
//!
//! `CopilotSession.subscribe(listener)` starts one task on the binding's runtime that reads
//! the core's subscription and calls the listener once per event, in order; it returns a
//! [`TaskHandle`] to stop it. Simple, but every event is a foreign call.

use std::pin::pin;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;

use copilot_core::events::EventData as CoreData;
use copilot_core::{EventSubscription, RecvError};
use parking_lot::Mutex;
use serde_json::Value;
use tokio::sync::Notify;
use tokio::task::JoinHandle;

use crate::error::CopilotError;

/// One event of a session.
#[derive(Debug, Clone, PartialEq, uniffi::Record)]
pub struct SessionEvent {
    /// Unique event id.
    pub id: String,
    /// ISO-8601 timestamp.
    pub timestamp: String,
    /// The previous event in the session's chain.
    pub parent_id: Option<String>,
    /// True for events that are not persisted (deltas, idle, ...).
    pub ephemeral: Option<bool>,
    /// Sub-agent id; absent for the main agent.
    pub agent_id: Option<String>,
    /// The event type, e.g. `assistant.message_delta`.
    pub event_type: String,
    /// The payload as a JSON object.
    pub data_json: String,
    /// The payload decoded for the common event types.
    pub data: EventData,
}

/// Typed view of the common event payloads; everything else is [`EventData::Other`] (read
/// `data_json` for those).
#[derive(Debug, Clone, PartialEq, uniffi::Enum)]
pub enum EventData {
    /// `session.start`.
    SessionStart {
        /// `copilot-agent` for a live agent (cloud readiness).
        producer: Option<String>,
        /// The selected model.
        selected_model: Option<String>,
        /// Whether the session can be steered remotely.
        remote_steerable: Option<bool>,
    },
    /// `session.info` (`info_type` `remote` carries the Mission Control URL).
    SessionInfo {
        /// `remote`, `configuration`, ...
        info_type: String,
        /// Human-readable message.
        message: String,
        /// The link, when there is one.
        url: Option<String>,
    },
    /// `session.warning`.
    SessionWarning {
        /// Warning category.
        warning_type: String,
        /// Human-readable message.
        message: String,
    },
    /// `session.error`.
    SessionError {
        /// `query`, `model_call`, ...
        error_type: String,
        /// Message.
        message: String,
        /// HTTP status of the failed upstream call.
        status_code: Option<u16>,
    },
    /// `session.idle`: the turn is over.
    SessionIdle {
        /// True when the turn was aborted.
        aborted: bool,
    },
    /// `session.remote_steerable_changed`.
    RemoteSteerableChanged {
        /// New state.
        remote_steerable: bool,
    },
    /// `user.message`.
    UserMessage {
        /// The prompt.
        content: String,
    },
    /// `assistant.message`: a complete reply.
    AssistantMessage {
        /// Message id.
        message_id: String,
        /// Full text.
        content: String,
    },
    /// `assistant.message_delta`: a streamed piece of a reply.
    AssistantMessageDelta {
        /// Message id.
        message_id: String,
        /// The new text.
        delta_content: String,
    },
    /// `tool.execution_start`.
    ToolExecutionStart {
        /// Tool call id.
        tool_call_id: String,
        /// Tool name.
        tool_name: String,
        /// Arguments as JSON.
        arguments_json: Option<String>,
    },
    /// `tool.execution_complete`.
    ToolExecutionComplete {
        /// Tool call id.
        tool_call_id: String,
        /// Whether it succeeded.
        success: bool,
        /// Error object as JSON (`{message, code}`), on failure.
        error_json: Option<String>,
    },
    /// `permission.requested`.
    PermissionRequested {
        /// Request id.
        request_id: String,
        /// Permission kind.
        kind: String,
    },
    /// `permission.completed`.
    PermissionCompleted {
        /// Request id.
        request_id: String,
        /// Outcome kind (`approved`, `denied-...`).
        result_kind: String,
    },
    /// Any other event type.
    Other,
}

fn json_opt(v: &Option<Value>) -> Option<String> {
    v.as_ref().filter(|v| !v.is_null()).map(Value::to_string)
}

impl From<&copilot_core::SessionEvent> for SessionEvent {
    fn from(e: &copilot_core::SessionEvent) -> Self {
        let data = match e.typed() {
            CoreData::SessionStart(d) => EventData::SessionStart {
                producer: d.producer,
                selected_model: d.selected_model,
                remote_steerable: d.remote_steerable,
            },
            CoreData::SessionInfo(d) => EventData::SessionInfo { info_type: d.info_type, message: d.message, url: d.url },
            CoreData::SessionWarning(d) => EventData::SessionWarning { warning_type: d.warning_type, message: d.message },
            CoreData::SessionError(d) => {
                EventData::SessionError { error_type: d.error_type, message: d.message, status_code: d.status_code }
            }
            CoreData::SessionIdle(d) => EventData::SessionIdle { aborted: d.aborted.unwrap_or(false) },
            CoreData::RemoteSteerableChanged(d) => EventData::RemoteSteerableChanged { remote_steerable: d.remote_steerable },
            CoreData::UserMessage(d) => EventData::UserMessage { content: d.content },
            CoreData::AssistantMessage(d) => EventData::AssistantMessage { message_id: d.message_id, content: d.content },
            CoreData::AssistantMessageDelta(d) => {
                EventData::AssistantMessageDelta { message_id: d.message_id, delta_content: d.delta_content }
            }
            CoreData::ToolExecutionStart(d) => EventData::ToolExecutionStart {
                tool_call_id: d.tool_call_id,
                tool_name: d.tool_name,
                arguments_json: json_opt(&d.arguments),
            },
            CoreData::ToolExecutionComplete(d) => EventData::ToolExecutionComplete {
                tool_call_id: d.tool_call_id,
                success: d.success,
                error_json: json_opt(&d.error),
            },
            CoreData::PermissionRequested(d) => EventData::PermissionRequested {
                request_id: d.request_id,
                kind: d.permission_request.get("kind").and_then(Value::as_str).unwrap_or("").to_owned(),
            },
            CoreData::PermissionCompleted(d) => EventData::PermissionCompleted {
                request_id: d.request_id,
                result_kind: d.result.get("kind").and_then(Value::as_str).unwrap_or("").to_owned(),
            },
            _ => EventData::Other,
        };
        SessionEvent {
            id: e.id.clone(),
            timestamp: e.timestamp.clone(),
            parent_id: e.parent_id.clone(),
            ephemeral: e.ephemeral,
            agent_id: e.agent_id.clone(),
            event_type: e.event_type.clone(),
            // serde_json::to_string writes straight into a Vec (Display goes through fmt).
            data_json: serde_json::to_string(&e.data).unwrap_or_default(),
            data,
        }
    }
}

/// Reads a string (or, serialised, any other value) from an event's `data_json` by JSON
/// pointer, e.g. `/deltaContent` or `/permissionRequest/kind`. `None` when absent.
#[uniffi::export]
pub fn event_data_value(event: SessionEvent, pointer: String) -> Option<String> {
    json_pointer(event.data_json, pointer)
}

/// Reads a value from any JSON document by JSON pointer (`/a/0/b`): strings come back bare,
/// other values as JSON. `None` when the document is not JSON or the pointer matches nothing.
#[uniffi::export]
pub fn json_pointer(json: String, pointer: String) -> Option<String> {
    let v: Value = serde_json::from_str(&json).ok()?;
    match v.pointer(&pointer)? {
        Value::String(s) => Some(s.clone()),
        other => Some(other.to_string()),
    }
}

/// Receives a session's events, in order, one foreign call per event. Implement it in Kotlin
/// or Swift. For volume, prefer [`EventStream`] (`session.eventStream()`, or the Kotlin
/// `events()` Flow and Swift `events()` AsyncStream built on it): it pays the FFI crossing
/// once per batch.
#[uniffi::export(foreign)]
#[async_trait::async_trait]
pub trait SessionEventListener: Send + Sync {
    /// One event. The next event is not delivered until this returns, so suspending here
    /// applies back-pressure; past the subscriber bound the oldest events are dropped and
    /// reported through `on_lagged`. Throwing ends the subscription.
    async fn on_event(&self, event: SessionEvent) -> Result<(), CopilotError>;
    /// `skipped` events were dropped because this listener fell behind.
    fn on_lagged(&self, skipped: u64);
    /// The session was disconnected or the client stopped; no more events will come.
    fn on_closed(&self);
}

/// A running background task (an event subscription). `cancel()` stops it; dropping the
/// handle stops it too.
#[derive(uniffi::Object)]
pub struct TaskHandle {
    task: Mutex<Option<JoinHandle<()>>>,
    finished: Arc<AtomicBool>,
}

#[uniffi::export]
impl TaskHandle {
    /// Stops the task. The listener gets no further calls (`on_closed` is not called).
    /// Idempotent.
    pub fn cancel(&self) {
        if let Some(t) = self.task.lock().take() {
            t.abort();
        }
        self.finished.store(true, Ordering::Release);
    }

    /// True once the task has ended (closed stream, listener error or `cancel()`).
    pub fn is_finished(&self) -> bool {
        self.finished.load(Ordering::Acquire)
    }
}

impl Drop for TaskHandle {
    fn drop(&mut self) {
        // Aborting needs no runtime context, so this is safe on any thread.
        if let Some(t) = self.task.get_mut().take() {
            t.abort();
        }
    }
}

/// Starts the loop feeding `listener` from `sub`.
pub(crate) fn spawn_listener(mut sub: EventSubscription, listener: Arc<dyn SessionEventListener>) -> Arc<TaskHandle> {
    let finished = Arc::new(AtomicBool::new(false));
    let done = finished.clone();
    let task = crate::runtime::handle().spawn(async move {
        loop {
            match sub.recv_shared().await {
                Ok(ev) => {
                    if listener.on_event(SessionEvent::from(&*ev)).await.is_err() {
                        break;
                    }
                }
                Err(RecvError::Lagged(n)) => listener.on_lagged(n),
                Err(RecvError::Closed) => {
                    listener.on_closed();
                    break;
                }
            }
        }
        done.store(true, Ordering::Release);
    });
    Arc::new(TaskHandle { task: Mutex::new(Some(task)), finished })
}

/// One result of [`EventStream::next_batch`].
#[derive(Debug, Clone, PartialEq, uniffi::Record)]
pub struct EventBatch {
    /// The next events, in order. Empty only when `closed` is true.
    pub events: Vec<SessionEvent>,
    /// Events dropped because this stream fell more than its bound behind, just before
    /// `events[0]` (or before the end). Nothing is dropped silently: 0 means none.
    pub lagged: u64,
    /// The stream has ended (session disconnected, client stopped, connection lost or
    /// `cancel()` called): these are the last events, later calls return empty closed batches.
    pub closed: bool,
}

struct StreamState {
    sub: Option<EventSubscription>,
    /// Lag seen while draining, reported with the next batch (it precedes its events).
    lagged: u64,
}

/// A pull-based subscription to a session's events (`CopilotSession.eventStream()`).
///
/// Call `nextBatch(max)` in a loop: it waits for at least one event, then takes whatever else
/// is already queued (up to `max`) without waiting, and returns them together. Events
/// queue from the moment the stream is created; `cancel()` (or releasing the object) ends the
/// subscription. Calls are served one at a time, in order.
#[derive(uniffi::Object)]
pub struct EventStream {
    state: tokio::sync::Mutex<StreamState>,
    closing: AtomicBool,
    close_signal: Notify,
}

impl EventStream {
    pub(crate) fn new(sub: EventSubscription) -> Arc<Self> {
        Arc::new(EventStream {
            state: tokio::sync::Mutex::new(StreamState { sub: Some(sub), lagged: 0 }),
            closing: AtomicBool::new(false),
            close_signal: Notify::new(),
        })
    }
}

#[uniffi::export(async_runtime = "tokio")]
impl EventStream {
    /// Waits for the next events: at least one (or the end), then everything else already
    /// queued, up to `max` (0 counts as 1). Cancelling the call loses no event.
    pub async fn next_batch(&self, max: u32) -> EventBatch {
        let max = max.max(1) as usize;
        let mut st = self.state.lock().await;
        let lagged = std::mem::take(&mut st.lagged);
        let mut batch = EventBatch { events: Vec::with_capacity(max.min(64)), lagged, closed: false };
        let StreamState { sub, lagged: next_lag } = &mut *st;
        let Some(live) = sub.as_mut() else {
            batch.closed = true;
            return batch;
        };
        // The first event (or the end): wait, unless cancel() was called.
        loop {
            let closing = self.close_signal.notified();
            let mut closing = pin!(closing);
            closing.as_mut().enable();
            if self.closing.load(Ordering::Acquire) {
                *sub = None;
                batch.closed = true;
                return batch;
            }
            let r = tokio::select! {
                biased;
                r = live.recv_shared() => r,
                _ = closing => continue,
            };
            match r {
                Ok(ev) => {
                    batch.events.push(SessionEvent::from(&*ev));
                    break;
                }
                Err(RecvError::Lagged(n)) => batch.lagged += n,
                Err(RecvError::Closed) => {
                    *sub = None;
                    batch.closed = true;
                    return batch;
                }
            }
        }
        // Then whatever is already queued, without waiting.
        while batch.events.len() < max {
            match live.try_recv_shared() {
                None => break,
                Some(Ok(ev)) => batch.events.push(SessionEvent::from(&*ev)),
                Some(Err(RecvError::Lagged(n))) => {
                    // The gap follows the events taken so far: report it with the next batch.
                    *next_lag += n;
                    break;
                }
                Some(Err(RecvError::Closed)) => {
                    *sub = None;
                    batch.closed = true;
                    break;
                }
            }
        }
        batch
    }

    /// Ends the subscription: a waiting `nextBatch` returns a closed batch at once, and so
    /// does every later call. Events not yet taken are discarded. Idempotent. (Named like
    /// `TaskHandle.cancel`; Kotlin's `close()` is the generated release of the object.)
    pub fn cancel(&self) {
        self.closing.store(true, Ordering::Release);
        self.close_signal.notify_waiters();
        if let Ok(mut st) = self.state.try_lock() {
            st.sub = None;
        }
    }

    /// True once the stream has ended and every event was taken (or `cancel()` was called).
    pub fn is_closed(&self) -> bool {
        self.closing.load(Ordering::Acquire) || self.state.try_lock().is_ok_and(|st| st.sub.is_none())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn typed_payloads_and_pointers() {
        let core: copilot_core::SessionEvent = serde_json::from_value(serde_json::json!({
            "id": "1", "timestamp": "t", "parentId": null, "type": "assistant.message_delta",
            "data": {"messageId": "m", "deltaContent": "Hel"}
        }))
        .expect("event");
        let e = SessionEvent::from(&core);
        assert_eq!(e.data, EventData::AssistantMessageDelta { message_id: "m".into(), delta_content: "Hel".into() });
        assert_eq!(event_data_value(e.clone(), "/deltaContent".into()).as_deref(), Some("Hel"));
        assert_eq!(json_pointer(r#"{"a":[1,{"b":true}]}"#.into(), "/a/1/b".into()).as_deref(), Some("true"));
        assert_eq!(json_pointer("not json".into(), "/a".into()), None);
    }

    #[test]
    fn every_typed_variant_reads_its_fields() {
        use serde_json::json;
        let cases = [
            (
                "session.start",
                json!({"producer": "copilot-agent", "selectedModel": "gpt-5", "remoteSteerable": true, "x": 1}),
                EventData::SessionStart {
                    producer: Some("copilot-agent".into()),
                    selected_model: Some("gpt-5".into()),
                    remote_steerable: Some(true),
                },
            ),
            (
                "session.info",
                json!({"infoType": "remote", "message": "m", "url": "https://u"}),
                EventData::SessionInfo { info_type: "remote".into(), message: "m".into(), url: Some("https://u".into()) },
            ),
            (
                "session.warning",
                json!({"warningType": "w", "message": "m"}),
                EventData::SessionWarning { warning_type: "w".into(), message: "m".into() },
            ),
            (
                "session.error",
                json!({"errorType": "model_call", "message": "boom", "statusCode": 429}),
                EventData::SessionError { error_type: "model_call".into(), message: "boom".into(), status_code: Some(429) },
            ),
            ("session.idle", json!({}), EventData::SessionIdle { aborted: false }),
            ("session.idle", json!({"aborted": true}), EventData::SessionIdle { aborted: true }),
            (
                "session.remote_steerable_changed",
                json!({"remoteSteerable": true}),
                EventData::RemoteSteerableChanged { remote_steerable: true },
            ),
            ("user.message", json!({"content": "hi"}), EventData::UserMessage { content: "hi".into() }),
            (
                "assistant.message",
                json!({"messageId": "m", "content": "Hello"}),
                EventData::AssistantMessage { message_id: "m".into(), content: "Hello".into() },
            ),
            (
                "tool.execution_start",
                json!({"toolCallId": "c", "toolName": "t", "arguments": {"a": 1}}),
                EventData::ToolExecutionStart {
                    tool_call_id: "c".into(),
                    tool_name: "t".into(),
                    arguments_json: Some(r#"{"a":1}"#.into()),
                },
            ),
            (
                "tool.execution_complete",
                json!({"toolCallId": "c", "success": false, "error": {"message": "no"}}),
                EventData::ToolExecutionComplete {
                    tool_call_id: "c".into(),
                    success: false,
                    error_json: Some(r#"{"message":"no"}"#.into()),
                },
            ),
            (
                "tool.execution_complete",
                json!({"toolCallId": "c", "success": true, "error": null}),
                EventData::ToolExecutionComplete { tool_call_id: "c".into(), success: true, error_json: None },
            ),
            (
                "permission.requested",
                json!({"requestId": "r", "permissionRequest": {"kind": "shell"}}),
                EventData::PermissionRequested { request_id: "r".into(), kind: "shell".into() },
            ),
            (
                "permission.completed",
                json!({"requestId": "r", "result": {"kind": "approved"}}),
                EventData::PermissionCompleted { request_id: "r".into(), result_kind: "approved".into() },
            ),
            ("session.shutdown", json!({"a": 1}), EventData::Other),
        ];
        for (event_type, data, expected) in cases {
            let core: copilot_core::SessionEvent =
                serde_json::from_value(json!({"id": "1", "timestamp": "t", "type": event_type, "data": data.clone()}))
                    .expect("event");
            let e = SessionEvent::from(&core);
            assert_eq!(e.data, expected, "{event_type}");
            assert_eq!(serde_json::from_str::<Value>(&e.data_json).expect("json"), data, "{event_type}");
        }
    }
}

