//! The client: one connection to one Copilot CLI server.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::Duration;

use serde::{Deserialize, Serialize};
use serde_json::{json, Value};
use tokio::process::Child;

use crate::error::{Error, Result, METHOD_NOT_FOUND};
use crate::events::{LifecycleSubscription, Queue};
use crate::jsonrpc::Connection;
use crate::router::Router;
use crate::session::{Session, SessionShared};
use crate::transport::{establish, StderrTail};
use crate::types::{ClientOptions, ResumeSessionConfig, SessionConfig, Transport};

/// Lowest protocol version this SDK speaks.
pub const MIN_PROTOCOL_VERSION: u64 = 3;
/// Highest protocol version this SDK speaks.
pub const MAX_PROTOCOL_VERSION: u64 = 3;

pub(crate) struct ClientInner {
    pub(crate) conn: Arc<Connection>,
    pub(crate) router: Arc<Router>,
    child: Option<ChildWatch>,
    pid: Option<u32>,
    stderr: StderrTail,
    options: ClientOptions,
    stopped: AtomicBool,
    server_version: Option<String>,
    protocol_version: Option<u64>,
    warnings: Vec<String>,
}

/// Answer to `ping`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct PingResponse {
    /// `pong` or `pong: <message>`.
    #[serde(default)]
    pub message: String,
    /// Server timestamp.
    #[serde(default)]
    pub timestamp: Value,
    /// Protocol version.
    #[serde(default)]
    pub protocol_version: Option<u64>,
}

/// Metadata of a stored session.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct SessionMetadata {
    /// Session id.
    pub session_id: String,
    /// Creation time.
    #[serde(default)]
    pub start_time: Option<String>,
    /// Last modification.
    #[serde(default)]
    pub modified_time: Option<String>,
    /// Summary, if any.
    #[serde(default)]
    pub summary: Option<String>,
    /// Exported to Mission Control.
    #[serde(default)]
    pub is_remote: Option<bool>,
}

/// A model the server offers.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ModelInfo {
    /// Model id (use with `SessionConfig::with_model`).
    pub id: String,
    /// Display name.
    #[serde(default)]
    pub name: String,
    /// Capabilities (`supports`, `limits`).
    #[serde(default)]
    pub capabilities: Value,
}

/// A connection to the Copilot CLI. Cheap to clone.
#[derive(Clone)]
pub struct Client {
    pub(crate) inner: Arc<ClientInner>,
}

impl std::fmt::Debug for Client {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Client")
            .field("pid", &self.inner.pid)
            .field("server_version", &self.inner.server_version)
            .finish()
    }
}

impl Client {
    /// Starts (or connects to) the CLI and performs the protocol handshake.
    pub async fn start(options: ClientOptions) -> Result<Client> {
        options.validate()?;
        let est = establish(&options).await?;
        let router = Arc::new(Router::default());
        let conn = Connection::start(
            est.reader,
            est.writer,
            router.clone(),
            options.max_frame_bytes,
            Some(options.request_timeout),
        );
        let pid = est.child.as_ref().and_then(Child::id);
        let mut child = est.child;
        let handshake = handshake(&conn, est.connection_token.as_deref(), options.startup_timeout).await;
        let (server_version, protocol_version) = match handshake {
            Ok(v) => v,
            Err(e) => {
                if let Some(c) = child.as_mut() {
                    let _ = c.start_kill();
                    let _ = tokio::time::timeout(Duration::from_secs(5), c.wait()).await;
                }
                let e = match e {
                    Error::ConnectionLost { .. } => Error::CliStartup {
                        message: format!(
                            "the CLI closed the connection during the handshake; stderr:\n{}",
                            est.stderr.settled(Duration::from_millis(500)).await.text()
                        ),
                    },
                    other => other,
                };
                return Err(e);
            }
        };
        let child = child.map(|c| ChildWatch::start(c, Arc::downgrade(&conn)));
        Ok(Client {
            inner: Arc::new(ClientInner {
                conn,
                router,
                child,
                pid,
                stderr: est.stderr,
                options,
                stopped: AtomicBool::new(false),
                server_version,
                protocol_version,
                warnings: est.warnings,
            }),
        })
    }

