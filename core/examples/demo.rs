//! The README's demo: start the Copilot CLI, create a session, stream a reply, answer a
//! permission request with the approve-safety preset and run a tool defined here.
//!
//! With a GitHub token in the environment (COPILOT_GITHUB_TOKEN, GH_TOKEN or GITHUB_TOKEN)
//! it talks to GitHub. Without one it starts our offline stand-in for GitHub's services
//! (tests/standin/copilot_standin.py) and says so.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::Stdio;
use std::time::Duration;

use copilot_core::handler::PermissionPreset;
use copilot_core::{define_tool, Client, ClientOptions, EventData, SessionConfig, ToolResult};
use serde_json::json;
use tokio::io::{AsyncBufReadExt, BufReader};

fn repo_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).parent().expect("workspace root").to_path_buf()
}

async fn start_standin(home: &Path) -> Result<(tokio::process::Child, Vec<(String, String)>), Box<dyn std::error::Error>> {
    let root = repo_root();
    let mut child = tokio::process::Command::new("python3")
        .arg(root.join("tests/standin/copilot_standin.py"))
        .args(["--port", "0", "--log-level", "WARNING", "--scenario"])
        .arg(root.join("tests/scenarios/demo.json"))
        .stdout(Stdio::piped())
        .kill_on_drop(true)
        .spawn()?;
    let mut lines = BufReader::new(child.stdout.take().ok_or("no stdout")?).lines();
    let url = tokio::time::timeout(Duration::from_secs(20), async {
        while let Ok(Some(line)) = lines.next_line().await {
            if let Some(u) = line.strip_prefix("COPILOT_STANDIN_URL=") {
                return Some(u.trim().to_owned());
            }
        }
        None
    })
    .await?
    .ok_or("the stand-in did not start")?;
    let mut env = vec![
        ("COPILOT_API_URL".to_owned(), url.clone()),
        ("COPILOT_DEBUG_GITHUB_API_URL".to_owned(), url.clone()),
        ("COPILOT_MC_BASE_URL".to_owned(), format!("{url}/agents")),
    ];
    for (var, sub) in [("COPILOT_HOME", "copilot"), ("XDG_CONFIG_HOME", "config"), ("XDG_STATE_HOME", "state"),
        ("GH_CONFIG_DIR", "gh"), ("COPILOT_CACHE_HOME", "cache")]
    {
        let p = home.join(sub);
        std::fs::create_dir_all(&p)?;
        env.push((var.to_owned(), p.to_string_lossy().into_owned()));
    }
    println!("No GitHub token in the environment: using the offline stand-in for GitHub's services at {url}");
    Ok((child, env))
}

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let token = ["COPILOT_GITHUB_TOKEN", "GH_TOKEN", "GITHUB_TOKEN"]
        .iter()
        .find_map(|v| std::env::var(v).ok().filter(|t| !t.is_empty()).map(|t| (*v, t)));
    let home = std::env::temp_dir().join(format!("copilot-core-demo-{}", std::process::id()));
    let workdir = home.join("work");
    std::fs::create_dir_all(&workdir)?;

    let mut options = ClientOptions::new().with_cwd(&workdir);
    let _standin = match &token {
        Some((var, t)) => {
            println!("Using the GitHub token from ${var}: talking to GitHub.");
            options = options.with_github_token(t.clone());
            None
        }
        None => {
            let (child, env) = start_standin(&home).await?;
            options = options.with_env(env).with_github_token("demo-token");
            Some(child)
        }
    };

    let client = Client::start(options).await?;
    println!("Connected to Copilot CLI {} (protocol {:?})", client.server_version().unwrap_or("?"), client.protocol_version());

    let weather = define_tool(
        "get_weather",
        "Current weather for a city",
        json!({"type": "object", "properties": {"city": {"type": "string"}}, "required": ["city"]}),
        |inv| async move {
            let city = inv.arguments["city"].as_str().unwrap_or("somewhere").to_owned();
            println!("\n[tool] get_weather({city}) called by the agent");
            Ok(ToolResult::success(format!("sunny, 21°C in {city}")))
        },
    );
    let session = client
        .create_session(
            SessionConfig::new(&workdir)
                .with_streaming(true)
                .with_tool(weather)
                .with_permission_handler(PermissionPreset::ApproveSafety),
        )
        .await?;
    println!("Session {} created", session.id());

    let mut events = session.subscribe();
    session
        .send("What's the weather in Paris? Use the get_weather tool, then clean the ./build directory with a shell command.")
        .await?;
    loop {
        let event = tokio::time::timeout(Duration::from_secs(180), events.recv()).await??;
        match event.typed() {
            EventData::AssistantMessageDelta(d) => {
                print!("{}", d.delta_content);
                std::io::stdout().flush()?;
            }
            EventData::PermissionRequested(p) => {
                println!("\n[permission] {} requested", p.permission_request["kind"].as_str().unwrap_or("?"));
            }
            EventData::PermissionCompleted(p) => {
                println!("[permission] decision: {}", p.result["kind"].as_str().unwrap_or("?"));
            }
            EventData::ToolExecutionStart(t) => println!("\n[tool] {} started", t.tool_name),
            EventData::SessionError(e) => println!("\n[error] {}", e.message),
            EventData::SessionIdle(_) => break,
            _ => {}
        }
    }
    println!("\nDone.");
    session.disconnect().await?;
    client.stop().await?;
    let _ = std::fs::remove_dir_all(&home);
    Ok(())
}
