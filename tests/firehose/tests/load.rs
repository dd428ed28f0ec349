//! Load tests of the core against the firehose (a scripted JSON-RPC peer, not the CLI):
//! nothing lost, nothing reordered, slow subscribers told they lag, memory bounded.

use std::time::{Duration, Instant};

use copilot_core::{Client, ClientOptions, RecvError, SessionConfig};

fn options(events: u64) -> ClientOptions {
    ClientOptions::new()
        .with_cli_path(env!("CARGO_BIN_EXE_copilot-firehose"))
        .with_env([("FIREHOSE_EVENTS", events.to_string())])
        .with_request_timeout(Duration::from_secs(120))
}

fn peak_rss_kib() -> u64 {
    std::fs::read_to_string("/proc/self/status")
        .unwrap_or_default()
        .lines()
        .find_map(|l| l.strip_prefix("VmHWM:").map(|v| v.trim().trim_end_matches(" kB").trim().parse().unwrap_or(0)))
        .unwrap_or(0)
}

/// Reads one turn; returns the number of deltas, checking that `seq` is contiguous.
async fn drain_turn(sub: &mut copilot_core::EventSubscription) -> Result<u64, String> {
    let mut next = 0u64;
    loop {
        match sub.recv_shared().await {
            Ok(ev) => match ev.event_type.as_str() {
                "assistant.message_delta" => {
                    let seq = ev.data["seq"].as_u64().ok_or("no seq")?;
                    if seq != next {
                        return Err(format!("expected seq {next}, got {seq}"));
                    }
                    next += 1;
                }
                "session.idle" => return Ok(next),
                _ => {}
            },
            Err(RecvError::Lagged(n)) => return Err(format!("lagged by {n}")),
            Err(RecvError::Closed) => return Err("closed".into()),
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn one_subscriber_gets_a_million_deltas_in_order() {
    const N: u64 = 1_000_000;
    let client = Client::start(options(N)).await.expect("start");
    let session = client.create_session(SessionConfig::default()).await.expect("create");
    let mut sub = session.subscribe();
    let started = Instant::now();
    session.send("go").await.expect("send");
    let got = tokio::time::timeout(Duration::from_secs(600), drain_turn(&mut sub)).await.expect("in time");
    assert_eq!(got, Ok(N), "100% delivered, in order");
    eprintln!("1,000,000 deltas in {:?}; peak RSS {} MiB", started.elapsed(), peak_rss_kib() / 1024);
    client.stop().await.expect("stop");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn hundred_sessions_lose_nothing_and_a_slow_subscriber_lags_explicitly() {
    const SESSIONS: usize = 100;
    const N: u64 = 10_000;
    let client = Client::start(options(N)).await.expect("start");
    let mut sessions = Vec::new();
    for _ in 0..SESSIONS {
        sessions.push(client.create_session(SessionConfig::default()).await.expect("create"));
    }
    // A deliberately slow subscriber on session 0: it never reads until the end.
    let mut slow = sessions[0].subscribe_with_bound(1000);
    let mut tasks = Vec::new();
    for s in &sessions {
        let mut sub = s.subscribe();
        tasks.push(tokio::spawn(async move { drain_turn(&mut sub).await }));
    }
    let started = Instant::now();
    for s in &sessions {
        s.send("go").await.expect("send");
    }
    for t in tasks {
        let r = tokio::time::timeout(Duration::from_secs(600), t).await.expect("in time").expect("join");
        assert_eq!(r, Ok(N), "every session: 0 lost, 0 reordered");
    }
    let elapsed = started.elapsed();
    // The slow subscriber was told how much it missed, then gets the newest events in order.
    match slow.recv().await {
        Err(RecvError::Lagged(n)) => assert!(n >= N - 1000, "lagged by {n}"),
        other => panic!("expected a lag notice, got {other:?}"),
    }
    let mut last_seq = None;
    while let Some(Ok(ev)) = slow.try_recv() {
        if let Some(seq) = ev.data["seq"].as_u64() {
            if let Some(prev) = last_seq {
                assert_eq!(seq, prev + 1, "slow subscriber's remaining events stay in order");
            }
            last_seq = Some(seq);
        }
    }
    assert_eq!(last_seq, Some(N - 1));
    eprintln!(
        "{SESSIONS} sessions x {N} deltas in {elapsed:?}; peak RSS {} MiB",
        peak_rss_kib() / 1024
    );
    client.stop().await.expect("stop");
}
