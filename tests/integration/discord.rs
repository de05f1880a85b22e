//! Discord: the HTTP interactions endpoint (signed with a key made in the test), the renderer,
//! and adapter start-up failures.

use std::time::{Duration, SystemTime, UNIX_EPOCH};

use dealbot::render::discord as render;
use dealbot::server::{self, Control};
use dealbot::settings::Settings;
use ed25519_dalek::{Signer, SigningKey};
use reqwest::StatusCode;
use serde_json::{Value, json};

fn key() -> SigningKey {
    SigningKey::from_bytes(&[7u8; 32])
}

fn public_key_hex() -> String {
    hex_encode(key().verifying_key().as_bytes())
}

fn hex_encode(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

fn now() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap()
        .as_secs()
}

fn signature(timestamp: &str, body: &str) -> String {
    hex_encode(
        &key()
            .sign(format!("{timestamp}{body}").as_bytes())
            .to_bytes(),
    )
}

fn fixture(name: &str) -> String {
    std::fs::read_to_string(format!(
        "{}/tests/data/discord/{name}",
        env!("CARGO_MANIFEST_DIR")
    ))
    .unwrap()
}

struct Running {
    addr: std::net::SocketAddr,
    control: Control,
    task: tokio::task::JoinHandle<anyhow::Result<()>>,
}

async fn start(ephemeral: bool) -> Running {
    let mut settings = Settings::default();
    settings.limits.per_user_per_minute = 1000;
    settings.discord.public_key = Some(public_key_hex());
    settings.discord.ephemeral = ephemeral;
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let control = Control::default();
    let task = tokio::spawn(server::run(settings, listener, control.clone()));
    Running {
        addr,
        control,
        task,
    }
}

impl Running {
    async fn post(&self, body: &str, headers: &[(&str, String)]) -> reqwest::Response {
        let mut request = reqwest::Client::new()
            .post(format!("http://{}/discord/interactions", self.addr))
            .header("content-type", "application/json")
            .body(body.to_owned());
        for (k, v) in headers {
            request = request.header(*k, v);
        }
        request.send().await.unwrap()
    }

    async fn signed(&self, body: &str) -> (StatusCode, Value) {
        let ts = now().to_string();
        let response = self
            .post(
                body,
                &[
                    ("x-signature-timestamp", ts.clone()),
                    ("x-signature-ed25519", signature(&ts, body)),
                ],
            )
            .await;
        let status = response.status();
        (status, response.json().await.unwrap_or(Value::Null))
    }

    async fn stop(self) {
        self.control.shutdown.cancel();
        tokio::time::timeout(Duration::from_secs(10), self.task)
            .await
            .unwrap()
            .unwrap()
            .unwrap();
    }
}

fn command(question: &str) -> String {
    let mut value: Value = serde_json::from_str(&fixture("application_command.json")).unwrap();
    value["data"]["options"][0]["value"] = json!(question);
    value.to_string()
}

#[tokio::test]
async fn answers_ping_with_pong() {
    let r = start(false).await;
    let (status, body) = r.signed(&fixture("ping.json")).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(body, json!({ "type": 1 }));
    r.stop().await;
}

#[tokio::test]
async fn answers_the_documented_command_with_an_embed_and_no_mentions() {
    let r = start(false).await;
    let (status, body) = r.signed(&fixture("application_command.json")).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(body["type"], 4);
    let embed = &body["data"]["embeds"][0];
    assert_eq!(embed["title"], "When the revenue share ends");
    assert!(embed["description"].as_str().unwrap().contains("2030"));
    assert!(
        embed["description"]
            .as_str()
            .unwrap()
            .contains("The sources disagree")
    );
    assert_eq!(embed["fields"].as_array().unwrap().len(), 6);
    assert_eq!(body["data"]["allowed_mentions"]["parse"], json!([]));
    assert!(body["data"].get("flags").is_none());

    for (q, expect) in [
        ("help", "How to use dealbot"),
        ("sources", "Where the answers come from"),
    ] {
        let (_, body) = r.signed(&command(q)).await;
        assert_eq!(body["data"]["embeds"][0]["title"], expect, "{q}");
    }
    let (_, body) = r
        .signed(&command("@everyone <@&123> <@456> what's the weather?"))
        .await;
    assert_eq!(body["data"]["allowed_mentions"]["parse"], json!([]));
    assert_eq!(
        body["data"]["embeds"][0]["title"],
        "Not covered by my sources"
    );
    assert!(!body.to_string().contains("@everyone"));
    r.stop().await;
}

#[tokio::test]
async fn ephemeral_setting_sets_the_flag() {
    let r = start(true).await;
    let (_, body) = r.signed(&command("is openai going public")).await;
    assert_eq!(body["data"]["flags"], 64);
    r.stop().await;
}

#[tokio::test]
async fn autocomplete_suggests_catalogue_questions() {
    let r = start(false).await;
    let mut value: Value = serde_json::from_str(&command("rev")).unwrap();
    value["type"] = json!(4);
    value["data"]["options"][0]["focused"] = json!(true);
    let (status, body) = r.signed(&value.to_string()).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(body["type"], 8);
    let choices = body["data"]["choices"].as_array().unwrap();
    assert!(!choices.is_empty() && choices.len() <= 25);
    assert!(
        choices
            .iter()
            .all(|c| c["name"].as_str().unwrap().chars().count() <= 100)
    );
    assert!(
        choices.iter().any(|c| c["value"]
            .as_str()
            .unwrap()
            .to_lowercase()
            .contains("revenue")),
        "{choices:?}"
    );
    value["data"]["options"][0]["value"] = json!("");
    let (_, body) = r.signed(&value.to_string()).await;
    assert!(
        body["data"]["choices"].as_array().unwrap().len() >= 20,
        "one per topic with nothing typed"
    );
    r.stop().await;
}

