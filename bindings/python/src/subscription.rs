// SPDX-License-Identifier: MIT
//! Event subscriptions as awaitable batch readers.
//!
//! `recv()` waits for at least one event and then drains whatever else is queued (up to a
//! bound), so a fast stream of deltas costs one Python future per batch rather than per
//! event. Order is the core's order; a lag report (the core's `Lagged(n)`, which only
//! happens past the core's per-subscriber bound) is passed through as an `int` in the batch.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;

use async_trait::async_trait;
use copilot_core::events::{EventSubscription, LifecycleSubscription, RecvError};
use pyo3::prelude::*;
use tokio::sync::{Mutex, Notify};

use crate::dispatch::{PyDispatcher, Slot};
use crate::runtime::{drop_in_runtime, into_py, runtime};

/// Largest batch `recv` returns.
const MAX_BATCH: usize = 512;

/// One item of a batch: an event as JSON, or the number of events lost to lag.
#[derive(IntoPyObject)]
pub(crate) enum Item {
    /// A session event as `(type, wire JSON)`: Python dispatches on the type and decodes the
    /// JSON only when the event's fields are read.
    Event((String, String)),
    /// A lifecycle notification, as wire JSON.
    Lifecycle(String),
    Lagged(u64),
}

/// What a Python subscription reads from: a core event or lifecycle subscription.
#[async_trait]
trait Source: Send + 'static {
    /// Waits for the next item.
    async fn next(&mut self) -> Result<Item, RecvError>;
    /// The next item if one is queued.
    fn try_next(&mut self) -> Option<Result<Item, RecvError>>;
}

fn event_item(ev: &copilot_core::SessionEvent) -> Item {
    Item::Event((ev.event_type.clone(), ev.to_json()))
}

#[async_trait]
impl Source for EventSubscription {
    async fn next(&mut self) -> Result<Item, RecvError> {
        self.recv_shared().await.map(|ev| event_item(&ev))
    }
    fn try_next(&mut self) -> Option<Result<Item, RecvError>> {
        self.try_recv_shared().map(|r| r.map(|ev| event_item(&ev)))
    }
}

#[async_trait]
impl Source for LifecycleSubscription {
    async fn next(&mut self) -> Result<Item, RecvError> {
        self.recv().await.map(|ev| Item::Lifecycle(serde_json::to_string(&ev).unwrap_or_else(|_| "{}".into())))
    }
    fn try_next(&mut self) -> Option<Result<Item, RecvError>> {
        None
    }
}

struct Shared<S> {
    sub: Mutex<Option<S>>,
    closed: AtomicBool,
    wake: Notify,
}

impl<S: Source> Shared<S> {
    fn new(sub: S) -> Arc<Self> {
        Arc::new(Shared {
            sub: Mutex::new(Some(sub)),
            closed: AtomicBool::new(false),
            wake: Notify::new(),
        })
    }

    fn close(self: &Arc<Self>) {
        self.closed.store(true, Ordering::Release);
        self.wake.notify_waiters();
        // Drop the core subscription now when no `recv` holds it; otherwise the pending
        // `recv` drops it on its way out.
        if let Ok(mut guard) = self.sub.try_lock() {
            if let Some(s) = guard.take() {
                drop_in_runtime(s);
            }
        }
    }

    /// Drains up to [`MAX_BATCH`] queued items into `batch`. A close is reported by the
    /// next call, after this batch is handled.
    fn drain(sub: &mut S, batch: &mut Vec<Item>) -> bool {
        while batch.len() < MAX_BATCH {
            match sub.try_next() {
                Some(Ok(item)) => batch.push(item),
                Some(Err(RecvError::Lagged(n))) => batch.push(Item::Lagged(n)),
                Some(Err(RecvError::Closed)) => return true,
                None => break,
            }
        }
        false
    }

