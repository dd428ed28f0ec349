//! The one tokio runtime of the binding.
//!
//! UniFFI's `tokio` support polls every exported future inside `async_compat::Compat`, which
//! enters async-compat's process-wide runtime (multi-threaded through the crate's
//! `multi-thread` feature). The SDK spawns its own tasks (the connection reader, handler
//! calls) from inside those futures, so they land on the same runtime. Work this crate starts
//! from synchronous entry points (listener loops) and drops of SDK values must use that same
//! runtime too: [`handle`] finds it without creating a second one.

use std::future::Future;
use std::mem::ManuallyDrop;
use std::ops::Deref;
use std::pin::pin;
use std::sync::OnceLock;
use std::task::{Context, Poll, RawWaker, RawWakerVTable, Waker};

use tokio::runtime::Handle;

/// The runtime UniFFI polls exported futures on.
pub fn handle() -> Handle {
    if let Ok(h) = Handle::try_current() {
        return h;
    }
    static HANDLE: OnceLock<Handle> = OnceLock::new();
    HANDLE
        .get_or_init(|| {
            // Compat enters async-compat's global runtime while it polls; the inner future
            // reads the ambient handle and is ready at once.
            poll_ready(async_compat::Compat::new(async { Handle::current() }))
        })
        .clone()
}

fn poll_ready<F: Future>(f: F) -> F::Output {
    fn clone(_: *const ()) -> RawWaker {
        RawWaker::new(std::ptr::null(), &VTABLE)
    }
    fn noop(_: *const ()) {}
    static VTABLE: RawWakerVTable = RawWakerVTable::new(clone, noop, noop, noop);
    // SAFETY: every vtable function ignores the (null) data pointer.
    let waker = unsafe { Waker::from_raw(RawWaker::new(std::ptr::null(), &VTABLE)) };
    let mut cx = Context::from_waker(&waker);
    match pin!(f).poll(&mut cx) {
        Poll::Ready(v) => v,
        Poll::Pending => unreachable!("reading the runtime handle never waits"),
    }
}

/// Holds an SDK value whose drop must run inside the runtime.
///
/// Kotlin frees objects from its cleaner thread and Swift from whichever thread releases the
/// last reference: neither is a tokio thread. SDK values own tokio resources (the CLI child
/// process, channels, tasks), so their drop enters the runtime first. This makes a drop
/// without `stop()` safe; it does not make it graceful: the CLI is killed, not shut down.
pub struct RuntimeDropped<T>(ManuallyDrop<T>);

impl<T> RuntimeDropped<T> {
    /// Wraps `value`.
    pub fn new(value: T) -> Self {
        RuntimeDropped(ManuallyDrop::new(value))
    }
}

impl<T> Deref for RuntimeDropped<T> {
    type Target = T;
    fn deref(&self) -> &T {
        &self.0
    }
}

impl<T> Drop for RuntimeDropped<T> {
    fn drop(&mut self) {
        let _guard = handle().enter();
        // SAFETY: the value is dropped exactly once, here, and never used afterwards.
        unsafe { ManuallyDrop::drop(&mut self.0) }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn handle_is_the_multi_threaded_compat_runtime() {
        let h = handle();
        assert_eq!(h.runtime_flavor(), tokio::runtime::RuntimeFlavor::MultiThread);
        // The same runtime every time.
        let a = std::thread::spawn(handle).join().expect("thread");
        assert_eq!(a.id(), h.id());
    }

    #[test]
    fn drop_on_a_bare_thread_enters_the_runtime() {
        struct NeedsRuntime;
        impl Drop for NeedsRuntime {
            fn drop(&mut self) {
                assert!(Handle::try_current().is_ok(), "dropped outside the runtime");
            }
        }
        std::thread::spawn(|| drop(RuntimeDropped::new(NeedsRuntime))).join().expect("no panic");
    }
}
