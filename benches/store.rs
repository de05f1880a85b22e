//! Cost of the store per answer: what recording adds to the answer path (queueing a record), what
//! writing it costs end to end (the writer's batched inserts, amortised per answer), and the round
//! trips a chat event makes (`claim`, feedback). SQLite always (a temporary file); PostgreSQL too
//! when `DEALBOT_TEST_POSTGRES_URL` names a server (a fresh database is created for the run).
//!
//! Run with `cargo bench --bench store`; with PostgreSQL, for example from a throwaway cluster:
//! `DEALBOT_TEST_POSTGRES_URL=postgres://dealbot@127.0.0.1:PORT/postgres cargo bench --bench store`.

use std::hint::black_box;
use std::time::{Duration, Instant, SystemTime};

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use dealbot::settings::StoreSettings;
use dealbot::store::{AnswerId, AnswerRecord, Store, Vote};
use secrecy::SecretString;
use sqlx::Connection;

/// Records between flushes when timing the writer: the queue never fills, nothing is dropped.
const CHUNK: u64 = 1000;

fn record(i: u64) -> AnswerRecord {
    AnswerRecord {
        id: AnswerId::generate(),
        at: SystemTime::now(),
        platform: "slack".to_owned(),
        channel: Some("C0123456789".to_owned()),
        user: format!("U{:09}", i % 500),
        question: format!("What does the agreement say about Azure exclusivity, case {i}?"),
        intent: Some("azure_exclusivity".to_owned()),
        answered: !i.is_multiple_of(4),
        confidence: 0.8,
        verdict: None,
    }
}

fn backends(
    runtime: &tokio::runtime::Runtime,
) -> Vec<(&'static str, StoreSettings, Option<tempfile::TempDir>)> {
    let dir = tempfile::tempdir().expect("temporary directory");
    let sqlite = format!("sqlite://{}", dir.path().join("bench.db").display());
    let mut out = vec![("sqlite", settings(&sqlite), Some(dir))];
    if let Ok(admin) = std::env::var("DEALBOT_TEST_POSTGRES_URL") {
        let name = format!("dealbot_bench_{}", AnswerId::generate());
        runtime.block_on(async {
            let mut conn = sqlx::PgConnection::connect(&admin)
                .await
                .expect("DEALBOT_TEST_POSTGRES_URL reachable");
            sqlx::query(&format!("CREATE DATABASE {name}"))
                .execute(&mut conn)
                .await
                .expect("create the bench database");
        });
        let base = admin
            .rsplit_once('/')
            .map_or(admin.as_str(), |(base, _)| base);
        out.push(("postgres", settings(&format!("{base}/{name}")), None));
    } else {
        println!("DEALBOT_TEST_POSTGRES_URL unset: SQLite only");
    }
    out
}

fn settings(url: &str) -> StoreSettings {
    StoreSettings {
        url: SecretString::from(url),
        ..StoreSettings::default()
    }
}

fn bench(c: &mut Criterion) {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .expect("runtime");
    let mut group = c.benchmark_group("store");
    group
        .sample_size(10)
        .measurement_time(Duration::from_secs(5))
        .throughput(Throughput::Elements(1));
    for (name, settings, _dir) in backends(&runtime) {
        let store = runtime
            .block_on(Store::connect(&settings))
            .unwrap_or_else(|e| panic!("{name}: {e}"));

        // On the answer path: building and queueing one record (the writer runs meanwhile).
        group.bench_function(format!("{name}/record_answer (answer path)"), |b| {
            b.iter_custom(|iters| {
                runtime.block_on(async {
                    let mut spent = Duration::ZERO;
                    let mut i = 0;
                    while i < iters {
                        let n = CHUNK.min(iters - i);
                        let start = Instant::now();
                        for k in 0..n {
                            black_box(store.record_answer(record(i + k)));
                        }
                        spent += start.elapsed();
                        store.flush().await.expect("flush");
                        i += n;
                    }
                    spent
                })
            })
        });

        // End to end: queued and committed, per answer.
        group.bench_function(format!("{name}/record_answer written"), |b| {
            b.iter_custom(|iters| {
                runtime.block_on(async {
                    let start = Instant::now();
                    let mut i = 0;
                    while i < iters {
                        let n = CHUNK.min(iters - i);
                        for k in 0..n {
                            store.record_answer(record(i + k));
                        }
                        store.flush().await.expect("flush");
                        i += n;
                    }
                    start.elapsed()
                })
            })
        });

        // One round trip per Slack event.
        group.bench_function(format!("{name}/claim"), |b| {
            b.iter(|| {
                runtime
                    .block_on(store.claim(AnswerId::generate().as_str()))
                    .expect("claim")
            })
        });

        // One round trip per feedback click.
        let id = store.record_answer(record(0));
        group.bench_function(format!("{name}/record_feedback"), |b| {
            let mut n = 0u64;
            b.iter(|| {
                n += 1;
                runtime
                    .block_on(store.record_feedback(&id, "slack", &format!("U{n}"), Vote::Down))
                    .expect("feedback")
            })
        });
        let dropped = store.metrics().dropped.get();
        println!("{name}: {dropped} records dropped (expected 0)");
        runtime.block_on(store.close());
    }
    group.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
