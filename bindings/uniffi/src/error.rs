//! The one error type of the binding: Kotlin `CopilotException`, Swift `CopilotError`.
//!
//! One case per core error variant. Every case carries `detail`, the full human-readable
//! message (Kotlin and Swift reserve `message` for their own use), plus the variant's
//! structured fields so callers can branch without parsing text. `kind_name()` gives the
//! stable lower-case name the core uses in every binding (`session`, `policy_blocked`, ...).

use copilot_core::Error as CoreError;

/// Everything that can go wrong, as one error type with cases.
#[derive(Debug, Clone, thiserror::Error, uniffi::Error)]
pub enum CopilotError {
    /// No Copilot CLI binary was found (never raised for an external server).
    #[error("{detail}")]
    CliNotFound {
        /// Full message, including where the SDK looked.
        detail: String,
    },
    /// The CLI failed to start or rejected the connection token.
    #[error("{detail}")]
    CliStartup {
        /// Full message, including the tail of the CLI's stderr.
        detail: String,
    },
    /// The server speaks an unsupported protocol version.
    #[error("{detail}")]
    ProtocolVersionMismatch {
        /// Full message.
        detail: String,
        /// Version the server reported.
        server: Option<u64>,
        /// Lowest supported version.
        min: u64,
        /// Highest supported version.
        max: u64,
    },
    /// The server broke the framing or JSON-RPC rules.
    #[error("{detail}")]
    Protocol {
        /// Full message.
        detail: String,
    },
    /// The server answered with a JSON-RPC error.
    #[error("{detail}")]
    Rpc {
        /// Full message.
        detail: String,
        /// The method that failed.
        method: String,
        /// JSON-RPC error code.
        code: i64,
        /// `error.data` as JSON, when the server sent any.
        data_json: Option<String>,
    },
    /// Refused by an organisation or user policy (for example cloud sandboxes disabled).
    #[error("{detail}")]
    PolicyBlocked {
        /// Full message.
        detail: String,
    },
    /// The connection to the CLI is gone; start a new client.
    #[error("{detail}")]
    ConnectionLost {
        /// Full message, with the reason.
        detail: String,
    },
    /// The client was stopped.
    #[error("{detail}")]
    ClientStopped {
        /// Full message.
        detail: String,
    },
    /// The session was disconnected or is unknown to the server.
    #[error("{detail}")]
    SessionClosed {
        /// Full message.
        detail: String,
        /// The session.
        session_id: String,
    },
    /// The agent's turn ended in `session.error`.
    #[error("{detail}")]
    Session {
        /// Full message.
        detail: String,
        /// `errorType` of the event (`query`, `model_call`, ...).
        error_type: String,
        /// The event's own message.
        error_message: String,
        /// HTTP status of the failed upstream call, when there was one.
        status_code: Option<u16>,
    },
    /// An operation did not finish in time.
    #[error("{detail}")]
    Timeout {
        /// Full message.
        detail: String,
        /// What was being waited for.
        what: String,
        /// The bound that expired, in milliseconds.
        after_ms: u64,
    },
    /// Options or a configuration the SDK cannot use.
    #[error("{detail}")]
    InvalidConfig {
        /// Full message.
        detail: String,
    },
    /// A handler failed. Throw this from a Kotlin or Swift handler to report a failure; any
    /// other exception a handler throws arrives in Rust as this case too.
    #[error("{detail}")]
    Handler {
        /// Full message.
        detail: String,
    },
    /// An I/O error.
    #[error("{detail}")]
    Io {
        /// Full message.
        detail: String,
    },
    /// A JSON (de)serialisation error, including malformed JSON passed in a `*_json` field.
    #[error("{detail}")]
    Json {
        /// Full message.
        detail: String,
    },
    /// A core error this binding version does not know by name.
    #[error("{detail}")]
    Other {
        /// Full message.
        detail: String,
        /// The core's kind name.
        kind: String,
    },
}

