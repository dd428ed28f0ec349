//! Host callbacks implemented in Kotlin or Swift: permissions, tools and user input.
//!
//! Each is a foreign trait (`#[uniffi::export(foreign)]`) with one async method, so Kotlin
//! implements a `suspend fun` and Swift an `async throws` func. The core awaits them on its
//! runtime. A handler that throws does not hang the agent: a tool failure becomes a failed
//! tool result the model sees, a permission failure becomes "user not available".
//!
//! Reference cycles: the session keeps each handler alive until the session is disconnected
//! or the client stopped. A handler that holds its own session (or client) strongly keeps both
//! alive until then; hold them weakly, or make sure `disconnect()`/`stop()` runs.

use std::sync::Arc;

use async_trait::async_trait;
use copilot_core::handler::{PermissionInvocation as CoreInvocation, UserInputRequest as CoreUserInputRequest};
use copilot_core::{Error as CoreError, PermissionRequest as CorePermissionRequest};

use crate::error::CopilotError;

/// A permission request from the agent (`permission.requested`).
#[derive(Debug, Clone, uniffi::Record)]
pub struct PermissionRequest {
    /// `shell`, `write`, `read`, `mcp`, `url`, `memory`, `custom-tool`, `hook`, ...
    pub kind: String,
    /// The tool call that needs the permission, when there is one.
    pub tool_call_id: Option<String>,
    /// The whole request object as JSON (`fullCommandText` for shell, `path` for reads, ...).
    pub data_json: String,
}

/// Where a permission request comes from.
#[derive(Debug, Clone, uniffi::Record)]
pub struct PermissionInvocation {
    /// The session.
    pub session_id: String,
    /// The id the decision is correlated with.
    pub request_id: String,
}

/// The answer to a permission request.
#[derive(Debug, Clone, PartialEq, uniffi::Enum)]
pub enum PermissionDecision {
    /// Approve this one request.
    ApproveOnce,
    /// Approve this and similar requests for the rest of the session.
    ApproveForSession,
    /// Reject, optionally telling the model why.
    Reject {
        /// Shown to the model.
        feedback: Option<String>,
    },
    /// No user is available to decide.
    UserNotAvailable,
    /// Answer nothing, so that another client attached to the session can decide.
    NoResult,
    /// Any other decision object, as JSON (`{"kind": ...}`).
    Custom {
        /// The decision object.
        json: String,
    },
}

/// A preset permission policy.
#[derive(Debug, Clone, Copy, PartialEq, Eq, uniffi::Enum)]
pub enum PermissionPreset {
    /// Reject everything (also what a session without a handler does).
    DenyAll,
    /// Approve everything.
    ApproveAll,
    /// Approve everything but `shell` and `write`.
    ApproveSafety,
}

/// A preset by the name configuration files use: `deny-all`, `approve-all`, `approve-safety`
/// (underscores accepted). Any other name is an `InvalidConfig` error.
#[uniffi::export]
pub fn permission_preset_from_name(name: String) -> Result<PermissionPreset, CopilotError> {
    Ok(match copilot_core::PermissionPreset::from_name(&name)? {
        copilot_core::PermissionPreset::DenyAll => PermissionPreset::DenyAll,
        copilot_core::PermissionPreset::ApproveAll => PermissionPreset::ApproveAll,
        copilot_core::PermissionPreset::ApproveSafety => PermissionPreset::ApproveSafety,
    })
}

impl From<PermissionPreset> for copilot_core::PermissionPreset {
    fn from(p: PermissionPreset) -> Self {
        match p {
            PermissionPreset::DenyAll => copilot_core::PermissionPreset::DenyAll,
            PermissionPreset::ApproveAll => copilot_core::PermissionPreset::ApproveAll,
            PermissionPreset::ApproveSafety => copilot_core::PermissionPreset::ApproveSafety,
        }
    }
}

/// Decides permission requests. Implement it in Kotlin (`suspend fun handle`) or Swift
/// (`func handle(...) async throws`).
#[uniffi::export(foreign)]
#[async_trait]
pub trait PermissionHandler: Send + Sync {
    /// Decides one request.
    async fn handle(
        &self,
        request: PermissionRequest,
        invocation: PermissionInvocation,
    ) -> Result<PermissionDecision, CopilotError>;
}

pub(crate) struct PermissionAdapter(pub Arc<dyn PermissionHandler>);

#[async_trait]
impl copilot_core::PermissionHandler for PermissionAdapter {
    async fn handle(
        &self,
        request: CorePermissionRequest,
        invocation: CoreInvocation,
    ) -> Result<copilot_core::PermissionResult, CoreError> {
        let request = PermissionRequest {
            kind: request.kind,
            tool_call_id: request.tool_call_id,
            data_json: request.data.to_string(),
        };
        let invocation = PermissionInvocation { session_id: invocation.session_id, request_id: invocation.request_id };
        let decision = self.0.handle(request, invocation).await?;
        decision_to_core(decision)
    }
}

