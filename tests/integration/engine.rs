//! The engine against the labelled question sets, plus properties every answer must have.

use dealbot::engine::eval::{self, Report};
use dealbot::engine::validate::verbatim;
use dealbot::engine::{Answer, Outcome};
use proptest::prelude::*;

use crate::engine;

/// (least in-scope accuracy, least refusal rate, most wrong-topic rate), a few points below the
/// figures measured, so a regression fails. Measured 2026-11-27 after fresh-1's single and
/// must-not-answer rows became training data (`intents/questions/fresh-1.jsonl`): fresh-2
/// 92.3 % / 100 % / 1.9 %, fresh-3 97.6 % / 100 % / 2.4 %, 5-fold CV 90.3 % / 96.7 % / 2.1 %.
const FRESH_2: (f64, f64, f64) = (0.90, 0.95, 0.03);
const FRESH_3: (f64, f64, f64) = (0.92, 0.95, 0.05);
const CV: (f64, f64, f64) = (0.88, 0.93, 0.03);
/// (least accuracy, least refusal rate) on the training questions themselves (measured 96.9 %,
/// 100 %).
const FIT: (f64, f64) = (0.95, 0.98);

fn describe(report: &Report) -> String {
    report
        .failures
        .iter()
        .map(|f| {
            format!(
                "  {:?}: expected {:?}, got {:?} (missing {:?})",
                f.case.q, f.case.intent, f.got, f.missing
            )
        })
        .collect::<Vec<_>>()
        .join("\n")
}

/// Every citation of `answer` stands verbatim in its source, and every marker points at one.
fn assert_citations_verbatim(answer: &Answer) {
    for c in answer.citations.iter().chain(
        answer
            .conflicts
            .iter()
            .chain(&answer.notes)
            .map(|c| dealbot::engine::Citation {
                source: c.source.clone(),
                quote: c.quote.clone(),
                title: c.title.clone(),
                url: c.url.clone(),
            })
            .collect::<Vec<_>>()
            .iter(),
    ) {
        let source = engine()
            .source(&c.source)
            .unwrap_or_else(|| panic!("unknown source {}", c.source));
        if let Err(e) = verbatim(&source.text, &c.quote) {
            panic!(
                "{:?}: citation from {} not verbatim: {e}",
                answer.question, c.source
            );
        }
    }
    for fact in &answer.facts {
        for m in &fact.markers {
            assert!(
                *m >= 1 && *m <= answer.citations.len(),
                "marker [{m}] out of range"
            );
        }
    }
}

/// The single-question and must-not-answer rows of a held-out file (compound, verdict and
/// conversation rows are other issues' measures).
fn single_and_refuse_rows(file: &str) -> Vec<eval::Case> {
    let path = format!("{}/tests/data/{file}", env!("CARGO_MANIFEST_DIR"));
    let text = std::fs::read_to_string(&path).expect("test data file");
    text.lines()
        .filter(|l| !l.trim().is_empty())
        .filter_map(|l| {
            let row: serde_json::Value = serde_json::from_str(l).expect("valid row");
            let other_kind = ["parts", "verdict", "conversation"]
                .iter()
                .any(|k| row.get(k).is_some());
            if other_kind {
                return None;
            }
            let q = row.get("q")?.as_str()?.to_owned();
            let intent = row.get("intent")?.as_str().map(str::to_owned);
            let strings = |key: &str| -> Vec<String> {
                row.get(key)
                    .and_then(|v| v.as_array())
                    .map(|a| {
                        a.iter()
                            .filter_map(|s| s.as_str().map(str::to_owned))
                            .collect()
                    })
                    .unwrap_or_default()
            };
            Some(eval::Case {
                q,
                intent,
                also: strings("also"),
                must: Vec::new(),
                verdict: None,
            })
        })
        .collect()
}

