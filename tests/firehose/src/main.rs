//! copilot-firehose: a load generator for SDK clients.
//!
//! This is NOT the Copilot CLI. It is a scripted JSON-RPC peer that speaks just enough of the
//! CLI's protocol (v3) for a client to `connect`, create sessions and `send`, and then answers
//! every `session.send` with N `session.event` notifications carrying realistic
//! `assistant.message_delta` payloads, followed by `session.idle`. The real CLI cannot emit
//! millions of events on demand; this peer exists for benchmarks and load tests only.
//!
//! It behaves like a CLI binary so that any SDK can be pointed at it as its "CLI path": it
//! ignores its arguments except `--port N` (TCP, prints `CLI server listening on port N`),
//! otherwise it serves stdio.
//!
//! Environment:
//! - `FIREHOSE_EVENTS` (default 100000): delta events per `session.send`.
//! - `FIREHOSE_DELTA_BYTES` (default 40): size of each `deltaContent`.
//! - `FIREHOSE_RATE` (default 0 = as fast as possible): events per second per send.
//! - `FIREHOSE_PROTOCOL_VERSION` (default 3): what `connect` reports.
//!
//! Each delta's `data` carries `seq` (0-based, per send) and `sentAtNs` (wall clock when the
//! frame was written), so consumers can check order and measure latency. With a rate set,
//! `deltaContent` also starts with `<sentAtNs>|`.

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use serde_json::{json, Value};
use tokio::io::{AsyncRead, AsyncReadExt, AsyncWrite, AsyncWriteExt};
use tokio::sync::mpsc;

fn env_u64(name: &str, default: u64) -> u64 {
    std::env::var(name).ok().and_then(|v| v.parse().ok()).unwrap_or(default)
}

fn frame(body: &str) -> Vec<u8> {
    let mut out = format!("Content-Length: {}\r\n\r\n", body.len()).into_bytes();
    out.extend_from_slice(body.as_bytes());
    out
}

fn now_ns() -> u128 {
    SystemTime::now().duration_since(UNIX_EPOCH).map(|d| d.as_nanos()).unwrap_or(0)
}

static EVENT_IDS: AtomicU64 = AtomicU64::new(1);

struct Config {
    events: u64,
    delta: String,
    rate: u64,
    protocol: u64,
}

/// Appends one `session.event` frame to `out`; returns the event's numeric id.
fn push_event(out: &mut Vec<u8>, session: &str, ty: &str, data: &str, ephemeral: bool, parent: u64) -> u64 {
    use std::io::Write;
    let id = EVENT_IDS.fetch_add(1, Ordering::Relaxed);
    let eph = if ephemeral { ",\"ephemeral\":true" } else { "" };
    let mut body = Vec::with_capacity(256 + data.len());
    let _ = write!(
        body,
        "{{\"jsonrpc\":\"2.0\",\"method\":\"session.event\",\"params\":{{\"sessionId\":\"{session}\",\"event\":{{\"type\":\"{ty}\",\"data\":{data}{eph},\"id\":\"00000000-0000-4000-8000-{id:012}\",\"timestamp\":\"2026-11-25T00:00:00.000Z\",\"parentId\":\"00000000-0000-4000-8000-{parent:012}\"}}}}}}"
    );
    let _ = write!(out, "Content-Length: {}\r\n\r\n", body.len());
    out.extend_from_slice(&body);
    id
}

async fn emit_turn(out: mpsc::Sender<Vec<u8>>, cfg: Arc<Config>, session: String, message_id: String) {
    // Frames are batched into ~64 KiB writes when running flat out; with a rate, each event
    // is written as soon as it is due.
    let mut batch = Vec::with_capacity(1 << 16);
    let mut parent = push_event(&mut batch, &session, "assistant.turn_start", "{\"turnId\":\"0\"}", false, 0);
    let start = Instant::now();
    let mut data = String::with_capacity(128 + cfg.delta.len());
    for seq in 0..cfg.events {
        if cfg.rate > 0 {
            let due = start + Duration::from_nanos(seq * 1_000_000_000 / cfg.rate);
            let now = Instant::now();
            if due > now {
                if !batch.is_empty() && out.send(std::mem::take(&mut batch)).await.is_err() {
                    return;
                }
                tokio::time::sleep(due - now).await;
            }
        }
        data.clear();
        use std::fmt::Write as _;
        let sent = now_ns();
        // At a fixed rate the send time also leads `deltaContent` ("<ns>|xxx"), for SDKs whose
        // typed events drop fields they do not know (the official Python SDK drops `sentAtNs`).
        let stamp = if cfg.rate > 0 { format!("{sent}|") } else { String::new() };
        let _ = write!(
            data,
            "{{\"messageId\":\"{message_id}\",\"deltaContent\":\"{stamp}{}\",\"seq\":{seq},\"sentAtNs\":{sent}}}",
            cfg.delta,
        );
        parent = push_event(&mut batch, &session, "assistant.message_delta", &data, true, parent);
        if batch.len() >= 60_000 || cfg.rate > 0 {
            if out.send(std::mem::replace(&mut batch, Vec::with_capacity(1 << 16))).await.is_err() {
                return;
            }
        }
    }
    let content = json!({"messageId": message_id, "content": format!("{} deltas", cfg.events)}).to_string();
    let id = push_event(&mut batch, &session, "assistant.message", &content, false, parent);
    push_event(&mut batch, &session, "session.idle", "{}", true, id);
    let _ = out.send(batch).await;
}

