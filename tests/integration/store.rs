//! The store (issue 12) on both backends: every operation against a temporary SQLite file, and
//! against PostgreSQL when `DEALBOT_TEST_POSTGRES_URL` names a server (`.ci/run` starts a
//! throwaway cluster and sets it). Each PostgreSQL test gets a fresh database. With `CI=true`
//! and no URL, the PostgreSQL tests fail instead of skipping.
//!
//! Also: an unreachable store fails fast with a redacted error and never blocks recording, the
//! report routes need the admin token, and `dealbot report` prints what was stored.

use std::process::Command;
use std::time::{Duration, SystemTime};

use dealbot::settings::{Settings, StoreSettings};
use dealbot::store::report::{self, Report};
use dealbot::store::{AnswerId, AnswerRecord, Backend, FeedbackOutcome, Store, StoreError, Vote};
use reqwest::StatusCode;
use secrecy::SecretString;
use serde_json::Value;
use sqlx::Connection;

/// Environment variable naming a PostgreSQL server for these tests.
const POSTGRES_ENV: &str = "DEALBOT_TEST_POSTGRES_URL";

/// A store location for one test; holds the temporary directory of a SQLite file.
struct TestDb {
    settings: StoreSettings,
    backend: Backend,
    dir: Option<tempfile::TempDir>,
}

impl TestDb {
    fn sqlite() -> TestDb {
        let dir = tempfile::tempdir().unwrap();
        let url = format!("sqlite://{}", dir.path().join("dealbot.db").display());
        TestDb {
            settings: store_settings(&url),
            backend: Backend::Sqlite,
            dir: Some(dir),
        }
    }

    /// A fresh database on the PostgreSQL server of `DEALBOT_TEST_POSTGRES_URL`; `None` (with a
    /// note) when unset, a failure when unset under `CI=true`.
    async fn postgres() -> Option<TestDb> {
        let Ok(admin) = std::env::var(POSTGRES_ENV) else {
            let ci = std::env::var("CI").is_ok_and(|v| !v.is_empty() && v != "false" && v != "0");
            assert!(
                !ci,
                "CI is set but {POSTGRES_ENV} is not: the PostgreSQL store tests cannot run \
                 (.ci/run starts a cluster and sets it)"
            );
            eprintln!("note: {POSTGRES_ENV} unset; PostgreSQL store tests skipped");
            return None;
        };
        let name = format!("dealbot_test_{}", AnswerId::generate());
        let mut conn = sqlx::PgConnection::connect(&admin)
            .await
            .unwrap_or_else(|e| panic!("cannot connect to {POSTGRES_ENV}: {e}"));
        sqlx::query(&format!("CREATE DATABASE {name}"))
            .execute(&mut conn)
            .await
            .unwrap();
        conn.close().await.unwrap();
        Some(TestDb {
            settings: store_settings(&with_database(&admin, &name)),
            backend: Backend::Postgres,
            dir: None,
        })
    }

    /// SQLite, then PostgreSQL when configured.
    async fn all() -> Vec<TestDb> {
        let mut dbs = vec![TestDb::sqlite()];
        dbs.extend(TestDb::postgres().await);
        dbs
    }

    async fn connect(&self) -> Store {
        match Store::connect(&self.settings).await {
            Ok(store) => store,
            Err(err) => panic!("{:?} store: {err}", self.backend),
        }
    }
}

fn store_settings(url: &str) -> StoreSettings {
    StoreSettings {
        url: SecretString::from(url),
        ..StoreSettings::default()
    }
}

/// `url` with its database name replaced by `name`.
pub(crate) fn with_database(url: &str, name: &str) -> String {
    let (base, query) = match url.split_once('?') {
        Some((base, query)) => (base, format!("?{query}")),
        None => (url, String::new()),
    };
    let authority_start = base.find("://").map_or(0, |i| i + 3);
    let host_and_path = &base[authority_start..];
    let host = host_and_path
        .split_once('/')
        .map_or(host_and_path, |(host, _)| host);
    format!("{}{host}/{name}{query}", &base[..authority_start])
}

fn record(user: &str, question: &str, intent: Option<&str>, answered: bool) -> AnswerRecord {
    AnswerRecord {
        id: AnswerId::generate(),
        at: SystemTime::now(),
        platform: "slack".to_owned(),
        channel: Some("C42".to_owned()),
        user: user.to_owned(),
        question: question.to_owned(),
        intent: intent.map(str::to_owned),
        answered,
        confidence: if answered { 0.9 } else { 0.2 },
        verdict: None,
    }
}

