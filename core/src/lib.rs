//! # copilot-core
//!
//! One GitHub Copilot SDK, written once in Rust: it spawns (or connects to) the Copilot CLI
//! in server mode and speaks its JSON-RPC protocol (v3). Python, Kotlin, Swift and C use it
//! through thin bindings.
//!
//! ```no_run
//! use copilot_core::{Client, ClientOptions, SessionConfig};
//! use copilot_core::handler::PermissionPreset;
//!
//! # async fn demo() -> copilot_core::Result<()> {
//! let client = Client::start(ClientOptions::new()).await?;
//! let session = client
//!     .create_session(SessionConfig::new(".").with_streaming(true)
//!         .with_permission_handler(PermissionPreset::ApproveSafety))
//!     .await?;
//! let mut events = session.subscribe();
//! session.send("Hello!").await?;
//! while let Ok(event) = events.recv().await {
//!     if event.event_type == "assistant.message_delta" {
//!         print!("{}", event.data_str("deltaContent").unwrap_or(""));
//!     }
//!     if event.event_type == "session.idle" { break; }
//! }
//! client.stop().await?;
//! # Ok(()) }
//! ```
#![warn(missing_docs)]

mod client;
pub mod error;
pub mod events;
pub mod handler;
pub mod jsonrpc;
mod json_config;
pub mod qr;
mod router;
mod session;
pub mod tool;
pub mod transport;
pub mod types;

pub use client::{Client, ModelInfo, PingResponse, SessionMetadata, MAX_PROTOCOL_VERSION, MIN_PROTOCOL_VERSION};
pub use error::{Error, Result};
pub use events::{EventData, EventSubscription, LifecycleEvent, LifecycleSubscription, RecvError, SessionEvent};
pub use handler::{PermissionHandler, PermissionPreset, PermissionRequest, PermissionResult};
pub use session::{RemoteEnableResult, RemoteRpc, Session, SessionRpc, DEFAULT_SEND_AND_WAIT_TIMEOUT};
pub use tool::{define_tool, Tool, ToolHandler, ToolInvocation, ToolResult};
pub use types::{
    ClientOptions, CloudSessionOptions, CloudSessionRepository, CustomAgentConfig, McpServerConfig, MessageOptions,
    ProviderConfig, RemoteSessionMode, ResumeSessionConfig, SessionConfig, SystemMessageConfig, Transport,
};

/// Session ids are plain strings.
pub type SessionId = String;

/// The README's Rust examples, compiled as doc tests so they cannot rot.
#[doc = include_str!("../../README.md")]
#[cfg(doctest)]
pub struct ReadmeDoctests;
