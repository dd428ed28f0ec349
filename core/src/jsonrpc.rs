//! JSON-RPC 2.0 over `Content-Length` framed byte streams.
//!
//! [`FrameDecoder`] turns arbitrary chunks of bytes (partial or coalesced reads) into frames.
//! [`Connection`] owns one transport: a writer task serialises all outgoing frames, a reader
//! task decodes incoming ones, completes pending requests by id and hands notifications and
//! server-to-client requests to a [`Dispatcher`]. The reader never waits for user code: the
//! dispatcher must return quickly (it spawns work and answers later through [`Connection`]).

use std::collections::HashMap;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::Arc;
use std::time::Duration;

use parking_lot::Mutex;
use serde::Deserialize;
use serde_json::value::RawValue;
use serde_json::Value;
use tokio::io::{AsyncRead, AsyncReadExt, AsyncWrite, AsyncWriteExt};
use tokio::sync::{mpsc, oneshot, Notify};

use crate::error::{Error, Result, METHOD_NOT_FOUND};

/// Frames larger than this are rejected before any buffer is allocated for them.
pub const DEFAULT_MAX_FRAME_BYTES: usize = 64 * 1024 * 1024;
const MAX_HEADER_BYTES: usize = 8 * 1024;

/// Incremental decoder for `Content-Length` framing.
#[derive(Debug)]
pub struct FrameDecoder {
    buf: Vec<u8>,
    start: usize,
    max_frame: usize,
    /// How far past `start` the header terminator has been searched for (so a header that
    /// arrives a few bytes at a time is scanned once, not once per read).
    scanned: usize,
}

impl FrameDecoder {
    /// A decoder that rejects frames over `max_frame` bytes.
    pub fn new(max_frame: usize) -> Self {
        FrameDecoder { buf: Vec::with_capacity(64 * 1024), start: 0, max_frame, scanned: 0 }
    }

    /// Appends bytes read from the transport.
    pub fn extend(&mut self, bytes: &[u8]) {
        if self.start > 0 && self.start == self.buf.len() {
            self.buf.clear();
            self.start = 0;
        } else if self.start > 1024 * 1024 && self.start * 2 > self.buf.len() {
            self.buf.drain(..self.start);
            self.start = 0;
        }
        self.buf.extend_from_slice(bytes);
    }

    /// Returns the next complete frame body, `Ok(None)` when more bytes are needed, or a
    /// protocol error for a malformed header (the stream cannot be resynchronised after it).
    pub fn next_frame(&mut self) -> Result<Option<Vec<u8>>> {
        let avail = &self.buf[self.start..];
        let from = self.scanned.saturating_sub(3);
        let limit = avail.len().min(MAX_HEADER_BYTES + 4);
        let Some(header_end) = avail.get(from..limit).and_then(find_header_end).map(|i| from + i) else {
            if avail.len() > MAX_HEADER_BYTES {
                return Err(Error::Protocol("frame header too long or missing blank line".into()));
            }
            self.scanned = limit;
            return Ok(None);
        };
        let header = std::str::from_utf8(&avail[..header_end])
            .map_err(|_| Error::Protocol("frame header is not UTF-8".into()))?;
        let mut length: Option<usize> = None;
        for line in header.split("\r\n") {
            if line.is_empty() {
                continue;
            }
            let Some((name, value)) = line.split_once(':') else {
                return Err(Error::Protocol(format!("malformed header line {line:?}")));
            };
            if name.trim().eq_ignore_ascii_case("content-length") {
                let v = value.trim();
                let n: usize = v
                    .parse()
                    .map_err(|_| Error::Protocol(format!("invalid Content-Length {v:?}")))?;
                length = Some(n);
            }
        }
        let length = length.ok_or_else(|| Error::Protocol("missing Content-Length header".into()))?;
        if length > self.max_frame {
            return Err(Error::Protocol(format!(
                "frame of {length} bytes exceeds the maximum of {} bytes",
                self.max_frame
            )));
        }
        let body_start = header_end + 4;
        if avail.len() < body_start + length {
            return Ok(None);
        }
        let body = avail[body_start..body_start + length].to_vec();
        self.start += body_start + length;
        self.scanned = 0;
        Ok(Some(body))
    }

