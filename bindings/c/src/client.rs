// SPDX-License-Identifier: MIT
//! `copilot_client`: one connection to one Copilot CLI server.

use std::ffi::{c_char, c_void};
use std::sync::Arc;

use sdk::{Client, ClientOptions};
use serde_json::json;

use crate::error::copilot_result;
use crate::handle::{self, Handle, Kind, Object};
use crate::operation::{self, copilot_completion_callback};
use crate::panic::guard;
use crate::runtime::block_on;
use crate::strings::{call_args, json_out, object_arg, out_arg, str_arg};

/// A connection to the Copilot CLI (it spawns the CLI, or connects to a running one).
/// Corresponds to a `copilot_core::Client`.
///
/// Created by `copilot_client_start`; stopped by `copilot_client_stop`; released by
/// `copilot_client_free`. Every function taking it is thread-safe; one client may serve
/// any number of threads and sessions.
pub struct copilot_client {
    _private: [u8; 0],
}

pub(crate) struct ClientObj {
    pub(crate) client: Client,
}

impl Handle for copilot_client {
    const KIND: Kind = Kind::Client;
    type Obj = ClientObj;
    fn wrap(obj: Arc<ClientObj>) -> Object {
        Object::Client(obj)
    }
    fn unwrap(obj: Object) -> Option<Arc<ClientObj>> {
        match obj {
            Object::Client(c) => Some(c),
            _ => None,
        }
    }
}

/// Starts a client: spawns (or connects to) the CLI and performs the protocol handshake.
/// Blocks until the CLI is ready (bounded by `startup_timeout_ms`, default 30 s).
///
/// `options_json` is a JSON object (NULL or `{}` = defaults), keys in snake_case:
/// `cli_path`, `extra_args`, `cwd`, `env` (object of strings), `env_remove` (array),
/// `github_token`, `use_logged_in_user`, `log_level`, `enable_remote_sessions`,
/// `base_directory`, `session_idle_timeout_seconds`, `request_timeout_ms`,
/// `startup_timeout_ms`, `subscriber_bound`, and `transport`:
/// `{"type": "stdio"}` (default), `{"type": "tcp", "port": 0}` or
/// `{"type": "external", "host": "127.0.0.1", "port": 4321, "connection_token": "..."}`.
/// Unknown keys are rejected with `COPILOT_RESULT_INVALID_CONFIG`.
///
/// On success `*out_client` receives the handle (free it with `copilot_client_free`); on
/// failure it is set to NULL.
///
/// # Safety
/// `options_json` must be NULL or NUL-terminated; `out_client` must be NULL or writable.
#[no_mangle]
pub unsafe extern "C" fn copilot_client_start(
    options_json: *const c_char,
    out_client: *mut *mut copilot_client,
) -> copilot_result {
    guard(|| {
        // SAFETY: caller contract.
        let out = unsafe { out_arg(out_client, "out_client") }?;
        // SAFETY: caller contract.
        let json = unsafe { object_arg(options_json, "options_json") }?;
        let options = ClientOptions::from_json(&json)?;
        let client = block_on(Client::start(options))??;
        *out = handle::issue::<copilot_client>(Arc::new(ClientObj { client }))?;
        Ok(())
    })
}

/// Stops the client: disconnects every session, shuts the CLI down (killing it if it does
/// not exit in time). Bounded; idempotent. Afterwards calls on the client fail with
/// `COPILOT_RESULT_CLIENT_STOPPED` and on its sessions with a closed/lost code. The handle
/// stays valid until `copilot_client_free`.
#[no_mangle]
pub extern "C" fn copilot_client_stop(client: *mut copilot_client) -> copilot_result {
    guard(|| {
        let c = handle::lookup(client.cast_const())?;
        block_on(c.client.stop())??;
        Ok(())
    })
}

/// Frees the handle, stopping the client first if it is still running. NULL is ignored.
/// Session handles of this client stay valid (their calls then fail) until freed.
#[no_mangle]
pub extern "C" fn copilot_client_free(client: *mut copilot_client) -> copilot_result {
    guard(|| {
        if client.is_null() {
            return Ok(());
        }
        let c = handle::release(client.cast_const())?;
        block_on(c.client.stop())??;
        Ok(())
    })
}

/// Calls any CLI method (JSON-RPC) and returns its result as JSON, for the many methods
/// without a dedicated function (`status.get`, `auth.getStatus`, `session.getMetadata`, ...).
///
/// `params_json` is NULL (= `{}`) or JSON. On success `*out_result_json` receives the result
/// (free it with `copilot_string_free`). A JSON-RPC error gives `COPILOT_RESULT_RPC`.
///
/// # Safety
/// Strings must be NULL or NUL-terminated; `out_result_json` must be NULL or writable.
#[no_mangle]
pub unsafe extern "C" fn copilot_client_call(
    client: *mut copilot_client,
    method: *const c_char,
    params_json: *const c_char,
    out_result_json: *mut *mut c_char,
) -> copilot_result {
    // SAFETY: caller contract.
    unsafe {
        json_out(out_result_json, "out_result_json", || {
            let c = handle::lookup(client.cast_const())?;
            let (method, params) = call_args(method, params_json)?;
            Ok(block_on(c.client.call(method, params))??)
        })
    }
}

