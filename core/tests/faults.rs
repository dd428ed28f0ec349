//! Faults: malformed frames (from a scripted JSON-RPC peer, not the CLI), a hung CLI, a CLI
//! killed during create and while a tool runs, and model-service failures (real CLI).

mod common;

use std::time::{Duration, Instant};

use common::*;
use copilot_core::handler::PermissionPreset;
use copilot_core::{Client, ClientOptions, Error, SessionConfig, Tool, ToolResult, Transport};
use serde_json::json;
use tokio::io::{AsyncReadExt, AsyncWriteExt};

const T: Duration = Duration::from_secs(60);

/// A scripted peer that completes the handshake, then writes `junk` raw bytes and, if
/// `then_ok`, answers every later request normally.
async fn junk_peer(junk: &'static [u8], then_ok: bool) -> u16 {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.expect("bind");
    let port = listener.local_addr().expect("addr").port();
    tokio::spawn(async move {
        let (mut s, _) = listener.accept().await.expect("accept");
        let mut buf = vec![0u8; 4096];
        let mut got = Vec::new();
        let mut answered = 0;
        loop {
            let n = match s.read(&mut buf).await {
                Ok(0) | Err(_) => return,
                Ok(n) => n,
            };
            got.extend_from_slice(&buf[..n]);
            loop {
                let text = String::from_utf8_lossy(&got).into_owned();
                let Some((head, rest)) = text.split_once("\r\n\r\n") else { break };
                let len: usize = head.trim_start_matches("Content-Length: ").parse().expect("len");
                if rest.len() < len {
                    break;
                }
                let v: serde_json::Value = serde_json::from_str(&rest[..len]).expect("json");
                got.drain(..head.len() + 4 + len);
                if answered > 0 && !then_ok {
                    continue;
                }
                let result = if v["method"] == "connect" {
                    json!({"ok": true, "protocolVersion": 3, "version": "scripted"})
                } else {
                    json!({"echo": v["method"]})
                };
                let reply = json!({"jsonrpc": "2.0", "id": v["id"], "result": result}).to_string();
                let mut out = format!("Content-Length: {}\r\n\r\n{}", reply.len(), reply).into_bytes();
                if answered == 0 {
                    out.extend_from_slice(junk);
                }
                answered += 1;
                s.write_all(&out).await.expect("write");
            }
        }
    });
    port
}

fn external(port: u16) -> ClientOptions {
    ClientOptions::new()
        .with_transport(Transport::External { host: "127.0.0.1".into(), port, connection_token: None })
        .with_request_timeout(Duration::from_secs(5))
}

