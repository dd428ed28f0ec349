//! Test harness: the real Copilot CLI, run hermetically against our stand-in for GitHub's
//! services (tests/standin/copilot_standin.py).
#![allow(dead_code)]

use std::path::{Path, PathBuf};
use std::process::Stdio;
use std::time::Duration;

use copilot_core::{ClientOptions, EventSubscription, SessionEvent};
use serde_json::Value;
use tokio::io::{AsyncBufReadExt, AsyncReadExt, AsyncWriteExt, BufReader};
use tokio::process::{Child, Command};

pub fn repo_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).parent().expect("workspace root").to_path_buf()
}

/// The pinned CLI, installed by scripts/setup-cli.sh.
pub fn cli_path() -> PathBuf {
    if let Some(p) = std::env::var_os("COPILOT_CLI_PATH") {
        return PathBuf::from(p);
    }
    let out = std::process::Command::new(repo_root().join("scripts/setup-cli.sh"))
        .stderr(Stdio::inherit())
        .output()
        .expect("run scripts/setup-cli.sh");
    assert!(out.status.success(), "setup-cli.sh failed");
    PathBuf::from(String::from_utf8(out.stdout).expect("utf8").trim())
}

pub struct StandIn {
    child: Child,
    pub url: String,
    _scenario: tempfile::NamedTempFile,
}

impl StandIn {
    /// Starts the stand-in with an inline scenario and extra flags.
    pub async fn start(scenario: Value, flags: &[&str]) -> StandIn {
        let mut file = tempfile::NamedTempFile::new().expect("tmp");
        std::io::Write::write_all(&mut file, scenario.to_string().as_bytes()).expect("write");
        let python = std::env::var("PYTHON").unwrap_or_else(|_| "python3".into());
        let mut child = Command::new(python)
            .arg(repo_root().join("tests/standin/copilot_standin.py"))
            .args(["--port", "0", "--log-level", "WARNING", "--scenario"])
            .arg(file.path())
            .args(flags)
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .kill_on_drop(true)
            .spawn()
            .expect("start the stand-in");
        let stdout = child.stdout.take().expect("stdout");
        let mut lines = BufReader::new(stdout).lines();
        let url = tokio::time::timeout(Duration::from_secs(20), async {
            while let Some(line) = lines.next_line().await.expect("read") {
                if let Some(u) = line.strip_prefix("COPILOT_STANDIN_URL=") {
                    return u.trim().to_owned();
                }
            }
            panic!("stand-in exited without a URL");
        })
        .await
        .expect("stand-in ready in time");
        tokio::spawn(async move { while let Ok(Some(_)) = lines.next_line().await {} });
        StandIn { child, url, _scenario: file }
    }

    async fn http(&self, method: &str, path: &str, body: Option<Value>) -> Value {
        let addr = self.url.trim_start_matches("http://").to_owned();
        let mut s = tokio::net::TcpStream::connect(&addr).await.expect("connect stand-in");
        let body = body.map(|b| b.to_string()).unwrap_or_default();
        let req = format!(
            "{method} {path} HTTP/1.1\r\nHost: {addr}\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
            body.len()
        );
        s.write_all(req.as_bytes()).await.expect("send");
        let mut out = Vec::new();
        s.read_to_end(&mut out).await.expect("read");
        let text = String::from_utf8_lossy(&out);
        let (_, body) = text.split_once("\r\n\r\n").expect("http response");
        serde_json::from_str(body).unwrap_or(Value::Null)
    }

    /// GET a control endpoint.
    pub async fn get(&self, path: &str) -> Value {
        self.http("GET", path, None).await
    }

    /// Every request the stand-in recorded.
    pub async fn requests(&self) -> Vec<Value> {
        match self.http("GET", "/_standin/requests", None).await {
            Value::Array(a) => a,
            other => panic!("unexpected {other}"),
        }
    }

    /// Requests whose path starts with `prefix`.
    pub async fn requests_to(&self, prefix: &str) -> Vec<Value> {
        self.requests()
            .await
            .into_iter()
            .filter(|r| r["path"].as_str().is_some_and(|p| p.starts_with(prefix)))
            .collect()
    }

    pub async fn config(&self, cfg: Value) {
        self.http("POST", "/_standin/config", Some(cfg)).await;
    }

