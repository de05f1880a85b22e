//! dealbot answers questions about the Microsoft–OpenAI partnership deal, in Slack, Discord, a
//! terminal or over HTTP, with every answer backed by verbatim quotes from a fixed set of
//! source articles.
//!
//! Map of the crate:
//!
//! - [`engine`]: the pure answer engine. Loads and validates `seeds/` and `intents/`, normalises
//!   questions, matches them to intents, composes cited answers. No I/O, no async.
//! - [`cli`]: the `dealbot` command line (`ask`, `chat`, `eval`, `check`, `intents`).
//!
//! The data format is documented in `intents/README.md`.

pub mod cli;
pub mod engine;

pub use engine::{Answer, Engine};
