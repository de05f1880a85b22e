//! Bounded cost per question (issue 8, item 1): hostile questions up to the HTTP body limit are
//! answered without a panic and within a memory cap.
//!
//! Time is not asserted here (machines are noisy): `benches/engine.rs` (`adversarial` group)
//! measures it, and `dealbot::engine::vocab` tests count the typo lookups per question.

use std::io::Write;
use std::process::{Command, Stdio};

use dealbot::engine::normalize;
use proptest::prelude::*;

/// The HTTP body limit: nothing larger reaches the engine from any front end.
const BODY_LIMIT: usize = 64 * 1024;

/// The inputs of issue 8 that exhausted memory, and a few more of the same kind.
fn adversarial() -> Vec<String> {
    vec![
        // One made-up word of 1,600 letters (15 s and 3.8 GB before the fix).
        "qwertyuiopasdfghjklzxcvbnm".repeat(62),
        "ab".repeat(2_000),
        "ab".repeat(30_000),
        // NFKC turns each into four letters ("アパート").
        "\u{3300}".repeat(1_365),
        "\u{3300}".repeat(BODY_LIMIT / 3 - 1),
        // NFKC turns each into eighteen characters.
        "\u{FDFA}".repeat(BODY_LIMIT / 3 - 1),
        "revenue azure qxzv ".repeat(BODY_LIMIT / 19),
        "exclusivty ".repeat(BODY_LIMIT / 11),
    ]
}

fn hostile_char() -> impl Strategy<Value = char> {
    prop_oneof![
        4 => any::<char>(),
        2 => prop::char::range('a', 'z'),
        1 => prop::sample::select(vec![' ', '\'', '<', '>', '@', ':', '|', '\u{3300}', '\u{FDFA}', 'ß', 'İ']),
    ]
}

/// Arbitrary text up to [`BODY_LIMIT`] bytes.
fn question() -> impl Strategy<Value = String> {
    prop::collection::vec(hostile_char(), 0..BODY_LIMIT / 4)
        .prop_map(|chars| chars.into_iter().collect::<String>())
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 24, ..ProptestConfig::default() })]

    #[test]
    fn any_unicode_question_up_to_the_body_limit_is_answered(q in question()) {
        prop_assert!(q.len() <= BODY_LIMIT);
        let folded = normalize::question(&q);
        prop_assert!(folded.len() <= normalize::MAX_QUESTION_BYTES);
        let words = normalize::words(&folded);
        prop_assert!(words.len() <= normalize::MAX_WORDS);
        prop_assert!(words.iter().all(|w| w.chars().count() <= normalize::MAX_WORD_CHARS));
        let answer = crate::engine().answer(&q);
        prop_assert!(!answer.text.is_empty());
    }
}

#[test]
fn adversarial_questions_are_answered_by_the_engine() {
    for q in adversarial() {
        let answer = crate::engine().answer(&q);
        assert_eq!(answer.question, q);
        assert!(!answer.text.is_empty());
    }
}

/// Runs the real binary under a 512 MB address-space cap (`ulimit -v`): before the fix each of
/// these lines needed gigabytes and the process aborted.
#[test]
fn adversarial_questions_are_answered_under_a_memory_cap() {
    let mut child = Command::new("sh")
        .args(["-c", "ulimit -v 524288 && exec \"$0\" ask --json"])
        .arg(env!("CARGO_BIN_EXE_dealbot"))
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("run dealbot under sh");
    let lines = adversarial();
    let mut stdin = child.stdin.take().unwrap();
    let input: String = lines.iter().map(|l| format!("{l}\n")).collect();
    let writer = std::thread::spawn(move || stdin.write_all(input.as_bytes()));
    let out = child.wait_with_output().unwrap();
    writer.join().unwrap().unwrap();
    assert!(
        out.status.success(),
        "{:?}: {}",
        out.status,
        String::from_utf8_lossy(&out.stderr)
    );
    let answers: Vec<serde_json::Value> = String::from_utf8(out.stdout)
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(answers.len(), lines.len());
    for (answer, line) in answers.iter().zip(&lines) {
        assert_eq!(answer["question"], line.as_str());
        assert!(answer["text"].as_str().is_some_and(|t| !t.is_empty()));
    }
}
