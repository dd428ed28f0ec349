// SPDX-License-Identifier: MIT
//! `Session`: one conversation.

use std::mem::ManuallyDrop;
use std::sync::Arc;
use std::time::Duration;

use copilot_core::{MessageOptions, RemoteSessionMode, Session};
use pyo3::prelude::*;
use pyo3::{PyTraverseError, PyVisit};
use serde_json::Value;

use crate::callbacks::Dispatcher;
use crate::error::{or_py, parse_json, to_py_err};
use crate::runtime::{drop_in_runtime, into_py, with_gil};
use crate::subscription::PyEventSubscription;

/// A session handle returned by `Client.create_session` / `Client.resume_session`.
#[pyclass(module = "copilot_core._native", name = "Session")]
pub(crate) struct PySession {
    inner: ManuallyDrop<Session>,
    dispatcher: Option<Arc<Dispatcher>>,
}

impl PySession {
    pub(crate) fn new(inner: Session, dispatcher: Option<Arc<Dispatcher>>) -> Self {
        PySession { inner: ManuallyDrop::new(inner), dispatcher }
    }

    fn session(&self) -> Session {
        (*self.inner).clone()
    }
}

impl Drop for PySession {
    fn drop(&mut self) {
        // SAFETY: `inner` is never used again; this is the only place it is dropped.
        let inner = unsafe { ManuallyDrop::take(&mut self.inner) };
        drop_in_runtime(inner);
    }
}

fn message(py: Python<'_>, message_json: &str) -> PyResult<MessageOptions> {
    let v = parse_json(py, "message", message_json)?;
    MessageOptions::from_json(&v).map_err(|e| to_py_err(py, e))
}

/// Releases the Python callbacks from a non-GIL context.
async fn release(dispatcher: Option<Arc<Dispatcher>>) {
    if let Some(d) = dispatcher {
        if let Some(objs) = d.clear() {
            // Python references must be dropped with the GIL held.
            let _ = with_gil(move |_py| drop(objs)).await;
        }
    }
}

#[pymethods]
impl PySession {
    /// The session id.
    #[getter]
    fn id(&self) -> String {
        self.inner.id().to_owned()
    }

    /// The session's workspace directory, when it has one.
    #[getter]
    fn workspace_path(&self) -> Option<String> {
        self.inner.workspace_path()
    }

    /// True for a session running on GitHub-hosted compute.
    #[getter]
    fn is_cloud(&self) -> bool {
        self.inner.is_cloud()
    }

    /// Whether the session can take a prompt (cloud: once the agent announced itself).
    #[getter]
    fn is_ready(&self) -> bool {
        self.inner.is_ready()
    }

    /// The Mission Control URL once announced (kept by the core; sent only once).
    #[getter]
    fn remote_url(&self) -> Option<String> {
        self.inner.remote_url()
    }

    /// Whether the session is steerable from GitHub web/mobile.
    #[getter]
    fn remote_steerable(&self) -> bool {
        self.inner.remote_steerable()
    }

    /// The remote URL as a terminal QR code.
    fn remote_qr_text(&self, py: Python<'_>) -> PyResult<String> {
        self.inner.remote_qr_text().map_err(|e| to_py_err(py, e))
    }

    /// The remote URL as an SVG QR code.
    fn remote_qr_svg(&self, py: Python<'_>) -> PyResult<String> {
        self.inner.remote_qr_svg().map_err(|e| to_py_err(py, e))
    }

    /// Subscribes to the session's events (create-time events included until the first
    /// send; see the core's `Session::subscribe`).
    fn subscribe(&self) -> PyEventSubscription {
        PyEventSubscription::new(self.inner.subscribe())
    }

    /// Sends a prompt (`message_json` per `MessageOptions::from_json`); resolves to the
    /// message id.
    fn send<'py>(&self, py: Python<'py>, message_json: &str) -> PyResult<Bound<'py, PyAny>> {
        let m = message(py, message_json)?;
        let s = self.session();
        into_py(py, async move { or_py(s.send(m).await).await })
    }

    /// Sends a prompt and waits for the turn; resolves to the last `assistant.message` as
    /// JSON, or `None`.
    fn send_and_wait<'py>(&self, py: Python<'py>, message_json: &str) -> PyResult<Bound<'py, PyAny>> {
        let m = message(py, message_json)?;
        let s = self.session();
        into_py(py, async move {
            let ev = or_py(s.send_and_wait(m).await).await?;
            Ok(ev.map(|e| e.to_json()))
        })
    }

    /// Aborts the running turn.
    fn abort<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        let s = self.session();
        into_py(py, async move { or_py(s.abort().await).await })
    }

    /// Disconnects (idempotent) and releases the Python callbacks.
    fn disconnect<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        let s = self.session();
        let d = self.dispatcher.clone();
        into_py(py, async move {
            let r = s.disconnect().await;
            release(d).await;
            or_py(r).await
        })
    }

    /// Releases the Python callbacks without talking to the server (after `Client.stop`).
    fn release_callbacks(&self) {
        if let Some(d) = &self.dispatcher {
            drop(d.clear());
        }
    }

    /// Waits until the session can take a prompt.
    fn wait_until_ready<'py>(&self, py: Python<'py>, timeout: f64) -> PyResult<Bound<'py, PyAny>> {
        let s = self.session();
        let t = Duration::from_secs_f64(timeout.max(0.0));
        into_py(py, async move { or_py(s.wait_until_ready(t).await).await })
    }

    /// `session.remote.enable`; resolves to the result as JSON.
    #[pyo3(signature = (mode = None))]
    fn remote_enable<'py>(&self, py: Python<'py>, mode: Option<&str>) -> PyResult<Bound<'py, PyAny>> {
        let mode = mode.map(RemoteSessionMode::from_name).transpose().map_err(|e| to_py_err(py, e))?;
        let s = self.session();
        into_py(py, async move {
            let r = or_py(s.rpc().remote().enable_with_mode(mode).await).await?;
            Ok(serde_json::json!({"url": r.url, "remoteSteerable": r.remote_steerable, "started": r.started})
                .to_string())
        })
    }

    /// `session.remote.disable`.
    fn remote_disable<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        let s = self.session();
        into_py(py, async move { or_py(s.rpc().remote().disable().await).await })
    }

    /// Calls a session-scoped method (adds `sessionId`); resolves to JSON.
    #[pyo3(signature = (method, params_json = None))]
    fn call<'py>(&self, py: Python<'py>, method: String, params_json: Option<&str>) -> PyResult<Bound<'py, PyAny>> {
        let params: Option<Value> = params_json.map(|p| parse_json(py, "params", p)).transpose()?;
        let s = self.session();
        into_py(py, async move { or_py(s.call(&method, params).await.map(|v| v.to_string())).await })
    }

    /// The persisted events (`session.getMessages`), as JSON strings.
    fn get_messages<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        let s = self.session();
        into_py(py, async move {
            let evs = or_py(s.get_messages().await).await?;
            Ok(evs.iter().map(|e| e.to_json()).collect::<Vec<_>>())
        })
    }

    fn __traverse__(&self, visit: PyVisit<'_>) -> Result<(), PyTraverseError> {
        if let Some(d) = &self.dispatcher {
            d.traverse(&visit)?;
        }
        Ok(())
    }

    fn __clear__(&mut self) {
        if let Some(d) = &self.dispatcher {
            drop(d.clear());
        }
    }
}
