// SPDX-License-Identifier: MIT
//! Core errors become instances of the Python hierarchy rooted at
//! `copilot_core.errors.CopilotError`.
//!
//! The classes live in Python (they need multiple inheritance, e.g. the timeout error is
//! also a builtin `TimeoutError`); Rust only hands over the variant's stable name, its
//! message and its fields, and `copilot_core.errors._from_native` picks the class.

use copilot_core::Error;
use pyo3::exceptions::PyRuntimeError;
use pyo3::prelude::*;
use serde_json::{json, Value};

use crate::runtime::with_gil;

/// The structured fields of a core error, as JSON for `_from_native`.
fn details(e: &Error) -> Value {
    match e {
        Error::CliNotFound { searched } => json!({"searched": searched}),
        Error::CliStartup { message } => json!({"detail": message}),
        Error::ProtocolVersionMismatch { server, min, max } => json!({"server": server, "min": min, "max": max}),
        Error::Rpc { method, code, message, data } => {
            json!({"method": method, "code": code, "detail": message, "data": data})
        }
        Error::PolicyBlocked { message } => json!({"detail": message}),
        Error::ConnectionLost { reason } => json!({"reason": reason}),
        Error::SessionClosed { session_id } => json!({"session_id": session_id}),
        Error::Session { error_type, message, status_code } => {
            json!({"error_type": error_type, "detail": message, "status_code": status_code})
        }
        Error::Timeout { what, after } => json!({"what": what, "seconds": after.as_secs_f64()}),
        _ => json!({}),
    }
}

/// Builds the Python exception for a core error (needs the GIL).
pub(crate) fn to_py_err(py: Python<'_>, e: Error) -> PyErr {
    let built = (|| -> PyResult<PyErr> {
        let module = py.import("copilot_core.errors")?;
        let exc = module.getattr("_from_native")?.call1((e.kind_name(), e.to_string(), details(&e).to_string()))?;
        Ok(PyErr::from_value(exc))
    })();
    built.unwrap_or_else(|import_err| {
        PyRuntimeError::new_err(format!("{e} (while mapping the error: {import_err})"))
    })
}

/// Builds the Python exception from async code, taking the GIL on a blocking thread.
pub(crate) async fn to_py_err_async(e: Error) -> PyErr {
    let text = e.to_string();
    match with_gil(move |py| to_py_err(py, e)).await {
        Some(err) => err,
        None => PyRuntimeError::new_err(text),
    }
}

/// `?`-friendly conversion for async bodies: `or_py(core_call().await).await?`.
pub(crate) async fn or_py<T>(r: Result<T, Error>) -> PyResult<T> {
    match r {
        Ok(v) => Ok(v),
        Err(e) => Err(to_py_err_async(e).await),
    }
}

/// An invalid-configuration error for input the binding rejects itself.
pub(crate) fn invalid(py: Python<'_>, message: impl Into<String>) -> PyErr {
    to_py_err(py, Error::InvalidConfig(message.into()))
}

/// Parses a JSON argument coming from the Python layer.
pub(crate) fn parse_json(py: Python<'_>, what: &str, text: &str) -> PyResult<Value> {
    serde_json::from_str(text).map_err(|e| invalid(py, format!("{what} is not valid JSON: {e}")))
}
