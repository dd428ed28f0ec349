//! # copilot-uniffi
//!
//! The Copilot SDK core ([`copilot_core`]) exported through UniFFI proc-macros for Kotlin
//! (JVM and Android, through JNA) and Swift (Apple platforms). This crate only adapts: every
//! behaviour lives in the core.
//!
//! The shape of the surface:
//! - [`client::CopilotClient`] and [`session::CopilotSession`] are objects with async methods
//!   (Kotlin `suspend fun`, Swift `async throws`), polled on one tokio runtime
//!   ([`runtime`]).
//! - Host callbacks (permissions, tools, user input, hooks, elicitation, plan-mode exits,
//!   event listeners) are foreign traits
//!   ([`handlers`], [`events::SessionEventListener`]): Kotlin and Swift implement them.
//! - Events are pulled in batches from an [`events::EventStream`] (one async call per batch);
//!   the hand-written Kotlin `Flow` and Swift `AsyncStream` helpers sit on top. A per-event
//!   listener plus a [`events::TaskHandle`] is the simpler, slower alternative.
//! - Teardown is explicit (`stop`, `disconnect`); dropping an object from a foreign garbage
//!   collector thread is safe but does not replace them.
//! - Every failure is one error type with cases, [`error::CopilotError`]
//!   (Kotlin `CopilotException`).
#![warn(missing_docs)]

uniffi::setup_scaffolding!();

/// The library's own allocator on Linux and Android (see Cargo.toml): it only serves memory
/// Rust allocates and frees, which is everything this library hands out (record buffers go
/// back through `rustbuffer_free`).
#[cfg(any(target_os = "linux", target_os = "android"))]
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

pub mod client;
pub mod error;
pub mod events;
pub mod handlers;
pub mod runtime;
pub mod session;
pub mod types;