    /// Version string reported by the server.
    pub fn server_version(&self) -> Option<&str> {
        self.inner.server_version.as_deref()
    }

    /// Protocol version reported by the server.
    pub fn protocol_version(&self) -> Option<u64> {
        self.inner.protocol_version
    }

    /// Process id of the CLI when this client spawned it.
    pub fn cli_pid(&self) -> Option<u32> {
        self.inner.pid
    }

    /// Warnings about ignored options (for example remote sessions on an external server).
    pub fn warnings(&self) -> &[String] {
        &self.inner.warnings
    }

    /// The last lines the CLI wrote to stderr.
    pub fn cli_stderr_tail(&self) -> String {
        self.inner.stderr.text()
    }

    /// The options the client was started with.
    pub fn options(&self) -> &ClientOptions {
        &self.inner.options
    }

    fn ensure_running(&self) -> Result<()> {
        if self.inner.stopped.load(Ordering::Acquire) {
            return Err(Error::ClientStopped);
        }
        if self.inner.conn.is_closed() {
            let reason =
                self.inner.router.closed_reason.lock().clone().unwrap_or_else(|| "connection closed".into());
            return Err(Error::ConnectionLost { reason });
        }
        Ok(())
    }

    /// Calls any CLI method (for the many methods this SDK does not type).
    pub async fn call(&self, method: &str, params: Option<Value>) -> Result<Value> {
        self.ensure_running()?;
        self.inner.conn.request(method, params.unwrap_or_else(|| json!({}))).await
    }

    /// Calls a method with an explicit timeout (`None` = no bound).
    pub async fn call_with_timeout(&self, method: &str, params: Option<Value>, timeout: Option<Duration>) -> Result<Value> {
        self.ensure_running()?;
        self.inner.conn.request_with_timeout(method, params.unwrap_or_else(|| json!({})), timeout).await
    }

    /// Health check.
    pub async fn ping(&self, message: Option<&str>) -> Result<PingResponse> {
        let params = message.map(|m| json!({"message": m}));
        Ok(serde_json::from_value(self.call("ping", params).await?)?)
    }

    /// `status.get`: `{version, protocolVersion}`.
    pub async fn status(&self) -> Result<Value> {
        self.call("status.get", None).await
    }

    /// `auth.getStatus`: `{isAuthenticated, authType?, login?, ...}`.
    pub async fn auth_status(&self) -> Result<Value> {
        self.call("auth.getStatus", None).await
    }

    /// Models available to the authenticated user.
    pub async fn list_models(&self) -> Result<Vec<ModelInfo>> {
        let v = self.call("models.list", None).await?;
        Ok(serde_json::from_value(v.get("models").cloned().unwrap_or(json!([])))?)
    }

    /// Stored sessions.
    pub async fn list_sessions(&self) -> Result<Vec<SessionMetadata>> {
        let v = self.call("session.list", None).await?;
        Ok(serde_json::from_value(v.get("sessions").cloned().unwrap_or(json!([])))?)
    }

    /// Metadata of one stored session (`None` when unknown).
    pub async fn get_session_metadata(&self, session_id: &str) -> Result<Option<SessionMetadata>> {
        let v = self.call("session.getMetadata", Some(json!({"sessionId": session_id}))).await?;
        match v.get("session") {
            Some(s) if !s.is_null() => Ok(Some(serde_json::from_value(s.clone())?)),
            _ => Ok(None),
        }
    }

    /// Deletes a stored session.
    pub async fn delete_session(&self, session_id: &str) -> Result<()> {
        let v = self.call("session.delete", Some(json!({"sessionId": session_id}))).await?;
        if v.get("success").and_then(Value::as_bool) == Some(false) {
            let msg = v.get("error").and_then(Value::as_str).unwrap_or("delete failed").to_owned();
            return Err(Error::Rpc { method: "session.delete".into(), code: crate::error::INTERNAL_ERROR, message: msg, data: None });
        }
        Ok(())
    }

