// SPDX-License-Identifier: MIT
//! Session events for C: a blocking poll (`copilot_session_next_event`) and a registered
//! callback (`copilot_session_set_event_callback`). Each is its own subscription, so both
//! may be used at once and each sees every event from its start on.

use std::ffi::{c_char, c_void, CString};
use std::sync::Arc;
use std::thread::{JoinHandle, ThreadId};
use std::time::Duration;

use sdk::{EventSubscription, RecvError, Session, SessionEvent};
use serde_json::json;
use tokio::sync::watch;

use crate::callbacks::UserData;
use crate::error::{copilot_result, FfiError, FfiResult};
use crate::runtime::{block_on, runtime};

/// Receives one session event.
///
/// `event_json` is the whole event, borrowed for the duration of the call:
/// `{"id", "timestamp", "parentId", "ephemeral"?, "agentId"?, "type", "data": {...}}`.
/// Types include `session.start`, `user.message`, `assistant.message_delta`,
/// `assistant.message`, `tool.execution_start`, `permission.requested`, `session.idle`,
/// `session.error`, ...; unknown types must be ignored. When the consumer fell so far behind
/// that events were dropped, it receives `{"type": "sdk.events_lagged", "data": {"dropped": N}}`.
///
/// Runs on a dedicated library thread (`copilot-events`), one per registration, in event
/// order and one at a time. It may call any library function, including blocking ones
/// (`copilot_session_send_and_wait`, `copilot_session_set_event_callback`, ...).
pub type copilot_event_callback = Option<unsafe extern "C" fn(user_data: *mut c_void, event_json: *const c_char)>;

/// Type of the synthetic event that reports dropped events.
pub(crate) const LAGGED_EVENT: &str = "sdk.events_lagged";

pub(crate) fn lagged_json(n: u64) -> String {
    json!({"type": LAGGED_EVENT, "data": {"dropped": n}}).to_string()
}

fn event_json(ev: &SessionEvent) -> String {
    ev.to_json()
}

/// The poll side: one lazily created subscription, shared by every poller of the handle.
pub(crate) struct Poller {
    sub: tokio::sync::Mutex<Option<EventSubscription>>,
}

impl Poller {
    pub(crate) fn new() -> Poller {
        Poller { sub: tokio::sync::Mutex::new(None) }
    }

    /// Next event as JSON. `timeout`: `None` = wait forever, zero = do not wait.
    pub(crate) fn next(
        &self,
        session: &Session,
        timeout: Option<Duration>,
        freed: &watch::Sender<bool>,
    ) -> FfiResult<String> {
        let convert = |r: Result<Arc<SessionEvent>, RecvError>| -> FfiResult<String> {
            match r {
                Ok(ev) => Ok(event_json(&ev)),
                Err(RecvError::Lagged(n)) => Ok(lagged_json(n)),
                Err(RecvError::Closed) => Err(FfiError::new(
                    copilot_result::EventStreamClosed,
                    "the session is closed and every event was delivered",
                )),
            }
        };
        if timeout == Some(Duration::ZERO) {
            let Ok(mut guard) = self.sub.try_lock() else {
                return Err(FfiError::new(copilot_result::Timeout, "another thread is polling this session"));
            };
            let sub = guard.get_or_insert_with(|| session.subscribe());
            return match sub.try_recv() {
                Some(r) => convert(r.map(Arc::new)),
                None => Err(FfiError::new(copilot_result::Timeout, "no event is queued")),
            };
        }
        // Fast path: an event already queued is taken without entering the runtime.
        if let Ok(mut guard) = self.sub.try_lock() {
            if let Some(r) = guard.as_mut().and_then(|sub| sub.try_recv_shared()) {
                return convert(r);
            }
        }
        let mut freed_rx = freed.subscribe();
        let wait = async {
            let mut guard = self.sub.lock().await;
            let sub = guard.get_or_insert_with(|| session.subscribe());
            sub.recv_shared().await
        };
        let r = block_on(async move {
            tokio::select! {
                biased;
                _ = freed_rx.wait_for(|f| *f) => None,
                r = async {
                    match timeout {
                        Some(t) => tokio::time::timeout(t, wait).await.ok(),
                        None => Some(wait.await),
                    }
                } => Some(r),
            }
        })?;
        match r {
            None => Err(FfiError::new(
                copilot_result::InvalidHandle,
                "the session handle was freed while waiting for an event",
            )),
            Some(None) => Err(FfiError::new(
                copilot_result::Timeout,
                format!("no event within {} ms", timeout.map(|t| t.as_millis()).unwrap_or(0)),
            )),
            Some(Some(r)) => convert(r),
        }
    }
}