    /// Bytes buffered but not yet returned as frames.
    pub fn pending_bytes(&self) -> usize {
        self.buf.len() - self.start
    }
}

fn find_header_end(buf: &[u8]) -> Option<usize> {
    buf.windows(4).position(|w| w == b"\r\n\r\n")
}

/// Encodes one frame.
pub fn encode_frame(body: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(body.len() + 32);
    out.extend_from_slice(b"Content-Length: ");
    out.extend_from_slice(body.len().to_string().as_bytes());
    out.extend_from_slice(b"\r\n\r\n");
    out.extend_from_slice(body);
    out
}

/// A message as classified by the reader (by field presence, not trial parsing).
#[derive(Debug, Deserialize)]
struct RawMessage<'a> {
    #[serde(default, borrow)]
    id: Option<&'a RawValue>,
    #[serde(default)]
    method: Option<String>,
    #[serde(default, borrow)]
    params: Option<&'a RawValue>,
    #[serde(default, borrow)]
    result: Option<&'a RawValue>,
    #[serde(default)]
    error: Option<RpcErrorObject>,
}

#[derive(Debug, Deserialize)]
struct RpcErrorObject {
    #[serde(default)]
    code: i64,
    #[serde(default)]
    message: String,
    #[serde(default)]
    data: Option<Value>,
}

/// An incoming message handed to the [`Dispatcher`].
#[derive(Debug)]
pub enum Incoming<'a> {
    /// A notification (no id).
    Notification {
        /// Method name.
        method: &'a str,
        /// Raw params (may be absent).
        params: Option<&'a RawValue>,
    },
    /// A server-to-client request; answer it with [`Connection::respond`].
    Request {
        /// The request id, echoed verbatim in the response.
        id: Value,
        /// Method name.
        method: &'a str,
        /// Raw params (may be absent).
        params: Option<&'a RawValue>,
    },
}

/// Receives what the reader decodes. Must not block: spawn anything slow.
pub trait Dispatcher: Send + Sync + 'static {
    /// A notification or server request arrived.
    fn dispatch(&self, conn: &Arc<Connection>, msg: Incoming<'_>);
    /// The transport closed or broke; called once, after every pending call was failed.
    fn closed(&self, reason: &str);
    /// A fast path for the hottest frames (session events): decode `text` in one pass and
    /// handle it, returning `true`; `false` sends the frame through the general path.
    fn try_fast(&self, _conn: &Arc<Connection>, _text: &str) -> bool {
        false
    }
}

/// Runs on the reader task with a response's result, before the next frame is read.
pub(crate) type SyncHook = Box<dyn FnOnce(&Value) + Send>;

struct Pending {
    method: String,
    tx: oneshot::Sender<Result<Value>>,
    /// Runs on the reader task before the next frame is read (used to register a
    /// server-assigned session id before its events are routed).
    hook: Option<SyncHook>,
}

/// One JSON-RPC connection.
pub struct Connection {
    out: mpsc::UnboundedSender<Vec<u8>>,
    next_id: AtomicU64,
    pending: Mutex<HashMap<u64, Pending>>,
    closed: AtomicBool,
    close_reason: Mutex<Option<String>>,
    default_timeout: Option<Duration>,
    /// Wakes the reader to stop without waiting for end of file (see [`Connection::end`]).
    stop_reading: Notify,
}

impl std::fmt::Debug for Connection {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Connection").field("closed", &self.is_closed()).finish()
    }
}

