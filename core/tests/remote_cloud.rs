//! Remote sessions (Mission Control export/steering) and cloud sessions, end to end against
//! the real CLI and the Mission Control half of the stand-in.

mod common;

use std::time::{Duration, Instant};

use common::*;
use copilot_core::handler::PermissionPreset;
use copilot_core::{
    Client, CloudSessionOptions, CloudSessionRepository, Error, ResumeSessionConfig, SessionConfig,
};
use serde_json::json;

const T: Duration = Duration::from_secs(60);

fn reply_all() -> serde_json::Value {
    json!({"rules": [
        {"when": {"user": "status"}, "reply": {"text": "All systems nominal in the cloud.", "chunks": 4}},
        {"when": {}, "reply": {"text": "ok"}}
    ]})
}

async fn wait_for_url(session: &copilot_core::Session) -> String {
    let start = Instant::now();
    loop {
        if let Some(u) = session.remote_url() {
            return u;
        }
        assert!(start.elapsed() < T, "no remote URL arrived");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

/// Decodes a QR module matrix back into text.
fn decode_qr(matrix: &[Vec<bool>]) -> String {
    let scale = 4;
    let quiet = 4;
    let n = matrix.len();
    let size = (n + 2 * quiet) * scale;
    let mut img = rqrr::PreparedImage::prepare_from_greyscale(size, size, |x, y| {
        let (mx, my) = (x / scale, y / scale);
        if mx < quiet || my < quiet || mx >= n + quiet || my >= n + quiet {
            return 255;
        }
        if matrix[my - quiet][mx - quiet] { 0 } else { 255 }
    });
    let grids = img.detect_grids();
    assert_eq!(grids.len(), 1, "one QR code expected");
    grids[0].decode().expect("decodes").1
}

/// Turns the terminal rendering (half blocks, dark = not drawn) back into a matrix.
fn text_to_matrix(text: &str) -> Vec<Vec<bool>> {
    let mut rows: Vec<Vec<bool>> = Vec::new();
    for line in text.lines() {
        let (mut top, mut bottom) = (Vec::new(), Vec::new());
        for ch in line.chars() {
            let (t, b) = match ch {
                '█' => (false, false),
                '▄' => (true, false),
                '▀' => (false, true),
                ' ' => (true, true),
                other => panic!("unexpected {other:?}"),
            };
            top.push(t);
            bottom.push(b);
        }
        rows.push(top);
        rows.push(bottom);
    }
    // Strip the 2-module quiet zone the renderer adds.
    let n = rows[0].len() - 4;
    rows.iter().skip(2).take(n).map(|r| r[2..2 + n].to_vec()).collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn always_on_remote_url_is_kept_for_late_subscribers_and_renders_as_qr() {
    let env = Hermetic::new(reply_all()).await;
    let client = Client::start(env.options().with_enable_remote_sessions(true)).await.expect("start");
    let session = client
        .create_session(SessionConfig::new(env.cwd()).with_permission_handler(PermissionPreset::ApproveSafety))
        .await
        .expect("create");
    let url = wait_for_url(&session).await;
    assert!(url.starts_with("https://github.com/copilot/tasks/"), "{url}");
    // A subscriber attached after the fact still gets the session.info event.
    let mut late = session.subscribe();
    let evs = collect_until(&mut late, "session.info", T).await;
    let info = evs.last().expect("info");
    assert_eq!(info.data_str("infoType"), Some("remote"));
    assert_eq!(info.data_str("url"), Some(url.as_str()));
    // Mission Control saw the export.
    let posts = env.standin.requests_to("/agents/sessions").await;
    assert!(posts.iter().any(|r| r["method"] == "POST" && r["body"]["id"] == session.id()), "{posts:?}");
    // QR: terminal text and the module matrix both decode back to the URL; SVG is an SVG.
    assert_eq!(decode_qr(&copilot_core::qr::qr_matrix(&url).expect("matrix")), url);
    assert_eq!(decode_qr(&text_to_matrix(&session.remote_qr_text().expect("text"))), url);
    let svg = session.remote_qr_svg().expect("svg");
    assert!(svg.contains("<svg") && svg.contains("</svg>"));
    client.stop().await.expect("stop");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn on_demand_enable_and_disable_track_steerability() {
    let env = Hermetic::new(reply_all()).await;
    let client = Client::start(env.options()).await.expect("start");
    let session = client.create_session(SessionConfig::new(env.cwd())).await.expect("create");
    assert!(session.remote_url().is_none());
    assert!(session.remote_qr_text().is_err());
    let mut events = session.subscribe();
    let result = session.rpc().remote().enable().await.expect("enable");
    let url = result.url.clone().expect("url");
    assert!(url.starts_with("https://github.com/copilot/tasks/"), "{url}");
    assert!(result.remote_steerable);
    assert_eq!(session.remote_url().as_deref(), Some(url.as_str()));
    let evs = collect_until(&mut events, "session.remote_steerable_changed", T).await;
    assert_eq!(evs.last().expect("ev").data["remoteSteerable"], true);
    assert!(session.remote_steerable());
    session.rpc().remote().disable().await.expect("disable");
    let evs = collect_until(&mut events, "session.remote_steerable_changed", T).await;
    assert_eq!(evs.last().expect("ev").data["remoteSteerable"], false);
    assert!(!session.remote_steerable());
    // The URL stays known after disabling.
    assert_eq!(session.remote_url().as_deref(), Some(url.as_str()));
    client.stop().await.expect("stop");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn github_repository_gives_a_repository_url() {
    let env = Hermetic::new(reply_all()).await;
    let dir = env.cwd();
    for args in [
        vec!["init", "-q"],
        vec!["remote", "add", "origin", "https://github.com/octo/hello-world.git"],
    ] {
        assert!(std::process::Command::new("git").args(&args).current_dir(&dir).status().expect("git").success());
    }
    let client = Client::start(env.options().with_env([("COPILOT_MC_REPO_IDS", "1001,2002")])).await.expect("start");
    let session = client.create_session(SessionConfig::new(&dir)).await.expect("create");
    let result = session.rpc().remote().enable().await.expect("enable");
    let url = result.url.expect("url");
    assert!(url.starts_with("https://github.com/octo/hello-world/tasks/"), "{url}");
    let posts = env.standin.requests_to("/agents/sessions").await;
    let create = posts.iter().find(|r| r["method"] == "POST" && r["path"] == "/agents/sessions").expect("export");
    assert_eq!(create["body"]["owner_id"].to_string().trim_matches('"'), "1001", "{create}");
    client.stop().await.expect("stop");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn enable_with_mission_control_down_is_a_typed_error() {
    let env = Hermetic::with_flags(reply_all(), &["--mc-mode", "down"]).await;
    let client = Client::start(env.options()).await.expect("start");
    let session = client.create_session(SessionConfig::new(env.cwd())).await.expect("create");
    let err = session.rpc().remote().enable().await.expect_err("MC is down");
    assert!(matches!(err, Error::Rpc { .. }), "{err:?}");
    assert!(!err.to_string().is_empty());
    assert!(session.remote_url().is_none());
    client.stop().await.expect("stop");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn cloud_session_first_send_right_after_create_is_delivered() {
    // The cloud worker takes a while to start: the first send must wait, not be dropped.
    let env = Hermetic::with_flags(reply_all(), &["--worker-delay", "1.5"]).await;
    let client = Client::start(env.options()).await.expect("start");
    let session = client
        .create_session(
            SessionConfig::default()
                .with_streaming(true)
                .with_cloud(CloudSessionOptions::with_repository(
                    CloudSessionRepository::new("octo", "hello-world").with_branch("main"),
                )),
        )
        .await
        .expect("cloud create");
    assert!(session.is_cloud());
    assert!(!session.id().is_empty());
    let mut events = session.subscribe();
    session.send("status report please").await.expect("first send");
    assert!(session.is_ready());
    let evs = collect_until(&mut events, "session.idle", T).await;
    let starts: Vec<_> = evs.iter().filter(|e| e.event_type == "session.start").map(|e| e.data_str("producer")).collect();
    assert!(starts.contains(&Some("copilot-agent")), "{starts:?}");
    let deltas: String = evs
        .iter()
        .filter(|e| e.event_type == "assistant.message_delta")
        .map(|e| e.data_str("deltaContent").unwrap_or("").to_owned())
        .collect();
    assert_eq!(deltas, "All systems nominal in the cloud.");
    assert!(position(&evs, "assistant.message").is_some());
    // The prompt reached the worker through Mission Control.
    let steers = env.standin.requests_to("/agents/tasks").await;
    assert!(steers.iter().any(|r| r["path"].as_str().is_some_and(|p| p.ends_with("/steer"))
        && r["body"]["content"].as_str().is_some_and(|c| c.contains("status report"))), "no steer request");
    let task = steers.iter().find(|r| r["method"] == "POST" && r["path"] == "/agents/tasks").expect("task");
    assert_eq!(task["body"]["repositories"][0]["owner"], "octo");
    // The URL announced by the worker is kept.
    assert!(wait_for_url(&session).await.contains("/tasks/"));
    assert_eq!(dropped_prompts(&env).await, 0);

    // Control: opting out of the readiness wait reproduces the race the stand-in emulates
    // (a prompt steered before the cloud agent is up is lost).
    let racy = client
        .create_session(SessionConfig::default().with_cloud(CloudSessionOptions::new()).with_wait_for_cloud_ready(false))
        .await
        .expect("cloud create");
    racy.send("status, too early").await.expect("send");
    // `send` returns once the CLI has queued the prompt; its steer request to Mission Control
    // follows asynchronously, so wait for the stand-in to record it before counting.
    wait_until("the control prompt reached Mission Control", || steered(&env, "too early")).await;
    assert_eq!(dropped_prompts(&env).await, 1, "the control prompt should have been dropped");
    client.stop().await.expect("stop");
}

/// Whether a cloud task recorded a steered prompt containing `needle` (recorded under the same
/// lock as the drop decision, so a `true` here means the decision is visible too).
async fn steered(env: &Hermetic, needle: &str) -> bool {
    standin_tasks(env).await.iter().any(|t| {
        t["steers"].as_array().is_some_and(|s| {
            s.iter().any(|b| b["content"].as_str().is_some_and(|c| c.contains(needle)))
        })
    })
}

async fn standin_tasks(env: &Hermetic) -> Vec<serde_json::Value> {
    match env.standin.get("/_standin/tasks").await {
        serde_json::Value::Array(a) => a,
        serde_json::Value::Object(m) => m.into_values().collect(),
        other => panic!("unexpected {other}"),
    }
}

async fn dropped_prompts(env: &Hermetic) -> usize {
    standin_tasks(env).await.iter().map(|t| t["dropped"].as_array().map_or(0, Vec::len)).sum()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn cloud_policy_refusal_and_bad_cloud_configs_are_typed() {
    let env = Hermetic::with_flags(reply_all(), &["--mc-mode", "policy_blocked"]).await;
    let client = Client::start(env.options()).await.expect("start");
    let started = Instant::now();
    let err = client
        .create_session(SessionConfig::default().with_cloud(CloudSessionOptions::new()))
        .await
        .expect_err("blocked");
    assert!(matches!(err, Error::PolicyBlocked { .. }), "{err:?}");
    assert!(started.elapsed() < Duration::from_secs(20), "policy refusals are not retried");
    let tasks = env.standin.requests_to("/agents/tasks").await;
    assert_eq!(tasks.iter().filter(|r| r["method"] == "POST").count(), 1, "retried: {tasks:?}");

    let err = client
        .create_session(SessionConfig::default().with_cloud(CloudSessionOptions::new()).with_session_id("mine"))
        .await
        .expect_err("id + cloud");
    assert!(matches!(err, Error::InvalidConfig(_)));
    let err = client
        .resume_session(ResumeSessionConfig::new("x".into()).with_cloud(CloudSessionOptions::new()))
        .await
        .expect_err("resume + cloud");
    assert!(matches!(err, Error::InvalidConfig(_)));
    client.stop().await.expect("stop");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn cloud_readiness_timeout_is_a_clear_error() {
    let env = Hermetic::with_flags(reply_all(), &["--worker-delay", "30"]).await;
    let client = Client::start(env.options()).await.expect("start");
    let session = client
        .create_session(
            SessionConfig::default()
                .with_cloud(CloudSessionOptions::new())
                .with_cloud_ready_timeout(Duration::from_millis(800)),
        )
        .await
        .expect("create");
    assert!(!session.is_ready());
    let err = session.send("too early").await.expect_err("not ready");
    assert!(matches!(err, Error::Timeout { .. }), "{err:?}");
    assert!(err.to_string().contains("cloud agent"), "{err}");
    let steers = env.standin.requests_to("/agents/tasks").await;
    assert!(!steers.iter().any(|r| r["path"].as_str().is_some_and(|p| p.ends_with("/steer"))), "prompt was sent anyway");
    client.force_stop().await;
}
