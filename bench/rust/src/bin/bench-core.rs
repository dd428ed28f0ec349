//! Benchmark driver: copilot-core (Rust) consuming the firehose, or starting the real CLI.
//! Modes: throughput, latency, sessions, startup. Prints one `BENCH_RESULT {json}` line.

use std::time::{Duration, Instant};

use copilot_bench::{arg, cpu_seconds, emit, now_ns, percentile, rss_kib};
use copilot_core::{Client, ClientOptions, RecvError, SessionConfig};
use serde_json::json;

#[tokio::main]
async fn main() {
    let mode = arg("--mode").unwrap_or_else(|| "throughput".into());
    let cli = arg("--cli").expect("--cli PATH (the firehose or the real CLI)");
    let opts = ClientOptions::new().with_cli_path(&cli).with_request_timeout(Duration::from_secs(600));
    match mode.as_str() {
        "throughput" | "latency" => {
            let client = Client::start(opts).await.expect("start");
            let session = client.create_session(SessionConfig::default()).await.expect("create");
            let mut sub = session.subscribe();
            let latency = mode == "latency";
            let mut lat_us: Vec<f64> = Vec::new();
            let cpu0 = cpu_seconds();
            let t0 = Instant::now();
            session.send("go").await.expect("send");
            let mut n = 0u64;
            loop {
                match sub.recv_shared().await {
                    Ok(ev) => match ev.event_type.as_str() {
                        "assistant.message_delta" => {
                            n += 1;
                            if latency {
                                if let Some(sent) = ev.data["sentAtNs"].as_u64() {
                                    lat_us.push((now_ns() as f64 - sent as f64) / 1000.0);
                                }
                            }
                        }
                        "session.idle" => break,
                        _ => {}
                    },
                    Err(RecvError::Lagged(k)) => panic!("lagged by {k}"),
                    Err(RecvError::Closed) => panic!("closed"),
                }
            }
            let wall = t0.elapsed().as_secs_f64();
            let cpu = cpu_seconds() - cpu0;
            let mut r = json!({"events": n, "wall_s": wall, "cpu_s": cpu, "events_per_s": n as f64 / wall});
            if latency {
                r["p50_us"] = json!(percentile(&mut lat_us, 50.0));
                r["p99_us"] = json!(percentile(&mut lat_us, 99.0));
            }
            emit(r);
            client.stop().await.expect("stop");
        }
        "sessions" => {
            let count: usize = arg("--count").and_then(|c| c.parse().ok()).unwrap_or(1000);
            let before = rss_kib();
            let client = Client::start(opts).await.expect("start");
            let mut keep = Vec::with_capacity(count);
            for _ in 0..count {
                let s = client.create_session(SessionConfig::default()).await.expect("create");
                let sub = s.subscribe();
                keep.push((s, sub));
            }
            tokio::time::sleep(Duration::from_millis(200)).await;
            emit(json!({"sessions": count, "rss_kib": rss_kib(), "rss_before_kib": before}));
            client.force_stop().await;
        }
        "startup" => {
            let t0 = Instant::now();
            let client = Client::start(opts).await.expect("start");
            let ready = t0.elapsed().as_secs_f64();
            let dir = std::env::temp_dir();
            let _s = client.create_session(SessionConfig::new(dir)).await.expect("create");
            let first = t0.elapsed().as_secs_f64();
            emit(json!({"start_to_ready_s": ready, "first_session_s": first}));
            client.stop().await.expect("stop");
        }
        other => panic!("unknown mode {other}"),
    }
}
