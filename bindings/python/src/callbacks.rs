// SPDX-License-Identifier: MIT
//! Python callbacks behind the core's handler traits.
//!
//! Each session gets one [`Dispatcher`]: the Python layer's `dispatch(kind, payload_json,
//! reply)` function plus the event loop it must run on (the loop that created the
//! session). A core handler call schedules `dispatch` with `loop.call_soon_threadsafe`
//! and awaits a oneshot channel that the Python side completes through [`PyReply`].
//! Sync and async Python handlers are therefore both run on the caller's loop, and the
//! Rust side never waits for the GIL on a runtime worker.
//!
//! Failures (the handler raised, the loop is closed, the reply was dropped) come back as
//! `Error::Handler`, and the core answers the CLI with its documented default
//! (PROTOCOL.md §7: user-not-available for permissions, a failure result for tools, ...).

use std::sync::Arc;

use async_trait::async_trait;
use copilot_core::handler::{
    ElicitationHandler, ExitPlanModeHandler, HookHandler, HookInvocation, PermissionHandler, PermissionInvocation,
    PermissionRequest, PermissionResult, UserInputHandler, UserInputRequest, UserInputResponse,
};
use copilot_core::tool::{ToolHandler, ToolInvocation, ToolResult};
use copilot_core::Error;
use parking_lot::Mutex;
use pyo3::prelude::*;
use pyo3::{PyTraverseError, PyVisit};
use serde_json::{json, Value};
use tokio::sync::oneshot;

use crate::runtime::with_gil;

type ReplyResult = Result<String, String>;

/// Completes one callback. Python calls exactly one of `resolve` / `fail`; dropping it
/// unanswered counts as a failure.
#[pyclass(module = "copilot_core._native", name = "Reply", frozen)]
pub(crate) struct PyReply {
    tx: Mutex<Option<oneshot::Sender<ReplyResult>>>,
}

#[pymethods]
impl PyReply {
    /// Answers with a JSON document (the wire answer; `null` where allowed).
    fn resolve(&self, json: String) {
        if let Some(tx) = self.tx.lock().take() {
            let _ = tx.send(Ok(json));
        }
    }

    /// Reports that the handler failed; the core then answers with its default.
    fn fail(&self, message: String) {
        if let Some(tx) = self.tx.lock().take() {
            let _ = tx.send(Err(message));
        }
    }

    /// Whether an answer was already given.
    #[getter]
    fn done(&self) -> bool {
        self.tx.lock().is_none()
    }
}

struct Target {
    event_loop: Py<PyAny>,
    dispatch: Py<PyAny>,
}

/// The Python side of one session's callbacks. Cleared when the session is disconnected
/// (or collected), which breaks the Python -> Rust -> Python reference cycle.
#[derive(Default)]
pub(crate) struct Dispatcher {
    target: Mutex<Option<Target>>,
}

impl Dispatcher {
    pub(crate) fn new(event_loop: Py<PyAny>, dispatch: Py<PyAny>) -> Arc<Self> {
        Arc::new(Dispatcher { target: Mutex::new(Some(Target { event_loop, dispatch })) })
    }

    /// Forgets the Python objects; later callbacks fail (and get default answers).
    pub(crate) fn clear(&self) -> Option<(Py<PyAny>, Py<PyAny>)> {
        self.target.lock().take().map(|t| (t.event_loop, t.dispatch))
    }

    pub(crate) fn traverse(&self, visit: &PyVisit<'_>) -> Result<(), PyTraverseError> {
        // Never block in a GC traversal: a holder of the lock may be waiting for the GIL.
        if let Some(guard) = self.target.try_lock() {
            if let Some(t) = guard.as_ref() {
                visit.call(&t.event_loop)?;
                visit.call(&t.dispatch)?;
            }
        }
        Ok(())
    }

