//! Asks the ten questions of one form of `benches/engine.rs` (the `question_forms` group) N
//! rounds, for a profiler to count instructions per question form (issue 10's cost target).
//!
//! `cargo build --release --example prof_forms`, then
//! `valgrind --tool=callgrind --toggle-collect='*answer_in*' target/release/examples/prof_forms FORM N`
//! and divide the total by 10 × N. FORM is `single`, `yes_no`, `compound_2`, `compound_3`,
//! `follow_up` or `follow_up_full_question`. The follow-up forms first answer the ten single
//! questions for their contexts, which the count includes: subtract a run with N = 0.

use std::hint::black_box;

use dealbot::Engine;
use dealbot::engine::Context;

#[path = "../benches/forms/questions.rs"]
mod questions;
use questions::{COMPOUND_2, COMPOUND_3, FOLLOW_UPS, SINGLE, YES_NO};

fn main() {
    let mut args = std::env::args().skip(1);
    let form = args.next().unwrap_or_else(|| "single".into());
    let rounds: usize = args.next().and_then(|n| n.parse().ok()).unwrap_or(3);
    let engine = Engine::bundled().expect("bundled data loads");
    let fresh = Context::default();
    let follow_up = FOLLOW_UPS
        .iter()
        .find(|(name, _)| *name == form)
        .map(|(_, question)| *question);
    if let Some(follow_up) = follow_up {
        // As the bench does: the context each single question leaves, asked after in turn.
        let contexts: Vec<Context> = SINGLE
            .iter()
            .map(|q| engine.answer_in(q, &fresh).1)
            .collect();
        for _ in 0..rounds {
            for ctx in &contexts {
                black_box(engine.answer_in(black_box(follow_up), ctx));
            }
        }
        return;
    }
    let questions = match form.as_str() {
        "single" => &SINGLE,
        "yes_no" => &YES_NO,
        "compound_2" => &COMPOUND_2,
        "compound_3" => &COMPOUND_3,
        other => {
            eprintln!(
                "unknown form {other:?}: single, yes_no, compound_2, compound_3, follow_up or follow_up_full_question"
            );
            std::process::exit(2);
        }
    };
    for _ in 0..rounds {
        for q in questions {
            black_box(engine.answer_in(black_box(q), &fresh));
        }
    }
}
