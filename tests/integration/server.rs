//! `dealbot serve` on a real loopback listener: every route, error paths, rate limits, reload,
//! graceful shutdown, adapter supervision, and secrets kept out of logs.

use std::sync::{Arc, Mutex};
use std::time::Duration;

use dealbot::adapters::{self, Adapter};
use dealbot::server::{self, AppState, Control};
use dealbot::settings::Settings;
use futures_util::future::BoxFuture;
use reqwest::StatusCode;
use serde_json::{Value, json};
use tokio_util::sync::CancellationToken;

use crate::data::DataCopy;

type Running = crate::Served;

async fn ask(running: &Running, question: &str) -> (StatusCode, Value) {
    let response = reqwest::Client::new()
        .post(running.url("/v1/ask"))
        .json(&json!({ "question": question }))
        .send()
        .await
        .unwrap();
    let status = response.status();
    (status, response.json().await.unwrap())
}

async fn start(settings: Settings) -> Running {
    crate::Served::start(settings).await
}

fn settings() -> Settings {
    let mut s = Settings::default();
    s.limits.per_user_per_minute = 1000;
    s.limits.global_per_second = 1000;
    s
}

async fn post_raw(
    running: &Running,
    content_type: Option<&str>,
    body: Vec<u8>,
) -> (StatusCode, Value) {
    let mut request = reqwest::Client::new()
        .post(running.url("/v1/ask"))
        .body(body);
    if let Some(ct) = content_type {
        request = request.header("content-type", ct);
    }
    let response = request.send().await.unwrap();
    let status = response.status();
    (status, response.json().await.unwrap_or(Value::Null))
}

