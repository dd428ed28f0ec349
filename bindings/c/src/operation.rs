// SPDX-License-Identifier: MIT
//! Asynchronous operations for hosts with their own event loop: the `*_async` functions
//! start the work and return at once with an operation id; a completion callback receives
//! the outcome exactly once; `copilot_operation_cancel` stops waiting.

use std::collections::HashMap;
use std::ffi::{c_char, c_void, CString};
use std::future::Future;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::LazyLock;

use parking_lot::Mutex;
use tokio::sync::oneshot;

use crate::callbacks::UserData;
use crate::error::{copilot_result, FfiError, FfiResult};
use crate::panic::guard;
use crate::runtime::runtime;

/// Receives the outcome of an asynchronous operation, exactly once.
///
/// `result` is `COPILOT_RESULT_OK` or the code the blocking variant would have returned
/// (`COPILOT_RESULT_CANCELLED` after `copilot_operation_cancel`). `value_json` is the
/// operation's value (as documented at the `*_async` function; NULL when there is none) and
/// `error_message` explains a failure ("" on success); both are borrowed for the call.
///
/// When the `*_async` function itself returns an error (invalid arguments), the callback is
/// never called; otherwise it is called exactly once, on a library thread
/// (`copilot-callback`), never on the caller's thread. It may call any library function,
/// blocking ones included.
pub type copilot_completion_callback = Option<
    unsafe extern "C" fn(
        user_data: *mut c_void,
        result: copilot_result,
        value_json: *const c_char,
        error_message: *const c_char,
    ),
>;

static NEXT_ID: AtomicU64 = AtomicU64::new(1);
static PENDING: LazyLock<Mutex<HashMap<u64, oneshot::Sender<()>>>> = LazyLock::new(|| Mutex::new(HashMap::new()));

fn complete(
    f: unsafe extern "C" fn(*mut c_void, copilot_result, *const c_char, *const c_char),
    user_data: UserData,
    outcome: FfiResult<Option<String>>,
) {
    let run = move || {
        let (code, value, message) = match outcome {
            Ok(v) => (copilot_result::Ok, v, String::new()),
            Err(e) => (e.code, None, e.message),
        };
        let value = value.and_then(|v| CString::new(v).ok());
        let message = CString::new(message.replace('\0', "\u{FFFD}")).unwrap_or_default();
        crate::error::set_last_error(code, message.to_str().unwrap_or(""));
        // SAFETY: the application's completion callback with its own user_data; the strings
        // outlive the call.
        unsafe { f(user_data.ptr(), code, value.as_ref().map_or(std::ptr::null(), |v| v.as_ptr()), message.as_ptr()) };
    };
    // Completions never run on a runtime worker (nor on the caller's thread).
    if std::thread::Builder::new().name("copilot-callback".into()).spawn(run).is_err() {
        // Without a thread there is no safe place to call C from a worker; the operation's
        // outcome is lost, which can only happen when the process is out of threads.
    }
}

/// Starts an operation: validated synchronously by the caller, then run on the runtime.
pub(crate) fn start<F>(
    fut: F,
    callback: copilot_completion_callback,
    user_data: *mut c_void,
    out_id: *mut u64,
) -> FfiResult<()>
where
    F: Future<Output = FfiResult<Option<String>>> + Send + 'static,
{
    let Some(f) = callback else {
        return Err(FfiError::new(copilot_result::NullParameter, "complete is NULL"));
    };
    let rt = runtime()?;
    let id = NEXT_ID.fetch_add(1, Ordering::Relaxed);
    let (cancel_tx, cancel_rx) = oneshot::channel();
    PENDING.lock().insert(id, cancel_tx);
    if !out_id.is_null() {
        // SAFETY: non-NULL and writable per the exported function's contract.
        unsafe { *out_id = id };
    }
    let user_data = UserData::new(user_data, None);
    rt.spawn(async move {
        let task = tokio::spawn(fut);
        let abort = task.abort_handle();
        let outcome = tokio::select! {
            r = task => match r {
                Ok(r) => r,
                Err(e) if e.is_panic() => Err(FfiError::new(
                    copilot_result::Panic,
                    format!("internal panic in copilot_core (please report it): {}", crate::panic::panic_message(e.into_panic().as_ref())),
                )),
                Err(_) => Err(FfiError::new(copilot_result::Cancelled, "the operation was cancelled")),
            },
            _ = cancel_rx => {
                abort.abort();
                Err(FfiError::new(copilot_result::Cancelled, "the operation was cancelled"))
            }
        };
        PENDING.lock().remove(&id);
        complete(f, user_data, outcome);
    });
    Ok(())
}

/// Cancels a pending asynchronous operation: the library stops waiting and the completion
/// callback receives `COPILOT_RESULT_CANCELLED` (unless the operation finished first). It
/// does not undo work already sent to the CLI: a turn keeps running (see
/// `copilot_session_abort`). `COPILOT_RESULT_INVALID_ARGUMENT` for an unknown or finished id.
#[no_mangle]
pub extern "C" fn copilot_operation_cancel(operation_id: u64) -> copilot_result {
    guard(|| match PENDING.lock().remove(&operation_id) {
        Some(tx) => {
            let _ = tx.send(());
            Ok(())
        }
        None => Err(FfiError::new(copilot_result::InvalidArgument, format!("no pending operation {operation_id}"))),
    })
}
