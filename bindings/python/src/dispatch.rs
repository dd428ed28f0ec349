// SPDX-License-Identifier: MIT
//! Push delivery of `session.on()` events onto one asyncio loop.
//!
//! One [`PyDispatcher`] per event loop. Each listener's task (see
//! `subscription::Shared::push`) takes a batch from its core subscription and posts it
//! here; the loop is woken once for everything posted since its last drain, and
//! `drain()` (called on the loop) hands every posted batch to its Python callback.
//!
//! The wake-up is a byte on a pipe the loop watches with `loop.add_reader` (Unix): the
//! runtime never needs the GIL to deliver an event, so no thread hop or GIL wait sits
//! between the core's reader and the loop. Loops without `add_reader` (Windows' proactor)
//! get `loop.call_soon_threadsafe(ready)` from a blocking-pool thread instead.
//!
//! Each listener has one slot here: batches that arrive before the loop took the last ones
//! are appended to it (no extra wake-up), up to [`SLOT_MAX`] items; past that the listener's
//! task waits, so a slow handler leaves events in the core's bounded queue (with its lag
//! report) rather than in an unbounded backlog.

#[cfg(unix)]
use std::io::{Read, Write};
#[cfg(unix)]
use std::os::unix::net::UnixStream;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;

use parking_lot::Mutex;
use pyo3::exceptions::PyNotImplementedError;
use pyo3::prelude::*;
use tokio::sync::Notify;

use crate::runtime::with_gil;
use crate::subscription::Item;

/// Most items a listener keeps posted but not yet taken; past this its task waits for the
/// loop (and the core's bounded queue, with its lag report, takes the rest).
const SLOT_MAX: usize = 4096;

/// One listener's posted events, waiting for the loop.
pub(crate) struct Slot {
    callback: Py<PyAny>,
    state: Mutex<SlotState>,
    /// Told whenever the loop took the items.
    taken: Notify,
}

#[derive(Default)]
struct SlotState {
    items: Vec<Item>,
    /// The subscription ended: after `items`, the callback gets `None`.
    end: bool,
    /// The slot is in the dispatcher's posted list.
    queued: bool,
}

impl Slot {
    pub(crate) fn new(callback: Py<PyAny>) -> Arc<Self> {
        Arc::new(Slot { callback, state: Mutex::new(SlotState::default()), taken: Notify::new() })
    }

    /// Adds a batch (`None`: the end) and posts the slot unless it is already posted.
    /// Waits while the loop is more than [`SLOT_MAX`] items behind. False when the loop
    /// can no longer be woken.
    pub(crate) async fn add(self: &Arc<Self>, dispatch: &Arc<Inner>, batch: Option<Vec<Item>>) -> bool {
        let post = {
            let mut st = self.state.lock();
            match batch {
                Some(b) if st.items.is_empty() => st.items = b,
                Some(b) => st.items.extend(b),
                None => st.end = true,
            }
            !std::mem::replace(&mut st.queued, true)
        };
        if post && !dispatch.post(self.clone()).await {
            return false;
        }
        loop {
            let taken = self.taken.notified();
            if self.state.lock().items.len() < SLOT_MAX {
                return true;
            }
            taken.await;
        }
    }
}

enum Wake {
    /// A connected socket pair used as a pipe (`std::io::pipe` needs a newer Rust than our MSRV).
    #[cfg(unix)]
    Pipe { reader: Mutex<UnixStream>, writer: UnixStream, written: AtomicUsize },
    Loop { event_loop: Py<PyAny>, ready: Py<PyAny> },
}

pub(crate) struct Inner {
    posted: Mutex<Vec<Arc<Slot>>>,
    wake: Wake,
}