    /// Id of the most recently used session.
    pub async fn get_last_session_id(&self) -> Result<Option<String>> {
        let v = self.call("session.getLastId", None).await?;
        Ok(v.get("sessionId").and_then(Value::as_str).map(str::to_owned))
    }

    /// Subscribes to connection-wide session lifecycle notifications.
    pub fn subscribe_lifecycle(&self) -> LifecycleSubscription {
        let q = Queue::new(self.inner.options.subscriber_bound);
        if self.inner.conn.is_closed() {
            q.close();
        }
        self.inner.router.lifecycle.lock().push(q.clone());
        LifecycleSubscription { queue: q }
    }

    /// Creates a session. Events the CLI sends during the call are kept for the first
    /// subscribers, so `subscribe()` right after this returns misses nothing.
    pub async fn create_session(&self, config: SessionConfig) -> Result<Session> {
        self.ensure_running()?;
        config.validate()?;
        let is_cloud = config.cloud.is_some();
        let shared = SessionShared::new(self.inner.conn.clone(), &config, self.inner.options.subscriber_bound, is_cloud);
        let mut params = config.to_wire(false);
        let hook: Option<crate::jsonrpc::SyncHook> = if is_cloud {
            // The server assigns the id: register before the reader processes the next frame.
            let router = self.inner.router.clone();
            let conn = self.inner.conn.clone();
            let s = shared.clone();
            Some(Box::new(move |result: &Value| {
                if let Some(id) = result.get("sessionId").and_then(Value::as_str) {
                    s.set_id(id);
                    router.register(&conn, id, s);
                }
            }))
        } else {
            let id = config.session_id.clone().unwrap_or_else(|| uuid::Uuid::new_v4().to_string());
            shared.set_id(&id);
            params.insert("sessionId".into(), Value::String(id.clone()));
            self.inner.router.register(&self.inner.conn, &id, shared.clone());
            None
        };
        // Cloud create polls Mission Control for the worker; give it more room.
        let timeout = if is_cloud {
            Some(self.inner.options.request_timeout.max(Duration::from_secs(90)))
        } else {
            Some(self.inner.options.request_timeout)
        };
        let result = self.inner.conn.request_full("session.create", Value::Object(params), timeout, hook).await;
        let result = match result {
            Ok(v) => v,
            Err(e) => {
                if !shared.id().is_empty() {
                    self.inner.router.unregister(shared.id());
                }
                shared.mark_closed();
                return Err(e);
            }
        };
        let returned = result.get("sessionId").and_then(Value::as_str).unwrap_or("").to_owned();
        if is_cloud && shared.id().is_empty() {
            return Err(Error::Protocol(format!("cloud session.create returned no sessionId: {result}")));
        }
        if !is_cloud && !returned.is_empty() && returned != shared.id() {
            return Err(Error::Protocol(format!("session.create returned id {returned}, expected {}", shared.id())));
        }
        let session = Session { shared, client: self.inner.clone() };
        session.set_workspace_path(result.get("workspacePath").and_then(Value::as_str).map(str::to_owned));
        Ok(session)
    }

