// SPDX-License-Identifier: MIT
//! C callbacks: permission, tool, user-input, hook, elicitation and exit-plan-mode handlers
//! (bundled in a `copilot_handlers` object), and the plumbing that runs any C callback on a
//! thread of its own.
//!
//! Every handler but the tools is the same shape: build a JSON argument from the core's
//! request, call `char *(*)(void *, const char *)`, parse the JSON answer into what the core
//! trait returns. One adapter, [`CHandler`], implements all those traits; each differs only
//! in its argument and its answer parser.
//!
//! Threading rule: the library never calls C code on its async runtime's worker threads.
//! Each handler invocation runs on a fresh thread named `copilot-callback`; event
//! callbacks run on one dedicated thread per registration (`copilot-events`). A callback may
//! therefore call any function of this library, including blocking ones such as
//! `copilot_session_send_and_wait`, without deadlocking the runtime.

use std::collections::BTreeMap;
use std::ffi::{c_char, c_void, CString};
use std::sync::Arc;

use async_trait::async_trait;
use parking_lot::Mutex;
use sdk::handler::{
    ElicitationHandler, ExitPlanModeHandler, HookHandler, HookInvocation, PermissionInvocation, PermissionPreset,
    PermissionRequest, PermissionResult, UserInputHandler, UserInputRequest, UserInputResponse,
};
use sdk::tool::{ToolInvocation, ToolResult};
use sdk::{Error as CoreError, PermissionHandler, SessionConfig, ToolHandler};
use serde_json::{json, Map, Value};

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

/// Answers a question of the agent's `ask_user` tool.
///
/// `request_json` (borrowed for the call) is
/// `{"sessionId", "question", "choices"?: ["..."], "allowFreeform"?: bool}`. Return
/// `{"answer": "...", "wasFreeform": bool}` (`wasFreeform` defaults to true), a JSON string
/// (`"\"blue\""`), or plain text that does not start with `{`, `[` or `"` (`blue`), which
/// is the answer as it stands. NULL or invalid JSON is a failure: the CLI tells the agent
/// that the user could not answer. Ownership of the returned pointer and threading as for
/// `copilot_permission_callback`.
pub type copilot_user_input_callback =
    Option<unsafe extern "C" fn(user_data: *mut c_void, request_json: *const c_char) -> *mut c_char>;

/// Runs a hook.
///
/// `invocation_json` (borrowed for the call) is `{"sessionId", "hookType", "input": {...}}`,
/// where `hookType` is `sessionStart`, `userPromptSubmitted` (input has `prompt`),
/// `userPromptTransformed`, `preToolUse`, `postToolUse`, `postToolUseFailure`, `agentStop`,
/// `errorOccurred`, `sessionEnd`, ... (answer unknown types with `{}`) and `input` is the
/// CLI's hook input (it also has `sessionId`, `timestamp`, `cwd`). Return the hook output
/// object (`{}` or `null` = no effect), e.g. `{"modifiedPrompt": "..."}` or
/// `{"additionalContext": "..."}` for `userPromptSubmitted`, `{"permissionDecision": "deny",
/// "permissionDecisionReason": "..."}` for `preToolUse`. NULL or anything but a JSON object
/// is a failure, which the CLI ignores. Ownership of the returned pointer and threading as
/// for `copilot_permission_callback`.
pub type copilot_hook_callback =
    Option<unsafe extern "C" fn(user_data: *mut c_void, invocation_json: *const c_char) -> *mut c_char>;

/// Answers an elicitation: a form the user is asked to fill in (for example from the
/// `session.ui.elicitation` method, called by this or another client).
///
/// `request_json` (borrowed for the call) is the CLI's request with the session id:
/// `{"sessionId", "requestId", "message", "requestedSchema": {"type": "object",
/// "properties": {...}, "required"?: [...]}, "mode"?, "elicitationSource"?, "url"?}`.
/// Return `{"action": "accept", "content": {...}}` (content matching the schema),
/// `{"action": "decline"}` or `{"action": "cancel"}`; a bare action (`decline`) is accepted
/// too. NULL or an invalid answer is sent as `{"action": "cancel"}`. Ownership of the
/// returned pointer and threading as for `copilot_permission_callback`.
pub type copilot_elicitation_callback =
    Option<unsafe extern "C" fn(user_data: *mut c_void, request_json: *const c_char) -> *mut c_char>;

