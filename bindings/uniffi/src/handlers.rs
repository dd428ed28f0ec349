//! Host callbacks implemented in Kotlin or Swift: permissions, tools, user input, hooks,
//! elicitation and plan-mode exits.
//!
//! Each is a foreign trait (`#[uniffi::export(foreign)]`) with one async method, so Kotlin
//! implements a `suspend fun` and Swift an `async throws` func. The core awaits them on its
//! runtime. A handler that throws does not hang the agent:
//! - a tool failure becomes a failed tool result the model sees;
//! - a permission failure becomes "user not available";
//! - a user-input failure: the `ask_user` tool gets "The user was unable to respond due to an
//!   error";
//! - a hook failure is ignored by the CLI (the hook has no effect, the turn goes on);
//! - an elicitation failure answers `cancel`;
//! - an exit-plan-mode failure: the CLI treats the request as not approved (feedback "Client did
//!   not respond to exit plan mode request") and the model sees that.
//!
//! Free-form JSON (hook input and output, an elicitation's schema and content) travels as
//! strings, as elsewhere in this binding; fixed shapes are records.
//!
//! Reference cycles: the session keeps each handler alive until the session is disconnected
//! or the client stopped. A handler that holds its own session (or client) strongly keeps both
//! alive until then; hold them weakly, or make sure `disconnect()`/`stop()` runs.

use std::sync::Arc;

use async_trait::async_trait;
use copilot_core::handler::{PermissionInvocation as CoreInvocation, UserInputRequest as CoreUserInputRequest};
use copilot_core::{Error as CoreError, PermissionRequest as CorePermissionRequest};
use serde_json::{Map, Value};

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

/// One hook invocation (`hooks.invoke`).
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct HookInvocation {
    /// The session.
    pub session_id: String,
    /// `sessionStart`, `userPromptSubmitted`, `userPromptTransformed`, `preToolUse`,
    /// `postToolUse`, `postToolUseFailure`, `errorOccurred`, `agentStop`, `sessionEnd`, ...
    pub hook_type: String,
    /// The hook's input object as JSON (`prompt` for `userPromptSubmitted`, `toolName` and
    /// `toolArgs` for `preToolUse`, ...; every input has `sessionId`, `timestamp`, `cwd`).
    pub input_json: String,
}

/// Runs the session's hooks (`hooks.invoke`): one handler for every hook type, told apart by
/// `HookInvocation.hookType`. Setting one makes the CLI call it for each hook point.
#[uniffi::export(foreign)]
#[async_trait]
pub trait HookHandler: Send + Sync {
    /// Handles one invocation and returns the hook's output object as JSON (for
    /// `userPromptSubmitted`: `{"additionalContext": "..."}` or `{"modifiedPrompt": "..."}`;
    /// for `preToolUse`: `{"permissionDecision": "allow"|"deny"|"ask", ...}`), or null for no
    /// effect. Throwing, or returning something other than a JSON object, makes the CLI ignore
    /// the hook.
    async fn handle(&self, invocation: HookInvocation) -> Result<Option<String>, CopilotError>;
}

pub(crate) struct HookAdapter(pub Arc<dyn HookHandler>);

#[async_trait]
impl copilot_core::handler::HookHandler for HookAdapter {
    async fn handle(&self, inv: copilot_core::handler::HookInvocation) -> Result<Value, CoreError> {
        let inv = HookInvocation { session_id: inv.session_id, hook_type: inv.hook_type, input_json: inv.input.to_string() };
        hook_output_to_core(self.0.handle(inv).await?)
    }
}

fn hook_output_to_core(output: Option<String>) -> Result<Value, CoreError> {
    match output {
        None => Ok(Value::Object(Map::new())),
        Some(json) => Ok(Value::Object(object("hook output", &json)?)),
    }
}

/// A string member of a request object (`None` when absent or not a string).
fn str_field(v: &Value, key: &str) -> Option<String> {
    v.get(key).and_then(Value::as_str).map(str::to_owned)
}

/// A JSON object from a handler's answer; anything else is a handler failure.
fn object(what: &str, json: &str) -> Result<Map<String, Value>, CoreError> {
    match serde_json::from_str::<Value>(json) {
        Ok(Value::Object(m)) => Ok(m),
        Ok(other) => Err(CoreError::Handler(format!("{what} must be a JSON object, got {other}"))),
        Err(e) => Err(CoreError::Handler(format!("{what} is not JSON: {e}"))),
    }
}

