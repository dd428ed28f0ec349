// SPDX-License-Identifier: MIT
//! The one tokio runtime of the extension module, and the bridge from Rust futures to
//! asyncio futures.
//!
//! Every place where a runtime thread needs Python goes through [`gil_call`], which
//! counts the calls in flight and refuses new ones once the interpreter has started to
//! exit (`_shutdown`, registered with `atexit` by the Python package). Without that, a
//! completion racing interpreter finalization would attach a thread to a dying
//! interpreter and abort the process.

use std::future::Future;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::OnceLock;
use std::time::{Duration, Instant};

use parking_lot::Mutex;
use pyo3::prelude::*;
use pyo3::IntoPyObjectExt;
use tokio::runtime::Runtime;
use tokio::sync::oneshot;

static RUNTIME: OnceLock<Runtime> = OnceLock::new();
static IN_FLIGHT: AtomicUsize = AtomicUsize::new(0);
static SHUTTING_DOWN: AtomicBool = AtomicBool::new(false);

/// The shared runtime, built on first use.
pub(crate) fn runtime() -> &'static Runtime {
    RUNTIME.get_or_init(|| {
        tokio::runtime::Builder::new_multi_thread()
            // The machine budget is small and the work is I/O: two workers are plenty.
            .worker_threads(2)
            .thread_name("copilot-core")
            .enable_all()
            .build()
            .expect("the tokio runtime for copilot_core._native could not be built")
    })
}

/// Runs `f` with the GIL from a non-Python thread, unless the interpreter is exiting.
pub(crate) fn gil_call<R>(f: impl for<'py> FnOnce(Python<'py>) -> R) -> Option<R> {
    struct Done;
    impl Drop for Done {
        fn drop(&mut self) {
            IN_FLIGHT.fetch_sub(1, Ordering::SeqCst);
        }
    }
    IN_FLIGHT.fetch_add(1, Ordering::SeqCst);
    let _done = Done;
    if SHUTTING_DOWN.load(Ordering::SeqCst) {
        return None;
    }
    Some(Python::attach(f))
}

/// Runs `f` with the GIL on a blocking-pool thread, so that waiting for the GIL never
/// stalls a runtime worker. `None` when the interpreter is exiting.
pub(crate) async fn with_gil<R, F>(f: F) -> Option<R>
where
    F: for<'py> FnOnce(Python<'py>) -> R + Send + 'static,
    R: Send + 'static,
{
    tokio::task::spawn_blocking(move || gil_call(f)).await.ok().flatten()
}

/// Called from `atexit`: stops calling into Python and waits (with the GIL released)
/// for the calls already under way.
#[pyfunction]
#[pyo3(name = "_shutdown", signature = (timeout = 2.0))]
pub(crate) fn shutdown(py: Python<'_>, timeout: f64) {
    SHUTTING_DOWN.store(true, Ordering::SeqCst);
    let deadline = Instant::now() + Duration::from_secs_f64(timeout.max(0.0));
    py.detach(|| {
        while IN_FLIGHT.load(Ordering::SeqCst) > 0 && Instant::now() < deadline {
            std::thread::sleep(Duration::from_millis(1));
        }
    });
}

/// Drops `value` inside the runtime context: the core's handles own tokio resources
/// (tasks, a child process) whose destructors expect one, and Python may finalize
/// objects on any thread.
pub(crate) fn drop_in_runtime<T>(value: T) {
    let _guard = runtime().enter();
    drop(value);
}

/// Done-callback of the asyncio future: tells the Rust task to stop when Python cancels.
#[pyclass(module = "copilot_core._native", name = "_CancelOnDone", frozen)]
pub(crate) struct CancelOnDone {
    tx: Mutex<Option<oneshot::Sender<()>>>,
}

#[pymethods]
impl CancelOnDone {
    fn __call__(&self, fut: &Bound<'_, PyAny>) -> PyResult<()> {
        if fut.call_method0("cancelled")?.is_truthy()? {
            if let Some(tx) = self.tx.lock().take() {
                let _ = tx.send(());
            }
        }
        Ok(())
    }
}

/// Completes an asyncio future on its loop (scheduled with `call_soon_threadsafe`);
/// a future cancelled in the meantime is left alone.
#[pyfunction]
#[pyo3(name = "_complete")]
pub(crate) fn complete(fut: &Bound<'_, PyAny>, ok: bool, value: Bound<'_, PyAny>) -> PyResult<()> {
    if fut.call_method0("done")?.is_truthy()? {
        return Ok(());
    }
    if ok {
        fut.call_method1("set_result", (value,))?;
    } else {
        fut.call_method1("set_exception", (value,))?;
    }
    Ok(())
}

/// Turns a Rust future into an asyncio future of the running loop. The Rust future runs
/// on the shared runtime without the GIL; cancelling the asyncio future drops it.
pub(crate) fn into_py<'py, F, T>(py: Python<'py>, fut: F) -> PyResult<Bound<'py, PyAny>>
where
    F: Future<Output = PyResult<T>> + Send + 'static,
    T: for<'a> IntoPyObject<'a> + Send + 'static,
{
    let event_loop = py.import("asyncio")?.call_method0("get_running_loop")?;
    let py_fut = event_loop.call_method0("create_future")?;
    let (cancel_tx, cancel_rx) = oneshot::channel::<()>();
    py_fut.call_method1("add_done_callback", (CancelOnDone { tx: Mutex::new(Some(cancel_tx)) },))?;
    let complete_fn = py.import("copilot_core._native")?.getattr("_complete")?.unbind();
    let fut_ref = py_fut.clone().unbind();
    let loop_ref = event_loop.unbind();
    runtime().spawn(async move {
        let result = tokio::select! {
            r = fut => r,
            _ = cancel_rx => return,
        };
        let _ = with_gil(move |py| {
            let (ok, value) = match result.and_then(|v| v.into_py_any(py)) {
                Ok(v) => (true, v),
                Err(e) => (false, e.into_value(py).into_any()),
            };
            // A closed loop raises here: nobody is waiting any more, so there is nothing
            // left to report.
            let _ = loop_ref.bind(py).call_method1("call_soon_threadsafe", (complete_fn, fut_ref, ok, value));
        })
        .await;
    });
    Ok(py_fut)
}
