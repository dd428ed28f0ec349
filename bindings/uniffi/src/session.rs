//! `CopilotSession`: one conversation with the agent, plus its `rpc().remote()` namespace.

use std::sync::Arc;
use std::time::Duration;

use crate::client::parse_params;
use crate::error::CopilotError;
use crate::events::{spawn_listener, EventStream, SessionEvent, SessionEventListener, TaskHandle};
use crate::runtime::RuntimeDropped;
use crate::types::{message, RemoteEnableResult, RemoteSessionMode, SendOptions};

type Result<T, E = CopilotError> = std::result::Result<T, E>;

/// A session. Call `disconnect()` when done with it (`CopilotClient.stop()` disconnects
/// every session too).
#[derive(uniffi::Object)]
pub struct CopilotSession {
    inner: RuntimeDropped<copilot_core::Session>,
}

impl CopilotSession {
    pub(crate) fn wrap(session: copilot_core::Session) -> Arc<Self> {
        Arc::new(CopilotSession { inner: RuntimeDropped::new(session) })
    }
}

#[uniffi::export(async_runtime = "tokio")]
impl CopilotSession {
    /// The session id.
    pub fn id(&self) -> String {
        self.inner.id().to_owned()
    }

    /// The session's workspace directory on the CLI's machine, when it has one.
    pub fn workspace_path(&self) -> Option<String> {
        self.inner.workspace_path()
    }

    /// True for a session running on GitHub-hosted compute.
    pub fn is_cloud(&self) -> bool {
        self.inner.is_cloud()
    }

    /// Whether the session can take a prompt: always for local sessions, for cloud
    /// sessions once the cloud agent has started.
    pub fn is_ready(&self) -> bool {
        self.inner.is_ready()
    }

    /// Waits until the session can take a prompt (a cloud session's agent has started).
    pub async fn wait_until_ready(&self, timeout_ms: u64) -> Result<()> {
        Ok(self.inner.wait_until_ready(Duration::from_millis(timeout_ms)).await?)
    }

    /// Subscribes to this session's events, to be pulled in batches with
    /// `EventStream.nextBatch(max)` (the fast path: one call per batch, not per event; the
    /// Kotlin `events()` Flow and Swift `events()` AsyncStream use it). Events queue from this
    /// call on; events that arrived before the first subscriber (during create) come first.
    pub fn event_stream(&self) -> Arc<EventStream> {
        EventStream::new(self.inner.subscribe())
    }

    /// Streams this session's events to `listener` until the session closes or the returned
    /// handle is cancelled. Events that arrived before the first subscriber (during create)
    /// are delivered first.
    pub fn subscribe(&self, listener: Arc<dyn SessionEventListener>) -> Arc<TaskHandle> {
        spawn_listener(self.inner.subscribe(), listener)
    }

    /// Sends a prompt; returns the message id. The reply arrives as events. On a cloud
    /// session the first send waits for the cloud agent.
    #[uniffi::method(default(options = None))]
    pub async fn send(&self, prompt: String, options: Option<SendOptions>) -> Result<String> {
        Ok(self.inner.send(message(prompt, options)?).await?)
    }

    /// Sends a prompt and waits for the turn to end; returns the last `assistant.message`
    /// (null when the turn had none). A turn that ends in `session.error` throws the
    /// `Session` case; the wait is bounded by `options.timeout_ms` (default 60 s).
    #[uniffi::method(default(options = None))]
    pub async fn send_and_wait(&self, prompt: String, options: Option<SendOptions>) -> Result<Option<SessionEvent>> {
        let ev = self.inner.send_and_wait(message(prompt, options)?).await?;
        Ok(ev.as_ref().map(SessionEvent::from))
    }

    /// Aborts the running turn.
    pub async fn abort(&self) -> Result<()> {
        Ok(self.inner.abort().await?)
    }

    /// Switches the model.
    pub async fn set_model(&self, model: String) -> Result<()> {
        self.inner.set_model(&model).await.map(|_| ())?;
        Ok(())
    }

    /// The session's persisted events.
    pub async fn get_messages(&self) -> Result<Vec<SessionEvent>> {
        Ok(self.inner.get_messages().await?.iter().map(SessionEvent::from).collect())
    }

    /// Unloads the session from the server (it can be resumed later) and ends every
    /// listener. Idempotent.
    pub async fn disconnect(&self) -> Result<()> {
        Ok(self.inner.disconnect().await?)
    }

    /// Disconnects and deletes the session's stored state.
    pub async fn delete(&self) -> Result<()> {
        Ok(self.inner.delete().await?)
    }

    /// Calls a session-scoped method (`sessionId` is added); JSON in, JSON out.
    #[uniffi::method(default(params_json = None))]
    pub async fn call(&self, method: String, params_json: Option<String>) -> Result<String> {
        Ok(self.inner.call(&method, parse_params(params_json)?).await?.to_string())
    }

    /// Session RPC namespaces: `rpc().remote().enable()`.
    pub fn rpc(&self) -> Arc<SessionRpc> {
        Arc::new(SessionRpc { session: RuntimeDropped::new((*self.inner).clone()) })
    }

    /// The Mission Control URL, once known. The CLI announces it once; the session keeps it.
    pub fn remote_url(&self) -> Option<String> {
        self.inner.remote_url()
    }

    /// Whether the session is currently steerable from GitHub web or mobile.
    pub fn remote_steerable(&self) -> bool {
        self.inner.remote_steerable()
    }

    /// The remote URL as an SVG QR code (a phone camera opens the session).
    pub fn remote_qr_svg(&self) -> Result<String> {
        Ok(self.inner.remote_qr_svg()?)
    }

    /// The remote URL as a terminal QR code (Unicode half blocks).
    pub fn remote_qr_text(&self) -> Result<String> {
        Ok(self.inner.remote_qr_text()?)
    }
}

/// `session.rpc()`: typed session RPC namespaces.
#[derive(uniffi::Object)]
pub struct SessionRpc {
    session: RuntimeDropped<copilot_core::Session>,
}

#[uniffi::export(async_runtime = "tokio")]
impl SessionRpc {
    /// `session.remote.*`: share the session to GitHub web and mobile.
    pub fn remote(&self) -> Arc<RemoteRpc> {
        Arc::new(RemoteRpc { session: RuntimeDropped::new((*self.session).clone()) })
    }

    /// Any session-scoped method; JSON in, JSON out.
    #[uniffi::method(default(params_json = None))]
    pub async fn call(&self, method: String, params_json: Option<String>) -> Result<String> {
        Ok(self.session.rpc().call(&method, parse_params(params_json)?).await?.to_string())
    }
}

/// `session.rpc().remote()`.
#[derive(uniffi::Object)]
pub struct RemoteRpc {
    session: RuntimeDropped<copilot_core::Session>,
}

#[uniffi::export(async_runtime = "tokio")]
impl RemoteRpc {
    /// Starts remote access (export plus steering) and returns the URL; the session keeps
    /// it (`remoteUrl()`, `remoteQrSvg()`).
    #[uniffi::method(default(mode = None))]
    pub async fn enable(&self, mode: Option<RemoteSessionMode>) -> Result<RemoteEnableResult> {
        Ok(self.session.rpc().remote().enable_with_mode(mode.map(Into::into)).await?.into())
    }

    /// Stops remote steering (the URL stays known).
    pub async fn disable(&self) -> Result<()> {
        Ok(self.session.rpc().remote().disable().await?)
    }
}
