//! Finding, spawning and connecting to the Copilot CLI.

use std::collections::VecDeque;
use std::path::{Path, PathBuf};
use std::process::Stdio;
use std::sync::Arc;
use std::time::Duration;

use parking_lot::Mutex;
use tokio::io::{AsyncBufReadExt, AsyncRead, AsyncWrite, BufReader};
use tokio::process::{Child, Command};

use crate::error::{Error, Result};
use crate::types::{ClientOptions, Transport};

/// The CLI version this SDK is built and tested against.
pub const PINNED_CLI_VERSION: &str = "1.0.102";
/// Environment variable that carries the GitHub token to the CLI (named by `--auth-token-env`).
pub const AUTH_TOKEN_ENV: &str = "COPILOT_SDK_AUTH_TOKEN";

/// Locates the CLI: explicit option > `COPILOT_CLI_PATH` > our pinned install
/// (`.tools/cli-<version>` of this repository or of the current directory's ancestors) >
/// `copilot` on `PATH`.
pub fn find_cli(explicit: Option<&Path>) -> Result<PathBuf> {
    let mut searched = Vec::new();
    if let Some(p) = explicit {
        if is_executable(p) {
            return Ok(p.to_path_buf());
        }
        return Err(Error::CliNotFound { searched: format!("explicit path {} is not an executable file", p.display()) });
    }
    if let Some(p) = std::env::var_os("COPILOT_CLI_PATH").filter(|p| !p.is_empty()) {
        let p = PathBuf::from(p);
        if is_executable(&p) {
            return Ok(p);
        }
        return Err(Error::CliNotFound { searched: format!("COPILOT_CLI_PATH={} is not an executable file", p.display()) });
    }
    let rel = format!(".tools/cli-{PINNED_CLI_VERSION}/node_modules/@github/copilot-linux-x64/copilot");
    let mut roots: Vec<PathBuf> = Vec::new();
    if let Ok(cwd) = std::env::current_dir() {
        roots.extend(cwd.ancestors().map(Path::to_path_buf));
    }
    roots.extend(Path::new(env!("CARGO_MANIFEST_DIR")).ancestors().map(Path::to_path_buf));
    for root in roots {
        let p = root.join(&rel);
        if is_executable(&p) {
            return Ok(p);
        }
    }
    searched.push("COPILOT_CLI_PATH (unset)".to_owned());
    searched.push(format!("pinned install {rel}"));
    if let Some(path) = std::env::var_os("PATH") {
        for dir in std::env::split_paths(&path) {
            let p = dir.join("copilot");
            if is_executable(&p) {
                return Ok(p);
            }
        }
    }
    searched.push("`copilot` on PATH".to_owned());
    Err(Error::CliNotFound { searched: format!("looked at {}", searched.join(", ")) })
}

fn is_executable(p: &Path) -> bool {
    use std::os::unix::fs::PermissionsExt;
    std::fs::metadata(p).map(|m| m.is_file() && m.permissions().mode() & 0o111 != 0).unwrap_or(false)
}

/// Last lines of the CLI's stderr, kept for error messages. The GitHub token and the
/// connection token are replaced by `<redacted>` as lines arrive: a CLI (or a wrapper
/// script) that prints its environment must not leak them into `CliStartup` errors or
/// `Client::cli_stderr_tail`.
#[derive(Debug, Default, Clone)]
pub(crate) struct StderrTail(Arc<Mutex<VecDeque<String>>>, Arc<Vec<String>>, Arc<tokio::sync::watch::Sender<bool>>);

impl StderrTail {
    fn with_secrets(secrets: impl IntoIterator<Item = String>) -> Self {
        let secrets = secrets.into_iter().filter(|s| !s.is_empty()).collect();
        StderrTail(Arc::default(), Arc::new(secrets), Arc::default())
    }

    /// Waits (up to `bound`) until the CLI's stderr reached end-of-file, so that an error
    /// about a CLI that just exited quotes everything it wrote.
    pub(crate) async fn settled(&self, bound: Duration) -> &Self {
        let mut rx = self.2.subscribe();
        let _ = tokio::time::timeout(bound, rx.wait_for(|done| *done)).await;
        self
    }

    fn push(&self, mut line: String) {
        for secret in self.1.iter() {
            if line.contains(secret.as_str()) {
                line = line.replace(secret.as_str(), "<redacted>");
            }
        }
        let mut q = self.0.lock();
        if q.len() >= 40 {
            q.pop_front();
        }
        q.push_back(line);
    }
    pub(crate) fn text(&self) -> String {
        self.0.lock().iter().cloned().collect::<Vec<_>>().join("\n")
    }
}

