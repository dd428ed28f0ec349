//! Options, configurations and results as UniFFI records and enums, with their conversions
//! to the core types. Fields keep the core's names; durations are milliseconds; free-form
//! JSON travels as strings (`*_json`).

use std::collections::HashMap;
use std::sync::Arc;
use std::time::Duration;

use serde_json::{Map, Value};

use crate::error::{json_error, CopilotError};
use crate::handlers::{
    ElicitationAdapter, ElicitationHandler, ExitPlanModeAdapter, ExitPlanModeHandler, HookAdapter, HookHandler,
    PermissionAdapter, PermissionHandler, PermissionPreset, ToolAdapter, ToolHandler, UserInputAdapter,
    UserInputHandler,
};

/// How the client reaches the CLI.
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Enum)]
pub enum Transport {
    /// Spawn the CLI and talk over its stdin/stdout (desktop and JVM default).
    Stdio,
    /// Spawn the CLI listening on local TCP and connect to it.
    Tcp {
        /// Port, 0 for any.
        port: u16,
        /// Shared secret; generated when absent.
        connection_token: Option<String>,
    },
    /// Connect to a CLI server that is already running (`copilot --headless --port N`).
    /// The mode for Android and iOS apps, which cannot spawn the CLI.
    External {
        /// Host name or address.
        host: String,
        /// Port.
        port: u16,
        /// The server's connection token (`COPILOT_CONNECTION_TOKEN`), if it has one.
        connection_token: Option<String>,
    },
}

impl From<Transport> for copilot_core::Transport {
    fn from(t: Transport) -> Self {
        match t {
            Transport::Stdio => copilot_core::Transport::Stdio,
            Transport::Tcp { port, connection_token } => copilot_core::Transport::Tcp { port, connection_token },
            Transport::External { host, port, connection_token } => {
                copilot_core::Transport::External { host, port, connection_token }
            }
        }
    }
}

/// Options for `CopilotClient.start`. Every field has a default.
#[derive(Debug, Clone, Default, uniffi::Record)]
pub struct ClientOptions {
    /// How to reach the CLI (default: spawn it over stdio).
    #[uniffi(default = None)]
    pub transport: Option<Transport>,
    /// Path of the CLI binary (else `COPILOT_CLI_PATH`, then discovery).
    #[uniffi(default = None)]
    pub cli_path: Option<String>,
    /// Extra CLI flags.
    #[uniffi(default)]
    pub extra_args: Vec<String>,
    /// Working directory of the CLI process.
    #[uniffi(default = None)]
    pub cwd: Option<String>,
    /// Environment variables set for the CLI process.
    #[uniffi(default)]
    pub env: HashMap<String, String>,
    /// Environment variables removed for the CLI process.
    #[uniffi(default)]
    pub env_remove: Vec<String>,
    /// GitHub token for the CLI (passed through the environment, never argv).
    #[uniffi(default = None)]
    pub github_token: Option<String>,
    /// Whether the CLI may fall back to the logged-in user.
    #[uniffi(default = None)]
    pub use_logged_in_user: Option<bool>,
    /// CLI log level (`none`, `error`, `warning`, `info`, `debug`, `all`).
    #[uniffi(default = None)]
    pub log_level: Option<String>,
    /// Export every new session to Mission Control (`--remote`); ignored, with a warning,
    /// for an external server.
    #[uniffi(default = false)]
    pub enable_remote_sessions: bool,
    /// `COPILOT_HOME` for the CLI.
    #[uniffi(default = None)]
    pub base_directory: Option<String>,
    /// Server-side idle timeout of sessions, in seconds.
    #[uniffi(default = None)]
    pub session_idle_timeout_seconds: Option<u64>,
    /// Bound on each request, in milliseconds (default 60 000).
    #[uniffi(default = None)]
    pub request_timeout_ms: Option<u64>,
    /// How long `start` waits for the CLI, in milliseconds (default 30 000).
    #[uniffi(default = None)]
    pub startup_timeout_ms: Option<u64>,
    /// Events a listener may fall behind before it lags.
    #[uniffi(default = None)]
    pub subscriber_bound: Option<u32>,
}