async fn last_hour(store: &Store) -> Report {
    let now = SystemTime::now();
    report::build(
        store,
        now - Duration::from_secs(3600),
        now + Duration::from_secs(60),
    )
    .await
    .unwrap()
}

/// A loopback port nothing listens on.
fn closed_port() -> u16 {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    listener.local_addr().unwrap().port()
}

#[tokio::test]
async fn answers_are_recorded_with_hashed_users_and_reported() {
    for db in TestDb::all().await {
        let store = db.connect().await;
        let answered = store.record_answer(record(
            "U-alice",
            "How big is Microsoft's stake?",
            Some("stake"),
            true,
        ));
        store.record_answer(record(
            "U-bob",
            "What about Google?",
            Some("competitors"),
            false,
        ));
        store.record_answer(record("U-carol", "what about  google", None, false));
        store.flush().await.unwrap();

        let report = last_hour(&store).await;
        assert_eq!(
            (report.questions, report.answered),
            (3, 1),
            "{:?}",
            db.backend
        );
        assert!((report.answered_rate - 1.0 / 3.0).abs() < 1e-9);
        assert_eq!(report.per_day.len(), 1);
        assert_eq!(report.per_day[0].platform, "slack");
        assert_eq!(report.per_day[0].questions, 3);
        let unanswered = &report.unanswered[0];
        assert_eq!(
            unanswered.count, 2,
            "both phrasings group together: {report:?}"
        );
        assert_eq!(unanswered.normalized.as_deref(), Some("what about google"));
        assert_eq!(unanswered.closest_intent.as_deref(), Some("competitors"));
        assert!(
            report
                .top_intents
                .iter()
                .any(|i| i.intent == "stake" && i.answered == 1)
        );
        let text = report.to_text();
        assert!(text.contains("What about Google?") || text.contains("what about  google"));

        // Only the keyed hash of the user id is stored.
        let hashes: Vec<String> = match db.backend {
            Backend::Sqlite => {
                let pool = sqlite_pool(&db).await;
                sqlx::query_scalar("SELECT user_hash FROM answers WHERE id = $1")
                    .bind(answered.as_str())
                    .fetch_all(&pool)
                    .await
                    .unwrap()
            }
            Backend::Postgres => {
                let pool = postgres_pool(&db).await;
                sqlx::query_scalar("SELECT user_hash FROM answers WHERE id = $1")
                    .bind(answered.as_str())
                    .fetch_all(&pool)
                    .await
                    .unwrap()
            }
        };
        assert_eq!(
            hashes,
            vec![store.user_hash("slack", "U-alice").await.unwrap()]
        );
        assert!(!hashes[0].contains("alice"));
        assert_eq!(hashes[0].len(), 64);
        assert_eq!(store.metrics().written.get(), 3);
        store.health().await.unwrap();
        store.close().await;
    }
}

async fn sqlite_pool(db: &TestDb) -> sqlx::SqlitePool {
    use secrecy::ExposeSecret;
    sqlx::SqlitePool::connect(db.settings.url.expose_secret())
        .await
        .unwrap()
}

async fn postgres_pool(db: &TestDb) -> sqlx::PgPool {
    use secrecy::ExposeSecret;
    sqlx::PgPool::connect(db.settings.url.expose_secret())
        .await
        .unwrap()
}

#[tokio::test]
async fn feedback_counts_once_per_user_under_replay_and_a_changed_vote_updates() {
    for db in TestDb::all().await {
        let store = db.connect().await;
        let id = store.record_answer(record("U-a", "Who owns OpenAI?", Some("stake"), true));
        store.flush().await.unwrap();

        let first = store
            .record_feedback(&id, "slack", "U-a", Vote::Up)
            .await
            .unwrap();
        assert_eq!(first, FeedbackOutcome::Recorded);
        // A replayed click, several times and concurrently: counted once.
        let replays = futures_util::future::join_all(
            (0..8).map(|_| store.record_feedback(&id, "slack", "U-a", Vote::Up)),
        )
        .await;
        for outcome in replays {
            assert_eq!(outcome.unwrap(), FeedbackOutcome::Unchanged);
        }
        // A changed vote replaces the first; another user's vote is their own.
        let changed = store
            .record_feedback(&id, "slack", "U-a", Vote::Down)
            .await
            .unwrap();
        assert_eq!(changed, FeedbackOutcome::Recorded);
        store
            .record_feedback(&id, "slack", "U-b", Vote::Down)
            .await
            .unwrap();

        let report = last_hour(&store).await;
        assert_eq!(
            (report.feedback_up, report.feedback_down),
            (0, 2),
            "{:?}",
            db.backend
        );
        assert_eq!(report.downvoted.len(), 1);
        let down = &report.downvoted[0];
        assert_eq!(down.answer_id, id.as_str());
        assert_eq!((down.down, down.up), (2, 0));
        assert_eq!(down.question.as_deref(), Some("Who owns OpenAI?"));
        assert_eq!(down.intent.as_deref(), Some("stake"));
        store.close().await;
    }
}

