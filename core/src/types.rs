//! Options and configurations: [`ClientOptions`], [`SessionConfig`], [`ResumeSessionConfig`],
//! [`MessageOptions`] and the cloud/remote settings.

use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use crate::error::{Error, Result};
use crate::handler::{
    ElicitationHandler, ExitPlanModeHandler, HookHandler, IntoPermissionHandler, PermissionHandler,
    UserInputHandler,
};
use crate::tool::Tool;

/// How the client reaches the CLI. Its `Debug` output redacts the connection token.
#[derive(Clone, Default, PartialEq, Eq)]
pub enum Transport {
    /// Spawn the CLI and talk over its stdin/stdout (default).
    #[default]
    Stdio,
    /// Spawn the CLI listening on TCP (`port` 0 = chosen by the OS) and connect to it.
    Tcp {
        /// Port, 0 for any.
        port: u16,
        /// Shared secret for `connect`; generated when `None`.
        connection_token: Option<String>,
    },
    /// Connect to a CLI server that is already running (`copilot --headless --port N`).
    /// This is the mode for mobile apps, which cannot spawn processes.
    External {
        /// Host name or address.
        host: String,
        /// Port.
        port: u16,
        /// The server's connection token, if it was started with one.
        connection_token: Option<String>,
    },
}

/// Options for [`crate::Client::start`]. Its `Debug` output redacts the GitHub token, the
/// connection token and environment values.
#[derive(Clone)]
#[non_exhaustive]
pub struct ClientOptions {
    /// Explicit path of the CLI binary (highest priority in discovery).
    pub cli_path: Option<PathBuf>,
    /// Extra CLI flags, appended last.
    pub extra_args: Vec<String>,
    /// Working directory of the CLI process.
    pub cwd: Option<PathBuf>,
    /// Environment variables set for the CLI process.
    pub env: Vec<(String, String)>,
    /// Environment variables removed for the CLI process.
    pub env_remove: Vec<String>,
    /// Transport.
    pub transport: Transport,
    /// GitHub token, handed to the CLI through an environment variable (never argv).
    pub github_token: Option<String>,
    /// Whether the CLI may fall back to the logged-in user (defaults to true without a token).
    pub use_logged_in_user: Option<bool>,
    /// CLI log level (`none`, `error`, `warning`, `info`, `debug`, `all`).
    pub log_level: Option<String>,
    /// Start the CLI with `--remote`: every new session is exported to Mission Control.
    pub enable_remote_sessions: bool,
    /// `COPILOT_HOME` for the CLI (config, session state, logs).
    pub base_directory: Option<PathBuf>,
    /// Server-side idle timeout for sessions, in seconds.
    pub session_idle_timeout_seconds: Option<u64>,
    /// Bound on every request that has no explicit one (default 60 s).
    pub request_timeout: Duration,
    /// Events a subscriber may have queued before it lags (see [`crate::events`]).
    pub subscriber_bound: usize,
    /// Largest frame accepted from the CLI.
    pub max_frame_bytes: usize,
    /// How long `start` waits for the CLI to come up.
    pub startup_timeout: Duration,
}

impl Default for ClientOptions {
    fn default() -> Self {
        ClientOptions {
            cli_path: None,
            extra_args: Vec::new(),
            cwd: None,
            env: Vec::new(),
            env_remove: Vec::new(),
            transport: Transport::Stdio,
            github_token: None,
            use_logged_in_user: None,
            log_level: None,
            enable_remote_sessions: false,
            base_directory: None,
            session_idle_timeout_seconds: None,
            request_timeout: Duration::from_secs(60),
            subscriber_bound: crate::events::DEFAULT_SUBSCRIBER_BOUND,
            max_frame_bytes: crate::jsonrpc::DEFAULT_MAX_FRAME_BYTES,
            startup_timeout: Duration::from_secs(30),
        }
    }
}

