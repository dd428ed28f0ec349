//! Callbacks from the CLI into the host application: permissions, user input, hooks,
//! elicitation, plan-mode exits.
//!
//! Each callback is one small async trait. Closures are accepted too, through
//! [`IntoPermissionHandler`] and friends. When a session has no permission handler, every
//! request is rejected: permissions deny by default.

use std::future::Future;
use std::sync::Arc;

use async_trait::async_trait;
use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::error::Error;

/// A permission request, as the CLI sent it in `permission.requested`.
#[derive(Debug, Clone, PartialEq)]
pub struct PermissionRequest {
    /// `shell`, `write`, `read`, `mcp`, `url`, `memory`, `custom-tool`, `hook`, ...
    pub kind: String,
    /// Tool call that needs the permission, when there is one.
    pub tool_call_id: Option<String>,
    /// The whole `permissionRequest` object.
    pub data: Value,
}

impl PermissionRequest {
    pub(crate) fn from_event_data(data: &Value) -> PermissionRequest {
        let req = data.get("permissionRequest").cloned().unwrap_or_else(|| data.clone());
        PermissionRequest {
            kind: req.get("kind").and_then(Value::as_str).unwrap_or("").to_owned(),
            tool_call_id: req.get("toolCallId").and_then(Value::as_str).map(str::to_owned),
            data: req,
        }
    }
}

/// Where a permission request comes from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PermissionInvocation {
    /// The session.
    pub session_id: String,
    /// The id the answer is correlated with.
    pub request_id: String,
}

/// The decision sent back to the CLI.
#[derive(Debug, Clone, PartialEq)]
pub enum PermissionResult {
    /// Send this decision (`{kind: ...}` on the wire).
    Decision(Value),
    /// Send nothing, so that another client attached to the session can answer.
    NoResult,
}

impl PermissionResult {
    /// Approve this one request.
    pub fn approve_once() -> Self {
        PermissionResult::Decision(serde_json::json!({"kind": "approve-once"}))
    }
    /// Approve this and similar requests for the rest of the session.
    pub fn approve_for_session() -> Self {
        PermissionResult::Decision(serde_json::json!({"kind": "approve-for-session"}))
    }
    /// Reject, optionally telling the model why.
    pub fn reject(feedback: impl Into<Option<String>>) -> Self {
        match feedback.into() {
            Some(f) => PermissionResult::Decision(serde_json::json!({"kind": "reject", "feedback": f})),
            None => PermissionResult::Decision(serde_json::json!({"kind": "reject"})),
        }
    }
    /// No user is available to decide (what a failing handler answers).
    pub fn user_not_available() -> Self {
        PermissionResult::Decision(serde_json::json!({"kind": "user-not-available"}))
    }
    /// Stay silent.
    pub fn no_result() -> Self {
        PermissionResult::NoResult
    }
    /// True for approve-* decisions.
    pub fn is_approval(&self) -> bool {
        matches!(self, PermissionResult::Decision(v) if v.get("kind").and_then(Value::as_str).is_some_and(|k| k.starts_with("approve")))
    }
}

/// Decides permission requests.
#[async_trait]
pub trait PermissionHandler: Send + Sync + 'static {
    /// Decide one request.
    async fn handle(&self, request: PermissionRequest, invocation: PermissionInvocation)
        -> Result<PermissionResult, Error>;
}

/// Approves everything.
#[derive(Debug, Clone, Copy, Default)]
pub struct ApproveAllHandler;

#[async_trait]
impl PermissionHandler for ApproveAllHandler {
    async fn handle(&self, _: PermissionRequest, _: PermissionInvocation) -> Result<PermissionResult, Error> {
        Ok(PermissionResult::approve_once())
    }
}

/// Rejects everything (the default).
#[derive(Debug, Clone, Copy, Default)]
pub struct DenyAllHandler;

#[async_trait]
impl PermissionHandler for DenyAllHandler {
    async fn handle(&self, _: PermissionRequest, _: PermissionInvocation) -> Result<PermissionResult, Error> {
        Ok(PermissionResult::reject(Some("denied by the application's permission policy".to_owned())))
    }
}

/// Approves every kind of request except `shell` and `write`, which it rejects.
#[derive(Debug, Clone, Copy, Default)]
pub struct ApproveSafetyHandler;

#[async_trait]
impl PermissionHandler for ApproveSafetyHandler {
    async fn handle(&self, req: PermissionRequest, _: PermissionInvocation) -> Result<PermissionResult, Error> {
        Ok(match req.kind.as_str() {
            "shell" | "write" => {
                PermissionResult::reject(Some(format!("{} requests are not allowed by the approve-safety policy", req.kind)))
            }
            _ => PermissionResult::approve_once(),
        })
    }
}

/// A preset permission policy, selectable by name from every binding.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PermissionPreset {
    /// Reject everything (the default).
    DenyAll,
    /// Approve everything.
    ApproveAll,
    /// Approve everything but `shell` and `write`.
    ApproveSafety,
}

