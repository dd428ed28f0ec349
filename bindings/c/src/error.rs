// SPDX-License-Identifier: MIT
//! Result codes and the per-thread "last error".
//!
//! Every fallible export returns a [`copilot_result`] and records a message for the calling
//! thread, readable with [`copilot_last_error_message`] until the next fallible call on that
//! thread. Codes are grouped in ranges (1xx: the caller's input, 2xx: state and timing,
//! 3xx: the CLI and GitHub, 9xx: bugs in this library). Numbers are stable: a retired code
//! is never reused.

use std::cell::RefCell;
use std::ffi::{c_char, CString};

use sdk::Error as CoreError;

/// Result of every fallible function. `COPILOT_RESULT_OK` (0) means success; for any other
/// value `copilot_last_error_message()` explains what happened.
#[repr(u32)]
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum copilot_result {
    /// Success.
    Ok = 0,
    /// A required pointer argument was NULL.
    NullParameter = 100,
    /// A string argument was not valid UTF-8.
    InvalidUtf8 = 101,
    /// A JSON argument did not parse, or had the wrong shape (for example not an object).
    InvalidJson = 102,
    /// Options or a configuration were rejected (unknown key, wrong type, bad value).
    InvalidConfig = 103,
    /// The handle was freed, never issued by this library, or is not a handle at all.
    InvalidHandle = 104,
    /// A valid handle of another type was passed (for example a session where a client is
    /// expected).
    WrongHandleType = 105,
    /// Another argument was out of range or not acceptable (for example a string pointer that
    /// this library did not return).
    InvalidArgument = 106,
    /// The operation did not finish in time; for `copilot_session_next_event`, no event
    /// arrived within the timeout.
    Timeout = 200,
    /// The client was stopped; start a new one.
    ClientStopped = 201,
    /// The session was disconnected or is unknown to the server.
    SessionClosed = 202,
    /// The connection to the CLI is gone (process exited, socket closed).
    ConnectionLost = 203,
    /// `copilot_session_next_event`: the session is closed and every event was delivered.
    EventStreamClosed = 204,
    /// The session has no remote (Mission Control) URL yet.
    NoRemoteUrl = 205,
    /// An asynchronous operation was cancelled with `copilot_operation_cancel`.
    Cancelled = 206,
    /// No Copilot CLI binary was found.
    CliNotFound = 300,
    /// The CLI could not be started or exited during start-up.
    CliStartup = 301,
    /// The server speaks a protocol version this library does not support.
    ProtocolVersionMismatch = 302,
    /// The CLI broke the framing or JSON-RPC rules, or answered with an unexpected shape.
    Protocol = 303,
    /// The server answered a request with a JSON-RPC error.
    Rpc = 304,
    /// GitHub refused because of an organisation or user policy. Never retried.
    PolicyBlocked = 305,
    /// The agent reported `session.error` while the call waited for the turn.
    SessionError = 306,
    /// A handler failed.
    HandlerFailed = 307,
    /// An I/O error.
    Io = 308,
    /// A panic inside the library was caught at the boundary. Please report it.
    Panic = 900,
    /// An internal error (for example the async runtime could not be created).
    Internal = 901,
}

impl copilot_result {
    /// Every code, for `copilot_result_name` and the tests.
    pub(crate) const ALL: [copilot_result; 26] = [
        copilot_result::Ok,
        copilot_result::NullParameter,
        copilot_result::InvalidUtf8,
        copilot_result::InvalidJson,
        copilot_result::InvalidConfig,
        copilot_result::InvalidHandle,
        copilot_result::WrongHandleType,
        copilot_result::InvalidArgument,
        copilot_result::Timeout,
        copilot_result::ClientStopped,
        copilot_result::SessionClosed,
        copilot_result::ConnectionLost,
        copilot_result::EventStreamClosed,
        copilot_result::NoRemoteUrl,
        copilot_result::Cancelled,
        copilot_result::CliNotFound,
        copilot_result::CliStartup,
        copilot_result::ProtocolVersionMismatch,
        copilot_result::Protocol,
        copilot_result::Rpc,
        copilot_result::PolicyBlocked,
        copilot_result::SessionError,
        copilot_result::HandlerFailed,
        copilot_result::Io,
        copilot_result::Panic,
        copilot_result::Internal,
    ];