impl Connection {
    /// Starts reader and writer tasks over the two halves of a transport.
    pub fn start<R, W>(
        reader: R,
        writer: W,
        dispatcher: Arc<dyn Dispatcher>,
        max_frame: usize,
        default_timeout: Option<Duration>,
    ) -> Arc<Connection>
    where
        R: AsyncRead + Unpin + Send + 'static,
        W: AsyncWrite + Unpin + Send + 'static,
    {
        let (out_tx, out_rx) = mpsc::unbounded_channel::<Vec<u8>>();
        let conn = Arc::new(Connection {
            out: out_tx,
            next_id: AtomicU64::new(1),
            pending: Mutex::new(HashMap::new()),
            closed: AtomicBool::new(false),
            close_reason: Mutex::new(None),
            default_timeout,
            stop_reading: Notify::new(),
        });
        tokio::spawn(writer_loop(writer, out_rx, Arc::downgrade(&conn)));
        tokio::spawn(reader_loop(reader, conn.clone(), dispatcher, max_frame));
        conn
    }

    /// True once the transport closed.
    pub fn is_closed(&self) -> bool {
        self.closed.load(Ordering::Acquire)
    }

    fn lost(&self) -> Error {
        let reason = self.close_reason.lock().clone().unwrap_or_else(|| "connection closed".into());
        Error::ConnectionLost { reason }
    }

    /// Sends a request and waits for its response, bounded by the connection's default timeout.
    pub async fn request(&self, method: &str, params: Value) -> Result<Value> {
        self.request_full(method, params, self.default_timeout, None).await
    }

    /// Sends a request with an explicit timeout (`None` = wait as long as the connection lives).
    pub async fn request_with_timeout(&self, method: &str, params: Value, timeout: Option<Duration>) -> Result<Value> {
        self.request_full(method, params, timeout, None).await
    }

    /// Like [`Connection::request_with_timeout`], with a hook that runs on the reader task
    /// when a successful result arrives, before any later frame is processed.
    pub async fn request_full(
        &self,
        method: &str,
        params: Value,
        timeout: Option<Duration>,
        hook: Option<SyncHook>,
    ) -> Result<Value> {
        if self.is_closed() {
            return Err(self.lost());
        }
        let id = self.next_id.fetch_add(1, Ordering::Relaxed);
        let body = serde_json::to_vec(&serde_json::json!({
            "jsonrpc": "2.0", "id": id, "method": method, "params": params,
        }))?;
        let (tx, rx) = oneshot::channel();
        self.pending.lock().insert(id, Pending { method: method.to_owned(), tx, hook });
        // Re-check after inserting: the reader may have failed all pending calls in between.
        if self.is_closed() {
            self.pending.lock().remove(&id);
            return Err(self.lost());
        }
        if self.out.send(encode_frame(&body)).is_err() {
            self.pending.lock().remove(&id);
            return Err(self.lost());
        }
        let wait = async {
            match rx.await {
                Ok(r) => r,
                Err(_) => Err(self.lost()),
            }
        };
        match timeout {
            None => wait.await,
            Some(t) => match tokio::time::timeout(t, wait).await {
                Ok(r) => r,
                Err(_) => {
                    self.pending.lock().remove(&id);
                    Err(Error::Timeout { what: format!("response to {method}"), after: t })
                }
            },
        }
    }

    /// Sends a notification.
    pub fn notify(&self, method: &str, params: Value) -> Result<()> {
        let body = serde_json::to_vec(&serde_json::json!({"jsonrpc": "2.0", "method": method, "params": params}))?;
        self.send_raw(body)
    }

    /// Answers a server-to-client request.
    pub fn respond(&self, id: Value, result: Result<Value, (i64, String)>) {
        let msg = match result {
            Ok(v) => serde_json::json!({"jsonrpc": "2.0", "id": id, "result": v}),
            Err((code, message)) => {
                serde_json::json!({"jsonrpc": "2.0", "id": id, "error": {"code": code, "message": message}})
            }
        };
        if let Ok(body) = serde_json::to_vec(&msg) {
            let _ = self.send_raw(body);
        }
    }

    fn send_raw(&self, body: Vec<u8>) -> Result<()> {
        if self.is_closed() {
            return Err(self.lost());
        }
        self.out.send(encode_frame(&body)).map_err(|_| self.lost())
    }