/// Held-out rows (never trained on, never tuned on): in-scope right, refused, wrong topic.
fn assert_held_out(file: &str, accuracy: f64, rejection: f64, wrong_topic: f64) {
    let cases = single_and_refuse_rows(file);
    assert!(cases.len() > 50, "{file}: {} rows", cases.len());
    let report = eval::evaluate(engine(), &cases);
    let failures = describe(&report);
    assert!(
        report.accuracy() >= accuracy,
        "{file}: in-scope accuracy {:.3} < {accuracy}\n{failures}",
        report.accuracy()
    );
    assert!(
        report.rejection() >= rejection,
        "{file}: rejection {:.3} < {rejection}\n{failures}",
        report.rejection()
    );
    assert!(
        report.wrong_topic_rate() <= wrong_topic,
        "{file}: wrong topic {:.3} > {wrong_topic}\n{failures}",
        report.wrong_topic_rate()
    );
}

#[test]
fn held_out_fresh_2_meets_targets() {
    assert_held_out("fresh-2.jsonl", FRESH_2.0, FRESH_2.1, FRESH_2.2);
}

#[test]
fn held_out_fresh_3_meets_targets() {
    // fresh-1's single and must-not-answer rows are training data now; its compound and
    // conversation rows stay held out (scored in `forms.rs`).
    assert_held_out("fresh-3.jsonl", FRESH_3.0, FRESH_3.1, FRESH_3.2);
}

#[test]
fn labelled_training_questions_are_fit() {
    // A training fit, not generalisation (that is the cross-validation test and the fresh
    // sets): the model must at least reproduce its own labels.
    let kb = engine().knowledge();
    let cases = eval::training_cases(kb);
    let report = eval::evaluate(engine(), &cases);
    assert!(
        report.accuracy() >= FIT.0 && report.rejection() >= FIT.1,
        "fit: accuracy {:.3}, rejection {:.3}\n{}",
        report.accuracy(),
        report.rejection(),
        describe(&report)
    );
}

#[test]
fn cross_validated_figures_meet_targets() {
    // `dealbot eval --cv 5` in test form: every fold is scored by a model trained without it.
    let kb = engine().knowledge();
    let report = eval::cross_validate(kb, 5, &dealbot::engine::Options::default());
    assert_eq!(report.in_scope + report.out_of_scope, kb.questions.len());
    assert!(
        report.accuracy() >= CV.0
            && report.rejection() >= CV.1
            && report.wrong_topic_rate() <= CV.2,
        "cv: accuracy {:.3}, rejection {:.3}, wrong topic {:.3}",
        report.accuracy(),
        report.rejection(),
        report.wrong_topic_rate()
    );
}

#[test]
fn training_is_deterministic() {
    let again = dealbot::Engine::bundled().unwrap();
    for q in [
        "is redmond still top dog for openai's cloud?",
        "who else is oai in bed with",
        "what's the weather like",
    ] {
        let a = engine().matcher().ranked(&engine().matcher().analyze(q), 5);
        let b = again.matcher().ranked(&again.matcher().analyze(q), 5);
        assert_eq!(a, b, "{q}");
        assert!(!a.is_empty());
    }
}

#[test]
fn top_intents_come_with_probabilities_that_sum_to_at_most_one() {
    let m = engine().matcher();
    let ranked = m.ranked(&m.analyze("when does the revenue share end"), 3);
    assert_eq!(ranked.len(), 3);
    assert_eq!(
        engine().knowledge().intents[ranked[0].0].id,
        "revenue_share_end"
    );
    assert!(ranked.windows(2).all(|w| w[0].1 >= w[1].1));
    assert!(ranked.iter().map(|r| r.1).sum::<f32>() <= 1.0 + 1e-4);
}

#[test]
fn every_answer_to_every_example_cites_verbatim() {
    let kb = engine().knowledge();
    let questions = kb
        .intents
        .iter()
        .flat_map(|i| i.examples.iter().chain(i.question.iter()))
        .chain(kb.uncovered.iter().flat_map(|t| &t.examples));
    let mut count = 0;
    for q in questions {
        assert_citations_verbatim(&engine().answer(q));
        count += 1;
    }
    assert!(count > 150);
}

