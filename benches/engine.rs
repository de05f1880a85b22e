//! Speed of the answer engine: per-question latency over the dev set and load-plus-validate time.
//!
//! Run with `cargo bench --bench engine`. Besides criterion's own report, the bench prints the
//! median and 99th percentile of single-question latency over every dev question (each timed
//! many times), which is what the targets in BENCHMARKS.md are about.

use std::hint::black_box;
use std::time::{Duration, Instant};

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use dealbot::Engine;
use dealbot::engine::eval;

fn questions() -> Vec<String> {
    let text = include_str!("../intents/questions/dev.jsonl");
    eval::parse_cases(text)
        .expect("dev set parses")
        .into_iter()
        .map(|c| c.q)
        .collect()
}

fn percentiles(engine: &Engine, questions: &[String]) {
    const ROUNDS: usize = 200;
    let mut samples: Vec<Duration> = Vec::with_capacity(questions.len() * ROUNDS);
    for _ in 0..ROUNDS {
        for q in questions {
            let start = Instant::now();
            black_box(engine.answer(black_box(q)));
            samples.push(start.elapsed());
        }
    }
    samples.sort_unstable();
    let at = |p: f64| samples[((samples.len() as f64 - 1.0) * p) as usize];
    println!(
        "per-question latency over {} dev questions x {ROUNDS}: median {:?}, p99 {:?}, max {:?}",
        questions.len(),
        at(0.5),
        at(0.99),
        at(1.0)
    );
}

fn bench(c: &mut Criterion) {
    let engine = Engine::bundled().expect("bundled data loads");
    let questions = questions();
    percentiles(&engine, &questions);

    let mut group = c.benchmark_group("engine");
    group.throughput(Throughput::Elements(questions.len() as u64));
    group.bench_function("answer_dev_set", |b| {
        b.iter(|| {
            for q in &questions {
                black_box(engine.answer(black_box(q)));
            }
        })
    });
    group.finish();

    c.bench_function("load_and_validate_bundled", |b| {
        b.iter(|| black_box(Engine::bundled().expect("loads")))
    });
}

criterion_group!(benches, bench);
criterion_main!(benches);
