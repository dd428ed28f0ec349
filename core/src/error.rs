//! The one error type of the SDK.
//!
//! Every fallible call returns [`Error`]. Bindings map its variants onto their own
//! surface (a Python exception hierarchy, a UniFFI error enum, C result codes), so the
//! variants are kept few and each answers a question a caller actually asks: can I
//! retry, is the CLI gone, was it my input, did GitHub refuse on policy grounds.

use std::time::Duration;

/// Convenience alias used throughout the crate.
pub type Result<T, E = Error> = std::result::Result<T, E>;

/// JSON-RPC error code: method not found.
pub const METHOD_NOT_FOUND: i64 = -32601;
/// JSON-RPC error code: internal error (the CLI uses it for most failures).
pub const INTERNAL_ERROR: i64 = -32603;

/// Everything that can go wrong when talking to the Copilot CLI.
#[derive(Debug, Clone, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// No Copilot CLI binary could be found.
    #[error("Copilot CLI not found ({searched}). Install it with `npm install -g @github/copilot@1.0.102`, set COPILOT_CLI_PATH, or pass ClientOptions::with_cli_path")]
    CliNotFound {
        /// Where the SDK looked.
        searched: String,
    },
    /// The CLI process could not be started or exited during start-up.
    #[error("Copilot CLI failed to start: {message}")]
    CliStartup {
        /// What happened, including the tail of the CLI's stderr when available.
        message: String,
    },
    /// The server speaks a protocol version this SDK does not support.
    #[error("protocol version mismatch: server speaks {server:?}, this SDK supports {min}..={max}")]
    ProtocolVersionMismatch {
        /// Version the server reported (None when it reported none).
        server: Option<u64>,
        /// Lowest supported version.
        min: u64,
        /// Highest supported version.
        max: u64,
    },
    /// The byte stream from the server broke the framing or JSON-RPC rules.
    #[error("protocol error: {0}")]
    Protocol(String),
    /// The server answered a request with a JSON-RPC error.
    #[error("{method} failed ({code}): {message}")]
    Rpc {
        /// Method that failed.
        method: String,
        /// JSON-RPC error code.
        code: i64,
        /// Message from the server.
        message: String,
        /// `error.data`, when the server sent any.
        data: Option<serde_json::Value>,
    },
    /// Mission Control refused the operation because of an organisation or user policy
    /// (for example cloud sandboxes are disabled). Never retried.
    #[error("blocked by policy: {message}")]
    PolicyBlocked {
        /// The server's message.
        message: String,
    },
    /// The connection to the CLI is gone (process exited, socket closed, client stopped
    /// while the call was pending). Every pending call fails with this at once.
    #[error("connection to the Copilot CLI lost: {reason}")]
    ConnectionLost {
        /// Why, as far as the SDK knows.
        reason: String,
    },
    /// The client was stopped; start a new one.
    #[error("the client is stopped")]
    ClientStopped,
    /// The session was disconnected or is unknown to the server.
    #[error("session {session_id} is closed")]
    SessionClosed {
        /// The session.
        session_id: String,
    },
    /// The agent reported a `session.error` while the SDK was waiting for the turn.
    #[error("session error ({error_type}): {message}")]
    Session {
        /// `errorType` of the event (`query`, `model_call`, ...).
        error_type: String,
        /// `message` of the event.
        message: String,
        /// HTTP status of the failed upstream call, when there was one.
        status_code: Option<u16>,
    },
    /// An operation did not finish in time.
    #[error("timed out after {after:?} waiting for {what}")]
    Timeout {
        /// What was being waited for.
        what: String,
        /// The bound that expired.
        after: Duration,
    },
    /// The caller passed options or a configuration the SDK cannot use.
    #[error("invalid configuration: {0}")]
    InvalidConfig(String),
    /// A user-supplied handler failed.
    #[error("handler failed: {0}")]
    Handler(String),
    /// An I/O error (stringified so that the error stays `Clone`).
    #[error("I/O error: {0}")]
    Io(String),
    /// A JSON (de)serialization error.
    #[error("JSON error: {0}")]
    Json(String),
}

impl Error {
    /// True when the CLI connection is gone: the caller needs a new client.
    pub fn is_connection_lost(&self) -> bool {
        matches!(self, Error::ConnectionLost { .. } | Error::ClientStopped)
    }

    /// JSON-RPC error code, when the server answered with an error.
    pub fn rpc_code(&self) -> Option<i64> {
        match self {
            Error::Rpc { code, .. } => Some(*code),
            _ => None,
        }
    }

    /// A stable, lower-case name for the variant (used by bindings and logs).
    pub fn kind_name(&self) -> &'static str {
        match self {
            Error::CliNotFound { .. } => "cli_not_found",
            Error::CliStartup { .. } => "cli_startup",
            Error::ProtocolVersionMismatch { .. } => "protocol_version_mismatch",
            Error::Protocol(_) => "protocol",
            Error::Rpc { .. } => "rpc",
            Error::PolicyBlocked { .. } => "policy_blocked",
            Error::ConnectionLost { .. } => "connection_lost",
            Error::ClientStopped => "client_stopped",
            Error::SessionClosed { .. } => "session_closed",
            Error::Session { .. } => "session",
            Error::Timeout { .. } => "timeout",
            Error::InvalidConfig(_) => "invalid_config",
            Error::Handler(_) => "handler",
            Error::Io(_) => "io",
            Error::Json(_) => "json",
        }
    }

    /// Classifies a JSON-RPC error from the server. Mission Control policy refusals become
    /// [`Error::PolicyBlocked`]: by `error.data.reason` when the server sends one, else by
    /// the message (CLI 1.0.102 sends no `data`).
    pub(crate) fn from_rpc(method: &str, code: i64, message: String, data: Option<serde_json::Value>) -> Error {
        let reason = data
            .as_ref()
            .and_then(|d| d.get("reason"))
            .and_then(|r| r.as_str())
            .map(str::to_owned);
        if reason.as_deref() == Some("policy_blocked") || is_policy_message(&message) {
            return Error::PolicyBlocked { message };
        }
        Error::Rpc { method: method.to_owned(), code, message, data }
    }
}

fn is_policy_message(message: &str) -> bool {
    let m = message.to_ascii_lowercase();
    m.contains("policy_blocked")
        || m.contains("cloud sandboxes are not enabled")
        || m.contains("sandbox sessions are not enabled")
        || m.contains("blocked by policy")
        || m.contains("disabled by your organization")
}

impl From<std::io::Error> for Error {
    fn from(e: std::io::Error) -> Self {
        Error::Io(e.to_string())
    }
}

impl From<serde_json::Error> for Error {
    fn from(e: serde_json::Error) -> Self {
        Error::Json(e.to_string())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn policy_messages_are_classified() {
        let e = Error::from_rpc(
            "session.create",
            INTERNAL_ERROR,
            "Request session.create failed with message: Cloud sandboxes are not enabled. Contact your administrator to enable them.".into(),
            None,
        );
        assert!(matches!(e, Error::PolicyBlocked { .. }), "{e:?}");
        let e = Error::from_rpc("x", -1, "other".into(), Some(serde_json::json!({"reason": "policy_blocked"})));
        assert!(matches!(e, Error::PolicyBlocked { .. }));
        let e = Error::from_rpc("x", -32603, "Mission Control down".into(), None);
        assert_eq!(e.rpc_code(), Some(-32603));
    }
}