fn decision_to_core(d: PermissionDecision) -> Result<copilot_core::PermissionResult, CoreError> {
    use copilot_core::PermissionResult as R;
    Ok(match d {
        PermissionDecision::ApproveOnce => R::approve_once(),
        PermissionDecision::ApproveForSession => R::approve_for_session(),
        PermissionDecision::Reject { feedback } => R::reject(feedback),
        PermissionDecision::UserNotAvailable => R::user_not_available(),
        PermissionDecision::NoResult => R::no_result(),
        PermissionDecision::Custom { json } => {
            let v: serde_json::Value = serde_json::from_str(&json)
                .map_err(|e| CoreError::Handler(format!("custom permission decision is not JSON: {e}")))?;
            R::Decision(v)
        }
    })
}

/// One call of a tool by the model.
#[derive(Debug, Clone, uniffi::Record)]
pub struct ToolInvocation {
    /// The session.
    pub session_id: String,
    /// The model's tool call id.
    pub tool_call_id: String,
    /// The tool's name.
    pub tool_name: String,
    /// The arguments the model chose, as a JSON object.
    pub arguments_json: String,
}

/// What a tool returns to the model.
#[derive(Debug, Clone, PartialEq, uniffi::Record)]
pub struct ToolResult {
    /// The text the model sees.
    pub text_result_for_llm: String,
    /// `false` marks the result as a failure.
    #[uniffi(default = true)]
    pub success: bool,
    /// Error text for a failure.
    #[uniffi(default = None)]
    pub error: Option<String>,
    /// A line for the session timeline.
    #[uniffi(default = None)]
    pub session_log: Option<String>,
}

impl From<ToolResult> for copilot_core::ToolResult {
    fn from(r: ToolResult) -> Self {
        let mut out = if r.success {
            copilot_core::ToolResult::success(r.text_result_for_llm)
        } else {
            copilot_core::ToolResult::failure(r.text_result_for_llm)
        };
        if r.error.is_some() {
            out.error = r.error;
        }
        out.session_log = r.session_log;
        out
    }
}

/// Runs a tool the application offers to the agent. Implement it in Kotlin
/// (`suspend fun call`) or Swift (`func call(...) async throws`).
#[uniffi::export(foreign)]
#[async_trait]
pub trait ToolHandler: Send + Sync {
    /// Runs one call. Throwing reports a failed tool call to the model.
    async fn call(&self, invocation: ToolInvocation) -> Result<ToolResult, CopilotError>;
}

pub(crate) struct ToolAdapter(pub Arc<dyn ToolHandler>);

#[async_trait]
impl copilot_core::ToolHandler for ToolAdapter {
    async fn call(&self, inv: copilot_core::ToolInvocation) -> Result<copilot_core::ToolResult, CoreError> {
        let inv = ToolInvocation {
            session_id: inv.session_id,
            tool_call_id: inv.tool_call_id,
            tool_name: inv.tool_name,
            arguments_json: inv.arguments.to_string(),
        };
        Ok(self.0.call(inv).await?.into())
    }
}

/// A question from the agent's `ask_user` tool.
#[derive(Debug, Clone, uniffi::Record)]
pub struct UserInputRequest {
    /// The question.
    pub question: String,
    /// Offered choices, if any.
    pub choices: Option<Vec<String>>,
    /// Whether a free-form answer is allowed.
    pub allow_freeform: Option<bool>,
}

/// The user's answer.
#[derive(Debug, Clone, uniffi::Record)]
pub struct UserInputResponse {
    /// The answer.
    pub answer: String,
    /// True when typed rather than chosen.
    #[uniffi(default = false)]
    pub was_freeform: bool,
}

/// Answers `ask_user` questions. Without one the agent is told no user is available.
#[uniffi::export(foreign)]
#[async_trait]
pub trait UserInputHandler: Send + Sync {
    /// Answers one question.
    async fn handle(&self, session_id: String, request: UserInputRequest) -> Result<UserInputResponse, CopilotError>;
}

pub(crate) struct UserInputAdapter(pub Arc<dyn UserInputHandler>);

#[async_trait]
impl copilot_core::handler::UserInputHandler for UserInputAdapter {
    async fn handle(
        &self,
        session_id: String,
        request: CoreUserInputRequest,
    ) -> Result<copilot_core::handler::UserInputResponse, CoreError> {
        let request = UserInputRequest {
            question: request.question,
            choices: request.choices,
            allow_freeform: request.allow_freeform,
        };
        let r = self.0.handle(session_id, request).await?;
        Ok(copilot_core::handler::UserInputResponse { answer: r.answer, was_freeform: r.was_freeform })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn decisions_map_to_the_wire() {
        let r = decision_to_core(PermissionDecision::Reject { feedback: Some("no".into()) }).expect("ok");
        assert_eq!(r, copilot_core::PermissionResult::reject(Some("no".to_owned())));
        assert!(decision_to_core(PermissionDecision::ApproveOnce).expect("ok").is_approval());
        assert!(decision_to_core(PermissionDecision::Custom { json: "{".into() }).is_err());
        let t: copilot_core::ToolResult =
            ToolResult { text_result_for_llm: "bad".into(), success: false, error: None, session_log: None }.into();
        assert_eq!(t.result_type, "failure");
        assert_eq!(permission_preset_from_name("approve_safety".into()).ok(), Some(PermissionPreset::ApproveSafety));
        assert!(matches!(permission_preset_from_name("yolo".into()), Err(CopilotError::InvalidConfig { .. })));
    }
}
