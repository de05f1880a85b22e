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

type Running = crate::Served;

async fn start(ephemeral: bool) -> Running {
    let mut settings = Settings::default();
    settings.limits.per_user_per_minute = 1000;
    settings.discord.public_key = Some(public_key_hex());
    settings.discord.ephemeral = ephemeral;
    crate::Served::start(settings).await
}

async fn post(r: &Running, body: &str, headers: &[(&str, String)]) -> reqwest::Response {
    let mut request = reqwest::Client::new()
        .post(r.url("/discord/interactions"))
        .header("content-type", "application/json")
        .body(body.to_owned());
    for (k, v) in headers {
        request = request.header(*k, v);
    }
    request.send().await.unwrap()
}

async fn signed(r: &Running, body: &str) -> (StatusCode, Value) {
    let ts = now().to_string();
    let headers = [
        ("x-signature-timestamp", ts.clone()),
        ("x-signature-ed25519", signature(&ts, body)),
    ];
    let response = post(r, body, &headers).await;
    let status = response.status();
    (status, response.json().await.unwrap_or(Value::Null))
}

/// A fresh interaction id: interactions are handled once per id.
fn fresh_id() -> String {
    static NEXT: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(0);
    (786008729715212338 + 1000 + NEXT.fetch_add(1, std::sync::atomic::Ordering::Relaxed))
        .to_string()
}

fn command(question: &str) -> String {
    let mut value: Value = serde_json::from_str(&fixture("application_command.json")).unwrap();
    value["data"]["options"][0]["value"] = json!(question);
    value["id"] = json!(fresh_id());
    value.to_string()
}

/// A click on the button `custom_id` under one of dealbot's answers, by `user`.
fn click(custom_id: &str, user: &str) -> String {
    let mut value: Value = serde_json::from_str(&fixture("message_component.json")).unwrap();
    value["data"]["custom_id"] = json!(custom_id);
    value["member"]["user"]["id"] = json!(user);
    value["id"] = json!(fresh_id());
    value.to_string()
}

/// The `custom_id`s of the buttons in an interaction response or message body.
fn custom_ids(data: &Value) -> Vec<String> {
    data["components"]
        .as_array()
        .into_iter()
        .flatten()
        .flat_map(|row| row["components"].as_array().cloned().unwrap_or_default())
        .filter_map(|b| b["custom_id"].as_str().map(str::to_owned))
        .collect()
}

#[tokio::test]
async fn answers_ping_with_pong() {
    let r = start(false).await;
    let (status, body) = signed(&r, &fixture("ping.json")).await;
    assert_eq!(status, StatusCode::OK);
    // serenity's `CreateInteractionResponse::Pong` (type 1, no data).
    assert_eq!(body["type"], 1, "{body}");
    assert!(body["data"].is_null(), "{body}");
    r.stop().await;
}

/// Issue 11: pressing Sources (a message component, type 3) gets every citation, ephemeral.
#[tokio::test]
async fn sources_button_answers_with_every_citation_ephemerally() {
    let r = start(false).await;
    let mut press: Value = serde_json::from_str(&fixture("message_component.json")).unwrap();
    let (status, body) = signed(&r, &press.to_string()).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(body["type"], 4);
    assert_eq!(body["data"]["flags"], 64);
    assert_eq!(body["data"]["allowed_mentions"]["parse"], json!([]));
    let description = body["data"]["embeds"][0]["description"].as_str().unwrap();
    assert!(
        description.contains("Microsoft has reportedly secured a revenue share"),
        "{description}"
    );
    press["data"]["custom_id"] = json!("not_ours");
    press["id"] = json!(fresh_id());
    let (status, _) = signed(&r, &press.to_string()).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    r.stop().await;
}

#[tokio::test]
async fn answers_the_documented_command_with_an_embed_and_no_mentions() {
    let r = start(false).await;
    let (status, body) = signed(&r, &fixture("application_command.json")).await;
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
    // Short by default (issue 11): no field per quote; a Sources button brings them all.
    assert!(embed["fields"].as_array().is_none_or(|f| f.is_empty()));
    assert_eq!(
        body["data"]["components"][0]["components"][0]["label"],
        "Sources"
    );
    assert_eq!(body["data"]["allowed_mentions"]["parse"], json!([]));
    assert!(body["data"].get("flags").is_none());

    for (q, expect) in [
        ("help", "How to use dealbot"),
        ("sources", "Where the answers come from"),
    ] {
        let (_, body) = signed(&r, &command(q)).await;
        assert_eq!(body["data"]["embeds"][0]["title"], expect, "{q}");
    }
    let (_, body) = signed(&r, &command("@everyone <@&123> <@456> what's the weather?")).await;
    assert_eq!(body["data"]["allowed_mentions"]["parse"], json!([]));
    assert_eq!(
        body["data"]["embeds"][0]["title"],
        "Not covered by my sources"
    );
    assert!(!body.to_string().contains("@everyone"));
    r.stop().await;
}