/// Decides whether the agent leaves plan mode (its `exit_plan_mode` tool, in plan mode).
///
/// `request_json` (borrowed for the call) is the CLI's request with the session id:
/// `{"sessionId", "summary", "planContent", "actions": ["autopilot", "interactive",
/// "exit_only", ...], "recommendedAction"}`. Return `{"approved": true, "selectedAction"?:
/// "interactive"}`, or `{"approved": false, "feedback"?: "..."}` (the feedback reaches the
/// model); a bare `true` / `false` is accepted too. NULL or an invalid answer is a failure,
/// which the CLI takes as not approved. Ownership of the returned pointer and threading as
/// for `copilot_permission_callback`.
pub type copilot_exit_plan_mode_callback =
    Option<unsafe extern "C" fn(user_data: *mut c_void, request_json: *const c_char) -> *mut c_char>;

/// The C type shared by every callback above.
type CFn = unsafe extern "C" fn(*mut c_void, *const c_char) -> *mut c_char;

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

/// A registered C function `char *(*)(void *, const char *)` (any handler callback) and its
/// user data.
struct CCallback {
    f: CFn,
    user_data: UserData,
}

impl CCallback {
    fn new(f: CFn, user_data: UserData) -> Arc<CCallback> {
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

    /// Calls it and parses its answer; every failure (the library's, NULL, an answer
    /// `parse` rejects) is a handler error, which the core answers with the request's
    /// default (user-not-available, cancel, an error reply, ...).
    async fn ask<T>(self: &Arc<Self>, arg: Value, parse: fn(&str) -> Result<T, String>) -> Result<T, CoreError> {
        let text = self.call(arg).await?.map_err(CoreError::Handler)?;
        parse(&text).map_err(CoreError::Handler)
    }
}

/// Parses a callback's JSON answer: an object, or a bare value standing for `{key: value}`:
/// a JSON scalar (`"accept"`, `true`) or an unquoted word (`approve-once`).
fn parse_answer(text: &str, key: &str, what: &str) -> Result<Map<String, Value>, String> {
    let trimmed = text.trim();
    let v = match serde_json::from_str::<Value>(trimmed) {
        Ok(v) => v,
        Err(_) if !trimmed.is_empty() && trimmed.chars().all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_') => {
            Value::String(trimmed.to_owned())
        }
        Err(e) => return Err(format!("the {what} callback returned invalid JSON: {e}")),
    };
    match v {
        Value::Object(o) => Ok(o),
        v @ (Value::Null | Value::Array(_)) => Err(format!("the {what} callback returned {v}, not an object")),
        scalar => Ok(Map::from_iter([(key.to_owned(), scalar)])),
    }
}

/// Parses `text` with [`parse_answer`] and checks that `key` holds an accepted value.
fn parse_keyed(text: &str, key: &str, what: &str, ok: fn(&Value) -> bool) -> Result<Value, String> {
    let o = parse_answer(text, key, what)?;
    match o.get(key) {
        Some(v) if ok(v) => Ok(Value::Object(o)),
        _ => Err(format!("the {what} answer needs a valid {key:?}; got {}", Value::Object(o))),
    }
}

pub(crate) fn parse_permission_decision(text: &str) -> Result<PermissionResult, String> {
    let decision = parse_keyed(text, "kind", "permission", Value::is_string)?;
    if decision["kind"] == "no-result" {
        return Ok(PermissionResult::NoResult);
    }
    Ok(PermissionResult::Decision(decision))
}

pub(crate) fn parse_user_input_answer(text: &str) -> Result<UserInputResponse, String> {
    let trimmed = text.trim();
    if !trimmed.starts_with(['{', '[', '"']) {
        // Plain text (also `42`, `true`) is the answer as it stands.
        return Ok(UserInputResponse { answer: trimmed.to_owned(), was_freeform: true });
    }
    let v = parse_keyed(trimmed, "answer", "user input", Value::is_string)?;
    Ok(UserInputResponse {
        answer: v["answer"].as_str().unwrap_or_default().to_owned(),
        was_freeform: v.get("wasFreeform").and_then(Value::as_bool).unwrap_or(true),
    })
}

pub(crate) fn parse_hook_output(text: &str) -> Result<Value, String> {
    match serde_json::from_str::<Value>(text.trim()) {
        Ok(Value::Null) => Ok(json!({})),
        Ok(v @ Value::Object(_)) => Ok(v),
        Ok(other) => Err(format!("the hook callback must return a JSON object; got {other}")),
        Err(e) => Err(format!("the hook callback returned invalid JSON: {e}")),
    }
}

pub(crate) fn parse_elicitation_result(text: &str) -> Result<Value, String> {
    parse_keyed(text, "action", "elicitation", |a| matches!(a.as_str(), Some("accept" | "decline" | "cancel")))
}