#[tokio::test]
async fn rejects_bad_tampered_stale_and_missing_signatures() {
    let r = start(false).await;
    let body = command("When does the revenue share end?");
    let ts = now().to_string();
    let other = SigningKey::from_bytes(&[9u8; 32]);
    let cases: Vec<Vec<(&str, String)>> = vec![
        vec![
            ("x-signature-timestamp", ts.clone()),
            (
                "x-signature-ed25519",
                hex_encode(&other.sign(format!("{ts}{body}").as_bytes()).to_bytes()),
            ),
        ],
        vec![
            ("x-signature-timestamp", ts.clone()),
            ("x-signature-ed25519", signature(&ts, &format!("{body} "))),
        ],
        {
            let old = (now() - 3600).to_string();
            vec![
                ("x-signature-timestamp", old.clone()),
                ("x-signature-ed25519", signature(&old, &body)),
            ]
        },
        vec![
            ("x-signature-timestamp", ts.clone()),
            ("x-signature-ed25519", "zz".repeat(64)),
        ],
        vec![("x-signature-timestamp", ts.clone())],
        vec![("x-signature-ed25519", signature(&ts, &body))],
        vec![],
    ];
    for headers in cases {
        let response = r.post(&body, &headers).await;
        assert_eq!(response.status(), StatusCode::UNAUTHORIZED, "{headers:?}");
    }
    let (status, _) = r.signed("{not json").await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    let metrics = reqwest::get(format!("http://{}/metrics", r.addr))
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(
        metrics.contains("discord_bad_signature") && metrics.contains("discord_stale_signature"),
        "{metrics}"
    );
    assert!(
        !metrics.contains("platform=\"discord\",intent=\"revenue_share_end\""),
        "nothing was answered"
    );
    r.stop().await;
}

#[tokio::test]
async fn invalid_public_key_fails_start_with_a_clear_error() {
    let mut settings = Settings::default();
    settings.discord.public_key = Some("not-hex".to_owned());
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let err = server::run(settings, listener, Control::default())
        .await
        .unwrap_err();
    assert!(format!("{err:#}").contains("discord.public_key"), "{err:#}");
}

#[tokio::test]
async fn a_malformed_bot_token_stops_the_adapter_without_a_crash_loop() {
    let mut settings = Settings::default();
    settings.discord.token = Some("not-a-token".into());
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let control = Control::default();
    let task = tokio::spawn(server::run(settings, listener, control.clone()));
    tokio::time::sleep(Duration::from_millis(500)).await;
    let health = reqwest::get(format!("http://{addr}/healthz"))
        .await
        .unwrap();
    assert_eq!(
        health.status(),
        StatusCode::OK,
        "the HTTP side keeps serving"
    );
    let metrics = reqwest::get(format!("http://{addr}/metrics"))
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(
        !metrics.contains("dealbot_adapter_restarts_total{adapter=\"discord\"}"),
        "no restart loop: {metrics}"
    );
    control.shutdown.cancel();
    tokio::time::timeout(Duration::from_secs(10), task)
        .await
        .unwrap()
        .unwrap()
        .unwrap();
}

#[test]
fn shard_settings_are_validated() {
    use dealbot::settings::{ShardCount, Shards};
    let mut d = dealbot::settings::DiscordSettings::default();
    assert_eq!(d.shard_plan(), Ok(Shards::Auto));
    d.shards = ShardCount::Count(4);
    d.shard_range = Some([0, 2]);
    assert_eq!(
        d.shard_plan(),
        Ok(Shards::Count {
            total: 4,
            range: Some((0, 2))
        })
    );
    d.shard_range = Some([2, 5]);
    assert!(d.shard_plan().is_err());
    d.shards = ShardCount::Word("lots".to_owned());
    assert!(d.shard_plan().is_err());
}

// ---- rendering ----------------------------------------------------------------------------

fn embed(question: &str) -> Value {
    let engine = crate::engine();
    render::render(&engine.answer(question), engine).to_json()
}

#[test]
fn embed_snapshots() {
    insta::assert_json_snapshot!(
        "discord_revenue_share_end",
        embed("When does the revenue share end?")
    );
    insta::assert_json_snapshot!("discord_other_clouds_aws", embed("Can OpenAI use AWS?"));
    insta::assert_json_snapshot!("discord_not_covered", embed("What is OpenAI's revenue?"));
}

#[test]
fn renderer_enforces_every_discord_limit() {
    let engine = crate::engine();
    let mut answer = engine.answer("Give me a timeline");
    let long = "y".repeat(5000);
    answer.topic = Some(long.clone());
    answer.direct = long.clone();
    for f in &mut answer.facts {
        f.text = long.clone();
    }
    let c = answer.citations[0].clone();
    answer.citations = vec![c; 40];
    for c in &mut answer.citations {
        c.quote = long.clone();
    }
    let e = render::render(&answer, engine);
    assert!(e.title.chars().count() <= render::MAX_TITLE);
    assert!(e.description.chars().count() <= render::MAX_DESCRIPTION);
    assert!(e.fields.len() <= render::MAX_FIELDS);
    assert!(
        e.fields
            .iter()
            .all(|f| f.name.chars().count() <= render::MAX_FIELD_NAME
                && f.value.chars().count() <= render::MAX_FIELD_VALUE)
    );
    assert!(e.footer.chars().count() <= render::MAX_FOOTER);
    assert!(e.total_len() <= render::MAX_TOTAL, "{}", e.total_len());
}