impl ClientOptions {
    pub(crate) fn into_core(self) -> copilot_core::ClientOptions {
        let mut o = copilot_core::ClientOptions::new();
        if let Some(t) = self.transport {
            o.transport = t.into();
        }
        o.cli_path = self.cli_path.map(Into::into);
        o.extra_args = self.extra_args;
        o.cwd = self.cwd.map(Into::into);
        let mut env: Vec<(String, String)> = self.env.into_iter().collect();
        env.sort();
        o.env = env;
        o.env_remove = self.env_remove;
        o.github_token = self.github_token;
        o.use_logged_in_user = self.use_logged_in_user;
        o.log_level = self.log_level;
        o.enable_remote_sessions = self.enable_remote_sessions;
        o.base_directory = self.base_directory.map(Into::into);
        o.session_idle_timeout_seconds = self.session_idle_timeout_seconds;
        if let Some(ms) = self.request_timeout_ms {
            o.request_timeout = Duration::from_millis(ms);
        }
        if let Some(ms) = self.startup_timeout_ms {
            o.startup_timeout = Duration::from_millis(ms);
        }
        if let Some(n) = self.subscriber_bound {
            o.subscriber_bound = n as usize;
        }
        o
    }
}

/// Per-session Mission Control mode.
#[derive(Debug, Clone, Copy, PartialEq, Eq, uniffi::Enum)]
pub enum RemoteSessionMode {
    /// Not exported.
    Off,
    /// Exported (viewable on GitHub), not steerable.
    Export,
    /// Exported and steerable from GitHub web and mobile.
    On,
}

impl From<RemoteSessionMode> for copilot_core::RemoteSessionMode {
    fn from(m: RemoteSessionMode) -> Self {
        match m {
            RemoteSessionMode::Off => copilot_core::RemoteSessionMode::Off,
            RemoteSessionMode::Export => copilot_core::RemoteSessionMode::Export,
            RemoteSessionMode::On => copilot_core::RemoteSessionMode::On,
        }
    }
}

/// The repository a cloud session works on.
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct CloudSessionRepository {
    /// Owner (user or organisation).
    pub owner: String,
    /// Repository name.
    pub name: String,
    /// Branch, when not the default one.
    #[uniffi(default = None)]
    pub branch: Option<String>,
}

/// Makes a session run on GitHub-hosted compute.
#[derive(Debug, Clone, Default, PartialEq, Eq, uniffi::Record)]
pub struct CloudSessionOptions {
    /// Repository context (recommended).
    #[uniffi(default = None)]
    pub repository: Option<CloudSessionRepository>,
}

impl From<CloudSessionOptions> for copilot_core::CloudSessionOptions {
    fn from(c: CloudSessionOptions) -> Self {
        match c.repository {
            Some(r) => {
                let mut repo = copilot_core::CloudSessionRepository::new(r.owner, r.name);
                repo.branch = r.branch;
                copilot_core::CloudSessionOptions::with_repository(repo)
            }
            None => copilot_core::CloudSessionOptions::new(),
        }
    }
}

/// System message customisation.
#[derive(Debug, Clone, Default, PartialEq, Eq, uniffi::Record)]
pub struct SystemMessage {
    /// `append` (default), `replace` or `customize`.
    #[uniffi(default = None)]
    pub mode: Option<String>,
    /// Text to append or to replace with.
    #[uniffi(default = None)]
    pub content: Option<String>,
}

/// A tool the application offers to the agent, with the handler that runs it.
#[derive(Clone, uniffi::Record)]
pub struct Tool {
    /// The name the model calls it by.
    pub name: String,
    /// What it does (shown to the model).
    pub description: String,
    /// JSON Schema of its arguments, as JSON.
    #[uniffi(default = None)]
    pub parameters_json: Option<String>,
    /// Runs the tool; `None` declares a tool another client answers.
    #[uniffi(default = None)]
    pub handler: Option<Arc<dyn ToolHandler>>,
    /// Extra usage instructions for the model.
    #[uniffi(default = None)]
    pub instructions: Option<String>,
    /// Skip the `custom-tool` permission request for this tool.
    #[uniffi(default = false)]
    pub skip_permission: bool,
    /// Replace a built-in tool of the same name.
    #[uniffi(default = false)]
    pub overrides_built_in_tool: bool,
}

