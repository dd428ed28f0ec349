//! Tools implemented by the host application and offered to the agent.
//!
//! A [`Tool`] is declared in `session.create`; when the model calls it the CLI broadcasts
//! `external_tool.requested`, the SDK runs the tool's [`ToolHandler`] and answers with
//! `session.tools.handlePendingToolCall`. A handler error becomes a failure result the
//! model can see, never a hang.

use std::future::Future;
use std::sync::Arc;

use async_trait::async_trait;
use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::error::Error;

/// One call of a tool.
#[derive(Debug, Clone, PartialEq)]
pub struct ToolInvocation {
    /// The session.
    pub session_id: String,
    /// The model's tool call id.
    pub tool_call_id: String,
    /// The tool's name.
    pub tool_name: String,
    /// Arguments chosen by the model.
    pub arguments: Value,
}

/// What a tool returns to the model.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ToolResult {
    /// Text the model sees.
    pub text_result_for_llm: String,
    /// `success` or `failure`.
    pub result_type: String,
    /// Optional error text (failure results).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
    /// Optional log line for the session timeline.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub session_log: Option<String>,
    /// Optional binary results (`[{data, mimeType, type, description?}]`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub binary_results_for_llm: Option<Vec<Value>>,
}

impl ToolResult {
    /// A successful result.
    pub fn success(text: impl Into<String>) -> Self {
        ToolResult {
            text_result_for_llm: text.into(),
            result_type: "success".into(),
            error: None,
            session_log: None,
            binary_results_for_llm: None,
        }
    }

    /// A failed result; the model sees `text`.
    pub fn failure(text: impl Into<String>) -> Self {
        let text = text.into();
        ToolResult {
            error: Some(text.clone()),
            text_result_for_llm: text,
            result_type: "failure".into(),
            session_log: None,
            binary_results_for_llm: None,
        }
    }
}

impl From<String> for ToolResult {
    fn from(s: String) -> Self {
        ToolResult::success(s)
    }
}

impl From<&str> for ToolResult {
    fn from(s: &str) -> Self {
        ToolResult::success(s)
    }
}

/// Runs a tool.
#[async_trait]
pub trait ToolHandler: Send + Sync + 'static {
    /// Run one call.
    async fn call(&self, invocation: ToolInvocation) -> Result<ToolResult, Error>;
}

struct FnTool<F>(F);

#[async_trait]
impl<F, Fut> ToolHandler for FnTool<F>
where
    F: Fn(ToolInvocation) -> Fut + Send + Sync + 'static,
    Fut: Future<Output = Result<ToolResult, Error>> + Send + 'static,
{
    async fn call(&self, invocation: ToolInvocation) -> Result<ToolResult, Error> {
        (self.0)(invocation).await
    }
}

/// A tool declaration plus the handler that runs it.
#[derive(Clone)]
pub struct Tool {
    /// Name the model calls it by.
    pub name: String,
    /// What it does (shown to the model).
    pub description: String,
    /// JSON Schema of its arguments.
    pub parameters: Option<Value>,
    /// Extra usage instructions for the model.
    pub instructions: Option<String>,
    /// Skip the `custom-tool` permission prompt.
    pub skip_permission: bool,
    /// Replace a built-in tool with the same name.
    pub overrides_built_in_tool: bool,
    /// The handler; `None` declares a tool answered by another client.
    pub handler: Option<Arc<dyn ToolHandler>>,
}

impl std::fmt::Debug for Tool {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Tool")
            .field("name", &self.name)
            .field("description", &self.description)
            .field("parameters", &self.parameters)
            .field("has_handler", &self.handler.is_some())
            .finish()
    }
}

impl Tool {
    /// A tool without a handler (declaration only).
    pub fn new(name: impl Into<String>, description: impl Into<String>) -> Self {
        Tool {
            name: name.into(),
            description: description.into(),
            parameters: None,
            instructions: None,
            skip_permission: false,
            overrides_built_in_tool: false,
            handler: None,
        }
    }

    /// Sets the JSON Schema of the arguments.
    pub fn with_parameters(mut self, schema: Value) -> Self {
        self.parameters = Some(schema);
        self
    }

    /// Sets usage instructions.
    pub fn with_instructions(mut self, text: impl Into<String>) -> Self {
        self.instructions = Some(text.into());
        self
    }

    /// Skips the permission prompt for this tool.
    pub fn with_skip_permission(mut self, skip: bool) -> Self {
        self.skip_permission = skip;
        self
    }

    /// Allows the tool to replace a built-in tool of the same name.
    pub fn with_overrides_built_in_tool(mut self, v: bool) -> Self {
        self.overrides_built_in_tool = v;
        self
    }

    /// Sets the handler.
    pub fn with_handler(mut self, handler: Arc<dyn ToolHandler>) -> Self {
        self.handler = Some(handler);
        self
    }

    /// Sets the handler from an async closure.
    pub fn with_fn<F, Fut>(self, f: F) -> Self
    where
        F: Fn(ToolInvocation) -> Fut + Send + Sync + 'static,
        Fut: Future<Output = Result<ToolResult, Error>> + Send + 'static,
    {
        self.with_handler(Arc::new(FnTool(f)))
    }

    /// The wire declaration sent in `session.create.tools`.
    pub fn to_wire(&self) -> Value {
        let mut o = serde_json::json!({"name": self.name, "description": self.description});
        if let Some(p) = &self.parameters {
            o["parameters"] = p.clone();
        }
        if let Some(i) = &self.instructions {
            o["instructions"] = Value::String(i.clone());
        }
        if self.skip_permission {
            o["skipPermission"] = Value::Bool(true);
        }
        if self.overrides_built_in_tool {
            o["overridesBuiltInTool"] = Value::Bool(true);
        }
        o
    }
}

/// Defines a tool from a name, a description, a JSON Schema and an async closure.
pub fn define_tool<F, Fut>(name: impl Into<String>, description: impl Into<String>, parameters: Value, f: F) -> Tool
where
    F: Fn(ToolInvocation) -> Fut + Send + Sync + 'static,
    Fut: Future<Output = Result<ToolResult, Error>> + Send + 'static,
{
    Tool::new(name, description).with_parameters(parameters).with_fn(f)
}
