#![allow(unused_variables)]
//! The Rust examples of the official SDK's README, with only the crate name changed
//! (`github_copilot_sdk` → `copilot_core`). Built by `cargo test --all-targets`; run them with
//! a CLI on PATH (or COPILOT_CLI_PATH) and a GitHub token.

// --- README "Quick start" ---
use std::sync::Arc;
use copilot_core::{Client, ClientOptions, SessionConfig};
use copilot_core::handler::ApproveAllHandler;

async fn example() -> Result<(), copilot_core::Error> {
let client = Client::start(ClientOptions::default()).await?;
let session = client.create_session(
    SessionConfig::default().with_permission_handler(Arc::new(ApproveAllHandler)),
).await?;
let _message_id = session.send("Hello!").await?;
session.disconnect().await?;
client.stop().await.ok();
Ok(())
}

// --- README "API overview" ---
mod overview {
use std::sync::Arc;
use copilot_core::{Client, ClientOptions, ResumeSessionConfig, SessionConfig};
use copilot_core::handler::ApproveAllHandler;
pub async fn example() -> Result<(), Box<dyn std::error::Error>> {
let options = ClientOptions::default();
let handler = Arc::new(ApproveAllHandler);
let config = SessionConfig::default();
let resume_config = ResumeSessionConfig::new("session-id".into());
let params = serde_json::json!({});
// Start a client (spawns CLI process)
let client = Client::start(options).await?;

// Create a new session
let session = client.create_session(config.with_permission_handler(handler.clone())).await?;

// Resume an existing session
let session = client.resume_session(resume_config.with_permission_handler(handler)).await?;

// Low-level RPC
let result = client.call("method.name", Some(params)).await?;

// Health check (echoes message back, returns typed PingResponse)
let pong = client.ping(Some("hello")).await?;

// Shutdown
client.stop().await?;
let _ = (session, result, pong);
Ok(())
}
}

#[tokio::main]
async fn main() {
    if std::env::args().any(|a| a == "--run") {
        if let Err(e) = example().await {
            eprintln!("quick start failed: {e}");
        }
        if let Err(e) = overview::example().await {
            eprintln!("overview failed: {e}");
        }
    } else {
        println!("compiled; pass --run to execute against a real CLI");
    }
}