impl PermissionPreset {
    /// Parses `deny-all`, `approve-all`, `approve-safety` (underscores accepted too).
    pub fn from_name(name: &str) -> Result<Self, Error> {
        match name.replace('_', "-").as_str() {
            "deny-all" | "deny" => Ok(PermissionPreset::DenyAll),
            "approve-all" | "allow-all" => Ok(PermissionPreset::ApproveAll),
            "approve-safety" | "safety" => Ok(PermissionPreset::ApproveSafety),
            other => Err(Error::InvalidConfig(format!(
                "unknown permission preset {other:?}; expected deny-all, approve-all or approve-safety"
            ))),
        }
    }

    /// The handler implementing the preset.
    pub fn handler(self) -> Arc<dyn PermissionHandler> {
        match self {
            PermissionPreset::DenyAll => Arc::new(DenyAllHandler),
            PermissionPreset::ApproveAll => Arc::new(ApproveAllHandler),
            PermissionPreset::ApproveSafety => Arc::new(ApproveSafetyHandler),
        }
    }
}

struct FnPermissionHandler<F>(F);

#[async_trait]
impl<F, Fut> PermissionHandler for FnPermissionHandler<F>
where
    F: Fn(PermissionRequest, PermissionInvocation) -> Fut + Send + Sync + 'static,
    Fut: Future<Output = Result<PermissionResult, Error>> + Send + 'static,
{
    async fn handle(&self, req: PermissionRequest, inv: PermissionInvocation) -> Result<PermissionResult, Error> {
        (self.0)(req, inv).await
    }
}

/// Marker types that keep the blanket conversions below from overlapping.
pub mod marker {
    /// Conversion from an `Arc` of a handler.
    pub struct FromArc;
    /// Conversion from a closure.
    pub struct FromFn;
    /// Conversion from a preset.
    pub struct FromPreset;
    /// Conversion from an `Arc<dyn ...>`.
    pub struct FromDyn;
}

/// Anything `with_permission_handler` accepts: `Arc<impl PermissionHandler>`,
/// `Arc<dyn PermissionHandler>`, a [`PermissionPreset`], or a closure
/// `|request, invocation| async { Ok(PermissionResult::approve_once()) }`.
pub trait IntoPermissionHandler<M> {
    /// Converts into a shareable handler.
    fn into_permission_handler(self) -> Arc<dyn PermissionHandler>;
}

impl<T: PermissionHandler> IntoPermissionHandler<marker::FromArc> for Arc<T> {
    fn into_permission_handler(self) -> Arc<dyn PermissionHandler> {
        self
    }
}

impl IntoPermissionHandler<marker::FromDyn> for Arc<dyn PermissionHandler> {
    fn into_permission_handler(self) -> Arc<dyn PermissionHandler> {
        self
    }
}

impl IntoPermissionHandler<marker::FromPreset> for PermissionPreset {
    fn into_permission_handler(self) -> Arc<dyn PermissionHandler> {
        self.handler()
    }
}

impl<F, Fut> IntoPermissionHandler<marker::FromFn> for F
where
    F: Fn(PermissionRequest, PermissionInvocation) -> Fut + Send + Sync + 'static,
    Fut: Future<Output = Result<PermissionResult, Error>> + Send + 'static,
{
    fn into_permission_handler(self) -> Arc<dyn PermissionHandler> {
        Arc::new(FnPermissionHandler(self))
    }
}

/// A question from the agent's `ask_user` tool (`userInput.request`).
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct UserInputRequest {
    /// The question.
    #[serde(default)]
    pub question: String,
    /// Offered choices, if any.
    #[serde(default)]
    pub choices: Option<Vec<String>>,
    /// Whether a free-form answer is allowed.
    #[serde(default)]
    pub allow_freeform: Option<bool>,
}

/// The user's answer.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct UserInputResponse {
    /// The answer text.
    pub answer: String,
    /// True when the answer was typed rather than chosen.
    pub was_freeform: bool,
}

/// Answers `ask_user` questions. Without one, the agent is told no answer is available.
#[async_trait]
pub trait UserInputHandler: Send + Sync + 'static {
    /// Answer one question.
    async fn handle(&self, session_id: String, request: UserInputRequest) -> Result<UserInputResponse, Error>;
}

/// One hook invocation (`hooks.invoke`).
#[derive(Debug, Clone, PartialEq)]
pub struct HookInvocation {
    /// The session.
    pub session_id: String,
    /// `sessionStart`, `userPromptSubmitted`, `preToolUse`, `postToolUse`, `agentStop`, ...
    pub hook_type: String,
    /// The hook input object.
    pub input: Value,
}

/// Runs hooks. Return `Value::Object` output (empty object = no effect).
#[async_trait]
pub trait HookHandler: Send + Sync + 'static {
    /// Handle one invocation; the returned value becomes `{output: ...}`.
    async fn handle(&self, invocation: HookInvocation) -> Result<Value, Error>;
}