impl ClientOptions {
    /// Default options: spawn the discovered CLI over stdio.
    pub fn new() -> Self {
        Self::default()
    }
    /// Uses this CLI binary.
    pub fn with_cli_path(mut self, path: impl Into<PathBuf>) -> Self {
        self.cli_path = Some(path.into());
        self
    }
    /// Appends CLI flags.
    pub fn with_extra_args<I, S>(mut self, args: I) -> Self
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
    {
        self.extra_args.extend(args.into_iter().map(Into::into));
        self
    }
    /// Working directory of the CLI process.
    pub fn with_cwd(mut self, cwd: impl Into<PathBuf>) -> Self {
        self.cwd = Some(cwd.into());
        self
    }
    /// Sets environment variables for the CLI process.
    pub fn with_env<I, K, V>(mut self, vars: I) -> Self
    where
        I: IntoIterator<Item = (K, V)>,
        K: Into<String>,
        V: Into<String>,
    {
        self.env.extend(vars.into_iter().map(|(k, v)| (k.into(), v.into())));
        self
    }
    /// Removes environment variables for the CLI process.
    pub fn with_env_remove<I, S>(mut self, names: I) -> Self
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
    {
        self.env_remove.extend(names.into_iter().map(Into::into));
        self
    }
    /// Selects the transport.
    pub fn with_transport(mut self, transport: Transport) -> Self {
        self.transport = transport;
        self
    }
    /// Authenticates the CLI with this GitHub token.
    pub fn with_github_token(mut self, token: impl Into<String>) -> Self {
        self.github_token = Some(token.into());
        self
    }
    /// Allows or forbids falling back to the logged-in user.
    pub fn with_use_logged_in_user(mut self, v: bool) -> Self {
        self.use_logged_in_user = Some(v);
        self
    }
    /// CLI log level.
    pub fn with_log_level(mut self, level: impl Into<String>) -> Self {
        self.log_level = Some(level.into());
        self
    }
    /// Exports every new session to Mission Control (`--remote`). Ignored, with a warning,
    /// for [`Transport::External`].
    pub fn with_enable_remote_sessions(mut self, enabled: bool) -> Self {
        self.enable_remote_sessions = enabled;
        self
    }
    /// `COPILOT_HOME` for the CLI.
    pub fn with_base_directory(mut self, dir: impl Into<PathBuf>) -> Self {
        self.base_directory = Some(dir.into());
        self
    }
    /// Server-side idle timeout for sessions.
    pub fn with_session_idle_timeout_seconds(mut self, secs: u64) -> Self {
        self.session_idle_timeout_seconds = Some(secs);
        self
    }
    /// Default bound on requests.
    pub fn with_request_timeout(mut self, t: Duration) -> Self {
        self.request_timeout = t;
        self
    }
    /// Per-subscriber queue bound.
    pub fn with_subscriber_bound(mut self, n: usize) -> Self {
        self.subscriber_bound = n;
        self
    }
    /// Start-up bound.
    pub fn with_startup_timeout(mut self, t: Duration) -> Self {
        self.startup_timeout = t;
        self
    }

    /// Checks the options before anything is spawned.
    pub fn validate(&self) -> Result<()> {
        if let Some(level) = &self.log_level {
            const LEVELS: [&str; 7] = ["none", "error", "warning", "info", "debug", "all", "default"];
            if !LEVELS.contains(&level.as_str()) {
                return Err(Error::InvalidConfig(format!("log level {level:?} is not one of {LEVELS:?}")));
            }
        }
        if let Transport::External { host, .. } = &self.transport {
            if host.is_empty() {
                return Err(Error::InvalidConfig("external server host is empty".into()));
            }
        }
        if self.subscriber_bound == 0 {
            return Err(Error::InvalidConfig("subscriber_bound must be at least 1".into()));
        }
        if matches!(&self.github_token, Some(t) if t.is_empty()) {
            return Err(Error::InvalidConfig("github_token is empty".into()));
        }
        Ok(())
    }
}

/// Per-session Mission Control mode (`remoteSession`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum RemoteSessionMode {
    /// Not exported.
    Off,
    /// Exported (viewable), not steerable.
    Export,
    /// Exported and steerable from GitHub web/mobile.
    On,
}

