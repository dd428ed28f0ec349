//! Soak: create / send / disconnect cycles on one client against the real CLI. SDK-side
//! threads, file descriptors and RSS must not grow beyond small, documented bounds.
//! CI runs 60 cycles; the documented measurement is `SOAK_CYCLES=1000 make soak`.

mod common;

use std::time::{Duration, Instant};

use common::*;
use copilot_core::{Client, SessionConfig};
use serde_json::json;

fn status_field(name: &str) -> u64 {
    std::fs::read_to_string("/proc/self/status")
        .unwrap_or_default()
        .lines()
        .find_map(|l| l.strip_prefix(name).map(|v| v.trim().trim_end_matches(" kB").trim().parse().unwrap_or(0)))
        .unwrap_or(0)
}

fn fds() -> u64 {
    std::fs::read_dir("/proc/self/fd").map(|d| d.count() as u64).unwrap_or(0)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn create_send_disconnect_cycles_do_not_leak() {
    let cycles: u64 = std::env::var("SOAK_CYCLES").ok().and_then(|v| v.parse().ok()).unwrap_or(60);
    let env = Hermetic::new(json!({"rules": [{"when": {}, "reply": {"text": "soak reply", "chunks": 3}}]})).await;
    let client = Client::start(env.options()).await.expect("start");
    let warmup = 10.min(cycles);
    let mut baseline = (0, 0, 0);
    let started = Instant::now();
    for i in 0..cycles {
        if i == warmup {
            baseline = (status_field("Threads:"), fds(), status_field("VmRSS:"));
        }
        let session = client.create_session(SessionConfig::new(env.cwd()).with_streaming(true)).await.expect("create");
        let mut events = session.subscribe();
        let reply = session.send_and_wait("ping").await.expect("turn").expect("message");
        assert_eq!(reply.data_str("content"), Some("soak reply"));
        drop(events.try_recv());
        session.disconnect().await.expect("disconnect");
    }
    tokio::time::sleep(Duration::from_millis(200)).await;
    let end = (status_field("Threads:"), fds(), status_field("VmRSS:"));
    eprintln!(
        "soak: {cycles} cycles in {:?}; threads {} -> {}, fds {} -> {}, RSS {} -> {} KiB",
        started.elapsed(), baseline.0, end.0, baseline.1, end.1, baseline.2, end.2
    );
    assert!(end.0 <= baseline.0 + 4, "threads grew: {} -> {}", baseline.0, end.0);
    assert!(end.1 <= baseline.1 + 8, "file descriptors grew: {} -> {}", baseline.1, end.1);
    assert!(end.2 <= baseline.2 + 32 * 1024, "RSS grew by more than 32 MiB: {} -> {} KiB", baseline.2, end.2);
    client.stop().await.expect("stop");
}
