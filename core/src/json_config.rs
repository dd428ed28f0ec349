//! Options and configurations from JSON, for bindings that pass them as JSON or dicts
//! (the C ABI, Python keyword arguments). Keys are the Rust field names (snake_case);
//! unknown keys and wrong types are [`Error::InvalidConfig`] naming the key.

use std::path::PathBuf;
use std::time::Duration;

use serde::Deserialize;
use serde_json::{Map, Value};

use crate::error::{Error, Result};
use crate::handler::PermissionPreset;
use crate::tool::Tool;
use crate::types::{
    ClientOptions, CloudSessionOptions, CustomAgentConfig, MessageOptions, ProviderConfig, RemoteSessionMode,
    SessionConfig, SystemMessageConfig, Transport,
};

fn invalid(what: &str, e: serde_json::Error) -> Error {
    Error::InvalidConfig(format!("{what}: {e}"))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct ClientOptionsJson {
    cli_path: Option<PathBuf>,
    #[serde(default)]
    extra_args: Vec<String>,
    cwd: Option<PathBuf>,
    #[serde(default)]
    env: Map<String, Value>,
    #[serde(default)]
    env_remove: Vec<String>,
    transport: Option<TransportJson>,
    github_token: Option<String>,
    use_logged_in_user: Option<bool>,
    log_level: Option<String>,
    #[serde(default)]
    enable_remote_sessions: bool,
    base_directory: Option<PathBuf>,
    session_idle_timeout_seconds: Option<u64>,
    request_timeout_ms: Option<u64>,
    startup_timeout_ms: Option<u64>,
    subscriber_bound: Option<usize>,
}

#[derive(Deserialize)]
#[serde(tag = "type", rename_all = "lowercase", deny_unknown_fields)]
enum TransportJson {
    Stdio,
    Tcp {
        #[serde(default)]
        port: u16,
        connection_token: Option<String>,
    },
    External {
        host: String,
        port: u16,
        connection_token: Option<String>,
    },
}

impl ClientOptions {
    /// Client options from a JSON object, e.g.
    /// `{"cli_path": "...", "github_token": "...", "enable_remote_sessions": true,
    ///   "transport": {"type": "external", "host": "127.0.0.1", "port": 4321, "connection_token": "..."}}`.
    pub fn from_json(v: &Value) -> Result<ClientOptions> {
        let j: ClientOptionsJson = ClientOptionsJson::deserialize(v).map_err(|e| invalid("client options", e))?;
        let mut o = ClientOptions::new();
        o.cli_path = j.cli_path;
        o.extra_args = j.extra_args;
        o.cwd = j.cwd;
        for (k, v) in j.env {
            let s = match v {
                Value::String(s) => s,
                other => return Err(Error::InvalidConfig(format!("client options: env value of {k} must be a string, got {other}"))),
            };
            o.env.push((k, s));
        }
        o.env_remove = j.env_remove;
        o.transport = match j.transport {
            None | Some(TransportJson::Stdio) => Transport::Stdio,
            Some(TransportJson::Tcp { port, connection_token }) => Transport::Tcp { port, connection_token },
            Some(TransportJson::External { host, port, connection_token }) => {
                Transport::External { host, port, connection_token }
            }
        };
        o.github_token = j.github_token;
        o.use_logged_in_user = j.use_logged_in_user;
        o.log_level = j.log_level;
        o.enable_remote_sessions = j.enable_remote_sessions;
        o.base_directory = j.base_directory;
        o.session_idle_timeout_seconds = j.session_idle_timeout_seconds;
        if let Some(ms) = j.request_timeout_ms {
            o.request_timeout = Duration::from_millis(ms);
        }
        if let Some(ms) = j.startup_timeout_ms {
            o.startup_timeout = Duration::from_millis(ms);
        }
        if let Some(n) = j.subscriber_bound {
            o.subscriber_bound = n;
        }
        o.validate()?;
        Ok(o)
    }
}

/// A tool declared in JSON; the binding attaches the handler by name.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct ToolJson {
    name: String,
    #[serde(default)]
    description: String,
    parameters: Option<Value>,
    instructions: Option<String>,
    #[serde(default)]
    skip_permission: bool,
    #[serde(default)]
    overrides_built_in_tool: bool,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct SessionConfigJson {
    session_id: Option<String>,
    working_directory: Option<PathBuf>,
    model: Option<String>,
    client_name: Option<String>,
    reasoning_effort: Option<String>,
    streaming: Option<bool>,
    system_message: Option<SystemMessageConfig>,
    #[serde(default)]
    tools: Vec<ToolJson>,
    available_tools: Option<Vec<String>>,
    excluded_tools: Option<Vec<String>>,
    mcp_servers: Option<Map<String, Value>>,
    custom_agents: Option<Vec<CustomAgentConfig>>,
    agent: Option<String>,
    provider: Option<ProviderConfig>,
    github_token: Option<String>,
    remote_session: Option<String>,
    cloud: Option<CloudSessionOptions>,
    /// Permission preset name: `deny-all` (default), `approve-all`, `approve-safety`.
    permission: Option<String>,
    cloud_ready_timeout_ms: Option<u64>,
    wait_for_cloud_ready: Option<bool>,
    #[serde(default)]
    extra: Map<String, Value>,
}

impl SessionConfig {
    /// A session configuration from a JSON object, e.g.
    /// `{"working_directory": "/repo", "streaming": true, "permission": "approve-safety",
    ///   "tools": [{"name": "get_weather", "description": "...", "parameters": {...}}],
    ///   "cloud": {"repository": {"owner": "o", "name": "r", "branch": "main"}}}`.
    /// Tools come without handlers: the caller attaches them (see [`Tool::with_handler`]).
    #[allow(clippy::field_reassign_with_default)] // SessionConfig is non_exhaustive
    pub fn from_json(v: &Value) -> Result<SessionConfig> {
        let j: SessionConfigJson = SessionConfigJson::deserialize(v).map_err(|e| invalid("session config", e))?;
        let mut c = SessionConfig::default();
        c.session_id = j.session_id;
        c.working_directory = j.working_directory;
        c.model = j.model;
        c.client_name = j.client_name;
        c.reasoning_effort = j.reasoning_effort;
        c.streaming = j.streaming;
        c.system_message = j.system_message;
        c.tools = j
            .tools
            .into_iter()
            .map(|t| {
                let mut tool = Tool::new(t.name, t.description)
                    .with_skip_permission(t.skip_permission)
                    .with_overrides_built_in_tool(t.overrides_built_in_tool);
                tool.parameters = t.parameters;
                tool.instructions = t.instructions;
                tool
            })
            .collect();
        c.available_tools = j.available_tools;
        c.excluded_tools = j.excluded_tools;
        c.mcp_servers = j.mcp_servers;
        c.custom_agents = j.custom_agents;
        c.agent = j.agent;
        c.provider = j.provider;
        c.github_token = j.github_token;
        c.remote_session = j.remote_session.as_deref().map(RemoteSessionMode::from_name).transpose()?;
        c.cloud = j.cloud;
        if let Some(p) = j.permission {
            c.permission_handler = Some(PermissionPreset::from_name(&p)?.handler());
        }
        c.cloud_ready_timeout = j.cloud_ready_timeout_ms.map(Duration::from_millis);
        c.wait_for_cloud_ready = j.wait_for_cloud_ready;
        c.extra = j.extra;
        c.validate()?;
        Ok(c)
    }
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct MessageJson {
    prompt: String,
    #[serde(default)]
    attachments: Vec<Value>,
    mode: Option<String>,
    display_prompt: Option<String>,
    timeout_ms: Option<u64>,
    #[serde(default)]
    extra: Map<String, Value>,
}

impl MessageOptions {
    /// A message from JSON: a bare string (the prompt) or
    /// `{"prompt": "...", "attachments": [...], "mode": "...", "timeout_ms": 60000}`.
    pub fn from_json(v: &Value) -> Result<MessageOptions> {
        if let Value::String(s) = v {
            return Ok(MessageOptions::new(s.clone()));
        }
        let j: MessageJson = MessageJson::deserialize(v).map_err(|e| invalid("message", e))?;
        let mut m = MessageOptions::new(j.prompt);
        m.attachments = j.attachments;
        m.mode = j.mode;
        m.display_prompt = j.display_prompt;
        m.timeout = j.timeout_ms.map(Duration::from_millis);
        m.extra = j.extra;
        Ok(m)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn parses_and_rejects() {
        let o = ClientOptions::from_json(&json!({
            "github_token": "t", "transport": {"type": "external", "host": "h", "port": 1, "connection_token": "x"}
        }))
        .expect("valid");
        assert!(matches!(o.transport, Transport::External { .. }));
        let e = ClientOptions::from_json(&json!({"github_tokn": "t"})).expect_err("unknown key");
        assert!(e.to_string().contains("github_tokn"), "{e}");
        let e = ClientOptions::from_json(&json!({"enable_remote_sessions": "yes"})).expect_err("bad type");
        assert!(matches!(e, Error::InvalidConfig(_)));

        let c = SessionConfig::from_json(&json!({
            "streaming": true, "permission": "approve-safety",
            "tools": [{"name": "t", "description": "d", "parameters": {"type": "object"}}],
            "cloud": {"repository": {"owner": "o", "name": "r", "branch": "b"}}
        }))
        .expect("valid");
        assert_eq!(c.tools[0].name, "t");
        assert!(c.permission_handler.is_some());
        assert_eq!(c.cloud.as_ref().and_then(|c| c.repository.as_ref()).and_then(|r| r.branch.as_deref()), Some("b"));
        let e = SessionConfig::from_json(&json!({"permission": "yolo"})).expect_err("unknown preset");
        assert!(e.to_string().contains("yolo"));
        assert!(SessionConfig::from_json(&json!({"remote_session": "sometimes"})).is_err());
        assert_eq!(MessageOptions::from_json(&json!("hi")).expect("str").prompt, "hi");
    }
}
