//! The official Rust SDK consuming the firehose (throughput / latency modes), for ratios.
//! Prints one `BENCH_RESULT {json}` line. Counts what it receives: its broadcast channel may
//! drop events for a lagging consumer, which the result reports as `lagged`.

use std::path::PathBuf;
use std::sync::Arc;
use std::time::{Instant, SystemTime, UNIX_EPOCH};

use github_copilot_sdk::handler::ApproveAllHandler;
use github_copilot_sdk::{Client, ClientOptions, SessionConfig};
use serde_json::json;

fn arg(name: &str) -> Option<String> {
    let a: Vec<String> = std::env::args().collect();
    a.iter().position(|x| x == name).and_then(|i| a.get(i + 1).cloned())
}

fn cpu_seconds() -> f64 {
    let stat = std::fs::read_to_string("/proc/self/stat").unwrap_or_default();
    let rest = stat.rsplit_once(')').map(|(_, r)| r).unwrap_or("");
    let f: Vec<&str> = rest.split_whitespace().collect();
    let t = |i: usize| f.get(i).and_then(|v| v.parse::<f64>().ok()).unwrap_or(0.0);
    (t(11) + t(12)) / 100.0
}

fn pct(v: &mut [f64], p: f64) -> f64 {
    if v.is_empty() {
        return f64::NAN;
    }
    v.sort_by(|a, b| a.partial_cmp(b).unwrap_or(std::cmp::Ordering::Equal));
    v[(((p / 100.0) * (v.len() - 1) as f64).round() as usize).min(v.len() - 1)]
}

fn rss_kib() -> u64 {
    std::fs::read_to_string("/proc/self/status")
        .unwrap_or_default()
        .lines()
        .find_map(|l| l.strip_prefix("VmRSS:").map(|v| v.trim().trim_end_matches(" kB").trim().parse().unwrap_or(0)))
        .unwrap_or(0)
}

fn config() -> SessionConfig {
    SessionConfig::default().with_permission_handler(Arc::new(ApproveAllHandler))
}

#[tokio::main]
async fn main() {
    let mode = arg("--mode").unwrap_or_else(|| "throughput".into());
    let cli = PathBuf::from(arg("--cli").expect("--cli PATH"));
    let options = ClientOptions::new().with_program(cli);
    match mode.as_str() {
        "throughput" | "latency" => stream(options, mode == "latency").await,
        "sessions" => {
            let count: usize = arg("--count").and_then(|c| c.parse().ok()).unwrap_or(1000);
            let before = rss_kib();
            let client = Client::start(options).await.expect("start");
            let mut keep = Vec::with_capacity(count);
            for _ in 0..count {
                let s = client.create_session(config()).await.expect("create");
                let sub = s.subscribe();
                keep.push((s, sub));
            }
            tokio::time::sleep(std::time::Duration::from_millis(200)).await;
            println!("BENCH_RESULT {}", json!({"sessions": count, "rss_kib": rss_kib(), "rss_before_kib": before}));
            client.force_stop();
        }
        "startup" => {
            let t0 = Instant::now();
            let client = Client::start(options).await.expect("start");
            let ready = t0.elapsed().as_secs_f64();
            let _s = client.create_session(config().with_working_directory(std::env::temp_dir())).await.expect("create");
            let first = t0.elapsed().as_secs_f64();
            println!("BENCH_RESULT {}", json!({"start_to_ready_s": ready, "first_session_s": first}));
            let _ = client.stop().await;
        }
        other => panic!("unknown mode {other}"),
    }
}

async fn stream(options: ClientOptions, latency: bool) {
    let client = Client::start(options).await.expect("start");
    let session = client.create_session(config()).await.expect("create");
    let mut sub = session.subscribe();
    let mut lat: Vec<f64> = Vec::new();
    let cpu0 = cpu_seconds();
    let t0 = Instant::now();
    session.send("go").await.expect("send");
    let (mut n, mut lagged) = (0u64, 0u64);
    loop {
        match sub.recv().await {
            Ok(ev) => match ev.event_type.as_str() {
                "assistant.message_delta" => {
                    n += 1;
                    if latency {
                        if let Some(sent) = ev.data["sentAtNs"].as_u64() {
                            let now = SystemTime::now().duration_since(UNIX_EPOCH).map(|d| d.as_nanos()).unwrap_or(0);
                            lat.push((now as f64 - sent as f64) / 1000.0);
                        }
                    }
                }
                "session.idle" => break,
                _ => {}
            },
            Err(e) => {
                let text = format!("{e:?}");
                if text.contains("Lagged") {
                    lagged += text.chars().filter(|c| c.is_ascii_digit()).collect::<String>().parse::<u64>().unwrap_or(1);
                    continue;
                }
                break;
            }
        }
    }
    let wall = t0.elapsed().as_secs_f64();
    let mut r = json!({"events": n, "lagged": lagged, "wall_s": wall, "cpu_s": cpu_seconds() - cpu0, "events_per_s": n as f64 / wall});
    if latency {
        r["p50_us"] = json!(pct(&mut lat, 50.0));
        r["p99_us"] = json!(pct(&mut lat, 99.0));
    }
    println!("BENCH_RESULT {r}");
    let _ = client.stop().await;
}
