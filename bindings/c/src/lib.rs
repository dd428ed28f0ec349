// SPDX-License-Identifier: MIT
//! # The C ABI of copilot-core
//!
//! `libcopilot_core` (shared and static) and `include/copilot_core.h`, generated from this
//! crate by cbindgen. Conventions, stated once here and in the header:
//!
//! - **Handles** (`copilot_client`, `copilot_session`, `copilot_handlers`) are opaque,
//!   created by `copilot_*_start`/`_new`/`create_*` and released with `copilot_*_free`.
//!   They are validated on every call: a NULL, freed, foreign or mistyped handle gives a
//!   result code, never a crash. Every handle may be used from any thread concurrently.
//! - **Results**: every fallible function returns a `copilot_result` (0 = OK) and records a
//!   message for the calling thread (`copilot_last_error_message`). Outputs go through
//!   out-parameters, which are set to NULL first and written only on success.
//! - **Strings** are UTF-8 and NUL-terminated. Inputs are borrowed for the call; outputs are
//!   owned by the caller and freed with `copilot_string_free`. Options, configurations,
//!   events and results are JSON.
//! - **Threads**: blocking calls run on the caller's thread on top of one multi-threaded
//!   tokio runtime owned by the library (created on first use, or by
//!   `copilot_runtime_init`). Callbacks run on library-owned threads that are not runtime
//!   workers, so they may call any function, blocking ones included.
//! - **Async**: hosts with their own event loop use the `*_async` variants, which complete
//!   through a callback on a library thread and can be cancelled (`copilot_operation_cancel`).
//! - **Panics** are caught at the boundary (`COPILOT_RESULT_PANIC`).
#![warn(missing_docs)]
// The exported types use the C spelling of the header (`copilot_client`, ...).
#![allow(non_camel_case_types)]
#![deny(unsafe_op_in_unsafe_fn)]

mod callbacks;
mod client;
mod error;
mod events;
mod handle;
mod operation;
mod panic;
mod runtime;
mod session;
mod strings;

use std::ffi::c_char;

pub use callbacks::{
    copilot_destroy_callback, copilot_elicitation_callback, copilot_exit_plan_mode_callback, copilot_handlers,
    copilot_handlers_add_tool, copilot_handlers_free, copilot_handlers_new, copilot_handlers_set_elicitation_callback,
    copilot_handlers_set_exit_plan_mode_callback, copilot_handlers_set_hook_callback,
    copilot_handlers_set_permission_callback, copilot_handlers_set_permission_preset,
    copilot_handlers_set_user_input_callback, copilot_hook_callback, copilot_permission_callback,
    copilot_tool_callback, copilot_user_input_callback,
};
pub use client::{
    copilot_client, copilot_client_call, copilot_client_call_async, copilot_client_delete_session, copilot_client_free,
    copilot_client_info, copilot_client_list_models, copilot_client_list_sessions, copilot_client_options_validate,
    copilot_client_start, copilot_client_stop,
};
pub use error::{copilot_last_error_code, copilot_last_error_message, copilot_result, copilot_result_name};
pub use events::copilot_event_callback;
pub use operation::{copilot_completion_callback, copilot_operation_cancel};
pub use runtime::copilot_runtime_init;
pub use session::{
    copilot_client_create_session, copilot_client_resume_session, copilot_session, copilot_session_abort,
    copilot_session_call, copilot_session_disconnect, copilot_session_free, copilot_session_id, copilot_session_info,
    copilot_session_next_event, copilot_session_remote_disable, copilot_session_remote_enable,
    copilot_session_remote_qr_svg, copilot_session_remote_qr_text, copilot_session_remote_url, copilot_session_send,
    copilot_session_send_and_wait, copilot_session_send_and_wait_async, copilot_session_set_event_callback,
    copilot_session_wait_until_ready,
};
pub use strings::{copilot_string_dup, copilot_string_free};

/// The library version ("MAJOR.MINOR.PATCH"), equal to `COPILOT_CORE_VERSION` of the header
/// it was built with. Static; do not free.
#[no_mangle]
pub extern "C" fn copilot_version() -> *const c_char {
    panic::guard_or(c"".as_ptr(), || concat!(env!("CARGO_PKG_VERSION"), "\0").as_ptr().cast())
}

#[cfg(test)]
mod tests {
    /// Every export runs its body through the panic boundary: `guard`/`guard_or` directly or
    /// one of the helpers built on `guard`.
    #[test]
    fn every_export_is_guarded() {
        const GUARDS: [&str; 7] =
            ["guard(", "guard_or(", "string_out(", "json_out(", "remote_out(", "session_op(", "open_session("];
        let sources = [
            include_str!("callbacks.rs"),
            include_str!("client.rs"),
            include_str!("error.rs"),
            include_str!("events.rs"),
            include_str!("lib.rs"),
            include_str!("operation.rs"),
            include_str!("runtime.rs"),
            include_str!("session.rs"),
            include_str!("strings.rs"),
        ];
        let mut exports = 0;
        for src in sources {
            for (at, _) in src.match_indices("#[no_mangle]\npub ") {
                exports += 1;
                let rest = &src[at..];
                let name = rest.split("fn ").nth(1).and_then(|r| r.split('(').next()).unwrap_or("?");
                let body = &rest[rest.find(") ->").expect("a result type")..];
                let body = &body[body.find('{').expect("a body") + 1..];
                let first = body.lines().map(str::trim).find(|l| !l.is_empty() && !l.starts_with("//")).unwrap_or("");
                let first = if first == "unsafe {" {
                    body.lines().map(str::trim).filter(|l| !l.is_empty() && !l.starts_with("//")).nth(1).unwrap_or("")
                } else {
                    first
                };
                assert!(GUARDS.iter().any(|g| first.contains(g)), "{name} does not start with a panic guard: {first}");
            }
        }
        assert!(exports >= 40, "found only {exports} exports");
    }
}
