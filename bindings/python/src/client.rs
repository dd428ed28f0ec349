// SPDX-License-Identifier: MIT
//! `Client`: one connection to one Copilot CLI.

use std::mem::ManuallyDrop;
use std::sync::Arc;

use copilot_core::handler::PermissionHandler;
use copilot_core::tool::ToolHandler;
use copilot_core::{Client, ClientOptions, ResumeSessionConfig, SessionConfig};
use pyo3::prelude::*;
use serde_json::Value;

use crate::callbacks::{
    Dispatcher, PyElicitationHandler, PyExitPlanModeHandler, PyHookHandler, PyPermissionHandler, PyToolHandler,
    PyUserInputHandler,
};
use crate::error::{invalid, or_py, parse_json, to_py_err};
use crate::runtime::{drop_in_runtime, into_py};
use crate::session::PySession;
use crate::subscription::PyLifecycleSubscription;

/// A started client. Create it with `Client.start(options_json)`.
#[pyclass(module = "copilot_core._native", name = "Client", frozen)]
pub(crate) struct PyClient {
    inner: ManuallyDrop<Client>,
}

impl Drop for PyClient {
    fn drop(&mut self) {
        // SAFETY: `inner` is never used again; this is the only place it is dropped.
        let inner = unsafe { ManuallyDrop::take(&mut self.inner) };
        drop_in_runtime(inner);
    }
}

/// Which Python callbacks a session has; the rest keep the core's defaults. Parsed from
/// `{"permission": bool, "tools": [name...], "user_input": bool, "hooks": bool,
/// "elicitation": bool, "exit_plan_mode": bool}`.
#[derive(Default)]
pub(crate) struct HandlerFlags {
    permission: bool,
    tools: Vec<String>,
    user_input: bool,
    hooks: bool,
    elicitation: bool,
    exit_plan_mode: bool,
}

impl HandlerFlags {
    fn parse(py: Python<'_>, text: &str) -> PyResult<Self> {
        let v = parse_json(py, "handler flags", text)?;
        let flag = |k: &str| v.get(k).and_then(Value::as_bool).unwrap_or(false);
        let tools = match v.get("tools") {
            None | Some(Value::Null) => Vec::new(),
            Some(Value::Array(a)) => a
                .iter()
                .map(|t| t.as_str().map(str::to_owned).ok_or_else(|| invalid(py, "tool names must be strings")))
                .collect::<PyResult<Vec<_>>>()?,
            Some(other) => return Err(invalid(py, format!("handler flags: tools must be a list, got {other}"))),
        };
        Ok(HandlerFlags {
            permission: flag("permission"),
            tools,
            user_input: flag("user_input"),
            hooks: flag("hooks"),
            elicitation: flag("elicitation"),
            exit_plan_mode: flag("exit_plan_mode"),
        })
    }
}

/// Attaches the Python handlers named in `flags` to a core configuration.
fn attach_handlers(
    py: Python<'_>,
    mut config: SessionConfig,
    flags: &HandlerFlags,
    dispatcher: &Option<Arc<Dispatcher>>,
) -> PyResult<SessionConfig> {
    let wants_python = flags.permission
        || !flags.tools.is_empty()
        || flags.user_input
        || flags.hooks
        || flags.elicitation
        || flags.exit_plan_mode;
    let Some(d) = dispatcher else {
        if wants_python {
            return Err(invalid(py, "Python handlers were requested without a dispatcher"));
        }
        return Ok(config);
    };
    if flags.permission {
        let h: Arc<dyn PermissionHandler> = Arc::new(PyPermissionHandler(d.clone()));
        config = config.with_permission_handler(h);
    }
    for name in &flags.tools {
        let tool = config
            .tools
            .iter_mut()
            .find(|t| &t.name == name)
            .ok_or_else(|| invalid(py, format!("no declared tool is named {name:?}")))?;
        let h: Arc<dyn ToolHandler> = Arc::new(PyToolHandler(d.clone()));
        tool.handler = Some(h);
    }
    if flags.user_input {
        config = config.with_user_input_handler(Arc::new(PyUserInputHandler(d.clone())));
    }
    if flags.hooks {
        config = config.with_hook_handler(Arc::new(PyHookHandler(d.clone())));
    }
    if flags.elicitation {
        config = config.with_elicitation_handler(Arc::new(PyElicitationHandler(d.clone())));
    }
    if flags.exit_plan_mode {
        config = config.with_exit_plan_mode_handler(Arc::new(PyExitPlanModeHandler(d.clone())));
    }
    Ok(config)
}

/// The core configuration of `create_session` / `resume_session`, with the Python
/// handlers attached, and the session's dispatcher (when it has Python callbacks).
fn session_config(
    py: Python<'_>,
    config_json: &str,
    handlers_json: &str,
    event_loop: Option<Py<PyAny>>,
    dispatch: Option<Py<PyAny>>,
) -> PyResult<(SessionConfig, Option<Arc<Dispatcher>>)> {
    let handlers = HandlerFlags::parse(py, handlers_json)?;
    let v = parse_json(py, "session config", config_json)?;
    let config = SessionConfig::from_json(&v).map_err(|e| to_py_err(py, e))?;
    let d = match (event_loop, dispatch) {
        (Some(l), Some(d)) => Some(Dispatcher::new(l, d)),
        _ => None,
    };
    let config = attach_handlers(py, config, &handlers, &d)?;
    Ok((config, d))
}