/// A registered event callback and the thread that runs it.
pub(crate) struct Dispatcher {
    stop: watch::Sender<bool>,
    thread: Option<JoinHandle<()>>,
    thread_id: ThreadId,
}

struct Payload {
    sub: EventSubscription,
    f: unsafe extern "C" fn(*mut c_void, *const c_char),
    user_data: UserData,
    stop: watch::Receiver<bool>,
}

fn run_dispatcher(p: Payload) {
    let Payload { mut sub, f, user_data, mut stop } = p;
    let Ok(rt) = runtime() else { return };
    let deliver = |text: String| {
        if let Ok(c) = CString::new(text) {
            // SAFETY: `f` is the application's callback; the string outlives the call and
            // `user_data` is passed back unchanged.
            unsafe { f(user_data.ptr(), c.as_ptr()) };
        }
    };
    loop {
        // Events already queued are taken without entering the runtime; it is only entered
        // to wait (for the next event or the stop signal).
        let next = match sub.try_recv_shared() {
            Some(r) => Some(r),
            None => rt.block_on(async {
                tokio::select! {
                    biased;
                    _ = stop.wait_for(|s| *s) => None,
                    r = sub.recv_shared() => Some(r),
                }
            }),
        };
        match next {
            None | Some(Err(RecvError::Closed)) => break,
            Some(Ok(ev)) => deliver(event_json(&ev)),
            Some(Err(RecvError::Lagged(n))) => deliver(lagged_json(n)),
        }
        if *stop.borrow() {
            break;
        }
    }
    drop(sub);
    // Runs `destroy` here: after the last invocation, on this (non-runtime) thread.
    drop(user_data);
}

impl Dispatcher {
    /// Subscribes now (so no event is missed) and starts the callback thread.
    pub(crate) fn start(
        session: &Session,
        f: unsafe extern "C" fn(*mut c_void, *const c_char),
        user_data: UserData,
    ) -> FfiResult<Dispatcher> {
        runtime()?;
        let (stop_tx, stop_rx) = watch::channel(false);
        let (tx, rx) = std::sync::mpsc::channel::<Payload>();
        let spawned = std::thread::Builder::new().name("copilot-events".into()).spawn(move || {
            if let Ok(p) = rx.recv() {
                let _ = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| run_dispatcher(p)));
            }
        });
        let thread = match spawned {
            Ok(t) => t,
            Err(e) => {
                // Nothing was taken over: the caller keeps user_data, destroy is not called.
                std::mem::forget(user_data);
                return Err(FfiError::new(copilot_result::Internal, format!("cannot start the event thread: {e}")));
            }
        };
        let thread_id = thread.thread().id();
        let payload = Payload { sub: session.subscribe(), f, user_data, stop: stop_rx };
        if tx.send(payload).is_err() {
            return Err(FfiError::new(copilot_result::Internal, "the event thread ended at once"));
        }
        Ok(Dispatcher { stop: stop_tx, thread: Some(thread), thread_id })
    }

    /// Asks the thread to stop after the current invocation (non-blocking).
    pub(crate) fn signal(&self) {
        self.stop.send_replace(true);
    }

    /// Stops the thread and waits for it, unless called from the callback itself (then it
    /// ends, and releases its user data, right after the callback returns).
    pub(crate) fn finish(mut self) {
        self.signal();
        if std::thread::current().id() != self.thread_id {
            if let Some(t) = self.thread.take() {
                let _ = t.join();
            }
        }
    }
}

impl Drop for Dispatcher {
    /// A dispatcher dropped without `finish` (its session object went away) still stops,
    /// without waiting.
    fn drop(&mut self) {
        self.signal();
    }
}