#[tokio::test]
async fn claim_is_won_by_exactly_one_of_many_concurrent_callers_across_replicas() {
    for db in TestDb::all().await {
        // Two handles with their own connection pools stand for two replicas.
        let replicas = [db.connect().await, db.connect().await];
        for round in 0..5 {
            let key = format!("slack:event:Ev{round}");
            let claims =
                futures_util::future::join_all((0..24).map(|i| replicas[i % 2].claim(&key))).await;
            let won = claims
                .into_iter()
                .map(|c| c.unwrap())
                .filter(|won| *won)
                .count();
            assert_eq!(won, 1, "{:?} round {round}", db.backend);
        }
        assert!(!replicas[0].claim("slack:event:Ev0").await.unwrap());
        assert!(replicas[1].claim("slack:event:other").await.unwrap());
    }
}

#[tokio::test]
async fn retention_purge_deletes_only_what_is_older_than_the_cutoff() {
    for db in TestDb::all().await {
        let store = db.connect().await;
        let now = SystemTime::now();
        let mut old = record("U-a", "an old question", None, false);
        old.at = now - Duration::from_secs(100 * 24 * 3600);
        store.record_answer(old);
        store.record_answer(record("U-a", "a new question", None, false));
        store.flush().await.unwrap();
        store
            .put_context("expired", &serde_json::json!({"turns": 1}), Duration::ZERO)
            .await
            .unwrap();
        store
            .put_context(
                "live",
                &serde_json::json!({"turns": 2}),
                Duration::from_secs(600),
            )
            .await
            .unwrap();
        store.claim("old-event").await.unwrap();

        // The background pass: 90 days of answers; expired contexts; keys older than a day
        // (none yet).
        let purged = store.purge(90, now + Duration::from_secs(5)).await.unwrap();
        assert_eq!(purged.answers, 1, "{:?}", db.backend);
        assert_eq!(purged.contexts, 1);
        assert_eq!(purged.claims, 0);
        let everything = report::build(
            &store,
            SystemTime::UNIX_EPOCH,
            now + Duration::from_secs(60),
        )
        .await
        .unwrap();
        assert_eq!(everything.questions, 1);
        assert_eq!(
            everything.unanswered[0].normalized.as_deref(),
            Some("a new question")
        );
        assert!(store.get_context::<Value>("live").await.unwrap().is_some());

        // A cutoff in the future takes the rest, keys included.
        let purged = store
            .purge_older_than(now + Duration::from_secs(3600))
            .await
            .unwrap();
        assert_eq!((purged.answers, purged.claims), (1, 1));
        assert!(
            store.claim("old-event").await.unwrap(),
            "purged keys can be claimed again"
        );
    }
}

#[tokio::test]
async fn conversation_contexts_round_trip_expire_and_are_bounded() {
    #[derive(Debug, PartialEq, serde::Serialize, serde::Deserialize)]
    struct Context {
        intent: String,
        turns: Vec<String>,
    }
    for db in TestDb::all().await {
        let store = db.connect().await;
        let key = "slack:T1:C1:1700000000.000100";
        assert_eq!(store.get_context::<Context>(key).await.unwrap(), None);
        let context = Context {
            intent: "stake".into(),
            turns: vec!["how big is the stake?".into()],
        };
        store
            .put_context(key, &context, Duration::from_secs(1800))
            .await
            .unwrap();
        assert_eq!(
            store.get_context::<Context>(key).await.unwrap().as_ref(),
            Some(&context)
        );
        // Replaced, not duplicated.
        let next = Context {
            intent: "agi".into(),
            turns: vec!["and Google?".into()],
        };
        store
            .put_context(key, &next, Duration::from_secs(1800))
            .await
            .unwrap();
        assert_eq!(store.get_context::<Context>(key).await.unwrap(), Some(next));
        // A stored value of another shape counts as absent.
        assert_eq!(store.get_context::<Vec<u32>>(key).await.unwrap(), None);
        // Expired.
        store
            .put_context(key, &context, Duration::ZERO)
            .await
            .unwrap();
        assert_eq!(store.get_context::<Context>(key).await.unwrap(), None);
        // Too large.
        let huge = "x".repeat(dealbot::store::MAX_CONTEXT_BYTES + 1);
        assert!(matches!(
            store
                .put_context("big", &huge, Duration::from_secs(60))
                .await,
            Err(StoreError::Context(_))
        ));
        store.delete_context(key).await.unwrap();
    }
}