    /// Marks the connection closed and fails every pending call. Idempotent.
    pub fn close(&self, reason: &str) {
        {
            let mut r = self.close_reason.lock();
            if r.is_none() {
                *r = Some(reason.to_owned());
            }
        }
        self.closed.store(true, Ordering::Release);
        let drained: Vec<Pending> = self.pending.lock().drain().map(|(_, p)| p).collect();
        for p in drained {
            let _ = p.tx.send(Err(self.lost()));
        }
    }

    /// Ends the connection from outside the transport: closes it like [`Connection::close`]
    /// and stops the reader, which then reports `reason` to the dispatcher (subscribers see
    /// the end). For when the peer is known to be gone but its end of the stream may stay
    /// open, e.g. the CLI died while a process it started still holds its stdout.
    pub(crate) fn end(&self, reason: &str) {
        self.close(reason);
        self.stop_reading.notify_one();
    }

    fn complete(&self, id: u64, result: std::result::Result<Value, RpcErrorObject>) {
        let Some(p) = self.pending.lock().remove(&id) else {
            return;
        };
        let r = match result {
            Ok(v) => {
                if let Some(hook) = p.hook {
                    hook(&v);
                }
                Ok(v)
            }
            Err(e) => Err(Error::from_rpc(&p.method, e.code, e.message, e.data)),
        };
        let _ = p.tx.send(r);
    }
}

async fn writer_loop<W: AsyncWrite + Unpin>(
    mut writer: W,
    mut rx: mpsc::UnboundedReceiver<Vec<u8>>,
    conn: std::sync::Weak<Connection>,
) {
    while let Some(frame) = rx.recv().await {
        let mut batch = frame;
        // Coalesce whatever else is already queued into one write.
        while batch.len() < 256 * 1024 {
            match rx.try_recv() {
                Ok(more) => batch.extend_from_slice(&more),
                Err(_) => break,
            }
        }
        if writer.write_all(&batch).await.is_err() || writer.flush().await.is_err() {
            if let Some(c) = conn.upgrade() {
                c.close("write to the CLI failed");
            }
            break;
        }
    }
    let _ = writer.shutdown().await;
}

async fn reader_loop<R: AsyncRead + Unpin>(
    mut reader: R,
    conn: Arc<Connection>,
    dispatcher: Arc<dyn Dispatcher>,
    max_frame: usize,
) {
    let mut decoder = FrameDecoder::new(max_frame);
    let mut chunk = vec![0u8; 64 * 1024];
    let reason: String = 'outer: loop {
        let read = tokio::select! {
            biased;
            r = reader.read(&mut chunk) => r,
            () = conn.stop_reading.notified() => {
                break conn.close_reason.lock().clone().unwrap_or_else(|| "connection closed".into());
            }
        };
        let n = match read {
            Ok(0) => break "the CLI closed the connection".to_owned(),
            Ok(n) => n,
            Err(e) => break format!("read from the CLI failed: {e}"),
        };
        decoder.extend(&chunk[..n]);
        // Subscribers are woken once for everything this buffer held (see events::WakeBatch).
        let _batch = crate::events::WakeBatch::begin();
        loop {
            match decoder.next_frame() {
                Ok(Some(frame)) => handle_frame(&conn, &dispatcher, &frame),
                Ok(None) => break,
                Err(e) => break 'outer format!("{e}"),
            }
        }
    };
    conn.close(&reason);
    dispatcher.closed(&reason);
}

/// Decodes and routes one frame. Malformed frames are answered or skipped, never fatal:
/// framing is intact, so the stream stays usable.
fn handle_frame(conn: &Arc<Connection>, dispatcher: &Arc<dyn Dispatcher>, frame: &[u8]) {
    let repaired;
    let text = match std::str::from_utf8(frame) {
        Ok(t) => t,
        Err(_) => {
            repaired = String::from_utf8_lossy(frame).into_owned();
            &repaired
        }
    };
    if dispatcher.try_fast(conn, text) {
        return;
    }
    let msg: RawMessage<'_> = match serde_json::from_str(text) {
        Ok(m) => m,
        Err(_) => {
            // Not a JSON object (or unpaired surrogates): try the surrogate repair once.
            let fixed = repair_lone_surrogates(text);
            match fixed.as_deref().map(serde_json::from_str::<Value>) {
                Some(Ok(v)) if v.is_object() => {
                    let s = v.to_string();
                    if let Ok(m) = serde_json::from_str::<RawMessage<'_>>(&s) {
                        route(conn, dispatcher, m);
                    }
                }
                _ => {
                    conn.respond(Value::Null, Err((-32600, "not a recognizable JSON-RPC message".into())));
                }
            }
            return;
        }
    };
    route(conn, dispatcher, msg);
}