    /// The constant's name as spelled in the header, NUL-terminated.
    pub(crate) fn name(self) -> &'static str {
        match self {
            copilot_result::Ok => "COPILOT_RESULT_OK\0",
            copilot_result::NullParameter => "COPILOT_RESULT_NULL_PARAMETER\0",
            copilot_result::InvalidUtf8 => "COPILOT_RESULT_INVALID_UTF8\0",
            copilot_result::InvalidJson => "COPILOT_RESULT_INVALID_JSON\0",
            copilot_result::InvalidConfig => "COPILOT_RESULT_INVALID_CONFIG\0",
            copilot_result::InvalidHandle => "COPILOT_RESULT_INVALID_HANDLE\0",
            copilot_result::WrongHandleType => "COPILOT_RESULT_WRONG_HANDLE_TYPE\0",
            copilot_result::InvalidArgument => "COPILOT_RESULT_INVALID_ARGUMENT\0",
            copilot_result::Timeout => "COPILOT_RESULT_TIMEOUT\0",
            copilot_result::ClientStopped => "COPILOT_RESULT_CLIENT_STOPPED\0",
            copilot_result::SessionClosed => "COPILOT_RESULT_SESSION_CLOSED\0",
            copilot_result::ConnectionLost => "COPILOT_RESULT_CONNECTION_LOST\0",
            copilot_result::EventStreamClosed => "COPILOT_RESULT_EVENT_STREAM_CLOSED\0",
            copilot_result::NoRemoteUrl => "COPILOT_RESULT_NO_REMOTE_URL\0",
            copilot_result::Cancelled => "COPILOT_RESULT_CANCELLED\0",
            copilot_result::CliNotFound => "COPILOT_RESULT_CLI_NOT_FOUND\0",
            copilot_result::CliStartup => "COPILOT_RESULT_CLI_STARTUP\0",
            copilot_result::ProtocolVersionMismatch => "COPILOT_RESULT_PROTOCOL_VERSION_MISMATCH\0",
            copilot_result::Protocol => "COPILOT_RESULT_PROTOCOL\0",
            copilot_result::Rpc => "COPILOT_RESULT_RPC\0",
            copilot_result::PolicyBlocked => "COPILOT_RESULT_POLICY_BLOCKED\0",
            copilot_result::SessionError => "COPILOT_RESULT_SESSION_ERROR\0",
            copilot_result::HandlerFailed => "COPILOT_RESULT_HANDLER_FAILED\0",
            copilot_result::Io => "COPILOT_RESULT_IO\0",
            copilot_result::Panic => "COPILOT_RESULT_PANIC\0",
            copilot_result::Internal => "COPILOT_RESULT_INTERNAL\0",
        }
    }
}

/// An error on its way to the C caller: a code and a message.
#[derive(Debug, Clone)]
pub(crate) struct FfiError {
    pub code: copilot_result,
    pub message: String,
}

impl FfiError {
    pub(crate) fn new(code: copilot_result, message: impl Into<String>) -> FfiError {
        FfiError { code, message: message.into() }
    }
}

impl From<CoreError> for FfiError {
    fn from(e: CoreError) -> FfiError {
        let code = match &e {
            CoreError::CliNotFound { .. } => copilot_result::CliNotFound,
            CoreError::CliStartup { .. } => copilot_result::CliStartup,
            CoreError::ProtocolVersionMismatch { .. } => copilot_result::ProtocolVersionMismatch,
            CoreError::Protocol(_) | CoreError::Json(_) => copilot_result::Protocol,
            CoreError::Rpc { .. } => copilot_result::Rpc,
            CoreError::PolicyBlocked { .. } => copilot_result::PolicyBlocked,
            CoreError::ConnectionLost { .. } => copilot_result::ConnectionLost,
            CoreError::ClientStopped => copilot_result::ClientStopped,
            CoreError::SessionClosed { .. } => copilot_result::SessionClosed,
            CoreError::Session { .. } => copilot_result::SessionError,
            CoreError::Timeout { .. } => copilot_result::Timeout,
            CoreError::InvalidConfig(_) => copilot_result::InvalidConfig,
            CoreError::Handler(_) => copilot_result::HandlerFailed,
            CoreError::Io(_) => copilot_result::Io,
            // The core error is non-exhaustive: a variant added later is reported, not lost.
            _ => copilot_result::Internal,
        };
        FfiError { code, message: format!("{e} [{}]", e.kind_name()) }
    }
}