/// A question the agent (or `session.ui.elicitation`) asks the user through a form
/// (`elicitation.requested`).
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct ElicitationRequest {
    /// What to ask.
    pub message: String,
    /// The JSON Schema of the answer's `content` (an object schema with flat properties), as
    /// JSON; null for a `url` elicitation.
    pub requested_schema_json: Option<String>,
    /// `form` (default) or `url`.
    pub mode: Option<String>,
    /// The page to open, for a `url` elicitation.
    pub url: Option<String>,
    /// Who asks (an MCP server name, ...), when known.
    pub elicitation_source: Option<String>,
    /// The tool call that asks, when there is one.
    pub tool_call_id: Option<String>,
    /// The id the answer is correlated with (the `elicitation.completed` event carries it).
    pub request_id: String,
    /// The whole request object as JSON.
    pub data_json: String,
}

impl ElicitationRequest {
    fn from_core(data: &Value) -> Self {
        let s = |k: &str| str_field(data, k);
        ElicitationRequest {
            message: s("message").unwrap_or_default(),
            requested_schema_json: data.get("requestedSchema").filter(|v| !v.is_null()).map(Value::to_string),
            mode: s("mode"),
            url: s("url"),
            elicitation_source: s("elicitationSource"),
            tool_call_id: s("toolCallId"),
            request_id: s("requestId").unwrap_or_default(),
            data_json: data.to_string(),
        }
    }
}

/// What the user did with an elicitation.
#[derive(Debug, Clone, Copy, PartialEq, Eq, uniffi::Enum)]
pub enum ElicitationAction {
    /// Submitted the form (`content` holds the answer).
    Accept,
    /// Explicitly declined.
    Decline,
    /// Dismissed it (also what a failing handler answers).
    Cancel,
}

/// The answer to an [`ElicitationRequest`].
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct ElicitationResult {
    /// Accept, decline or cancel.
    pub action: ElicitationAction,
    /// For `Accept`: the answer as a JSON object matching the requested schema
    /// (`{"confirmed": true}`).
    #[uniffi(default = None)]
    pub content_json: Option<String>,
}

impl ElicitationResult {
    fn into_core(self) -> Result<Value, CoreError> {
        let action = match self.action {
            ElicitationAction::Accept => "accept",
            ElicitationAction::Decline => "decline",
            ElicitationAction::Cancel => "cancel",
        };
        let mut out = Map::new();
        out.insert("action".into(), action.into());
        if let Some(c) = self.content_json {
            out.insert("content".into(), Value::Object(object("elicitation content", &c)?));
        }
        Ok(Value::Object(out))
    }
}

/// Answers elicitations: forms the agent, an MCP server or `session.ui.elicitation` shows the
/// user. Setting one tells the CLI this client can show them.
#[uniffi::export(foreign)]
#[async_trait]
pub trait ElicitationHandler: Send + Sync {
    /// Answers one request. Throwing, or `contentJson` that is not a JSON object, answers
    /// `Cancel`.
    async fn handle(&self, session_id: String, request: ElicitationRequest) -> Result<ElicitationResult, CopilotError>;
}

pub(crate) struct ElicitationAdapter(pub Arc<dyn ElicitationHandler>);

#[async_trait]
impl copilot_core::handler::ElicitationHandler for ElicitationAdapter {
    async fn handle(&self, session_id: String, request: Value) -> Result<Value, CoreError> {
        self.0.handle(session_id, ElicitationRequest::from_core(&request)).await?.into_core()
    }
}

/// The agent asks to leave plan mode (`exitPlanMode.request`, from its `exit_plan_mode` tool).
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct ExitPlanModeRequest {
    /// The plan in brief.
    pub summary: String,
    /// The plan file's content, when there is one.
    pub plan_content: Option<String>,
    /// What the user may choose to do next (`autopilot`, `interactive`, `exit_only`, ...).
    pub actions: Vec<String>,
    /// The action the agent recommends.
    pub recommended_action: Option<String>,
}

impl ExitPlanModeRequest {
    fn from_core(params: &Value) -> Self {
        let s = |k: &str| str_field(params, k);
        ExitPlanModeRequest {
            summary: s("summary").unwrap_or_default(),
            plan_content: s("planContent"),
            actions: params
                .get("actions")
                .and_then(Value::as_array)
                .map(|a| a.iter().filter_map(Value::as_str).map(str::to_owned).collect())
                .unwrap_or_default(),
            recommended_action: s("recommendedAction"),
        }
    }
}