#[tokio::test]
async fn with_questions_off_no_question_text_is_stored() {
    for mut db in TestDb::all().await {
        db.settings.questions = false;
        let store = db.connect().await;
        store.record_answer(record(
            "U-a",
            "zebra-quokka secret plans?",
            Some("agi"),
            false,
        ));
        store.flush().await.unwrap();
        let report = last_hour(&store).await;
        assert_eq!(report.questions, 1);
        let json = serde_json::to_string(&report).unwrap();
        assert!(!json.contains("zebra"), "{json}");
        assert_eq!(report.unanswered[0].normalized, None);
        assert_eq!(report.unanswered[0].closest_intent.as_deref(), Some("agi"));
        assert!(report.to_text().contains("(text not stored)"));
    }
}

#[tokio::test]
async fn the_user_hash_key_is_generated_once_and_shared_and_a_configured_key_wins() {
    for mut db in TestDb::all().await {
        let first = db.connect().await;
        let second = db.connect().await;
        let hash = first.user_hash("slack", "U1").await.unwrap();
        assert_eq!(hash, second.user_hash("slack", "U1").await.unwrap());
        db.settings.user_hash_key = Some(SecretString::from("configured-key"));
        let keyed = db.connect().await;
        assert_ne!(hash, keyed.user_hash("slack", "U1").await.unwrap());
        assert!(!format!("{keyed:?}").contains("configured-key"));
    }
}

#[tokio::test]
async fn sqlite_store_is_created_on_first_run_in_wal_mode() {
    let db = TestDb::sqlite();
    let path = db.dir.as_ref().unwrap().path().join("dealbot.db");
    assert!(!path.exists());
    let store = db.connect().await;
    assert!(path.exists());
    assert_eq!(store.backend(), Backend::Sqlite);
    let pool = sqlite_pool(&db).await;
    let mode: String = sqlx::query_scalar("PRAGMA journal_mode")
        .fetch_one(&pool)
        .await
        .unwrap();
    assert_eq!(mode, "wal");
    // Opening again applies no migration twice.
    drop(store);
    db.connect().await.health().await.unwrap();
}

#[tokio::test]
async fn an_unreachable_store_fails_within_the_connect_timeout_with_a_redacted_error() {
    let url = format!(
        "postgres://dealbot:hunter2@127.0.0.1:{}/dealbot",
        closed_port()
    );
    let settings = store_settings(&url);
    let outcome = tokio::time::timeout(Duration::from_secs(60), Store::connect(&settings))
        .await
        .expect("connect is bounded by CONNECT_TIMEOUT");
    let err = outcome.expect_err("nothing listens there").to_string();
    assert!(err.contains("cannot reach the store"), "{err}");
    assert!(err.contains("127.0.0.1"), "{err}");
    assert!(!err.contains("hunter2"), "{err}");

    let missing = store_settings("sqlite:///nonexistent-dir/dealbot.db");
    let err = Store::connect(&missing).await.unwrap_err().to_string();
    assert!(err.contains("/nonexistent-dir/dealbot.db"), "{err}");

    let err = Store::connect(&store_settings("mysql://u:pw@h/db"))
        .await
        .unwrap_err()
        .to_string();
    assert!(err.contains("sqlite://") && !err.contains(":pw@"), "{err}");
}