/// The asynchronous form of `copilot_client_call`: `complete` (required) later receives the
/// result as `value_json`, or the error, exactly once, with `user_data`. See
/// `copilot_completion_callback` and `copilot_operation_cancel`.
///
/// # Safety
/// Strings must be NULL or NUL-terminated; `out_operation_id` must be NULL or writable.
#[no_mangle]
pub unsafe extern "C" fn copilot_client_call_async(
    client: *mut copilot_client,
    method: *const c_char,
    params_json: *const c_char,
    complete: copilot_completion_callback,
    user_data: *mut c_void,
    out_operation_id: *mut u64,
) -> copilot_result {
    guard(|| {
        let c = handle::lookup(client.cast_const())?;
        // SAFETY: caller contract.
        let (method, params) = unsafe { call_args(method, params_json) }?;
        let method = method.to_owned();
        let client = c.client.clone();
        let fut = async move { Ok(Some(client.call(&method, params).await?.to_string())) };
        operation::start(fut, complete, user_data, out_operation_id)
    })
}

/// Lists stored sessions: `*out_json` receives a JSON array of
/// `{"sessionId", "startTime", "modifiedTime", "summary", "isRemote"}`.
/// Free it with `copilot_string_free`.
///
/// # Safety
/// `out_json` must be NULL or writable.
#[no_mangle]
pub unsafe extern "C" fn copilot_client_list_sessions(
    client: *mut copilot_client,
    out_json: *mut *mut c_char,
) -> copilot_result {
    // SAFETY: caller contract.
    unsafe {
        json_out(out_json, "out_json", || Ok(block_on(handle::lookup(client.cast_const())?.client.list_sessions())??))
    }
}

/// Deletes a stored session (its persisted state on the CLI's machine).
///
/// # Safety
/// `session_id` must be NULL or NUL-terminated.
#[no_mangle]
pub unsafe extern "C" fn copilot_client_delete_session(
    client: *mut copilot_client,
    session_id: *const c_char,
) -> copilot_result {
    guard(|| {
        let c = handle::lookup(client.cast_const())?;
        // SAFETY: caller contract.
        let id = unsafe { str_arg(session_id, "session_id") }?;
        block_on(c.client.delete_session(id))??;
        Ok(())
    })
}

/// Lists the models available to the user: `*out_json` receives a JSON array of
/// `{"id", "name", "capabilities"}`. Free it with `copilot_string_free`.
///
/// # Safety
/// `out_json` must be NULL or writable.
#[no_mangle]
pub unsafe extern "C" fn copilot_client_list_models(
    client: *mut copilot_client,
    out_json: *mut *mut c_char,
) -> copilot_result {
    // SAFETY: caller contract.
    unsafe {
        json_out(out_json, "out_json", || Ok(block_on(handle::lookup(client.cast_const())?.client.list_models())??))
    }
}

/// Describes the client: `*out_json` receives
/// `{"serverVersion", "protocolVersion", "cliPid", "warnings": [...]}`.
/// Free it with `copilot_string_free`. Does not talk to the CLI.
///
/// # Safety
/// `out_json` must be NULL or writable.
#[no_mangle]
pub unsafe extern "C" fn copilot_client_info(
    client: *mut copilot_client,
    out_json: *mut *mut c_char,
) -> copilot_result {
    // SAFETY: caller contract.
    unsafe {
        json_out(out_json, "out_json", || {
            let c = handle::lookup(client.cast_const())?;
            Ok(json!({
                "serverVersion": c.client.server_version(),
                "protocolVersion": c.client.protocol_version(),
                "cliPid": c.client.cli_pid(),
                "warnings": c.client.warnings(),
            }))
        })
    }
}

/// Parses options the same way `copilot_client_start` does, without starting anything
/// (for validating configuration early; NULL = `{}`). Returns `COPILOT_RESULT_OK` or
/// `COPILOT_RESULT_INVALID_JSON` / `COPILOT_RESULT_INVALID_CONFIG` with a message.
///
/// # Safety
/// `options_json` must be NULL or NUL-terminated.
#[no_mangle]
pub unsafe extern "C" fn copilot_client_options_validate(options_json: *const c_char) -> copilot_result {
    guard(|| {
        // SAFETY: caller contract.
        let v = unsafe { object_arg(options_json, "options_json") }?;
        ClientOptions::from_json(&v)?;
        Ok(())
    })
}