    /// Resumes a stored session. Resume a cloud session plainly: passing `cloud` is an error.
    pub async fn resume_session(&self, config: ResumeSessionConfig) -> Result<Session> {
        self.ensure_running()?;
        if config.config.cloud.is_some() {
            return Err(Error::InvalidConfig(
                "cloud options apply only to new sessions; resume a cloud session without them".into(),
            ));
        }
        if config.session_id.is_empty() {
            return Err(Error::InvalidConfig("resume needs a session id".into()));
        }
        config.config.validate()?;
        let id = config.session_id.clone();
        let shared = SessionShared::new(self.inner.conn.clone(), &config.config, self.inner.options.subscriber_bound, false);
        shared.set_id(&id);
        let mut params = config.config.to_wire(true);
        params.insert("sessionId".into(), Value::String(id.clone()));
        if config.disable_resume {
            params.insert("disableResume".into(), Value::Bool(true));
        }
        self.inner.router.register(&self.inner.conn, &id, shared.clone());
        let result = match self.inner.conn.request("session.resume", Value::Object(params)).await {
            Ok(v) => v,
            Err(e) => {
                self.inner.router.unregister(&id);
                shared.mark_closed();
                return Err(e);
            }
        };
        let session = Session { shared, client: self.inner.clone() };
        session.set_workspace_path(result.get("workspacePath").and_then(Value::as_str).map(str::to_owned));
        Ok(session)
    }

    /// Stops the client: disconnects every session, asks a spawned server to shut down (an
    /// external server keeps running, only the connection closes), and reaps the CLI process
    /// (killing it if it does not exit in time). Idempotent. Bounded by
    /// min(request timeout, 5 s) for the session teardown, min(request timeout, 10 s) for the
    /// shutdown request and 5 s for the process to exit before it is killed.
    pub async fn stop(&self) -> Result<()> {
        if self.inner.stopped.swap(true, Ordering::AcqRel) {
            return Ok(());
        }
        let sessions: Vec<Arc<SessionShared>> = self.inner.router.sessions.lock().values().cloned().collect();
        // Bounded by the request timeout, so a hung CLI cannot hold stop() for long.
        let rt = self.inner.options.request_timeout;
        let destroy_bound = rt.min(Duration::from_secs(5));
        let shutdown_bound = rt.min(Duration::from_secs(10));
        if !self.inner.conn.is_closed() {
            let destroys = sessions.iter().map(|s| {
                let conn = self.inner.conn.clone();
                let id = s.id().to_owned();
                async move {
                    let _ = conn
                        .request_with_timeout("session.destroy", json!({"sessionId": id}), Some(destroy_bound))
                        .await;
                }
            });
            join_all(destroys).await;
            // runtime.shutdown ends the server process. An external server (`--headless
            // --port N`) was started by someone else and may serve other clients: only
            // disconnect from it (CLI 1.0.102 exits on runtime.shutdown, verified).
            if !matches!(self.inner.options.transport, Transport::External { .. }) {
                let _ = self
                    .inner
                    .conn
                    .request_with_timeout("runtime.shutdown", json!({}), Some(shutdown_bound))
                    .await;
            }
        }
        for s in &sessions {
            self.inner.router.unregister(s.id());
            s.mark_closed();
        }
        self.inner.conn.close("the client was stopped");
        self.reap(Duration::from_secs(5)).await;
        Ok(())
    }

    /// Kills the CLI at once, without the shutdown handshake.
    pub async fn force_stop(&self) {
        self.inner.stopped.store(true, Ordering::Release);
        self.inner.conn.close("the client was force-stopped");
        self.reap(Duration::ZERO).await;
    }

    async fn reap(&self, grace: Duration) {
        if let Some(child) = &self.inner.child {
            child.reap(grace).await;
        }
    }
}

/// The CLI process this client spawned, waited for by a task of its own from the start.
///
/// End of file on the CLI's stdout is not a reliable sign of its death: a process the CLI
/// started (a shell command, a tool, git) inherits that pipe and keeps it open after the CLI
/// is killed. So the exit itself ends the connection: pending calls fail and subscribers see
/// the end within [`EXIT_SETTLE`] of the exit, whatever still holds the pipe. Waiting from
/// the start also reaps the process as soon as it dies (no zombie until `stop()`).
struct ChildWatch {
    /// Taken (and fired) to kill the process; dropping the client drops it, which kills the
    /// process too, as `kill_on_drop` did when the client owned the `Child`.
    kill: parking_lot::Mutex<Option<tokio::sync::oneshot::Sender<()>>>,
    exited: tokio::sync::watch::Receiver<bool>,
}

