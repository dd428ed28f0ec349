//! Client-level behaviour: transports, handshake, queries, lifecycle, start-up errors and
//! the CLI dying mid-turn.

mod common;

use std::process::Stdio;
use std::time::{Duration, Instant};

use common::*;
use copilot_core::{Client, ClientOptions, Error, RecvError, SessionConfig, Transport};
use serde_json::json;
use tokio::io::{AsyncBufReadExt, AsyncReadExt, AsyncWriteExt, BufReader};

const T: Duration = Duration::from_secs(60);

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn queries_lifecycle_and_generic_calls() {
    let env = Hermetic::new(json!({"rules": [{"when": {}, "reply": {"text": "ok"}}]})).await;
    let client = Client::start(env.options()).await.expect("start");
    let pong = client.ping(Some("hi")).await.expect("ping");
    assert!(pong.message.contains("hi"), "{pong:?}");
    assert_eq!(client.status().await.expect("status")["protocolVersion"], 3);
    let auth = client.auth_status().await.expect("auth");
    assert_eq!(auth["isAuthenticated"], true, "{auth}");
    let models = client.list_models().await.expect("models");
    assert!(models.iter().any(|m| m.id == "claude-sonnet-4.5"), "{models:?}");
    let v = client.call("status.get", None).await.expect("generic call");
    assert!(v["version"].is_string());
    let err = client.call("no.such.method", None).await.expect_err("unknown method");
    assert_eq!(err.rpc_code(), Some(-32601));

    let mut lifecycle = client.subscribe_lifecycle();
    let session = client.create_session(SessionConfig::new(env.cwd())).await.expect("create");
    let id = session.id().to_owned();
    let created = tokio::time::timeout(T, async {
        loop {
            let ev = lifecycle.recv().await.expect("lifecycle");
            if ev.event_type == "session.created" && ev.session_id == id {
                return ev;
            }
        }
    })
    .await
    .expect("session.created lifecycle event");
    assert_eq!(created.session_id, id);
    session.send_and_wait("hi").await.expect("turn");
    let meta = client.get_session_metadata(&id).await.expect("metadata").expect("known");
    assert_eq!(meta.session_id, id);
    assert!(client.get_session_metadata("00000000-0000-0000-0000-000000000000").await.expect("ok").is_none());
    assert_eq!(client.get_last_session_id().await.expect("last").as_deref(), Some(id.as_str()));
    session.delete().await.expect("delete");
    assert!(!client.list_sessions().await.expect("list").iter().any(|s| s.session_id == id));
    assert!(client.delete_session(&id).await.is_err(), "deleting twice reports the failure");
    client.stop().await.expect("stop");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn tcp_transport_spawns_with_a_generated_token() {
    let env = Hermetic::new(json!({"rules": [{"when": {}, "reply": {"text": "over tcp"}}]})).await;
    let client = Client::start(env.options().with_transport(Transport::Tcp { port: 0, connection_token: None }))
        .await
        .expect("start tcp");
    let session = client.create_session(SessionConfig::new(env.cwd())).await.expect("create");
    let msg = session.send_and_wait("hi").await.expect("turn").expect("message");
    assert_eq!(msg.data_str("content"), Some("over tcp"));
    client.stop().await.expect("stop");
}

/// Starts `copilot --headless --port 0` ourselves, as an external server would run.
async fn external_server(env: &Hermetic, token: &str) -> (tokio::process::Child, u16) {
    let mut cmd = tokio::process::Command::new(cli_path());
    cmd.args(["--headless", "--port", "0", "--no-auto-update"])
        .current_dir(env.cwd())
        .envs(env.env())
        .env("COPILOT_CONNECTION_TOKEN", token)
        .env("GH_TOKEN", "external-token")
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .kill_on_drop(true);
    let mut child = cmd.spawn().expect("spawn external server");
    let mut lines = BufReader::new(child.stdout.take().expect("stdout")).lines();
    let port = tokio::time::timeout(Duration::from_secs(20), async {
        while let Some(line) = lines.next_line().await.expect("line") {
            if let Some(rest) = line.split("listening on port ").nth(1) {
                return rest.trim().parse::<u16>().expect("port");
            }
        }
        panic!("server exited");
    })
    .await
    .expect("port in time");
    tokio::spawn(async move { while let Ok(Some(_)) = lines.next_line().await {} });
    (child, port)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn external_server_with_connection_token() {
    let env = Hermetic::new(json!({"rules": [{"when": {}, "reply": {"text": "from the external server"}}]})).await;
    let (mut server, port) = external_server(&env, "s3cret-token").await;
    let ext = |token: Option<&str>| {
        ClientOptions::new().with_transport(Transport::External {
            host: "127.0.0.1".into(),
            port,
            connection_token: token.map(str::to_owned),
        })
    };
    let err = Client::start(ext(Some("wrong-TOKEN-4242"))).await.expect_err("wrong token");
    assert!(err.to_string().contains("token"), "{err}");
    assert!(!format!("{err} {err:?}").contains("wrong-TOKEN-4242"), "connection token leaked into the error: {err:?}");
    let client = Client::start(ext(Some("s3cret-token")).with_enable_remote_sessions(true)).await.expect("connect");
    assert!(client.warnings().iter().any(|w| w.contains("enable_remote_sessions")), "{:?}", client.warnings());
    let session = client.create_session(SessionConfig::new(env.cwd())).await.expect("create");
    let msg = session.send_and_wait("hi").await.expect("turn").expect("message");
    assert_eq!(msg.data_str("content"), Some("from the external server"));
    client.stop().await.expect("stop");
    // Stopping a client of an external server leaves the server running for others.
    tokio::time::sleep(Duration::from_millis(300)).await;
    assert!(server.try_wait().expect("wait").is_none(), "stop() shut the external server down");
    let again = Client::start(ext(Some("s3cret-token"))).await.expect("reconnect after another client stopped");
    again.ping(None).await.expect("ping");
    again.stop().await.expect("stop");
    let _ = server.kill().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn startup_errors_are_typed() {
    let missing = Client::start(ClientOptions::new().with_cli_path("/nonexistent/copilot")).await.expect_err("missing");
    assert!(matches!(missing, Error::CliNotFound { .. }), "{missing:?}");
    assert!(missing.to_string().contains("npm install"));

    let dir = tempfile::tempdir().expect("tmp");
    let bad = dir.path().join("copilot");
    std::fs::write(&bad, "#!/bin/sh\necho 'fatal: this is not the Copilot CLI' >&2\nexit 3\n").expect("write");
    std::os::unix::fs::PermissionsExt::set_mode(&mut std::fs::metadata(&bad).expect("meta").permissions(), 0o755);
    std::fs::set_permissions(&bad, std::os::unix::fs::PermissionsExt::from_mode(0o755)).expect("chmod");
    let started = Instant::now();
    let err = Client::start(ClientOptions::new().with_cli_path(&bad)).await.expect_err("bad binary");
    assert!(matches!(err, Error::CliStartup { .. }), "{err:?}");
    assert!(err.to_string().contains("not the Copilot CLI"), "stderr should be in the message: {err}");
    assert!(started.elapsed() < Duration::from_secs(10));

    let err = Client::start(ClientOptions::new().with_log_level("chatty")).await.expect_err("bad option");
    assert!(matches!(err, Error::InvalidConfig(_)));
}

/// A scripted JSON-RPC peer (not the CLI): answers each request with `answer(method)`.
async fn scripted_peer(answer: fn(&str) -> serde_json::Value) -> u16 {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.expect("bind");
    let port = listener.local_addr().expect("addr").port();
    tokio::spawn(async move {
        let (mut s, _) = listener.accept().await.expect("accept");
        let mut buf = vec![0u8; 4096];
        let mut got = Vec::new();
        loop {
            let n = s.read(&mut buf).await.expect("read");
            if n == 0 {
                return;
            }
            got.extend_from_slice(&buf[..n]);
            let text = String::from_utf8_lossy(&got).into_owned();
            if let Some((_, body)) = text.split_once("\r\n\r\n") {
                if let Ok(v) = serde_json::from_str::<serde_json::Value>(body) {
                    let mut reply = answer(v["method"].as_str().unwrap_or(""));
                    reply["jsonrpc"] = json!("2.0");
                    reply["id"] = v["id"].clone();
                    let reply = reply.to_string();
                    let frame = format!("Content-Length: {}\r\n\r\n{}", reply.len(), reply);
                    s.write_all(frame.as_bytes()).await.expect("write");
                    got.clear();
                }
            }
        }
    });
    port
}

fn external(port: u16) -> ClientOptions {
    ClientOptions::new().with_transport(Transport::External { host: "127.0.0.1".into(), port, connection_token: None })
}

/// The real CLI 1.0.102 never reports protocol 2, so a scripted peer does.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn protocol_version_mismatch_from_a_scripted_peer() {
    let port = scripted_peer(|_| json!({"result": {"ok": true, "protocolVersion": 2, "version": "0.0.1"}})).await;
    let err = Client::start(external(port)).await.expect_err("mismatch");
    assert!(matches!(err, Error::ProtocolVersionMismatch { server: Some(2), min: 3, max: 3 }), "{err:?}");
}

/// An older server without `connect`: the handshake falls back to `ping` (scripted peer).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn handshake_falls_back_to_ping() {
    let port = scripted_peer(|m| match m {
        "connect" => json!({"error": {"code": -32601, "message": "Unhandled method connect"}}),
        _ => json!({"result": {"message": "pong", "timestamp": 1, "protocolVersion": 3}}),
    })
    .await;
    let client = Client::start(external(port)).await.expect("ping fallback");
    assert_eq!(client.protocol_version(), Some(3));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn killing_the_cli_mid_turn_fails_waiting_calls_promptly() {
    let env = Hermetic::new(json!({"rules": [
        {"when": {"user": "shell"}, "reply": {"tool_calls": [{"name": "bash", "arguments": {"command": "echo hi", "description": "say hi"}}]}}
    ]}))
    .await;
    let client = Client::start(env.options()).await.expect("start");
    let (asked_tx, asked_rx) = tokio::sync::oneshot::channel::<()>();
    let asked_tx = std::sync::Mutex::new(Some(asked_tx));
    // The permission handler never answers, so the turn is in flight when the CLI dies.
    let session = client
        .create_session(SessionConfig::new(env.cwd()).with_permission_handler(move |_req, _inv| {
            if let Some(tx) = asked_tx.lock().expect("lock").take() {
                let _ = tx.send(());
            }
            std::future::pending::<copilot_core::Result<copilot_core::PermissionResult>>()
        }))
        .await
        .expect("create");
    let mut events = session.subscribe();
    let waiter = {
        let s = session.clone();
        tokio::spawn(async move { s.send_and_wait("run shell").await })
    };
    tokio::time::timeout(T, asked_rx).await.expect("permission asked").expect("sent");
    let pid = client.cli_pid().expect("we spawned it");
    std::process::Command::new("kill").args(["-9", &pid.to_string()]).status().expect("kill");
    let killed_at = Instant::now();
    let r = tokio::time::timeout(Duration::from_secs(5), waiter).await.expect("no hang").expect("join");
    assert!(killed_at.elapsed() < Duration::from_secs(1), "took {:?}", killed_at.elapsed());
    assert!(matches!(r, Err(Error::ConnectionLost { .. })), "{r:?}");
    // The subscriber drains and then sees the end of the stream.
    let end = tokio::time::timeout(Duration::from_secs(5), async {
        loop {
            if let Err(e) = events.recv().await {
                return e;
            }
        }
    })
    .await
    .expect("closed signal");
    assert_eq!(end, RecvError::Closed);
    assert!(client.ping(None).await.expect_err("gone").is_connection_lost());
    assert!(session.send("more").await.expect_err("gone").is_connection_lost());
    client.stop().await.expect("stop after crash is fine");
    // The child was reaped: no zombie left behind.
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).unwrap_or_default();
    assert!(stat.is_empty() || !stat.contains(") Z "), "zombie: {stat}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn github_token_is_not_in_the_cli_argv() {
    let env = Hermetic::new(json!({"rules": []})).await;
    let client = Client::start(env.options().with_github_token("ghp_TOPSECRET123")).await.expect("start");
    let pid = client.cli_pid().expect("pid");
    let cmdline = std::fs::read(format!("/proc/{pid}/cmdline")).expect("cmdline");
    let cmdline = String::from_utf8_lossy(&cmdline);
    assert!(cmdline.contains("--auth-token-env"), "{cmdline}");
    assert!(!cmdline.contains("ghp_TOPSECRET123"), "token leaked into argv: {cmdline}");
    let auth = client.auth_status().await.expect("auth");
    assert_eq!(auth["isAuthenticated"], true);
    client.stop().await.expect("stop");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn secrets_stay_out_of_debug_output_argv_and_errors() {
    const GH: &str = "gho_SECRET_github_0001";
    const CONN: &str = "conn-SECRET-0002";
    const KEY: &str = "sk-SECRET-0003";
    let leaks = |text: &str| [GH, CONN, KEY].iter().any(|s| text.contains(s));

    // Debug output of everything that holds a secret.
    let opts = ClientOptions::new()
        .with_github_token(GH)
        .with_env([("GH_TOKEN", GH)])
        .with_transport(Transport::Tcp { port: 0, connection_token: Some(CONN.into()) });
    let provider = copilot_core::ProviderConfig {
        base_url: "http://127.0.0.1:1".into(),
        api_key: Some(KEY.into()),
        bearer_token: Some(KEY.into()),
        headers: Some(serde_json::from_value(json!({"Authorization": KEY})).expect("map")),
        ..Default::default()
    };
    let config = SessionConfig::new("/tmp").with_provider(provider.clone()).with_github_token(GH);
    for text in [format!("{opts:?}"), format!("{provider:?}"), format!("{config:?}")] {
        assert!(!leaks(&text), "secret in Debug output: {text}");
        assert!(text.contains("<redacted>"), "{text}");
    }

    // A CLI that fails at start-up: the error (which quotes its stderr) names no secret.
    let dir = tempfile::tempdir().expect("tmp");
    let bad = dir.path().join("copilot");
    std::fs::write(&bad, "#!/bin/sh\necho \"starting with $* env=$COPILOT_SDK_AUTH_TOKEN\" >&2\nexit 3\n").expect("write");
    std::fs::set_permissions(&bad, std::os::unix::fs::PermissionsExt::from_mode(0o755)).expect("chmod");
    let err = Client::start(opts.clone().with_cli_path(&bad)).await.expect_err("bad binary");
    let text = format!("{err} {err:?}");
    assert!(text.contains("starting with"), "stderr should be quoted: {text}");
    assert!(!leaks(&text), "secret in a start-up error: {text}");

    // A real CLI over TCP with both tokens: neither is in its argv, and it authenticates.
    let env = Hermetic::new(json!({"rules": []})).await;
    let client = Client::start(env.options().with_github_token(GH).with_transport(Transport::Tcp {
        port: 0,
        connection_token: Some(CONN.into()),
    }))
    .await
    .expect("start");
    let pid = client.cli_pid().expect("pid");
    let cmdline = String::from_utf8_lossy(&std::fs::read(format!("/proc/{pid}/cmdline")).expect("cmdline")).into_owned();
    assert!(!leaks(&cmdline), "secret in the CLI argv: {cmdline}");
    assert!(!client.warnings().iter().any(|w| leaks(w)));
    client.stop().await.expect("stop");
}