#[tokio::test]
async fn serves_health_page_and_metrics() {
    let running = start(settings()).await;
    let health = reqwest::get(running.url("/healthz")).await.unwrap();
    assert_eq!(health.status(), StatusCode::OK);

    let page = reqwest::get(running.url("/")).await.unwrap();
    assert_eq!(page.status(), StatusCode::OK);
    assert!(
        page.headers()["content-type"]
            .to_str()
            .unwrap()
            .starts_with("text/html")
    );
    let html = page.text().await.unwrap();
    assert!(
        html.contains("<form") && html.contains("fetch(\"/v1/ask\""),
        "page must post to /v1/ask"
    );
    assert!(
        !html.contains("http://") && !html.contains("https://"),
        "page loads nothing from elsewhere"
    );

    ask(&running, "When does the revenue share end?").await;
    ask(&running, "What's the weather?").await;
    let metrics = running.metrics().await;
    assert!(metrics.contains(r#"dealbot_questions_total{platform="http",intent="revenue_share_end",answered="true"} 1"#), "{metrics}");
    assert!(
        metrics.contains(
            r#"dealbot_questions_total{platform="http",intent="none",answered="false"} 1"#
        ),
        "{metrics}"
    );
    assert!(
        metrics.contains("dealbot_answer_latency_seconds_count{platform=\"http\"} 2"),
        "{metrics}"
    );
    running.stop().await;
}

#[tokio::test]
async fn ask_returns_the_same_object_as_the_cli() {
    let running = start(settings()).await;
    for q in ["Can OpenAI use Google Cloud?", "What did Nadella say?", ""] {
        let (status, body) = ask(&running, q).await;
        assert_eq!(status, StatusCode::OK);
        assert_eq!(
            body,
            serde_json::to_value(crate::engine().answer(q)).unwrap(),
            "{q}"
        );
    }
    running.stop().await;
}

#[tokio::test]
async fn client_errors_get_json_errors_and_are_counted() {
    let running = start(settings()).await;
    let json = Some("application/json");
    let cases: Vec<(Option<&str>, Vec<u8>, StatusCode)> = vec![
        (json, b"{not json".to_vec(), StatusCode::BAD_REQUEST),
        (json, b"{}".to_vec(), StatusCode::UNPROCESSABLE_ENTITY),
        (
            json,
            b"{\"question\": 42}".to_vec(),
            StatusCode::UNPROCESSABLE_ENTITY,
        ),
        (
            json,
            b"[\"question\"]".to_vec(),
            StatusCode::UNPROCESSABLE_ENTITY,
        ),
        (
            Some("text/plain"),
            b"{\"question\": \"hi\"}".to_vec(),
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
        ),
        (
            None,
            b"{\"question\": \"hi\"}".to_vec(),
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
        ),
        (json, vec![b' '; 70 * 1024], StatusCode::PAYLOAD_TOO_LARGE),
        (
            json,
            b"{\"question\": \"\xff\xfe\"}".to_vec(),
            StatusCode::BAD_REQUEST,
        ),
    ];
    for (content_type, body, expected) in cases {
        let shown = String::from_utf8_lossy(&body[..body.len().min(30)]).into_owned();
        let (status, value) = post_raw(&running, content_type, body).await;
        assert_eq!(status, expected, "{content_type:?} {shown}");
        assert!(
            value["error"].as_str().is_some_and(|e| !e.is_empty()),
            "{shown}: {value}"
        );
    }
    // A large but allowed body with odd Unicode is answered.
    let (status, body) = ask(&running, &"\u{202e}💥\u{0}é".repeat(3000)).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(body["answered"], false);
    let metrics = running.metrics().await;
    for reason in ["bad_json", "bad_question", "content_type", "too_large"] {
        assert!(
            metrics.contains(&format!(
                "dealbot_rejected_requests_total{{reason=\"{reason}\"}}"
            )),
            "{reason}: {metrics}"
        );
    }
    let get = reqwest::get(running.url("/v1/ask")).await.unwrap();
    assert_eq!(get.status(), StatusCode::METHOD_NOT_ALLOWED);
    running.stop().await;
}

#[tokio::test]
async fn rate_limit_answers_429_with_a_friendly_message() {
    let mut s = settings();
    s.limits.per_user_per_minute = 2;
    let running = start(s).await;
    assert_eq!(ask(&running, "hi").await.0, StatusCode::OK);
    assert_eq!(ask(&running, "hi").await.0, StatusCode::OK);
    let (status, body) = ask(&running, "hi").await;
    assert_eq!(status, StatusCode::TOO_MANY_REQUESTS);
    assert!(
        body["error"].as_str().unwrap().contains("wait a minute"),
        "{body}"
    );
    let metrics = running.metrics().await;
    assert!(
        metrics.contains("dealbot_rate_limited_total{platform=\"http\"} 1"),
        "{metrics}"
    );
    running.stop().await;
}

async fn wait_for(
    running: &Running,
    question: &str,
    mut done: impl FnMut(&Value) -> bool,
) -> Value {
    for _ in 0..100 {
        let (_, body) = ask(running, question).await;
        if done(&body) {
            return body;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    panic!("condition not reached for {question}");
}

async fn reload_count(running: &Running, reason: &str) -> bool {
    let metrics = running.metrics().await;
    metrics.contains(&format!(
        "dealbot_data_reloads_total{{reason=\"{reason}\"}} 1"
    ))
}

#[tokio::test]
async fn reload_rejects_broken_data_and_swaps_in_good_data() {
    let copy = DataCopy::new();
    let mut s = settings();
    s.data_dir = Some(copy.root.clone());
    let running = start(s).await;
    let q = "Is OpenAI going public?";
    let (_, before) = ask(&running, q).await;
    assert_eq!(before["intent"], "ipo");

    // A broken set is rejected; the old one keeps serving.
    copy.edit(
        "intents/ipo.toml",
        "distribute broadly",
        "distribute widely",
    );
    copy.edit(
        "intents/ipo.toml",
        "The sources mention a potential IPO",
        "BROKEN SET",
    );
    running.control.reload.notify_one();
    for _ in 0..100 {
        if reload_count(&running, "rejected").await {
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    assert!(reload_count(&running, "rejected").await);
    let (_, during) = ask(&running, q).await;
    assert_eq!(during, before);

    // Fix the quote: the new answer text goes live.
    copy.edit(
        "intents/ipo.toml",
        "distribute widely",
        "distribute broadly",
    );
    running.control.reload.notify_one();
    let after = wait_for(&running, q, |b| {
        // A yes/no question: the verdict leads, then the intent's answer.
        b["text"].as_str().unwrap().contains("BROKEN SET")
    })
    .await;
    assert_eq!(after["intent"], "ipo");
    running.stop().await;
}

#[tokio::test]
async fn shutdown_finishes_and_stops_accepting() {
    let running = start(settings()).await;
    let addr = running.addr;
    assert_eq!(ask(&running, "hi").await.0, StatusCode::OK);
    running.stop().await;
    assert!(
        tokio::net::TcpStream::connect(addr).await.is_err(),
        "still accepting after shutdown"
    );
}

#[tokio::test]
async fn a_broken_data_dir_fails_start_with_the_errors() {
    let copy = DataCopy::new();
    copy.edit(
        "intents/ipo.toml",
        "distribute broadly",
        "distribute widely",
    );
    let mut s = settings();
    s.data_dir = Some(copy.root.clone());
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let err = server::run(s, listener, Control::default())
        .await
        .unwrap_err();
    assert!(format!("{err:#}").contains("intents/ipo.toml"), "{err:#}");
}

/// Writes log output to a shared buffer.
#[derive(Clone, Default)]
struct Captured(Arc<Mutex<Vec<u8>>>);

impl std::io::Write for Captured {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(buf);
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

#[tokio::test(flavor = "current_thread")]
async fn configured_secrets_never_appear_in_logs() {
    let captured = Captured::default();
    let writer = captured.clone();
    let subscriber = tracing_subscriber::fmt()
        .with_max_level(tracing::Level::TRACE)
        .with_writer(move || writer.clone())
        .finish();
    let _guard = tracing::subscriber::set_default(subscriber);

    let secrets = [
        "xoxb-111-SECRET-bot",
        "xapp-222-SECRET-app",
        "SECRET-signing-333",
        "SECRET.discord.444",
    ];
    let env = [
        ("DEALBOT_SLACK__BOT_TOKEN", secrets[0]),
        ("DEALBOT_SLACK__APP_TOKEN", secrets[1]),
        ("DEALBOT_SLACK__SIGNING_SECRET", secrets[2]),
        ("DEALBOT_DISCORD__TOKEN", secrets[3]),
        ("DEALBOT_LOG__QUESTIONS", "true"),
    ]
    .map(|(k, v)| (k.to_owned(), v.to_owned()));
    let mut s = Settings::load_from(None, env).unwrap();
    s.limits = settings().limits;
    let running = start(s).await;
    ask(&running, &format!("is {} a token?", "nothing")).await;
    running.stop().await;

    let logs = String::from_utf8(captured.0.lock().unwrap().clone()).unwrap();
    assert!(
        logs.contains("starting") && logs.contains("question"),
        "logs were captured: {logs}"
    );
    for secret in secrets {
        assert!(!logs.contains(secret), "{secret} leaked into logs");
    }
    assert!(!logs.contains("SECRET"), "a secret leaked: {logs}");
}

/// Fails its first two runs, then runs until shutdown.
struct Flaky {
    runs: Mutex<u32>,
}

impl Adapter for Flaky {
    fn name(&self) -> &'static str {
        "flaky"
    }

    fn run(
        self: Arc<Self>,
        _state: Arc<AppState>,
        shutdown: CancellationToken,
    ) -> BoxFuture<'static, anyhow::Result<()>> {
        Box::pin(async move {
            let run = {
                let mut runs = self.runs.lock().unwrap();
                *runs += 1;
                *runs
            };
            if run <= 2 {
                anyhow::bail!("connection lost (run {run})");
            }
            shutdown.cancelled().await;
            Ok(())
        })
    }
}

#[tokio::test(start_paused = true)]
async fn failed_adapters_are_restarted_with_backoff_until_shutdown() {
    let state = Arc::new(AppState::new(
        Settings::default(),
        dealbot::Engine::bundled().unwrap(),
    ));
    let flaky = Arc::new(Flaky {
        runs: Mutex::new(0),
    });
    let shutdown = CancellationToken::new();
    let task = tokio::spawn(adapters::supervise(
        flaky.clone(),
        state.clone(),
        shutdown.clone(),
    ));
    // Backoff is 1 s then 2 s; with time paused, sleeping 10 s lets both restarts happen.
    tokio::time::sleep(Duration::from_secs(10)).await;
    assert_eq!(*flaky.runs.lock().unwrap(), 3);
    shutdown.cancel();
    tokio::time::timeout(Duration::from_secs(1), task)
        .await
        .unwrap()
        .unwrap();
    assert!(
        state
            .metrics
            .encode()
            .contains("dealbot_adapter_restarts_total{adapter=\"flaky\"} 2")
    );
}