impl RemoteSessionMode {
    /// Parses `off`, `export` or `on`.
    pub fn from_name(s: &str) -> Result<Self> {
        match s {
            "off" => Ok(Self::Off),
            "export" => Ok(Self::Export),
            "on" => Ok(Self::On),
            other => Err(Error::InvalidConfig(format!("remote session mode {other:?} is not off, export or on"))),
        }
    }
    /// Wire name.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Off => "off",
            Self::Export => "export",
            Self::On => "on",
        }
    }
}

/// Repository a cloud session works on.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CloudSessionRepository {
    /// Owner (user or organisation).
    pub owner: String,
    /// Repository name.
    pub name: String,
    /// Branch, when not the default.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub branch: Option<String>,
}

impl CloudSessionRepository {
    /// `owner/name` on the default branch.
    pub fn new(owner: impl Into<String>, name: impl Into<String>) -> Self {
        CloudSessionRepository { owner: owner.into(), name: name.into(), branch: None }
    }
    /// Selects a branch.
    pub fn with_branch(mut self, branch: impl Into<String>) -> Self {
        self.branch = Some(branch.into());
        self
    }
}

/// Makes a session run on GitHub-hosted compute.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct CloudSessionOptions {
    /// Repository context (optional but recommended).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub repository: Option<CloudSessionRepository>,
}

impl CloudSessionOptions {
    /// A cloud session with no repository.
    pub fn new() -> Self {
        Self::default()
    }
    /// A cloud session on a repository.
    pub fn with_repository(repository: CloudSessionRepository) -> Self {
        CloudSessionOptions { repository: Some(repository) }
    }
}

/// System message customisation (`systemMessage`).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct SystemMessageConfig {
    /// `append` (default), `replace` or `customize`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub mode: Option<String>,
    /// Text to append or to replace with.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub content: Option<String>,
    /// Per-section overrides for `customize`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sections: Option<Value>,
}

impl SystemMessageConfig {
    /// Appends `content` to the default system prompt.
    pub fn append(content: impl Into<String>) -> Self {
        SystemMessageConfig { mode: Some("append".into()), content: Some(content.into()), sections: None }
    }
    /// Replaces the system prompt with `content`.
    pub fn replace(content: impl Into<String>) -> Self {
        SystemMessageConfig { mode: Some("replace".into()), content: Some(content.into()), sections: None }
    }
}

/// An MCP server (`mcpServers` entry).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "lowercase")]
pub enum McpServerConfig {
    /// A local server started as a process.
    Stdio {
        /// Executable.
        command: String,
        /// Arguments.
        #[serde(default)]
        args: Vec<String>,
        /// Environment.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        env: Option<Map<String, Value>>,
        /// Tool allow-list (`["*"]` for all).
        #[serde(default)]
        tools: Vec<String>,
    },
    /// A remote server over streamable HTTP.
    Http {
        /// URL.
        url: String,
        /// Extra headers.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        headers: Option<Map<String, Value>>,
        /// Tool allow-list.
        #[serde(default)]
        tools: Vec<String>,
    },
}

/// A custom agent (`customAgents` entry).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct CustomAgentConfig {
    /// Identifier.
    pub name: String,
    /// The agent's prompt.
    pub prompt: String,
    /// Display name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub display_name: Option<String>,
    /// Description.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    /// Tools it may use.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tools: Option<Vec<String>>,
    /// Model override.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub model: Option<String>,
}

/// Bring-your-own-key model provider (`provider`). Its `Debug` output redacts the key, the
/// bearer token and header values.
#[derive(Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ProviderConfig {
    /// `openai` (default), `azure` or `anthropic`.
    #[serde(rename = "type", default, skip_serializing_if = "Option::is_none")]
    pub provider_type: Option<String>,
    /// Base URL (required).
    pub base_url: String,
    /// API key.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub api_key: Option<String>,
    /// Bearer token.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub bearer_token: Option<String>,
    /// `completions` (default) or `responses`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub wire_api: Option<String>,
    /// Extra headers.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub headers: Option<Map<String, Value>>,
}

const REASONING_EFFORTS: [&str; 7] = ["none", "minimal", "low", "medium", "high", "xhigh", "max"];