/// The answer to an [`ExitPlanModeRequest`].
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct ExitPlanModeResponse {
    /// Leave plan mode (true) or stay in it (false).
    pub approved: bool,
    /// The chosen action, one of the request's `actions`.
    #[uniffi(default = None)]
    pub selected_action: Option<String>,
    /// Shown to the model (why not, what to change).
    #[uniffi(default = None)]
    pub feedback: Option<String>,
}

impl From<ExitPlanModeResponse> for Value {
    fn from(r: ExitPlanModeResponse) -> Value {
        let mut out = Map::new();
        out.insert("approved".into(), r.approved.into());
        if let Some(a) = r.selected_action {
            out.insert("selectedAction".into(), a.into());
        }
        if let Some(f) = r.feedback {
            out.insert("feedback".into(), f.into());
        }
        Value::Object(out)
    }
}

/// Decides whether the agent leaves plan mode (the agent asks through its `exit_plan_mode`
/// tool while the session is in plan mode). Without one, the session tells the CLI that this
/// client does not answer these requests.
#[uniffi::export(foreign)]
#[async_trait]
pub trait ExitPlanModeHandler: Send + Sync {
    /// Decides one request. Throwing counts as not approved.
    async fn handle(&self, session_id: String, request: ExitPlanModeRequest) -> Result<ExitPlanModeResponse, CopilotError>;
}

pub(crate) struct ExitPlanModeAdapter(pub Arc<dyn ExitPlanModeHandler>);

#[async_trait]
impl copilot_core::handler::ExitPlanModeHandler for ExitPlanModeAdapter {
    async fn handle(&self, session_id: String, request: Value) -> Result<Value, CoreError> {
        Ok(self.0.handle(session_id, ExitPlanModeRequest::from_core(&request)).await?.into())
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

    #[test]
    fn hook_elicitation_and_plan_answers_map_to_the_wire() {
        use serde_json::json;
        assert_eq!(hook_output_to_core(None).expect("ok"), json!({}));
        assert_eq!(
            hook_output_to_core(Some(r#"{"additionalContext": "x"}"#.into())).expect("ok"),
            json!({"additionalContext": "x"})
        );
        assert!(matches!(hook_output_to_core(Some("[1]".into())), Err(CoreError::Handler(_))));
        assert!(matches!(hook_output_to_core(Some("{".into())), Err(CoreError::Handler(_))));

        let data = json!({"requestId": "r1", "message": "Deploy?", "mode": "form",
            "requestedSchema": {"type": "object", "properties": {"confirmed": {"type": "boolean"}}}});
        let req = ElicitationRequest::from_core(&data);
        assert_eq!((req.message.as_str(), req.request_id.as_str(), req.mode.as_deref()), ("Deploy?", "r1", Some("form")));
        let schema: Value = serde_json::from_str(req.requested_schema_json.as_deref().expect("schema")).expect("json");
        assert_eq!(schema["properties"]["confirmed"]["type"], "boolean");
        assert_eq!(req.url, None);
        let accept = ElicitationResult { action: ElicitationAction::Accept, content_json: Some(r#"{"confirmed": true}"#.into()) };
        assert_eq!(accept.into_core().expect("ok"), json!({"action": "accept", "content": {"confirmed": true}}));
        let decline = ElicitationResult { action: ElicitationAction::Decline, content_json: None };
        assert_eq!(decline.into_core().expect("ok"), json!({"action": "decline"}));
        let bad = ElicitationResult { action: ElicitationAction::Accept, content_json: Some("true".into()) };
        assert!(matches!(bad.into_core(), Err(CoreError::Handler(_))));

        let req = ExitPlanModeRequest::from_core(&json!({"sessionId": "s", "summary": "Add a README",
            "actions": ["autopilot", "interactive", "exit_only"], "recommendedAction": "interactive"}));
        assert_eq!(req.summary, "Add a README");
        assert_eq!(req.actions, vec!["autopilot", "interactive", "exit_only"]);
        assert_eq!((req.plan_content, req.recommended_action.as_deref()), (None, Some("interactive")));
        let no = ExitPlanModeResponse { approved: false, selected_action: None, feedback: Some("needs tests".into()) };
        assert_eq!(Value::from(no), json!({"approved": false, "feedback": "needs tests"}));
        let yes = ExitPlanModeResponse { approved: true, selected_action: Some("autopilot".into()), feedback: None };
        assert_eq!(Value::from(yes), json!({"approved": true, "selectedAction": "autopilot"}));
    }
}
