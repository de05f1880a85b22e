//! Integration tests, built as one binary (ripgrep's layout): one module per area.

mod cli;
mod data;
mod discord;
mod engine;
mod server;
mod slack;

use std::sync::OnceLock;

use dealbot::Engine;

/// The bundled engine, loaded once for the whole binary.
pub fn engine() -> &'static Engine {
    static ENGINE: OnceLock<Engine> = OnceLock::new();
    ENGINE.get_or_init(|| match Engine::bundled() {
        Ok(engine) => engine,
        Err(err) => panic!("bundled data must load: {err}"),
    })
}