async fn serve<R, W>(mut reader: R, mut writer: W, cfg: Arc<Config>)
where
    R: AsyncRead + Unpin,
    W: AsyncWrite + Unpin + Send + 'static,
{
    let (tx, mut rx) = mpsc::channel::<Vec<u8>>(4096);
    let writer_task = tokio::spawn(async move {
        let mut buf = Vec::with_capacity(1 << 20);
        while let Some(f) = rx.recv().await {
            buf.extend_from_slice(&f);
            while buf.len() < (1 << 20) {
                match rx.try_recv() {
                    Ok(more) => buf.extend_from_slice(&more),
                    Err(_) => break,
                }
            }
            if writer.write_all(&buf).await.is_err() {
                return;
            }
            let _ = writer.flush().await;
            buf.clear();
        }
    });
    let mut inbuf: Vec<u8> = Vec::new();
    let mut chunk = vec![0u8; 65536];
    let mut sessions = 0u64;
    loop {
        let n = match reader.read(&mut chunk).await {
            Ok(0) | Err(_) => break,
            Ok(n) => n,
        };
        inbuf.extend_from_slice(&chunk[..n]);
        loop {
            let Some(pos) = inbuf.windows(4).position(|w| w == b"\r\n\r\n") else { break };
            let header = String::from_utf8_lossy(&inbuf[..pos]).to_ascii_lowercase();
            let len: usize = header
                .lines()
                .find_map(|l| l.strip_prefix("content-length:").map(|v| v.trim().parse().unwrap_or(0)))
                .unwrap_or(0);
            if inbuf.len() < pos + 4 + len {
                break;
            }
            let body: Value = serde_json::from_slice(&inbuf[pos + 4..pos + 4 + len]).unwrap_or(Value::Null);
            inbuf.drain(..pos + 4 + len);
            let Some(id) = body.get("id").cloned() else { continue };
            if body.get("method").is_none() {
                continue; // a response to nothing we asked
            }
            let method = body["method"].as_str().unwrap_or("");
            let params = &body["params"];
            let result = match method {
                "connect" | "ping" => json!({"ok": true, "message": "pong", "protocolVersion": cfg.protocol, "version": "firehose"}),
                "session.create" | "session.resume" => {
                    sessions += 1;
                    let sid = params["sessionId"].as_str().map(str::to_owned).unwrap_or_else(|| format!("firehose-{sessions}"));
                    json!({"sessionId": sid})
                }
                "session.send" => {
                    let sid = params["sessionId"].as_str().unwrap_or("").to_owned();
                    let mid = format!("m-{}", EVENT_IDS.fetch_add(1, Ordering::Relaxed));
                    tokio::spawn(emit_turn(tx.clone(), cfg.clone(), sid, mid.clone()));
                    json!({"messageId": mid})
                }
                "session.destroy" | "session.delete" => json!({"success": true}),
                "runtime.shutdown" => {
                    let reply = json!({"jsonrpc": "2.0", "id": id, "result": null}).to_string();
                    let _ = tx.send(frame(&reply)).await;
                    drop(tx);
                    let _ = writer_task.await;
                    return;
                }
                _ => json!({}),
            };
            let reply = json!({"jsonrpc": "2.0", "id": id, "result": result}).to_string();
            if tx.send(frame(&reply)).await.is_err() {
                return;
            }
        }
    }
    drop(tx);
    let _ = writer_task.await;
}

#[tokio::main]
async fn main() {
    let cfg = Arc::new(Config {
        events: env_u64("FIREHOSE_EVENTS", 100_000),
        delta: "x".repeat(env_u64("FIREHOSE_DELTA_BYTES", 40) as usize),
        rate: env_u64("FIREHOSE_RATE", 0),
        protocol: env_u64("FIREHOSE_PROTOCOL_VERSION", 3),
    });
    let args: Vec<String> = std::env::args().collect();
    let port = args.iter().position(|a| a == "--port").and_then(|i| args.get(i + 1)).and_then(|p| p.parse::<u16>().ok());
    match port {
        Some(p) => {
            let listener = tokio::net::TcpListener::bind(("127.0.0.1", p)).await.expect("bind");
            println!("CLI server listening on port {}", listener.local_addr().expect("addr").port());
            loop {
                let Ok((s, _)) = listener.accept().await else { return };
                s.set_nodelay(true).ok();
                let (r, w) = s.into_split();
                tokio::spawn(serve(r, w, cfg.clone()));
            }
        }
        None => serve(tokio::io::stdin(), tokio::io::stdout(), cfg).await,
    }
}
