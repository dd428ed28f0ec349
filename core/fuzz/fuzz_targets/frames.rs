//! Frame decoder + message classification + event parsing over arbitrary bytes.
#![no_main]
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let _ = copilot_core::jsonrpc::fuzz_decode(data);
});
