// SPDX-License-Identifier: MIT
//! C callbacks: permission and tool handlers (bundled in a `copilot_handlers` object), and
//! the plumbing that runs any C callback on a thread of its own.
//!
//! Threading rule: the library never calls C code on its async runtime's worker threads.
//! Each permission or tool invocation runs on a fresh thread named `copilot-callback`; event
//! callbacks run on one dedicated thread per registration (`copilot-events`). A callback may
//! therefore call any function of this library, including blocking ones such as
//! `copilot_session_send_and_wait`, without deadlocking the runtime.

use std::collections::BTreeMap;
use std::ffi::{c_char, c_void, CString};
use std::sync::Arc;

use async_trait::async_trait;
use parking_lot::Mutex;
use sdk::handler::{PermissionInvocation, PermissionPreset, PermissionRequest, PermissionResult};
use sdk::tool::{ToolInvocation, ToolResult};
use sdk::{Error as CoreError, PermissionHandler, SessionConfig, ToolHandler};
use serde_json::{json, Value};

use crate::error::{copilot_result, FfiError, FfiResult};
use crate::handle::{self, Handle, Kind, Object};
use crate::panic::{guard, panic_message};
use crate::strings::{out_arg, read_callback_string, str_arg};

/// Releases a `user_data` pointer. Called exactly once, after the last invocation of the
/// callback it was registered with has returned, on an unspecified library-owned thread.
pub type copilot_destroy_callback = Option<unsafe extern "C" fn(user_data: *mut c_void)>;

/// Decides a permission request.
///
/// `request_json` (borrowed for the call) is
/// `{"sessionId", "requestId", "kind", "toolCallId", "request": {...}}` where `kind` is
/// `shell`, `write`, `read`, `mcp`, `url`, `memory`, `custom-tool`, ... and `request` is
/// the CLI's whole permission request. Return the decision as JSON, e.g.
/// `{"kind": "approve-once"}`, `{"kind": "approve-for-session"}`,
/// `{"kind": "reject", "feedback": "..."}`, `{"kind": "user-not-available"}`, or
/// `{"kind": "no-result"}` to stay silent so that another client can answer. A bare kind
/// (`approve-once`) is accepted too.
///
/// The returned pointer is either a string from `copilot_string_dup` (the library takes it
/// over and frees it) or any other NUL-terminated string that stays valid until the
/// callback returns, such as a literal (copied, never freed). NULL means the callback
/// failed: the request is answered `user-not-available`.
///
/// Runs on a library-owned thread (`copilot-callback`), one thread per invocation, so
/// invocations may overlap. It may call any library function.
pub type copilot_permission_callback =
    Option<unsafe extern "C" fn(user_data: *mut c_void, request_json: *const c_char) -> *mut c_char>;

/// Runs one call of a tool.
///
/// `invocation_json` (borrowed for the call) is
/// `{"sessionId", "toolCallId", "toolName", "arguments": {...}}` with the arguments the
/// model chose. Return the result: plain text (or a JSON string) for success, or a JSON
/// object `{"textResultForLlm": "...", "resultType": "success" | "failure", "error"?,
/// "sessionLog"?}`, or `{"error": "..."}` for a failure the model sees. Ownership of the
/// returned pointer is as for `copilot_permission_callback`; NULL reports a failure.
///
/// Runs on a library-owned thread (`copilot-callback`), one per invocation; it may call any
/// library function.
pub type copilot_tool_callback =
    Option<unsafe extern "C" fn(user_data: *mut c_void, invocation_json: *const c_char) -> *mut c_char>;

/// The C side of a callback: its `user_data` and the function releasing it.
pub(crate) struct UserData {
    ptr: *mut c_void,
    destroy: copilot_destroy_callback,
}

// SAFETY: the API contract (README, header) requires `user_data` to be usable from any thread,
// since callbacks run on library threads; the library itself never dereferences it.
unsafe impl Send for UserData {}
// SAFETY: as above; shared access only passes the pointer value to C.
unsafe impl Sync for UserData {}

impl UserData {
    pub(crate) fn new(ptr: *mut c_void, destroy: copilot_destroy_callback) -> UserData {
        UserData { ptr, destroy }
    }

    pub(crate) fn ptr(&self) -> *mut c_void {
        self.ptr
    }
}

