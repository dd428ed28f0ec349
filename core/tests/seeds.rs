//! The Rust examples of the two seed pages (remote sessions, cloud sessions), run against the
//! real CLI and the stand-in with only the crate name changed. The snippets' placeholder
//! working directory is replaced by a real one; the environment points the CLI at the
//! stand-in (set for this test process, which the spawned CLI inherits).

mod common;

use std::time::Duration;

use common::*;
use serde_json::json;

type R = Result<(), Box<dyn std::error::Error>>;

async fn remote_always_on(repo: &str) -> R {
    // --- seed: remote-sessions.txt, "Always-on (client-level)", Rust tab ---
    use copilot_core::{Client, ClientOptions, SessionConfig};
    use copilot_core::handler::PermissionResult;

    let client = Client::start(
        ClientOptions::new().with_enable_remote_sessions(true)
    ).await?;
    let session = client.create_session(
        SessionConfig::new(repo)
            .with_permission_handler(|_req, _inv| async {
                Ok(PermissionResult::approve_once())
            }),
    ).await?;

    let mut events = session.subscribe();
    while let Ok(event) = events.recv().await {
        if event.event_type == "session.info" {
            // Check info_type and extract URL
            assert_eq!(event.data["infoType"], "remote");
            assert!(event.data["url"].as_str().unwrap_or("").contains("/tasks/"));
            break;
        }
    }
    // --- end of seed ---
    client.stop().await?;
    Ok(())
}

async fn on_demand(repo: &str) -> R {
    use copilot_core::{Client, ClientOptions, SessionConfig};
    let client = Client::start(ClientOptions::new()).await?;
    let session = client.create_session(SessionConfig::new(repo)).await?;
    // --- seed: "On-demand (per-session toggle)", Rust tab ---
    let result = session.rpc().remote().enable().await?;
    if let Some(url) = &result.url {
        println!("Remote URL: {url}");
    }

    // Later: stop sharing
    session.rpc().remote().disable().await?;
    // --- end of seed ---
    assert!(result.url.is_some());
    client.stop().await?;
    Ok(())
}

async fn cloud() -> R {
    use copilot_core::{Client, ClientOptions};
    let client = Client::start(ClientOptions::new()).await?;
    // --- seed: "Cloud sessions", Rust tab ---
    use copilot_core::{CloudSessionOptions, CloudSessionRepository, SessionConfig};

    let session = client.create_session(
        SessionConfig::default().with_cloud(
            CloudSessionOptions::with_repository(
                CloudSessionRepository::new("github", "copilot-sdk").with_branch("main"),
            ),
        ),
    ).await?;
    // --- end of seed ---
    // The cloud page's advice (send only after the copilot-agent start) is built in.
    let reply = session.send_and_wait("hello cloud").await?.expect("a reply");
    assert_eq!(reply.data["content"], "Hello from the cloud worker.");
    client.stop().await?;
    Ok(())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn seed_examples_run_unchanged() {
    let env = Hermetic::new(json!({"rules": [
        {"when": {"user": "hello cloud"}, "reply": {"text": "Hello from the cloud worker."}},
        {"when": {}, "reply": {"text": "ok"}}
    ]}))
    .await;
    // The seeds build ClientOptions from scratch: configure the CLI through the environment.
    for (k, v) in env.env() {
        std::env::set_var(k, v);
    }
    std::env::set_var("COPILOT_CLI_PATH", cli_path());
    std::env::set_var("GH_TOKEN", "seed-token");
    let repo = env.cwd().to_string_lossy().into_owned();
    let t = Duration::from_secs(120);
    tokio::time::timeout(t, remote_always_on(&repo)).await.expect("in time").expect("remote always-on seed");
    tokio::time::timeout(t, on_demand(&repo)).await.expect("in time").expect("on-demand seed");
    tokio::time::timeout(t, cloud()).await.expect("in time").expect("cloud seed");
}