#[uniffi::export]
impl CopilotError {
    /// The stable lower-case name of the case, the same in every binding
    /// (`cli_not_found`, `session`, `policy_blocked`, ...).
    pub fn kind_name(&self) -> String {
        match self {
            CopilotError::CliNotFound { .. } => "cli_not_found",
            CopilotError::CliStartup { .. } => "cli_startup",
            CopilotError::ProtocolVersionMismatch { .. } => "protocol_version_mismatch",
            CopilotError::Protocol { .. } => "protocol",
            CopilotError::Rpc { .. } => "rpc",
            CopilotError::PolicyBlocked { .. } => "policy_blocked",
            CopilotError::ConnectionLost { .. } => "connection_lost",
            CopilotError::ClientStopped { .. } => "client_stopped",
            CopilotError::SessionClosed { .. } => "session_closed",
            CopilotError::Session { .. } => "session",
            CopilotError::Timeout { .. } => "timeout",
            CopilotError::InvalidConfig { .. } => "invalid_config",
            CopilotError::Handler { .. } => "handler",
            CopilotError::Io { .. } => "io",
            CopilotError::Json { .. } => "json",
            CopilotError::Other { kind, .. } => return kind.clone(),
        }
        .to_owned()
    }

    /// The full human-readable message.
    pub fn detail(&self) -> String {
        self.to_string()
    }

    /// True when the CLI connection is gone and a new client is needed.
    pub fn is_connection_lost(&self) -> bool {
        matches!(self, CopilotError::ConnectionLost { .. } | CopilotError::ClientStopped { .. })
    }
}

impl CopilotError {
    pub(crate) fn invalid(detail: impl Into<String>) -> Self {
        CopilotError::InvalidConfig { detail: detail.into() }
    }
}

impl From<CoreError> for CopilotError {
    fn from(e: CoreError) -> Self {
        let detail = e.to_string();
        match e {
            CoreError::CliNotFound { .. } => CopilotError::CliNotFound { detail },
            CoreError::CliStartup { .. } => CopilotError::CliStartup { detail },
            CoreError::ProtocolVersionMismatch { server, min, max } => {
                CopilotError::ProtocolVersionMismatch { detail, server, min, max }
            }
            CoreError::Protocol(_) => CopilotError::Protocol { detail },
            CoreError::Rpc { method, code, data, .. } => {
                CopilotError::Rpc { detail, method, code, data_json: data.map(|d| d.to_string()) }
            }
            CoreError::PolicyBlocked { .. } => CopilotError::PolicyBlocked { detail },
            CoreError::ConnectionLost { .. } => CopilotError::ConnectionLost { detail },
            CoreError::ClientStopped => CopilotError::ClientStopped { detail },
            CoreError::SessionClosed { session_id } => CopilotError::SessionClosed { detail, session_id },
            CoreError::Session { error_type, message, status_code } => {
                CopilotError::Session { detail, error_type, error_message: message, status_code }
            }
            CoreError::Timeout { what, after } => {
                CopilotError::Timeout { detail, what, after_ms: u64::try_from(after.as_millis()).unwrap_or(u64::MAX) }
            }
            CoreError::InvalidConfig(_) => CopilotError::InvalidConfig { detail },
            CoreError::Handler(_) => CopilotError::Handler { detail },
            CoreError::Io(_) => CopilotError::Io { detail },
            CoreError::Json(_) => CopilotError::Json { detail },
            other => CopilotError::Other { kind: other.kind_name().to_owned(), detail },
        }
    }
}

/// How a handler's failure reaches the core: the core turns it into the answer the CLI
/// expects (a failed tool result, a "user not available" permission decision).
impl From<CopilotError> for CoreError {
    fn from(e: CopilotError) -> Self {
        CoreError::Handler(e.to_string())
    }
}

/// A Kotlin or Swift handler threw something other than `CopilotError`.
impl From<uniffi::UnexpectedUniFFICallbackError> for CopilotError {
    fn from(e: uniffi::UnexpectedUniFFICallbackError) -> Self {
        CopilotError::Handler { detail: format!("the handler threw: {}", e.reason) }
    }
}

pub(crate) fn json_error(what: &str, e: serde_json::Error) -> CopilotError {
    CopilotError::Json { detail: format!("{what}: {e}") }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Duration;

    #[test]
    fn core_errors_keep_their_fields_and_kind_names() {
        let e: CopilotError = CoreError::Session {
            error_type: "query".into(),
            message: "boom".into(),
            status_code: Some(400),
        }
        .into();
        assert_eq!(e.kind_name(), "session");
        assert!(matches!(&e, CopilotError::Session { status_code: Some(400), error_message, .. } if error_message == "boom"));
        assert!(e.detail().contains("boom"));
        let e: CopilotError = CoreError::Timeout { what: "x".into(), after: Duration::from_millis(1500) }.into();
        assert!(matches!(e, CopilotError::Timeout { after_ms: 1500, .. }));
        let e: CopilotError = CoreError::ClientStopped.into();
        assert!(e.is_connection_lost());
        assert_eq!(e.kind_name(), CoreError::ClientStopped.kind_name());
    }
}