    /// Waits for at least one item, then takes what else is queued. `None` once closed
    /// (by the core or by `close()`) and drained.
    async fn recv_batch(self: Arc<Self>) -> PyResult<Option<Vec<Item>>> {
        let mut guard = self.sub.lock().await;
        let Some(sub) = guard.as_mut() else { return Ok(None) };
        // Register for the wake-up before checking the flag: a `close()` in between
        // would otherwise be missed and this `recv` would wait for the next event.
        let woken = self.wake.notified();
        tokio::pin!(woken);
        woken.as_mut().enable();
        if self.closed.load(Ordering::Acquire) {
            guard.take();
            return Ok(None);
        }
        let first = tokio::select! {
            r = sub.next() => r,
            _ = woken => Err(RecvError::Closed),
        };
        let mut batch = Vec::new();
        match first {
            Ok(item) => batch.push(item),
            Err(RecvError::Lagged(n)) => batch.push(Item::Lagged(n)),
            Err(RecvError::Closed) => {
                guard.take();
                return Ok(None);
            }
        }
        Self::drain(sub, &mut batch);
        Ok(Some(batch))
    }

    /// Push mode: a task that adds each batch to the listener's slot in `dispatch` (then
    /// `None` at the end).
    fn push(self: Arc<Self>, dispatch: Arc<crate::dispatch::Inner>, callback: Py<PyAny>) {
        let slot = Slot::new(callback);
        runtime().spawn(async move {
            loop {
                let batch = self.clone().recv_batch().await.ok().flatten();
                let end = batch.is_none();
                if !slot.add(&dispatch, batch).await || end {
                    break;
                }
            }
        });
    }

    /// The items queued right now, without waiting; `None` when closed.
    fn try_recv_batch(&self) -> Option<Vec<Item>> {
        let mut guard = self.sub.try_lock().ok()?;
        let sub = guard.as_mut()?;
        let mut batch = Vec::new();
        if Self::drain(sub, &mut batch) && batch.is_empty() {
            return None;
        }
        Some(batch)
    }
}

/// A subscription to one session's events (`Session.subscribe()`).
#[pyclass(module = "copilot_core._native", name = "EventSubscription", frozen)]
pub(crate) struct PyEventSubscription {
    shared: Arc<Shared<EventSubscription>>,
}

impl PyEventSubscription {
    pub(crate) fn new(sub: EventSubscription) -> Self {
        PyEventSubscription { shared: Shared::new(sub) }
    }
}

#[pymethods]
impl PyEventSubscription {
    /// Waits for the next events. Resolves to a non-empty list of items (event JSON
    /// strings, or an `int` counting events lost to lag), or `None` once the session is
    /// closed and every event was delivered (or `close()` was called).
    fn recv<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        into_py(py, self.shared.clone().recv_batch())
    }

    /// Returns the events queued right now without waiting (possibly an empty list), or
    /// `None` when closed.
    fn try_recv(&self) -> Option<Vec<Item>> {
        self.shared.try_recv_batch()
    }

    /// Delivers the events through `dispatcher` instead of `recv`: its `drain()` returns
    /// `(callback, batch)` pairs, the last batch being `None`. Use one mode per subscription.
    fn push(&self, dispatcher: &Bound<'_, PyDispatcher>, callback: Py<PyAny>) {
        self.shared.clone().push(dispatcher.get().inner.clone(), callback);
    }

    /// Unsubscribes; a pending `recv` resolves to `None`.
    fn close(&self) {
        self.shared.close();
    }

    /// Whether `close()` was called.
    #[getter]
    fn closed(&self) -> bool {
        self.shared.closed.load(Ordering::Acquire)
    }
}

impl Drop for PyEventSubscription {
    fn drop(&mut self) {
        self.shared.close();
    }
}

/// A subscription to connection-wide lifecycle notifications.
#[pyclass(module = "copilot_core._native", name = "LifecycleSubscription", frozen)]
pub(crate) struct PyLifecycleSubscription {
    shared: Arc<Shared<LifecycleSubscription>>,
}

impl PyLifecycleSubscription {
    pub(crate) fn new(sub: LifecycleSubscription) -> Self {
        PyLifecycleSubscription { shared: Shared::new(sub) }
    }
}

#[pymethods]
impl PyLifecycleSubscription {
    /// Waits for the next lifecycle notifications: a non-empty list of items (JSON
    /// strings, or an `int` for notifications lost to lag), or `None` when the connection
    /// is closed (or `close()` was called).
    fn recv<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        into_py(py, self.shared.clone().recv_batch())
    }

    /// Unsubscribes; a pending `recv` resolves to `None`.
    fn close(&self) {
        self.shared.close();
    }
}

impl Drop for PyLifecycleSubscription {
    fn drop(&mut self) {
        self.shared.close();
    }
}