fn json_result(v: Value) -> String {
    v.to_string()
}

#[pymethods]
impl PyClient {
    /// Starts (or connects to) the CLI. `options_json` uses `ClientOptions::from_json`'s keys.
    #[staticmethod]
    fn start<'py>(py: Python<'py>, options_json: &str) -> PyResult<Bound<'py, PyAny>> {
        let v = parse_json(py, "client options", options_json)?;
        let opts = ClientOptions::from_json(&v).map_err(|e| to_py_err(py, e))?;
        into_py(py, async move {
            let client = or_py(Client::start(opts).await).await?;
            Ok(PyClient { inner: ManuallyDrop::new(client) })
        })
    }

    /// Server version reported by the handshake.
    #[getter]
    fn server_version(&self) -> Option<String> {
        self.inner.server_version().map(str::to_owned)
    }

    /// Protocol version reported by the handshake.
    #[getter]
    fn protocol_version(&self) -> Option<u64> {
        self.inner.protocol_version()
    }

    /// Process id of the CLI when this client spawned it.
    #[getter]
    fn cli_pid(&self) -> Option<u32> {
        self.inner.cli_pid()
    }

    /// Warnings about ignored options.
    #[getter]
    fn warnings(&self) -> Vec<String> {
        self.inner.warnings().to_vec()
    }

    /// The last lines the CLI wrote to stderr.
    fn cli_stderr_tail(&self) -> String {
        self.inner.cli_stderr_tail()
    }

    /// Stops the client (bounded, idempotent).
    fn stop<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        let c = (*self.inner).clone();
        into_py(py, async move { or_py(c.stop().await).await })
    }

    /// Kills the CLI without the shutdown handshake.
    fn force_stop<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        let c = (*self.inner).clone();
        into_py(py, async move {
            c.force_stop().await;
            Ok(())
        })
    }

    /// Calls any server method; `params_json` is a JSON object or `None`. Resolves to JSON.
    #[pyo3(signature = (method, params_json = None, timeout = None))]
    fn call<'py>(
        &self,
        py: Python<'py>,
        method: String,
        params_json: Option<&str>,
        timeout: Option<f64>,
    ) -> PyResult<Bound<'py, PyAny>> {
        let params = params_json.map(|p| parse_json(py, "params", p)).transpose()?;
        let c = (*self.inner).clone();
        into_py(py, async move {
            let r = match timeout {
                Some(t) => c.call_with_timeout(&method, params, Some(std::time::Duration::from_secs_f64(t))).await,
                None => c.call(&method, params).await,
            };
            or_py(r.map(json_result)).await
        })
    }

    /// Deletes a stored session.
    fn delete_session<'py>(&self, py: Python<'py>, session_id: String) -> PyResult<Bound<'py, PyAny>> {
        let c = (*self.inner).clone();
        into_py(py, async move { or_py(c.delete_session(&session_id).await).await })
    }

    /// Subscribes to `session.lifecycle` notifications.
    fn subscribe_lifecycle(&self) -> PyLifecycleSubscription {
        PyLifecycleSubscription::new(self.inner.subscribe_lifecycle())
    }

    /// Creates a session. `config_json` uses `SessionConfig::from_json`'s keys; `handlers`
    /// says which callbacks are Python (see `HandlerFlags`), and `dispatch` is called on
    /// `event_loop` as `dispatch(kind, payload_json, reply)` for each of them.
    #[pyo3(signature = (config_json, handlers_json, event_loop = None, dispatch = None))]
    fn create_session<'py>(
        &self,
        py: Python<'py>,
        config_json: &str,
        handlers_json: &str,
        event_loop: Option<Py<PyAny>>,
        dispatch: Option<Py<PyAny>>,
    ) -> PyResult<Bound<'py, PyAny>> {
        let (config, d) = session_config(py, config_json, handlers_json, event_loop, dispatch)?;
        let c = (*self.inner).clone();
        into_py(py, async move {
            let s = or_py(c.create_session(config).await).await?;
            Ok(PySession::new(s, d))
        })
    }

    /// Resumes a stored session (same arguments as `create_session`, plus the id).
    #[pyo3(signature = (session_id, config_json, handlers_json, event_loop = None, dispatch = None, disable_resume = false))]
    #[allow(clippy::too_many_arguments)]
    fn resume_session<'py>(
        &self,
        py: Python<'py>,
        session_id: String,
        config_json: &str,
        handlers_json: &str,
        event_loop: Option<Py<PyAny>>,
        dispatch: Option<Py<PyAny>>,
        disable_resume: bool,
    ) -> PyResult<Bound<'py, PyAny>> {
        let (config, d) = session_config(py, config_json, handlers_json, event_loop, dispatch)?;
        let resume = ResumeSessionConfig::from_config(session_id, config).with_disable_resume(disable_resume);
        let c = (*self.inner).clone();
        into_py(py, async move {
            let s = or_py(c.resume_session(resume).await).await?;
            Ok(PySession::new(s, d))
        })
    }
}