impl std::fmt::Debug for Tool {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Tool").field("name", &self.name).field("has_handler", &self.handler.is_some()).finish()
    }
}

fn parse_object(what: &str, json: &str) -> Result<Map<String, Value>, CopilotError> {
    match serde_json::from_str::<Value>(json).map_err(|e| json_error(what, e))? {
        Value::Object(m) => Ok(m),
        other => Err(CopilotError::invalid(format!("{what} must be a JSON object, got {other}"))),
    }
}

/// Configuration of a new (or resumed) session. Every field has a default.
#[derive(Clone, Default, uniffi::Record)]
pub struct SessionConfig {
    /// Working directory of the session (on the CLI's machine).
    #[uniffi(default = None)]
    pub working_directory: Option<String>,
    /// Emit `assistant.message_delta` and other streaming events.
    #[uniffi(default = None)]
    pub streaming: Option<bool>,
    /// Model id (see `listModels`).
    #[uniffi(default = None)]
    pub model: Option<String>,
    /// Tools implemented by the application.
    #[uniffi(default)]
    pub tools: Vec<Tool>,
    /// Decides permission requests. Without a handler or a preset every request is denied.
    #[uniffi(default = None)]
    pub permission_handler: Option<Arc<dyn PermissionHandler>>,
    /// A preset policy instead of a handler (setting both is an error).
    #[uniffi(default = None)]
    pub permission_preset: Option<PermissionPreset>,
    /// Answers the agent's `ask_user` questions.
    #[uniffi(default = None)]
    pub user_input_handler: Option<Arc<dyn UserInputHandler>>,
    /// Runs hooks (`preToolUse`, `userPromptSubmitted`, ...); without one the CLI calls none.
    #[uniffi(default = None)]
    pub hook_handler: Option<Arc<dyn HookHandler>>,
    /// Answers elicitations (forms shown to the user, `session.ui.elicitation`); without one
    /// the session cannot show them.
    #[uniffi(default = None)]
    pub elicitation_handler: Option<Arc<dyn ElicitationHandler>>,
    /// Decides whether the agent may leave plan mode.
    #[uniffi(default = None)]
    pub exit_plan_mode_handler: Option<Arc<dyn ExitPlanModeHandler>>,
    /// Mission Control mode for this session.
    #[uniffi(default = None)]
    pub remote_session: Option<RemoteSessionMode>,
    /// Run on GitHub-hosted compute (then leave `session_id` unset).
    #[uniffi(default = None)]
    pub cloud: Option<CloudSessionOptions>,
    /// How long the first `send` of a cloud session waits for the cloud agent (default 120 s).
    #[uniffi(default = None)]
    pub cloud_ready_timeout_ms: Option<u64>,
    /// Whether `send` on a cloud session waits for readiness (default true).
    #[uniffi(default = None)]
    pub wait_for_cloud_ready: Option<bool>,
    /// Client-chosen session id (a UUID by default).
    #[uniffi(default = None)]
    pub session_id: Option<String>,
    /// Identifies the integrating application.
    #[uniffi(default = None)]
    pub client_name: Option<String>,
    /// `none`, `minimal`, `low`, `medium`, `high`, `xhigh` or `max`.
    #[uniffi(default = None)]
    pub reasoning_effort: Option<String>,
    /// System message customisation.
    #[uniffi(default = None)]
    pub system_message: Option<SystemMessage>,
    /// Tool allow-list.
    #[uniffi(default = None)]
    pub available_tools: Option<Vec<String>>,
    /// Tool deny-list.
    #[uniffi(default = None)]
    pub excluded_tools: Option<Vec<String>>,
    /// Custom agent to select.
    #[uniffi(default = None)]
    pub agent: Option<String>,
    /// Per-session GitHub token.
    #[uniffi(default = None)]
    pub github_token: Option<String>,
    /// Any other `session.create` fields by wire name, as a JSON object (for example
    /// `{"mcpServers": {...}, "customAgents": [...], "provider": {...}}`).
    #[uniffi(default = None)]
    pub extra_json: Option<String>,
}