/// The two halves of a live transport plus the child process, if we own it.
pub(crate) struct Established {
    pub reader: Box<dyn AsyncRead + Unpin + Send>,
    pub writer: Box<dyn AsyncWrite + Unpin + Send>,
    pub child: Option<Child>,
    pub stderr: StderrTail,
    pub connection_token: Option<String>,
    pub warnings: Vec<String>,
}

fn redact(args: &[String]) -> String {
    args.join(" ")
}

/// Builds the command line (never containing a secret).
pub(crate) fn build_args(opts: &ClientOptions, port: Option<u16>) -> Vec<String> {
    let mut args = vec!["--server".to_owned()];
    match port {
        None => args.push("--stdio".into()),
        Some(p) => {
            args.push("--port".into());
            args.push(p.to_string());
        }
    }
    args.push("--no-auto-update".into());
    if let Some(l) = &opts.log_level {
        args.push("--log-level".into());
        args.push(l.clone());
    }
    if opts.github_token.is_some() {
        args.push("--auth-token-env".into());
        args.push(AUTH_TOKEN_ENV.into());
    }
    let logged_in = opts.use_logged_in_user.unwrap_or(opts.github_token.is_none());
    if !logged_in {
        args.push("--no-auto-login".into());
    }
    if let Some(s) = opts.session_idle_timeout_seconds.filter(|s| *s > 0) {
        args.push("--session-idle-timeout".into());
        args.push(s.to_string());
    }
    if opts.enable_remote_sessions {
        args.push("--remote".into());
    }
    args.extend(opts.extra_args.iter().cloned());
    args
}

fn command(cli: &Path, opts: &ClientOptions, args: &[String], token: Option<&str>) -> Command {
    let mut cmd = Command::new(cli);
    cmd.args(args);
    if let Some(cwd) = &opts.cwd {
        cmd.current_dir(cwd);
    }
    for name in &opts.env_remove {
        cmd.env_remove(name);
    }
    for (k, v) in &opts.env {
        cmd.env(k, v);
    }
    if let Some(t) = &opts.github_token {
        cmd.env(AUTH_TOKEN_ENV, t);
    }
    if let Some(dir) = &opts.base_directory {
        cmd.env("COPILOT_HOME", dir);
    }
    if let Some(t) = token {
        cmd.env("COPILOT_CONNECTION_TOKEN", t);
    }
    cmd.stderr(Stdio::piped()).kill_on_drop(true);
    cmd
}

fn drain_stderr(child: &mut Child, opts: &ClientOptions, connection_token: Option<&str>) -> StderrTail {
    let secrets = opts.github_token.iter().cloned().chain(connection_token.map(str::to_owned));
    let tail = StderrTail::with_secrets(secrets);
    if let Some(err) = child.stderr.take() {
        let t = tail.clone();
        tokio::spawn(async move {
            let mut lines = BufReader::new(err).lines();
            while let Ok(Some(line)) = lines.next_line().await {
                t.push(line);
            }
            t.2.send_replace(true);
        });
    }
    tail
}

fn new_token() -> String {
    uuid::Uuid::new_v4().simple().to_string()
}

