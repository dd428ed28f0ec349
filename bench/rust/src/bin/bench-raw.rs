//! Baseline: the practical limit. Reads the firehose's stdout directly on one thread,
//! splits Content-Length frames and parses each with serde_json into a `Value`; no SDK.
//! Prints one `BENCH_RESULT {json}` line.

use std::io::{BufRead, BufReader, Read, Write};
use std::process::{Command, Stdio};
use std::time::Instant;

use copilot_bench::{arg, cpu_seconds, emit};
use serde_json::{json, Value};

fn frame(v: &Value) -> Vec<u8> {
    let body = v.to_string();
    let mut out = format!("Content-Length: {}\r\n\r\n", body.len()).into_bytes();
    out.extend_from_slice(body.as_bytes());
    out
}

fn main() {
    let cli = arg("--cli").expect("--cli PATH (the firehose)");
    let mut child = Command::new(cli).stdin(Stdio::piped()).stdout(Stdio::piped()).spawn().expect("spawn");
    let mut stdin = child.stdin.take().expect("stdin");
    let mut out = BufReader::with_capacity(1 << 20, child.stdout.take().expect("stdout"));
    stdin.write_all(&frame(&json!({"jsonrpc":"2.0","id":1,"method":"session.create","params":{"sessionId":"raw"}}))).expect("w");
    stdin.write_all(&frame(&json!({"jsonrpc":"2.0","id":2,"method":"session.send","params":{"sessionId":"raw","prompt":"go"}}))).expect("w");
    stdin.flush().expect("flush");
    let cpu0 = cpu_seconds();
    let t0 = Instant::now();
    let mut n = 0u64;
    let mut header = String::new();
    let mut body = Vec::new();
    loop {
        header.clear();
        let mut len = 0usize;
        loop {
            header.clear();
            if out.read_line(&mut header).expect("read") == 0 {
                panic!("eof");
            }
            let h = header.trim_end();
            if h.is_empty() {
                break;
            }
            if let Some(v) = h.strip_prefix("Content-Length:") {
                len = v.trim().parse().expect("len");
            }
        }
        body.resize(len, 0);
        out.read_exact(&mut body).expect("body");
        let v: Value = serde_json::from_slice(&body).expect("json");
        let ty = v["params"]["event"]["type"].as_str().unwrap_or("");
        if ty == "assistant.message_delta" {
            n += 1;
        } else if ty == "session.idle" {
            break;
        }
    }
    let wall = t0.elapsed().as_secs_f64();
    emit(json!({"events": n, "wall_s": wall, "cpu_s": cpu_seconds() - cpu0, "events_per_s": n as f64 / wall}));
    let _ = child.kill();
}