impl SessionConfig {
    pub(crate) fn into_core(self) -> Result<copilot_core::SessionConfig, CopilotError> {
        let mut c = copilot_core::SessionConfig::default();
        c.working_directory = self.working_directory.map(Into::into);
        c.streaming = self.streaming;
        c.model = self.model;
        for t in self.tools {
            let mut tool = copilot_core::Tool::new(t.name, t.description)
                .with_skip_permission(t.skip_permission)
                .with_overrides_built_in_tool(t.overrides_built_in_tool);
            if let Some(p) = t.parameters_json {
                tool.parameters = Some(Value::Object(parse_object(&format!("parameters of tool {}", tool.name), &p)?));
            }
            tool.instructions = t.instructions;
            if let Some(h) = t.handler {
                tool = tool.with_handler(Arc::new(ToolAdapter(h)));
            }
            c.tools.push(tool);
        }
        c.permission_handler = match (self.permission_handler, self.permission_preset) {
            (Some(_), Some(_)) => {
                return Err(CopilotError::invalid("set either permission_handler or permission_preset, not both"))
            }
            (Some(h), None) => Some(Arc::new(PermissionAdapter(h))),
            (None, Some(p)) => Some(copilot_core::PermissionPreset::from(p).handler()),
            (None, None) => None,
        };
        c.user_input_handler = self
            .user_input_handler
            .map(|h| Arc::new(UserInputAdapter(h)) as Arc<dyn copilot_core::handler::UserInputHandler>);
        c.hook_handler =
            self.hook_handler.map(|h| Arc::new(HookAdapter(h)) as Arc<dyn copilot_core::handler::HookHandler>);
        c.elicitation_handler = self
            .elicitation_handler
            .map(|h| Arc::new(ElicitationAdapter(h)) as Arc<dyn copilot_core::handler::ElicitationHandler>);
        c.exit_plan_mode_handler = self
            .exit_plan_mode_handler
            .map(|h| Arc::new(ExitPlanModeAdapter(h)) as Arc<dyn copilot_core::handler::ExitPlanModeHandler>);
        c.remote_session = self.remote_session.map(Into::into);
        c.cloud = self.cloud.map(Into::into);
        c.cloud_ready_timeout = self.cloud_ready_timeout_ms.map(Duration::from_millis);
        c.wait_for_cloud_ready = self.wait_for_cloud_ready;
        c.session_id = self.session_id;
        c.client_name = self.client_name;
        c.reasoning_effort = self.reasoning_effort;
        c.system_message = self.system_message.map(|s| copilot_core::SystemMessageConfig {
            mode: s.mode,
            content: s.content,
            ..Default::default()
        });
        c.available_tools = self.available_tools;
        c.excluded_tools = self.excluded_tools;
        c.agent = self.agent;
        c.github_token = self.github_token;
        if let Some(extra) = self.extra_json {
            c.extra = parse_object("extra_json", &extra)?;
        }
        Ok(c)
    }
}

/// Something attached to a prompt.
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Enum)]
pub enum Attachment {
    /// A file (path on the CLI's machine).
    File {
        /// Path.
        path: String,
    },
    /// A directory (path on the CLI's machine).
    Directory {
        /// Path.
        path: String,
    },
    /// Any other attachment object, as JSON.
    Json {
        /// The attachment object.
        json: String,
    },
}

/// Options of one prompt, next to its text.
#[derive(Debug, Clone, Default, PartialEq, Eq, uniffi::Record)]
pub struct SendOptions {
    /// Attachments.
    #[uniffi(default)]
    pub attachments: Vec<Attachment>,
    /// `enqueue` (default) or `immediate`.
    #[uniffi(default = None)]
    pub mode: Option<String>,
    /// Replaces the prompt in the timeline.
    #[uniffi(default = None)]
    pub display_prompt: Option<String>,
    /// How long `sendAndWait` waits, in milliseconds (default 60 000).
    #[uniffi(default = None)]
    pub timeout_ms: Option<u64>,
}

pub(crate) fn message(prompt: String, options: Option<SendOptions>) -> Result<copilot_core::MessageOptions, CopilotError> {
    let mut m = copilot_core::MessageOptions::new(prompt);
    if let Some(o) = options {
        for a in o.attachments {
            m = match a {
                Attachment::File { path } => m.with_file(path),
                Attachment::Directory { path } => m.with_directory(path),
                Attachment::Json { json } => m.with_attachment(Value::Object(parse_object("attachment", &json)?)),
            };
        }
        m.mode = o.mode;
        m.display_prompt = o.display_prompt;
        m.timeout = o.timeout_ms.map(Duration::from_millis);
    }
    Ok(m)
}