impl Inner {
    /// Posts a slot; wakes the loop when it is the first since the last drain. False
    /// when the loop can no longer be woken (closed loop, exiting interpreter).
    async fn post(self: &Arc<Self>, slot: Arc<Slot>) -> bool {
        let first = {
            let mut posted = self.posted.lock();
            posted.push(slot);
            posted.len() == 1
        };
        if !first {
            return true;
        }
        match &self.wake {
            #[cfg(unix)]
            Wake::Pipe { writer, written, .. } => {
                // At most a byte or two are ever unread (one per drain), so this never blocks.
                let ok = (&*writer).write_all(&[1]).is_ok();
                // Counted after the write: `drain` reads only bytes already in the pipe.
                written.fetch_add(1, Ordering::AcqRel);
                ok
            }
            Wake::Loop { .. } => {
                let me = self.clone();
                with_gil(move |py| {
                    let Wake::Loop { event_loop, ready } = &me.wake else { return false };
                    event_loop.bind(py).call_method1("call_soon_threadsafe", (ready.bind(py),)).is_ok()
                })
                .await
                .unwrap_or(false)
            }
        }
    }
}

/// What `drain()` hands Python: a listener's callback and its batch (`None` at the end).
type Delivery = (Py<PyAny>, Option<Vec<Item>>);

/// Delivers `session.on()` batches onto one event loop (see the module docs).
#[pyclass(module = "copilot_core._native", name = "Dispatcher", frozen)]
pub(crate) struct PyDispatcher {
    pub(crate) inner: Arc<Inner>,
}

#[pymethods]
impl PyDispatcher {
    /// `pipe=True`: the loop watches `fileno()` and calls `drain()` when it is readable.
    /// `pipe=False`: `event_loop.call_soon_threadsafe(ready)` is scheduled instead.
    #[new]
    #[pyo3(signature = (event_loop, ready, pipe = true))]
    fn new(event_loop: Py<PyAny>, ready: Py<PyAny>, pipe: bool) -> PyResult<Self> {
        #[cfg(unix)]
        if pipe {
            let (reader, writer) = UnixStream::pair()?;
            let wake = Wake::Pipe { reader: Mutex::new(reader), writer, written: AtomicUsize::new(0) };
            return Ok(PyDispatcher { inner: Arc::new(Inner { posted: Mutex::new(Vec::new()), wake }) });
        }
        let _ = pipe; // elsewhere `fileno()` raises and the Python side uses the loop instead
        let wake = Wake::Loop { event_loop, ready };
        Ok(PyDispatcher { inner: Arc::new(Inner { posted: Mutex::new(Vec::new()), wake }) })
    }

    /// The pipe's read end, for `loop.add_reader`.
    fn fileno(&self) -> PyResult<i64> {
        match &self.inner.wake {
            #[cfg(unix)]
            Wake::Pipe { reader, .. } => Ok(i64::from(std::os::fd::AsRawFd::as_raw_fd(&*reader.lock()))),
            _ => Err(PyNotImplementedError::new_err("this dispatcher has no pipe")),
        }
    }

    /// Takes every posted batch: a list of `(callback, batch)`, `batch` being a list of
    /// items or `None` at the end of that subscription. Call it on the loop.
    fn drain(&self, py: Python<'_>) -> PyResult<Vec<Delivery>> {
        #[cfg(unix)]
        if let Wake::Pipe { reader, written, .. } = &self.inner.wake {
            let n = written.swap(0, Ordering::AcqRel);
            if n > 0 {
                let mut buf = vec![0u8; n];
                reader.lock().read_exact(&mut buf)?;
            }
        }
        let posted = std::mem::take(&mut *self.inner.posted.lock());
        let mut out = Vec::with_capacity(posted.len());
        for slot in posted {
            let (items, end) = {
                let mut st = slot.state.lock();
                st.queued = false;
                (std::mem::take(&mut st.items), st.end)
            };
            slot.taken.notify_one();
            if !items.is_empty() {
                out.push((slot.callback.clone_ref(py), Some(items)));
            }
            if end {
                out.push((slot.callback.clone_ref(py), None));
            }
        }
        Ok(out)
    }
}
