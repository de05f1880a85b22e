//! `dealbot serve` on a real loopback listener: every route, error paths, rate limits, reload,
//! graceful shutdown, adapter supervision, and secrets kept out of logs.

use std::sync::{Arc, Mutex};
use std::time::Duration;

use dealbot::adapters::{self, Adapter};
use dealbot::app::AppState;
use dealbot::server::{self, Control};
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
        html.contains("<form method=\"get\" action=\"/\""),
        "the page asks with GET /?q=… (issue 11)"
    );
    assert!(
        !html.contains("src=\"http") && !html.contains("<script"),
        "page loads nothing from elsewhere and runs no script"
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
            )) && !metrics.contains(&format!(
                "dealbot_rejected_requests_total{{reason=\"{reason}\"}} 0"
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
        "distribute broadly could accelerate",
        "distribute widely could accelerate",
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
        "distribute widely could accelerate",
        "distribute broadly could accelerate",
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
        "distribute broadly could accelerate",
        "distribute widely could accelerate",
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
    let mut settings = Settings::default();
    let _store_dir = crate::isolate_store(&mut settings);
    let state = Arc::new(AppState::new(settings, dealbot::Engine::bundled().unwrap()).unwrap());
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

// ---- issue 8: hardening ----------------------------------------------------------------------

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

/// Starts the server over state the test keeps a handle on.
pub(crate) async fn start_with_state(mut settings: Settings) -> (Running, Arc<AppState>) {
    let store_dir = crate::isolate_store(&mut settings);
    let state = Arc::new(AppState::new(settings, dealbot::Engine::bundled().unwrap()).unwrap());
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let control = Control::default();
    let task = tokio::spawn(server::serve(state.clone(), listener, control.clone()));
    (
        crate::Served {
            addr,
            control,
            task,
            _store_dir: store_dir,
        },
        state,
    )
}

/// True when the server closes `stream` (EOF or reset) within a generous bound, after sending
/// whatever it sends.
async fn closed_by_server(stream: &mut TcpStream) -> bool {
    let mut buf = [0u8; 4096];
    loop {
        match tokio::time::timeout(Duration::from_secs(15), stream.read(&mut buf)).await {
            Ok(Ok(0)) | Ok(Err(_)) => return true,
            Ok(Ok(_)) => continue,
            Err(_) => return false,
        }
    }
}

/// Reads one HTTP response (head and a Content-Length body) from a raw stream.
pub(crate) async fn read_response(stream: &mut TcpStream) -> (u16, String) {
    let mut data = Vec::new();
    let mut buf = [0u8; 4096];
    loop {
        let n = tokio::time::timeout(Duration::from_secs(15), stream.read(&mut buf))
            .await
            .expect("a response in time")
            .unwrap();
        data.extend_from_slice(&buf[..n]);
        let text = String::from_utf8_lossy(&data).into_owned();
        if let Some((head, body)) = text.split_once("\r\n\r\n") {
            let length = head
                .lines()
                .find_map(|l| {
                    l.to_ascii_lowercase()
                        .strip_prefix("content-length:")
                        .map(|v| v.trim().parse::<usize>().unwrap())
                })
                .unwrap_or(0);
            if body.len() >= length || n == 0 {
                let status = head[9..12].parse().unwrap();
                return (status, body.to_owned());
            }
        }
        assert!(n > 0, "connection closed mid-response: {text}");
    }
}

fn short_timeouts() -> Settings {
    let mut s = settings();
    s.http.header_read_timeout_ms = 200;
    s.http.keep_alive_idle_ms = 200;
    s.http.body_read_timeout_ms = 200;
    s
}

/// A connection that has sent half a request head (slowloris).
async fn half_sent_header(addr: std::net::SocketAddr) -> TcpStream {
    let mut stream = TcpStream::connect(addr).await.unwrap();
    stream
        .write_all(b"GET /healthz HTTP/1.1\r\nHost: x\r\nX-Slow: ")
        .await
        .unwrap();
    stream
}

/// A keep-alive connection that has been served one request and now idles.
async fn after_one_request(addr: std::net::SocketAddr) -> TcpStream {
    let mut stream = TcpStream::connect(addr).await.unwrap();
    stream
        .write_all(b"GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n")
        .await
        .unwrap();
    let (status, body) = read_response(&mut stream).await;
    assert_eq!((status, body.as_str()), (200, "ok\n"));
    stream
}

/// True when the server keeps `stream` open (nothing read, no close) for `wait`.
async fn kept_open(stream: &mut TcpStream, wait: Duration) -> bool {
    let mut buf = [0u8; 64];
    tokio::time::timeout(wait, stream.read(&mut buf))
        .await
        .is_err()
}

/// The head timeout and the idle keep-alive timeout are separate keys: each closes only its own
/// kind of connection.
#[tokio::test]
async fn the_head_and_idle_timeouts_are_separate() {
    // A short head timeout, a long idle one: slowloris goes, an idle keep-alive stays.
    let mut s = settings();
    s.http.header_read_timeout_ms = 200;
    s.http.keep_alive_idle_ms = 30_000;
    let running = start(s).await;
    let mut slow = half_sent_header(running.addr).await;
    let mut idle = after_one_request(running.addr).await;
    assert!(closed_by_server(&mut slow).await, "slowloris kept open");
    assert!(
        kept_open(&mut idle, Duration::from_millis(1500)).await,
        "an idle keep-alive connection was closed by the head timeout"
    );
    // And it still serves its next request.
    idle.write_all(b"GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n")
        .await
        .unwrap();
    assert_eq!(read_response(&mut idle).await.0, 200);
    running.stop().await;

    // A long head timeout, a short idle one: the idle connection goes, a slow head stays.
    let mut s = settings();
    s.http.header_read_timeout_ms = 30_000;
    s.http.keep_alive_idle_ms = 200;
    let running = start(s).await;
    let mut idle = after_one_request(running.addr).await;
    let mut slow = half_sent_header(running.addr).await;
    assert!(
        closed_by_server(&mut idle).await,
        "idle connection kept open"
    );
    assert!(
        kept_open(&mut slow, Duration::from_millis(1500)).await,
        "a head within its timeout was closed"
    );
    running.stop().await;
}

#[tokio::test]
async fn a_half_sent_header_is_closed() {
    let running = start(short_timeouts()).await;
    let mut stream = half_sent_header(running.addr).await;
    assert!(
        closed_by_server(&mut stream).await,
        "slowloris connection kept open"
    );
    running.stop().await;
}

#[tokio::test]
async fn silent_and_idle_keep_alive_connections_are_closed() {
    let running = start(short_timeouts()).await;
    let mut silent = TcpStream::connect(running.addr).await.unwrap();
    assert!(
        closed_by_server(&mut silent).await,
        "silent connection kept open"
    );

    let mut idle = after_one_request(running.addr).await;
    assert!(
        closed_by_server(&mut idle).await,
        "idle keep-alive connection kept open"
    );
    running.stop().await;
}

#[tokio::test]
async fn a_stalled_body_gets_a_json_408() {
    let running = start(short_timeouts()).await;
    let mut stream = TcpStream::connect(running.addr).await.unwrap();
    stream
        .write_all(
            b"POST /v1/ask HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n{\"question\":",
        )
        .await
        .unwrap();
    let (status, body) = read_response(&mut stream).await;
    assert_eq!(status, 408, "{body}");
    let value: Value = serde_json::from_str(&body).unwrap();
    assert!(value["error"].as_str().is_some(), "{body}");
    running.stop().await;
}

#[tokio::test]
async fn the_connection_cap_holds_further_clients_until_a_slot_frees() {
    let mut s = settings();
    s.http.max_connections = 1;
    s.http.header_read_timeout_ms = 30_000;
    let running = start(s).await;
    let holder = TcpStream::connect(running.addr).await.unwrap();
    let client = reqwest::Client::builder()
        .timeout(Duration::from_millis(500))
        .build()
        .unwrap();
    let blocked = client.get(running.url("/healthz")).send().await;
    assert!(
        blocked.is_err(),
        "served past the connection cap: {blocked:?}"
    );
    drop(holder);
    let mut served = false;
    for _ in 0..50 {
        if let Ok(r) = client.get(running.url("/healthz")).send().await {
            assert_eq!(r.status(), StatusCode::OK);
            served = true;
            break;
        }
    }
    assert!(served, "a freed slot is used again");
    running.stop().await;
}

#[tokio::test]
async fn every_error_has_the_same_json_shape() {
    let mut s = settings();
    s.limits.per_user_per_minute = 1;
    let running = start(s).await;
    let client = reqwest::Client::new();
    let mut responses = vec![
        (
            StatusCode::NOT_FOUND,
            client.get(running.url("/nope")).send().await.unwrap(),
        ),
        (
            StatusCode::METHOD_NOT_ALLOWED,
            client.get(running.url("/v1/ask")).send().await.unwrap(),
        ),
        (
            StatusCode::METHOD_NOT_ALLOWED,
            client.post(running.url("/healthz")).send().await.unwrap(),
        ),
        (
            StatusCode::PAYLOAD_TOO_LARGE,
            client
                .post(running.url("/v1/ask"))
                .header("content-type", "application/json")
                .body(vec![b' '; 70 * 1024])
                .send()
                .await
                .unwrap(),
        ),
        (
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            client
                .post(running.url("/v1/ask"))
                .body("{\"question\": \"hi\"}")
                .send()
                .await
                .unwrap(),
        ),
    ];
    assert_eq!(ask(&running, "hi").await.0, StatusCode::OK);
    responses.push((
        StatusCode::TOO_MANY_REQUESTS,
        client
            .post(running.url("/v1/ask"))
            .json(&json!({ "question": "hi" }))
            .send()
            .await
            .unwrap(),
    ));
    for (expected, response) in responses {
        assert_eq!(response.status(), expected);
        let content_type = response.headers()["content-type"]
            .to_str()
            .unwrap()
            .to_owned();
        assert_eq!(content_type, "application/json", "{expected}");
        if expected == StatusCode::TOO_MANY_REQUESTS {
            let retry: u64 = response.headers()["retry-after"]
                .to_str()
                .unwrap()
                .parse()
                .unwrap();
            assert!((1..=60).contains(&retry), "{retry}");
        }
        if expected == StatusCode::METHOD_NOT_ALLOWED {
            assert!(response.headers().contains_key("allow"), "Allow is kept");
        }
        let body: Value = response.json().await.unwrap();
        let object = body.as_object().unwrap();
        assert_eq!(object.len(), 1, "{body}");
        assert!(
            body["error"].as_str().is_some_and(|e| !e.is_empty()),
            "{body}"
        );
    }
    let metrics = running.metrics().await;
    for reason in [
        "not_found",
        "method_not_allowed",
        "too_large",
        "rate_limited",
    ] {
        assert!(
            !metrics.contains(&format!(
                "dealbot_rejected_requests_total{{reason=\"{reason}\"}} 0"
            )),
            "{reason} counted: {metrics}"
        );
    }
    running.stop().await;
}

#[tokio::test]
async fn overload_gets_503_with_retry_after_and_health_stays_up() {
    let mut s = settings();
    s.limits.answer_threads = 1;
    s.limits.answer_queue = 0;
    let (running, state) = start_with_state(s).await;
    let held = state.pool.occupy().expect("a free slot");
    let response = reqwest::Client::new()
        .post(running.url("/v1/ask"))
        .json(&json!({ "question": "When does the revenue share end?" }))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::SERVICE_UNAVAILABLE);
    assert!(response.headers().contains_key("retry-after"));
    let body: Value = response.json().await.unwrap();
    assert!(body["error"].as_str().unwrap().contains("busy"), "{body}");
    let health = reqwest::get(running.url("/healthz")).await.unwrap();
    assert_eq!(
        health.status(),
        StatusCode::OK,
        "liveness is not stalled by answering"
    );
    drop(held);
    assert_eq!(ask(&running, "hi").await.0, StatusCode::OK);
    let metrics = running.metrics().await;
    assert!(
        metrics.contains("dealbot_busy_total{platform=\"http\"} 1"),
        "{metrics}"
    );
    running.stop().await;
}

#[tokio::test]
async fn a_queued_question_past_its_deadline_gets_503() {
    let mut s = settings();
    s.limits.answer_threads = 1;
    s.limits.answer_queue = 4;
    s.limits.answer_deadline_ms = 200;
    let (running, state) = start_with_state(s).await;
    let _held = state.pool.occupy().expect("a free slot");
    let (status, body) = ask(&running, "When does the revenue share end?").await;
    assert_eq!(status, StatusCode::SERVICE_UNAVAILABLE, "{body}");
    running.stop().await;
}

async fn ask_as(running: &Running, forwarded: &[(&str, &str)]) -> reqwest::Response {
    let mut request = reqwest::Client::new()
        .post(running.url("/v1/ask"))
        .json(&json!({ "question": "hi" }));
    for (k, v) in forwarded {
        request = request.header(*k, *v);
    }
    request.send().await.unwrap()
}

#[tokio::test]
async fn forwarded_headers_name_the_client_only_from_trusted_proxies() {
    // Untrusted peer: the headers are ignored, every request is the peer's.
    let mut s = settings();
    s.limits.per_user_per_minute = 1;
    let running = start(s.clone()).await;
    assert_eq!(
        ask_as(&running, &[("x-forwarded-for", "1.1.1.1")])
            .await
            .status(),
        StatusCode::OK
    );
    let second = ask_as(&running, &[("x-forwarded-for", "2.2.2.2")]).await;
    assert_eq!(second.status(), StatusCode::TOO_MANY_REQUESTS);
    assert!(second.headers().contains_key("retry-after"));
    running.stop().await;

    // Trusted peer (the test client is 127.0.0.1): each forwarded client has its own quota.
    s.http.trusted_proxies = vec!["127.0.0.0/8".parse().unwrap()];
    let running = start(s).await;
    assert_eq!(
        ask_as(&running, &[("x-forwarded-for", "1.1.1.1")])
            .await
            .status(),
        StatusCode::OK
    );
    assert_eq!(
        ask_as(&running, &[("x-forwarded-for", "9.9.9.9, 2.2.2.2")])
            .await
            .status(),
        StatusCode::OK,
        "the right-most untrusted hop is the client"
    );
    assert_eq!(
        ask_as(
            &running,
            &[("forwarded", "for=\"[2001:db8::1]:4711\";proto=https")]
        )
        .await
        .status(),
        StatusCode::OK
    );
    let again = ask_as(&running, &[("x-forwarded-for", "6.6.6.6, 1.1.1.1")]).await;
    assert_eq!(
        again.status(),
        StatusCode::TOO_MANY_REQUESTS,
        "a spoofed left hop changes nothing"
    );
    running.stop().await;
}

#[tokio::test]
async fn readyz_is_ready_without_adapters_and_every_family_starts_at_zero() {
    let running = start(settings()).await;
    let response = reqwest::get(running.url("/readyz")).await.unwrap();
    assert_eq!(response.status(), StatusCode::OK);
    let body: Value = response.json().await.unwrap();
    assert_eq!(
        body,
        json!({
            "ready": true,
            "degraded": false,
            "adapters": {},
            "store": "up",
            "store_backend": "sqlite",
        })
    );
    let metrics = running.metrics().await;
    for series in [
        "dealbot_store_errors_total{op=\"claim\"} 0",
        "dealbot_store_dropped_total 0",
        "dealbot_rate_limited_total{platform=\"slack\"} 0",
        "dealbot_busy_total{platform=\"discord\"} 0",
        "dealbot_answer_latency_seconds_count{platform=\"http\"} 0",
        "dealbot_rejected_requests_total{reason=\"too_large\"} 0",
        "dealbot_data_reloads_total{reason=\"rejected\"} 0",
        "dealbot_questions_total{platform=\"slack\",intent=\"none\",answered=\"false\"} 0",
    ] {
        assert!(metrics.contains(series), "{series}: {metrics}");
    }
    running.stop().await;
}

#[tokio::test(flavor = "current_thread")]
async fn refusals_are_logged_once_per_key_and_questions_never_without_the_setting() {
    let captured = Captured::default();
    let writer = captured.clone();
    let subscriber = tracing_subscriber::fmt()
        .with_max_level(tracing::Level::TRACE)
        .with_writer(move || writer.clone())
        .finish();
    let _guard = tracing::subscriber::set_default(subscriber);

    let mut s = settings();
    s.limits.per_user_per_minute = 1;
    let running = start(s).await;
    let marker = "zanzibar-marker-question";
    for _ in 0..6 {
        ask(&running, marker).await;
    }
    running.stop().await;
    let logs = String::from_utf8(captured.0.lock().unwrap().clone()).unwrap();
    assert!(logs.contains("question"), "logs were captured: {logs}");
    assert!(
        !logs.contains(marker),
        "question text logged without log.questions"
    );
    let limited: Vec<&str> = logs
        .lines()
        .filter(|l| l.contains("rate limited"))
        .collect();
    assert_eq!(limited.len(), 1, "{limited:#?}");
    assert!(
        limited[0].contains("http:127.0.0.1"),
        "names the key: {}",
        limited[0]
    );
}

/// Issue 8: out of file descriptors, `accept` fails with EMFILE; the server logs it (throttled),
/// backs off instead of spinning, and serves again once descriptors are free.
#[tokio::test]
async fn accept_errors_are_logged_with_backoff_and_serving_resumes() {
    let port = {
        let probe = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        probe.local_addr().unwrap().port()
    };
    let dir = tempfile::tempdir().unwrap();
    let log_path = dir.path().join("serve.log");
    let log = std::fs::File::create(&log_path).unwrap();
    let mut child = std::process::Command::new("sh")
        .arg("-c")
        .arg(format!(
            "ulimit -n 64 && exec '{}' serve",
            env!("CARGO_BIN_EXE_dealbot")
        ))
        .env("DEALBOT_HTTP__LISTEN", format!("127.0.0.1:{port}"))
        .env("DEALBOT_HTTP__MAX_CONNECTIONS", "1000")
        .env("DEALBOT_HTTP__HEADER_READ_TIMEOUT_MS", "60000")
        .env("RUST_LOG", "info")
        .stdin(std::process::Stdio::null())
        .stdout(std::process::Stdio::null())
        .stderr(log)
        .spawn()
        .unwrap();
    let url = format!("http://127.0.0.1:{port}/healthz");
    let healthy = |timeout_ms: u64| {
        let url = url.clone();
        async move {
            let client = reqwest::Client::builder()
                .timeout(Duration::from_millis(timeout_ms))
                .build()
                .unwrap();
            client
                .get(&url)
                .send()
                .await
                .is_ok_and(|r| r.status() == StatusCode::OK)
        }
    };
    let mut up = false;
    for _ in 0..150 {
        if healthy(1000).await {
            up = true;
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert!(up, "serve did not start");

    let mut held = Vec::new();
    for _ in 0..120 {
        if let Ok(stream) = TcpStream::connect(("127.0.0.1", port)).await {
            held.push(stream);
        }
    }
    let logged = || std::fs::read_to_string(&log_path).unwrap_or_default();
    let mut seen = false;
    for _ in 0..100 {
        if logged().contains("cannot accept connections") {
            seen = true;
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    drop(held);
    let mut back = false;
    for _ in 0..150 {
        if healthy(1000).await {
            back = true;
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    let _ = child.kill();
    let _ = child.wait();
    let text = logged();
    assert!(seen, "EMFILE not logged: {text}");
    assert!(
        text.contains("Too many open files"),
        "the cause is named: {text}"
    );
    assert!(back, "serving did not resume: {text}");
    let lines = text.matches("cannot accept connections").count();
    assert!(
        lines <= 3,
        "accept errors are throttled, not one per attempt: {lines} lines"
    );
}

/// A newsroom question the bot stays silent on (below `channel_min_confidence`) leaves no
/// context behind: a later reply in that thread must not draw the bot in. An addressed one does.
#[tokio::test]
async fn silent_unprompted_answers_keep_no_conversation() {
    use dealbot::app::{Asker, Platform};
    let mut s = settings();
    s.channel_min_confidence = 1.0;
    let (running, state) = start_with_state(s).await;
    let silent = Asker::new(Platform::Slack, "U1")
        .in_channel(Some("C1"))
        .in_conversation(Some("T1:C1:1.0"))
        .unprompted(true);
    let reply = state.answer(silent, "can openai use aws?").await.unwrap();
    assert!(reply.answer.answered && !state.posts_unprompted(&reply.answer));
    assert!(!state.has_conversation(Platform::Slack, "T1:C1:1.0").await);

    let addressed = Asker::new(Platform::Slack, "U1")
        .in_channel(Some("C1"))
        .in_conversation(Some("T1:C1:2.0"));
    state
        .answer(addressed, "can openai use aws?")
        .await
        .unwrap();
    assert!(state.has_conversation(Platform::Slack, "T1:C1:2.0").await);
    running.stop().await;
}