/// Spawns or connects according to `opts.transport`.
pub(crate) async fn establish(opts: &ClientOptions) -> Result<Established> {
    match &opts.transport {
        Transport::Stdio => {
            let cli = find_cli(opts.cli_path.as_deref())?;
            let args = build_args(opts, None);
            let mut cmd = command(&cli, opts, &args, None);
            cmd.stdin(Stdio::piped()).stdout(Stdio::piped());
            let mut child = cmd.spawn().map_err(|e| Error::CliStartup {
                message: format!("could not run {} {}: {e}", cli.display(), redact(&args)),
            })?;
            let stderr = drain_stderr(&mut child, opts, None);
            let stdout = child.stdout.take().ok_or_else(|| Error::CliStartup { message: "no stdout pipe".into() })?;
            let stdin = child.stdin.take().ok_or_else(|| Error::CliStartup { message: "no stdin pipe".into() })?;
            Ok(Established {
                reader: Box::new(stdout),
                writer: Box::new(stdin),
                child: Some(child),
                stderr,
                connection_token: None,
                warnings: Vec::new(),
            })
        }
        Transport::Tcp { port, connection_token } => {
            let cli = find_cli(opts.cli_path.as_deref())?;
            let token = connection_token.clone().unwrap_or_else(new_token);
            let args = build_args(opts, Some(*port));
            let mut cmd = command(&cli, opts, &args, Some(&token));
            cmd.stdin(Stdio::null()).stdout(Stdio::piped());
            let mut child = cmd.spawn().map_err(|e| Error::CliStartup {
                message: format!("could not run {} {}: {e}", cli.display(), redact(&args)),
            })?;
            let stderr = drain_stderr(&mut child, opts, Some(&token));
            let stdout = child.stdout.take().ok_or_else(|| Error::CliStartup { message: "no stdout pipe".into() })?;
            let port = read_port(stdout, opts.startup_timeout, &stderr).await?;
            let stream = tokio::net::TcpStream::connect(("127.0.0.1", port)).await?;
            stream.set_nodelay(true).ok();
            let (r, w) = stream.into_split();
            Ok(Established {
                reader: Box::new(r),
                writer: Box::new(w),
                child: Some(child),
                stderr,
                connection_token: Some(token),
                warnings: Vec::new(),
            })
        }
        Transport::External { host, port, connection_token } => {
            let mut warnings = Vec::new();
            if opts.enable_remote_sessions {
                warnings.push(
                    "enable_remote_sessions has no effect on an external server; use SessionConfig::with_remote_session or session.rpc().remote().enable()".to_owned(),
                );
            }
            if opts.github_token.is_some() {
                warnings.push("github_token is not passed to an external server; configure the server itself".to_owned());
            }
            let stream = tokio::time::timeout(opts.startup_timeout, tokio::net::TcpStream::connect((host.as_str(), *port)))
                .await
                .map_err(|_| Error::Timeout { what: format!("TCP connect to {host}:{port}"), after: opts.startup_timeout })?
                .map_err(|e| Error::CliStartup { message: format!("could not connect to {host}:{port}: {e}") })?;
            stream.set_nodelay(true).ok();
            let (r, w) = stream.into_split();
            Ok(Established {
                reader: Box::new(r),
                writer: Box::new(w),
                child: None,
                stderr: StderrTail::default(),
                connection_token: connection_token.clone(),
                warnings,
            })
        }
    }
}

async fn read_port(stdout: tokio::process::ChildStdout, timeout: Duration, stderr: &StderrTail) -> Result<u16> {
    let mut lines = BufReader::new(stdout).lines();
    let find = async {
        while let Ok(Some(line)) = lines.next_line().await {
            if let Some(rest) = line.split("listening on port ").nth(1) {
                let digits: String = rest.chars().take_while(char::is_ascii_digit).collect();
                if let Ok(p) = digits.parse::<u16>() {
                    return Some((p, lines));
                }
            }
        }
        None
    };
    match tokio::time::timeout(timeout, find).await {
        Ok(Some((p, mut rest))) => {
            // Keep draining stdout so the child never blocks on a full pipe.
            tokio::spawn(async move { while let Ok(Some(_)) = rest.next_line().await {} });
            Ok(p)
        }
        Ok(None) => Err(Error::CliStartup {
            message: format!(
                "the CLI exited before listening on a port; stderr:\n{}",
                stderr.settled(Duration::from_millis(500)).await.text()
            ),
        }),
        Err(_) => Err(Error::Timeout { what: "the CLI to report its TCP port".into(), after: timeout }),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stderr_tail_redacts_secrets() {
        let tail = StderrTail::with_secrets(["ghp_secret".to_owned(), "conn-token".to_owned(), String::new()]);
        tail.push("COPILOT_SDK_AUTH_TOKEN=ghp_secret".to_owned());
        tail.push("COPILOT_CONNECTION_TOKEN=conn-token and ghp_secret again".to_owned());
        tail.push("plain line".to_owned());
        assert_eq!(
            tail.text(),
            "COPILOT_SDK_AUTH_TOKEN=<redacted>\nCOPILOT_CONNECTION_TOKEN=<redacted> and <redacted> again\nplain line"
        );
    }

    #[test]
    fn token_never_in_argv() {
        let opts = ClientOptions::new().with_github_token("ghp_secret").with_enable_remote_sessions(true);
        let args = build_args(&opts, None);
        assert!(!args.iter().any(|a| a.contains("ghp_secret")));
        assert!(args.contains(&"--auth-token-env".to_owned()));
        assert!(args.contains(&"--no-auto-login".to_owned()));
        assert!(args.contains(&"--remote".to_owned()));
    }

    #[test]
    fn explicit_missing_cli_is_a_clear_error() {
        let err = find_cli(Some(Path::new("/nonexistent/copilot"))).expect_err("missing");
        let text = err.to_string();
        assert!(matches!(err, Error::CliNotFound { .. }));
        assert!(text.contains("npm install"), "{text}");
    }
}