/// Issue 8 item 9: interactions are read with serenity's model. A payload it cannot read (here
/// the documentation's example, which leaves out fields Discord always sends) gets a JSON 400
/// naming what is missing; an unknown type or a wrong shape too, and nothing panics.
#[tokio::test]
async fn an_interaction_serenity_cannot_read_gets_a_clear_400() {
    let r = start(false).await;
    let mut documented: Value = serde_json::from_str(&fixture("application_command.json")).unwrap();
    for field in [
        "entitlements",
        "attachment_size_limit",
        "channel",
        "context",
    ] {
        documented.as_object_mut().unwrap().remove(field);
    }
    let (status, body) = signed(&r, &documented.to_string()).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    let error = body["error"].as_str().unwrap();
    assert!(
        error.starts_with("malformed interaction") && error.contains("entitlements"),
        "{body}"
    );
    let mut cases = vec![
        json!({ "type": 99, "id": "1", "application_id": "2", "token": "t", "version": 1 }),
        json!({ "id": "1" }),
        json!([1, 2, 3]),
        json!({ "type": "two" }),
    ];
    let mut wrong = documented.clone();
    wrong["type"] = json!(3);
    cases.push(wrong);
    for case in cases {
        let (status, body) = signed(&r, &case.to_string()).await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{case}");
        assert!(body["error"].is_string(), "{case}: {body}");
    }
    // A modal submission parses but is not something dealbot asks for.
    let mut modal: Value = serde_json::from_str(&fixture("message_component.json")).unwrap();
    modal["type"] = json!(5);
    modal["data"] = json!({ "custom_id": "x", "components": [] });
    let (status, body) = signed(&r, &modal.to_string()).await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{body}");
    assert_eq!(body["error"], "unsupported interaction");
    let health = reqwest::get(r.url("/healthz")).await.unwrap();
    assert_eq!(health.status(), StatusCode::OK);
    r.stop().await;
}

/// Issue 12: every answer carries 👍 / 👎 tied to its id; a click is acknowledged ephemerally
/// and counted once per user per answer (a double click counts once); 👎 offers other questions.
/// Issue 8: a replayed interaction (same id) is handled once.
#[tokio::test]
async fn feedback_clicks_are_acknowledged_ephemerally_and_counted_once() {
    let r = start(false).await;
    let (_, body) = signed(&r, &command("When does the revenue share end?")).await;
    let ids = custom_ids(&body["data"]);
    let up = ids
        .iter()
        .find(|id| id.starts_with("dealbot_feedback_up:"))
        .expect("a 👍 button")
        .clone();
    let down = ids
        .iter()
        .find(|id| id.starts_with("dealbot_feedback_down:"))
        .expect("a 👎 button")
        .clone();
    assert!(ids.iter().all(|id| id.chars().count() <= 100), "{ids:?}");
    let answer_id = up.trim_start_matches("dealbot_feedback_up:");
    assert!(
        answer_id.len() == 32 && down.starts_with(&format!("dealbot_feedback_down:{answer_id}")),
        "{ids:?}"
    );

    let (status, first) = signed(&r, &click(&down, "1001")).await;
    assert_eq!(status, StatusCode::OK, "{first}");
    assert_eq!(first["type"], 4);
    assert_eq!(first["data"]["flags"], 64, "ephemeral: {first}");
    assert_eq!(first["data"]["allowed_mentions"]["parse"], json!([]));
    let text = first["data"]["content"].as_str().unwrap();
    assert!(text.starts_with("Thanks, noted"), "{text}");
    assert!(text.contains("You could ask instead:\n• "), "{text}");
    assert!(
        !text.contains("When does the revenue share end"),
        "other questions than the one answered: {text}"
    );
    // A double click: a second interaction, same user, same button.
    let (_, second) = signed(&r, &click(&down, "1001")).await;
    assert_eq!(second["data"]["flags"], 64);
    assert!(
        second["data"]["content"]
            .as_str()
            .unwrap()
            .starts_with("Already noted"),
        "{second}"
    );
    // Another user's vote is their own.
    let (_, other) = signed(&r, &click(&up, "1002")).await;
    assert_eq!(
        other["data"]["content"],
        "Thanks, noted: this answer helped."
    );
    // A replay of the very same interaction is not handled again.
    let replay = click(&up, "1003");
    let (status, _) = signed(&r, &replay).await;
    assert_eq!(status, StatusCode::OK);
    let (status, body) = signed(&r, &replay).await;
    assert_eq!(status, StatusCode::CONFLICT, "{body}");
    // Made-up ids are not ours.
    let (status, _) = signed(&r, &click("dealbot_feedback_up:not-an-id", "1001")).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    r.stop().await;
}

#[tokio::test]
async fn ephemeral_setting_sets_the_flag() {
    let r = start(true).await;
    let (_, body) = signed(&r, &command("is openai going public")).await;
    assert_eq!(body["data"]["flags"], 64);
    r.stop().await;
}

#[tokio::test]
async fn autocomplete_suggests_catalogue_questions() {
    let r = start(false).await;
    let mut value: Value = serde_json::from_str(&fixture("autocomplete.json")).unwrap();
    let (status, body) = signed(&r, &value.to_string()).await;
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
    let (_, body) = signed(&r, &value.to_string()).await;
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
        let response = post(&r, &body, &headers).await;
        assert_eq!(response.status(), StatusCode::UNAUTHORIZED, "{headers:?}");
    }
    let (status, _) = signed(&r, "{not json").await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    let metrics = r.metrics().await;
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
async fn a_refused_command_gets_an_ephemeral_note() {
    let mut settings = Settings::default();
    settings.limits.per_user_per_minute = 1;
    settings.discord.public_key = Some(public_key_hex());
    let r = crate::Served::start(settings).await;
    let (_, first) = signed(&r, &command("is openai going public")).await;
    assert!(first["data"].get("flags").is_none(), "{first}");
    let (status, second) = signed(&r, &command("is openai going public")).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(second["type"], 4);
    assert_eq!(
        second["data"]["flags"], 64,
        "only the asker sees it: {second}"
    );
    assert!(
        second["data"]["content"]
            .as_str()
            .unwrap()
            .contains("faster than I can keep up")
    );
    assert_eq!(second["data"]["allowed_mentions"]["parse"], json!([]));
    r.stop().await;
}