#[test]
fn every_fact_intent_answers_its_own_question_with_citations() {
    for intent in &engine().knowledge().intents {
        let Some(question) = &intent.question else {
            continue;
        };
        let answer = engine().answer(question);
        assert_eq!(
            answer.intent.as_deref(),
            Some(intent.id.as_str()),
            "{question}"
        );
        if intent.kind == dealbot::engine::data::IntentKind::Facts {
            assert!(!answer.citations.is_empty(), "{question} has no citation");
        }
    }
}

#[test]
fn conflicting_topics_name_and_quote_the_dissenting_source() {
    for (q, dissent, is_conflict) in [
        (
            "When does the revenue share end?",
            "004_3b06de75cd080f9e",
            true,
        ),
        (
            "How long does Microsoft's licence run?",
            "004_3b06de75cd080f9e",
            true,
        ),
        // Issue 11: the date note is not a disagreement, so it is a note.
        ("When was it announced?", "000_50bb8e954e3b032f", false),
    ] {
        let answer = engine().answer(q);
        assert!(answer.answered, "{q}");
        let list = if is_conflict {
            &answer.conflicts
        } else {
            &answer.notes
        };
        let conflict = list.iter().find(|c| c.source == dissent);
        let conflict = conflict.unwrap_or_else(|| panic!("{q}: no note from {dissent}"));
        assert!(
            answer.text.contains(&conflict.quote),
            "{q}: text lacks the dissenting quote"
        );
        assert!(
            answer.text.contains(&conflict.title),
            "{q}: text does not name {dissent} by its title"
        );
        assert_eq!(
            answer.text.contains("the sources disagree"),
            is_conflict,
            "{q}: {}",
            answer.text
        );
    }
}

#[test]
fn cloud_slot_names_the_provider_asked_about() {
    let google = engine().answer("Can OpenAI use Google Cloud?");
    assert_eq!(google.intent.as_deref(), Some("other_clouds"));
    assert!(google.text.contains("Google"), "{}", google.text);
    let aws = engine().answer("is openai allowed on aws now?");
    assert!(aws.direct.contains("Amazon Web Services"), "{}", aws.direct);
    let ibm = engine().answer("Can OpenAI run on IBM Cloud?");
    assert_eq!(ibm.intent.as_deref(), Some("other_clouds"));
    assert!(
        ibm.direct.contains("any cloud provider") && ibm.direct.contains("don't name IBM Cloud"),
        "{}",
        ibm.direct
    );
}

#[test]
fn half_covered_questions_say_what_the_sources_do_not_give() {
    let cap = engine().answer("how big is the cap?");
    assert_eq!(cap.intent.as_deref(), Some("revenue_share_cap"));
    assert!(
        cap.direct
            .contains("neither the amount of the cap nor the percentage"),
        "{}",
        cap.direct
    );
    let year = engine().answer("what year was the deal announced");
    assert_eq!(year.intent.as_deref(), Some("announcement_date"));
    assert!(
        year.direct.contains("do not give the year"),
        "{}",
        year.direct
    );
}

#[test]
fn uncovered_questions_get_a_plain_reply_and_suggestions() {
    for q in [
        "What is OpenAI's revenue?",
        "What did Satya Nadella say?",
        "What's MSFT's share price today?",
        "Did Google invest in OpenAI?",
        "What's the weather in Seattle?",
    ] {
        let answer = engine().answer(q);
        assert!(!answer.answered, "{q} was answered as {:?}", answer.intent);
        assert_eq!(answer.intent, None);
        assert!(answer.text.contains("don't"), "{q}: {}", answer.text);
        assert!(
            !answer.suggestions.is_empty() && answer.suggestions.len() <= 3,
            "{q}"
        );
        assert!(answer.citations.is_empty());
    }
}

#[test]
fn chat_markup_does_not_change_the_answer() {
    let plain = engine().answer("when does the revenue share end");
    for q in [
        "<@U024BE7LH> when does the *revenue share* end? :thinking_face:",
        "<@!80351110224678912> when does the `revenue share` end 🤔🤔",
        "@dealbot when does the revenue share end??? <!here>",
        "WHEN DOES THE REVENUE‑SHARE END",
        "when does the revenue share end <https://example.com|link>",
    ] {
        assert_eq!(engine().answer(q).intent, plain.intent, "{q}");
    }
}