impl Drop for UserData {
    fn drop(&mut self) {
        let Some(destroy) = self.destroy.take() else { return };
        let ptr = self.ptr as usize;
        let run = move || {
            // SAFETY: `destroy` was registered together with this pointer and runs exactly once.
            unsafe { destroy(ptr as *mut c_void) }
        };
        // Never run C code on a runtime worker thread. (`run` is Copy: if the thread cannot
        // be spawned, it runs here rather than leaking the user data.)
        let on_runtime = tokio::runtime::Handle::try_current().is_ok();
        if on_runtime && std::thread::Builder::new().name("copilot-callback".into()).spawn(run).is_ok() {
            return;
        }
        run();
    }
}

/// Runs `f` on a fresh thread and waits for it without blocking the runtime.
pub(crate) async fn run_on_callback_thread<R, F>(f: F) -> Result<R, CoreError>
where
    F: FnOnce() -> R + Send + 'static,
    R: Send + 'static,
{
    let (tx, rx) = tokio::sync::oneshot::channel();
    std::thread::Builder::new()
        .name("copilot-callback".into())
        .spawn(move || {
            let r = std::panic::catch_unwind(std::panic::AssertUnwindSafe(f));
            let _ = tx.send(r.map_err(|p| panic_message(p.as_ref())));
        })
        .map_err(|e| CoreError::Handler(format!("cannot start a callback thread: {e}")))?;
    match rx.await {
        Ok(Ok(r)) => Ok(r),
        Ok(Err(msg)) => Err(CoreError::Handler(format!("callback panicked: {msg}"))),
        Err(_) => Err(CoreError::Handler("the callback thread ended without an answer".into())),
    }
}

/// A registered C function `char *(*)(void *, const char *)` (permission or tool callback)
/// and its user data.
struct CCallback {
    f: unsafe extern "C" fn(*mut c_void, *const c_char) -> *mut c_char,
    user_data: UserData,
}

impl CCallback {
    fn new(f: unsafe extern "C" fn(*mut c_void, *const c_char) -> *mut c_char, user_data: UserData) -> Arc<CCallback> {
        Arc::new(CCallback { f, user_data })
    }

    /// Calls it with a JSON argument on a callback thread. The outer error is the library's
    /// (no thread, a panic), the inner one the callback's (it returned NULL or bad UTF-8).
    async fn call(self: &Arc<Self>, arg: Value) -> Result<Result<String, String>, CoreError> {
        let cb = self.clone();
        run_on_callback_thread(move || {
            let arg = CString::new(arg.to_string()).map_err(|_| "argument contains NUL".to_owned())?;
            // SAFETY: `f` is the function the application registered; `arg` is a valid
            // NUL-terminated string that outlives the call; `user_data` is passed back unchanged.
            let ret = unsafe { (cb.f)(cb.user_data.ptr(), arg.as_ptr()) };
            read_callback_string(ret).unwrap_or_else(|| Err("the callback returned NULL".to_owned()))
        })
        .await
    }
}

struct CPermissionHandler(Arc<CCallback>);

pub(crate) fn parse_permission_decision(text: &str) -> Result<PermissionResult, String> {
    let trimmed = text.trim();
    let v = match serde_json::from_str::<Value>(trimmed) {
        Ok(v) => v,
        Err(_) if !trimmed.is_empty() && trimmed.chars().all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_') => {
            Value::String(trimmed.to_owned())
        }
        Err(e) => return Err(format!("the permission callback returned invalid JSON: {e}")),
    };
    let decision = match v {
        Value::String(kind) => json!({ "kind": kind }),
        Value::Object(ref o) if o.get("kind").is_some_and(Value::is_string) => v,
        other => return Err(format!("the permission decision needs a \"kind\"; got {other}")),
    };
    if decision["kind"] == "no-result" {
        return Ok(PermissionResult::NoResult);
    }
    Ok(PermissionResult::Decision(decision))
}

#[async_trait]
impl PermissionHandler for CPermissionHandler {
    async fn handle(
        &self,
        request: PermissionRequest,
        inv: PermissionInvocation,
    ) -> Result<PermissionResult, CoreError> {
        let arg = json!({
            "sessionId": inv.session_id,
            "requestId": inv.request_id,
            "kind": request.kind,
            "toolCallId": request.tool_call_id,
            "request": request.data,
        });
        let text = self.0.call(arg).await?.map_err(CoreError::Handler)?;
        parse_permission_decision(&text).map_err(CoreError::Handler)
    }
}