    pub async fn stop(mut self) {
        let _ = self.child.kill().await;
    }
}

/// A hermetic environment: temp dirs for every CLI state location, a working directory and
/// the stand-in's URLs.
pub struct Hermetic {
    pub home: tempfile::TempDir,
    pub workdir: tempfile::TempDir,
    pub standin: StandIn,
}

impl Hermetic {
    pub async fn new(scenario: Value) -> Hermetic {
        Self::with_flags(scenario, &[]).await
    }

    pub async fn with_flags(scenario: Value, flags: &[&str]) -> Hermetic {
        let standin = StandIn::start(scenario, flags).await;
        Hermetic {
            home: tempfile::tempdir().expect("tmp"),
            workdir: tempfile::tempdir().expect("tmp"),
            standin,
        }
    }

    pub fn env(&self) -> Vec<(String, String)> {
        let h = self.home.path();
        let sub = |n: &str| {
            let p = h.join(n);
            std::fs::create_dir_all(&p).expect("mkdir");
            p.to_string_lossy().into_owned()
        };
        vec![
            ("COPILOT_HOME".into(), sub("copilot")),
            ("XDG_CONFIG_HOME".into(), sub("config")),
            ("XDG_STATE_HOME".into(), sub("state")),
            ("GH_CONFIG_DIR".into(), sub("gh")),
            ("COPILOT_CACHE_HOME".into(), sub("cache")),
            ("COPILOT_API_URL".into(), self.standin.url.clone()),
            ("COPILOT_DEBUG_GITHUB_API_URL".into(), self.standin.url.clone()),
            ("COPILOT_MC_BASE_URL".into(), format!("{}/agents", self.standin.url)),
        ]
    }

    /// Options that spawn the real CLI over stdio against the stand-in.
    pub fn options(&self) -> ClientOptions {
        ClientOptions::new()
            .with_cli_path(cli_path())
            .with_cwd(self.workdir.path())
            .with_env(self.env())
            .with_env_remove(["GH_TOKEN", "GITHUB_TOKEN", "COPILOT_GITHUB_TOKEN"])
            .with_github_token("test-token")
    }

    pub fn cwd(&self) -> PathBuf {
        self.workdir.path().to_path_buf()
    }
}

/// How long [`wait_until`] waits for an effect (generous: CI is a loaded 2-core machine).
pub const WAIT: Duration = Duration::from_secs(30);

/// Polls `cond` every 50 ms until it holds; fails the test naming `what` after [`WAIT`].
/// For effects the awaited call does not wait for: requests the CLI makes to the stand-in in
/// the background after answering, work finished on another task.
pub async fn wait_until<F, Fut>(what: &str, mut cond: F)
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = bool>,
{
    let start = std::time::Instant::now();
    while !cond().await {
        assert!(start.elapsed() < WAIT, "timed out after {WAIT:?} waiting until {what}");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

/// Collects events until one of type `until` arrives (inclusive), bounded by `timeout`.
pub async fn collect_until(sub: &mut EventSubscription, until: &str, timeout: Duration) -> Vec<SessionEvent> {
    let mut out = Vec::new();
    let r = tokio::time::timeout(timeout, async {
        loop {
            match sub.recv().await {
                Ok(ev) => {
                    let done = ev.event_type == until;
                    out.push(ev);
                    if done {
                        return;
                    }
                }
                Err(e) => panic!("subscription ended: {e:?}; got {:?}", types(&out)),
            }
        }
    })
    .await;
    if r.is_err() {
        panic!("timed out waiting for {until}; got {:?}", types(&out));
    }
    out
}

pub fn types(evs: &[SessionEvent]) -> Vec<String> {
    evs.iter().map(|e| e.event_type.clone()).collect()
}

pub fn position(evs: &[SessionEvent], t: &str) -> Option<usize> {
    evs.iter().position(|e| e.event_type == t)
}

/// Text of every recorded chat request's messages, for "did the model see X" assertions.
pub fn chat_bodies(reqs: &[Value]) -> Vec<String> {
    reqs.iter()
        .filter(|r| r["path"].as_str().is_some_and(|p| p.contains("chat/completions")))
        .map(|r| r["body"].to_string())
        .collect()
}
