//! `CopilotClient`: one connection to one Copilot CLI server.

use std::sync::Arc;


use crate::error::{json_error, CopilotError};
use crate::runtime::RuntimeDropped;
use crate::session::CopilotSession;
use crate::types::{ClientOptions, ModelInfo, PingResponse, SessionConfig, SessionMetadata};

type Result<T, E = CopilotError> = std::result::Result<T, E>;

/// A connection to the Copilot CLI: spawned over stdio or TCP on desktop and JVM, or an
/// external server (`Transport.External`) on mobile.
///
/// Call `stop()` when done: it ends every session and shuts a spawned CLI down (an external
/// server keeps running). Releasing the object without `stop()` is safe but abrupt (a spawned
/// CLI is killed).
#[derive(uniffi::Object)]
pub struct CopilotClient {
    inner: RuntimeDropped<Inner>,
}

struct Inner {
    client: copilot_core::Client,
}

impl std::ops::Deref for Inner {
    type Target = copilot_core::Client;
    fn deref(&self) -> &copilot_core::Client {
        &self.client
    }
}

pub(crate) fn parse_params(params_json: Option<String>) -> Result<Option<serde_json::Value>> {
    params_json.map(|p| serde_json::from_str(&p).map_err(|e| json_error("params_json", e))).transpose()
}

#[uniffi::export(async_runtime = "tokio")]
impl CopilotClient {
    /// Starts (or connects to) the CLI and performs the protocol handshake.
    #[uniffi::constructor]
    pub async fn start(options: ClientOptions) -> Result<Arc<Self>> {
        let client = copilot_core::Client::start(options.into_core()).await?;
        Ok(Arc::new(CopilotClient { inner: RuntimeDropped::new(Inner { client }) }))
    }

    /// Creates a session.
    pub async fn create_session(&self, config: SessionConfig) -> Result<Arc<CopilotSession>> {
        Ok(CopilotSession::wrap(self.inner.create_session(config.into_core()?).await?))
    }

    /// Resumes a stored session (a cloud session too: leave `config.cloud` unset).
    #[uniffi::method(default(disable_resume = false))]
    pub async fn resume_session(
        &self,
        session_id: String,
        config: SessionConfig,
        disable_resume: bool,
    ) -> Result<Arc<CopilotSession>> {
        let core = copilot_core::ResumeSessionConfig::from_config(session_id, config.into_core()?)
            .with_disable_resume(disable_resume);
        Ok(CopilotSession::wrap(self.inner.resume_session(core).await?))
    }

    /// Stops the client: disconnects every session, then shuts a spawned CLI down and reaps
    /// it. On an external server it only disconnects: the server, which other apps may share,
    /// keeps running. Bounded and idempotent; always call it when done.
    pub async fn stop(&self) -> Result<()> {
        Ok(self.inner.stop().await?)
    }

    /// Kills a spawned CLI at once, without the shutdown handshake (on an external server:
    /// drops the connection).
    pub async fn force_stop(&self) {
        self.inner.force_stop().await
    }

    /// Stored sessions.
    pub async fn list_sessions(&self) -> Result<Vec<SessionMetadata>> {
        Ok(self.inner.list_sessions().await?.into_iter().map(Into::into).collect())
    }

    /// Metadata of one stored session (`null` when unknown).
    pub async fn get_session_metadata(&self, session_id: String) -> Result<Option<SessionMetadata>> {
        Ok(self.inner.get_session_metadata(&session_id).await?.map(Into::into))
    }

    /// Deletes a stored session.
    pub async fn delete_session(&self, session_id: String) -> Result<()> {
        Ok(self.inner.delete_session(&session_id).await?)
    }

    /// Id of the most recently used session.
    pub async fn get_last_session_id(&self) -> Result<Option<String>> {
        Ok(self.inner.get_last_session_id().await?)
    }

    /// Models available to the authenticated user.
    pub async fn list_models(&self) -> Result<Vec<ModelInfo>> {
        Ok(self.inner.list_models().await?.into_iter().map(Into::into).collect())
    }

    /// Health check.
    #[uniffi::method(default(message = None))]
    pub async fn ping(&self, message: Option<String>) -> Result<PingResponse> {
        let p = self.inner.ping(message.as_deref()).await?;
        Ok(PingResponse { message: p.message, protocol_version: p.protocol_version })
    }

    /// `auth.getStatus` as JSON (`{isAuthenticated, authType?, login?, ...}`).
    pub async fn auth_status_json(&self) -> Result<String> {
        Ok(self.inner.auth_status().await?.to_string())
    }

    /// Calls any CLI method; `params_json` is a JSON object, the result comes back as JSON.
    #[uniffi::method(default(params_json = None))]
    pub async fn call(&self, method: String, params_json: Option<String>) -> Result<String> {
        Ok(self.inner.call(&method, parse_params(params_json)?).await?.to_string())
    }

    /// The server's version string.
    pub fn server_version(&self) -> Option<String> {
        self.inner.server_version().map(str::to_owned)
    }

    /// The server's protocol version.
    pub fn protocol_version(&self) -> Option<u64> {
        self.inner.protocol_version()
    }

    /// Process id of the CLI when this client spawned it.
    pub fn cli_pid(&self) -> Option<u32> {
        self.inner.cli_pid()
    }

    /// Warnings about ignored options (for example remote sessions on an external server).
    pub fn warnings(&self) -> Vec<String> {
        self.inner.warnings().to_vec()
    }

    /// The last lines the CLI wrote to stderr (spawned CLI only).
    pub fn cli_stderr_tail(&self) -> String {
        self.inner.cli_stderr_tail()
    }
}
