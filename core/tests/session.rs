//! Sessions against the real CLI and the stand-in: streaming, send_and_wait, resume,
//! separation of sessions, model errors.

mod common;

use std::time::Duration;

use common::*;
use copilot_core::{Client, Error, MessageOptions, ResumeSessionConfig, SessionConfig};
use serde_json::json;

const T: Duration = Duration::from_secs(60);

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn streamed_reply_arrives_as_deltas_then_message_then_idle() {
    let env = Hermetic::new(json!({"rules": [
        {"when": {"user": "greet"}, "reply": {"text": "Hello from the stand-in model!", "chunks": 4}}
    ]}))
    .await;
    let client = Client::start(env.options()).await.expect("start");
    assert_eq!(client.protocol_version(), Some(3));
    let session = client
        .create_session(SessionConfig::new(env.cwd()).with_streaming(true))
        .await
        .expect("create");
    // Subscribing after create still sees what the CLI sent during create.
    let mut events = session.subscribe();
    let id = session.send("please greet me").await.expect("send");
    assert!(!id.is_empty());
    let evs = collect_until(&mut events, "session.idle", T).await;
    let ts = types(&evs);
    assert_eq!(ts.first().map(String::as_str), Some("session.start"), "{ts:?}");
    let first_delta = position(&evs, "assistant.message_delta").expect("deltas");
    let message = position(&evs, "assistant.message").expect("message");
    let idle = position(&evs, "session.idle").expect("idle");
    assert!(first_delta < message && message < idle, "{ts:?}");
    let deltas: String = evs
        .iter()
        .filter(|e| e.event_type == "assistant.message_delta")
        .map(|e| e.data_str("deltaContent").unwrap_or("").to_owned())
        .collect();
    assert!(evs.iter().filter(|e| e.event_type == "assistant.message_delta").count() >= 2);
    assert_eq!(deltas, "Hello from the stand-in model!");
    assert_eq!(evs[message].data_str("content"), Some("Hello from the stand-in model!"));
    match evs[message].typed() {
        copilot_core::EventData::AssistantMessage(m) => assert_eq!(m.content, "Hello from the stand-in model!"),
        other => panic!("{other:?}"),
    }
    session.disconnect().await.expect("disconnect");
    assert!(matches!(session.send("again").await, Err(Error::SessionClosed { .. })));
    client.stop().await.expect("stop");
    assert!(matches!(client.ping(None).await, Err(Error::ClientStopped)));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn send_and_wait_returns_the_message_and_fails_with_session_error() {
    let env = Hermetic::new(json!({"rules": [
        {"when": {"user": "break"}, "reply": {"error": {"status": 400, "message": "scripted failure"}}},
        {"when": {"user": "hello"}, "reply": {"text": "Hi there."}}
    ]}))
    .await;
    let client = Client::start(env.options()).await.expect("start");
    let session = client.create_session(SessionConfig::new(env.cwd())).await.expect("create");
    let msg = session.send_and_wait("hello").await.expect("turn").expect("a message");
    assert_eq!(msg.data_str("content"), Some("Hi there."));
    let err = session
        .send_and_wait(MessageOptions::new("break it").with_timeout(T))
        .await
        .expect_err("scripted error");
    match &err {
        Error::Session { message, .. } => assert!(message.contains("400") || message.contains("scripted"), "{message}"),
        other => panic!("expected a session error, got {other:?}"),
    }
    // The session stays usable.
    let msg = session.send_and_wait("hello again").await.expect("turn").expect("a message");
    assert_eq!(msg.data_str("content"), Some("Hi there."));
    client.stop().await.expect("stop");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn resume_continues_the_conversation() {
    let env = Hermetic::new(json!({"rules": [
        {"when": {"user": "remember"}, "reply": {"text": "I will remember the word PINEAPPLE."}},
        {"when": {"user": "recall"}, "reply": {"text": "You said PINEAPPLE."}}
    ]}))
    .await;
    let client = Client::start(env.options()).await.expect("start");
    let session = client.create_session(SessionConfig::new(env.cwd())).await.expect("create");
    let id = session.id().to_owned();
    session.send_and_wait("remember PINEAPPLE").await.expect("turn 1");
    session.disconnect().await.expect("disconnect");

    let resumed = client.resume_session(ResumeSessionConfig::new(id.clone())).await.expect("resume");
    assert_eq!(resumed.id(), id);
    let msg = resumed.send_and_wait("recall the word").await.expect("turn 2").expect("message");
    assert_eq!(msg.data_str("content"), Some("You said PINEAPPLE."));
    // The model saw the first turn in the resumed conversation.
    let reqs = env.standin.requests().await;
    let last = chat_bodies(&reqs).into_iter().rev().find(|b| b.contains("recall the word")).expect("turn 2 request");
    assert!(last.contains("remember PINEAPPLE"), "history missing from resumed request");
    let history = resumed.get_messages().await.expect("history");
    assert!(history.iter().any(|e| e.event_type == "user.message"));

    let err = client.resume_session(ResumeSessionConfig::new("no-such-session".into())).await.expect_err("unknown");
    assert!(err.rpc_code().is_some(), "{err:?}");
    client.stop().await.expect("stop");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_sessions_on_one_client_stay_separate() {
    let env = Hermetic::new(json!({"rules": [
        {"when": {"user": "alpha"}, "reply": {"text": "reply-alpha"}},
        {"when": {"user": "beta"}, "reply": {"text": "reply-beta"}}
    ]}))
    .await;
    let client = Client::start(env.options()).await.expect("start");
    let a = client.create_session(SessionConfig::new(env.cwd())).await.expect("a");
    let b = client.create_session(SessionConfig::new(env.cwd())).await.expect("b");
    assert_ne!(a.id(), b.id());
    let mut ea = a.subscribe();
    let mut eb = b.subscribe();
    let (ra, rb) = tokio::join!(a.send_and_wait("alpha"), b.send_and_wait("beta"));
    assert_eq!(ra.expect("a").expect("msg").data_str("content"), Some("reply-alpha"));
    assert_eq!(rb.expect("b").expect("msg").data_str("content"), Some("reply-beta"));
    let eva = collect_until(&mut ea, "session.idle", T).await;
    let evb = collect_until(&mut eb, "session.idle", T).await;
    let contents = |evs: &[copilot_core::SessionEvent]| -> Vec<String> {
        evs.iter().filter_map(|e| e.data_str("content").map(str::to_owned)).collect()
    };
    assert!(contents(&eva).iter().all(|c| !c.contains("beta")), "{:?}", contents(&eva));
    assert!(contents(&evb).iter().all(|c| !c.contains("alpha")), "{:?}", contents(&evb));
    let ids: Vec<String> = client.list_sessions().await.expect("list").into_iter().map(|s| s.session_id).collect();
    assert!(ids.contains(&a.id().to_owned()) && ids.contains(&b.id().to_owned()), "{ids:?}");
    client.stop().await.expect("stop");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn slow_subscriber_gets_an_explicit_lag_notice_and_others_get_everything() {
    let env = Hermetic::new(json!({"rules": [
        {"when": {}, "reply": {"text": "abcdefghij".repeat(20), "chunks": 150}}
    ]}))
    .await;
    let client = Client::start(env.options()).await.expect("start");
    let session = client.create_session(SessionConfig::new(env.cwd()).with_streaming(true)).await.expect("create");
    let mut fast = session.subscribe();
    let mut slow = session.subscribe_with_bound(64);
    // The fast subscriber (default bound) keeps up.
    let fast_task = tokio::spawn(async move { collect_until(&mut fast, "session.idle", T).await });
    session.send("go").await.expect("send");
    let fast_events = fast_task.await.expect("join");
    let deltas = fast_events.iter().filter(|e| e.event_type == "assistant.message_delta").count();
    assert_eq!(deltas, 150, "{:?}", types(&fast_events));
    // The slow one never read during the turn: it is told how many it lost, then resumes in order.
    let first = slow.recv().await;
    match first {
        Err(copilot_core::RecvError::Lagged(n)) => assert!(n > 0),
        other => panic!("expected a lag notice, got {other:?}"),
    }
    // The reader queues each event for one subscriber after the other, so the fast one having
    // seen the idle does not yet mean it is queued here. A ping's reply is read after the
    // idle, so once it is back the reader has queued the idle for every subscriber.
    client.ping(None).await.expect("ping");
    let rest: Vec<_> = std::iter::from_fn(|| slow.try_recv()).map(|r| r.expect("event")).collect();
    assert_eq!(rest.len(), 64, "the bound is kept: {:?}", types(&rest));
    assert_eq!(rest.last().expect("last").event_type, "session.idle");
    client.stop().await.expect("stop");
}
