// SPDX-License-Identifier: MIT
//! `copilot_session`: one conversation with the agent.

use std::ffi::{c_char, c_void};
use std::future::Future;
use std::sync::Arc;
use std::time::Duration;

use parking_lot::Mutex;
use sdk::{Client, MessageOptions, ResumeSessionConfig, Session, SessionConfig};
use serde_json::json;
use tokio::sync::watch;

use crate::callbacks::{copilot_handlers, UserData};
use crate::client::copilot_client;
use crate::error::{copilot_result, FfiError, FfiResult};
use crate::events::{copilot_event_callback, Dispatcher, Poller};
use crate::handle::{self, Handle, Kind, Object};
use crate::operation::{self, copilot_completion_callback};
use crate::panic::guard;
use crate::runtime::block_on;
use crate::strings::{
    call_args, into_c_string, json_arg, json_out, object_arg, opt_out_arg, out_arg, str_arg, string_out,
};

/// One session (conversation). Corresponds to a `copilot_core::Session`.
///
/// Created by `copilot_client_create_session` / `copilot_client_resume_session`; released
/// by `copilot_session_free`. Every function taking it is thread-safe.
pub struct copilot_session {
    _private: [u8; 0],
}

pub(crate) struct SessionObj {
    pub(crate) session: Session,
    poller: Poller,
    dispatcher: Mutex<Option<Dispatcher>>,
    freed: watch::Sender<bool>,
}

impl Handle for copilot_session {
    const KIND: Kind = Kind::Session;
    type Obj = SessionObj;
    fn wrap(obj: Arc<SessionObj>) -> Object {
        Object::Session(obj)
    }
    fn unwrap(obj: Object) -> Option<Arc<SessionObj>> {
        match obj {
            Object::Session(s) => Some(s),
            _ => None,
        }
    }
}

impl SessionObj {
    fn new(session: Session) -> SessionObj {
        SessionObj { session, poller: Poller::new(), dispatcher: Mutex::new(None), freed: watch::channel(false).0 }
    }
}

/// "Forever" for waits given a negative timeout: a century.
const FOREVER: Duration = Duration::from_secs(100 * 365 * 24 * 3600);

fn timeout_from_ms(ms: i64) -> Option<Duration> {
    (ms >= 0).then(|| Duration::from_millis(ms as u64))
}

/// The message of the send-and-wait functions, with their `timeout_ms` applied.
///
/// # Safety
/// `message_json` must be NULL or NUL-terminated.
unsafe fn wait_message_arg(message_json: *const c_char, timeout_ms: i64) -> FfiResult<MessageOptions> {
    // SAFETY: caller contract.
    let mut opts = MessageOptions::from_json(&unsafe { json_arg(message_json, "message_json") }?)?;
    if timeout_ms != 0 {
        opts.timeout = Some(timeout_from_ms(timeout_ms).unwrap_or(FOREVER));
    }
    Ok(opts)
}

/// The body of the exports that run one operation on the session and return only a code.
fn session_op<F, Fut, T>(session: *mut copilot_session, op: F) -> copilot_result
where
    F: FnOnce(Session) -> Fut,
    Fut: Future<Output = sdk::Result<T>> + Send,
    T: Send,
{
    guard(|| {
        let s = handle::lookup(session.cast_const())?;
        block_on(op(s.session.clone()))??;
        Ok(())
    })
}

/// The body of create and resume: `open` checks the arguments and returns the future that
/// opens the session, which is then handed out.
///
/// # Safety
/// `out_session` must be NULL or writable.
unsafe fn open_session<Fut>(
    client: *mut copilot_client,
    out_session: *mut *mut copilot_session,
    open: impl FnOnce(Client) -> FfiResult<Fut>,
) -> copilot_result
where
    Fut: Future<Output = sdk::Result<Session>> + Send,
{
    guard(|| {
        // SAFETY: caller contract.
        let out = unsafe { out_arg(out_session, "out_session") }?;
        let c = handle::lookup(client.cast_const())?;
        let session = block_on(open(c.client.clone())?)??;
        *out = handle::issue::<copilot_session>(Arc::new(SessionObj::new(session)))?;
        Ok(())
    })
}