/// Configuration of a new session.
#[derive(Clone, Default)]
#[non_exhaustive]
pub struct SessionConfig {
    /// Client-chosen session id (a UUID is generated when absent; must be absent for cloud).
    pub session_id: Option<String>,
    /// Working directory of the session.
    pub working_directory: Option<PathBuf>,
    /// Model id.
    pub model: Option<String>,
    /// Identifies the integrating application.
    pub client_name: Option<String>,
    /// Reasoning effort.
    pub reasoning_effort: Option<String>,
    /// Emit `assistant.message_delta` and other streaming events.
    pub streaming: Option<bool>,
    /// System message customisation.
    pub system_message: Option<SystemMessageConfig>,
    /// Tools implemented by the application.
    pub tools: Vec<Tool>,
    /// Allow-list of tools.
    pub available_tools: Option<Vec<String>>,
    /// Deny-list of tools.
    pub excluded_tools: Option<Vec<String>>,
    /// MCP servers by name.
    pub mcp_servers: Option<Map<String, Value>>,
    /// Custom agents.
    pub custom_agents: Option<Vec<CustomAgentConfig>>,
    /// Custom agent selected at start.
    pub agent: Option<String>,
    /// BYOK provider.
    pub provider: Option<ProviderConfig>,
    /// Per-session GitHub identity.
    pub github_token: Option<String>,
    /// Per-session Mission Control mode.
    pub remote_session: Option<RemoteSessionMode>,
    /// Run on GitHub-hosted compute.
    pub cloud: Option<CloudSessionOptions>,
    /// Any other `session.create` field, by wire name (see PROTOCOL.md §5.1).
    pub extra: Map<String, Value>,
    /// Permission handler (deny-all when `None`).
    pub permission_handler: Option<Arc<dyn PermissionHandler>>,
    /// `ask_user` handler.
    pub user_input_handler: Option<Arc<dyn UserInputHandler>>,
    /// Hook handler.
    pub hook_handler: Option<Arc<dyn HookHandler>>,
    /// Elicitation handler.
    pub elicitation_handler: Option<Arc<dyn ElicitationHandler>>,
    /// Exit-plan-mode handler.
    pub exit_plan_mode_handler: Option<Arc<dyn ExitPlanModeHandler>>,
    /// How long `send` on a cloud session waits for the cloud agent (default 120 s).
    pub cloud_ready_timeout: Option<Duration>,
    /// Whether `send` on a cloud session waits for readiness (default true).
    pub wait_for_cloud_ready: Option<bool>,
}

/// How secrets appear in `Debug` output: whether one is set, never its value.
struct Redacted(bool);

impl std::fmt::Debug for Redacted {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(if self.0 { "Some(<redacted>)" } else { "None" })
    }
}

fn redacted<T>(secret: &Option<T>) -> Redacted {
    Redacted(secret.is_some())
}

impl std::fmt::Debug for Transport {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Transport::Stdio => f.write_str("Stdio"),
            Transport::Tcp { port, connection_token } => f
                .debug_struct("Tcp")
                .field("port", port)
                .field("connection_token", &redacted(connection_token))
                .finish(),
            Transport::External { host, port, connection_token } => f
                .debug_struct("External")
                .field("host", host)
                .field("port", port)
                .field("connection_token", &redacted(connection_token))
                .finish(),
        }
    }
}

impl std::fmt::Debug for ClientOptions {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let env: Vec<(&str, Redacted)> = self.env.iter().map(|(k, _)| (k.as_str(), Redacted(true))).collect();
        f.debug_struct("ClientOptions")
            .field("cli_path", &self.cli_path)
            .field("extra_args", &self.extra_args)
            .field("cwd", &self.cwd)
            .field("env", &env)
            .field("env_remove", &self.env_remove)
            .field("transport", &self.transport)
            .field("github_token", &redacted(&self.github_token))
            .field("use_logged_in_user", &self.use_logged_in_user)
            .field("log_level", &self.log_level)
            .field("enable_remote_sessions", &self.enable_remote_sessions)
            .field("base_directory", &self.base_directory)
            .field("session_idle_timeout_seconds", &self.session_idle_timeout_seconds)
            .field("request_timeout", &self.request_timeout)
            .field("subscriber_bound", &self.subscriber_bound)
            .field("max_frame_bytes", &self.max_frame_bytes)
            .field("startup_timeout", &self.startup_timeout)
            .finish()
    }
}