struct CToolHandler(Arc<CCallback>);

pub(crate) fn parse_tool_result(text: String) -> ToolResult {
    match serde_json::from_str::<Value>(&text) {
        Ok(Value::String(s)) => ToolResult::success(s),
        Ok(Value::Object(o)) => {
            if o.contains_key("textResultForLlm") {
                match serde_json::from_value::<ToolResult>(Value::Object(o)) {
                    Ok(r) => r,
                    Err(e) => ToolResult::failure(format!("the tool returned a malformed result: {e}")),
                }
            } else if let Some(err) = o.get("error").and_then(Value::as_str) {
                ToolResult::failure(err.to_owned())
            } else {
                ToolResult::success(text)
            }
        }
        _ => ToolResult::success(text),
    }
}

#[async_trait]
impl ToolHandler for CToolHandler {
    async fn call(&self, inv: ToolInvocation) -> Result<ToolResult, CoreError> {
        let arg = json!({
            "sessionId": inv.session_id,
            "toolCallId": inv.tool_call_id,
            "toolName": inv.tool_name,
            "arguments": inv.arguments,
        });
        Ok(match self.0.call(arg).await? {
            Ok(text) => parse_tool_result(text),
            Err(msg) => ToolResult::failure(format!("tool failed: {msg}")),
        })
    }
}

/// Permission and tool callbacks to attach to sessions (in Rust: implementations of
/// `copilot_core::PermissionHandler` and `copilot_core::ToolHandler` calling C).
///
/// Created with `copilot_handlers_new`, freed with `copilot_handlers_free`. A session created
/// with it keeps its own references to the callbacks, so the object may be freed (or
/// reused for more sessions) right after `copilot_client_create_session`. Thread-safe.
pub struct copilot_handlers {
    _private: [u8; 0],
}

#[derive(Default)]
pub(crate) struct HandlersObj {
    state: Mutex<HandlersState>,
}

#[derive(Default)]
struct HandlersState {
    permission: Option<Arc<dyn PermissionHandler>>,
    tools: BTreeMap<String, Arc<dyn ToolHandler>>,
}

impl Handle for copilot_handlers {
    const KIND: Kind = Kind::Handlers;
    type Obj = HandlersObj;
    fn wrap(obj: Arc<HandlersObj>) -> Object {
        Object::Handlers(obj)
    }
    fn unwrap(obj: Object) -> Option<Arc<HandlersObj>> {
        match obj {
            Object::Handlers(h) => Some(h),
            _ => None,
        }
    }
}

impl HandlersObj {
    /// Installs the callbacks into a session configuration parsed from JSON.
    pub(crate) fn apply(&self, config: &mut SessionConfig) -> FfiResult<()> {
        let st = self.state.lock();
        if let Some(p) = &st.permission {
            config.permission_handler = Some(p.clone());
        }
        for (name, h) in &st.tools {
            let Some(tool) = config.tools.iter_mut().find(|t| &t.name == name) else {
                return Err(FfiError::new(
                    copilot_result::InvalidConfig,
                    format!("a handler is registered for tool {name:?}, but the session config declares no such tool in \"tools\""),
                ));
            };
            tool.handler = Some(h.clone());
        }
        Ok(())
    }
}

/// Creates an empty set of handlers. Free it with `copilot_handlers_free`.
///
/// # Safety
/// `out_handlers` must be NULL or writable.
#[no_mangle]
pub unsafe extern "C" fn copilot_handlers_new(out_handlers: *mut *mut copilot_handlers) -> copilot_result {
    guard(|| {
        // SAFETY: caller contract.
        let out = unsafe { out_arg(out_handlers, "out_handlers") }?;
        *out = handle::issue::<copilot_handlers>(Arc::new(HandlersObj::default()))?;
        Ok(())
    })
}

/// Frees a handlers object. Sessions created with it keep working. NULL is ignored.
/// A freed or foreign handle gives `COPILOT_RESULT_INVALID_HANDLE`.
#[no_mangle]
pub extern "C" fn copilot_handlers_free(handlers: *mut copilot_handlers) -> copilot_result {
    guard(|| {
        if handlers.is_null() {
            return Ok(());
        }
        drop(handle::release(handlers.cast_const())?);
        Ok(())
    })
}