/// Answers elicitation requests (`elicitation.requested`): `{action, content?}`.
#[async_trait]
pub trait ElicitationHandler: Send + Sync + 'static {
    /// Return `{"action": "accept"|"decline"|"cancel", "content": {...}}`.
    async fn handle(&self, session_id: String, request: Value) -> Result<Value, Error>;
}

/// Answers `exitPlanMode.request`: `{approved, selectedAction?, feedback?}`.
#[async_trait]
pub trait ExitPlanModeHandler: Send + Sync + 'static {
    /// Decide whether to leave plan mode.
    async fn handle(&self, session_id: String, request: Value) -> Result<Value, Error>;
}

macro_rules! closure_handler {
    ($trait_:ident, $wrapper:ident, ($($arg:ident : $ty:ty),*), $out:ty) => {
        struct $wrapper<F>(F);
        #[async_trait]
        impl<F, Fut> $trait_ for $wrapper<F>
        where
            F: Fn($($ty),*) -> Fut + Send + Sync + 'static,
            Fut: Future<Output = Result<$out, Error>> + Send + 'static,
        {
            async fn handle(&self, $($arg: $ty),*) -> Result<$out, Error> {
                (self.0)($($arg),*).await
            }
        }
    };
}

closure_handler!(UserInputHandler, FnUserInput, (s: String, r: UserInputRequest), UserInputResponse);
closure_handler!(HookHandler, FnHook, (i: HookInvocation), Value);
closure_handler!(ElicitationHandler, FnElicitation, (s: String, r: Value), Value);
closure_handler!(ExitPlanModeHandler, FnExitPlan, (s: String, r: Value), Value);

/// Wraps a closure as a [`UserInputHandler`].
pub fn user_input_fn<F, Fut>(f: F) -> Arc<dyn UserInputHandler>
where
    F: Fn(String, UserInputRequest) -> Fut + Send + Sync + 'static,
    Fut: Future<Output = Result<UserInputResponse, Error>> + Send + 'static,
{
    Arc::new(FnUserInput(f))
}

/// Wraps a closure as a [`HookHandler`].
pub fn hook_fn<F, Fut>(f: F) -> Arc<dyn HookHandler>
where
    F: Fn(HookInvocation) -> Fut + Send + Sync + 'static,
    Fut: Future<Output = Result<Value, Error>> + Send + 'static,
{
    Arc::new(FnHook(f))
}

/// Wraps a closure as an [`ElicitationHandler`].
pub fn elicitation_fn<F, Fut>(f: F) -> Arc<dyn ElicitationHandler>
where
    F: Fn(String, Value) -> Fut + Send + Sync + 'static,
    Fut: Future<Output = Result<Value, Error>> + Send + 'static,
{
    Arc::new(FnElicitation(f))
}

/// Wraps a closure as an [`ExitPlanModeHandler`].
pub fn exit_plan_mode_fn<F, Fut>(f: F) -> Arc<dyn ExitPlanModeHandler>
where
    F: Fn(String, Value) -> Fut + Send + Sync + 'static,
    Fut: Future<Output = Result<Value, Error>> + Send + 'static,
{
    Arc::new(FnExitPlan(f))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn req(kind: &str) -> PermissionRequest {
        PermissionRequest::from_event_data(&serde_json::json!({"permissionRequest": {"kind": kind, "toolCallId": "c"}}))
    }
    fn inv() -> PermissionInvocation {
        PermissionInvocation { session_id: "s".into(), request_id: "r".into() }
    }

    #[tokio::test]
    async fn presets() {
        let safety = PermissionPreset::from_name("approve-safety").expect("known").handler();
        assert!(safety.handle(req("read"), inv()).await.expect("ok").is_approval());
        assert!(safety.handle(req("url"), inv()).await.expect("ok").is_approval());
        assert!(!safety.handle(req("shell"), inv()).await.expect("ok").is_approval());
        assert!(!safety.handle(req("write"), inv()).await.expect("ok").is_approval());
        let deny = PermissionPreset::from_name("deny_all").expect("known").handler();
        assert!(!deny.handle(req("read"), inv()).await.expect("ok").is_approval());
        assert!(PermissionPreset::ApproveAll.handler().handle(req("shell"), inv()).await.expect("ok").is_approval());
        assert!(matches!(PermissionPreset::from_name("yolo"), Err(Error::InvalidConfig(_))));
    }

    #[test]
    fn closures_and_arcs_convert() {
        fn take<M>(h: impl IntoPermissionHandler<M>) -> Arc<dyn PermissionHandler> {
            h.into_permission_handler()
        }
        let _ = take(|_req, _inv| async { Ok(PermissionResult::approve_once()) });
        let _ = take(Arc::new(ApproveAllHandler));
        let _ = take(PermissionPreset::ApproveSafety);
    }
}