pub(crate) fn parse_exit_plan_mode_decision(text: &str) -> Result<Value, String> {
    parse_keyed(text, "approved", "exit plan mode", Value::is_boolean)
}

/// The request object with the session id added (`{"sessionId", "request": ...}` if the
/// request is not an object).
fn with_session_id(session_id: String, request: Value) -> Value {
    match request {
        Value::Object(mut o) => {
            o.insert("sessionId".to_owned(), Value::String(session_id));
            Value::Object(o)
        }
        other => json!({ "sessionId": session_id, "request": other }),
    }
}

/// A C callback as any of the core's request handlers (all but tools).
struct CHandler(Arc<CCallback>);

impl CHandler {
    fn new(f: CFn, user_data: *mut c_void, destroy: copilot_destroy_callback) -> Arc<CHandler> {
        Arc::new(CHandler(CCallback::new(f, UserData::new(user_data, destroy))))
    }
}

#[async_trait]
impl PermissionHandler for CHandler {
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
        self.0.ask(arg, parse_permission_decision).await
    }
}

#[async_trait]
impl UserInputHandler for CHandler {
    async fn handle(&self, session_id: String, request: UserInputRequest) -> Result<UserInputResponse, CoreError> {
        let mut arg = json!({"sessionId": session_id, "question": request.question});
        if let Some(choices) = request.choices {
            arg["choices"] = json!(choices);
        }
        if let Some(freeform) = request.allow_freeform {
            arg["allowFreeform"] = json!(freeform);
        }
        self.0.ask(arg, parse_user_input_answer).await
    }
}

#[async_trait]
impl HookHandler for CHandler {
    async fn handle(&self, inv: HookInvocation) -> Result<Value, CoreError> {
        let arg = json!({"sessionId": inv.session_id, "hookType": inv.hook_type, "input": inv.input});
        self.0.ask(arg, parse_hook_output).await
    }
}

#[async_trait]
impl ElicitationHandler for CHandler {
    async fn handle(&self, session_id: String, request: Value) -> Result<Value, CoreError> {
        self.0.ask(with_session_id(session_id, request), parse_elicitation_result).await
    }
}