/// How long after the CLI's exit the reader may still drain what the CLI wrote before the
/// connection is ended for it.
const EXIT_SETTLE: Duration = Duration::from_millis(200);

impl ChildWatch {
    fn start(mut child: Child, conn: std::sync::Weak<Connection>) -> ChildWatch {
        let (kill_tx, kill_rx) = tokio::sync::oneshot::channel::<()>();
        let (exited_tx, exited) = tokio::sync::watch::channel(false);
        tokio::spawn(async move {
            // Either the process ends by itself, or a kill was asked for (or the client dropped).
            let status = tokio::select! {
                s = child.wait() => Some(s),
                _ = kill_rx => None,
            };
            let status = match status {
                Some(s) => s,
                None => {
                    let _ = child.start_kill();
                    child.wait().await
                }
            };
            let _ = exited_tx.send(true);
            tokio::time::sleep(EXIT_SETTLE).await;
            if let Some(conn) = conn.upgrade() {
                if !conn.is_closed() {
                    let how = match status {
                        Ok(s) => describe_exit(s),
                        Err(e) => format!("could not be waited for: {e}"),
                    };
                    conn.end(&format!("the CLI process {how}"));
                }
            }
        });
        ChildWatch { kill: parking_lot::Mutex::new(Some(kill_tx)), exited }
    }

    /// Waits up to `grace` for the process to exit, then kills it and waits up to 5 s more.
    async fn reap(&self, grace: Duration) {
        let mut exited = self.exited.clone();
        if grace.is_zero() || tokio::time::timeout(grace, exited.wait_for(|e| *e)).await.is_err() {
            if let Some(kill) = self.kill.lock().take() {
                let _ = kill.send(());
            }
            let _ = tokio::time::timeout(Duration::from_secs(5), exited.wait_for(|e| *e)).await;
        }
    }
}

fn describe_exit(status: std::process::ExitStatus) -> String {
    #[cfg(unix)]
    {
        use std::os::unix::process::ExitStatusExt;
        if let Some(sig) = status.signal() {
            return format!("was killed by signal {sig}");
        }
    }
    match status.code() {
        Some(code) => format!("exited with status {code}"),
        None => format!("exited ({status})"),
    }
}

async fn join_all<F: std::future::Future<Output = ()> + Send + 'static>(futs: impl Iterator<Item = F>) {
    let handles: Vec<_> = futs.map(tokio::spawn).collect();
    for h in handles {
        let _ = h.await;
    }
}

async fn handshake(conn: &Connection, token: Option<&str>, timeout: Duration) -> Result<(Option<String>, Option<u64>)> {
    let params = match token {
        Some(t) => json!({"token": t}),
        None => json!({}),
    };
    let v = match conn.request_with_timeout("connect", params, Some(timeout)).await {
        Ok(v) => v,
        Err(e) if e.rpc_code() == Some(METHOD_NOT_FOUND) => {
            conn.request_with_timeout("ping", json!({}), Some(timeout)).await?
        }
        Err(Error::Rpc { code: -32002, message, .. }) => {
            return Err(Error::CliStartup { message: format!("the server rejected the connection token ({message})") })
        }
        Err(Error::Rpc { code: -32003, .. }) => {
            return Err(Error::InvalidConfig(
                "a connection token was given but the server was started without one".into(),
            ))
        }
        Err(e) => return Err(e),
    };
    let version = v.get("version").and_then(Value::as_str).map(str::to_owned);
    let protocol = v.get("protocolVersion").and_then(Value::as_u64);
    match protocol {
        Some(p) if (MIN_PROTOCOL_VERSION..=MAX_PROTOCOL_VERSION).contains(&p) => Ok((version, protocol)),
        other => Err(Error::ProtocolVersionMismatch { server: other, min: MIN_PROTOCOL_VERSION, max: MAX_PROTOCOL_VERSION }),
    }
}