fn route(conn: &Arc<Connection>, dispatcher: &Arc<dyn Dispatcher>, msg: RawMessage<'_>) {
    match (msg.id, msg.method) {
        (Some(id), Some(method)) => {
            let id: Value = serde_json::from_str(id.get()).unwrap_or(Value::Null);
            dispatcher.dispatch(conn, Incoming::Request { id, method: &method, params: msg.params });
        }
        (Some(id), None) => {
            let Ok(id) = id.get().parse::<u64>() else { return };
            let result = match (msg.result, msg.error) {
                (_, Some(err)) => Err(err),
                (Some(r), None) => Ok(serde_json::from_str(r.get()).unwrap_or(Value::Null)),
                (None, None) => Ok(Value::Null),
            };
            conn.complete(id, result);
        }
        (None, Some(method)) => {
            dispatcher.dispatch(conn, Incoming::Notification { method: &method, params: msg.params });
        }
        (None, None) => {}
    }
}

/// Replaces `\uD800`-style escapes that are not part of a surrogate pair with `\uFFFD`.
fn repair_lone_surrogates(text: &str) -> Option<String> {
    if !text.contains("\\u") {
        return None;
    }
    let bytes = text.as_bytes();
    let mut out = String::with_capacity(text.len());
    let mut i = 0;
    let mut changed = false;
    let hex = |s: &[u8]| std::str::from_utf8(s).ok().and_then(|h| u16::from_str_radix(h, 16).ok());
    while i < bytes.len() {
        if bytes[i] == b'\\' && i + 1 < bytes.len() && bytes[i + 1] == b'\\' {
            out.push_str("\\\\");
            i += 2;
            continue;
        }
        if bytes[i] == b'\\' && i + 5 < bytes.len() && bytes[i + 1] == b'u' {
            if let Some(cp) = bytes.get(i + 2..i + 6).and_then(hex) {
                if (0xD800..0xDC00).contains(&cp) {
                    let next_low = bytes.get(i + 6..i + 8) == Some(b"\\u")
                        && bytes.get(i + 8..i + 12).and_then(hex).is_some_and(|c| (0xDC00..0xE000).contains(&c));
                    if next_low {
                        out.push_str(&text[i..i + 12]);
                        i += 12;
                        continue;
                    }
                    out.push_str("\\uFFFD");
                    changed = true;
                    i += 6;
                    continue;
                } else if (0xDC00..0xE000).contains(&cp) {
                    out.push_str("\\uFFFD");
                    changed = true;
                    i += 6;
                    continue;
                }
            }
        }
        let ch = text[i..].chars().next().unwrap_or('\u{FFFD}');
        out.push(ch);
        i += ch.len_utf8();
    }
    changed.then_some(out)
}

/// Runs the reader's whole decoding path over arbitrary bytes, without a connection: frame
/// decoding (the first byte chooses how the input is split into reads), message
/// classification, lone-surrogate repair, event parsing and the typed event views. For the
/// fuzz targets in `core/fuzz`; returns the number of frames decoded.
#[doc(hidden)]
pub fn fuzz_decode(data: &[u8]) -> usize {
    let Some((&split, rest)) = data.split_first() else { return 0 };
    let step = usize::from(split).max(1);
    let mut d = FrameDecoder::new(1 << 20);
    let mut frames = 0;
    for chunk in rest.chunks(step) {
        d.extend(chunk);
        loop {
            match d.next_frame() {
                Ok(Some(f)) => {
                    frames += 1;
                    fuzz_message(&f);
                }
                Ok(None) => break,
                Err(_) => return frames,
            }
        }
    }
    frames
}

