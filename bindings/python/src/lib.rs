// SPDX-License-Identifier: MIT
//! `copilot_core._native`: the PyO3 bridge between the Rust core and the pure-Python
//! package `copilot_core`.
//!
//! The bridge stays thin on purpose. Options and configurations cross as JSON in the
//! core's own `from_json` shape, events cross as JSON strings, and every Python callback
//! (permissions, tools, hooks, user input, ...) goes through one per-session dispatcher
//! that the Python layer owns. That keeps the protocol logic in the core and the
//! official-API shaping in Python.
//!
//! Threading rules, which every module here follows:
//! - all Rust work runs on one tokio runtime ([`runtime::runtime`]), never while holding
//!   the GIL;
//! - async methods return asyncio futures of the caller's loop ([`runtime::into_py`]);
//! - Python code is only ever run on the caller's event loop, scheduled with
//!   `loop.call_soon_threadsafe` from a blocking-pool thread, or (events of
//!   `session.on()`) woken through a pipe the loop watches ([`dispatch`]).
#![warn(missing_docs)]

mod callbacks;
mod client;
mod dispatch;
mod error;
mod runtime;
mod session;
mod subscription;

use pyo3::prelude::*;

/// The extension module. `copilot_core/__init__.py` wraps everything in it.
#[pymodule]
#[pyo3(name = "_native")]
fn native(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add("__version__", env!("CARGO_PKG_VERSION"))?;
    m.add("PINNED_CLI_VERSION", copilot_core::transport::PINNED_CLI_VERSION)?;
    m.add_class::<client::PyClient>()?;
    m.add_class::<session::PySession>()?;
    m.add_class::<subscription::PyEventSubscription>()?;
    m.add_class::<subscription::PyLifecycleSubscription>()?;
    m.add_class::<dispatch::PyDispatcher>()?;
    m.add_class::<callbacks::PyReply>()?;
    m.add_class::<runtime::CancelOnDone>()?;
    m.add_function(wrap_pyfunction!(runtime::shutdown, m)?)?;
    m.add_function(wrap_pyfunction!(runtime::complete, m)?)?;
    m.add_function(wrap_pyfunction!(find_cli, m)?)?;
    m.add_function(wrap_pyfunction!(qr_text, m)?)?;
    m.add_function(wrap_pyfunction!(qr_svg, m)?)?;
    Ok(())
}

/// Locates the Copilot CLI the way `Client.start` does (explicit path, `COPILOT_CLI_PATH`,
/// the pinned install, `PATH`). Raises `CliNotFoundError` with install instructions.
#[pyfunction]
#[pyo3(signature = (explicit = None))]
fn find_cli(py: Python<'_>, explicit: Option<String>) -> PyResult<String> {
    let found = py.detach(|| copilot_core::transport::find_cli(explicit.as_deref().map(std::path::Path::new)));
    match found {
        Ok(p) => Ok(p.to_string_lossy().into_owned()),
        Err(e) => Err(error::to_py_err(py, e)),
    }
}

/// Renders any text as a terminal QR code (Unicode half blocks).
#[pyfunction]
fn qr_text(py: Python<'_>, data: &str) -> PyResult<String> {
    copilot_core::qr::qr_text(data).map_err(|e| error::to_py_err(py, e))
}

/// Renders any text as an SVG QR code.
#[pyfunction]
fn qr_svg(py: Python<'_>, data: &str) -> PyResult<String> {
    copilot_core::qr::qr_svg(data).map_err(|e| error::to_py_err(py, e))
}