/// A model the server offers.
#[derive(Debug, Clone, PartialEq, uniffi::Record)]
pub struct ModelInfo {
    /// Model id (for `SessionConfig.model`).
    pub id: String,
    /// Display name.
    pub name: String,
    /// Capabilities (`supports`, `limits`) as JSON.
    pub capabilities_json: String,
}

impl From<copilot_core::ModelInfo> for ModelInfo {
    fn from(m: copilot_core::ModelInfo) -> Self {
        ModelInfo { id: m.id, name: m.name, capabilities_json: m.capabilities.to_string() }
    }
}

/// A stored session.
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct SessionMetadata {
    /// Session id.
    pub session_id: String,
    /// Creation time.
    pub start_time: Option<String>,
    /// Last modification.
    pub modified_time: Option<String>,
    /// Summary, if any.
    pub summary: Option<String>,
    /// Exported to Mission Control.
    pub is_remote: Option<bool>,
}

impl From<copilot_core::SessionMetadata> for SessionMetadata {
    fn from(m: copilot_core::SessionMetadata) -> Self {
        SessionMetadata {
            session_id: m.session_id,
            start_time: m.start_time,
            modified_time: m.modified_time,
            summary: m.summary,
            is_remote: m.is_remote,
        }
    }
}

/// The answer to `ping`.
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct PingResponse {
    /// `pong` or `pong: <message>`.
    pub message: String,
    /// The server's protocol version.
    pub protocol_version: Option<u64>,
}

/// The result of enabling remote access.
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct RemoteEnableResult {
    /// The Mission Control URL (open it on GitHub web or mobile).
    pub url: Option<String>,
    /// Whether the session can be steered remotely.
    pub remote_steerable: bool,
    /// Whether a new export started.
    pub started: Option<bool>,
}

impl From<copilot_core::RemoteEnableResult> for RemoteEnableResult {
    fn from(r: copilot_core::RemoteEnableResult) -> Self {
        RemoteEnableResult { url: r.url, remote_steerable: r.remote_steerable, started: r.started }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn configs_convert_and_validate_json() {
        let c = SessionConfig {
            streaming: Some(true),
            permission_preset: Some(PermissionPreset::ApproveSafety),
            cloud: Some(CloudSessionOptions {
                repository: Some(CloudSessionRepository { owner: "o".into(), name: "r".into(), branch: Some("b".into()) }),
            }),
            extra_json: Some(r#"{"agent": "x"}"#.into()),
            tools: vec![Tool {
                name: "t".into(),
                description: "d".into(),
                parameters_json: Some(r#"{"type": "object"}"#.into()),
                handler: None,
                instructions: None,
                skip_permission: true,
                overrides_built_in_tool: false,
            }],
            ..Default::default()
        }
        .into_core()
        .expect("valid");
        assert!(c.permission_handler.is_some());
        assert_eq!(c.tools[0].parameters, Some(serde_json::json!({"type": "object"})));
        assert_eq!(c.extra["agent"], "x");
        let bad = SessionConfig { extra_json: Some("[1]".into()), ..Default::default() }.into_core();
        assert!(matches!(bad, Err(CopilotError::InvalidConfig { .. })));
        let bad = SessionConfig { extra_json: Some("{".into()), ..Default::default() }.into_core();
        assert!(matches!(bad, Err(CopilotError::Json { .. })));
        let o = ClientOptions {
            transport: Some(Transport::External { host: "h".into(), port: 1, connection_token: Some("t".into()) }),
            request_timeout_ms: Some(5),
            ..Default::default()
        }
        .into_core();
        assert!(matches!(o.transport, copilot_core::Transport::External { .. }));
        assert_eq!(o.request_timeout, Duration::from_millis(5));
        let m = message("hi".into(), Some(SendOptions { timeout_ms: Some(7), ..Default::default() })).expect("ok");
        assert_eq!(m.timeout, Some(Duration::from_millis(7)));
    }
}