impl std::fmt::Debug for ProviderConfig {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let headers: Option<Vec<&str>> = self.headers.as_ref().map(|h| h.keys().map(String::as_str).collect());
        f.debug_struct("ProviderConfig")
            .field("provider_type", &self.provider_type)
            .field("base_url", &self.base_url)
            .field("api_key", &redacted(&self.api_key))
            .field("bearer_token", &redacted(&self.bearer_token))
            .field("wire_api", &self.wire_api)
            .field("header_names", &headers)
            .finish()
    }
}

impl std::fmt::Debug for SessionConfig {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SessionConfig")
            .field("session_id", &self.session_id)
            .field("working_directory", &self.working_directory)
            .field("model", &self.model)
            .field("streaming", &self.streaming)
            .field("tools", &self.tools)
            .field("cloud", &self.cloud)
            .field("remote_session", &self.remote_session)
            .field("provider", &self.provider)
            .field("github_token", &redacted(&self.github_token))
            .field("has_permission_handler", &self.permission_handler.is_some())
            .finish_non_exhaustive()
    }
}

macro_rules! setters {
    ($( $(#[$doc:meta])* $fn_:ident($field:ident : $ty:ty) => $conv:expr; )*) => {
        $(
            $(#[$doc])*
            pub fn $fn_(mut self, $field: $ty) -> Self {
                self.$field = Some($conv);
                self
            }
        )*
    };
}

impl SessionConfig {
    /// A session working in `working_directory`.
    pub fn new(working_directory: impl Into<PathBuf>) -> Self {
        SessionConfig { working_directory: Some(working_directory.into()), ..Default::default() }
    }

    setters! {
        /// Client-chosen session id.
        with_session_id(session_id: impl Into<String>) => session_id.into();
        /// Working directory.
        with_working_directory(working_directory: impl Into<PathBuf>) => working_directory.into();
        /// Model id.
        with_model(model: impl Into<String>) => model.into();
        /// Client name.
        with_client_name(client_name: impl Into<String>) => client_name.into();
        /// Reasoning effort (`none`, `minimal`, `low`, `medium`, `high`, `xhigh`, `max`).
        with_reasoning_effort(reasoning_effort: impl Into<String>) => reasoning_effort.into();
        /// Streaming events on or off.
        with_streaming(streaming: bool) => streaming;
        /// System message.
        with_system_message(system_message: SystemMessageConfig) => system_message;
        /// Tool allow-list.
        with_available_tools(available_tools: Vec<String>) => available_tools;
        /// Tool deny-list.
        with_excluded_tools(excluded_tools: Vec<String>) => excluded_tools;
        /// Custom agents.
        with_custom_agents(custom_agents: Vec<CustomAgentConfig>) => custom_agents;
        /// Select a custom agent.
        with_agent(agent: impl Into<String>) => agent.into();
        /// BYOK provider.
        with_provider(provider: ProviderConfig) => provider;
        /// Per-session GitHub token.
        with_github_token(github_token: impl Into<String>) => github_token.into();
        /// Mission Control mode for this session.
        with_remote_session(remote_session: RemoteSessionMode) => remote_session;
        /// Run in the cloud.
        with_cloud(cloud: CloudSessionOptions) => cloud;
        /// User-input handler.
        with_user_input_handler(user_input_handler: Arc<dyn UserInputHandler>) => user_input_handler;
        /// Hook handler.
        with_hook_handler(hook_handler: Arc<dyn HookHandler>) => hook_handler;
        /// Elicitation handler.
        with_elicitation_handler(elicitation_handler: Arc<dyn ElicitationHandler>) => elicitation_handler;
        /// Exit-plan-mode handler.
        with_exit_plan_mode_handler(exit_plan_mode_handler: Arc<dyn ExitPlanModeHandler>) => exit_plan_mode_handler;
        /// How long a cloud `send` waits for the cloud agent.
        with_cloud_ready_timeout(cloud_ready_timeout: Duration) => cloud_ready_timeout;
        /// Whether a cloud `send` waits for readiness.
        with_wait_for_cloud_ready(wait_for_cloud_ready: bool) => wait_for_cloud_ready;
    }

    /// Permission handler: an `Arc` of a handler, a [`crate::handler::PermissionPreset`] or
    /// an async closure `|request, invocation| async { ... }`.
    pub fn with_permission_handler<M>(mut self, handler: impl IntoPermissionHandler<M>) -> Self {
        self.permission_handler = Some(handler.into_permission_handler());
        self
    }

    /// Adds a tool.
    pub fn with_tool(mut self, tool: Tool) -> Self {
        self.tools.push(tool);
        self
    }

    /// Adds tools.
    pub fn with_tools<I: IntoIterator<Item = Tool>>(mut self, tools: I) -> Self {
        self.tools.extend(tools);
        self
    }

    /// Adds an MCP server.
    pub fn with_mcp_server(mut self, name: impl Into<String>, server: McpServerConfig) -> Self {
        let v = serde_json::to_value(server).unwrap_or(Value::Null);
        self.mcp_servers.get_or_insert_with(Map::new).insert(name.into(), v);
        self
    }

    /// Sets any other `session.create` field by its wire name.
    pub fn with_extra(mut self, key: impl Into<String>, value: Value) -> Self {
        self.extra.insert(key.into(), value);
        self
    }

    /// Checks the configuration.
    pub fn validate(&self) -> Result<()> {
        if self.cloud.is_some() && self.session_id.is_some() {
            return Err(Error::InvalidConfig(
                "a cloud session gets its id from the server: do not set session_id together with cloud".into(),
            ));
        }
        if let Some(e) = &self.reasoning_effort {
            if !REASONING_EFFORTS.contains(&e.as_str()) {
                return Err(Error::InvalidConfig(format!("reasoning effort {e:?} is not one of {REASONING_EFFORTS:?}")));
            }
        }
        if let Some(dir) = &self.working_directory {
            if self.cloud.is_none() && !dir.as_os_str().is_empty() && !dir.is_dir() {
                return Err(Error::InvalidConfig(format!("working directory {} does not exist", dir.display())));
            }
        }
        let mut names = std::collections::HashSet::new();
        for t in &self.tools {
            if t.name.is_empty() {
                return Err(Error::InvalidConfig("a tool has an empty name".into()));
            }
            if !names.insert(t.name.as_str()) {
                return Err(Error::InvalidConfig(format!("tool {:?} is declared twice", t.name)));
            }
        }
        for list in [&self.available_tools, &self.excluded_tools].into_iter().flatten() {
            if list.iter().any(|n| n == "*") {
                return Err(Error::InvalidConfig("a bare \"*\" tool filter matches nothing; use builtin:* or similar".into()));
            }
        }
        Ok(())
    }

    /// The wire params of `session.create` / `session.resume` (without `sessionId`).
    pub(crate) fn to_wire(&self, for_resume: bool) -> Map<String, Value> {
        let mut p = Map::new();
        let mut put = |k: &str, v: Value| {
            p.insert(k.to_owned(), v);
        };
        if let Some(d) = &self.working_directory {
            if !d.as_os_str().is_empty() {
                put("workingDirectory", Value::String(d.to_string_lossy().into_owned()));
            }
        }
        if let Some(v) = &self.model {
            put("model", v.clone().into());
        }
        if let Some(v) = &self.client_name {
            put("clientName", v.clone().into());
        }
        if let Some(v) = &self.reasoning_effort {
            put("reasoningEffort", v.clone().into());
        }
        if let Some(v) = self.streaming {
            put("streaming", v.into());
        }
        if let Some(v) = &self.system_message {
            put("systemMessage", serde_json::to_value(v).unwrap_or(Value::Null));
        }
        if !self.tools.is_empty() {
            put("tools", Value::Array(self.tools.iter().map(Tool::to_wire).collect()));
        }
        if let Some(v) = &self.available_tools {
            put("availableTools", serde_json::json!(v));
        }
        if let Some(v) = &self.excluded_tools {
            put("excludedTools", serde_json::json!(v));
        }
        if let Some(v) = &self.mcp_servers {
            put("mcpServers", Value::Object(v.clone()));
        }
        if let Some(v) = &self.custom_agents {
            put("customAgents", serde_json::to_value(v).unwrap_or(Value::Null));
        }
        if let Some(v) = &self.agent {
            put("agent", v.clone().into());
        }
        if let Some(v) = &self.provider {
            put("provider", serde_json::to_value(v).unwrap_or(Value::Null));
        }
        if let Some(v) = &self.github_token {
            put("gitHubToken", v.clone().into());
        }
        if let Some(v) = self.remote_session {
            put("remoteSession", v.as_str().into());
        }
        put("envValueMode", "direct".into());
        put("toolFilterPrecedence", "excluded".into());
        match (&self.cloud, for_resume) {
            (Some(c), false) => {
                // Cloud sessions must not carry the client-capability flags (CLI 1.0.102 rejects
                // the create with -32601 when they are present).
                put("cloud", serde_json::to_value(c).unwrap_or(Value::Null));
            }
            _ => {
                put("requestPermission", true.into());
                put("requestUserInput", self.user_input_handler.is_some().into());
                put("requestElicitation", self.elicitation_handler.is_some().into());
                put("requestExitPlanMode", self.exit_plan_mode_handler.is_some().into());
                put("hooks", self.hook_handler.is_some().into());
            }
        }
        for (k, v) in &self.extra {
            p.insert(k.clone(), v.clone());
        }
        p
    }
}

/// Configuration for resuming an existing session.
#[derive(Clone, Debug)]
#[non_exhaustive]
pub struct ResumeSessionConfig {
    /// The session to resume.
    pub session_id: String,
    /// Everything else, as for a new session (`cloud` must stay unset).
    pub config: SessionConfig,
    /// Suppress the `session.resume` event.
    pub disable_resume: bool,
}

macro_rules! forward {
    ($( $(#[$doc:meta])* $fn_:ident($arg:ident : $ty:ty); )*) => {
        $(
            $(#[$doc])*
            pub fn $fn_(mut self, $arg: $ty) -> Self {
                self.config = self.config.$fn_($arg);
                self
            }
        )*
    };
}

impl ResumeSessionConfig {
    /// Resume `session_id` (`ResumeSessionConfig::new("id".into())` or `new(session.id().to_owned())`).
    pub fn new(session_id: crate::SessionId) -> Self {
        ResumeSessionConfig { session_id, config: SessionConfig::default(), disable_resume: false }
    }

    /// Resume with the settings of a [`SessionConfig`].
    pub fn from_config(session_id: impl Into<String>, config: SessionConfig) -> Self {
        ResumeSessionConfig { session_id: session_id.into(), config, disable_resume: false }
    }

    /// Permission handler (see [`SessionConfig::with_permission_handler`]).
    pub fn with_permission_handler<M>(mut self, handler: impl IntoPermissionHandler<M>) -> Self {
        self.config = self.config.with_permission_handler(handler);
        self
    }

    forward! {
        /// Working directory.
        with_working_directory(dir: PathBuf);
        /// Model.
        with_model(model: String);
        /// Streaming.
        with_streaming(streaming: bool);
        /// Adds a tool.
        with_tool(tool: Tool);
        /// Mission Control mode.
        with_remote_session(mode: RemoteSessionMode);
        /// Cloud options: rejected by `resume_session` (resume a cloud session plainly).
        with_cloud(cloud: CloudSessionOptions);
        /// User-input handler.
        with_user_input_handler(h: Arc<dyn UserInputHandler>);
        /// Hook handler.
        with_hook_handler(h: Arc<dyn HookHandler>);
    }

    /// Suppress the `session.resume` event.
    pub fn with_disable_resume(mut self, v: bool) -> Self {
        self.disable_resume = v;
        self
    }
}

/// A prompt and its options for `send`.
#[derive(Debug, Clone, Default)]
#[non_exhaustive]
pub struct MessageOptions {
    /// The prompt.
    pub prompt: String,
    /// Attachments (`{type: "file", path}`, `{type: "directory", path}`, `{type: "blob", ...}`, ...).
    pub attachments: Vec<Value>,
    /// `enqueue` (default) or `immediate`.
    pub mode: Option<String>,
    /// Replaces the prompt in the timeline.
    pub display_prompt: Option<String>,
    /// How long `send_and_wait` waits (default 60 s).
    pub timeout: Option<Duration>,
    /// Any other `session.send` field by wire name.
    pub extra: Map<String, Value>,
}

impl MessageOptions {
    /// A plain prompt.
    pub fn new(prompt: impl Into<String>) -> Self {
        MessageOptions { prompt: prompt.into(), ..Default::default() }
    }
    /// Attaches a file.
    pub fn with_file(mut self, path: impl Into<PathBuf>) -> Self {
        let path: PathBuf = path.into();
        let name = path.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
        self.attachments.push(serde_json::json!({"type": "file", "path": path.to_string_lossy(), "displayName": name}));
        self
    }
    /// Attaches a directory.
    pub fn with_directory(mut self, path: impl Into<PathBuf>) -> Self {
        let path: PathBuf = path.into();
        self.attachments.push(serde_json::json!({"type": "directory", "path": path.to_string_lossy()}));
        self
    }
    /// Adds a raw attachment object.
    pub fn with_attachment(mut self, attachment: Value) -> Self {
        self.attachments.push(attachment);
        self
    }
    /// Delivery mode.
    pub fn with_mode(mut self, mode: impl Into<String>) -> Self {
        self.mode = Some(mode.into());
        self
    }
    /// Timeline text.
    pub fn with_display_prompt(mut self, text: impl Into<String>) -> Self {
        self.display_prompt = Some(text.into());
        self
    }
    /// Bound for `send_and_wait`.
    pub fn with_timeout(mut self, t: Duration) -> Self {
        self.timeout = Some(t);
        self
    }

    pub(crate) fn to_wire(&self) -> Map<String, Value> {
        let mut p = Map::new();
        p.insert("prompt".into(), self.prompt.clone().into());
        if !self.attachments.is_empty() {
            p.insert("attachments".into(), Value::Array(self.attachments.clone()));
        }
        if let Some(m) = &self.mode {
            p.insert("mode".into(), m.clone().into());
        }
        if let Some(d) = &self.display_prompt {
            p.insert("displayPrompt".into(), d.clone().into());
        }
        for (k, v) in &self.extra {
            p.insert(k.clone(), v.clone());
        }
        p
    }
}

impl From<&str> for MessageOptions {
    fn from(s: &str) -> Self {
        MessageOptions::new(s)
    }
}

impl From<String> for MessageOptions {
    fn from(s: String) -> Self {
        MessageOptions::new(s)
    }
}

impl From<&String> for MessageOptions {
    fn from(s: &String) -> Self {
        MessageOptions::new(s.clone())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cloud_wire_has_no_capability_flags() {
        let c = SessionConfig::default()
            .with_cloud(CloudSessionOptions::with_repository(CloudSessionRepository::new("o", "r").with_branch("main")))
            .with_streaming(true);
        let w = c.to_wire(false);
        assert_eq!(w["cloud"]["repository"]["branch"], "main");
        for k in ["requestPermission", "hooks", "requestUserInput", "requestElicitation"] {
            assert!(!w.contains_key(k), "{k}");
        }
        let local = SessionConfig::new("/").to_wire(false);
        assert_eq!(local["requestPermission"], true);
    }

    #[test]
    fn validation_errors() {
        let e = SessionConfig::default().with_cloud(CloudSessionOptions::new()).with_session_id("x").validate();
        assert!(matches!(e, Err(Error::InvalidConfig(_))));
        assert!(SessionConfig::new("/definitely/not/here").validate().is_err());
        assert!(SessionConfig::new("/").with_reasoning_effort("extreme").validate().is_err());
        assert!(ClientOptions::new().with_log_level("loud").validate().is_err());
        assert!(SessionConfig::new("/").with_excluded_tools(vec!["*".into()]).validate().is_err());
    }
}