/// # Safety
/// `config_json` must be NULL or NUL-terminated.
unsafe fn session_config(config_json: *const c_char, handlers: *mut copilot_handlers) -> FfiResult<SessionConfig> {
    // SAFETY: caller contract.
    let json = unsafe { object_arg(config_json, "config_json") }?;
    let mut config = SessionConfig::from_json(&json)?;
    if !handlers.is_null() {
        handle::lookup(handlers.cast_const())?.apply(&mut config)?;
    }
    Ok(config)
}

/// Creates a session. Blocks until the CLI has created it (for a cloud session: until
/// Mission Control has assigned it, up to about 90 s).
///
/// `config_json` is a JSON object (NULL = `{}`), keys in snake_case: `working_directory`,
/// `model`, `streaming`, `permission` (preset: `deny-all` (default), `approve-all`,
/// `approve-safety`), `tools` (`[{"name", "description", "parameters", "skip_permission"}]`),
/// `system_message`, `available_tools`, `excluded_tools`, `mcp_servers`, `custom_agents`,
/// `agent`, `provider`, `github_token`, `remote_session` (`off`|`export`|`on`), `cloud`
/// (`{"repository": {"owner", "name", "branch"}}`: run on GitHub-hosted compute),
/// `cloud_ready_timeout_ms`, `wait_for_cloud_ready`, `session_id`, `client_name`,
/// `reasoning_effort`, `extra` (any other wire field). `handlers` (may be NULL) supplies
/// the permission, tool, user-input, hook, elicitation and exit-plan-mode callbacks; it can
/// be freed right after this call.
///
/// On success `*out_session` receives the handle (free it with `copilot_session_free`).
///
/// # Safety
/// `config_json` must be NULL or NUL-terminated; `out_session` must be NULL or writable.
#[no_mangle]
pub unsafe extern "C" fn copilot_client_create_session(
    client: *mut copilot_client,
    config_json: *const c_char,
    handlers: *mut copilot_handlers,
    out_session: *mut *mut copilot_session,
) -> copilot_result {
    // SAFETY: caller contract.
    unsafe {
        open_session(client, out_session, |c| {
            let config = session_config(config_json, handlers)?;
            Ok(async move { c.create_session(config).await })
        })
    }
}

/// Resumes a stored session by id, with the same `config_json` keys as for create (except
/// `cloud`: resume a cloud session without it). Handlers are not stored with a session:
/// pass them again.
///
/// # Safety
/// Strings must be NULL or NUL-terminated; `out_session` must be NULL or writable.
#[no_mangle]
pub unsafe extern "C" fn copilot_client_resume_session(
    client: *mut copilot_client,
    session_id: *const c_char,
    config_json: *const c_char,
    handlers: *mut copilot_handlers,
    out_session: *mut *mut copilot_session,
) -> copilot_result {
    // SAFETY: caller contract.
    unsafe {
        open_session(client, out_session, |c| {
            let id = str_arg(session_id, "session_id")?;
            let config = ResumeSessionConfig::from_config(id, session_config(config_json, handlers)?);
            Ok(async move { c.resume_session(config).await })
        })
    }
}

/// Releases the handle: wakes threads blocked in `copilot_session_next_event` on it (they get
/// `COPILOT_RESULT_INVALID_HANDLE`), stops the event callback (waiting for a running
/// invocation to return, unless called from that callback), and disconnects the session if it
/// is still connected (best effort, like `copilot_session_disconnect`: its state stays on disk
/// and can be resumed; a CLI that does not answer delays this by at most the client's
/// `request_timeout_ms`). NULL is ignored.
#[no_mangle]
pub extern "C" fn copilot_session_free(session: *mut copilot_session) -> copilot_result {
    guard(|| {
        if session.is_null() {
            return Ok(());
        }
        let s = handle::release(session.cast_const())?;
        s.freed.send_replace(true);
        let d = s.dispatcher.lock().take();
        if let Some(d) = d {
            d.finish();
        }
        // The handle is gone either way; a failed disconnect (CLI gone) changes nothing for
        // the caller.
        let _ = block_on(s.session.disconnect());
        Ok(())
    })
}

/// The session id: `*out_id` receives it (free with `copilot_string_free`).
///
/// # Safety
/// `out_id` must be NULL or writable.
#[no_mangle]
pub unsafe extern "C" fn copilot_session_id(session: *mut copilot_session, out_id: *mut *mut c_char) -> copilot_result {
    // SAFETY: caller contract.
    unsafe { string_out(out_id, "out_id", || Ok(handle::lookup(session.cast_const())?.session.id().to_owned())) }
}