#[async_trait]
impl ExitPlanModeHandler for CHandler {
    async fn handle(&self, session_id: String, request: Value) -> Result<Value, CoreError> {
        self.0.ask(with_session_id(session_id, request), parse_exit_plan_mode_decision).await
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

/// Callbacks to attach to sessions: permission, tools, user input (`ask_user`), hooks,
/// elicitation and exit plan mode (in Rust: implementations of the core's handler traits
/// calling C).
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
    user_input: Option<Arc<dyn UserInputHandler>>,
    hook: Option<Arc<dyn HookHandler>>,
    elicitation: Option<Arc<dyn ElicitationHandler>>,
    exit_plan_mode: Option<Arc<dyn ExitPlanModeHandler>>,
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
        fn keep<T: ?Sized>(mine: &Option<Arc<T>>, theirs: &mut Option<Arc<T>>) {
            if mine.is_some() {
                theirs.clone_from(mine);
            }
        }
        let st = self.state.lock();
        keep(&st.permission, &mut config.permission_handler);
        keep(&st.user_input, &mut config.user_input_handler);
        keep(&st.hook, &mut config.hook_handler);
        keep(&st.elicitation, &mut config.elicitation_handler);
        keep(&st.exit_plan_mode, &mut config.exit_plan_mode_handler);
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
    guard(|| set_callback(handlers, callback, user_data, destroy, |s| &mut s.permission, |h| h))
}

/// Sets (or with a NULL `callback`, removes) the handler in `slot` of a handlers object.
/// The handler it replaces is dropped outside the lock: its `destroy` may call the library.
fn set_callback<T: ?Sized>(
    handlers: *mut copilot_handlers,
    callback: Option<CFn>,
    user_data: *mut c_void,
    destroy: copilot_destroy_callback,
    slot: fn(&mut HandlersState) -> &mut Option<Arc<T>>,
    upcast: fn(Arc<CHandler>) -> Arc<T>,
) -> FfiResult<()> {
    let h = handle::lookup(handlers.cast_const())?;
    let new = callback.map(|f| upcast(CHandler::new(f, user_data, destroy)));
    let old = std::mem::replace(slot(&mut h.state.lock()), new);
    drop(old);
    Ok(())
}

/// Sets the callback answering the agent's `ask_user` questions (see
/// `copilot_user_input_callback`); only then does the session offer the agent its
/// `ask_user` tool. A NULL `callback` removes it. Ownership of `user_data` as for
/// `copilot_handlers_set_permission_callback`.
#[no_mangle]
pub extern "C" fn copilot_handlers_set_user_input_callback(
    handlers: *mut copilot_handlers,
    callback: copilot_user_input_callback,
    user_data: *mut c_void,
    destroy: copilot_destroy_callback,
) -> copilot_result {
    guard(|| set_callback(handlers, callback, user_data, destroy, |s| &mut s.user_input, |h| h))
}

/// Sets the callback that runs hooks (see `copilot_hook_callback`); the CLI then calls it
/// for every hook type. A NULL `callback` removes it (no hooks). Ownership of `user_data`
/// as for `copilot_handlers_set_permission_callback`.
#[no_mangle]
pub extern "C" fn copilot_handlers_set_hook_callback(
    handlers: *mut copilot_handlers,
    callback: copilot_hook_callback,
    user_data: *mut c_void,
    destroy: copilot_destroy_callback,
) -> copilot_result {
    guard(|| set_callback(handlers, callback, user_data, destroy, |s| &mut s.hook, |h| h))
}

/// Sets the callback answering elicitations (see `copilot_elicitation_callback`). A NULL
/// `callback` removes it: this client then does not answer elicitations (another client
/// of the session may). Ownership of `user_data` as for
/// `copilot_handlers_set_permission_callback`.
#[no_mangle]
pub extern "C" fn copilot_handlers_set_elicitation_callback(
    handlers: *mut copilot_handlers,
    callback: copilot_elicitation_callback,
    user_data: *mut c_void,
    destroy: copilot_destroy_callback,
) -> copilot_result {
    guard(|| set_callback(handlers, callback, user_data, destroy, |s| &mut s.elicitation, |h| h))
}

/// Sets the callback deciding whether the agent leaves plan mode (see
/// `copilot_exit_plan_mode_callback`). A NULL `callback` removes it: the CLI then does not
/// ask this client. Ownership of `user_data` as for `copilot_handlers_set_permission_callback`.
#[no_mangle]
pub extern "C" fn copilot_handlers_set_exit_plan_mode_callback(
    handlers: *mut copilot_handlers,
    callback: copilot_exit_plan_mode_callback,
    user_data: *mut c_void,
    destroy: copilot_destroy_callback,
) -> copilot_result {
    guard(|| set_callback(handlers, callback, user_data, destroy, |s| &mut s.exit_plan_mode, |h| h))
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
        let old = h.state.lock().permission.replace(preset.handler());
        drop(old);
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

    #[test]
    fn request_answers_parse() {
        let ui = |t: &str| parse_user_input_answer(t).map(|r| (r.answer, r.was_freeform));
        assert_eq!(ui(r#"{"answer":"red","wasFreeform":false}"#), Ok(("red".into(), false)));
        assert_eq!(ui(r#"{"answer":"red"}"#), Ok(("red".into(), true)));
        assert_eq!(ui(r#""blue""#), Ok(("blue".into(), true)));
        assert_eq!(ui("blue, definitely\n"), Ok(("blue, definitely".into(), true)));
        assert_eq!(ui("42"), Ok(("42".into(), true)));
        assert!(ui("{oops").is_err());
        assert!(ui(r#"{"answer":3}"#).is_err());
        assert!(ui("[]").is_err());

        assert_eq!(parse_hook_output(r#"{"additionalContext":"x"}"#), Ok(json!({"additionalContext": "x"})));
        assert_eq!(parse_hook_output("null"), Ok(json!({})));
        assert!(parse_hook_output("\"x\"").is_err());
        assert!(parse_hook_output("nope").is_err());

        let el = parse_elicitation_result;
        assert_eq!(
            el(r#"{"action":"accept","content":{"confirmed":true}}"#),
            Ok(json!({"action": "accept", "content": {"confirmed": true}}))
        );
        assert_eq!(el("decline"), Ok(json!({"action": "decline"})));
        assert_eq!(el(r#""cancel""#), Ok(json!({"action": "cancel"})));
        assert!(el(r#"{"action":"maybe"}"#).is_err());
        assert!(el("{}").is_err());

        let ep = parse_exit_plan_mode_decision;
        assert_eq!(ep(r#"{"approved":false,"feedback":"f"}"#), Ok(json!({"approved": false, "feedback": "f"})));
        assert_eq!(ep("true"), Ok(json!({"approved": true})));
        assert!(ep(r#"{"approved":"yes"}"#).is_err());
        assert!(ep("").is_err());

        assert_eq!(with_session_id("s".into(), json!({"summary": "x"})), json!({"sessionId": "s", "summary": "x"}));
    }
}