/// Sets the permission callback (replacing a preset or an earlier callback). A NULL
/// `callback` removes it, so the session config's `"permission"` preset (default: deny-all)
/// applies. On success the library owns `user_data` and calls `destroy` (if not NULL) once
/// it is no longer needed; on failure nothing is taken over.
#[no_mangle]
pub extern "C" fn copilot_handlers_set_permission_callback(
    handlers: *mut copilot_handlers,
    callback: copilot_permission_callback,
    user_data: *mut c_void,
    destroy: copilot_destroy_callback,
) -> copilot_result {
    guard(|| {
        let h = handle::lookup(handlers.cast_const())?;
        let handler: Option<Arc<dyn PermissionHandler>> = callback.map(|f| {
            let callback = CCallback::new(f, UserData::new(user_data, destroy));
            Arc::new(CPermissionHandler(callback)) as Arc<dyn PermissionHandler>
        });
        h.state.lock().permission = handler;
        Ok(())
    })
}

/// Selects a permission preset by name: `deny-all` (the default), `approve-all` or
/// `approve-safety` (approves everything except `shell` and `write`). Replaces a callback.
///
/// # Safety
/// `name` must be NULL or a NUL-terminated string.
#[no_mangle]
pub unsafe extern "C" fn copilot_handlers_set_permission_preset(
    handlers: *mut copilot_handlers,
    name: *const c_char,
) -> copilot_result {
    guard(|| {
        let h = handle::lookup(handlers.cast_const())?;
        // SAFETY: caller contract.
        let name = unsafe { str_arg(name, "name") }?;
        let preset = PermissionPreset::from_name(name)?;
        h.state.lock().permission = Some(preset.handler());
        Ok(())
    })
}

/// Registers the callback that runs tool `tool_name`. The tool itself (description,
/// parameters) is declared in the session config JSON's `"tools"`; creating a session fails
/// with `COPILOT_RESULT_INVALID_CONFIG` if a handler names an undeclared tool. Registering
/// a name again replaces the earlier callback. Ownership of `user_data` as for
/// `copilot_handlers_set_permission_callback`.
///
/// # Safety
/// `tool_name` must be NULL or a NUL-terminated string.
#[no_mangle]
pub unsafe extern "C" fn copilot_handlers_add_tool(
    handlers: *mut copilot_handlers,
    tool_name: *const c_char,
    callback: copilot_tool_callback,
    user_data: *mut c_void,
    destroy: copilot_destroy_callback,
) -> copilot_result {
    guard(|| {
        let h = handle::lookup(handlers.cast_const())?;
        // SAFETY: caller contract.
        let name = unsafe { str_arg(tool_name, "tool_name") }?;
        if name.is_empty() {
            return Err(FfiError::new(copilot_result::InvalidArgument, "tool_name is empty"));
        }
        let Some(f) = callback else {
            return Err(FfiError::new(copilot_result::NullParameter, "callback is NULL"));
        };
        let handler = Arc::new(CToolHandler(CCallback::new(f, UserData::new(user_data, destroy))));
        h.state.lock().tools.insert(name.to_owned(), handler);
        Ok(())
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn decisions_and_tool_results_parse() {
        assert!(parse_permission_decision("approve-once").expect("bare").is_approval());
        assert!(parse_permission_decision(r#"{"kind":"approve-for-session"}"#).expect("obj").is_approval());
        assert!(!parse_permission_decision(r#""reject""#).expect("str").is_approval());
        assert_eq!(parse_permission_decision("no-result").expect("silent"), PermissionResult::NoResult);
        assert!(parse_permission_decision("{}").is_err());
        assert!(parse_permission_decision("{oops").is_err());
        assert_eq!(parse_tool_result("sunny".into()).text_result_for_llm, "sunny");
        assert_eq!(parse_tool_result("\"quoted\"".into()).text_result_for_llm, "quoted");
        assert_eq!(parse_tool_result(r#"{"error":"nope"}"#.into()).result_type, "failure");
        let r = parse_tool_result(r#"{"textResultForLlm":"t","resultType":"success"}"#.into());
        assert_eq!((r.text_result_for_llm.as_str(), r.result_type.as_str()), ("t", "success"));
        assert_eq!(parse_tool_result(r#"{"temp":21}"#.into()).text_result_for_llm, r#"{"temp":21}"#);
    }
}
