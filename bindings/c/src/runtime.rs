// SPDX-License-Identifier: MIT
//! The one tokio runtime of the C library.
//!
//! It is multi-threaded and created on first use (or by `copilot_runtime_init`), and lives
//! until the process exits. Blocking C calls run `block_on` on the caller's own thread. C
//! callbacks never run on the runtime's worker threads (see `callbacks.rs`), so a callback
//! may make blocking calls; should a blocking call still arrive on a runtime thread, it is
//! moved to a helper thread, because `block_on` must never run inside the runtime.

use std::future::Future;
use std::sync::OnceLock;

use tokio::runtime::Runtime;

use crate::error::{copilot_result, FfiError, FfiResult};
use crate::panic::guard;

static RUNTIME: OnceLock<Result<Runtime, String>> = OnceLock::new();
static WORKERS: OnceLock<usize> = OnceLock::new();

fn default_workers() -> usize {
    std::thread::available_parallelism().map(|n| n.get()).unwrap_or(2).clamp(2, 4)
}

pub(crate) fn runtime() -> FfiResult<&'static Runtime> {
    RUNTIME
        .get_or_init(|| {
            let workers = *WORKERS.get_or_init(default_workers);
            tokio::runtime::Builder::new_multi_thread()
                .worker_threads(workers)
                .thread_name("copilot-rt")
                .enable_all()
                .build()
                .map_err(|e| format!("cannot create the async runtime: {e}"))
        })
        .as_ref()
        .map_err(|e| FfiError::new(copilot_result::Internal, e.clone()))
}

/// Runs a future to completion from a blocking C call.
pub(crate) fn block_on<F>(fut: F) -> FfiResult<F::Output>
where
    F: Future + Send,
    F::Output: Send,
{
    let rt = runtime()?;
    if tokio::runtime::Handle::try_current().is_err() {
        return Ok(rt.block_on(fut));
    }
    // On a runtime thread (or inside another runtime): block a helper thread instead.
    std::thread::scope(|s| match s.spawn(|| rt.block_on(fut)).join() {
        Ok(v) => Ok(v),
        Err(p) => std::panic::resume_unwind(p),
    })
}

/// Creates the library's async runtime now instead of on first use, with `worker_threads`
/// worker threads (0 = the default: the number of CPUs, clamped to 2..4).
///
/// Optional. Call it before any other function if you want to choose the thread count or
/// to see runtime creation errors early. Returns `COPILOT_RESULT_INVALID_ARGUMENT` if the
/// runtime already exists with a different explicit thread count. Thread-safe.
#[no_mangle]
pub extern "C" fn copilot_runtime_init(worker_threads: u32) -> copilot_result {
    guard(|| {
        if worker_threads > 0 {
            let want = worker_threads as usize;
            let have = *WORKERS.get_or_init(|| want);
            if have != want {
                return Err(FfiError::new(
                    copilot_result::InvalidArgument,
                    format!("the runtime already uses {have} worker threads"),
                ));
            }
        }
        runtime().map(|_| ())
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn block_on_from_a_runtime_thread_does_not_panic_or_stall() {
        let rt = runtime().expect("runtime");
        let inner = rt.block_on(async {
            tokio::spawn(async {
                block_on(async {
                    tokio::time::sleep(std::time::Duration::from_millis(5)).await;
                    7
                })
            })
            .await
            .expect("task")
        });
        assert_eq!(inner.expect("nested block_on"), 7);
    }
}