#[tokio::test]
async fn an_unreachable_store_never_blocks_recording_and_counts_its_failures() {
    let url = format!("postgres://dealbot:hunter2@127.0.0.1:{}/x", closed_port());
    let store = Store::connect_in_background(&store_settings(&url)).unwrap();
    // Queuing returns at once whatever the database does.
    for i in 0..10 {
        store.record_answer(record("U-a", &format!("question {i}"), None, false));
    }
    let bounded = Duration::from_secs(60);
    tokio::time::timeout(bounded, store.flush())
        .await
        .expect("flush is bounded")
        .unwrap();
    let health = tokio::time::timeout(bounded, store.health()).await.unwrap();
    assert!(health.is_err());
    assert!(
        tokio::time::timeout(bounded, store.claim("Ev1"))
            .await
            .unwrap()
            .is_err()
    );
    assert_eq!(store.metrics().written.get(), 0);

    let mut registry = prometheus_client::registry::Registry::with_prefix("dealbot");
    store.metrics().register(&mut registry);
    let mut text = String::new();
    prometheus_client::encoding::text::encode(&mut text, &registry).unwrap();
    assert!(
        text.contains("dealbot_store_errors_total{op=\"record_answer\"} 1"),
        "{text}"
    );
    assert!(
        text.contains("dealbot_store_errors_total{op=\"claim\"} 1"),
        "{text}"
    );
    assert!(text.contains("dealbot_store_dropped_total 0"), "{text}");
    assert!(!text.contains("hunter2"));
}

#[tokio::test]
async fn report_routes_answer_only_with_the_admin_token() {
    let db = TestDb::sqlite();
    let store = db.connect().await;
    store.record_answer(record(
        "U-a",
        "Is <b>Google</b> in the deal?",
        Some("competitors"),
        false,
    ));
    store.flush().await.unwrap();

    let mut settings = Settings::default();
    settings.store = db.settings.clone();
    settings.http.admin_token = Some(SecretString::from("s3cret-token"));
    let served = crate::Served::start(settings).await;
    let client = reqwest::Client::new();
    let get = |path: &str, token: Option<&str>| {
        let mut request = client.get(served.url(path));
        if let Some(token) = token {
            request = request.bearer_auth(token);
        }
        request.send()
    };

    for path in ["/report", "/v1/report"] {
        let none = get(path, None).await.unwrap();
        assert_eq!(none.status(), StatusCode::UNAUTHORIZED, "{path}");
        assert_eq!(none.headers()["www-authenticate"], "Bearer");
        let wrong = get(path, Some("s3cret-tokem")).await.unwrap();
        assert_eq!(wrong.status(), StatusCode::UNAUTHORIZED, "{path}");
    }
    let html = get("/report", Some("s3cret-token")).await.unwrap();
    assert_eq!(html.status(), StatusCode::OK);
    assert!(
        html.headers()["content-type"]
            .to_str()
            .unwrap()
            .starts_with("text/html")
    );
    let html = html.text().await.unwrap();
    assert!(
        html.contains("Is &lt;b&gt;Google&lt;/b&gt; in the deal?"),
        "{html}"
    );
    assert!(!html.contains("<b>Google"));
    assert!(!html.contains("<script"));

    let json: Report = get("/v1/report?since=30d", Some("s3cret-token"))
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(json.questions, 1);
    assert_eq!(
        json.unanswered[0].closest_intent.as_deref(),
        Some("competitors")
    );
    let bad = get("/v1/report?since=forever", Some("s3cret-token"))
        .await
        .unwrap();
    assert_eq!(bad.status(), StatusCode::BAD_REQUEST);
    served.stop().await;

    // Without a token the routes are off.
    let mut settings = Settings::default();
    settings.store = db.settings.clone();
    let served = crate::Served::start(settings).await;
    let off = reqwest::Client::new()
        .get(served.url("/report"))
        .bearer_auth("anything")
        .send()
        .await
        .unwrap();
    assert_eq!(off.status(), StatusCode::NOT_FOUND);
    served.stop().await;
}