/// Describes the session: `*out_json` receives `{"sessionId", "isCloud", "ready",
/// "remoteUrl", "remoteSteerable", "workspacePath"}` (free with `copilot_string_free`).
/// Does not talk to the CLI.
///
/// # Safety
/// `out_json` must be NULL or writable.
#[no_mangle]
pub unsafe extern "C" fn copilot_session_info(
    session: *mut copilot_session,
    out_json: *mut *mut c_char,
) -> copilot_result {
    // SAFETY: caller contract.
    unsafe {
        json_out(out_json, "out_json", || {
            let s = handle::lookup(session.cast_const())?;
            let ss = &s.session;
            Ok(json!({
                "sessionId": ss.id(),
                "isCloud": ss.is_cloud(),
                "ready": ss.is_ready(),
                "remoteUrl": ss.remote_url(),
                "remoteSteerable": ss.remote_steerable(),
                "workspacePath": ss.workspace_path(),
            }))
        })
    }
}

/// Sends a prompt and returns at once; progress arrives as events. On a cloud session it
/// first waits until the cloud agent is ready (so the first prompt is never dropped).
///
/// `message_json` is a JSON string (the prompt, e.g. `"\"Hello\""`) or an object
/// `{"prompt", "attachments", "mode", "display_prompt", "extra"}`. `out_message_id` may be
/// NULL; otherwise it receives the message id (free with `copilot_string_free`).
///
/// # Safety
/// `message_json` must be NULL or NUL-terminated; `out_message_id` must be NULL or writable.
#[no_mangle]
pub unsafe extern "C" fn copilot_session_send(
    session: *mut copilot_session,
    message_json: *const c_char,
    out_message_id: *mut *mut c_char,
) -> copilot_result {
    guard(|| {
        // SAFETY: caller contract.
        let out = unsafe { opt_out_arg(out_message_id) };
        let s = handle::lookup(session.cast_const())?;
        // SAFETY: caller contract.
        let opts = MessageOptions::from_json(&unsafe { json_arg(message_json, "message_json") }?)?;
        let id = block_on(s.session.send(opts))??;
        if let Some(out) = out {
            *out = into_c_string(id);
        }
        Ok(())
    })
}

/// Sends a prompt and waits until the turn ends (`session.idle`).
///
/// `timeout_ms`: > 0 bounds the wait; 0 uses the message's `timeout_ms` or the default of
/// 60 s; < 0 waits without a bound. `out_message_json` may be NULL; otherwise it receives
/// the turn's last `assistant.message` event as JSON, or NULL when the turn produced none.
/// Fails with `COPILOT_RESULT_SESSION_ERROR` when the turn ends in `session.error`, and with
/// `COPILOT_RESULT_TIMEOUT` after the bound (the turn keeps running; see
/// `copilot_session_abort`).
///
/// # Safety
/// `message_json` must be NULL or NUL-terminated; `out_message_json` must be NULL or writable.
#[no_mangle]
pub unsafe extern "C" fn copilot_session_send_and_wait(
    session: *mut copilot_session,
    message_json: *const c_char,
    timeout_ms: i64,
    out_message_json: *mut *mut c_char,
) -> copilot_result {
    guard(|| {
        // SAFETY: caller contract.
        let out = unsafe { opt_out_arg(out_message_json) };
        let s = handle::lookup(session.cast_const())?;
        // SAFETY: caller contract.
        let opts = unsafe { wait_message_arg(message_json, timeout_ms) }?;
        let msg = block_on(s.session.send_and_wait(opts))??;
        if let (Some(out), Some(m)) = (out, msg) {
            *out = into_c_string(m.to_json());
        }
        Ok(())
    })
}

/// The asynchronous form of `copilot_session_send_and_wait`: validates the arguments, starts
/// the turn and returns at once. `complete` (required) later receives the turn's last
/// `assistant.message` event as `value_json` (NULL when there was none) or the error, exactly
/// once, with `user_data`. `out_operation_id` may be NULL; otherwise it receives an id for
/// `copilot_operation_cancel`.
///
/// # Safety
/// `message_json` must be NULL or NUL-terminated; `out_operation_id` must be NULL or writable.
#[no_mangle]
pub unsafe extern "C" fn copilot_session_send_and_wait_async(
    session: *mut copilot_session,
    message_json: *const c_char,
    timeout_ms: i64,
    complete: copilot_completion_callback,
    user_data: *mut c_void,
    out_operation_id: *mut u64,
) -> copilot_result {
    guard(|| {
        let s = handle::lookup(session.cast_const())?;
        // SAFETY: caller contract.
        let opts = unsafe { wait_message_arg(message_json, timeout_ms) }?;
        let session = s.session.clone();
        let fut = async move { Ok(session.send_and_wait(opts).await?.map(|m| m.to_json())) };
        operation::start(fut, complete, user_data, out_operation_id)
    })
}

