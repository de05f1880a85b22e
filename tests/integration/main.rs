//! Integration tests, built as one binary (ripgrep's layout): one module per area.

mod cli;
mod cost;
mod data;
mod discord;
mod engine;
mod forms;
mod replies;
mod server;
mod slack;
mod store;

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

/// A `dealbot serve` running on `127.0.0.1:0` in this test's runtime.
pub struct Served {
    pub addr: std::net::SocketAddr,
    pub control: dealbot::server::Control,
    task: tokio::task::JoinHandle<anyhow::Result<()>>,
    /// Holds the SQLite store of a server started with the default `store.url`.
    _store_dir: Option<tempfile::TempDir>,
}

/// The default store is `dealbot.db` in the working directory: keep tests out of the tree by
/// pointing it at a temporary directory, which the caller keeps alive.
pub fn isolate_store(settings: &mut dealbot::settings::Settings) -> Option<tempfile::TempDir> {
    use secrecy::ExposeSecret;
    (settings.store.url.expose_secret() == dealbot::settings::DEFAULT_STORE_URL).then(|| {
        let dir = tempfile::tempdir().unwrap();
        let url = format!("sqlite://{}", dir.path().join("dealbot.db").display());
        settings.store.url = url.into();
        dir
    })
}

impl Served {
    pub async fn start(mut settings: dealbot::settings::Settings) -> Served {
        let store_dir = isolate_store(&mut settings);
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        let control = dealbot::server::Control::default();
        let task = tokio::spawn(dealbot::server::run(settings, listener, control.clone()));
        Served {
            addr,
            control,
            task,
            _store_dir: store_dir,
        }
    }

    pub fn url(&self, path: &str) -> String {
        format!("http://{}{path}", self.addr)
    }

    /// `POST /v1/ask` with `body`: the JSON answer (or error).
    pub async fn ask_json(&self, body: serde_json::Value) -> serde_json::Value {
        reqwest::Client::new()
            .post(self.url("/v1/ask"))
            .json(&body)
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap()
    }

    pub async fn metrics(&self) -> String {
        reqwest::get(self.url("/metrics"))
            .await
            .unwrap()
            .text()
            .await
            .unwrap()
    }

    /// Shuts down and waits (bounded) for a clean exit.
    pub async fn stop(self) {
        self.control.shutdown.cancel();
        let result = tokio::time::timeout(std::time::Duration::from_secs(15), self.task).await;
        result.expect("server stops in time").unwrap().unwrap();
    }
}