#[tokio::test]
async fn dealbot_report_prints_the_stored_unanswered_questions() {
    let db = TestDb::sqlite();
    let store = db.connect().await;
    store.record_answer(record("U-a", "Does the deal cover robots?", None, false));
    store.record_answer(record("U-b", "does the deal cover robots", None, false));
    store.flush().await.unwrap();
    store.close().await;
    use secrecy::ExposeSecret;
    let url = db.settings.url.expose_secret().to_owned();

    let run = |args: &[&str]| {
        Command::new(env!("CARGO_BIN_EXE_dealbot"))
            .arg("report")
            .args(args)
            .env_remove("DEALBOT_STORE__URL")
            .current_dir(std::env::temp_dir())
            .output()
            .unwrap()
    };
    let out = run(&["--store", &url, "--json", "--since", "1d"]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let report: Report = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(report.questions, 2);
    assert_eq!(report.unanswered[0].count, 2);
    assert_eq!(
        report.unanswered[0].normalized.as_deref(),
        Some("does the deal cover robots")
    );

    let text = run(&["--store", &url]);
    assert!(text.status.success());
    assert!(String::from_utf8_lossy(&text.stdout).contains("Unanswered questions"));

    // A missing file is an error, and is not created.
    let dir = tempfile::tempdir().unwrap();
    let missing = dir.path().join("none.db");
    let out = run(&["--store", &format!("sqlite://{}", missing.display())]);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("cannot reach the store"));
    assert!(!missing.exists());

    let out = run(&["--store", &url, "--since", "soon"]);
    assert_eq!(out.status.code(), Some(2));
}

#[test]
fn database_names_are_swapped_in_test_urls() {
    assert_eq!(
        with_database("postgres://u@127.0.0.1:5432/postgres", "x"),
        "postgres://u@127.0.0.1:5432/x"
    );
    assert_eq!(
        with_database("postgres://u:p@h:1/db?sslmode=disable", "x"),
        "postgres://u:p@h:1/x?sslmode=disable"
    );
    assert_eq!(with_database("postgres://h:1", "x"), "postgres://h:1/x");
}

/// Every question through `dealbot serve` is recorded once in the store, whatever front end it
/// came by, and an unanswered one shows in the report.
#[tokio::test]
async fn questions_asked_over_http_are_recorded_and_reported() {
    let db = TestDb::sqlite();
    let mut settings = Settings::default();
    settings.store = db.settings.clone();
    settings.http.admin_token = Some(SecretString::from("s3cret-token"));
    let (served, state) = crate::server::start_with_state(settings).await;
    for question in [
        "when does the revenue share end?",
        "what is the capital of peru?",
    ] {
        let answer = served
            .ask_json(serde_json::json!({ "question": question }))
            .await;
        assert!(answer["answered"].is_boolean(), "{answer:#}");
    }
    // A re-read (a Sources click) is neither recorded nor counted as a question.
    let again = state
        .ask(
            dealbot::app::Platform::Http,
            "127.0.0.1",
            "when does the revenue share end?",
        )
        .await
        .unwrap();
    assert!(again.answered);
    state.store.flush().await.unwrap();
    let report: serde_json::Value = reqwest::Client::new()
        .get(served.url("/v1/report"))
        .bearer_auth("s3cret-token")
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let text = report.to_string();
    assert!(text.contains("capital of peru"), "{report:#}");
    assert_eq!(state.store.metrics().written.get(), 2);
    served.stop().await;
}

/// An unreachable store leaves answering alone: `/readyz` says the process is degraded (not
/// unready), answers go out, and the failures are counted.
#[tokio::test]
async fn an_unreachable_store_degrades_readyz_but_answers_go_out() {
    let settings = Settings {
        store: store_settings(&format!(
            "postgres://dealbot:pw@127.0.0.1:{}/dealbot",
            closed_port()
        )),
        ..Settings::default()
    };
    let served = crate::Served::start(settings).await;
    let answer = served
        .ask_json(serde_json::json!({ "question": "can openai use aws?", "conversation": "c1" }))
        .await;
    assert_eq!(answer["answered"], true, "{answer:#}");
    // The follow-up still has its context: this process keeps a copy.
    let follow_up = served
        .ask_json(serde_json::json!({ "question": "and google?", "conversation": "c1" }))
        .await;
    assert_eq!(follow_up["answered"], true, "{follow_up:#}");
    let ready = reqwest::get(served.url("/readyz")).await.unwrap();
    assert_eq!(ready.status(), StatusCode::OK);
    let body: serde_json::Value = ready.json().await.unwrap();
    assert_eq!(body["store"], "down", "{body:#}");
    assert_eq!(body["degraded"], true, "{body:#}");
    let metrics = served.metrics().await;
    assert!(
        metrics.contains("dealbot_store_errors_total{op=\"health\"} 1")
            || metrics.contains("dealbot_store_errors_total{op=\"context\"}"),
        "{metrics}"
    );
    served.stop().await;
}