/// Aborts the running turn.
#[no_mangle]
pub extern "C" fn copilot_session_abort(session: *mut copilot_session) -> copilot_result {
    session_op(session, |s| async move { s.abort().await })
}

/// Unloads the session from the server (its state stays on disk and can be resumed) and ends
/// its event streams: pollers get `COPILOT_RESULT_EVENT_STREAM_CLOSED` once drained, and the
/// event callback thread ends. Idempotent. The handle stays valid until freed.
#[no_mangle]
pub extern "C" fn copilot_session_disconnect(session: *mut copilot_session) -> copilot_result {
    session_op(session, |s| async move { s.disconnect().await })
}

/// Waits for the next event of the session and returns it as JSON in `*out_event_json`
/// (free with `copilot_string_free`); the shape is described at `copilot_event_callback`.
///
/// `timeout_ms`: < 0 waits without a bound, 0 only takes an event already queued, > 0
/// bounds the wait. Returns `COPILOT_RESULT_TIMEOUT` when no event arrived in time,
/// `COPILOT_RESULT_EVENT_STREAM_CLOSED` once the session is closed and drained. Several
/// threads may poll one session: each event goes to one of them.
///
/// The poll subscription starts at the first call and then gets every event. It also gets
/// the events sent while the session was created (`session.start`, ...), which the session
/// holds until the first prompt, or beyond it while nobody else consumes events: with an
/// event callback registered too, make the first call before the first prompt.
///
/// # Safety
/// `out_event_json` must be NULL or writable.
#[no_mangle]
pub unsafe extern "C" fn copilot_session_next_event(
    session: *mut copilot_session,
    timeout_ms: i64,
    out_event_json: *mut *mut c_char,
) -> copilot_result {
    // SAFETY: caller contract.
    unsafe {
        string_out(out_event_json, "out_event_json", || {
            let s = handle::lookup(session.cast_const())?;
            s.poller.next(&s.session, timeout_from_ms(timeout_ms), &s.freed)
        })
    }
}

/// Registers the event callback (see `copilot_event_callback` for the thread it runs on),
/// replacing any earlier one; NULL `callback` unregisters. The subscription starts now.
///
/// When this returns, a replaced callback is no longer running and its `destroy` has been
/// called, except when this is called from inside that callback: then it stops after the
/// current invocation returns. On success the library owns `user_data` and calls `destroy`
/// (if not NULL) once, after the callback's last invocation: when it is replaced, the
/// session is closed and drained, or the handle is freed. On failure nothing is taken over.
#[no_mangle]
pub extern "C" fn copilot_session_set_event_callback(
    session: *mut copilot_session,
    callback: copilot_event_callback,
    user_data: *mut c_void,
    destroy: crate::callbacks::copilot_destroy_callback,
) -> copilot_result {
    guard(|| {
        let s = handle::lookup(session.cast_const())?;
        let old = {
            let mut slot = s.dispatcher.lock();
            let old = slot.take();
            if let Some(o) = &old {
                o.signal();
            }
            if let Some(f) = callback {
                *slot = Some(Dispatcher::start(&s.session, f, UserData::new(user_data, destroy))?);
            }
            old
        };
        if let Some(o) = old {
            o.finish();
        }
        Ok(())
    })
}

/// Calls a session-scoped CLI method (`sessionId` is added to the params), e.g.
/// `session.model.getCurrent`. `params_json` is NULL or a JSON object. On success
/// `*out_result_json` receives the result (free with `copilot_string_free`).
///
/// # Safety
/// Strings must be NULL or NUL-terminated; `out_result_json` must be NULL or writable.
#[no_mangle]
pub unsafe extern "C" fn copilot_session_call(
    session: *mut copilot_session,
    method: *const c_char,
    params_json: *const c_char,
    out_result_json: *mut *mut c_char,
) -> copilot_result {
    // SAFETY: caller contract.
    unsafe {
        json_out(out_result_json, "out_result_json", || {
            let s = handle::lookup(session.cast_const())?;
            let (method, params) = call_args(method, params_json)?;
            Ok(block_on(s.session.call(method, params))??)
        })
    }
}