pub(crate) type FfiResult<T> = Result<T, FfiError>;

struct LastError {
    code: copilot_result,
    message: CString,
}

thread_local! {
    static LAST_ERROR: RefCell<LastError> =
        RefCell::new(LastError { code: copilot_result::Ok, message: CString::default() });
}

pub(crate) fn set_last_error(code: copilot_result, message: &str) {
    let message = CString::new(message.replace('\0', "\u{FFFD}")).unwrap_or_default();
    // try_with: during thread teardown the slot may already be gone; losing the message
    // then is better than aborting.
    let _ = LAST_ERROR.try_with(|l| {
        if let Ok(mut l) = l.try_borrow_mut() {
            l.code = code;
            l.message = message;
        }
    });
}

pub(crate) fn clear_last_error() {
    let _ = LAST_ERROR.try_with(|l| {
        if let Ok(mut l) = l.try_borrow_mut() {
            if l.code != copilot_result::Ok {
                l.code = copilot_result::Ok;
                l.message = CString::default();
            }
        }
    });
}

/// The message of the last failed call on this thread, or "" when the last fallible call
/// succeeded.
///
/// The pointer is owned by the library and stays valid until the next fallible `copilot_*`
/// call on the same thread; copy it if you need it longer. Never NULL. Do not free it.
#[no_mangle]
pub extern "C" fn copilot_last_error_message() -> *const c_char {
    crate::panic::guard_or(c"".as_ptr(), || {
        LAST_ERROR
            .try_with(|l| l.try_borrow().map(|l| l.message.as_ptr()).unwrap_or(c"".as_ptr()))
            .unwrap_or(c"".as_ptr())
    })
}

/// The code of the last fallible call on this thread (`COPILOT_RESULT_OK` when it succeeded).
#[no_mangle]
pub extern "C" fn copilot_last_error_code() -> copilot_result {
    crate::panic::guard_or(copilot_result::Panic, || {
        LAST_ERROR
            .try_with(|l| l.try_borrow().map(|l| l.code).unwrap_or(copilot_result::Ok))
            .unwrap_or(copilot_result::Ok)
    })
}

/// The name of a result code as spelled in this header (e.g. "COPILOT_RESULT_TIMEOUT"), or
/// "COPILOT_RESULT_UNKNOWN" for a number that is not a code. Static; never NULL; do not free.
///
/// Takes a plain integer so that any value, even one that is not a code, is safe to pass.
#[no_mangle]
pub extern "C" fn copilot_result_name(code: u32) -> *const c_char {
    crate::panic::guard_or(c"COPILOT_RESULT_UNKNOWN".as_ptr(), || {
        copilot_result::ALL
            .iter()
            .find(|c| **c as u32 == code)
            .map(|c| c.name().as_ptr().cast::<c_char>())
            .unwrap_or(c"COPILOT_RESULT_UNKNOWN".as_ptr())
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::ffi::CStr;

    #[test]
    fn names_match_the_header_spelling_and_numbers_are_unique() {
        let mut seen = std::collections::HashSet::new();
        for c in copilot_result::ALL {
            seen.insert(c as u32);
            let name = unsafe { CStr::from_ptr(copilot_result_name(c as u32)) }.to_str().expect("utf8");
            assert!(name.starts_with("COPILOT_RESULT_"), "{name}");
        }
        assert_eq!(seen.len(), copilot_result::ALL.len());
        let unknown = unsafe { CStr::from_ptr(copilot_result_name(4242)) };
        assert_eq!(unknown.to_str().expect("utf8"), "COPILOT_RESULT_UNKNOWN");
    }

    #[test]
    fn last_error_is_per_thread() {
        set_last_error(copilot_result::Timeout, "slow");
        std::thread::spawn(|| assert_eq!(copilot_last_error_code(), copilot_result::Ok)).join().expect("thread");
        assert_eq!(copilot_last_error_code(), copilot_result::Timeout);
        let m = unsafe { CStr::from_ptr(copilot_last_error_message()) };
        assert_eq!(m.to_str().expect("utf8"), "slow");
        clear_last_error();
        assert_eq!(copilot_last_error_code(), copilot_result::Ok);
    }
}