    /// Runs the Python handler for `kind` and returns its JSON answer.
    pub(crate) async fn invoke(self: &Arc<Self>, kind: &'static str, payload: Value) -> Result<Value, Error> {
        let (tx, rx) = oneshot::channel::<ReplyResult>();
        let me = self.clone();
        let payload = payload.to_string();
        let scheduled = with_gil(move |py| -> Result<(), String> {
            let (event_loop, dispatch) = {
                let guard = me.target.lock();
                let t = guard.as_ref().ok_or_else(|| "the session's Python callbacks were released".to_owned())?;
                (t.event_loop.clone_ref(py), t.dispatch.clone_ref(py))
            };
            let reply = Py::new(py, PyReply { tx: Mutex::new(Some(tx)) }).map_err(|e| e.to_string())?;
            event_loop
                .bind(py)
                .call_method1("call_soon_threadsafe", (dispatch, kind, payload, reply))
                .map_err(|e| format!("cannot schedule the {kind} handler on its event loop: {e}"))?;
            Ok(())
        })
        .await;
        match scheduled {
            Some(Ok(())) => {}
            Some(Err(msg)) => return Err(Error::Handler(msg)),
            None => return Err(Error::Handler(format!("the {kind} handler could not be scheduled"))),
        }
        match rx.await {
            Ok(Ok(text)) => serde_json::from_str(&text)
                .map_err(|e| Error::Handler(format!("the {kind} handler returned invalid JSON: {e}"))),
            Ok(Err(msg)) => Err(Error::Handler(msg)),
            Err(_) => Err(Error::Handler(format!("the {kind} handler never answered (event loop closed?)"))),
        }
    }
}

/// Permission requests answered by a Python callable.
pub(crate) struct PyPermissionHandler(pub(crate) Arc<Dispatcher>);

#[async_trait]
impl PermissionHandler for PyPermissionHandler {
    async fn handle(&self, request: PermissionRequest, inv: PermissionInvocation) -> Result<PermissionResult, Error> {
        let payload = json!({
            "sessionId": inv.session_id,
            "requestId": inv.request_id,
            "request": request.data,
        });
        match self.0.invoke("permission", payload).await? {
            Value::Null => Ok(PermissionResult::NoResult),
            v @ Value::Object(_) => Ok(PermissionResult::Decision(v)),
            other => Err(Error::Handler(format!("a permission decision must be an object, got {other}"))),
        }
    }
}

/// One tool implemented in Python.
pub(crate) struct PyToolHandler(pub(crate) Arc<Dispatcher>);

#[async_trait]
impl ToolHandler for PyToolHandler {
    async fn call(&self, inv: ToolInvocation) -> Result<ToolResult, Error> {
        let payload = json!({
            "sessionId": inv.session_id,
            "toolCallId": inv.tool_call_id,
            "toolName": inv.tool_name,
            "arguments": inv.arguments,
        });
        let v = self.0.invoke("tool", payload).await?;
        serde_json::from_value(v).map_err(|e| Error::Handler(format!("the tool returned a malformed result: {e}")))
    }
}

/// `ask_user` questions answered in Python.
pub(crate) struct PyUserInputHandler(pub(crate) Arc<Dispatcher>);

#[async_trait]
impl UserInputHandler for PyUserInputHandler {
    async fn handle(&self, session_id: String, request: UserInputRequest) -> Result<UserInputResponse, Error> {
        let mut req = json!({"question": request.question});
        if let Some(c) = request.choices {
            req["choices"] = json!(c);
        }
        if let Some(f) = request.allow_freeform {
            req["allowFreeform"] = json!(f);
        }
        let v = self.0.invoke("user_input", json!({"sessionId": session_id, "request": req})).await?;
        let answer = v.get("answer").and_then(Value::as_str).map(str::to_owned);
        match answer {
            Some(answer) => Ok(UserInputResponse {
                answer,
                was_freeform: v.get("wasFreeform").and_then(Value::as_bool).unwrap_or(true),
            }),
            None => Err(Error::Handler(format!("a user input answer needs a string 'answer', got {v}"))),
        }
    }
}

/// Hooks run in Python.
pub(crate) struct PyHookHandler(pub(crate) Arc<Dispatcher>);

#[async_trait]
impl HookHandler for PyHookHandler {
    async fn handle(&self, inv: HookInvocation) -> Result<Value, Error> {
        let payload = json!({"sessionId": inv.session_id, "hookType": inv.hook_type, "input": inv.input});
        self.0.invoke("hook", payload).await
    }
}

/// Elicitation requests answered in Python.
pub(crate) struct PyElicitationHandler(pub(crate) Arc<Dispatcher>);

#[async_trait]
impl ElicitationHandler for PyElicitationHandler {
    async fn handle(&self, session_id: String, request: Value) -> Result<Value, Error> {
        self.0.invoke("elicitation", json!({"sessionId": session_id, "request": request})).await
    }
}

/// Exit-plan-mode requests answered in Python.
pub(crate) struct PyExitPlanModeHandler(pub(crate) Arc<Dispatcher>);

#[async_trait]
impl ExitPlanModeHandler for PyExitPlanModeHandler {
    async fn handle(&self, session_id: String, request: Value) -> Result<Value, Error> {
        self.0.invoke("exit_plan_mode", json!({"sessionId": session_id, "request": request})).await
    }
}