fn frame(body: &str) -> Vec<u8> {
    let mut v = format!("Content-Length: {}\r\n\r\n", body.len()).into_bytes();
    v.extend_from_slice(body.as_bytes());
    v
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn malformed_frames_within_valid_framing_are_survived() {
    // Invalid UTF-8, a JSON array, a string, an object that is no JSON-RPC message, an
    // unknown notification, a response to an unknown id: the client answers or skips them
    // and keeps working.
    let mut junk = Vec::new();
    junk.extend(frame("{\"jsonrpc\":\"2.0\",\"method\":\"x\",\"params\":{\"s\":\"\u{FFFD}\"}}").iter().map(|b| if *b == 0xEF { 0xFF } else { *b }));
    junk.extend(frame("[1,2,3]"));
    junk.extend(frame("\"just a string\""));
    junk.extend(frame("{\"hello\":\"world\"}"));
    junk.extend(frame("{\"jsonrpc\":\"2.0\",\"method\":\"mystery.notification\",\"params\":7}"));
    junk.extend(frame("{\"jsonrpc\":\"2.0\",\"id\":99999,\"result\":{}}"));
    junk.extend(frame("{\"jsonrpc\":\"2.0\",\"method\":\"session.event\",\"params\":{\"sessionId\":\"nobody\",\"event\":{\"type\":\"x\"}}}"));
    let port = junk_peer(Box::leak(junk.into_boxed_slice()), true).await;
    let client = Client::start(external(port)).await.expect("handshake");
    let v = client.call("still.alive", None).await.expect("the connection survived");
    assert_eq!(v["echo"], "still.alive");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn broken_framing_closes_cleanly_with_a_typed_error() {
    for junk in [
        &b"Content-Type: text/plain\r\n\r\n{}"[..],      // missing Content-Length
        b"Content-Length: twelve\r\n\r\n{}",              // non-numeric length
        b"Content-Length: 99999999999\r\n\r\n{}",         // beyond the frame cap: rejected before allocating
    ] {
        let port = junk_peer(junk, true).await;
        let client = Client::start(external(port)).await.expect("handshake");
        let started = Instant::now();
        let err = client.call("anything", None).await.expect_err("stream is broken");
        assert!(err.is_connection_lost(), "{err:?}");
        assert!(err.to_string().contains("Content-Length") || err.to_string().contains("exceeds"), "{err}");
        assert!(started.elapsed() < Duration::from_secs(2));
    }
    // A length past EOF: the peer stops answering; the call times out (typed), no hang.
    let port = junk_peer(b"Content-Length: 500\r\n\r\n{\"partial\":", false).await;
    let client = Client::start(external(port)).await.expect("handshake");
    let err = client.call("anything", None).await.expect_err("no answer");
    assert!(matches!(err, Error::Timeout { .. }), "{err:?}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn hung_cli_times_out_and_stop_still_reaps_it() {
    let env = Hermetic::new(json!({"rules": []})).await;
    let client = Client::start(env.options().with_request_timeout(Duration::from_secs(2))).await.expect("start");
    let session = client.create_session(SessionConfig::new(env.cwd())).await.expect("create");
    let mut sub = session.subscribe();
    let pid = client.cli_pid().expect("pid");
    std::process::Command::new("kill").args(["-STOP", &pid.to_string()]).status().expect("stop signal");
    let err = client.ping(None).await.expect_err("hung");
    assert!(matches!(err, Error::Timeout { .. }), "{err:?}");
    // A disconnect abandoned by its caller (here: a 200 ms timeout) still closes the session.
    assert!(tokio::time::timeout(Duration::from_millis(200), session.disconnect()).await.is_err());
    let end = tokio::time::timeout(Duration::from_secs(1), async {
        loop {
            if let Err(copilot_core::RecvError::Closed) = sub.recv().await {
                return;
            }
        }
    })
    .await;
    assert!(end.is_ok(), "an abandoned disconnect left the subscription open");
    assert!(matches!(session.send("after").await, Err(Error::SessionClosed { .. })));
    let started = Instant::now();
    client.stop().await.expect("stop");
    assert!(started.elapsed() < Duration::from_secs(15), "stop took {:?}", started.elapsed());
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).unwrap_or_default();
    assert!(stat.is_empty(), "the CLI process is still there: {stat}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn cli_killed_while_a_tool_runs_fails_the_turn_promptly() {
    let env = Hermetic::new(json!({"rules": [
        {"when": {"user": "slow"}, "reply": {"tool_calls": [{"name": "slow_tool", "arguments": {}}]}}
    ]}))
    .await;
    let (tx, rx) = tokio::sync::oneshot::channel::<()>();
    let tx = std::sync::Mutex::new(Some(tx));
    let tool = Tool::new("slow_tool", "Takes forever").with_skip_permission(true).with_fn(move |_inv| {
        if let Some(tx) = tx.lock().expect("lock").take() {
            let _ = tx.send(());
        }
        async {
            tokio::time::sleep(Duration::from_secs(3600)).await;
            Ok(ToolResult::success("never"))
        }
    });
    let client = Client::start(env.options()).await.expect("start");
    let session = client.create_session(SessionConfig::new(env.cwd()).with_tool(tool)).await.expect("create");
    let s2 = session.clone();
    let waiter = tokio::spawn(async move { s2.send_and_wait("slow please").await });
    tokio::time::timeout(T, rx).await.expect("tool started").expect("sent");
    let pid = client.cli_pid().expect("pid");
    std::process::Command::new("kill").args(["-9", &pid.to_string()]).status().expect("kill");
    let killed = Instant::now();
    let r = tokio::time::timeout(Duration::from_secs(5), waiter).await.expect("no hang").expect("join");
    assert!(killed.elapsed() < Duration::from_secs(1));
    assert!(matches!(r, Err(Error::ConnectionLost { .. })), "{r:?}");
    client.stop().await.expect("stop");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn cli_killed_during_create_fails_the_create_promptly() {
    // The stand-in holds the cloud task's first session.start back, so create blocks.
    let env = Hermetic::with_flags(json!({"rules": []}), &["--task-start-delay", "8"]).await;
    let client = Client::start(env.options()).await.expect("start");
    let pid = client.cli_pid().expect("pid");
    let c2 = client.clone();
    let create = tokio::spawn(async move {
        c2.create_session(SessionConfig::default().with_cloud(copilot_core::CloudSessionOptions::new())).await
    });
    tokio::time::sleep(Duration::from_millis(1500)).await;
    assert!(!create.is_finished(), "create should still be waiting for the cloud task");
    std::process::Command::new("kill").args(["-9", &pid.to_string()]).status().expect("kill");
    let killed = Instant::now();
    let r = tokio::time::timeout(Duration::from_secs(5), create).await.expect("no hang").expect("join");
    assert!(killed.elapsed() < Duration::from_secs(1));
    assert!(matches!(r, Err(Error::ConnectionLost { .. })), "{r:?}");
    client.stop().await.expect("stop");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn model_service_failures_reach_the_user_and_the_session_recovers() {
    let env = Hermetic::new(json!({"rules": [
        {"when": {"user": "server error"}, "reply": {"error": {"status": 500, "message": "upstream exploded", "retry_after": 0}}},
        {"when": {"user": "rate limit"}, "reply": {"error": {"status": 429, "message": "slow down", "retry_after": 0}}},
        {"when": {"user": "cut off"}, "reply": {"text": "this answer will be cut", "close_mid_stream": true}},
        {"when": {}, "reply": {"text": "back to normal"}}
    ]}))
    .await;
    let client = Client::start(env.options()).await.expect("start");
    let session = client
        .create_session(
            SessionConfig::new(env.cwd()).with_streaming(true).with_permission_handler(PermissionPreset::ApproveSafety),
        )
        .await
        .expect("create");
    for prompt in ["server error", "rate limit", "cut off"] {
        let started = Instant::now();
        let mut events = session.subscribe();
        let r = session
            .send_and_wait(copilot_core::MessageOptions::new(prompt).with_timeout(Duration::from_secs(180)))
            .await;
        let err = r.expect_err(prompt);
        assert!(matches!(err, Error::Session { .. }), "{prompt}: {err:?}");
        let evs = collect_until(&mut events, "session.error", T).await;
        assert!(evs.last().expect("error").data_str("message").is_some());
        eprintln!("{prompt}: failed after {:?}: {err}", started.elapsed());
        let ok = session.send_and_wait("hello").await.expect("usable again").expect("message");
        assert_eq!(ok.data_str("content"), Some("back to normal"), "after {prompt}");
    }
    client.stop().await.expect("stop");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn cli_killed_while_a_permission_handler_runs_fails_everything_promptly() {
    let env = Hermetic::new(json!({"rules": [
        {"when": {"user": "run shell"}, "reply": {"tool_calls": [{"name": "bash", "arguments": {
            "command": "true", "description": "nothing"}}]}}
    ]}))
    .await;
    let (tx, rx) = tokio::sync::oneshot::channel::<()>();
    let tx = std::sync::Mutex::new(Some(tx));
    // Set when the handler's future is dropped: a closed session's handlers are cancelled.
    let dropped = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
    struct OnDrop(std::sync::Arc<std::sync::atomic::AtomicBool>);
    impl Drop for OnDrop {
        fn drop(&mut self) {
            self.0.store(true, std::sync::atomic::Ordering::SeqCst);
        }
    }
    let dropped2 = dropped.clone();
    let client = Client::start(env.options()).await.expect("start");
    let session = client
        .create_session(SessionConfig::new(env.cwd()).with_permission_handler(
            move |_req: copilot_core::PermissionRequest, _inv| {
                if let Some(tx) = tx.lock().expect("lock").take() {
                    let _ = tx.send(());
                }
                let guard = OnDrop(dropped2.clone());
                async move {
                    let _guard = guard;
                    tokio::time::sleep(Duration::from_secs(3600)).await;
                    Ok(copilot_core::PermissionResult::approve_once())
                }
            },
        ))
        .await
        .expect("create");
    let mut sub = session.subscribe();
    let s2 = session.clone();
    let waiter = tokio::spawn(async move { s2.send_and_wait("run shell please").await });
    tokio::time::timeout(T, rx).await.expect("handler started").expect("sent");
    let pid = client.cli_pid().expect("pid");
    std::process::Command::new("kill").args(["-9", &pid.to_string()]).status().expect("kill");
    let killed = Instant::now();
    let r = tokio::time::timeout(Duration::from_secs(5), waiter).await.expect("no hang").expect("join");
    assert!(killed.elapsed() < Duration::from_secs(1), "took {:?}", killed.elapsed());
    assert!(matches!(r, Err(Error::ConnectionLost { .. })), "{r:?}");
    // Other calls fail the same way, and the subscriber's stream ends.
    let other = client.list_sessions().await;
    assert!(matches!(other, Err(Error::ConnectionLost { .. }) | Err(Error::ClientStopped)), "{other:?}");
    let closed = tokio::time::timeout(Duration::from_secs(1), async {
        loop {
            if let Err(copilot_core::RecvError::Closed) = sub.recv().await {
                return;
            }
        }
    })
    .await;
    assert!(closed.is_ok(), "subscriber did not see the end of the stream");
    // Aborting the handler's task drops its future on a runtime worker, not synchronously
    // with the close the subscriber saw.
    wait_until("the running handler was cancelled (its future dropped)", || {
        std::future::ready(dropped.load(std::sync::atomic::Ordering::SeqCst))
    })
    .await;
    client.stop().await.expect("stop");
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).unwrap_or_default();
    assert!(stat.is_empty() || !stat.contains(") Z "), "zombie: {stat}");
}

/// A scripted stdio peer (not the CLI): it completes the handshake, and on any later request
/// starts a process that inherits its stdout, then kills itself with SIGKILL. Its end of the
/// pipe stays open in the orphan for `holder_secs`, so end of file comes that late.
const SELF_KILLING_PEER: &str = r#"#!/usr/bin/env python3
import json, os, signal, subprocess, sys
inp, out = sys.stdin.buffer, sys.stdout.buffer
holder = sys.argv[0] + ".holder-secs"
while True:
    head = b""
    while not head.endswith(b"\r\n\r\n"):
        c = inp.read(1)
        if not c:
            sys.exit(0)
        head += c
    n = int(head.split(b":")[1])
    msg = json.loads(inp.read(n))
    if msg.get("method") == "connect":
        body = json.dumps({"jsonrpc": "2.0", "id": msg["id"],
                           "result": {"ok": True, "protocolVersion": 3, "version": "scripted"}}).encode()
        out.write(b"Content-Length: %d\r\n\r\n%s" % (len(body), body))
        out.flush()
        continue
    child = subprocess.Popen(["sleep", open(holder).read().strip()])  # inherits stdout
    open(sys.argv[0] + ".holder-pid", "w").write(str(child.pid))
    os.kill(os.getpid(), signal.SIGKILL)
"#;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn cli_killed_while_a_child_holds_its_stdout_still_fails_calls_promptly() {
    let dir = tempfile::tempdir().expect("tmp");
    let peer = dir.path().join("self-killing-peer.py");
    std::fs::write(&peer, SELF_KILLING_PEER).expect("write");
    std::fs::write(dir.path().join("self-killing-peer.py.holder-secs"), "20").expect("write");
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(&peer, std::fs::Permissions::from_mode(0o755)).expect("chmod");
    }
    let client = Client::start(ClientOptions::new().with_cli_path(&peer).with_request_timeout(Duration::from_secs(15)))
        .await
        .expect("start against the scripted peer");
    let pid = client.cli_pid().expect("pid");
    let mut lifecycle = client.subscribe_lifecycle();
    let started = Instant::now();
    let err = client.call("anything", None).await.expect_err("the peer died");
    let elapsed = started.elapsed();
    assert!(matches!(err, Error::ConnectionLost { .. }), "{err:?}");
    assert!(elapsed < Duration::from_secs(1), "the call failed {elapsed:?} after the request, not within 1 s");
    assert!(err.to_string().contains("signal 9"), "the reason names the kill: {err}");
    // Subscribers see the end too, and the process was reaped (no zombie).
    let end = tokio::time::timeout(Duration::from_secs(1), async { while lifecycle.recv().await.is_ok() {} }).await;
    assert!(end.is_ok(), "a lifecycle subscriber did not see the end");
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).unwrap_or_default();
    assert!(stat.is_empty() || !stat.contains(") Z "), "zombie: {stat}");
    client.stop().await.expect("stop");
    // The orphan `sleep` would go away by itself; do not leave it for 20 s.
    if let Ok(holder) = std::fs::read_to_string(dir.path().join("self-killing-peer.py.holder-pid")) {
        let _ = std::process::Command::new("kill").arg(holder.trim()).status();
    }
}