fn fuzz_message(frame: &[u8]) {
    let text = String::from_utf8_lossy(frame);
    let parse = |t: &str| {
        if let Ok(m) = serde_json::from_str::<RawMessage<'_>>(t) {
            if let (None, Some("session.event"), Some(p)) = (m.id, m.method.as_deref(), m.params) {
                if let Ok(v) = serde_json::from_str::<Value>(p.get()) {
                    if let Ok(ev) = serde_json::from_value::<crate::events::SessionEvent>(v["event"].clone()) {
                        let _ = ev.typed();
                    }
                }
            }
        }
    };
    parse(&text);
    if let Some(fixed) = repair_lone_surrogates(&text) {
        parse(&fixed);
    }
}

/// Answers a server request that nobody handles.
pub(crate) fn method_not_found(conn: &Connection, id: Value, method: &str) {
    conn.respond(id, Err((METHOD_NOT_FOUND, format!("Unhandled method {method}"))));
}

#[cfg(test)]
mod tests {
    use super::*;

    fn frame(s: &str) -> Vec<u8> {
        encode_frame(s.as_bytes())
    }

    #[test]
    fn decodes_partial_and_coalesced_reads() {
        let mut bytes = frame(r#"{"a":1}"#);
        bytes.extend(frame(r#"{"b":"é"}"#));
        bytes.extend(frame(r#"{"c":3}"#));
        let mut d = FrameDecoder::new(1024);
        let mut got = Vec::new();
        for b in &bytes {
            d.extend(std::slice::from_ref(b));
            while let Some(f) = d.next_frame().expect("valid") {
                got.push(String::from_utf8(f).expect("utf8"));
            }
        }
        assert_eq!(got, vec![r#"{"a":1}"#, r#"{"b":"é"}"#, r#"{"c":3}"#]);
        let mut d = FrameDecoder::new(1024);
        d.extend(&bytes);
        assert_eq!(d.next_frame().expect("ok").as_deref(), Some(&br#"{"a":1}"#[..]));
        assert!(d.next_frame().expect("ok").is_some());
        assert!(d.next_frame().expect("ok").is_some());
        assert!(d.next_frame().expect("ok").is_none());
        assert_eq!(d.pending_bytes(), 0);
    }

    #[test]
    fn header_terminator_split_across_reads_is_found() {
        let f = frame(r#"{"a":1}"#);
        for cut in 1..f.len() {
            let mut d = FrameDecoder::new(1024);
            d.extend(&f[..cut]);
            let first = d.next_frame().expect("ok");
            d.extend(&f[cut..]);
            let got = first.or_else(|| d.next_frame().expect("ok"));
            assert_eq!(got.as_deref(), Some(&br#"{"a":1}"#[..]), "cut at {cut}");
        }
        // Garbage without a blank line, one byte per read: refused once past the header cap.
        let mut d = FrameDecoder::new(1024);
        let mut refused = false;
        for _ in 0..(MAX_HEADER_BYTES + 8) {
            d.extend(b"a");
            if d.next_frame().is_err() {
                refused = true;
                break;
            }
        }
        assert!(refused);
    }

    #[test]
    fn length_counts_bytes_not_chars() {
        let body = "{\"x\":\"日本語\"}";
        let mut d = FrameDecoder::new(1024);
        d.extend(&encode_frame(body.as_bytes()));
        assert_eq!(d.next_frame().expect("ok").expect("frame"), body.as_bytes());
    }

    #[test]
    fn headers_are_case_insensitive_and_extra_headers_ignored() {
        let mut d = FrameDecoder::new(1024);
        d.extend(b"content-type: application/json\r\nCONTENT-LENGTH: 2\r\n\r\n{}");
        assert_eq!(d.next_frame().expect("ok").expect("frame"), b"{}");
    }

    #[test]
    fn malformed_headers_are_errors_not_panics() {
        for bad in [
            &b"Content-Type: x\r\n\r\n{}"[..],
            b"Content-Length: abc\r\n\r\n{}",
            b"Content-Length: -5\r\n\r\n{}",
            b"no colon here\r\n\r\n",
        ] {
            let mut d = FrameDecoder::new(1024);
            d.extend(bad);
            assert!(matches!(d.next_frame(), Err(Error::Protocol(_))), "{:?}", String::from_utf8_lossy(bad));
        }
    }

    #[test]
    fn oversized_frames_are_rejected_before_allocation() {
        let mut d = FrameDecoder::new(1024);
        d.extend(b"Content-Length: 99999999999\r\n\r\n");
        let err = d.next_frame().expect_err("too big");
        assert!(err.to_string().contains("exceeds"), "{err}");
    }

    #[test]
    fn header_without_terminator_is_bounded() {
        let mut d = FrameDecoder::new(1024);
        d.extend(&vec![b'a'; MAX_HEADER_BYTES + 10]);
        assert!(d.next_frame().is_err());
    }

    #[test]
    fn body_past_eof_waits_for_more() {
        let mut d = FrameDecoder::new(1024);
        d.extend(b"Content-Length: 10\r\n\r\n{}");
        assert!(d.next_frame().expect("ok").is_none());
    }

    #[test]
    fn repairs_lone_surrogates() {
        let fixed = repair_lone_surrogates(r#"{"a":"x\uD800y","b":"\uD83D\uDE00"}"#).expect("changed");
        let v: Value = serde_json::from_str(&fixed).expect("parses");
        assert_eq!(v["a"], "x\u{FFFD}y");
        assert_eq!(v["b"], "😀");
        assert!(repair_lone_surrogates(r#"{"a":"\\uD800"}"#).is_none());
    }

    #[test]
    fn decoding_arbitrary_bytes_never_panics() {
        // A cheap stand-in for the fuzzer in every test run: tricky seeds plus pseudo-random
        // mutations of valid traffic.
        let event = r#"{"jsonrpc":"2.0","method":"session.event","params":{"sessionId":"s","event":{"type":"session.info","data":{"infoType":"remote","url":"u"},"id":"1","timestamp":"t","parentId":null}}}"#;
        let mut seeds: Vec<Vec<u8>> = vec![
            vec![],
            b"\x01Content-Length: 5\r\n\r\n{}".to_vec(),
            [&[3u8][..], &encode_frame(event.as_bytes())].concat(),
            [&[1u8][..], &encode_frame(br#"{"id":1,"result":{"x":"\uD800"}}"#)].concat(),
            [&[7u8][..], b"Content-Length: 18446744073709551616\r\n\r\n"].concat(),
        ];
        let mut x: u64 = 0x9E37_79B9_7F4A_7C15;
        let mut rnd = move || {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            x
        };
        let base = [&[5u8][..], &encode_frame(event.as_bytes()), &encode_frame(event.as_bytes())].concat();
        for _ in 0..20_000 {
            let mut m = base.clone();
            for _ in 0..(rnd() % 8) {
                let i = (rnd() as usize) % m.len();
                m[i] = rnd() as u8;
            }
            seeds.push(m);
        }
        for s in &seeds {
            let _ = fuzz_decode(s);
        }
        assert_eq!(fuzz_decode(&base), 2);
    }

    struct Recorder(Mutex<Vec<String>>, Mutex<Option<String>>);
    impl Dispatcher for Recorder {
        fn dispatch(&self, conn: &Arc<Connection>, msg: Incoming<'_>) {
            match msg {
                Incoming::Notification { method, .. } => self.0.lock().push(format!("n:{method}")),
                Incoming::Request { id, method, .. } => {
                    self.0.lock().push(format!("r:{method}"));
                    method_not_found(conn, id, method);
                }
            }
        }
        fn closed(&self, reason: &str) {
            *self.1.lock() = Some(reason.to_owned());
        }
    }

    async fn read_frame(r: &mut (impl AsyncRead + Unpin), d: &mut FrameDecoder) -> Value {
        let mut buf = [0u8; 4096];
        loop {
            if let Some(f) = d.next_frame().expect("ok") {
                return serde_json::from_slice(&f).expect("json");
            }
            let n = r.read(&mut buf).await.expect("read");
            assert!(n > 0, "eof");
            d.extend(&buf[..n]);
        }
    }

    #[tokio::test]
    async fn engine_correlates_routes_and_fails_pending_on_close() {
        let (client_side, server_side) = tokio::io::duplex(1 << 16);
        let (cr, cw) = tokio::io::split(client_side);
        let (mut sr, mut sw) = tokio::io::split(server_side);
        let rec = Arc::new(Recorder(Mutex::new(vec![]), Mutex::new(None)));
        let conn = Connection::start(cr, cw, rec.clone(), 1 << 20, Some(Duration::from_secs(5)));

        let c1 = conn.clone();
        let a = tokio::spawn(async move { c1.request("first", serde_json::json!({})).await });
        let c2 = conn.clone();
        let b = tokio::spawn(async move { c2.request("second", serde_json::json!({})).await });
        let mut d = FrameDecoder::new(1 << 20);
        let m1 = read_frame(&mut sr, &mut d).await;
        let m2 = read_frame(&mut sr, &mut d).await;
        let (first, second) = if m1["method"] == "first" { (m1, m2) } else { (m2, m1) };
        // Answer out of order, with a notification, a server request and junk in between.
        let mut out = Vec::new();
        out.extend(frame(&format!(r#"{{"jsonrpc":"2.0","id":{},"result":{{"v":2}}}}"#, second["id"])));
        out.extend(frame(r#"{"jsonrpc":"2.0","method":"note","params":{}}"#));
        out.extend(frame(r#"[1,2,3]"#));
        out.extend(frame(r#"{"jsonrpc":"2.0","id":7,"method":"mystery","params":{}}"#));
        out.extend(frame(&format!(
            r#"{{"jsonrpc":"2.0","id":{},"error":{{"code":-32603,"message":"nope"}}}}"#,
            first["id"]
        )));
        sw.write_all(&out).await.expect("write");
        assert_eq!(b.await.expect("join").expect("ok")["v"], 2);
        let err = a.await.expect("join").expect_err("rpc error");
        assert_eq!(err.rpc_code(), Some(-32603));
        // The junk frame got -32600, the unknown request -32601.
        let junk = read_frame(&mut sr, &mut d).await;
        assert_eq!(junk["error"]["code"], -32600);
        let unknown = read_frame(&mut sr, &mut d).await;
        assert_eq!(unknown["id"], 7);
        assert_eq!(unknown["error"]["code"], -32601);
        assert_eq!(*rec.0.lock(), vec!["n:note".to_owned(), "r:mystery".to_owned()]);

        // A pending call fails at once when the peer goes away.
        let c3 = conn.clone();
        let pending = tokio::spawn(async move { c3.request_with_timeout("hang", serde_json::json!({}), None).await });
        let _ = read_frame(&mut sr, &mut d).await;
        drop(sw);
        drop(sr);
        let err = tokio::time::timeout(Duration::from_secs(2), pending).await.expect("prompt").expect("join");
        assert!(matches!(err, Err(Error::ConnectionLost { .. })), "{err:?}");
        assert!(rec.1.lock().is_some());
        assert!(matches!(conn.request("late", Value::Null).await, Err(Error::ConnectionLost { .. })));
    }

    #[tokio::test]
    async fn request_timeout_is_typed() {
        let (client_side, _server_side) = tokio::io::duplex(1 << 16);
        let (cr, cw) = tokio::io::split(client_side);
        let rec = Arc::new(Recorder(Mutex::new(vec![]), Mutex::new(None)));
        let conn = Connection::start(cr, cw, rec, 1 << 20, None);
        let err = conn
            .request_with_timeout("slow", Value::Null, Some(Duration::from_millis(50)))
            .await
            .expect_err("times out");
        assert!(matches!(err, Error::Timeout { .. }), "{err:?}");
    }
}
