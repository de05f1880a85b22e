//! dealbot answers questions about the Microsoft–OpenAI partnership deal, in Slack, Discord, a
//! terminal or over HTTP, with every answer backed by verbatim quotes from a fixed set of
//! source articles.
//!
//! Map of the crate:
//!
//! - [`engine`]: the pure answer engine. Loads and validates `seeds/` and `intents/`, normalises
//!   questions, matches them to intents, composes cited answers. No I/O, no async.
//! - [`settings`]: configuration for `dealbot serve` (file, environment, secrets).
//! - [`app`]: the state every front end shares (engine handle, store, limits, metrics,
//!   conversations) and [`app::AppState::answer`], the one way a question reaches the engine.
//! - [`server`]: `dealbot serve`: HTTP API, web page, metrics, rate limits, reload, shutdown,
//!   and the runtime that hosts the chat adapters.
//! - [`render`]: answers as platform messages (Slack Block Kit, Discord embeds, the server-rendered
//!   web page): short by default, sources named once, every citation behind a Sources button.
//! - [`adapters`]: chat platform adapters (Slack) and their supervisor.
//! - [`store`]: what outlives a process or is shared by replicas (answers asked, feedback,
//!   conversation contexts, de-duplication keys) in SQLite or PostgreSQL, and the report over it.
//! - [`cli`]: the `dealbot` command line (`ask`, `chat`, `eval`, `check`, `intents`, `serve`).
//! - [`logging`]: log destination and colour (a failing stderr costs log lines only).
//!
//! The data format is documented in `intents/README.md`.

pub mod adapters;
pub mod app;
pub mod cli;
pub mod engine;
pub mod logging;
pub mod render;
pub mod server;
pub mod settings;
pub mod store;

pub use engine::{Answer, Engine};
