//! Tools, permissions, hooks and user input against the real CLI and the stand-in.

mod common;

use std::sync::Arc;
use std::time::Duration;

use common::*;
use copilot_core::handler::{hook_fn, user_input_fn, PermissionPreset, UserInputResponse};
use copilot_core::{Client, PermissionResult, SessionConfig, Tool, ToolResult};
use parking_lot::Mutex;
use serde_json::{json, Value};

const T: Duration = Duration::from_secs(60);

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn rust_tool_is_called_with_scripted_arguments_and_its_result_reaches_the_model() {
    let env = Hermetic::new(json!({"rules": [
        {"when": {"user": "weather"}, "reply": {"tool_calls": [{"name": "get_weather", "arguments": {"city": "Paris"}}]}},
        {"when": {"tool_result": "sunny"}, "reply": {"text": "It is sunny in Paris."}}
    ]}))
    .await;
    let seen: Arc<Mutex<Vec<Value>>> = Arc::default();
    let seen2 = seen.clone();
    let tool = copilot_core::define_tool(
        "get_weather",
        "Current weather for a city",
        json!({"type": "object", "properties": {"city": {"type": "string"}}, "required": ["city"]}),
        move |inv| {
            let seen = seen2.clone();
            async move {
                seen.lock().push(inv.arguments.clone());
                Ok(ToolResult::success(format!("sunny and 21C in {}", inv.arguments["city"].as_str().unwrap_or("?"))))
            }
        },
    );
    let client = Client::start(env.options()).await.expect("start");
    let session = client
        .create_session(
            SessionConfig::new(env.cwd()).with_tool(tool).with_permission_handler(PermissionPreset::ApproveAll),
        )
        .await
        .expect("create");
    let msg = session.send_and_wait("what is the weather?").await.expect("turn").expect("message");
    assert_eq!(msg.data_str("content"), Some("It is sunny in Paris."));
    assert_eq!(*seen.lock(), vec![json!({"city": "Paris"})]);
    let bodies = chat_bodies(&env.standin.requests().await);
    assert!(bodies.iter().any(|b| b.contains("sunny and 21C in Paris")), "tool result not sent to the model");
    client.stop().await.expect("stop");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn failing_tool_becomes_a_failure_result() {
    let env = Hermetic::new(json!({"rules": [
        {"when": {"user": "explode"}, "reply": {"tool_calls": [{"name": "fragile", "arguments": {}}]}},
        {"when": {"tool_result": ""}, "reply": {"text": "The tool failed."}}
    ]}))
    .await;
    let tool = Tool::new("fragile", "Always fails")
        .with_parameters(json!({"type": "object", "properties": {}}))
        .with_skip_permission(true)
        .with_fn(|_inv| async { Err(copilot_core::Error::Handler("disk on fire".into())) });
    let client = Client::start(env.options()).await.expect("start");
    let session = client.create_session(SessionConfig::new(env.cwd()).with_tool(tool)).await.expect("create");
    let mut events = session.subscribe();
    session.send("explode").await.expect("send");
    let evs = collect_until(&mut events, "session.idle", T).await;
    let done = evs.iter().find(|e| e.event_type == "tool.execution_complete").expect("tool completed");
    assert_eq!(done.data["success"], false, "{}", done.data);
    let bodies = chat_bodies(&env.standin.requests().await);
    assert!(bodies.iter().any(|b| b.contains("disk on fire")), "failure text not sent to the model");
    client.stop().await.expect("stop");
}

fn shell_and_read_scenario(marker: &std::path::Path, outside_file: &std::path::Path) -> Value {
    json!({"rules": [
        {"when": {"user": "run shell"}, "reply": {"tool_calls": [{"name": "bash", "arguments": {
            "command": format!("touch {}", marker.display()), "description": "create a marker file"}}]}},
        {"when": {"user": "read file"}, "reply": {"tool_calls": [{"name": "view", "arguments": {
            "path": outside_file.display().to_string()}}]}},
        {"when": {"tool_result": ""}, "reply": {"text": "Tool step finished."}}
    ]})
}

async fn run_turn(session: &copilot_core::Session, prompt: &str) -> Vec<copilot_core::SessionEvent> {
    let mut events = session.subscribe();
    session.send(prompt).await.expect("send");
    collect_until(&mut events, "session.idle", T).await
}

fn permission_kinds(evs: &[copilot_core::SessionEvent]) -> Vec<String> {
    evs.iter()
        .filter(|e| e.event_type == "permission.requested")
        .map(|e| e.data["permissionRequest"]["kind"].as_str().unwrap_or("").to_owned())
        .collect()
}

fn permission_outcomes(evs: &[copilot_core::SessionEvent]) -> Vec<String> {
    evs.iter()
        .filter(|e| e.event_type == "permission.completed")
        .map(|e| e.data["result"]["kind"].as_str().unwrap_or("").to_owned())
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn approve_safety_allows_read_and_refuses_shell() {
    let outside = tempfile::tempdir().expect("tmp");
    let secret = outside.path().join("notes.txt");
    std::fs::write(&secret, "the launch code is 4711").expect("write");
    let marker = outside.path().join("shell-ran.txt");
    let env = Hermetic::new(shell_and_read_scenario(&marker, &secret)).await;
    let client = Client::start(env.options()).await.expect("start");
    let session = client
        .create_session(SessionConfig::new(env.cwd()).with_permission_handler(PermissionPreset::ApproveSafety))
        .await
        .expect("create");

    let evs = run_turn(&session, "run shell please").await;
    assert_eq!(permission_kinds(&evs), vec!["shell"]);
    assert!(permission_outcomes(&evs)[0].starts_with("denied"), "{:?}", permission_outcomes(&evs));
    assert!(!marker.exists(), "the shell command ran although it was refused");
    let done = evs.iter().find(|e| e.event_type == "tool.execution_complete").expect("complete");
    assert_eq!(done.data["success"], false);

    let evs = run_turn(&session, "read file please").await;
    assert_eq!(permission_kinds(&evs), vec!["read"]);
    assert_eq!(permission_outcomes(&evs), vec!["approved"]);
    let bodies = chat_bodies(&env.standin.requests().await);
    assert!(bodies.iter().any(|b| b.contains("launch code is 4711")), "read result did not reach the model");
    client.stop().await.expect("stop");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn default_handler_denies_and_custom_closure_decides() {
    let outside = tempfile::tempdir().expect("tmp");
    let marker = outside.path().join("shell-ran.txt");
    let env = Hermetic::new(shell_and_read_scenario(&marker, &outside.path().join("x"))).await;
    let client = Client::start(env.options()).await.expect("start");

    // No handler: denied, the command does not run.
    let session = client.create_session(SessionConfig::new(env.cwd())).await.expect("create");
    let evs = run_turn(&session, "run shell please").await;
    assert_eq!(permission_kinds(&evs), vec!["shell"]);
    assert!(permission_outcomes(&evs)[0].starts_with("denied"));
    assert!(!marker.exists());

    // A closure that approves: the command runs.
    let asked: Arc<Mutex<Vec<String>>> = Arc::default();
    let asked2 = asked.clone();
    let session = client
        .create_session(SessionConfig::new(env.cwd()).with_permission_handler(move |req: copilot_core::PermissionRequest, _inv| {
            let asked = asked2.clone();
            async move {
                asked.lock().push(req.kind.clone());
                Ok(PermissionResult::approve_once())
            }
        }))
        .await
        .expect("create");
    let evs = run_turn(&session, "run shell please").await;
    assert_eq!(*asked.lock(), vec!["shell".to_owned()]);
    assert_eq!(permission_outcomes(&evs), vec!["approved"]);
    assert!(marker.exists(), "approved shell command did not run");

    // A failing handler answers user-not-available: denied.
    std::fs::remove_file(&marker).expect("rm");
    let session = client
        .create_session(SessionConfig::new(env.cwd()).with_permission_handler(|_req, _inv| async {
            Err(copilot_core::Error::Handler("no UI".into()))
        }))
        .await
        .expect("create");
    let evs = run_turn(&session, "run shell please").await;
    assert!(permission_outcomes(&evs)[0].starts_with("denied"), "{:?}", permission_outcomes(&evs));
    assert!(!marker.exists());
    client.stop().await.expect("stop");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn hooks_and_user_input_reach_their_handlers() {
    let env = Hermetic::new(json!({"rules": [
        {"when": {"user": "ask me"}, "reply": {"tool_calls": [{"name": "ask_user", "arguments": {
            "question": "Which colour?", "choices": ["red", "blue"]}}]}},
        {"when": {"tool_result": ""}, "reply": {"text": "Noted."}},
        {"when": {"user": "hello"}, "reply": {"text": "Hi."}}
    ]}))
    .await;
    let hooks: Arc<Mutex<Vec<String>>> = Arc::default();
    let hooks2 = hooks.clone();
    let questions: Arc<Mutex<Vec<String>>> = Arc::default();
    let q2 = questions.clone();
    let client = Client::start(env.options()).await.expect("start");
    let session = client
        .create_session(
            SessionConfig::new(env.cwd())
                .with_permission_handler(PermissionPreset::ApproveAll)
                .with_hook_handler(hook_fn(move |inv| {
                    let hooks = hooks2.clone();
                    async move {
                        hooks.lock().push(inv.hook_type.clone());
                        Ok(json!({}))
                    }
                }))
                .with_user_input_handler(user_input_fn(move |_sid, req| {
                    let q = q2.clone();
                    async move {
                        q.lock().push(req.question.clone());
                        Ok(UserInputResponse { answer: "blue, definitely".into(), was_freeform: true })
                    }
                })),
        )
        .await
        .expect("create");
    session.send_and_wait("hello").await.expect("turn");
    assert!(hooks.lock().iter().any(|h| h == "userPromptSubmitted"), "{:?}", hooks.lock());
    session.send_and_wait("ask me something").await.expect("turn");
    assert_eq!(*questions.lock(), vec!["Which colour?".to_owned()]);
    let bodies = chat_bodies(&env.standin.requests().await);
    assert!(bodies.iter().any(|b| b.contains("blue, definitely")), "answer not sent to the model");
    client.stop().await.expect("stop");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn hook_output_changes_what_the_model_sees() {
    let env = Hermetic::new(json!({"rules": [{"when": {}, "reply": {"text": "ok"}}]})).await;
    let client = Client::start(env.options()).await.expect("start");
    let session = client
        .create_session(SessionConfig::new(env.cwd()).with_hook_handler(hook_fn(|inv| async move {
            Ok(if inv.hook_type == "userPromptSubmitted" {
                json!({"additionalContext": "HOOK-CONTEXT-7731"})
            } else {
                json!({})
            })
        })))
        .await
        .expect("create");
    session.send_and_wait("hello").await.expect("turn");
    let bodies = chat_bodies(&env.standin.requests().await);
    assert!(bodies.iter().any(|b| b.contains("HOOK-CONTEXT-7731")), "the hook's context did not reach the model");
    client.stop().await.expect("stop");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn exit_plan_mode_request_reaches_its_handler_and_the_answer_reaches_the_model() {
    let env = Hermetic::new(json!({"rules": [
        {"when": {"user": "plan"}, "reply": {"tool_calls": [{"name": "exit_plan_mode", "arguments": {
            "summary": "Add a README", "actions": ["autopilot", "interactive"], "recommendedAction": "interactive"}}]}},
        {"when": {"tool_result": ""}, "reply": {"text": "Done planning."}},
        {"when": {}, "reply": {"text": "ok"}}
    ]}))
    .await;
    let seen: Arc<Mutex<Vec<(String, Value)>>> = Arc::default();
    let seen2 = seen.clone();
    let client = Client::start(env.options()).await.expect("start");
    let session = client
        .create_session(SessionConfig::new(env.cwd()).with_exit_plan_mode_handler(
            copilot_core::handler::exit_plan_mode_fn(move |sid, req| {
                let seen = seen2.clone();
                async move {
                    seen.lock().push((sid, req));
                    Ok(json!({"approved": false, "feedback": "PLAN-FEEDBACK-needs-tests"}))
                }
            }),
        ))
        .await
        .expect("create");
    session.call("session.mode.set", Some(json!({"mode": "plan"}))).await.expect("plan mode");
    let mut events = session.subscribe();
    session.send_and_wait("plan a README").await.expect("turn");
    {
        let seen = seen.lock();
        assert_eq!(seen.len(), 1, "{seen:?}");
        let (sid, req) = &seen[0];
        assert_eq!(sid, session.id());
        assert_eq!(req["summary"], "Add a README");
        assert_eq!(req["recommendedAction"], "interactive");
        let actions: Vec<&str> = req["actions"].as_array().expect("actions").iter().filter_map(Value::as_str).collect();
        assert!(actions.contains(&"autopilot") && actions.contains(&"interactive"), "{actions:?}");
    }
    let evs = collect_until(&mut events, "session.idle", T).await;
    let done = evs.iter().find(|e| e.event_type == "exit_plan_mode.completed").expect("exit_plan_mode.completed");
    assert_eq!(done.data["approved"], false);
    let bodies = chat_bodies(&env.standin.requests().await);
    assert!(bodies.iter().any(|b| b.contains("PLAN-FEEDBACK-needs-tests")), "the feedback did not reach the model");
    client.stop().await.expect("stop");
}
