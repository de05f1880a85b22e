//! Speed of the answer engine: per-question latency over the dev set and load-plus-validate time.
//!
//! Run with `cargo bench --bench engine`. Besides criterion's own report, the bench prints the
//! median and 99th percentile of single-question latency over every dev question (each timed
//! many times), which is what the targets in BENCHMARKS.md are about.
//!
//! The `adversarial` group times hostile questions up to the 64 KiB HTTP body limit (issue 8):
//! its slowest case is the worst-case cost per question reported in BENCHMARKS.md.

use std::hint::black_box;
use std::time::{Duration, Instant};

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use dealbot::Engine;
use dealbot::engine::eval;

#[path = "forms/questions.rs"]
mod questions;
use questions::{COMPOUND_2, COMPOUND_3, FOLLOW_UPS, SINGLE, YES_NO};

fn questions() -> Vec<String> {
    let text = include_str!("../intents/questions/dev.jsonl");
    eval::parse_cases(text)
        .expect("dev set parses")
        .into_iter()
        .map(|c| c.q)
        .collect()
}

/// The HTTP body limit: the largest question any front end accepts.
const BODY_LIMIT: usize = 64 * 1024;

/// Made-up lower-case words of 8 to 20 letters (a fixed pseudo-random sequence): each is unknown,
/// long enough for two-edit typo lookups, and at most two letters longer than the data's longest
/// word (18 letters), so each is looked up until the question's lookup budget
/// (`vocab::MAX_LOOKUPS_PER_QUESTION`) runs out: the most typo-correction work per question.
fn made_up_words(bytes: usize) -> String {
    let mut state: u32 = 0x2545_f491;
    let mut next = || {
        state ^= state << 13;
        state ^= state >> 17;
        state ^= state << 5;
        state
    };
    let mut out = String::with_capacity(bytes);
    while out.len() + 26 <= bytes {
        let len = 8 + next() % 13;
        for _ in 0..len {
            out.push(char::from(b'a' + (next() % 26) as u8));
        }
        out.push(' ');
    }
    out
}

/// Hostile questions, by name. Sizes are at or near the body limit unless the name says otherwise.
fn adversarial() -> Vec<(&'static str, String)> {
    vec![
        ("long_word_1600", "qwertyuiopasdfghjklzxcvbnm".repeat(62)),
        ("ab_x2000", "ab".repeat(2_000)),
        ("ab_x32k", "ab".repeat(BODY_LIMIT / 2)),
        ("nfkc_u3300_x4", "\u{3300}".repeat(BODY_LIMIT / 3)),
        ("nfkc_ufdfa_x18", "\u{FDFA}".repeat(BODY_LIMIT / 3)),
        ("short_tokens", "qxzv ".repeat(BODY_LIMIT / 5)),
        (
            "known_tokens",
            "revenue azure share ".repeat(BODY_LIMIT / 20),
        ),
        ("made_up_words", made_up_words(BODY_LIMIT)),
        (
            "markup",
            "<@U1> <https://x|label> :tada: ".repeat(BODY_LIMIT / 32),
        ),
    ]
}

fn adversarial_group(c: &mut Criterion, engine: &Engine) {
    let mut group = c.benchmark_group("adversarial");
    for (name, question) in adversarial() {
        assert!(question.len() <= BODY_LIMIT);
        group.throughput(Throughput::Bytes(question.len() as u64));
        group.bench_function(name, |b| {
            b.iter(|| black_box(engine.answer(black_box(&question))))
        });
    }
    group.finish();
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

    adversarial_group(c, &engine);

    c.bench_function("load_and_validate_bundled", |b| {
        b.iter(|| black_box(Engine::bundled().expect("loads")))
    });
}

/// Question forms (issue 10): a compound or follow-up question against a single one, and the
/// worst case for splitting (a message of the largest size made of commas and "and"s). Each
/// iteration asks the next of ten questions of the form (see [`SINGLE`]).
fn bench_forms(c: &mut Criterion) {
    let engine = Engine::bundled().expect("bundled data loads");
    let fresh = dealbot::engine::Context::default();
    let contexts: Vec<dealbot::engine::Context> = SINGLE
        .iter()
        .map(|q| engine.answer_in(q, &fresh).1)
        .collect();
    let worst = "is it, and is it, ".repeat(300);
    let mut group = c.benchmark_group("question_forms");
    for (name, questions) in [
        ("single", &SINGLE),
        ("yes_no", &YES_NO),
        ("compound_2", &COMPOUND_2),
        ("compound_3", &COMPOUND_3),
    ] {
        group.bench_function(name, |b| {
            let mut next = questions.iter().cycle();
            b.iter(|| black_box(engine.answer(black_box(next.next().expect("cycles")))))
        });
    }
    group.bench_function("worst_case_split", |b| {
        b.iter(|| black_box(engine.answer(black_box(worst.as_str()))))
    });
    // A follow-up after each of the single questions, in turn.
    for (name, follow_up) in FOLLOW_UPS {
        group.bench_function(name, |b| {
            let mut next = contexts.iter().cycle();
            b.iter(|| {
                let ctx = next.next().expect("cycles");
                black_box(engine.answer_in(black_box(follow_up), ctx))
            })
        });
    }
    group.finish();
}

criterion_group!(benches, bench, bench_forms);
criterion_main!(benches);