#[tokio::test]
async fn a_busy_answering_pool_gets_an_ephemeral_busy_note() {
    let mut settings = Settings::default();
    settings.limits.answer_threads = 1;
    settings.limits.answer_queue = 0;
    settings.discord.public_key = Some(public_key_hex());
    let (r, state) = crate::server::start_with_state(settings).await;
    let held = state.pool.occupy().expect("a free slot");
    let (status, body) = signed(&r, &command("is openai going public")).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(body["data"]["flags"], 64, "{body}");
    assert!(
        body["data"]["content"].as_str().unwrap().contains("busy"),
        "{body}"
    );
    drop(held);
    let (_, body) = signed(&r, &command("is openai going public")).await;
    assert!(body["data"]["embeds"][0]["title"].is_string(), "{body}");
    r.stop().await;
}

#[tokio::test]
async fn an_oversized_interaction_gets_a_json_413_before_the_signature_check() {
    let r = start(false).await;
    let response = post(&r, &"x".repeat(70 * 1024), &[]).await;
    assert_eq!(response.status(), StatusCode::PAYLOAD_TOO_LARGE);
    assert_eq!(response.headers()["content-type"], "application/json");
    let body: Value = response.json().await.unwrap();
    assert!(body["error"].as_str().is_some(), "{body}");
    let mut ready = StatusCode::SERVICE_UNAVAILABLE;
    for _ in 0..100 {
        ready = reqwest::get(r.url("/readyz")).await.unwrap().status();
        if ready == StatusCode::OK {
            break;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    assert_eq!(
        ready,
        StatusCode::OK,
        "HTTP interactions only: up once started"
    );
    let metrics = r.metrics().await;
    assert!(!metrics.contains("discord_missing_signature"), "{metrics}");
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
    let _store = crate::isolate_store(&mut settings);
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
        metrics.contains("dealbot_adapter_restarts_total{adapter=\"discord\"} 0"),
        "no restart loop: {metrics}"
    );
    assert!(
        metrics.contains("dealbot_adapter_up{platform=\"discord\"} 0"),
        "{metrics}"
    );
    let ready = reqwest::get(format!("http://{addr}/readyz")).await.unwrap();
    assert_eq!(ready.status(), StatusCode::SERVICE_UNAVAILABLE);
    let body: Value = ready.json().await.unwrap();
    assert_eq!(body["ready"], false, "{body:#}");
    assert_eq!(body["adapters"], json!({ "discord": "down" }), "{body:#}");
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

#[test]
fn feedback_button_ids_round_trip_within_discord_limits() {
    use dealbot::store::{AnswerId, Vote};
    let id = AnswerId::parse("0123456789abcdef0123456789abcdef").unwrap();
    let up = render::feedback_custom_id(Vote::Up, &id, Some("revenue_share_end"));
    assert_eq!(up, "dealbot_feedback_up:0123456789abcdef0123456789abcdef");
    let down = render::feedback_custom_id(Vote::Down, &id, Some("revenue_share_end"));
    let click = render::parse_feedback(&down).unwrap();
    assert_eq!(
        (click.vote, click.id, click.intent.as_deref()),
        (Vote::Down, id.clone(), Some("revenue_share_end"))
    );
    let long = "x".repeat(80);
    let down = render::feedback_custom_id(Vote::Down, &id, Some(&long));
    assert!(down.chars().count() <= render::MAX_CUSTOM_ID, "{down}");
    assert_eq!(render::parse_feedback(&down).unwrap().intent, None);
    for bad in [
        "dealbot_feedback_up:",
        "dealbot_feedback_up:0123",
        "dealbot_feedback_sideways:0123456789abcdef0123456789abcdef",
        "dealbot_feedback_down:0123456789ABCDEF0123456789ABCDEF",
        "dealbot_sources:When does the revenue share end?",
    ] {
        assert_eq!(render::parse_feedback(bad), None, "{bad}");
    }
}

#[test]
fn newsroom_messages_are_questions_only_when_they_ask() {
    use dealbot::adapters::discord::is_question;
    for asks in [
        "can openai use aws now?",
        "Is the revenue share capped",
        "when does the revenue share end",
        "and google?",
        "saw this https://example.com/a — is it true?",
    ] {
        assert!(is_question(asks), "{asks}");
    }
    for says in [
        "The revenue share ends in 2030.",
        "lol",
        "https://example.com/story?id=1",
        "<https://example.com/story?id=1>",
        "",
        "   ",
        "thanks, that helps",
    ] {
        assert!(!is_question(says), "{says:?}");
    }
}

// ---- gateway ------------------------------------------------------------------------------

mod gateway {
    use std::net::SocketAddr;
    use std::sync::{Arc, Mutex};
    use std::time::Duration;

    use axum::Router;
    use axum::extract::State;
    use axum::http::{Method, StatusCode, Uri};
    use axum::response::IntoResponse;
    use dealbot::server::{self, Control};
    use dealbot::settings::Settings;
    use futures_util::{SinkExt, StreamExt};
    use serde_json::{Value, json};
    use tokio::sync::mpsc;
    use tokio_tungstenite::tungstenite::Message;

    const APP_ID: &str = "771825006014889984";
    const BOT_ID: &str = "771825006014889984";
    const GUILD: &str = "290926798626357999";
    // A syntactically valid (fake) bot token: base64 user id, timestamp, HMAC.
    const TOKEN: &str = "NzcxODI1MDA2MDE0ODg5OTg0.X-hvzA.Ovy4MCQywSkoMRRclStW4xAYK7I";

    const NEWSROOM: &str = "645027906669510667";
    const OTHER_CHANNEL: &str = "645027906669510668";
    const MASON: &str = "53908232506183680";

    #[derive(Clone, Debug)]
    pub struct Call {
        pub method: String,
        pub path: String,
        pub body: Value,
        /// The id of the message the fake created, for `POST …/messages`.
        pub created: Option<String>,
    }

    #[derive(Clone)]
    struct Rest {
        calls: Arc<Mutex<Vec<Call>>>,
        ws_url: String,
        next_id: Arc<Mutex<u64>>,
    }

    fn user(id: &str, name: &str, bot: bool) -> Value {
        json!({ "id": id, "username": name, "discriminator": "0", "global_name": null, "avatar": null, "bot": bot, "public_flags": 0 })
    }

    async fn rest(
        State(rest): State<Rest>,
        method: Method,
        uri: Uri,
        body: String,
    ) -> axum::response::Response {
        let path = uri.path().to_owned();
        let body: Value = serde_json::from_str(&body).unwrap_or(Value::Null);
        let created = (method == Method::POST && path.ends_with("/messages")).then(|| {
            let mut next = rest.next_id.lock().unwrap();
            *next += 1;
            next.to_string()
        });
        rest.calls.lock().unwrap().push(Call {
            method: method.to_string(),
            path: path.clone(),
            body: body.clone(),
            created: created.clone(),
        });
        if path.ends_with("/gateway") {
            return axum::Json(json!({ "url": rest.ws_url })).into_response();
        }
        if path.ends_with("/gateway/bot") {
            return axum::Json(json!({ "url": rest.ws_url, "shards": 1,
                "session_start_limit": { "total": 1000, "remaining": 999, "reset_after": 0, "max_concurrency": 1 } }))
            .into_response();
        }
        if path.ends_with("/commands") {
            return axum::Json(json!([])).into_response();
        }
        if path.ends_with("/callback") {
            return StatusCode::NO_CONTENT.into_response();
        }
        if path.ends_with("/threads") {
            // POST /channels/{channel}/messages/{message}/threads: the thread takes the
            // message's id.
            let parts: Vec<&str> = path.split('/').collect();
            let (channel, message) = (parts[4], parts[6]);
            return axum::Json(json!({
                "id": message, "type": 11, "guild_id": GUILD, "parent_id": channel,
                "name": body["name"], "owner_id": BOT_ID, "position": 0, "permission_overwrites": [],
                "nsfw": false, "rate_limit_per_user": 0, "message_count": 0, "member_count": 1,
                "thread_metadata": { "archived": false, "auto_archive_duration": 1440,
                    "archive_timestamp": "2024-04-27T12:00:00.000000+00:00", "locked": false }
            }))
            .into_response();
        }
        if let Some(id) = created {
            let channel = path.split('/').nth(4).unwrap_or_default();
            let mut sent = message(&id, channel, user(BOT_ID, "dealbot", true), "", None);
            if let Some(reference) = body.get("message_reference") {
                sent["message_reference"] = reference.clone();
            }
            return axum::Json(sent).into_response();
        }
        axum::Json(json!({})).into_response()
    }

    fn message(
        id: &str,
        channel: &str,
        author: Value,
        content: &str,
        guild: Option<&str>,
    ) -> Value {
        let mut m = json!({
            "id": id, "channel_id": channel, "author": author, "content": content,
            "timestamp": "2024-04-27T12:00:00.000000+00:00", "edited_timestamp": null, "tts": false,
            "mention_everyone": false, "mentions": [], "mention_roles": [], "attachments": [], "embeds": [],
            "pinned": false, "type": 0, "flags": 0
        });
        if let Some(g) = guild {
            m["guild_id"] = json!(g);
        }
        m
    }

    fn dispatch(seq: u64, name: &str, d: Value) -> Message {
        Message::Text(json!({ "op": 0, "s": seq, "t": name, "d": d }).to_string())
    }

    /// Starts the fake Discord REST API, pointing clients at the gateway on `ws_addr`; returns its
    /// address and the calls it records.
    async fn start_rest(ws_addr: SocketAddr) -> (SocketAddr, Arc<Mutex<Vec<Call>>>) {
        let calls = Arc::new(Mutex::new(Vec::new()));
        let state = Rest {
            calls: calls.clone(),
            ws_url: format!("ws://{ws_addr}"),
            next_id: Arc::new(Mutex::new(900)),
        };
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        let app = Router::new().fallback(rest).with_state(state);
        tokio::spawn(async move { axum::serve(listener, app).await });
        (addr, calls)
    }

    /// The fake Discord as a test script sees it: send gateway frames, read REST calls.
    pub struct Fake {
        frames: mpsc::UnboundedSender<Message>,
        calls: Arc<Mutex<Vec<Call>>>,
        seq: u64,
    }

    impl Fake {
        /// Dispatches gateway event `name` with `d`.
        pub fn send(&mut self, name: &str, d: Value) {
            self.seq += 1;
            self.frames.send(dispatch(self.seq, name, d)).unwrap();
        }

        /// Waits (bounded) until a REST call matches `pred`, and returns it.
        pub async fn wait_for(&self, pred: impl Fn(&Call) -> bool) -> Call {
            for _ in 0..200 {
                if let Some(call) = self.calls.lock().unwrap().iter().find(|c| pred(c)) {
                    return call.clone();
                }
                tokio::time::sleep(Duration::from_millis(50)).await;
            }
            panic!("no such call: {:#?}", self.calls.lock().unwrap());
        }
    }

    /// What the fake Discord saw.
    pub struct Seen {
        pub calls: Vec<Call>,
        /// The intents dealbot identified with.
        pub intents: u64,
    }

    /// Runs a fake Discord (REST + gateway) and dealbot's gateway adapter against it; `script`
    /// gets a sender for gateway frames once READY was sent.
    pub async fn run(
        script: impl FnOnce(mpsc::UnboundedSender<Message>) + Send + 'static,
    ) -> Vec<Call> {
        run_with(
            |_| {},
            |fake| async move {
                script(fake.frames.clone());
            },
        )
        .await
        .calls
    }

    /// Like [`run`], with `configure` applied to the settings and an async `script` over
    /// [`Fake`].
    pub async fn run_with<F, Fut>(configure: impl FnOnce(&mut Settings), script: F) -> Seen
    where
        F: FnOnce(Fake) -> Fut,
        Fut: std::future::Future<Output = ()>,
    {
        let ws_listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let ws_addr = ws_listener.local_addr().unwrap();
        let (rest_addr, calls) = start_rest(ws_addr).await;
        let intents = Arc::new(Mutex::new(None::<u64>));
        let identified = intents.clone();

        let (ready_tx, ready_rx) =
            tokio::sync::oneshot::channel::<mpsc::UnboundedSender<Message>>();
        tokio::spawn(async move {
            let Ok((stream, _)) = ws_listener.accept().await else {
                return;
            };
            let ws = tokio_tungstenite::accept_async(stream).await.unwrap();
            let (mut sink, mut source) = ws.split();
            let (tx, mut rx) = mpsc::unbounded_channel::<Message>();
            sink.send(Message::Text(
                json!({ "op": 10, "d": { "heartbeat_interval": 45000 } }).to_string(),
            ))
            .await
            .unwrap();
            let mut ready_tx = Some(ready_tx);
            loop {
                tokio::select! {
                    Some(out) = rx.recv() => { if sink.send(out).await.is_err() { return } }
                    incoming = source.next() => match incoming {
                        Some(Ok(Message::Text(text))) => {
                            let frame: Value = serde_json::from_str(&text).unwrap_or_default();
                            match frame["op"].as_u64() {
                                Some(2) => {
                                    assert_eq!(frame["d"]["token"], format!("Bot {TOKEN}"));
                                    *identified.lock().unwrap() = frame["d"]["intents"].as_u64();
                                    let ready = json!({ "v": 10, "user": user(BOT_ID, "dealbot", true), "guilds": [],
                                        "session_id": "fake-session", "resume_gateway_url": format!("ws://{ws_addr}"),
                                        "shard": [0, 1], "application": { "id": APP_ID, "flags": 0 } });
                                    sink.send(dispatch(1, "READY", ready)).await.unwrap();
                                    if let Some(t) = ready_tx.take() { let _ = t.send(tx.clone()); }
                                }
                                Some(1) => { let _ = sink.send(Message::Text(json!({ "op": 11 }).to_string())).await; }
                                _ => {}
                            }
                        }
                        Some(Ok(_)) => {}
                        _ => return,
                    },
                }
            }
        });

        let mut settings = Settings::default();
        settings.limits.per_user_per_minute = 1000;
        settings.discord.token = Some(TOKEN.into());
        settings.discord.guild_id = Some(GUILD.parse().unwrap());
        settings.discord.api_url = Some(format!("http://{rest_addr}"));
        configure(&mut settings);
        let served = crate::Served::start(settings).await;
        let frames = tokio::time::timeout(Duration::from_secs(20), ready_rx)
            .await
            .expect("adapter identified")
            .unwrap();
        script(Fake {
            frames,
            calls: calls.clone(),
            seq: 1,
        })
        .await;
        tokio::time::sleep(Duration::from_millis(1500)).await;
        served.stop().await;
        let calls = calls.lock().unwrap().clone();
        let intents = intents.lock().unwrap().expect("identified");
        Seen { calls, intents }
    }

    pub fn interaction(question: &str) -> Value {
        let mut value: Value =
            serde_json::from_str(&super::fixture("application_command.json")).unwrap();
        value["data"]["options"][0]["value"] = json!(question);
        value
    }

    #[tokio::test]
    async fn registers_answers_commands_and_mentions_and_ignores_bots() {
        let calls = run(|frames| {
            frames
                .send(dispatch(
                    2,
                    "INTERACTION_CREATE",
                    interaction("Can OpenAI use Google Cloud? @everyone"),
                ))
                .unwrap();
            let mut mention = message(
                "801",
                "645027906669510667",
                user("53908232506183680", "Mason", false),
                &format!("<@{BOT_ID}> when does the revenue share end? @here"),
                Some(GUILD),
            );
            mention["mentions"] = json!([user(BOT_ID, "dealbot", true)]);
            frames.send(dispatch(3, "MESSAGE_CREATE", mention)).unwrap();
            let mut from_bot = message(
                "802",
                "645027906669510667",
                user("111", "otherbot", true),
                &format!("<@{BOT_ID}> when does the revenue share end?"),
                Some(GUILD),
            );
            from_bot["mentions"] = json!([user(BOT_ID, "dealbot", true)]);
            frames
                .send(dispatch(4, "MESSAGE_CREATE", from_bot))
                .unwrap();
            let unrelated = message(
                "803",
                "645027906669510667",
                user("53908232506183680", "Mason", false),
                "lunch?",
                Some(GUILD),
            );
            frames
                .send(dispatch(5, "MESSAGE_CREATE", unrelated))
                .unwrap();
            let dm = message(
                "804",
                "222",
                user("53908232506183680", "Mason", false),
                "who pays whom?",
                None,
            );
            frames.send(dispatch(6, "MESSAGE_CREATE", dm)).unwrap();
        })
        .await;

        let register: Vec<&Call> = calls
            .iter()
            .filter(|c| c.path.ends_with("/commands"))
            .collect();
        assert_eq!(register.len(), 1, "{calls:#?}");
        assert_eq!(register[0].method, "PUT", "bulk overwrite is idempotent");
        assert_eq!(
            register[0].path,
            format!("/api/v10/applications/{APP_ID}/guilds/{GUILD}/commands")
        );
        let command = &register[0].body[0];
        assert_eq!(command["name"], "deal");
        assert_eq!(command["options"][0]["name"], "question");
        assert_eq!(command["options"][0]["required"], true);
        assert_eq!(command["options"][0]["autocomplete"], true);

        let callback = calls
            .iter()
            .find(|c| c.path.ends_with("/callback"))
            .expect("interaction answered");
        assert_eq!(
            callback.path,
            "/api/v10/interactions/786008729715212338/A_UNIQUE_TOKEN/callback"
        );
        assert_eq!(callback.body["type"], 4);
        assert!(
            callback.body["data"]["embeds"][0]["description"]
                .as_str()
                .unwrap()
                .contains("Google Cloud")
        );
        assert_eq!(
            callback.body["data"]["allowed_mentions"]["parse"],
            json!([])
        );
        let buttons = super::custom_ids(&callback.body["data"]);
        assert!(
            buttons
                .iter()
                .any(|b| b.starts_with("dealbot_feedback_up:"))
                && buttons
                    .iter()
                    .any(|b| b.starts_with("dealbot_feedback_down:")),
            "{buttons:?}"
        );

        let replies: Vec<&Call> = calls
            .iter()
            .filter(|c| c.path.ends_with("/messages"))
            .collect();
        assert_eq!(
            replies.len(),
            2,
            "the mention and the DM, not the bot or the unrelated message: {replies:#?}"
        );
        let guild_reply = replies
            .iter()
            .find(|c| c.path.contains("645027906669510667"))
            .unwrap();
        assert_eq!(guild_reply.body["message_reference"]["message_id"], "801");
        assert!(
            guild_reply.body["embeds"][0]["description"]
                .as_str()
                .unwrap()
                .contains("2030")
        );
        for reply in &replies {
            let buttons = super::custom_ids(&reply.body);
            assert!(
                buttons
                    .iter()
                    .any(|b| b.starts_with("dealbot_feedback_up:")),
                "{buttons:?}"
            );
            assert_eq!(
                reply.body["allowed_mentions"]["parse"],
                json!([]),
                "{:?}",
                reply.body
            );
            assert_eq!(reply.body["allowed_mentions"]["replied_user"], false);
        }
        assert!(
            replies
                .iter()
                .any(|c| c.path == "/api/v10/channels/222/messages")
        );
    }

    fn posted(calls: &[Call]) -> Vec<&Call> {
        calls.iter().filter(|c| c.created.is_some()).collect()
    }

    /// Issue 12: the privileged MESSAGE_CONTENT intent is requested only for newsroom channels.
    #[tokio::test]
    async fn message_content_intent_is_requested_only_with_newsroom_channels() {
        const MESSAGE_CONTENT: u64 = 1 << 15;
        let plain = run_with(|_| {}, |_| async {}).await;
        assert_eq!(plain.intents & MESSAGE_CONTENT, 0, "{:b}", plain.intents);
        assert_ne!(plain.intents & (1 << 9), 0, "guild messages");
        let newsroom = run_with(
            |s| s.discord.channels = vec![NEWSROOM.parse().unwrap()],
            |_| async {},
        )
        .await;
        assert_ne!(
            newsroom.intents & MESSAGE_CONTENT,
            0,
            "{:b}",
            newsroom.intents
        );
    }

    /// Issue 12: in a newsroom channel a question is answered without a mention, as a reply, when
    /// the engine is sure; statements, links, bots, other channels and questions it cannot
    /// answer get nothing; a reply to the answer ("and google?") is answered in context.
    #[tokio::test]
    async fn newsroom_questions_are_answered_without_a_mention_and_replies_in_context() {
        let seen = run_with(
            |s| s.discord.channels = vec![NEWSROOM.parse().unwrap()],
            |mut fake| async move {
                let mason = || user(MASON, "Mason", false);
                for (id, channel, author, text) in [
                    ("811", NEWSROOM, mason(), "can openai use aws now?"),
                    ("812", NEWSROOM, mason(), "The revenue share ends in 2030."),
                    ("813", NEWSROOM, mason(), "What's for lunch today?"),
                    ("814", NEWSROOM, mason(), "https://example.com/story?id=1"),
                    (
                        "815",
                        NEWSROOM,
                        user("111", "otherbot", true),
                        "can openai use aws now?",
                    ),
                    (
                        "816",
                        NEWSROOM,
                        user(BOT_ID, "dealbot", true),
                        "can openai use aws now?",
                    ),
                    ("818", OTHER_CHANNEL, mason(), "can openai use aws now?"),
                ] {
                    fake.send(
                        "MESSAGE_CREATE",
                        message(id, channel, author, text, Some(GUILD)),
                    );
                }
                let answer = fake
                    .wait_for(|c| c.body["message_reference"]["message_id"] == "811")
                    .await;
                let answer_id = answer.created.unwrap();
                let mut answered = message(
                    &answer_id,
                    NEWSROOM,
                    user(BOT_ID, "dealbot", true),
                    "",
                    Some(GUILD),
                );
                answered["message_reference"] =
                    json!({ "message_id": "811", "channel_id": NEWSROOM, "guild_id": GUILD });
                let mut follow_up = message("817", NEWSROOM, mason(), "and google?", Some(GUILD));
                follow_up["type"] = json!(19);
                follow_up["message_reference"] =
                    json!({ "message_id": answer_id, "channel_id": NEWSROOM, "guild_id": GUILD });
                follow_up["referenced_message"] = answered;
                fake.send("MESSAGE_CREATE", follow_up);
                fake.wait_for(|c| c.body["message_reference"]["message_id"] == "817")
                    .await;
            },
        )
        .await;
        let replies = posted(&seen.calls);
        assert_eq!(replies.len(), 2, "{replies:#?}");
        let first = &replies[0];
        assert_eq!(first.path, format!("/api/v10/channels/{NEWSROOM}/messages"));
        assert_eq!(first.body["message_reference"]["message_id"], "811");
        assert!(
            super::custom_ids(&first.body)
                .iter()
                .any(|b| b.starts_with("dealbot_feedback_down:")),
            "{:?}",
            first.body
        );
        let follow_up = &replies[1];
        assert_eq!(follow_up.body["message_reference"]["message_id"], "817");
        let description = follow_up.body["embeds"][0]["description"].as_str().unwrap();
        assert!(description.contains("Google"), "in context: {description}");
        assert_eq!(follow_up.body["allowed_mentions"]["parse"], json!([]));
    }

    /// Issue 12: an answer the engine is less sure of than `channel_min_confidence` is not posted
    /// in a newsroom channel (it is when the bot is mentioned).
    #[tokio::test]
    async fn newsroom_answers_below_the_channel_confidence_are_not_posted() {
        let seen = run_with(
            |s| {
                s.discord.channels = vec![NEWSROOM.parse().unwrap()];
                // "can openai use aws now?" is answered with confidence 0.984.
                s.channel_min_confidence = 0.99;
            },
            |mut fake| async move {
                let mason = || user(MASON, "Mason", false);
                let text = "can openai use aws now?";
                fake.send(
                    "MESSAGE_CREATE",
                    message("831", NEWSROOM, mason(), text, Some(GUILD)),
                );
                let mut mention = message(
                    "832",
                    NEWSROOM,
                    mason(),
                    &format!("<@{BOT_ID}> {text}"),
                    Some(GUILD),
                );
                mention["mentions"] = json!([user(BOT_ID, "dealbot", true)]);
                fake.send("MESSAGE_CREATE", mention);
                fake.wait_for(|c| c.body["message_reference"]["message_id"] == "832")
                    .await;
            },
        )
        .await;
        let replies = posted(&seen.calls);
        assert_eq!(replies.len(), 1, "only the mention: {replies:#?}");
    }

    /// Issue 12: with `discord.channel_threads`, a newsroom question gets a thread of its own,
    /// and a later question in that thread continues the conversation.
    #[tokio::test]
    async fn newsroom_threads_open_on_the_question_and_continue_it() {
        let seen = run_with(
            |s| {
                s.discord.channels = vec![NEWSROOM.parse().unwrap()];
                s.discord.channel_threads = true;
            },
            |mut fake| async move {
                let mason = || user(MASON, "Mason", false);
                let question = message(
                    "821",
                    NEWSROOM,
                    mason(),
                    "can openai use aws now?",
                    Some(GUILD),
                );
                fake.send("MESSAGE_CREATE", question);
                fake.wait_for(|c| c.path == "/api/v10/channels/821/messages")
                    .await;
                // In the thread (its id is the question's), no reply, no mention.
                fake.send(
                    "MESSAGE_CREATE",
                    message("822", "821", mason(), "and google?", Some(GUILD)),
                );
                fake.send(
                    "MESSAGE_CREATE",
                    message("823", "821", mason(), "thanks, that helps", Some(GUILD)),
                );
                for _ in 0..100 {
                    if posted(&fake.calls.lock().unwrap()).len() >= 2 {
                        break;
                    }
                    tokio::time::sleep(Duration::from_millis(50)).await;
                }
            },
        )
        .await;
        let thread = seen
            .calls
            .iter()
            .find(|c| c.path.ends_with("/threads"))
            .expect("a thread opened");
        assert_eq!(
            thread.path,
            format!("/api/v10/channels/{NEWSROOM}/messages/821/threads")
        );
        let replies = posted(&seen.calls);
        assert_eq!(
            replies.len(),
            2,
            "the question and the follow-up: {replies:#?}"
        );
        assert!(
            replies
                .iter()
                .all(|c| c.path == "/api/v10/channels/821/messages")
        );
        assert!(
            replies[0]
                .body
                .get("message_reference")
                .is_none_or(Value::is_null)
        );
        let description = replies[1].body["embeds"][0]["description"]
            .as_str()
            .unwrap();
        assert!(description.contains("Google"), "in context: {description}");
    }

    /// Issue 12: when Discord refuses MESSAGE_CONTENT (close 4014), the adapter stops for good
    /// with an error naming the intent and where to enable it; `/readyz` shows it down.
    #[tokio::test]
    async fn a_refused_message_content_intent_stops_the_adapter_with_a_clear_error() {
        let message = dealbot::adapters::discord::disallowed_intents_message();
        for needle in [
            "MESSAGE_CONTENT",
            "4014",
            "Developer Portal",
            "Privileged Gateway Intents",
            "Message Content",
        ] {
            assert!(message.contains(needle), "{needle}: {message}");
        }
        let (connections, ws_addr) = closing_gateway(4014, "Disallowed intent(s).").await;
        let (rest_addr, _calls) = start_rest(ws_addr).await;
        let mut settings = Settings::default();
        settings.discord.token = Some(TOKEN.into());
        settings.discord.api_url = Some(format!("http://{rest_addr}"));
        settings.discord.channels = vec![NEWSROOM.parse().unwrap()];
        let _store = crate::isolate_store(&mut settings);
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        let control = Control::default();
        let task = tokio::spawn(server::run(settings, listener, control.clone()));
        let mut body = Value::Null;
        for _ in 0..100 {
            tokio::time::sleep(Duration::from_millis(100)).await;
            body = reqwest::get(format!("http://{addr}/readyz"))
                .await
                .unwrap()
                .json()
                .await
                .unwrap();
            if body["adapters"]["discord"] == "down" {
                break;
            }
        }
        assert_eq!(body["adapters"]["discord"], "down", "{body}");
        assert_eq!(*connections.lock().unwrap(), 1, "no reconnect loop");
        control.shutdown.cancel();
        tokio::time::timeout(Duration::from_secs(15), task)
            .await
            .unwrap()
            .unwrap()
            .unwrap();
    }

    /// A gateway that says hello, then closes with `code` on identify; counts connections.
    async fn closing_gateway(code: u16, reason: &'static str) -> (Arc<Mutex<u32>>, SocketAddr) {
        let ws_listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let ws_addr = ws_listener.local_addr().unwrap();
        let connections = Arc::new(Mutex::new(0u32));
        let counter = connections.clone();
        tokio::spawn(async move {
            while let Ok((stream, _)) = ws_listener.accept().await {
                *counter.lock().unwrap() += 1;
                tokio::spawn(async move {
                    let Ok(ws) = tokio_tungstenite::accept_async(stream).await else {
                        return;
                    };
                    let (mut sink, mut source) = ws.split();
                    let hello = json!({ "op": 10, "d": { "heartbeat_interval": 45000 } });
                    let _ = sink.send(Message::Text(hello.to_string())).await;
                    while let Some(Ok(frame)) = source.next().await {
                        if let Message::Text(text) = frame
                            && serde_json::from_str::<Value>(&text).unwrap_or_default()["op"] == 2
                        {
                            use tokio_tungstenite::tungstenite::protocol::{
                                CloseFrame, frame::coding::CloseCode,
                            };
                            let close = CloseFrame {
                                code: CloseCode::from(code),
                                reason: reason.into(),
                            };
                            let _ = sink.send(Message::Close(Some(close))).await;
                            return;
                        }
                    }
                });
            }
        });
        (connections, ws_addr)
    }

    #[tokio::test]
    async fn a_rejected_token_is_reported_once_not_retried_in_a_loop() {
        let (connections, ws_addr) = closing_gateway(4004, "Authentication failed.").await;
        let (rest_addr, _calls) = start_rest(ws_addr).await;

        let mut settings = Settings::default();
        settings.discord.token = Some(TOKEN.into());
        settings.discord.api_url = Some(format!("http://{rest_addr}"));
        let _store = crate::isolate_store(&mut settings);
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        let control = Control::default();
        let task = tokio::spawn(server::run(settings, listener, control.clone()));

        tokio::time::sleep(Duration::from_secs(8)).await;
        assert_eq!(
            *connections.lock().unwrap(),
            1,
            "one login attempt, no reconnect loop"
        );
        let health = reqwest::get(format!("http://{addr}/healthz"))
            .await
            .unwrap();
        assert_eq!(health.status(), StatusCode::OK);
        let metrics = reqwest::get(format!("http://{addr}/metrics"))
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        assert!(
            metrics.contains("dealbot_adapter_restarts_total{adapter=\"discord\"} 0"),
            "{metrics}"
        );
        assert!(
            metrics.contains("dealbot_adapter_up{platform=\"discord\"} 0"),
            "{metrics}"
        );
        // Issue 8: the dead adapter shows in readiness, while liveness stays ok.
        let ready = reqwest::get(format!("http://{addr}/readyz")).await.unwrap();
        assert_eq!(ready.status(), StatusCode::SERVICE_UNAVAILABLE);
        let body: Value = ready.json().await.unwrap();
        assert_eq!(body["adapters"]["discord"], "down", "{body}");
        assert_eq!(body["ready"], false);
        control.shutdown.cancel();
        tokio::time::timeout(Duration::from_secs(15), task)
            .await
            .unwrap()
            .unwrap()
            .unwrap();
    }
}