#[test]
fn typos_and_abbreviations_are_tolerated() {
    for (q, id) in [
        ("wen does the revnue shar end", "revenue_share_end"),
        ("is msft stil exclusve with oai", "exclusivity"),
        ("what happend to the agi clasue", "agi_clause"),
        ("when does msfts licence expire", "ip_license"),
        ("can oai use gcp", "other_clouds"),
    ] {
        assert_eq!(engine().answer(q).intent.as_deref(), Some(id), "{q}");
    }
}

#[test]
fn greetings_alone_are_small_talk_but_do_not_hide_a_question() {
    assert_eq!(
        engine().answer("hello there").intent.as_deref(),
        Some("smalltalk")
    );
    assert_eq!(
        engine().answer("thanks!!").intent.as_deref(),
        Some("smalltalk")
    );
    assert_eq!(
        engine()
            .answer("hi! when does the revenue share end?")
            .intent
            .as_deref(),
        Some("revenue_share_end")
    );
    assert_eq!(engine().answer("help").intent.as_deref(), Some("help"));
    assert_ne!(
        engine()
            .answer("does this help microsoft with regulators")
            .intent
            .as_deref(),
        Some("help")
    );
}

#[test]
fn empty_and_markup_only_messages_are_not_answered() {
    for q in ["", "   ", "<@U123>", "🎉🎉🎉", "???"] {
        let answer = engine().answer(q);
        assert!(!answer.answered, "{q:?}");
        assert_eq!(answer.outcome, Outcome::Empty, "{q:?}");
        assert!(!answer.suggestions.is_empty());
    }
}

#[test]
fn json_has_exactly_the_documented_fields() {
    let value = serde_json::to_value(engine().answer("When does the revenue share end?")).unwrap();
    let mut keys: Vec<&str> = value
        .as_object()
        .unwrap()
        .keys()
        .map(String::as_str)
        .collect();
    keys.sort_unstable();
    assert_eq!(
        keys,
        [
            "answered",
            "citations",
            "confidence",
            "conflicts",
            "intent",
            "notes",
            "parts",
            "question",
            "suggestions",
            "text",
            "verdict"
        ]
    );
    let citation = &value["citations"][0];
    let mut ckeys: Vec<&str> = citation
        .as_object()
        .unwrap()
        .keys()
        .map(String::as_str)
        .collect();
    ckeys.sort_unstable();
    assert_eq!(ckeys, ["quote", "source", "title", "url"]);
    let conflict = &value["conflicts"][0];
    let mut fkeys: Vec<&str> = conflict
        .as_object()
        .unwrap()
        .keys()
        .map(String::as_str)
        .collect();
    fkeys.sort_unstable();
    assert_eq!(fkeys, ["note", "quote", "source", "title", "url"]);
}

#[test]
fn huge_input_is_cut_and_answered() {
    let q = format!("{} when does the revenue share end", "blah ".repeat(50_000));
    let answer = engine().answer(&q);
    assert!(answer.confidence >= 0.0 && answer.confidence <= 1.0);
    let q = format!("when does the revenue share end {}", "é".repeat(60_000));
    let _ = engine().answer(&q);
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 256, .. ProptestConfig::default() })]

    #[test]
    fn never_panics_and_stays_in_range(q in "\\PC{0,2000}") {
        let answer = engine().answer(&q);
        prop_assert!((0.0..=1.0).contains(&answer.confidence));
        prop_assert_eq!(answer.answered, answer.intent.is_some());
        assert_citations_verbatim(&answer);
    }

}

proptest! {
    #![proptest_config(ProptestConfig { cases: 16, .. ProptestConfig::default() })]

    #[test]
    fn never_panics_on_large_arbitrary_unicode(q in proptest::collection::vec(any::<char>(), 0..100_000)) {
        let q: String = q.into_iter().collect();
        let answer = engine().answer(&q);
        prop_assert!((0.0..=1.0).contains(&answer.confidence));
    }
}
