//! Routes what the CLI sends to the right session: events, pending-request broadcasts and
//! direct server-to-client requests. Runs on the connection's reader task, so everything
//! here returns at once and spawns the slow parts.

use std::collections::{HashMap, VecDeque};
use std::sync::Arc;

use parking_lot::Mutex;
use serde::Deserialize;
use serde_json::value::RawValue;
use serde_json::Value;

use crate::events::{LifecycleEvent, Queue, SessionEvent};
use crate::jsonrpc::{method_not_found, Connection, Dispatcher, Incoming};
use crate::session::SessionShared;

/// Events for session ids nobody registered yet are held this long (count per id).
const ORPHAN_EVENTS_PER_SESSION: usize = 1024;
const ORPHAN_SESSIONS: usize = 64;

#[derive(Default)]
pub(crate) struct Router {
    pub(crate) sessions: Mutex<HashMap<String, Arc<SessionShared>>>,
    orphans: Mutex<VecDeque<(String, Vec<Arc<SessionEvent>>)>>,
    pub(crate) lifecycle: Mutex<Vec<Arc<Queue<LifecycleEvent>>>>,
    pub(crate) closed_reason: Mutex<Option<String>>,
}

#[derive(Deserialize)]
struct EventParams<'a> {
    #[serde(rename = "sessionId", borrow)]
    session_id: std::borrow::Cow<'a, str>,
    event: SessionEvent,
}

/// A whole `session.event` notification, decoded in one pass (the fast path).
#[derive(Deserialize)]
struct EventFrame<'a> {
    #[serde(borrow)]
    method: std::borrow::Cow<'a, str>,
    #[serde(borrow)]
    params: EventParams<'a>,
}

/// Whether the start of a frame names the `session.event` method (the CLI writes `method`
/// before `params`); anything else takes the general path.
fn looks_like_event(text: &str) -> bool {
    let head = &text.as_bytes()[..text.len().min(96)];
    head.windows(15).any(|w| w == b"\"session.event\"")
}

#[derive(Deserialize)]
struct SessionScoped<'a> {
    #[serde(rename = "sessionId", borrow, default)]
    session_id: Option<std::borrow::Cow<'a, str>>,
}

impl Router {
    /// Registers a session and hands it any events that arrived before it was known.
    pub(crate) fn register(&self, conn: &Arc<Connection>, id: &str, session: Arc<SessionShared>) {
        self.sessions.lock().insert(id.to_owned(), session.clone());
        let early = {
            let mut o = self.orphans.lock();
            o.iter().position(|(sid, _)| sid == id).and_then(|i| o.remove(i)).map(|(_, evs)| evs)
        };
        for ev in early.into_iter().flatten() {
            session.deliver(conn, ev);
        }
    }

    pub(crate) fn unregister(&self, id: &str) -> Option<Arc<SessionShared>> {
        self.sessions.lock().remove(id)
    }

    pub(crate) fn get(&self, id: &str) -> Option<Arc<SessionShared>> {
        self.sessions.lock().get(id).cloned()
    }

    fn hold_orphan(&self, id: &str, ev: Arc<SessionEvent>) {
        let mut o = self.orphans.lock();
        if let Some((_, evs)) = o.iter_mut().find(|(sid, _)| sid == id) {
            if evs.len() < ORPHAN_EVENTS_PER_SESSION {
                evs.push(ev);
            }
            return;
        }
        if o.len() >= ORPHAN_SESSIONS {
            o.pop_front();
        }
        o.push_back((id.to_owned(), vec![ev]));
    }

    fn on_event(&self, conn: &Arc<Connection>, params: Option<&RawValue>) {
        let Some(raw) = params else { return };
        let Ok(p) = serde_json::from_str::<EventParams<'_>>(raw.get()) else { return };
        self.route_event(conn, p);
    }

    fn route_event(&self, conn: &Arc<Connection>, p: EventParams<'_>) {
        let ev = Arc::new(p.event);
        match self.get(&p.session_id) {
            Some(s) => s.deliver(conn, ev),
            None => self.hold_orphan(&p.session_id, ev),
        }
    }

    fn on_lifecycle(&self, params: Option<&RawValue>) {
        let Some(raw) = params else { return };
        let Ok(ev) = serde_json::from_str::<LifecycleEvent>(raw.get()) else { return };
        let mut subs = self.lifecycle.lock();
        subs.retain(|q| !q.is_closed());
        for q in subs.iter() {
            q.push(ev.clone());
        }
    }

    fn on_request(&self, conn: &Arc<Connection>, id: Value, method: &str, params: Option<&RawValue>) {
        let session = params
            .and_then(|raw| serde_json::from_str::<SessionScoped<'_>>(raw.get()).ok())
            .and_then(|s| s.session_id)
            .and_then(|sid| self.get(&sid));
        let params: Value = params.and_then(|r| serde_json::from_str(r.get()).ok()).unwrap_or(Value::Null);
        match (method, session) {
            ("hooks.invoke" | "userInput.request" | "exitPlanMode.request" | "autoModeSwitch.request"
            | "systemMessage.transform", Some(s)) => {
                s.handle_server_request(conn.clone(), id, method.to_owned(), params);
            }
            ("hooks.invoke", None) => conn.respond(id, Ok(serde_json::json!({"output": {}}))),
            _ => method_not_found(conn, id, method),
        }
    }
}

impl Dispatcher for Router {
    fn dispatch(&self, conn: &Arc<Connection>, msg: Incoming<'_>) {
        match msg {
            Incoming::Notification { method: "session.event", params } => self.on_event(conn, params),
            Incoming::Notification { method: "session.lifecycle", params } => self.on_lifecycle(params),
            Incoming::Notification { .. } => {}
            Incoming::Request { id, method, params } => self.on_request(conn, id, method, params),
        }
    }

    fn try_fast(&self, conn: &Arc<Connection>, text: &str) -> bool {
        if !looks_like_event(text) {
            return false;
        }
        match serde_json::from_str::<EventFrame<'_>>(text) {
            Ok(f) if f.method == "session.event" => {
                self.route_event(conn, f.params);
                true
            }
            _ => false,
        }
    }

    fn closed(&self, reason: &str) {
        *self.closed_reason.lock() = Some(reason.to_owned());
        let sessions: Vec<Arc<SessionShared>> = self.sessions.lock().values().cloned().collect();
        for s in sessions {
            s.mark_closed();
        }
        for q in self.lifecycle.lock().drain(..) {
            q.close();
        }
    }
}