/// Waits until the session can take a prompt: at once for a local session; for a cloud
/// session, until the cloud agent has announced itself. `timeout_ms` < 0 waits without a
/// bound.
#[no_mangle]
pub extern "C" fn copilot_session_wait_until_ready(session: *mut copilot_session, timeout_ms: i64) -> copilot_result {
    session_op(session, move |s| async move { s.wait_until_ready(timeout_from_ms(timeout_ms).unwrap_or(FOREVER)).await })
}

/// Starts remote access to the session from GitHub web and mobile (Mission Control export
/// plus steering). `out_url` may be NULL; otherwise it receives the Mission Control URL
/// (free with `copilot_string_free`), or NULL if the CLI reported none. The URL is also kept
/// by the session (`copilot_session_remote_url`).
///
/// # Safety
/// `out_url` must be NULL or writable.
#[no_mangle]
pub unsafe extern "C" fn copilot_session_remote_enable(
    session: *mut copilot_session,
    out_url: *mut *mut c_char,
) -> copilot_result {
    guard(|| {
        // SAFETY: caller contract.
        let out = unsafe { opt_out_arg(out_url) };
        let s = handle::lookup(session.cast_const())?;
        let r = block_on(s.session.rpc().remote().enable())??;
        if let (Some(out), Some(url)) = (out, r.url.or_else(|| s.session.remote_url())) {
            *out = into_c_string(url);
        }
        Ok(())
    })
}

/// Stops remote steering of the session.
#[no_mangle]
pub extern "C" fn copilot_session_remote_disable(session: *mut copilot_session) -> copilot_result {
    session_op(session, |s| async move { s.rpc().remote().disable().await })
}

/// The body of the exports that hand out the session's remote URL, rendered by `render`.
///
/// # Safety
/// `out` must be NULL or writable.
unsafe fn remote_out(
    session: *mut copilot_session,
    out: *mut *mut c_char,
    name: &str,
    render: fn(&str) -> sdk::Result<String>,
) -> copilot_result {
    // SAFETY: forwarded contract.
    unsafe {
        string_out(out, name, || {
            let url = handle::lookup(session.cast_const())?.session.remote_url().ok_or_else(|| {
                FfiError::new(
                    copilot_result::NoRemoteUrl,
                    "the session has no remote URL (enable remote sessions for the client, or call copilot_session_remote_enable)",
                )
            })?;
            Ok(render(&url)?)
        })
    }
}

/// The session's Mission Control URL, kept from the moment the CLI announced it (the CLI
/// sends it only once). `COPILOT_RESULT_NO_REMOTE_URL` when there is none yet.
///
/// # Safety
/// `out_url` must be NULL or writable.
#[no_mangle]
pub unsafe extern "C" fn copilot_session_remote_url(
    session: *mut copilot_session,
    out_url: *mut *mut c_char,
) -> copilot_result {
    // SAFETY: caller contract.
    unsafe { remote_out(session, out_url, "out_url", |url| Ok(url.to_owned())) }
}

/// The remote URL as a QR code for a terminal (lines of Unicode half blocks, UTF-8).
/// `COPILOT_RESULT_NO_REMOTE_URL` when there is no URL yet.
///
/// # Safety
/// `out_text` must be NULL or writable.
#[no_mangle]
pub unsafe extern "C" fn copilot_session_remote_qr_text(
    session: *mut copilot_session,
    out_text: *mut *mut c_char,
) -> copilot_result {
    // SAFETY: caller contract.
    unsafe { remote_out(session, out_text, "out_text", sdk::qr::qr_text) }
}

/// The remote URL as a QR code in a standalone SVG document.
/// `COPILOT_RESULT_NO_REMOTE_URL` when there is no URL yet.
///
/// # Safety
/// `out_svg` must be NULL or writable.
#[no_mangle]
pub unsafe extern "C" fn copilot_session_remote_qr_svg(
    session: *mut copilot_session,
    out_svg: *mut *mut c_char,
) -> copilot_result {
    // SAFETY: caller contract.
    unsafe { remote_out(session, out_svg, "out_svg", sdk::qr::qr_svg) }
}
